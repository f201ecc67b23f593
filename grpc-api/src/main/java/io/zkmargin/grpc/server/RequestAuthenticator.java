package io.zkmargin.grpc.server;

import io.grpc.Status;
import io.grpc.StatusException;
import io.zkmargin.api.v1.RequestAuth;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.grpc.AuthMessage;
import io.zkmargin.grpc.RequestSigner;
import java.math.BigInteger;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the signature of a trader's request against the owner key in the account's leaf, and refuses
 * unsigned, wrongly signed, expired and replayed requests (see {@code RequestAuth} in the proto).
 *
 * <p>Replay protection: every accepted (account, nonce) is remembered until its expiry; since a request
 * is valid at most {@link #MAX_VALIDITY_MILLIS} ahead, the memory holds at most the requests of the last
 * five minutes. A nonce is recorded only after its signature verified, so nobody can burn another
 * account's nonces.
 */
public final class RequestAuthenticator {

  /** Longest accepted distance between the server's clock and a request's expiry: 300 s. */
  public static final long MAX_VALIDITY_MILLIS = 300_000;
  /** Most remembered nonces; beyond it new requests are refused with RESOURCE_EXHAUSTED. */
  static final int MAX_REMEMBERED_NONCES = 1_000_000;

  private final String serviceId;
  private final Clock clock;
  private final Map<String, Long> seen = new ConcurrentHashMap<>();
  private volatile long nextPurgeMillis;

  /**
   * @param serviceId this service's identity, bound into every signed message
   * @param clock the clock expiries are checked against
   */
  public RequestAuthenticator(String serviceId, Clock clock) {
    this.serviceId = serviceId;
    this.clock = clock;
  }

  /** The service identity requests must be signed for. */
  public String serviceId() {
    return serviceId;
  }

  /**
   * Authenticates one request; returns normally only when the request is signed by the account's owner,
   * unexpired and new.
   *
   * @param method full gRPC method name the request came in on
   * @param leaf the account's leaf (its owner key)
   * @param auth the request's auth, or {@code null} when the request carries none
   * @throws StatusException UNAUTHENTICATED, INVALID_ARGUMENT (malformed auth fields) or RESOURCE_EXHAUSTED
   */
  public void authenticate(String method, long accountId, long thresholdBps, AccountLeaf leaf, RequestAuth auth)
      throws StatusException {
    if (auth == null) {
      throw unauthenticated("the request is not signed: auth is required");
    }
    byte[] nonce = auth.getNonce().toByteArray();
    if (nonce.length < AuthMessage.MIN_NONCE_BYTES || nonce.length > AuthMessage.MAX_NONCE_BYTES) {
      throw Status.INVALID_ARGUMENT.withDescription("auth.nonce must have " + AuthMessage.MIN_NONCE_BYTES + " to "
          + AuthMessage.MAX_NONCE_BYTES + " bytes, has " + nonce.length).asException();
    }
    byte[] sigBytes = auth.getSignature().toByteArray();
    if (sigBytes.length == 0) {
      throw unauthenticated("the request is not signed: auth.signature is empty");
    }
    if (sigBytes.length != RequestSigner.SIGNATURE_BYTES) {
      throw Status.INVALID_ARGUMENT.withDescription("auth.signature must have " + RequestSigner.SIGNATURE_BYTES
          + " bytes (R.x, R.y, S), has " + sigBytes.length).asException();
    }
    if (!auth.hasExpireTime()) {
      throw Status.INVALID_ARGUMENT.withDescription("auth.expire_time is required").asException();
    }
    long seconds = auth.getExpireTime().getSeconds();
    int nanos = auth.getExpireTime().getNanos();
    if (nanos < 0 || nanos >= 1_000_000_000 || seconds < 0 || seconds > 253_402_300_799L) {
      throw Status.INVALID_ARGUMENT.withDescription("auth.expire_time is not a valid timestamp").asException();
    }
    long expiryMillis = seconds * 1000 + nanos / 1_000_000;
    long now = clock.millis();
    if (expiryMillis <= now) {
      throw unauthenticated("the signed request expired " + (now - expiryMillis) + " ms ago");
    }
    if (expiryMillis - now > MAX_VALIDITY_MILLIS) {
      throw Status.INVALID_ARGUMENT.withDescription("auth.expire_time is more than " + MAX_VALIDITY_MILLIS / 1000
          + " s ahead of the server's clock").asException();
    }
    EdDSA.Signature sig;
    try {
      sig = RequestSigner.decode(sigBytes);
    } catch (IllegalArgumentException e) {
      throw unauthenticated("the signature does not verify (" + e.getMessage() + ")");
    }
    BigInteger m = AuthMessage.fieldElement(method, serviceId, accountId, thresholdBps, nonce, seconds, nanos);
    boolean ok;
    try {
      ok = EdDSA.verify(new EdwardsPoint(leaf.ownerPkX(), leaf.ownerPkY()), m, sig);
    } catch (IllegalArgumentException e) {
      ok = false;
    }
    if (!ok) {
      throw unauthenticated("the signature does not verify against the owner key of account " + accountId);
    }
    purgeExpired(now);
    if (seen.size() >= MAX_REMEMBERED_NONCES) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("too many signed requests in flight; retry later")
          .asException();
    }
    String key = accountId + ":" + HexFormat.of().formatHex(nonce);
    if (seen.putIfAbsent(key, expiryMillis) != null) {
      throw unauthenticated("replayed request: this nonce was already used for account " + accountId);
    }
  }

  /** Number of remembered nonces (requests that may still be replayed, hence are refused). */
  public int rememberedNonces() {
    return seen.size();
  }

  private void purgeExpired(long now) {
    if (now < nextPurgeMillis) {
      return;
    }
    nextPurgeMillis = now + 1000;
    for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
      if (it.next().getValue() <= now) {
        it.remove();
      }
    }
  }

  private static StatusException unauthenticated(String why) {
    return Status.UNAUTHENTICATED.withDescription(why).asException();
  }
}
