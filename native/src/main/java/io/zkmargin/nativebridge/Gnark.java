package io.zkmargin.nativebridge;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * gnark (Groth16 on BN254) through the native library. All methods are thread-safe: any number of
 * threads may prove and verify concurrently, with the same or different keys. Errors from the
 * native side are {@link NativeException}s carrying the Go message; a Go panic is caught at the
 * library boundary and comes back as a {@link NativeException} with code {@link
 * NativeException#PANIC}.
 *
 * <p>Encodings: keys and proofs are gnark's WriteRawTo bytes (uncompressed points). Before any
 * decoding the native side checks the exact length and every count of a key against the compiled
 * circuit, so a length prefix from a corrupted file never drives an allocation; keys are then
 * decoded with gnark's checked readers (points on the curve and in the subgroup). Proofs must be
 * the one canonical encoding of {@link ProofEncoding} and public inputs canonical decimal strings
 * of field elements in [0, r), both checked here in Java before the bytes cross into native code,
 * and again in Go.
 */
public final class Gnark {
  private Gnark() {}

  /**
   * Compiles the circuit (once per JVM; later calls return the cached result).
   *
   * @param circuitId circuit id, e.g. {@code health-D6-I3-P2-A2-S4-T2}
   * @return the circuit's sizes
   */
  public static CircuitInfo compile(String circuitId) {
    checkId(circuitId);
    long[] info = NativeLib.compile(circuitId);
    return new CircuitInfo(circuitId, info[0], info[1], info[2]);
  }

  /**
   * @param circuitId circuit id
   * @return the 32-byte sha256 of the serialized R1CS (identifies the constraint system keys belong
   *     to)
   */
  public static byte[] circuitDigest(String circuitId) {
    checkId(circuitId);
    return NativeLib.circuitDigest(circuitId);
  }

  /**
   * Runs a single-party Groth16 setup with fresh randomness. For development and tests only:
   * whoever runs it can forge proofs.
   *
   * @param circuitId circuit id
   * @return the proving and verifying key bytes
   */
  public static KeyPair setup(String circuitId) {
    checkId(circuitId);
    byte[][] keys = NativeLib.setup(circuitId);
    return new KeyPair(keys[0], keys[1]);
  }

  /**
   * Decodes and checks a proving key and keeps it in native memory until the handle is closed.
   *
   * @param circuitId circuit the key belongs to
   * @param provingKey proving key bytes (WriteRawTo encoding of a setup of this circuit)
   * @return an open handle; close it when done
   */
  public static ProvingKeyHandle loadProvingKey(String circuitId, byte[] provingKey) {
    checkId(circuitId);
    checkBytes(provingKey, "provingKey");
    NativeLib.fixSignalHandlers(); // cheap (64 system calls); covers handlers installed after load
    return new ProvingKeyHandle(circuitId, NativeLib.loadProvingKey(circuitId, provingKey));
  }

  /**
   * Decodes and checks a verifying key and keeps it in native memory until the handle is closed.
   *
   * @param circuitId circuit the key belongs to
   * @param verifyingKey verifying key bytes (WriteRawTo encoding of a setup of this circuit)
   * @return an open handle; close it when done
   */
  public static VerifyingKeyHandle loadVerifyingKey(String circuitId, byte[] verifyingKey) {
    checkId(circuitId);
    checkBytes(verifyingKey, "verifyingKey");
    NativeLib.fixSignalHandlers();
    return new VerifyingKeyHandle(circuitId, NativeLib.loadVerifyingKey(circuitId, verifyingKey));
  }

  /**
   * Proves a witness.
   *
   * @param key proving key handle (open)
   * @param witnessJson witness JSON document (docs/ENCODING.md), UTF-8; its {@code circuitId}, if
   *     present, must be the key's circuit
   * @return the proof (for the exported Solidity verifier) and its public inputs
   * @throws NativeException with code {@link NativeException#UNSATISFIED} if the witness does not
   *     satisfy the circuit, {@link NativeException#INVALID_ARGUMENT} if it is malformed
   * @throws IllegalStateException if the key is closed
   */
  public static ProofResult prove(ProvingKeyHandle key, byte[] witnessJson) {
    Objects.requireNonNull(key, "key");
    checkBytes(witnessJson, "witnessJson");
    long h = key.enter();
    byte[][] out;
    try {
      out = NativeLib.prove(h, witnessJson);
    } finally {
      key.exit();
    }
    String joined = new String(out[1], StandardCharsets.US_ASCII);
    List<String> publics = joined.isEmpty() ? List.of() : List.of(joined.split("\n", -1));
    return new ProofResult(out[0], publics);
  }

  /**
   * Verifies a proof.
   *
   * @param key verifying key handle (open)
   * @param proof proof bytes, the canonical encoding of {@link ProofEncoding} (exactly 324 bytes)
   * @param publicInputs public inputs in circuit order, canonical decimal strings in [0, r) ({@link
   *     ProofEncoding#whyNotCanonicalInput})
   * @return true iff the proof verifies; false for a well-formed proof that does not
   * @throws IllegalArgumentException when the proof is not canonical or a public input is not a
   *     canonical decimal (checked before anything reaches native code)
   * @throws NativeException with code {@link NativeException#INVALID_ARGUMENT} for other malformed
   *     input (proof bytes that are not points of the right groups, wrong number of inputs)
   * @throws IllegalStateException if the key is closed
   */
  public static boolean verify(VerifyingKeyHandle key, byte[] proof, List<String> publicInputs) {
    Objects.requireNonNull(key, "key");
    // untrusted bytes: refuse anything but the canonical encoding before a decoder sees a length
    // prefix
    ProofEncoding.requireCanonical(proof);
    Objects.requireNonNull(publicInputs, "publicInputs");
    for (String s : publicInputs) {
      ProofEncoding.parseCanonicalInput(s); // also excludes the '\n' separator of the native call
    }
    String joined = String.join("\n", publicInputs);
    long h = key.enter();
    try {
      return NativeLib.verify(h, proof, joined) == 0;
    } finally {
      key.exit();
    }
  }

  /**
   * Verifies a {@link ProofResult}.
   *
   * @param key verifying key handle (open)
   * @param result proof and public inputs
   * @return true iff the proof verifies
   */
  public static boolean verify(VerifyingKeyHandle key, ProofResult result) {
    Objects.requireNonNull(result, "result");
    return verify(key, result.proof(), result.publicInputs());
  }

  /**
   * @param key verifying key handle (open)
   * @return Solidity source of a verifier contract for the key (gnark's template)
   */
  public static String exportSolidity(VerifyingKeyHandle key) {
    Objects.requireNonNull(key, "key");
    long h = key.enter();
    try {
      return NativeLib.exportSolidity(h);
    } finally {
      key.exit();
    }
  }

  /**
   * @return the number of keys loaded in the native library and not yet released (all callers)
   */
  public static long liveHandles() {
    return NativeLib.liveHandles();
  }

  private static void checkId(String circuitId) {
    Objects.requireNonNull(circuitId, "circuitId");
    if (circuitId.isBlank() || circuitId.length() > 256) {
      throw new IllegalArgumentException(
          "circuit id must be 1..256 non-blank characters: '" + circuitId + "'");
    }
  }

  private static void checkBytes(byte[] b, String name) {
    Objects.requireNonNull(b, name);
    if (b.length == 0) {
      throw new IllegalArgumentException(name + " is empty");
    }
  }
}
