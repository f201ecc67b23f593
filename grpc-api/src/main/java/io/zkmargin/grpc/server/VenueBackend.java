package io.zkmargin.grpc.server;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.HealthWitness;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.analytics.Portfolio;
import io.zkmargin.risk.analytics.PortfolioAnalytics;
import io.zkmargin.risk.analytics.UnderlyingGreeks;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginSummary;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The real backend: the venue state of a data directory (its account tree and risk commitment,
 * built once at start as a {@link CommittedVenue}), the native gnark prover with the development
 * keys of the venue's circuit (made on first start and cached in the {@link KeyStore}), and the
 * offline {@link ProofVerifier}.
 *
 * <p>Proving: the margin is computed exactly first, so an account that is not healthy enough is
 * refused without running the prover; then the witness (leaf, Merkle paths, risk entries, {@code m
 * = MMcore}) is built and the Groth16 prover runs. Thread-safe: the native prover accepts
 * concurrent calls.
 */
public final class VenueBackend implements HealthProofBackend {

  private final Venue venue;
  private final KeyStore keys;
  private final ProofVerifier verifier;
  private final String circuitId;
  private final KeyStore.KeyEntry keyEntry;
  private final CommittedVenue committed;
  private final HealthProver prover;
  private final BigInteger stateRoot;
  private final BigInteger riskRoot;
  private final Optional<DemoVenue> market;

  private VenueBackend(Venue venue, KeyStore keys) {
    this.venue = venue;
    this.keys = keys;
    this.verifier = new ProofVerifier(keys);
    this.circuitId = venue.sizes().healthCircuitId();
    this.committed = new CommittedVenue(venue);
    this.prover = new HealthProver(keys);
    this.stateRoot = committed.stateRoot();
    this.riskRoot = committed.riskRoot();
    this.market = DemoVenues.market(venue); // instrument definitions for the Greeks, when known
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
    return riskRoot;
  }

  @Override
  public long epoch() {
    return venue.epoch();
  }

  @Override
  public ProofFile prove(long accountId, long thresholdBps, Progress progress)
      throws NotHealthyException {
    venue.account(accountId); // unknown account: IllegalArgumentException before any work
    if (thresholdBps < 1 || thresholdBps > HealthWitness.CIRCUIT_MAX_THRESHOLD_BPS) {
      throw new IllegalArgumentException("thresholdBps must be in [1, 2^32), was " + thresholdBps);
    }
    try {
      return prover
          .prove(
              committed,
              accountId,
              thresholdBps,
              new HealthProver.Progress() {
                @Override
                public void witness() {
                  progress.witness();
                }

                @Override
                public void proving() {
                  progress.proving();
                }
              })
          .proof();
    } catch (NotHealthyException e) {
      throw new NotHealthyException(
          e.accountId(),
          e.thresholdBps(),
          e.detail() + "; no proof of a false statement can be made");
    }
  }

  @Override
  public Verdict verify(ProofFile proof) {
    ProofVerifier.Verdict v = verifier.verify(proof);
    return new Verdict(v.valid(), v.message());
  }

  @Override
  public Optional<VerifyingKeyData> verifyingKeyByCircuitId(String id) {
    // only the served circuit: a request must never trigger the compilation and setup of another
    // circuit
    if (!circuitId.equals(id)) {
      return Optional.empty();
    }
    return Optional.of(
        new VerifyingKeyData(
            circuitId,
            keyEntry.verifyingKeyHash(),
            keys.verifyingKeyBytes(keyEntry),
            keyEntry.provenance()));
  }

  @Override
  public Optional<VerifyingKeyData> verifyingKeyByHash(String hash) {
    return keys.findByVerifyingKeyHash(hash)
        .map(
            e ->
                new VerifyingKeyData(
                    e.circuitId(),
                    e.verifyingKeyHash(),
                    keys.verifyingKeyBytes(e),
                    e.provenance()));
  }

  @Override
  public MarginFigures margin(long accountId) {
    AccountLeaf leaf = venue.account(accountId);
    MarginSummary m = MarginCalculator.DEFAULT.evaluate(venue.riskVector(), leaf).summary();
    List<UnderlyingGreeks> greeks =
        market
            .map(
                mk ->
                    PortfolioAnalytics.DEFAULT.greeks(
                        Portfolio.of(leaf, mk.instruments(), mk.assets()), mk.epoch()))
            .orElse(List.of());
    return new MarginFigures(m, greeks);
  }

  @Override
  public void close() {
    verifier.close();
    keys.close();
  }
}
