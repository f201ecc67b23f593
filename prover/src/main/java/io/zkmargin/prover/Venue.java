package io.zkmargin.prover;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.InstrumentRiskEntry;
import io.zkmargin.commit.RiskGlobals;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The venue's committed state at one oracle epoch: every account leaf by account id and the risk vector
 * (instrument entries by instrument id, and the globals), all at one circuit size. Immutable.
 *
 * @param sizes circuit sizes the leaves and the risk vector are encoded for
 * @param epoch oracle epoch number of the risk vector, {@code >= 0}
 * @param accounts account leaves by account id, ids in {@code [0, 2^D)}
 * @param instruments instrument risk entries by instrument id, ids in {@code [0, 2^DI)}
 * @param globals tier factors and collateral prices/scenarios
 */
public record Venue(CircuitSizes sizes, long epoch, NavigableMap<Long, AccountLeaf> accounts,
    NavigableMap<Long, InstrumentRiskEntry> instruments, RiskGlobals globals) {

  public Venue {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, was " + epoch);
    }
    long maxAccount = 1L << sizes.stateDepth();
    for (Map.Entry<Long, AccountLeaf> e : accounts.entrySet()) {
      if (e.getKey() < 0 || e.getKey() >= maxAccount) {
        throw new IllegalArgumentException("account id " + e.getKey() + " outside [0, " + maxAccount + ")");
      }
      e.getValue().checkFits(sizes);
    }
    long maxInstrument = 1L << sizes.instrumentDepth();
    for (Map.Entry<Long, InstrumentRiskEntry> e : instruments.entrySet()) {
      if (e.getKey() < 0 || e.getKey() >= maxInstrument) {
        throw new IllegalArgumentException("instrument id " + e.getKey() + " outside [0, " + maxInstrument + ")");
      }
      if (e.getValue().rmm().length != sizes.scenarios()) {
        throw new IllegalArgumentException("instrument " + e.getKey() + " has " + e.getValue().rmm().length
            + " scenarios, the circuit expects " + sizes.scenarios());
      }
    }
    if (globals.tierFactorPpm().length != sizes.tiers() || globals.collateralPrice().length != sizes.collateralAssets()) {
      throw new IllegalArgumentException("risk globals do not match the circuit sizes " + sizes.healthCircuitId());
    }
    accounts = Collections.unmodifiableNavigableMap(new TreeMap<>(accounts));
    instruments = Collections.unmodifiableNavigableMap(new TreeMap<>(instruments));
  }

  /** The account's leaf. */
  public AccountLeaf account(long accountId) {
    AccountLeaf leaf = accounts.get(accountId);
    if (leaf == null) {
      throw new UnknownAccountException(accountId);
    }
    return leaf;
  }

  /** An account id that the venue does not hold. */
  public static final class UnknownAccountException extends IllegalArgumentException {
    public UnknownAccountException(long accountId) {
      super("unknown account " + accountId);
    }
  }
}
