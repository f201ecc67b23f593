package io.zkmargin.ledger;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small market at the test sizes (D6 I3 P2 A2 S4 T2, K2, L2): asset 0 USDC (6 decimals), asset 1
 * ETH at 3000 USDC with a 10% haircut; instruments 1 = ETH-PERP (lot 0.01 ETH, 30 USDC), 4 = an ETH
 * call (premium 1.2 USDC per lot), 6 = BTC-PERP (lot 0.001 BTC, 60 USDC); instrument 2 is not
 * listed. Scenarios -15%, -5%, +5%, +15%.
 */
final class LedgerFixtures {
  static final LedgerConfig CONFIG = LedgerConfig.TEST;
  static final CircuitSizes SIZES = CONFIG.sizes();
  static final long T0 = 1_767_225_600L;
  static final long DAY = 86_400L;
  static final BigInteger DEPOSITOR =
      new BigInteger("a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", 16);

  private LedgerFixtures() {}

  static RiskGlobals globals() {
    return new RiskGlobals(
        new long[] {1_000_000, 1_250_000},
        new long[] {1_000_000_000L, 2_700_000_000L},
        new long[] {1_000_000_000L, 3_000_000_000L},
        new long[][] {
          {0, 0, 0, 0},
          {-450_000_000L, -150_000_000L, 150_000_000L, 450_000_000L}
        });
  }

  /** The risk commitment with ETH-PERP's funding index at {@code ethFunding}. */
  static RiskCommitment risk(long ethFunding) {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>();
    m.put(
        1L,
        new InstrumentRiskEntry(
            30_000_000L,
            ethFunding,
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
    return new RiskCommitment(SIZES, m, globals());
  }

  static RiskCommitment risk() {
    return risk(120_000L);
  }

  /**
   * {@link #risk()} after the ETH call (instrument 4) expired and settled at {@code value} quote
   * atoms per lot (risk encoding v2: mark = value, no floors, no risk).
   */
  static RiskCommitment riskWithCallSettled(long value) {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(risk().entries());
    m.put(4L, InstrumentRiskEntry.settledAt(value, 0, SIZES.scenarios()));
    return new RiskCommitment(SIZES, m, globals());
  }

  static EdwardsKeyPair key(long seed) {
    return new EdwardsKeyPair(
        BigInteger.valueOf(seed)
            .multiply(BigInteger.valueOf(1_000_000_007L))
            .add(BigInteger.valueOf(12345)));
  }

  /**
   * A ledger in a batch at {@link #T0} with the fee account 0 and accounts 1..n registered by
   * deposits of {@code deposit} quote atoms each; account i is owned by key(i), except that account
   * 3 (when present) is owned by key(1) (a sub-account of account 1).
   */
  static Ledger ledger(int n, long deposit) {
    Ledger l = new Ledger(CONFIG);
    EdwardsKeyPair fee = key(1_000);
    l.registerGenesis(0, fee.publicKey().x(), fee.publicKey().y(), DEPOSITOR, 0);
    for (int i = 1; i <= n; i++) {
      EdwardsKeyPair k = key(i == 3 ? 1 : i);
      Rule r = l.deposit(i, deposit, k.publicKey().x(), k.publicKey().y(), DEPOSITOR);
      if (!r.isOk()) {
        throw new IllegalStateException("fixture deposit refused: " + r);
      }
    }
    l.beginBatch(risk(), T0);
    return l;
  }

  /** A single-leg order (L = 2: the second leg unused). */
  static OrderMessage order(
      long account,
      long orderId,
      long quantity,
      long limit,
      long fee,
      long instrument,
      long ratio) {
    return OrderMessage.singleLeg(
        CONFIG.legs(), account, orderId, T0 + DAY, quantity, limit, fee, instrument, ratio);
  }

  /** Every observable value of a ledger, to show that a refused transition changes nothing. */
  static String state(Ledger l) {
    StringBuilder sb = new StringBuilder();
    for (long i = 0; i < l.accountLimit(); i++) {
      if (!l.isRegistered(i)) {
        continue;
      }
      sb.append(i).append(java.util.Arrays.toString(l.words(i)));
      for (int s = 0; s < (1 << CONFIG.orderDepth()); s++) {
        sb.append(',').append(l.orderSlotValue(i, s));
      }
      sb.append('\n');
    }
    for (int a = 0; a < SIZES.collateralAssets(); a++) {
      sb.append(l.netFlow(a)).append(' ');
    }
    sb.append(l.withdrawals());
    return sb.toString();
  }
}
