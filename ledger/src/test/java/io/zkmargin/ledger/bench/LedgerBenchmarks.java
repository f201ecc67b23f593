package io.zkmargin.ledger.bench;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.FastEdDSA;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.LedgerConfig;
import io.zkmargin.ledger.Rule;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH benchmarks of the sequencer's two hot paths at production sizes (P=8, A=4, S=16, T=4, K=8,
 * L=4): ledger transitions with signatures checked apart, and EdDSA verification.
 */
public class LedgerBenchmarks {
  static final LedgerConfig CONFIG = LedgerConfig.PRODUCTION;
  static final int ACCOUNTS = 10_000;
  static final int INSTRUMENTS = 8;

  /** A risk commitment with 8 perpetuals (ids 1..8), 16 scenarios of -15%..+15%. */
  static RiskCommitment risk() {
    CircuitSizes s = CONFIG.sizes();
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>();
    for (long id = 1; id <= INSTRUMENTS; id++) {
      long mark = 10_000_000L * id;
      long[] rmm = new long[s.scenarios()];
      long[] rim = new long[s.scenarios()];
      for (int k = 0; k < rmm.length; k++) {
        long move = (k - 8) * 2; // percent, -16..+14
        rmm[k] = mark * move / 100;
        rim[k] = mark * move * 3 / 200;
      }
      m.put(id, new InstrumentRiskEntry(mark, 1_000L * id, 1, 1, rmm, rim));
    }
    long[][] c = new long[s.collateralAssets()][s.scenarios()];
    long[] cp = new long[s.collateralAssets()];
    long[] dp = new long[s.collateralAssets()];
    for (int a = 0; a < cp.length; a++) {
      cp[a] = 1_000_000_000L;
      dp[a] = 1_000_000_000L;
    }
    RiskGlobals g =
        new RiskGlobals(new long[] {1_000_000, 1_100_000, 1_200_000, 1_500_000}, cp, dp, c);
    return new RiskCommitment(s, m, g);
  }

  /** 10,000 funded accounts and a stream of single-leg trades between random pairs. */
  @State(Scope.Thread)
  public static class Trades {
    Ledger ledger;
    SplittableRandom rnd;
    long orderId;
    long refused;
    final long[] prices = new long[CONFIG.legs()];

    @Setup(Level.Trial)
    public void setUp() {
      ledger = new Ledger(CONFIG);
      BigInteger x = EdwardsPoint.BASE.x();
      BigInteger y = EdwardsPoint.BASE.y();
      for (long i = 0; i < ACCOUNTS; i++) {
        ledger.deposit(i, 1_000_000_000_000L, x, y, BigInteger.ONE); // 1,000,000 USDC each
      }
      ledger.beginBatch(risk(), 1_767_225_600L);
      rnd = new SplittableRandom(1);
      orderId = 1;
    }

    /** One trade of 1..3 lots between two random accounts at the mark; returns the rule. */
    Rule next() {
      long m = rnd.nextInt(1, ACCOUNTS);
      long t = rnd.nextInt(1, ACCOUNTS);
      if (t == m) {
        t = m == 1 ? 2 : m - 1;
      }
      long id = rnd.nextInt(1, INSTRUMENTS + 1);
      long side = rnd.nextBoolean() ? 1 : -1;
      long price = 10_000_000L * id;
      long lots = rnd.nextInt(1, 4);
      prices[0] = price;
      OrderMessage maker =
          OrderMessage.singleLeg(
              CONFIG.legs(), m, orderId++, 1_767_300_000L, lots, side * price, 5, id, side);
      OrderMessage taker =
          OrderMessage.singleLeg(
              CONFIG.legs(), t, orderId++, 1_767_300_000L, lots, -side * price, 5, id, -side);
      Rule r = ledger.trade(maker, taker, lots, prices);
      if (!r.isOk()) {
        refused++;
      }
      return r;
    }
  }

  /** A ring of signed orders by 64 keys (keys' subgroup checks cached after the first pass). */
  @State(Scope.Thread)
  public static class Signatures {
    static final int N = 256;
    EdwardsPoint[] keys = new EdwardsPoint[N];
    BigInteger[] messages = new BigInteger[N];
    EdDSA.Signature[] sigs = new EdDSA.Signature[N];
    int i;

    @Setup(Level.Trial)
    public void setUp() {
      EdwardsKeyPair[] pairs = new EdwardsKeyPair[64];
      for (int k = 0; k < pairs.length; k++) {
        pairs[k] = new EdwardsKeyPair(BigInteger.valueOf(1_000_003L * (k + 1)));
      }
      for (int n = 0; n < N; n++) {
        EdwardsKeyPair key = pairs[n % pairs.length];
        OrderMessage o =
            OrderMessage.singleLeg(CONFIG.legs(), n, n + 1, 1_767_300_000L, 1, 1, 0, 1, 1);
        keys[n] = key.publicKey();
        messages[n] = o.messageHash();
        sigs[n] = o.sign(key);
      }
    }
  }

  /** One trade (maker + taker order, signatures checked apart) on the production-size ledger. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Rule trade(Trades s) {
    return s.next();
  }

  /** One EdDSA verification by {@link FastEdDSA} (key's subgroup check cached). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public boolean verifyFast(Signatures s) {
    int n = s.i++ & (Signatures.N - 1);
    return FastEdDSA.verify(s.keys[n], s.messages[n], s.sigs[n]);
  }

  /** The subgroup check of a new key (what a first-seen key adds to a fast verification). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public boolean subgroupCheck(Signatures s) {
    int n = s.i++ & (Signatures.N - 1);
    return FastEdDSA.inPrimeSubgroup(s.keys[n]);
  }

  /** One EdDSA verification by the reference BigInteger {@link EdDSA#verify}. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public boolean verifyReference(Signatures s) {
    int n = s.i++ & (Signatures.N - 1);
    return EdDSA.verify(s.keys[n], s.messages[n], s.sigs[n]);
  }
}
