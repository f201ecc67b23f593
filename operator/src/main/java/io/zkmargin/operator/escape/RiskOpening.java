package io.zkmargin.operator.escape;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.Commitments;
import io.zkmargin.commit.HealthWitness;
import io.zkmargin.commit.HealthWitness.InstrumentOpening;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.RiskEncoding;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.dac.AuditReplay;
import io.zkmargin.dac.BatchRefusedException;
import io.zkmargin.dac.WitnessDocument;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import io.zkmargin.risk.vector.RiskVector;
import java.math.BigInteger;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The risk data at one posted risk root that a user can reach without the operator: the globals and
 * an opening (entry + path in the instrument tree) per instrument, every part checked against the
 * root, so that nothing in it has to be trusted.
 *
 * <p>Two sources (docs/LIQUIDATION.md section 9):
 *
 * <ul>
 *   <li>the committee's batch data ({@link #fromBatches}): every finalized batch's document carries
 *       the full globals of its risk root and the rows (entry and path) of the instruments the
 *       batch used. When the wanted root is a batch's, the rows of all batches at that root are
 *       gathered; an instrument no batch at that root used has no row there;
 *   <li>the oracle's published risk vector ({@link #ofVector}): complete, and the only source for a
 *       risk root posted after the last batch (the keeper's new epochs). In this project the oracle
 *       publishes the vector it signs in the venue file ({@code DIR/venue.json} of the demo).
 * </ul>
 *
 * Immutable.
 */
public final class RiskOpening {
  private final CircuitSizes sizes;
  private final BigInteger riskRoot;
  private final BigInteger instrumentsRoot;
  private final RiskGlobals globals;
  private final Map<Long, InstrumentOpening> instruments;
  private final String source;

  private RiskOpening(
      CircuitSizes sizes,
      BigInteger riskRoot,
      BigInteger instrumentsRoot,
      RiskGlobals globals,
      Map<Long, InstrumentOpening> instruments,
      String source) {
    this.sizes = sizes;
    this.riskRoot = riskRoot;
    this.instrumentsRoot = instrumentsRoot;
    this.globals = globals;
    this.instruments = Collections.unmodifiableMap(new TreeMap<>(instruments));
    this.source = source;
  }

  /**
   * The opening of a whole published vector (the oracle's), if its commitment is {@code riskRoot}.
   *
   * @return empty when the vector commits to another root (another epoch's vector)
   */
  public static Optional<RiskOpening> ofVector(RiskCommitment vector, BigInteger riskRoot) {
    ArgChecker.notNull(vector, "vector");
    ArgChecker.notNull(riskRoot, "riskRoot");
    if (!vector.riskRoot().equals(riskRoot)) {
      return Optional.empty();
    }
    Map<Long, InstrumentOpening> m = new TreeMap<>();
    for (Map.Entry<Long, InstrumentRiskEntry> e : vector.entries().entrySet()) {
      m.put(e.getKey(), new InstrumentOpening(e.getValue(), vector.path(e.getKey())));
    }
    return Optional.of(
        new RiskOpening(
            vector.sizes(),
            riskRoot,
            vector.instrumentsRoot(),
            vector.globals(),
            m,
            "the oracle's published risk vector"));
  }

  /**
   * The opening gathered from the committee's finalized batches whose risk root is {@code
   * riskRoot}, newest first, until every instrument of {@code wanted} has a row (or the batches are
   * exhausted). Every row is checked against its document's instruments root, and that root and the
   * globals against {@code riskRoot}.
   *
   * @param sizes the venue's circuit sizes
   * @param lastBatch the contract's last finalized batch
   * @param source a committee member's {@code GetBatch}
   * @param wanted the instruments needed (null: all rows of every batch at the root)
   * @return empty when no finalized batch was proven at {@code riskRoot}
   * @throws IllegalStateException when the member fails to return a batch or returns a malformed
   *     one
   */
  public static Optional<RiskOpening> fromBatches(
      CircuitSizes sizes,
      BigInteger riskRoot,
      long lastBatch,
      AuditReplay.BatchSource source,
      Set<Long> wanted) {
    ArgChecker.notNull(sizes, "sizes");
    ArgChecker.notNull(riskRoot, "riskRoot");
    ArgChecker.notNull(source, "source");
    RiskGlobals globals = null;
    BigInteger instrumentsRoot = null;
    Map<Long, InstrumentOpening> m = new TreeMap<>();
    for (long b = lastBatch; b >= 1; b--) {
      WitnessDocument doc;
      try {
        doc = WitnessDocument.parse(source.batch(b));
      } catch (BatchRefusedException e) {
        throw new IllegalStateException("batch " + b + " of the committee: " + e.getMessage(), e);
      } catch (Exception e) {
        throw new IllegalStateException(
            "the committee did not return batch " + b + ": " + e.getMessage(), e);
      }
      if (!doc.riskRoot().equals(riskRoot)) {
        continue;
      }
      long[] gw = WordPacking.unpack(doc.globals(), sizes.globalsWordCount());
      if (!Poseidon2.compress(doc.instrumentsRoot(), Commitments.wordsHash(gw)).equals(riskRoot)) {
        throw new IllegalStateException(
            "batch " + b + ": its instruments root and globals do not hash to its risk root");
      }
      if (globals == null) {
        globals = RiskEncoding.globals(gw, sizes);
        instrumentsRoot = doc.instrumentsRoot();
      }
      for (WitnessDocument.Row row : doc.rows()) {
        if (!row.used() || m.containsKey(row.id())) {
          continue;
        }
        long[] words = WordPacking.unpack(row.entry(), sizes.instrumentEntryWordCount());
        if (row.path().length != sizes.instrumentDepth()
            || !SparseMerkleTree.verify(
                instrumentsRoot, Commitments.wordsHash(words), row.id(), row.path())) {
          throw new IllegalStateException(
              "batch " + b + ": the row of instrument " + row.id() + " does not open");
        }
        m.put(
            row.id(),
            new InstrumentOpening(RiskEncoding.entry(words, sizes.scenarios()), row.path()));
      }
      if (wanted != null && m.keySet().containsAll(wanted)) {
        break;
      }
    }
    if (globals == null) {
      return Optional.empty();
    }
    return Optional.of(
        new RiskOpening(
            sizes, riskRoot, instrumentsRoot, globals, m, "the committee's batch data"));
  }

  /** The circuit sizes. */
  public CircuitSizes sizes() {
    return sizes;
  }

  /** The risk root every part opens against. */
  public BigInteger riskRoot() {
    return riskRoot;
  }

  /** Where the data came from, for messages. */
  public String source() {
    return source;
  }

  /** The instrument ids with an opening. */
  public Set<Long> instruments() {
    return instruments.keySet();
  }

  /** The instruments of {@code leaf}'s non-empty slots that have no opening here. */
  public Set<Long> missing(AccountLeaf leaf) {
    Set<Long> out = new java.util.TreeSet<>();
    for (int j = 0; j < leaf.quantities().length; j++) {
      if (leaf.quantities()[j] != 0 && !instruments.containsKey(leaf.instrumentIds()[j])) {
        out.add(leaf.instrumentIds()[j]);
      }
    }
    return out;
  }

  /**
   * The risk model's vector of the instruments at hand (for margin: a position in an instrument not
   * at hand cannot be margined).
   */
  public RiskVector vector() {
    Map<Integer, InstrumentRiskEntry> m = new TreeMap<>();
    instruments.forEach((id, o) -> m.put(id.intValue(), o.entry()));
    return new RiskVector(0, sizes, m, globals);
  }

  /**
   * The instruments at hand as a risk commitment for the ledger's margin ({@code
   * Ledger.beginBatch}); its own instruments root is of the partial tree and is not used.
   */
  public RiskCommitment commitmentForMargin() {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>();
    instruments.forEach((id, o) -> m.put(id, o.entry()));
    return new RiskCommitment(sizes, m, globals);
  }

  /** The account's margin at this root ({@code MarginCalculator.DEFAULT}). */
  public MarginResult margin(AccountLeaf leaf) {
    return MarginCalculator.DEFAULT.evaluate(vector(), leaf);
  }

  /**
   * The account's opening for the exit and liquidation circuits.
   *
   * @throws IllegalArgumentException if the leaf does not open against {@code stateRoot} or holds
   *     an instrument with no opening here
   */
  public HealthWitness witness(
      long accountId,
      AccountLeaf leaf,
      BigInteger[] statePath,
      BigInteger stateRoot,
      BigInteger mmBound) {
    HealthWitness w =
        HealthWitness.fromOpening(
            sizes,
            accountId,
            leaf,
            statePath,
            stateRoot,
            instrumentsRoot,
            globals,
            instruments,
            0,
            mmBound);
    if (!w.riskRoot().equals(riskRoot)) {
      throw new IllegalStateException("the opening's risk root is not " + riskRoot);
    }
    return w;
  }
}
