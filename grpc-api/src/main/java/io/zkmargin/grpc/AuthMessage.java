package io.zkmargin.grpc;

import io.zkmargin.commit.Fr;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The message a trader signs to authorize one request (see {@code RequestAuth} in {@code
 * zkmargin/v1/common.proto}): one BN254 scalar-field element binding the gRPC method, the service
 * identity, the account, the threshold, a nonce and the expiry.
 *
 * <pre>
 * SHA-256("zkmargin-auth-v1" 0x00 method 0x00 serviceId 0x00 u64be(account) u32be(threshold)
 *         u8(len(nonce)) nonce i64be(expirySeconds) i32be(expiryNanos)) mod r
 * </pre>
 *
 * Client and server compute it with this one class, so they cannot disagree.
 */
public final class AuthMessage {

  /** Domain separation tag of version 1 of the request signature. */
  public static final String DOMAIN = "zkmargin-auth-v1";

  /** Smallest accepted nonce length in bytes. */
  public static final int MIN_NONCE_BYTES = 16;

  /** Largest accepted nonce length in bytes. */
  public static final int MAX_NONCE_BYTES = 64;

  private AuthMessage() {}

  /**
   * The signed message as a field element in {@code [0, r)}.
   *
   * @param method full gRPC method name, e.g. {@code zkmargin.v1.HealthService/ProveHealth}
   * @param serviceId service identity (lower-case hex SHA-256 of the server certificate)
   * @param accountId account id, {@code >= 0}
   * @param thresholdBps threshold in basis points, in {@code [0, 2^32)} (0 for methods without one)
   * @param nonce 16 to 64 random bytes
   * @param expirySeconds expiry, Unix seconds
   * @param expiryNanos expiry, nanoseconds within the second, in {@code [0, 10^9)}
   */
  public static BigInteger fieldElement(
      String method,
      String serviceId,
      long accountId,
      long thresholdBps,
      byte[] nonce,
      long expirySeconds,
      int expiryNanos) {
    if (method == null || method.isEmpty() || serviceId == null || serviceId.isEmpty()) {
      throw new IllegalArgumentException("method and service id are required");
    }
    if (accountId < 0) {
      throw new IllegalArgumentException("account id must be >= 0, was " + accountId);
    }
    if (thresholdBps < 0 || thresholdBps > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("threshold must be in [0, 2^32), was " + thresholdBps);
    }
    if (nonce == null || nonce.length < MIN_NONCE_BYTES || nonce.length > MAX_NONCE_BYTES) {
      throw new IllegalArgumentException(
          "nonce must have " + MIN_NONCE_BYTES + " to " + MAX_NONCE_BYTES + " bytes");
    }
    if (expiryNanos < 0 || expiryNanos >= 1_000_000_000) {
      throw new IllegalArgumentException("expiry nanos must be in [0, 10^9), was " + expiryNanos);
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(DOMAIN.getBytes(StandardCharsets.US_ASCII));
      out.writeByte(0);
      out.write(method.getBytes(StandardCharsets.UTF_8));
      out.writeByte(0);
      out.write(serviceId.getBytes(StandardCharsets.UTF_8));
      out.writeByte(0);
      out.writeLong(accountId);
      out.writeInt((int) thresholdBps);
      out.writeByte(nonce.length);
      out.write(nonce);
      out.writeLong(expirySeconds);
      out.writeInt(expiryNanos);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
      return new BigInteger(1, digest).mod(Fr.MODULUS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The field element as 32 bytes big-endian, the form the EdDSA signer hashes. */
  public static byte[] toBytes32(BigInteger element) {
    byte[] raw = element.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }
}
