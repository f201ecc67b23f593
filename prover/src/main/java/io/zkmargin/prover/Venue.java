package io.zkmargin.prover;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.risk.vector.RiskDimensions;
import io.zkmargin.risk.vector.RiskVector;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The venue's committed state at one oracle epoch: every account leaf by account id and the epoch's
 * risk vector, all at one circuit size. Immutable.
 *
 * @param sizes circuit sizes the leaves and the risk vector are encoded for
 * @param accounts account leaves by account id, ids in {@code [0, 2^D)}
 * @param riskVector the oracle epoch's risk vector (instrument entries and globals)
 * @param demo how the venue was generated, when it is a demo venue (lets analytics regenerate its
 *     market data)
 */
public record Venue(
    CircuitSizes sizes,
    NavigableMap<Long, AccountLeaf> accounts,
    RiskVector riskVector,
    Optional<DemoOrigin> demo) {

  /** The parameters of {@code ./zkm demo} that produced a venue. */
  public record DemoOrigin(int accounts, long seed) {}

  public Venue {
    if (!riskVector.sizes().equals(sizes)) {
      throw new IllegalArgumentException(
          "risk vector is for "
              + circuitIdOf(riskVector.sizes())
              + ", the venue for "
              + sizes.healthCircuitId());
    }
    long maxAccount = 1L << sizes.stateDepth();
    for (Map.Entry<Long, AccountLeaf> e : accounts.entrySet()) {
      if (e.getKey() < 0 || e.getKey() >= maxAccount) {
        throw new IllegalArgumentException(
            "account id " + e.getKey() + " outside [0, " + maxAccount + ")");
      }
      e.getValue().checkFits(sizes);
      for (int j = 0; j < e.getValue().quantities().length; j++) {
        if (e.getValue().quantities()[j] != 0 && !riskVector.has(e.getValue().instrumentIds()[j])) {
          throw new IllegalArgumentException(
              "account "
                  + e.getKey()
                  + " holds instrument "
                  + e.getValue().instrumentIds()[j]
                  + ", which the risk vector does not list");
        }
      }
    }
    accounts = Collections.unmodifiableNavigableMap(new TreeMap<>(accounts));
  }

  /**
   * The circuit id of a risk vector's dimensions when they are circuit sizes (they are, for every
   * vector we build).
   */
  private static String circuitIdOf(RiskDimensions dimensions) {
    return dimensions instanceof CircuitSizes c ? c.healthCircuitId() : String.valueOf(dimensions);
  }

  /** The oracle epoch of the risk vector. */
  public long epoch() {
    return riskVector.epoch();
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
