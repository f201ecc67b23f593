package io.zkmargin.commit;

/**
 * Legacy Keccak-256 (the pre-FIPS-202 padding {@code 0x01 .. 0x80}, as Ethereum and Go's
 * {@code sha3.NewLegacyKeccak256} use it). Only used to derive the Poseidon2 round keys, so it is a
 * small, allocation-light, single-shot implementation.
 */
public final class Keccak256 {
  private static final int RATE = 136;

  private static final long[] RC = {
    0x0000000000000001L, 0x0000000000008082L, 0x800000000000808aL, 0x8000000080008000L,
    0x000000000000808bL, 0x0000000080000001L, 0x8000000080008081L, 0x8000000000008009L,
    0x000000000000008aL, 0x0000000000000088L, 0x0000000080008009L, 0x000000008000000aL,
    0x000000008000808bL, 0x800000000000008bL, 0x8000000000008089L, 0x8000000000008003L,
    0x8000000000008002L, 0x8000000000000080L, 0x000000000000800aL, 0x800000008000000aL,
    0x8000000080008081L, 0x8000000000008080L, 0x0000000080000001L, 0x8000000080008008L
  };

  private static final int[] ROT = {
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14
  };

  private Keccak256() {}

  /**
   * Hashes {@code input} with legacy Keccak-256.
   *
   * @param input the message bytes, not null (may be empty)
   * @return the 32-byte digest
   */
  public static byte[] hash(byte[] input) {
    if (input == null) {
      throw new IllegalArgumentException("input must not be null");
    }
    long[] a = new long[25];
    int blocks = input.length / RATE + 1;
    byte[] padded = new byte[blocks * RATE];
    System.arraycopy(input, 0, padded, 0, input.length);
    padded[input.length] ^= 0x01;
    padded[padded.length - 1] ^= (byte) 0x80;
    for (int b = 0; b < blocks; b++) {
      for (int i = 0; i < RATE / 8; i++) {
        a[i] ^= readLongLe(padded, b * RATE + 8 * i);
      }
      keccakF(a);
    }
    byte[] out = new byte[32];
    for (int i = 0; i < 4; i++) {
      long v = a[i];
      for (int k = 0; k < 8; k++) {
        out[8 * i + k] = (byte) (v >>> (8 * k));
      }
    }
    return out;
  }

  private static long readLongLe(byte[] b, int off) {
    long v = 0;
    for (int k = 7; k >= 0; k--) {
      v = (v << 8) | (b[off + k] & 0xffL);
    }
    return v;
  }

  private static void keccakF(long[] a) {
    long[] c = new long[5];
    long[] b = new long[25];
    for (int round = 0; round < 24; round++) {
      // theta
      for (int x = 0; x < 5; x++) {
        c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
      }
      for (int x = 0; x < 5; x++) {
        long d = c[(x + 4) % 5] ^ Long.rotateLeft(c[(x + 1) % 5], 1);
        for (int y = 0; y < 25; y += 5) {
          a[y + x] ^= d;
        }
      }
      // rho and pi: B[y, 2x+3y] = rot(A[x, y], r[x, y])
      for (int x = 0; x < 5; x++) {
        for (int y = 0; y < 5; y++) {
          int idx = x + 5 * y;
          b[y + 5 * ((2 * x + 3 * y) % 5)] = Long.rotateLeft(a[idx], ROT[idx]);
        }
      }
      // chi
      for (int y = 0; y < 25; y += 5) {
        for (int x = 0; x < 5; x++) {
          a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        }
      }
      // iota
      a[0] ^= RC[round];
    }
  }
}
