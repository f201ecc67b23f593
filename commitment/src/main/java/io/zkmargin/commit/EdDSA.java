package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * EdDSA over the BN254 twisted Edwards curve with Poseidon2 as the challenge hash, verifiable by
 * gnark-crypto's {@code twistededwards/eddsa} {@code PublicKey.Verify} with {@code
 * poseidon2.NewMerkleDamgardHasher()} and the message as the 32-byte big-endian encoding of a field
 * element, and by gnark's in-circuit {@code std/signature/eddsa} with the Poseidon2 hasher.
 *
 * <p>Scheme, with l = {@link EdwardsPoint#ORDER}, B = {@link EdwardsPoint#BASE}, private scalar
 * {@code sk}, public key {@code A = sk*B}, message {@code m} in {@code [0, r)}:
 *
 * <ul>
 *   <li>nonce {@code k = SHA-512("zkmargin/eddsa/nonce/v1" || sk || m || ctr) mod l}, with sk and m
 *       as 32-byte big-endian and {@code ctr} one byte, 0 (increased only in the negligible case k
 *       = 0): deterministic, so the same key and message always give the same signature;
 *   <li>{@code R = k*B};
 *   <li>challenge {@code h = hashMD(R.x, R.y, A.x, A.y, m)} (Poseidon2 Merkle-Damgard, a field
 *       element used as an integer, not reduced mod l);
 *   <li>{@code S = (k + h*sk) mod l}; the signature is {@code (R, S)}.
 * </ul>
 *
 * <p>Verification accepts iff A is on the curve, not the identity and in the prime subgroup, R is
 * on the curve, {@code 0 <= S < l}, and {@code 8*S*B == 8*(R + h*A)} (cofactored, as gnark-crypto).
 * Not constant time: signing leaks timing of the private scalar to a local observer.
 */
public final class EdDSA {
  private static final byte[] NONCE_DOMAIN =
      "zkmargin/eddsa/nonce/v1".getBytes(StandardCharsets.US_ASCII);

  private EdDSA() {}

  /**
   * A signature.
   *
   * @param r the commitment point R
   * @param s the response scalar S, in {@code [0, l)}
   */
  public record Signature(EdwardsPoint r, BigInteger s) {
    public Signature {
      if (r == null || s == null) {
        throw new IllegalArgumentException("signature parts must not be null");
      }
    }

    /** gnark-crypto's 64-byte encoding: compressed R (32 bytes) then S (32 bytes big-endian). */
    public byte[] toBytes() {
      if (s.signum() < 0 || s.bitLength() > 256) {
        throw new IllegalStateException("S does not fit in 32 bytes");
      }
      byte[] out = new byte[64];
      System.arraycopy(r.toCompressedBytes(), 0, out, 0, 32);
      System.arraycopy(be32(s), 0, out, 32, 32);
      return out;
    }
  }

  /**
   * Signs a field-element message.
   *
   * @param key the signer's key pair
   * @param message the message, a field element in {@code [0, r)} (e.g. a Poseidon2 hash of a
   *     request)
   * @return the deterministic signature
   */
  public static Signature sign(EdwardsKeyPair key, BigInteger message) {
    ArgChecker.notNull(key, "key");
    Fr.requireElement(message, "message");
    BigInteger k = nonce(key.privateScalar(), message);
    EdwardsPoint r = EdwardsPoint.BASE.multiply(k);
    BigInteger h = challenge(r, key.publicKey(), message);
    BigInteger s = k.add(h.multiply(key.privateScalar())).mod(EdwardsPoint.ORDER);
    return new Signature(r, s);
  }

  /**
   * Verifies a signature.
   *
   * @param publicKey the signer's public key
   * @param message the message, a field element in {@code [0, r)}
   * @param signature the signature
   * @return true iff the signature is valid (false, never an exception, for a malformed key or
   *     signature)
   */
  public static boolean verify(EdwardsPoint publicKey, BigInteger message, Signature signature) {
    if (publicKey == null || signature == null) {
      throw new IllegalArgumentException("public key and signature must not be null");
    }
    Fr.requireElement(message, "message");
    if (!publicKey.isOnCurve() || publicKey.isIdentity() || !publicKey.isInSubgroup()) {
      return false;
    }
    EdwardsPoint r = signature.r();
    BigInteger s = signature.s();
    if (!r.isOnCurve() || s.signum() < 0 || s.compareTo(EdwardsPoint.ORDER) >= 0) {
      return false;
    }
    BigInteger h = challenge(r, publicKey, message);
    EdwardsPoint lhs = EdwardsPoint.BASE.multiply(s).multiply(EdwardsPoint.COFACTOR);
    EdwardsPoint rhs = publicKey.multiply(h).add(r).multiply(EdwardsPoint.COFACTOR);
    return lhs.equals(rhs);
  }

  /**
   * Maps arbitrary bytes (e.g. a serialized gRPC request) to a field-element message: {@code
   * hashMD(len, c_0, .., c_{k-1})} where {@code len} is the byte length and {@code c_i} are the
   * consecutive 31-byte chunks read big-endian (the last one shorter, not padded). Collision
   * resistant because the length is bound first and every chunk is below 2^248 &lt; r.
   *
   * @param data the bytes, not null
   * @return the message in {@code [0, r)}
   */
  public static BigInteger messageOf(byte[] data) {
    ArgChecker.notNull(data, "data");
    int chunks = (data.length + 30) / 31;
    BigInteger[] xs = new BigInteger[1 + chunks];
    xs[0] = BigInteger.valueOf(data.length);
    for (int i = 0; i < chunks; i++) {
      int from = 31 * i;
      int to = Math.min(data.length, from + 31);
      xs[1 + i] = new BigInteger(1, java.util.Arrays.copyOfRange(data, from, to));
    }
    return Poseidon2.hashMD(xs);
  }

  /** The challenge {@code hashMD(R.x, R.y, A.x, A.y, m)}. */
  public static BigInteger challenge(EdwardsPoint r, EdwardsPoint publicKey, BigInteger message) {
    return Poseidon2.hashMD(r.x(), r.y(), publicKey.x(), publicKey.y(), message);
  }

  private static BigInteger nonce(BigInteger sk, BigInteger message) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is required by every Java platform", e);
    }
    for (int ctr = 0; ; ctr++) {
      sha.reset();
      sha.update(NONCE_DOMAIN);
      sha.update(be32(sk));
      sha.update(be32(message));
      sha.update((byte) ctr);
      BigInteger k = new BigInteger(1, sha.digest()).mod(EdwardsPoint.ORDER);
      if (k.signum() != 0) {
        return k;
      }
    }
  }

  static byte[] be32(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }
}
