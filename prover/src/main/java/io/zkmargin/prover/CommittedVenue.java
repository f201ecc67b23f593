package io.zkmargin.prover;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.Commitments;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Venue} with its commitments computed once: the account tree (state root) and the risk
 * vector commitment (risk root). Building it hashes every leaf and entry (Poseidon2); proving and
 * serving reuse it. Immutable after construction and safe to share between threads: the trees are
 * fully hashed here, after which {@code root()} and {@code path()} only read them.
 */
public final class CommittedVenue {
  private final Venue venue;
  private final SparseMerkleTree stateTree;
  private final RiskCommitment risk;
  private final BigInteger stateRoot;

  public CommittedVenue(Venue venue) {
    this.venue = venue;
    this.stateTree = new SparseMerkleTree(venue.sizes().stateDepth());
    for (Map.Entry<Long, AccountLeaf> e : venue.accounts().entrySet()) {
      Commitments.putAccount(stateTree, e.getKey(), e.getValue());
    }
    Map<Long, InstrumentRiskEntry> entries = new TreeMap<>();
    venue.riskVector().entries().forEach((id, entry) -> entries.put((long) id, entry));
    this.risk = new RiskCommitment(venue.sizes(), entries, venue.riskVector().globals());
    this.stateRoot = stateTree.root(); // hashes every pending node now, so later reads never write
  }

  public Venue venue() {
    return venue;
  }

  public SparseMerkleTree stateTree() {
    return stateTree;
  }

  public RiskCommitment risk() {
    return risk;
  }

  /** The state root: the Poseidon2 root of the account tree. */
  public BigInteger stateRoot() {
    return stateRoot;
  }

  /** The risk root: {@code compress(instrumentsRoot, globalsHash)}. */
  public BigInteger riskRoot() {
    return risk.riskRoot();
  }
}
