package io.zkmargin.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.zkmargin.api.v1.RequestAuth;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.EdwardsPoint;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

/**
 * Signs trader requests with the account owner's EdDSA key (BN254 twisted Edwards): a fresh random
 * nonce, an expiry a little ahead of now, and the signature over {@link AuthMessage}. Thread-safe.
 */
public final class RequestSigner {

  /** Length of the wire signature: R.x, R.y, S, 32 bytes big-endian each. */
  public static final int SIGNATURE_BYTES = 96;

  /** Default validity of a signed request. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofSeconds(120);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final EdwardsKeyPair key;
  private final String serviceId;

  /**
   * @param key the account owner's key pair (its public key is the one in the account's leaf)
   * @param serviceId the identity of the service the requests are for ({@link
   *     ServiceIdentity#serviceId()})
   */
  public RequestSigner(EdwardsKeyPair key, String serviceId) {
    if (key == null || serviceId == null || serviceId.isEmpty()) {
      throw new IllegalArgumentException("key and service id are required");
    }
    this.key = key;
    this.serviceId = serviceId;
  }

  /** The owner's public key. */
  public EdwardsPoint publicKey() {
    return key.publicKey();
  }

  /**
   * A signed authorization for one call.
   *
   * @param method full gRPC method name
   * @param accountId account id, {@code >= 0}
   * @param thresholdBps threshold in basis points ({@code 0} for methods without one)
   * @param validity how long the request stays valid, positive, at most 300 s
   */
  public RequestAuth sign(String method, long accountId, long thresholdBps, Duration validity) {
    byte[] nonce = new byte[24];
    RANDOM.nextBytes(nonce);
    Instant expiry = Instant.now().plus(validity);
    return sign(method, accountId, thresholdBps, nonce, expiry);
  }

  /** A signed authorization with a given nonce and expiry (tests of replay and expiry use this). */
  public RequestAuth sign(
      String method, long accountId, long thresholdBps, byte[] nonce, Instant expiry) {
    BigInteger m =
        AuthMessage.fieldElement(
            method,
            serviceId,
            accountId,
            thresholdBps,
            nonce,
            expiry.getEpochSecond(),
            expiry.getNano());
    EdDSA.Signature sig = EdDSA.sign(key, m);
    return RequestAuth.newBuilder()
        .setNonce(ByteString.copyFrom(nonce))
        .setExpireTime(
            Timestamp.newBuilder().setSeconds(expiry.getEpochSecond()).setNanos(expiry.getNano()))
        .setSignature(ByteString.copyFrom(encode(sig)))
        .build();
  }

  /** The 96-byte wire form of a signature. */
  public static byte[] encode(EdDSA.Signature sig) {
    byte[] out = new byte[SIGNATURE_BYTES];
    System.arraycopy(AuthMessage.toBytes32(sig.r().x()), 0, out, 0, 32);
    System.arraycopy(AuthMessage.toBytes32(sig.r().y()), 0, out, 32, 32);
    System.arraycopy(AuthMessage.toBytes32(sig.s()), 0, out, 64, 32);
    return out;
  }

  /**
   * Parses the 96-byte wire form.
   *
   * @throws IllegalArgumentException when the length is wrong or a coordinate is not a field
   *     element
   */
  public static EdDSA.Signature decode(byte[] bytes) {
    if (bytes.length != SIGNATURE_BYTES) {
      throw new IllegalArgumentException(
          "signature must have " + SIGNATURE_BYTES + " bytes, has " + bytes.length);
    }
    BigInteger x = new BigInteger(1, java.util.Arrays.copyOfRange(bytes, 0, 32));
    BigInteger y = new BigInteger(1, java.util.Arrays.copyOfRange(bytes, 32, 64));
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(bytes, 64, 96));
    return new EdDSA.Signature(new EdwardsPoint(x, y), s);
  }
}
