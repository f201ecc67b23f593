package io.zkmargin.nativebridge;

/** A Groth16 proving key loaded in the native library; see {@link Gnark#loadProvingKey}. */
public final class ProvingKeyHandle extends KeyHandle {
  ProvingKeyHandle(String circuitId, long handle) {
    super(circuitId, handle);
  }
}
