package io.zkmargin.nativebridge;

/**
 * An error reported by the native library (gnark through JNI). The message is the Go error message;
 * {@link #code()} says which kind of error it is.
 */
public final class NativeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Malformed input: unknown circuit id, undecodable key or proof, bad witness JSON, bad decimal.
   */
  public static final int INVALID_ARGUMENT = 1;

  /** A handle that was never issued, was released, or is of the wrong kind. */
  public static final int UNKNOWN_HANDLE = 2;

  /** The witness does not satisfy the circuit: there is nothing to prove. */
  public static final int UNSATISFIED = 3;

  /** A well-formed proof that does not verify. */
  public static final int VERIFICATION_FAILED = 4;

  /** A failure inside gnark that is not the caller's fault. */
  public static final int INTERNAL = 5;

  /** A Go panic, recovered at the library boundary (a bug in the library; the JVM is unharmed). */
  public static final int PANIC = 6;

  private final int code;

  /**
   * Called by the JNI glue.
   *
   * @param code one of the constants of this class
   * @param message the Go error message
   */
  public NativeException(int code, String message) {
    super(message);
    this.code = code;
  }

  /**
   * @return the error code, one of {@link #INVALID_ARGUMENT} ... {@link #PANIC}
   */
  public int code() {
    return code;
  }
}
