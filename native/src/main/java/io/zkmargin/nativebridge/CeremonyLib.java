package io.zkmargin.nativebridge;

/**
 * The JNI methods of the ceremony (implemented in native/go/jni_ceremony.c over
 * native/go/ceremony). Use {@link Ceremony} instead: it checks arguments and names the results.
 * Every method throws {@link NativeException} on error.
 */
final class CeremonyLib {
  static {
    NativeLoader.load();
  }

  private CeremonyLib() {}

  static native int circuitPower(String circuitId);

  static native byte[] phase1Init(int power);

  /**
   * @return {next state, received hash || produced hash (64 bytes)}
   */
  static native byte[][] phase1Contribute(int power, byte[] prev, byte[] entropy);

  /**
   * @return the contribution hashes, 32 bytes each
   */
  static native byte[] phase1Verify(int power, byte[][] chain);

  /**
   * @return {phase-1 final file, contribution hashes (32 bytes each)}
   */
  static native byte[][] phase1Seal(int power, byte[][] chain, byte[] beacon);

  static native byte[] phase2Init(String circuitId, byte[] commons);

  /**
   * @return {next state, received hash || produced hash (64 bytes)}
   */
  static native byte[][] phase2Contribute(String circuitId, byte[] prev, byte[] entropy);

  /**
   * @return the contribution hashes, 32 bytes each
   */
  static native byte[] phase2Verify(String circuitId, byte[] commons, byte[][] chain);

  /**
   * @return {proving key, verifying key, transcript hash (32), contribution hashes (32 each)}
   */
  static native byte[][] phase2Finalize(
      String circuitId, byte[] commons, byte[][] chain, byte[] beacon);

  /**
   * @return the 32-byte hash of {@code next}
   */
  static native byte[] phase1VerifyNext(int power, byte[] prev, byte[] next);

  /**
   * @return the 32-byte hash of {@code next}
   */
  static native byte[] phase2VerifyNext(String circuitId, byte[] prev, byte[] next);

  /**
   * @return {phase-1 final file, file power and ceremony power as two big-endian ints}
   */
  static native byte[][] importPtau(String path, int power);
}
