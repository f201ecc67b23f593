package io.zkmargin.risk.bench;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.vector.RiskVector;
import io.zkmargin.risk.vector.RiskVectorBuilder;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** JMH benchmarks of the risk model (production sizes: P=8, A=4, S=16, T=4). */
public class MarginBenchmarks {

  /** One account with 8 positions, evaluated again and again into a reused result. */
  @State(Scope.Thread)
  public static class OneAccount {
    RiskVector vector;
    AccountLeaf leaf;
    MarginResult result;

    @Setup(Level.Trial)
    public void setUp() {
      DemoVenue v = BenchFixtures.venue();
      vector = v.riskVector();
      leaf = BenchFixtures.eightPositions(v);
      result = new MarginResult(vector.scenarios());
    }
  }

  /**
   * Margin of one account (8 positions, 16 scenarios): throughput per core; no allocation per
   * evaluation.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public boolean marginOneAccount(OneAccount s) {
    MarginCalculator.DEFAULT.evaluate(s.vector, s.leaf, s.result);
    return s.result.isHealthy(10_000);
  }

  /**
   * 1,000,000 accounts in flat primitive arrays, re-margined against a new epoch's vector on all
   * cores.
   */
  @State(Scope.Benchmark)
  public static class MillionAccounts {
    static final int ACCOUNTS = 1_000_000;
    RiskVector vector;
    int a;
    int p;
    long[] tiers;
    long[] balances;
    long[] ids;
    long[] qty;
    long[] snaps;
    int threads;

    @Setup(Level.Trial)
    public void setUp() {
      DemoVenue v = DemoVenue.generate(4096, 11, BenchFixtures.SIZES);
      vector = v.riskVector();
      a = BenchFixtures.SIZES.collateralAssets();
      p = BenchFixtures.SIZES.positionSlots();
      tiers = new long[ACCOUNTS];
      balances = new long[ACCOUNTS * a];
      ids = new long[ACCOUNTS * p];
      qty = new long[ACCOUNTS * p];
      snaps = new long[ACCOUNTS * p];
      SplittableRandom r = new SplittableRandom(5);
      for (int i = 0; i < ACCOUNTS; i++) {
        AccountLeaf t = v.accounts().get(r.nextInt(v.accounts().size()));
        tiers[i] = t.tier();
        for (int k = 0; k < a; k++) {
          balances[i * a + k] = t.balances()[k] + r.nextLong(0, 1_000_000);
        }
        for (int j = 0; j < p; j++) {
          ids[i * p + j] = t.instrumentIds()[j];
          qty[i * p + j] = t.quantities()[j];
          snaps[i * p + j] = t.fundingSnapshots()[j];
        }
      }
      threads = Runtime.getRuntime().availableProcessors();
    }
  }

  /** Re-margins 1,000,000 accounts (all cores); returns the number of liquidatable accounts. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public long remarginMillionAccounts(MillionAccounts s) {
    int chunks = s.threads;
    return IntStream.range(0, chunks)
        .parallel()
        .mapToLong(
            c -> {
              int from = (int) ((long) MillionAccounts.ACCOUNTS * c / chunks);
              int to = (int) ((long) MillionAccounts.ACCOUNTS * (c + 1) / chunks);
              MarginResult r = new MarginResult(s.vector.scenarios());
              long[] b = new long[s.a];
              long[] id = new long[s.p];
              long[] q = new long[s.p];
              long[] sn = new long[s.p];
              long liquidatable = 0;
              for (int i = from; i < to; i++) {
                System.arraycopy(s.balances, i * s.a, b, 0, s.a);
                System.arraycopy(s.ids, i * s.p, id, 0, s.p);
                System.arraycopy(s.qty, i * s.p, q, 0, s.p);
                System.arraycopy(s.snaps, i * s.p, sn, 0, s.p);
                MarginCalculator.DEFAULT.evaluate(s.vector, s.tiers[i], b, id, q, sn, r);
                if (r.isLiquidatable()) {
                  liquidatable++;
                }
              }
              return liquidatable;
            })
        .sum();
  }

  /** Market data and 1,000 option instruments. */
  @State(Scope.Benchmark)
  public static class ThousandOptions {
    DemoVenue venue;
    List<Instrument> instruments;

    @Setup(Level.Trial)
    public void setUp() {
      venue = BenchFixtures.venue();
      instruments = BenchFixtures.thousandOptions(venue);
    }
  }

  /** Builds the full risk vector (entries for 1,000 options + 2 perps, globals) on all cores. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public RiskVector buildRiskVectorThousandOptions(ThousandOptions s) {
    return RiskVectorBuilder.DEFAULT.build(
        s.venue.epoch(), s.instruments, s.venue.assets(), s.venue.config(), BenchFixtures.SIZES);
  }
}
