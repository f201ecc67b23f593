package io.zkmargin.nativebridge;

/** A Groth16 verifying key loaded in the native library; see {@link Gnark#loadVerifyingKey}. */
public final class VerifyingKeyHandle extends KeyHandle {
  VerifyingKeyHandle(String circuitId, long handle) {
    super(circuitId, handle);
  }
}
