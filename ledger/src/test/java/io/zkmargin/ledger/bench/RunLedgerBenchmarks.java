package io.zkmargin.ledger.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link LedgerBenchmarks} with short iterations and prints transitions/s and verifications/s,
 * then the same figures per second of thread CPU time (so that the per-core figure survives a
 * machine shared with other processes).
 *
 * <pre>
 *   mvn -B -q -pl ledger -am test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.zkmargin.ledger.bench.RunLedgerBenchmarks
 * </pre>
 *
 * Arguments: optional regex of benchmark names (default: all). System properties {@code
 * zkm.bench.fork} (default 0), {@code zkm.bench.iterations} (default 3), {@code zkm.bench.seconds}
 * (default 1), {@code zkm.bench.cpuOnly} (only the CPU-time figures).
 */
public final class RunLedgerBenchmarks {
  private RunLedgerBenchmarks() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (!Boolean.getBoolean("zkm.bench.cpuOnly")) {
      int iterations = Integer.getInteger("zkm.bench.iterations", 3);
      int seconds = Integer.getInteger("zkm.bench.seconds", 1);
      var opts =
          new OptionsBuilder()
              .include(LedgerBenchmarks.class.getName() + (args.length > 0 ? "." + args[0] : ""))
              .forks(Integer.getInteger("zkm.bench.fork", 0))
              .warmupIterations(iterations)
              .warmupTime(TimeValue.seconds(seconds))
              .measurementIterations(iterations)
              .measurementTime(TimeValue.seconds(seconds))
              .shouldFailOnError(true)
              .build();
      for (RunResult r : new Runner(opts).run()) {
        System.out.printf(
            "%-60s %14.1f %s%n",
            r.getParams().getBenchmark(),
            r.getPrimaryResult().getScore(),
            r.getPrimaryResult().getScoreUnit());
      }
    }
    cpuTimeFigures();
  }

  static void cpuTimeFigures() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    LedgerBenchmarks b = new LedgerBenchmarks();
    LedgerBenchmarks.Trades t = new LedgerBenchmarks.Trades();
    t.setUp();
    for (int i = 0; i < 300_000; i++) {
      b.trade(t);
    }
    long refusedBefore = t.refused;
    int n = 1_000_000;
    long c0 = mx.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      b.trade(t);
    }
    long c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-60s %14.0f trades/s of CPU time (%d of %d refused)%n",
        "trade (production sizes, 10,000 accounts), per CPU-second",
        n / ((c1 - c0) / 1e9),
        t.refused - refusedBefore,
        n);
    LedgerBenchmarks.Signatures s = new LedgerBenchmarks.Signatures();
    s.setUp();
    int ok = 0;
    for (int i = 0; i < 5_000; i++) {
      ok += b.verifyFast(s) ? 1 : 0;
    }
    int v = 20_000;
    c0 = mx.getCurrentThreadCpuTime();
    for (int i = 0; i < v; i++) {
      ok += b.verifyFast(s) ? 1 : 0;
    }
    c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-60s %14.0f verifications/s of CPU time (%d valid of %d)%n",
        "FastEdDSA.verify, per CPU-second", v / ((c1 - c0) / 1e9), ok, v + 5_000);
    c0 = mx.getCurrentThreadCpuTime();
    int sub = 2_000;
    for (int i = 0; i < sub; i++) {
      ok += b.subgroupCheck(s) ? 1 : 0;
    }
    c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-60s %14.0f checks/s of CPU time%n",
        "FastEdDSA.inPrimeSubgroup (a first-seen key), per CPU-second", sub / ((c1 - c0) / 1e9));
    c0 = mx.getCurrentThreadCpuTime();
    int ref = 100;
    for (int i = 0; i < ref; i++) {
      ok += b.verifyReference(s) ? 1 : 0;
    }
    c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-60s %14.0f verifications/s of CPU time (%d)%n",
        "EdDSA.verify (BigInteger reference), per CPU-second", ref / ((c1 - c0) / 1e9), ok);
  }
}
