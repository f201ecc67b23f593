package io.zkmargin.grpc.server;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.Commitments;
import io.zkmargin.commit.HealthWitness;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.ProofResult;
import io.zkmargin.nativebridge.ProvingKeyHandle;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real backend: the venue state of a data directory (its account tree and risk commitment, built
 * once at start), the native gnark prover with the development keys of the venue's circuit (made on
 * first start and cached in the {@link KeyStore}), and the offline {@link ProofVerifier}.
 *
 * <p>Proving: the margin is computed exactly first, so an account that is not healthy enough is refused
 * without running the prover; then the witness (leaf, Merkle paths, risk entries, {@code m = MMcore}) is
 * built and the Groth16 prover runs. Thread-safe: the native prover accepts concurrent calls.
 */
public final class VenueBackend implements HealthProofBackend {

  private final Venue venue;
  private final KeyStore keys;
  private final ProofVerifier verifier;
  private final String circuitId;
  private final KeyStore.KeyEntry keyEntry;
  private final SparseMerkleTree stateTree;
  private final RiskCommitment risk;
  private final BigInteger stateRoot;

  private VenueBackend(Venue venue, KeyStore keys) {
    this.venue = venue;
    this.keys = keys;
    this.verifier = new ProofVerifier(keys);
    this.circuitId = venue.sizes().healthCircuitId();
    this.stateTree = new SparseMerkleTree(venue.sizes().stateDepth());
    for (Map.Entry<Long, AccountLeaf> e : venue.accounts().entrySet()) {
      Commitments.putAccount(stateTree, e.getKey(), e.getValue());
    }
    this.stateRoot = stateTree.root();
    this.risk = new RiskCommitment(venue.sizes(), venue.instruments(), venue.globals());
    this.keyEntry = keys.ensureKeys(circuitId);
    keys.provingKey(circuitId); // load once at start, not on the first request
  }

  /**
   * Opens the venue of a data directory and makes (first start) or loads the keys of its circuit.
   *
   * @throws IOException when the directory holds no readable venue
   */
  public static VenueBackend open(Path dataDir, KeyStore keys) throws IOException {
    return new VenueBackend(VenueStore.load(dataDir), keys);
  }

  /** A backend over an in-memory venue (tests). */
  public static VenueBackend of(Venue venue, KeyStore keys) {
    return new VenueBackend(venue, keys);
  }

  /** The served venue. */
  public Venue venue() {
    return venue;
  }

  @Override
  public CircuitSizes sizes() {
    return venue.sizes();
  }

  @Override
  public Optional<AccountLeaf> account(long accountId) {
    return Optional.ofNullable(venue.accounts().get(accountId));
  }

  @Override
  public long accountCount() {
    return venue.accounts().size();
  }

  @Override
  public BigInteger stateRoot() {
    return stateRoot;
  }

  @Override
  public BigInteger riskRoot() {
    return risk.riskRoot();
  }

  @Override
  public long epoch() {
    return venue.epoch();
  }

  @Override
  public ProofFile prove(long accountId, long thresholdBps, Progress progress) throws NotHealthyException {
    AccountLeaf leaf = venue.account(accountId);
    if (thresholdBps < 1 || thresholdBps >= (1L << 32)) {
      throw new IllegalArgumentException("thresholdBps must be in [1, 2^32), was " + thresholdBps);
    }
    progress.witness();
    VenueMargin margin = VenueMargin.of(venue, leaf);
    if (!margin.healthyAt(thresholdBps)) {
      HealthProofBackend.MarginFigures f = margin.figures(List.of());
      throw new NotHealthyException("account " + accountId + " is not healthy at " + thresholdBps
          + " bps: equity " + f.equityQuoteAtoms() + " < " + thresholdBps + "/10000 x maintenance margin "
          + f.maintenanceMarginQuoteAtoms() + " (quote atoms); no proof of a false statement can be made");
    }
    HealthWitness w;
    synchronized (stateTree) {
      w = HealthWitness.build(venue.sizes(), stateTree, leaf, accountId, risk, thresholdBps, margin.mmCoreNano());
    }
    byte[] json = w.toJson().getBytes(StandardCharsets.UTF_8);
    progress.proving();
    ProvingKeyHandle pk = keys.provingKey(circuitId);
    ProofResult r = Gnark.prove(pk, json);
    return new ProofFile(circuitId, keyEntry.verifyingKeyHash(),
        r.publicInputs().stream().map(BigInteger::new).toList(), r.proof());
  }

  @Override
  public Verdict verify(ProofFile proof) {
    ProofVerifier.Verdict v = verifier.verify(proof);
    return new Verdict(v.valid(), v.message());
  }

  @Override
  public Optional<VerifyingKeyData> verifyingKeyByCircuitId(String id) {
    // only the served circuit: a request must never trigger the compilation and setup of another circuit
    if (!circuitId.equals(id)) {
      return Optional.empty();
    }
    return Optional.of(new VerifyingKeyData(circuitId, keyEntry.verifyingKeyHash(), keys.verifyingKeyBytes(keyEntry)));
  }

  @Override
  public Optional<VerifyingKeyData> verifyingKeyByHash(String hash) {
    return keys.findByVerifyingKeyHash(hash)
        .map(e -> new VerifyingKeyData(e.circuitId(), e.verifyingKeyHash(), keys.verifyingKeyBytes(e)));
  }

  @Override
  public MarginFigures margin(long accountId) {
    return VenueMargin.of(venue, venue.account(accountId)).figures(List.of());
  }

  @Override
  public void close() {
    verifier.close();
    keys.close();
  }
}
