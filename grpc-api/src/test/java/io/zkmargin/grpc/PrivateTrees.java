package io.zkmargin.grpc;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.Venue;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskVector;
import java.util.TreeMap;

/**
 * Real proofs about trees the {@link TestVenue} never had: what anyone with the proving key can
 * build. Each is a true statement about its own tree, proven by the real prover, so only a check of
 * the roots can refuse it.
 */
public final class PrivateTrees {

  /** One proof of each kind at 10000 bps, all for the test venue's circuit. */
  public record Proofs(ProofFile honest, ProofFile privateState, ProofFile privateRisk) {}

  private PrivateTrees() {}

  /**
   * Proves: account 3 of the test venue itself ({@code honest}); the test venue's liquidatable
   * account {@link TestVenue#UNHEALTHY} in a private copy of the account tree where it holds a
   * million USDC ({@code privateState}: the state root is not the venue's, the risk root is);
   * account 3 against a private risk vector with another mark for instrument 1 ({@code
   * privateRisk}: the state root is the venue's, the risk root is not).
   */
  public static Proofs prove(KeyStore keys) throws NotHealthyException {
    Venue venue = TestVenue.venue();
    HealthProver prover = new HealthProver(keys);
    ProofFile honest = prover.prove(new CommittedVenue(venue), 3, 10_000).proof();

    TreeMap<Long, AccountLeaf> accounts = new TreeMap<>(venue.accounts());
    AccountLeaf poor = accounts.get(TestVenue.UNHEALTHY);
    long[] rich = poor.balances().clone();
    rich[0] = 1_000_000_000_000L; // 1,000,000 USDC
    accounts.put(
        TestVenue.UNHEALTHY,
        new AccountLeaf(
            poor.ownerPkX(),
            poor.ownerPkY(),
            poor.nonce(),
            poor.tier(),
            rich,
            poor.instrumentIds(),
            poor.quantities(),
            poor.fundingSnapshots()));
    Venue privateState = new Venue(venue.sizes(), accounts, venue.riskVector(), venue.demo());
    ProofFile stateProof =
        prover.prove(new CommittedVenue(privateState), TestVenue.UNHEALTHY, 10_000).proof();

    TreeMap<Integer, InstrumentRiskEntry> entries = new TreeMap<>(venue.riskVector().entries());
    InstrumentRiskEntry e = entries.get(1);
    entries.put(
        1,
        new InstrumentRiskEntry(
            e.mark() + 10_000_000L, e.fundingIndex(), e.floorMm(), e.floorIm(), e.rmm(), e.rim()));
    Venue privateRisk =
        new Venue(
            venue.sizes(),
            venue.accounts(),
            new RiskVector(venue.epoch(), venue.sizes(), entries, venue.riskVector().globals()),
            venue.demo());
    ProofFile riskProof = prover.prove(new CommittedVenue(privateRisk), 3, 10_000).proof();
    return new Proofs(honest, stateProof, riskProof);
  }
}
