package io.zkmargin.grpc.server;

import io.grpc.Status;
import io.grpc.StatusException;
import io.zkmargin.api.v1.RequestAuth;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.grpc.AuthMessage;
import io.zkmargin.grpc.RequestSigner;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the signature of a trader's request against the owner key in the account's leaf, and
 * refuses unsigned, wrongly signed, expired and replayed requests (see {@code RequestAuth} in the
 * proto).
 *
 * <p>Two steps. {@link #authenticate} checks the request and returns a {@link Ticket} without
 * recording anything; the caller {@link #consume}s the ticket only when it accepts the request for
 * work, and may {@link #release} it when the request was refused after all without doing any work
 * (queue full, account not healthy enough), so that such a request can be retried as is.
 *
 * <p>Replay protection: every consumed (account, nonce) is remembered until its expiry, in memory
 * and in an fsynced append-only {@link NonceLog} when one is given, so that a request is accepted
 * at most once even across a restart. A request is valid at most {@link #MAX_VALIDITY_MILLIS}
 * ahead, so the memory holds at most the requests of the last five minutes, and at most {@code
 * maxNoncesPerAccount} of one account (beyond it RESOURCE_EXHAUSTED: one account cannot fill the
 * table for everyone). A nonce is recorded only after its signature verified, so nobody can burn
 * another account's nonces.
 *
 * <p>No account enumeration: a request for an id that holds no account goes through the same
 * signature check, against a fixed dummy key, and fails with the same UNAUTHENTICATED message as a
 * wrong key. The validity of each owner key (on the curve, not the identity, in the prime subgroup:
 * a full scalar multiplication) is checked once per key and cached.
 */
public final class RequestAuthenticator {

  private static final Logger LOG = LoggerFactory.getLogger(RequestAuthenticator.class);

  /** Longest accepted distance between the server's clock and a request's expiry: 300 s. */
  public static final long MAX_VALIDITY_MILLIS = 300_000;

  /** Most remembered nonces; beyond it new requests are refused with RESOURCE_EXHAUSTED. */
  static final int MAX_REMEMBERED_NONCES = 1_000_000;

  /** Default most live nonces of one account (requests accepted within the last 300 s). */
  public static final int DEFAULT_MAX_NONCES_PER_ACCOUNT = 1_000;

  /** Most cached owner-key validity results; the cache is cleared when it would grow beyond. */
  static final int MAX_CACHED_KEYS = 100_000;

  /**
   * The key checked for an id that holds no account: a valid subgroup point, so that the work
   * equals that of a real key; its scalar is public, which does not matter since such a request
   * always fails.
   */
  static final EdwardsPoint DUMMY_KEY =
      EdwardsPoint.BASE.multiply(BigInteger.valueOf(0x5eed_0f_dead_beefL));

  /**
   * A request that passed authentication and is not consumed yet.
   *
   * @param accountId the account
   * @param key the replay key {@code ACCOUNT:HEXNONCE}
   * @param expiryMillis the request's expiry, epoch milliseconds
   */
  public record Ticket(long accountId, String key, long expiryMillis) {}

  private final String serviceId;
  private final Clock clock;
  private final int maxNoncesPerAccount;
  private final NonceLog log;
  private final Map<String, Long> seen = new HashMap<>();
  private final Map<Long, Integer> perAccount = new HashMap<>();
  private final Map<EdwardsPoint, Boolean> validKeys = new ConcurrentHashMap<>();
  private final LongAdder signatureChecks = new LongAdder();
  private final LongAdder keyChecks = new LongAdder();
  private long nextPurgeMillis;

  /**
   * An authenticator that remembers nonces in memory only (forgotten on restart).
   *
   * @param serviceId this service's identity, bound into every signed message
   * @param clock the clock expiries are checked against
   */
  public RequestAuthenticator(String serviceId, Clock clock) {
    this.serviceId = serviceId;
    this.clock = clock;
    this.maxNoncesPerAccount = DEFAULT_MAX_NONCES_PER_ACCOUNT;
    this.log = null;
  }

  /**
   * An authenticator whose consumed nonces survive a restart: they are appended (fsynced) to {@code
   * nonceLog}, and those still live are read back from it here.
   *
   * @param serviceId this service's identity, bound into every signed message
   * @param clock the clock expiries are checked against
   * @param nonceLog the nonce log file (created when missing)
   * @param maxNoncesPerAccount most live nonces of one account, {@code >= 1}
   * @throws IOException when the log cannot be read or written
   */
  public RequestAuthenticator(String serviceId, Clock clock, Path nonceLog, int maxNoncesPerAccount)
      throws IOException {
    if (maxNoncesPerAccount < 1) {
      throw new IllegalArgumentException(
          "maxNoncesPerAccount must be >= 1, was " + maxNoncesPerAccount);
    }
    this.serviceId = serviceId;
    this.clock = clock;
    this.maxNoncesPerAccount = maxNoncesPerAccount;
    Map<String, Long> live = new HashMap<>();
    this.log = NonceLog.open(nonceLog, clock.millis(), live);
    live.forEach(this::remember);
  }

  /** The service identity requests must be signed for. */
  public String serviceId() {
    return serviceId;
  }

  /**
   * Authenticates one request; returns normally only when the request is signed by the account's
   * owner, unexpired and not consumed yet. Records nothing: call {@link #consume} when the request
   * is accepted.
   *
   * @param method full gRPC method name the request came in on
   * @param accountId the account the request is for
   * @param thresholdBps the signed threshold (0 for methods without one)
   * @param leaf the account's leaf (its owner key), or empty when the id holds no account
   * @param auth the request's auth, or {@code null} when the request carries none
   * @return the ticket to consume
   * @throws StatusException UNAUTHENTICATED, INVALID_ARGUMENT (malformed auth fields) or
   *     RESOURCE_EXHAUSTED
   */
  public Ticket authenticate(
      String method,
      long accountId,
      long thresholdBps,
      Optional<AccountLeaf> leaf,
      RequestAuth auth)
      throws StatusException {
    if (auth == null) {
      throw unauthenticated("the request is not signed: auth is required");
    }
    byte[] nonce = auth.getNonce().toByteArray();
    if (nonce.length < AuthMessage.MIN_NONCE_BYTES || nonce.length > AuthMessage.MAX_NONCE_BYTES) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "auth.nonce must have "
                  + AuthMessage.MIN_NONCE_BYTES
                  + " to "
                  + AuthMessage.MAX_NONCE_BYTES
                  + " bytes, has "
                  + nonce.length)
          .asException();
    }
    byte[] sigBytes = auth.getSignature().toByteArray();
    if (sigBytes.length == 0) {
      throw unauthenticated("the request is not signed: auth.signature is empty");
    }
    if (sigBytes.length != RequestSigner.SIGNATURE_BYTES) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "auth.signature must have "
                  + RequestSigner.SIGNATURE_BYTES
                  + " bytes (R.x, R.y, S), has "
                  + sigBytes.length)
          .asException();
    }
    if (!auth.hasExpireTime()) {
      throw Status.INVALID_ARGUMENT.withDescription("auth.expire_time is required").asException();
    }
    long seconds = auth.getExpireTime().getSeconds();
    int nanos = auth.getExpireTime().getNanos();
    if (nanos < 0 || nanos >= 1_000_000_000 || seconds < 0 || seconds > 253_402_300_799L) {
      throw Status.INVALID_ARGUMENT
          .withDescription("auth.expire_time is not a valid timestamp")
          .asException();
    }
    long expiryMillis = seconds * 1000 + nanos / 1_000_000;
    long now = clock.millis();
    if (expiryMillis <= now) {
      throw unauthenticated("the signed request expired " + (now - expiryMillis) + " ms ago");
    }
    if (expiryMillis - now > MAX_VALIDITY_MILLIS) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "auth.expire_time is more than "
                  + MAX_VALIDITY_MILLIS / 1000
                  + " s ahead of the server's clock")
          .asException();
    }
    String badSignature =
        "the signature does not verify against the owner key of account " + accountId;
    EdDSA.Signature sig;
    try {
      sig = RequestSigner.decode(sigBytes);
    } catch (IllegalArgumentException e) {
      throw unauthenticated(badSignature);
    }
    BigInteger m =
        AuthMessage.fieldElement(method, serviceId, accountId, thresholdBps, nonce, seconds, nanos);
    EdwardsPoint key;
    try {
      key = leaf.map(l -> new EdwardsPoint(l.ownerPkX(), l.ownerPkY())).orElse(DUMMY_KEY);
    } catch (IllegalArgumentException e) {
      key = DUMMY_KEY;
    }
    // the same work and the same answer whether or not the id holds an account
    boolean ok = verify(key, m, sig) && leaf.isPresent();
    if (!ok) {
      throw unauthenticated(badSignature);
    }
    String replayKey = accountId + ":" + HexFormat.of().formatHex(nonce);
    synchronized (this) {
      purgeExpired(now);
      checkFresh(replayKey, accountId);
    }
    return new Ticket(accountId, replayKey, expiryMillis);
  }

  /**
   * Consumes an authenticated request's nonce: from now on (and, with a nonce log, after a restart)
   * the same request is refused as replayed. Call it when the request is accepted for work.
   *
   * @throws StatusException UNAUTHENTICATED when the nonce was consumed meanwhile (a concurrent
   *     copy), RESOURCE_EXHAUSTED when a quota filled meanwhile, UNAVAILABLE when the nonce log
   *     cannot be written
   */
  public synchronized void consume(Ticket ticket) throws StatusException {
    checkFresh(ticket.key(), ticket.accountId());
    remember(ticket.key(), ticket.expiryMillis());
    if (log != null) {
      try {
        log.consumed(ticket.key(), ticket.expiryMillis());
        if (log.wantsCompaction(seen.size())) {
          dropExpired(clock.millis());
          log.rewrite(seen);
        }
      } catch (IOException e) {
        forget(ticket.key());
        LOG.atError()
            .addKeyValue("file", log.file().toString())
            .addKeyValue("error", e.toString())
            .log("auth.nonceLogFailed");
        throw Status.UNAVAILABLE
            .withDescription("the service cannot record the request; retry later")
            .asException();
      }
    }
  }

  /**
   * Gives a consumed nonce back: the request was refused without doing any work (e.g. the proving
   * queue was full or the account is not healthy enough), so the same request may be retried as is.
   */
  public synchronized void release(Ticket ticket) {
    if (!forget(ticket.key())) {
      return;
    }
    if (log != null) {
      try {
        log.released(ticket.key());
      } catch (IOException e) {
        // the nonce stays consumed after a restart: safe, only the retry is lost
        LOG.atWarn()
            .addKeyValue("file", log.file().toString())
            .addKeyValue("error", e.toString())
            .log("auth.nonceLogFailed");
      }
    }
  }

  /** Number of remembered nonces (requests that may still be replayed, hence are refused). */
  public synchronized int rememberedNonces() {
    return seen.size();
  }

  /**
   * Signature checks done so far (each a full EdDSA verification, also for ids without an account).
   */
  public long signatureChecks() {
    return signatureChecks.sum();
  }

  /** Owner-key validity checks (subgroup checks) done so far; each key is checked once. */
  public long keyChecks() {
    return keyChecks.sum();
  }

  /** Closes the nonce log. */
  public void close() {
    if (log != null) {
      try {
        log.close();
      } catch (IOException e) {
        LOG.atWarn()
            .addKeyValue("file", log.file().toString())
            .addKeyValue("error", e.toString())
            .log("auth.nonceLogFailed");
      }
    }
  }

  private void checkFresh(String replayKey, long accountId) throws StatusException {
    if (seen.containsKey(replayKey)) {
      throw unauthenticated(
          "replayed request: this nonce was already used for account " + accountId);
    }
    if (perAccount.getOrDefault(accountId, 0) >= maxNoncesPerAccount) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "account "
                  + accountId
                  + " has "
                  + maxNoncesPerAccount
                  + " signed requests within their validity; retry later")
          .asException();
    }
    if (seen.size() >= MAX_REMEMBERED_NONCES) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription("too many signed requests in flight; retry later")
          .asException();
    }
  }

  private void remember(String replayKey, long expiryMillis) {
    if (seen.put(replayKey, expiryMillis) == null) {
      perAccount.merge(accountOf(replayKey), 1, Integer::sum);
    }
  }

  private boolean forget(String replayKey) {
    if (seen.remove(replayKey) == null) {
      return false;
    }
    perAccount.computeIfPresent(accountOf(replayKey), (k, n) -> n <= 1 ? null : n - 1);
    return true;
  }

  private static long accountOf(String replayKey) {
    return Long.parseLong(replayKey.substring(0, replayKey.indexOf(':')));
  }

  /**
   * EdDSA verification as {@link EdDSA#verify}, with the key's validity (on the curve, not the
   * identity, in the prime subgroup) taken from the cache: the subgroup check is a full scalar
   * multiplication.
   */
  private boolean verify(EdwardsPoint a, BigInteger m, EdDSA.Signature sig) {
    signatureChecks.increment();
    Boolean valid = validKeys.get(a);
    if (valid == null) {
      keyChecks.increment();
      valid = a.isOnCurve() && !a.isIdentity() && a.isInSubgroup();
      if (validKeys.size() >= MAX_CACHED_KEYS) {
        validKeys.clear();
      }
      validKeys.put(a, valid);
    }
    if (!valid) {
      return false;
    }
    EdwardsPoint r = sig.r();
    BigInteger s = sig.s();
    if (!r.isOnCurve() || s.signum() < 0 || s.compareTo(EdwardsPoint.ORDER) >= 0) {
      return false;
    }
    BigInteger h = EdDSA.challenge(r, a, m);
    EdwardsPoint lhs = EdwardsPoint.BASE.multiply(s).multiply(EdwardsPoint.COFACTOR);
    EdwardsPoint rhs = a.multiply(h).add(r).multiply(EdwardsPoint.COFACTOR);
    return lhs.equals(rhs);
  }

  private void purgeExpired(long now) {
    if (now < nextPurgeMillis) {
      return;
    }
    nextPurgeMillis = now + 1000;
    dropExpired(now);
  }

  private void dropExpired(long now) {
    for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (e.getValue() <= now) {
        it.remove();
        perAccount.computeIfPresent(accountOf(e.getKey()), (k, n) -> n <= 1 ? null : n - 1);
      }
    }
  }

  private static StatusException unauthenticated(String why) {
    return Status.UNAUTHENTICATED.withDescription(why).asException();
  }
}
