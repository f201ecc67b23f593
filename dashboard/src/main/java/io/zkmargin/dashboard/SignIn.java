package io.zkmargin.dashboard;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Sign-in to the dashboard by proof of control of the account's key: the page gets a random
 * challenge, the trader signs it with the account's EdDSA key (BN254 twisted Edwards, Poseidon2:
 * the key in the account's leaf) with {@code ./zkm sign-challenge}, and the signature opens a
 * session that sees that account only.
 *
 * <p>The signed message binds a domain tag, the service's id (the SHA-256 of its certificate, so a
 * signature made for one service is useless at another), the account id and the challenge. A
 * challenge is single use and expires after {@link #CHALLENGE_MILLIS}; a session after {@link
 * #SESSION_MILLIS}. An unknown account answers exactly like a wrong signature. Thread-safe.
 */
public final class SignIn {

  /** Domain tag of the signed sign-in message. */
  public static final String DOMAIN = "zkmargin-dashboard-sign-in-v1";

  /** How long a challenge may be answered: 5 minutes. */
  public static final long CHALLENGE_MILLIS = 5 * 60_000L;

  /** How long a session lasts: 1 hour. */
  public static final long SESSION_MILLIS = 60 * 60_000L;

  /** Outstanding challenges kept at most (older ones are dropped first). */
  static final int MAX_CHALLENGES = 10_000;

  /** Live sessions kept at most (older ones are dropped first). */
  static final int MAX_SESSIONS = 10_000;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private final String serviceId;
  private final LongFunction<Optional<AccountLeaf>> accounts;
  private final Clock clock;
  private final Map<String, Long> challenges = new LinkedHashMap<>(); // challenge -> expiry ms
  private final Map<String, Session> sessions = new LinkedHashMap<>(); // token -> session

  /** A signed-in session: its account and its expiry (Unix milliseconds). */
  public record Session(long accountId, long expiresAtMillis) {}

  /**
   * @param serviceId the service's id ({@link io.zkmargin.grpc.ServiceIdentity#serviceId()})
   * @param accounts the account leaves by id (the key to check is the leaf's owner key)
   * @param clock time source
   */
  public SignIn(String serviceId, LongFunction<Optional<AccountLeaf>> accounts, Clock clock) {
    ArgChecker.isTrue(serviceId != null && !serviceId.isEmpty(), "service id is required");
    this.serviceId = serviceId;
    this.accounts = ArgChecker.notNull(accounts, "accounts");
    this.clock = ArgChecker.notNull(clock, "clock");
  }

  /**
   * The field element signed to sign in: {@link EdDSA#messageOf} of {@code
   * "zkmargin-dashboard-sign-in-v1|serviceId|accountId|challenge"} (UTF-8).
   */
  public static BigInteger message(String serviceId, long accountId, String challenge) {
    ArgChecker.notNegative(accountId, "account id");
    return EdDSA.messageOf(
        (DOMAIN + "|" + serviceId + "|" + accountId + "|" + challenge)
            .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Signs a challenge as {@code ./zkm sign-challenge} does.
   *
   * @return the signature, 192 lower-case hex characters (R.x, R.y, S; 32 bytes big-endian each)
   */
  public static String sign(
      EdwardsKeyPair key, String serviceId, long accountId, String challenge) {
    ArgChecker.notNull(key, "key");
    return HEX.formatHex(
        RequestSigner.encode(EdDSA.sign(key, message(serviceId, accountId, challenge))));
  }

  /** A fresh challenge: {@code zkm-} and 48 hex characters, valid for {@link #CHALLENGE_MILLIS}. */
  public synchronized String challenge() {
    long now = clock.millis();
    expire(now);
    while (challenges.size() >= MAX_CHALLENGES) {
      challenges.remove(challenges.keySet().iterator().next());
    }
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    String c = "zkm-" + HEX.formatHex(b);
    challenges.put(c, now + CHALLENGE_MILLIS);
    return c;
  }

  /**
   * Checks a signed challenge and opens a session. The challenge is used up by this call whatever
   * its outcome.
   *
   * @param accountId the account signing in
   * @param challenge a challenge from {@link #challenge()}
   * @param signatureHex the signature, 192 hex characters
   * @return the session token (64 hex characters), or empty when the challenge is unknown, used or
   *     expired, the signature malformed or wrong, or the account unknown (all alike)
   */
  public Optional<String> signIn(long accountId, String challenge, String signatureHex) {
    if (accountId < 0 || challenge == null || signatureHex == null) {
      return Optional.empty();
    }
    synchronized (this) {
      Long expiry = challenges.remove(challenge);
      if (expiry == null || expiry < clock.millis()) {
        return Optional.empty();
      }
    }
    Optional<AccountLeaf> leaf = accounts.apply(accountId);
    if (leaf.isEmpty()) {
      return Optional.empty();
    }
    EdDSA.Signature sig;
    try {
      sig =
          RequestSigner.decode(
              HEX.parseHex(signatureHex.strip().toLowerCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    EdwardsPoint pk = new EdwardsPoint(leaf.get().ownerPkX(), leaf.get().ownerPkY());
    boolean ok;
    try {
      ok = EdDSA.verify(pk, message(serviceId, accountId, challenge), sig);
    } catch (IllegalArgumentException e) {
      ok = false;
    }
    if (!ok) {
      return Optional.empty();
    }
    byte[] t = new byte[32];
    RANDOM.nextBytes(t);
    String token = HEX.formatHex(t);
    synchronized (this) {
      long now = clock.millis();
      expire(now);
      while (sessions.size() >= MAX_SESSIONS) {
        sessions.remove(sessions.keySet().iterator().next());
      }
      sessions.put(token, new Session(accountId, now + SESSION_MILLIS));
    }
    return Optional.of(token);
  }

  /** The live session of a token, or empty. */
  public synchronized Optional<Session> session(String token) {
    if (token == null) {
      return Optional.empty();
    }
    Session s = sessions.get(token);
    if (s == null || s.expiresAtMillis() < clock.millis()) {
      sessions.remove(token);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  /** Ends a session (sign-out); unknown tokens are ignored. */
  public synchronized void signOut(String token) {
    if (token != null) {
      sessions.remove(token);
    }
  }

  private void expire(long now) {
    for (Iterator<Long> it = challenges.values().iterator(); it.hasNext(); ) {
      if (it.next() < now) {
        it.remove();
      }
    }
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      if (it.next().expiresAtMillis() < now) {
        it.remove();
      }
    }
  }
}
