package io.zkmargin.nativebridge;

import java.util.Objects;

/**
 * Groth16 keys from a development setup.
 *
 * @param provingKey gnark's BN254 ProvingKey.WriteRawTo bytes (owned by the caller, not copied)
 * @param verifyingKey gnark's BN254 VerifyingKey.WriteRawTo bytes (owned by the caller, not copied)
 */
public record KeyPair(byte[] provingKey, byte[] verifyingKey) {
  public KeyPair {
    Objects.requireNonNull(provingKey, "provingKey");
    Objects.requireNonNull(verifyingKey, "verifyingKey");
  }

  @Override
  public String toString() {
    return "KeyPair[pk " + provingKey.length + " bytes, vk " + verifyingKey.length + " bytes]";
  }
}
