package io.zkmargin.nativebridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Multi-party Groth16 trusted setup (gnark's mpcsetup on BN254) through the native library: keys
 * that nobody can forge proofs with as long as one contributor was honest and erased their secret.
 *
 * <p>Phase 1 (powers of tau) is universal up to a domain size of 2^power; phase 2 is per circuit
 * and starts from the phase-1 final file at exactly the circuit's power ({@link #circuitPower}).
 * Every state is a byte array in gnark's own format (one file per contribution); a contribution's
 * hash is the SHA-256 of its bytes. Files are untrusted: sizes and length fields are checked
 * against the power or the circuit before decoding, points are checked to be on the curve and in
 * the subgroup. The finalized keys are in the format of {@link Gnark#setup} (WriteRawTo), so {@link
 * Gnark#loadProvingKey} and {@link Gnark#loadVerifyingKey} accept them. The transcript hash is
 * defined in native/go/ceremony (package documentation). A chain that does not verify throws a
 * {@link NativeException} with code {@link NativeException#VERIFICATION_FAILED}; a malformed file
 * one with code {@link NativeException#INVALID_ARGUMENT}.
 */
public final class Ceremony {
  /** Smallest and largest phase-1 power accepted. */
  public static final int MIN_POWER = 1;

  public static final int MAX_POWER = 28;

  /** Most bytes of user entropy one contribution takes (native/go/ceremony MaxEntropy). */
  public static final int MAX_ENTROPY = 1 << 20;

  private Ceremony() {}

  /**
   * A contribution: the new state and the hashes of what the contributor received and produced.
   *
   * @param next the new state (the next contributor's input)
   * @param received SHA-256 of the state the contribution was built on (32 bytes)
   * @param produced SHA-256 of {@code next} (32 bytes)
   */
  public record Contribution(byte[] next, byte[] received, byte[] produced) {
    public Contribution {
      Objects.requireNonNull(next, "next");
      Objects.requireNonNull(received, "received");
      Objects.requireNonNull(produced, "produced");
    }

    @Override
    public String toString() {
      return "Contribution[received "
          + hex(received)
          + ", produced "
          + hex(produced)
          + ", "
          + next.length
          + " bytes]";
    }
  }

  /**
   * A sealed phase 1.
   *
   * @param commons the phase-1 final file (gnark SrsCommons) that phase 2 starts from
   * @param contributions the phase-1 contribution hashes in order (32 bytes each)
   */
  public record Phase1Result(byte[] commons, List<byte[]> contributions) {}

  /**
   * Finalized keys.
   *
   * @param provingKey proving key, gnark WriteRawTo bytes
   * @param verifyingKey verifying key, gnark WriteRawTo bytes
   * @param transcript transcript hash (32 bytes)
   * @param contributions the phase-2 contribution hashes in order (32 bytes each)
   */
  public record Final(
      byte[] provingKey, byte[] verifyingKey, byte[] transcript, List<byte[]> contributions) {
    /**
     * @return the transcript hash in lowercase hex
     */
    public String transcriptHex() {
      return hex(transcript);
    }

    /**
     * @return the keys as a {@link KeyPair}
     */
    public KeyPair keyPair() {
      return new KeyPair(provingKey, verifyingKey);
    }
  }

  /**
   * @param circuitId circuit id
   * @return log2 of the circuit's FFT domain size: the power phase 1 must have for this circuit
   */
  public static int circuitPower(String circuitId) {
    checkId(circuitId);
    return CeremonyLib.circuitPower(circuitId);
  }

  /**
   * @param power log2 of the domain size, in [{@link #MIN_POWER}, {@link #MAX_POWER}]
   * @return the deterministic initial phase-1 state
   */
  public static byte[] phase1Init(int power) {
    checkPower(power);
    return CeremonyLib.phase1Init(power);
  }

  /**
   * Adds one phase-1 contribution with a fresh secret from the operating system's randomness.
   *
   * @param power the phase-1 power
   * @param prev the latest state (initial state or previous contribution)
   * @return the contribution
   */
  public static Contribution phase1Contribute(int power, byte[] prev) {
    return phase1Contribute(power, prev, null);
  }

  /**
   * Adds one phase-1 contribution whose secrets mix the contributor's own entropy into the
   * operating system's randomness (gnark takes no caller entropy; native/go/ceremony/entropy.go
   * says how it is mixed in).
   *
   * @param power the phase-1 power
   * @param prev the latest state (initial state or previous contribution)
   * @param entropy the contributor's entropy, at most {@link #MAX_ENTROPY} bytes; null or empty:
   *     none
   * @return the contribution
   */
  public static Contribution phase1Contribute(int power, byte[] prev, byte[] entropy) {
    checkPower(power);
    checkBytes(prev, "prev");
    return contribution(CeremonyLib.phase1Contribute(power, prev, checkEntropy(entropy)));
  }

  /**
   * Verifies a phase-1 chain from the initial state.
   *
   * @param power the phase-1 power
   * @param chain the contributions in order
   * @return the contribution hashes (32 bytes each)
   * @throws NativeException with code {@link NativeException#VERIFICATION_FAILED} if the chain does
   *     not verify
   */
  public static List<byte[]> phase1Verify(int power, List<byte[]> chain) {
    checkPower(power);
    return split(CeremonyLib.phase1Verify(power, chainArray(chain)));
  }

  /**
   * Verifies one phase-1 contribution against its predecessor only (no chain): its challenge must
   * be the hash of {@code prev} and its proofs and vectors must verify against {@code prev}. It
   * TRUSTS {@code prev}: it is the check of a party that already verified the chain up to {@code
   * prev} (the coordinator, on each upload); {@link #phase1Verify} checks a whole transcript.
   *
   * @param power the phase-1 power
   * @param prev the predecessor (initial state or contribution), already verified by the caller
   * @param next the contribution to check
   * @return the hash of {@code next} (32 bytes)
   * @throws NativeException with code {@link NativeException#VERIFICATION_FAILED} if {@code next}
   *     is not a valid contribution on {@code prev}
   */
  public static byte[] phase1VerifyNext(int power, byte[] prev, byte[] next) {
    checkPower(power);
    checkBytes(prev, "prev");
    checkBytes(next, "next");
    return CeremonyLib.phase1VerifyNext(power, prev, next);
  }

  /**
   * Verifies the phase-1 chain and applies the public beacon.
   *
   * @param power the phase-1 power
   * @param chain the contributions in order
   * @param beacon the public random beacon (1..65535 bytes)
   * @return the phase-1 final file and the contribution hashes
   */
  public static Phase1Result phase1Seal(int power, List<byte[]> chain, byte[] beacon) {
    checkPower(power);
    checkBeacon(beacon);
    byte[][] out = CeremonyLib.phase1Seal(power, chainArray(chain), beacon);
    return new Phase1Result(out[0], split(out[1]));
  }

  /**
   * @param circuitId circuit id
   * @param commons the phase-1 final file at the circuit's power
   * @return the deterministic initial phase-2 state of the circuit
   */
  public static byte[] phase2Init(String circuitId, byte[] commons) {
    checkId(circuitId);
    checkBytes(commons, "commons");
    return CeremonyLib.phase2Init(circuitId, commons);
  }

  /**
   * Adds one phase-2 contribution with a fresh secret from the operating system's randomness.
   *
   * @param circuitId circuit id
   * @param prev the latest state (initial state or previous contribution)
   * @return the contribution
   */
  public static Contribution phase2Contribute(String circuitId, byte[] prev) {
    return phase2Contribute(circuitId, prev, null);
  }

  /**
   * Adds one phase-2 contribution whose secret mixes the contributor's own entropy into the
   * operating system's randomness (see {@link #phase1Contribute(int, byte[], byte[])}).
   *
   * @param circuitId circuit id
   * @param prev the latest state (initial state or previous contribution)
   * @param entropy the contributor's entropy, at most {@link #MAX_ENTROPY} bytes; null or empty:
   *     none
   * @return the contribution
   */
  public static Contribution phase2Contribute(String circuitId, byte[] prev, byte[] entropy) {
    checkId(circuitId);
    checkBytes(prev, "prev");
    return contribution(CeremonyLib.phase2Contribute(circuitId, prev, checkEntropy(entropy)));
  }

  /**
   * Verifies a phase-2 chain from the initial state that {@code commons} implies.
   *
   * @param circuitId circuit id
   * @param commons the phase-1 final file
   * @param chain the contributions in order
   * @return the contribution hashes (32 bytes each)
   * @throws NativeException with code {@link NativeException#VERIFICATION_FAILED} if the chain does
   *     not verify
   */
  public static List<byte[]> phase2Verify(String circuitId, byte[] commons, List<byte[]> chain) {
    checkId(circuitId);
    checkBytes(commons, "commons");
    return split(CeremonyLib.phase2Verify(circuitId, commons, chainArray(chain)));
  }

  /**
   * Verifies one phase-2 contribution against its predecessor only, without re-running the phase-2
   * initialization (which {@link #phase2Verify} runs to bind the chain to the circuit and phase 1,
   * and which dominates its cost). It TRUSTS {@code prev}, as {@link #phase1VerifyNext}.
   *
   * @param circuitId circuit id
   * @param prev the predecessor (initial state or contribution), already verified by the caller
   * @param next the contribution to check
   * @return the hash of {@code next} (32 bytes)
   * @throws NativeException with code {@link NativeException#VERIFICATION_FAILED} if {@code next}
   *     is not a valid contribution on {@code prev}
   */
  public static byte[] phase2VerifyNext(String circuitId, byte[] prev, byte[] next) {
    checkId(circuitId);
    checkBytes(prev, "prev");
    checkBytes(next, "next");
    return CeremonyLib.phase2VerifyNext(circuitId, prev, next);
  }

  /**
   * An imported public phase 1.
   *
   * @param commons the phase-1 final file at the asked power
   * @param filePower the power of the .ptau file read
   * @param ceremonyPower the power of the ceremony it came from
   */
  public record Imported(byte[] commons, int filePower, int ceremonyPower) {}

  /**
   * Converts a snarkjs / Perpetual Powers of Tau {@code .ptau} file (BN254) into the phase-1 final
   * file at domain 2^power (a prefix of the file's powers). The file is untrusted: its section
   * table and sizes are checked before reading, points are checked, and the vectors must be powers
   * of one secret (native/go/ceremony/ptau.go). It does not verify the ceremony's transcript: use
   * {@code snarkjs powersoftau verify} and compare the file's published hash.
   *
   * @param ptau the .ptau file
   * @param power log2 of the domain, at most the file's power
   * @return the phase-1 final file and the file's powers
   * @throws NativeException with code {@link NativeException#INVALID_ARGUMENT} for a malformed or
   *     truncated file, {@link NativeException#VERIFICATION_FAILED} for inconsistent powers
   */
  public static Imported importPtau(java.nio.file.Path ptau, int power) {
    Objects.requireNonNull(ptau, "ptau");
    checkPower(power);
    byte[][] out = CeremonyLib.importPtau(ptau.toAbsolutePath().toString(), power);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out[1]);
    return new Imported(out[0], b.getInt(), b.getInt());
  }

  /**
   * Verifies the phase-2 chain, applies the public beacon and derives the keys. Deterministic: the
   * same files and beacon give the same keys and transcript hash.
   *
   * @param circuitId circuit id
   * @param commons the phase-1 final file
   * @param chain the contributions in order
   * @param beacon the public random beacon (1..65535 bytes)
   * @return keys, transcript hash and contribution hashes
   */
  public static Final phase2Finalize(
      String circuitId, byte[] commons, List<byte[]> chain, byte[] beacon) {
    checkId(circuitId);
    checkBytes(commons, "commons");
    checkBeacon(beacon);
    byte[][] out = CeremonyLib.phase2Finalize(circuitId, commons, chainArray(chain), beacon);
    return new Final(out[0], out[1], out[2], split(out[3]));
  }

  /**
   * @param hash bytes
   * @return lowercase hex
   */
  public static String hex(byte[] hash) {
    return HexFormat.of().formatHex(hash);
  }

  private static Contribution contribution(byte[][] out) {
    return new Contribution(
        out[0], Arrays.copyOfRange(out[1], 0, 32), Arrays.copyOfRange(out[1], 32, 64));
  }

  private static List<byte[]> split(byte[] hashes) {
    List<byte[]> out = new ArrayList<>(hashes.length / 32);
    for (int i = 0; i + 32 <= hashes.length; i += 32) {
      out.add(Arrays.copyOfRange(hashes, i, i + 32));
    }
    return List.copyOf(out);
  }

  private static byte[][] chainArray(List<byte[]> chain) {
    Objects.requireNonNull(chain, "chain");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain is empty");
    }
    byte[][] out = new byte[chain.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = Objects.requireNonNull(chain.get(i), "chain element " + i);
    }
    return out;
  }

  private static void checkPower(int power) {
    if (power < MIN_POWER || power > MAX_POWER) {
      throw new IllegalArgumentException(
          "power " + power + " is outside [" + MIN_POWER + ", " + MAX_POWER + "]");
    }
  }

  private static byte[] checkEntropy(byte[] entropy) {
    if (entropy != null && entropy.length > MAX_ENTROPY) {
      throw new IllegalArgumentException(
          "entropy must have at most " + MAX_ENTROPY + " bytes, has " + entropy.length);
    }
    return entropy == null || entropy.length == 0 ? null : entropy;
  }

  private static void checkBeacon(byte[] beacon) {
    Objects.requireNonNull(beacon, "beacon");
    if (beacon.length == 0 || beacon.length > 0xffff) {
      throw new IllegalArgumentException("beacon must have 1..65535 bytes, has " + beacon.length);
    }
  }

  private static void checkId(String circuitId) {
    if (circuitId == null || circuitId.isEmpty()) {
      throw new IllegalArgumentException("circuitId must be non-empty");
    }
  }

  private static void checkBytes(byte[] b, String name) {
    Objects.requireNonNull(b, name);
    if (b.length == 0) {
      throw new IllegalArgumentException(name + " is empty");
    }
  }
}
