package io.zkmargin.nativebridge;

/**
 * The JNI methods of libzkmargin.so (implemented in native/go/jni_glue.c). Use {@link Gnark}
 * instead: it checks arguments and wraps handles. Every method throws {@link NativeException} on
 * error.
 */
final class NativeLib {
  static {
    NativeLoader.load();
  }

  private NativeLib() {}

  /** Forces the static initializer (loads the library). */
  static void ensureLoaded() {
    // the static initializer does the work
  }

  /**
   * @return {nbConstraints, nbPublic, nbWires}
   */
  static native long[] compile(String circuitId);

  /**
   * @return the 32-byte sha256 of the serialized R1CS
   */
  static native byte[] circuitDigest(String circuitId);

  /**
   * @return {provingKey, verifyingKey}
   */
  static native byte[][] setup(String circuitId);

  static native long loadProvingKey(String circuitId, byte[] provingKey);

  static native long loadVerifyingKey(String circuitId, byte[] verifyingKey);

  static native void release(long handle);

  static native long liveHandles();

  /**
   * @return {proof bytes, public inputs as ASCII decimals joined by '\n'}
   */
  static native byte[][] prove(long provingKeyHandle, byte[] witnessJson);

  /**
   * @return 0 if the proof verifies, 4 if it is well formed and does not verify
   */
  static native int verify(
      long verifyingKeyHandle, byte[] proof, String publicInputsJoinedByNewline);

  static native String exportSolidity(long verifyingKeyHandle);

  /**
   * Verifies an EdDSA signature (see {@link NativeEdDSA}).
   *
   * @param input exactly 192 bytes: pkX, pkY, message, R.x, R.y, S, each 32-byte big-endian
   * @return true iff valid
   */
  static native boolean eddsaVerify(byte[] input);

  /**
   * @return bit (sig-1) set for each signal whose installed handler lacks SA_ONSTACK (should be 0)
   */
  static native long signalHandlersWithoutOnStack();

  /**
   * @return how many handlers JNI_OnLoad gave SA_ONSTACK
   */
  static native int signalHandlersFixedAtLoad();

  /**
   * Adds SA_ONSTACK to every installed signal handler that lacks it (JNI_OnLoad does this once;
   * handlers installed later, e.g. by sun.misc.Signal.handle, need it again).
   *
   * @return how many handlers were changed
   */
  static native int fixSignalHandlers();

  /** Panics inside Go on purpose (0: Go panic, 1: nil dereference, i.e. SIGSEGV in Go). */
  static native void selfTestPanic(int kind);
}
