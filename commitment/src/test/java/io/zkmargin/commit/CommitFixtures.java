package io.zkmargin.commit;

import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small, realistic market at {@link CircuitSizes#TEST} (D=6, DI=3, P=2, A=2, S=4, T=2) shared by
 * the tests and the vector generator.
 *
 * <p>Asset 0 is USDC (6 decimals, price 10^9 quote atoms per 10^9 atoms); asset 1 is ETH (9
 * decimals) at 3000 USDC with a 10% haircut, i.e. {@code cp = 2_700_000_000} quote atoms per 10^9
 * atoms, and scenarios -15%, -5%, +5%, +15%. Instruments: 1 = ETH-PERP (lot 0.01 ETH), 4 = ETH call
 * (lot 0.01 ETH), 6 = BTC-PERP (lot 0.001 BTC at 60000 USDC), 7 = an ETH call settled at 5 USDC a
 * lot. Liquidation parameters: 1% penalty, 40% to the fund (account 5), 15% to the keeper.
 */
final class CommitFixtures {
  static final CircuitSizes SIZES = CircuitSizes.TEST;

  private CommitFixtures() {}

  static RiskGlobals globals() {
    return new RiskGlobals(
        new long[] {1_000_000, 1_250_000},
        new LiquidationParams(10_000, 400_000, 150_000, 1_250_000, 5),
        new long[] {1_000_000_000L, 2_700_000_000L},
        new long[] {1_000_000_000L, 3_000_000_000L},
        new long[][] {
          {0, 0, 0, 0},
          {-450_000_000L, -150_000_000L, 150_000_000L, 450_000_000L}
        });
  }

  static Map<Long, InstrumentRiskEntry> entries() {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>();
    m.put(
        1L,
        new InstrumentRiskEntry(
            30_000_000L,
            120_000L,
            1,
            1,
            new long[] {-4_500_000L, -1_500_000L, 1_500_000L, 4_500_000L},
            new long[] {-6_750_000L, -2_250_000L, 2_250_000L, 6_750_000L}));
    m.put(
        4L,
        new InstrumentRiskEntry(
            1_200_000L,
            0L,
            150_000L,
            200_000L,
            new long[] {-1_000_000L, -600_000L, 900_000L, 3_100_000L},
            new long[] {-1_200_000L, -700_000L, 1_100_000L, 3_600_000L}));
    m.put(
        6L,
        new InstrumentRiskEntry(
            60_000_000L,
            -50_000L,
            1,
            1,
            new long[] {-6_000_000L, -1_800_000L, 1_800_000L, 6_000_000L},
            new long[] {-9_000_000L, -2_700_000L, 2_700_000L, 9_000_000L}));
    // an ETH call expired and settled: 5 USDC per lot (risk encoding v2)
    m.put(7L, InstrumentRiskEntry.settledAt(5_000_000L, 0, SIZES.scenarios()));
    return m;
  }

  static RiskCommitment risk() {
    return new RiskCommitment(SIZES, entries(), globals());
  }

  static EdwardsKeyPair key(long seed) {
    return new EdwardsKeyPair(
        BigInteger.valueOf(seed)
            .multiply(BigInteger.valueOf(1_000_000_007L))
            .add(BigInteger.valueOf(12345)));
  }

  private static AccountLeaf leaf(
      long keySeed, long nonce, long tier, long[] balances, long[] ids, long[] qty, long[] snap) {
    EdwardsPoint pk = key(keySeed).publicKey();
    AccountLeaf leaf = new AccountLeaf(pk.x(), pk.y(), nonce, tier, balances, ids, qty, snap);
    // leaf v2 fields: a 160-bit address and an order-fill root for every account but 63 (keySeed
    // 4), which keeps the defaults 0
    if (keySeed == 4) {
      return leaf;
    }
    BigInteger l1 = CommitVectors.element("l1Address/" + keySeed).shiftRight(94);
    return leaf.withL1AddressAndOrdersRoot(l1, CommitVectors.element("ordersRoot/" + keySeed));
  }

  /**
   * Accounts by id, in insertion order: 5 healthy, 9 under maintenance, 40 short with funding owed.
   */
  static Map<Long, AccountLeaf> accounts() {
    Map<Long, AccountLeaf> m = new LinkedHashMap<>();
    // 10k USDC, 2 ETH, long 50 ETH-PERP lots, short 20 calls
    m.put(
        5L,
        leaf(
            1,
            3,
            0,
            new long[] {10_000_000_000L, 2_000_000_000L},
            new long[] {1, 4},
            new long[] {50, -20},
            new long[] {100_000L, 0}));
    // long 400 ETH-PERP lots (4 ETH) with 500 USDC margin, entry notional paid from the quote
    // balance
    m.put(
        9L,
        leaf(
            2,
            0,
            1,
            new long[] {-11_500_000_000L, 0},
            new long[] {1, 0},
            new long[] {400, 0},
            new long[] {0, 0}));
    // short 200 ETH-PERP lots, long 10 BTC-PERP lots; funding index fell below the short's snapshot
    m.put(
        40L,
        leaf(
            3,
            17,
            0,
            new long[] {7_000_000_000L - 600_000_000L, 0},
            new long[] {1, 6},
            new long[] {-200, 10},
            new long[] {150_000L, -40_000L}));
    // 3,500 USDC and a debt of 1 ETH, no positions: healthy at 10,000 bps only if the debt were
    // valued at the
    // haircut price (E 0.8e18 nano) instead of the debt price (E 0.5e18 nano; MM 4.5e17 x 1.25)
    m.put(
        20L,
        leaf(
            5,
            0,
            1,
            new long[] {3_500_000_000L, -1_000_000_000L},
            new long[] {0, 0},
            new long[] {0, 0},
            new long[] {0, 0}));
    // an account with no positions
    m.put(
        63L,
        leaf(
            4,
            0,
            1,
            new long[] {250_000_000L, 1_000_000_000L},
            new long[] {0, 0},
            new long[] {0, 0},
            new long[] {0, 0}));
    return m;
  }

  static SparseMerkleTree stateTree(Map<Long, AccountLeaf> accounts) {
    SparseMerkleTree t = new SparseMerkleTree(SIZES.stateDepth());
    for (Map.Entry<Long, AccountLeaf> e : accounts.entrySet()) {
      Commitments.putAccount(t, e.getKey(), e.getValue());
    }
    return t;
  }
}
