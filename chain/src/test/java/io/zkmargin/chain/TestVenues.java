package io.zkmargin.chain;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.prover.Venue;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import io.zkmargin.risk.vector.RiskVector;
import java.math.BigInteger;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A small hand-built venue at the test circuit size (D=6, DI=3, P=2, A=2, S=4, T=2) for the chain
 * tests. Account 5 holds quote and a second collateral asset and is long 3 lots of a perpetual: its
 * health is about 13x maintenance margin, so it proves at any threshold up to ~130000 bps. Account
 * 9 is short options and under-collateralised.
 */
final class TestVenues {
  static final long HEALTHY_ACCOUNT = 5;
  static final long EPOCH = 7;

  private TestVenues() {}

  static Venue small() {
    CircuitSizes sizes = CircuitSizes.TEST;
    TreeMap<Integer, InstrumentRiskEntry> instruments = new TreeMap<>();
    // perpetual: mark 50000 quote atoms per lot, funding index 10
    instruments.put(
        1,
        new InstrumentRiskEntry(
            50_000,
            10,
            5,
            10,
            new long[] {-2_000, 2_000, -4_000, 3_000},
            new long[] {-3_000, 3_000, -6_000, 4_500}));
    // an option: premium 1200 per lot, short-option floors
    instruments.put(
        2,
        new InstrumentRiskEntry(
            1_200,
            0,
            50,
            100,
            new long[] {-500, -100, -900, 300},
            new long[] {-750, -150, -1_350, 450}));
    RiskGlobals globals =
        new RiskGlobals(
            new long[] {1_000_000, 1_250_000},
            new long[] {1_000_000_000L, 3_000_000_000L},
            new long[] {1_000_000_000L, 3_000_000_000L},
            new long[][] {
              {0, 0, 0, 0}, {-300_000_000L, 300_000_000L, -600_000_000L, 450_000_000L}
            });
    TreeMap<Long, AccountLeaf> accounts = new TreeMap<>();
    accounts.put(
        HEALTHY_ACCOUNT,
        leaf(
            HEALTHY_ACCOUNT,
            0,
            new long[] {10_000_000_000L, 2_000_000_000L},
            new long[] {1, 0},
            new long[] {3, 0},
            new long[] {8, 0}));
    accounts.put(
        9L,
        leaf(
            9,
            1,
            new long[] {1_000_000L, 0},
            new long[] {2, 0},
            new long[] {-40, 0},
            new long[] {0, 0}));
    return new Venue(
        sizes, accounts, new RiskVector(EPOCH, sizes, instruments, globals), Optional.empty());
  }

  private static AccountLeaf leaf(
      long id, long tier, long[] balances, long[] ids, long[] qty, long[] snaps) {
    EdwardsPoint pk = new EdwardsKeyPair(BigInteger.valueOf(1_000 + id)).publicKey();
    return new AccountLeaf(pk.x(), pk.y(), 0, tier, balances, ids, qty, snaps);
  }
}
