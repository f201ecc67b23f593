package io.zkmargin.prover;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.NativeException;
import io.zkmargin.nativebridge.ProofEncoding;
import io.zkmargin.nativebridge.VerifyingKeyHandle;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies proof files offline against the verifying keys pinned in a {@link KeyStore}: no server,
 * no chain, no witness. Every failure comes back as a verdict with a reason a person can act on.
 *
 * <p>Only a verifying key of the current version of its circuit is used ({@link
 * KeyStore#findByVerifyingKeyHash}): a proof made for a key of an older circuit version left on
 * disk is refused. Proof bytes must be the one canonical encoding ({@link ProofEncoding}), the same
 * rule as the chain path.
 */
public final class ProofVerifier implements AutoCloseable {

  private final KeyStore keys;
  private final Map<String, VerifyingKeyHandle> loaded = new ConcurrentHashMap<>();

  /** The outcome: {@code valid} and a one-line message (the statement proven, or why not). */
  public record Verdict(boolean valid, String message) {}

  public ProofVerifier(KeyStore keys) {
    this.keys = keys;
  }

  /** Verifies one proof file. Never throws for a bad proof: the verdict says what is wrong. */
  public Verdict verify(ProofFile proof) {
    String notCanonical = ProofEncoding.whyNotCanonical(proof.proof());
    if (notCanonical != null) {
      return new Verdict(false, "malformed proof: " + notCanonical);
    }
    Optional<KeyStore.KeyEntry> entry = keys.findByVerifyingKeyHash(proof.verifyingKeyHash());
    if (entry.isEmpty()) {
      Optional<KeyStore.KeyEntry> stale = keys.findAnyByVerifyingKeyHash(proof.verifyingKeyHash());
      if (stale.isPresent() && !stale.get().fromCeremony() && !keys.allowsDevKeys()) {
        return new Verdict(
            false,
            "development key "
                + shortHash(proof.verifyingKeyHash())
                + " refused: it comes from a single-party setup (whoever ran it can forge proofs);"
                + " only ceremony keys are accepted here (--allow-dev-keys for a test or demo)");
      }
      if (stale.isPresent()) {
        return new Verdict(
            false,
            "stale verifying key "
                + shortHash(proof.verifyingKeyHash())
                + ": it belongs to circuit "
                + stale.get().circuitId()
                + " with digest "
                + shortHash(stale.get().circuitDigest())
                + ", not to the current version of that circuit; only keys of current circuits are accepted");
      }
      return new Verdict(
          false,
          "unknown verifying key "
              + proof.verifyingKeyHash()
              + ": no pinned key with that hash in "
              + keys.root());
    }
    KeyStore.KeyEntry e = entry.get();
    if (!e.circuitId().equals(proof.circuitId())) {
      return new Verdict(
          false,
          "wrong verifying key: key "
              + shortHash(proof.verifyingKeyHash())
              + " belongs to circuit "
              + e.circuitId()
              + ", the proof claims "
              + proof.circuitId());
    }
    CircuitSizes sizes;
    try {
      sizes = CircuitSizes.fromHealthCircuitId(proof.circuitId());
    } catch (IllegalArgumentException ex) {
      return new Verdict(false, "unsupported circuit " + proof.circuitId());
    }
    List<BigInteger> inputs = proof.publicInputs();
    if (inputs.size() != 3) {
      return new Verdict(
          false, "a health proof has 3 public inputs, this file has " + inputs.size());
    }
    if (inputs.get(2).bitLength() > 32 + sizes.stateDepth()) {
      return new Verdict(
          false, "account id / threshold input out of range for " + proof.circuitId());
    }
    VerifyingKeyHandle vk;
    try {
      vk =
          loaded.computeIfAbsent(
              e.verifyingKeyHash(),
              h -> Gnark.loadVerifyingKey(e.circuitId(), keys.verifyingKeyBytes(e)));
    } catch (RuntimeException ex) {
      return new Verdict(
          false,
          "cannot load verifying key " + shortHash(e.verifyingKeyHash()) + ": " + ex.getMessage());
    }
    boolean ok;
    try {
      ok = Gnark.verify(vk, proof.proof(), inputs.stream().map(BigInteger::toString).toList());
    } catch (NativeException | IllegalArgumentException ex) {
      return new Verdict(
          false,
          "malformed proof for verifying key "
              + shortHash(e.verifyingKeyHash())
              + ": "
              + ex.getMessage());
    }
    if (!ok) {
      return new Verdict(
          false,
          "proof does not verify against verifying key "
              + shortHash(e.verifyingKeyHash())
              + ": the proof bytes or a public input were changed, or it was made for another key");
    }
    return new Verdict(
        true,
        String.format(
            "valid: account %d has equity >= %s x maintenance margin at stateRoot %s, riskRoot %s (%s, key %s, setup %s)",
            proof.healthAccountId(),
            HealthProver.thresholdAsMultiple(proof.healthThresholdBps()),
            shortHash(inputs.get(0).toString(16)),
            shortHash(inputs.get(1).toString(16)),
            proof.circuitId(),
            shortHash(e.verifyingKeyHash()),
            e.provenance()));
  }

  @Override
  public void close() {
    loaded.values().forEach(VerifyingKeyHandle::close);
    loaded.clear();
  }

  private static String shortHash(String hex) {
    return hex.length() <= 12 ? hex : hex.substring(0, 12) + "...";
  }
}
