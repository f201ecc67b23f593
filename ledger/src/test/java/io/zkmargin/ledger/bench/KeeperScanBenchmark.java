package io.zkmargin.ledger.bench;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.ledger.LiquidationScan;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import io.zkmargin.risk.vector.RiskVector;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The keeper's scan at a new risk root: the time to find the liquidatable accounts among 1,000,000
 * at production sizes (P8 A4 S16 T4) with the Java risk model ({@link LiquidationScan}, the
 * ledger's flat arrays). Accounts hold 1-8 positions in 256 instruments (perps and options, random
 * sizes) and 1-4 collateral assets; the new vector moves every mark 8% down so that a few percent
 * of the accounts fall under maintenance. Prints the best and median of several scans per thread
 * count.
 *
 * <pre>
 *   mvn -B -q -o -pl ledger -am test-compile -Dzkm.skipGoAndForge=true
 *   mvn -B -q -o -pl ledger dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 *   java -Xmx4g -cp ledger/target/test-classes:ledger/target/classes:commitment/target/classes:risk-model/target/classes:$(cat /tmp/cp.txt) \
 *       io.zkmargin.ledger.bench.KeeperScanBenchmark [accounts]
 * </pre>
 */
public final class KeeperScanBenchmark {
  private KeeperScanBenchmark() {}

  static final int INSTRUMENTS = 256;

  static RiskVector vector(CircuitSizes s, double markFactor, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int sc = s.scenarios();
    Map<Integer, InstrumentRiskEntry> m = new TreeMap<>();
    for (int i = 1; i <= INSTRUMENTS; i++) {
      boolean option = i % 4 == 0;
      long mark =
          (long) ((option ? 50_000_000L + r.nextInt(500_000_000) : 3_000_000_000L) * markFactor);
      long[] rmm = new long[sc];
      long[] rim = new long[sc];
      for (int k = 0; k < sc; k++) {
        double move = (k - sc / 2 + 0.5) / (sc / 2.0) * 0.15; // -15% .. +15%
        long v = (long) (3_000_000_000L * move * (option ? 0.5 + 0.02 * k : 1));
        rmm[k] = v;
        rim[k] = v * 3 / 2;
      }
      m.put(
          i,
          new InstrumentRiskEntry(
              mark, r.nextInt(1_000_000), option ? 100_000 : 1, option ? 150_000 : 1, rmm, rim));
    }
    int a = s.collateralAssets();
    long[] cp = new long[a];
    long[] dp = new long[a];
    long[][] c = new long[a][sc];
    for (int k = 0; k < a; k++) {
      dp[k] = k == 0 ? 1_000_000_000L : 3_000_000_000_000L / (k + 1);
      cp[k] = k == 0 ? dp[k] : dp[k] * 9 / 10;
      for (int j = 0; j < sc && k > 0; j++) {
        c[k][j] = (long) (cp[k] * ((j - sc / 2 + 0.5) / (sc / 2.0) * 0.15));
      }
    }
    long[] tiers = new long[s.tiers()];
    for (int t = 0; t < tiers.length; t++) {
      tiers[t] = 1_000_000 + 250_000L * t;
    }
    return new RiskVector(0, s, m, new RiskGlobals(tiers, cp, dp, c));
  }

  /** Entry point: optional account count (default 1,000,000). */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    CircuitSizes s = CircuitSizes.PRODUCTION;
    int p = s.positionSlots();
    int a = s.collateralAssets();
    SplittableRandom r = new SplittableRandom(42);
    long[] tier = new long[n];
    long[] bal = new long[n * a];
    long[] ids = new long[n * p];
    long[] qty = new long[n * p];
    long[] snap = new long[n * p];
    for (int i = 0; i < n; i++) {
      tier[i] = r.nextInt(s.tiers());
      int k = 1 + r.nextInt(p);
      long notional = 0;
      for (int j = 0; j < k; j++) {
        ids[i * p + j] = 1 + (i * 7L + j * 31L) % INSTRUMENTS; // distinct per account
        long q = 1 + r.nextInt(50);
        qty[i * p + j] = r.nextBoolean() ? q : -q;
        snap[i * p + j] = r.nextInt(1_000_000);
        notional += q * 3_000L;
      }
      // quote collateral about 10-40% of the notional (USDC), other assets sometimes
      bal[i * a] = notional * (100_000 + r.nextInt(300_000));
      for (int c = 1; c < a; c++) {
        bal[i * a + c] = r.nextInt(4) == 0 ? r.nextInt(1_000_000_000) : 0;
      }
    }
    RiskVector before = vector(s, 1.0, 7);
    RiskVector after = vector(s, 0.92, 7);
    System.out.printf(
        "accounts %,d; liquidatable before the move: %,d%n",
        n, LiquidationScan.scan(before, n, p, null, tier, bal, ids, qty, snap, 2).length);
    for (int threads : new int[] {1, 2}) {
      long[] times = new long[7];
      int found = 0;
      for (int run = 0; run < times.length; run++) {
        long t0 = System.nanoTime();
        found = LiquidationScan.scan(after, n, p, null, tier, bal, ids, qty, snap, threads).length;
        times[run] = System.nanoTime() - t0;
      }
      Arrays.sort(times);
      if (threads == 1) {
        // thread CPU time of one single-threaded scan: the per-core figure on a shared machine
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        LiquidationScan.scan(after, n, p, null, tier, bal, ids, qty, snap, 1);
        long c1 = mx.getCurrentThreadCpuTime();
        System.out.printf(
            "keeper scan, %,d accounts, 1 thread: %.3f s of CPU time (%.0f ns per account)%n",
            n, (c1 - c0) / 1e9, (double) (c1 - c0) / n);
      }
      System.out.printf(
          "keeper scan, %,d accounts (P8 A4 S16 T4), %d thread(s): best %.3f s, median %.3f s; %,d liquidatable%n",
          n, threads, times[0] / 1e9, times[times.length / 2] / 1e9, found);
    }
  }
}
