package io.zkmargin.trading.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the trading JMH benchmarks with short iterations and prints a summary, then the same order
 * stream per second of thread CPU time (a figure that survives a machine shared with other
 * processes).
 *
 * <p>Run from the repository root (as prover's {@code io.zkmargin.risk.bench.RunBenchmarks}):
 *
 * <pre>
 *   mvn -B -q -pl trading test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.zkmargin.trading.bench.RunBenchmarks
 * </pre>
 *
 * System properties {@code zkm.bench.fork} (default 0), {@code zkm.bench.iterations} (default 3),
 * {@code zkm.bench.seconds} (default 1).
 */
public final class RunBenchmarks {
  private RunBenchmarks() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int fork = Integer.getInteger("zkm.bench.fork", 0);
    int iterations = Integer.getInteger("zkm.bench.iterations", 3);
    int seconds = Integer.getInteger("zkm.bench.seconds", 1);
    var opts =
        new OptionsBuilder()
            .include(TradingBenchmarks.class.getName() + (args.length > 0 ? "." + args[0] : ""))
            .forks(fork)
            .warmupIterations(iterations)
            .warmupTime(TimeValue.seconds(seconds))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(seconds))
            .jvmArgsAppend("-Xmx3g")
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true)
            .build();
    if (Boolean.getBoolean("zkm.bench.cpuOnly")) {
      cpuTimeFigure(false);
      cpuTimeFigure(true);
      return;
    }
    for (RunResult r : new Runner(opts).run()) {
      String name = r.getParams().getBenchmark() + " margin=" + r.getParams().getParam("margin");
      var p = r.getPrimaryResult();
      System.out.printf("%-90s %14.1f %s%n", name, p.getScore(), p.getScoreUnit());
      if (p.getStatistics().getN() > 1000) {
        System.out.printf(
            "%-90s p50 %.0f p99 %.0f p99.9 %.0f %s%n",
            "  latency",
            p.getStatistics().getPercentile(50),
            p.getStatistics().getPercentile(99),
            p.getStatistics().getPercentile(99.9),
            p.getScoreUnit());
      }
      var alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      if (alloc != null) {
        System.out.printf(
            "%-90s %14.3f %s%n", "  allocation", alloc.getScore(), alloc.getScoreUnit());
      }
    }
    cpuTimeFigure(false);
    cpuTimeFigure(true);
  }

  static void cpuTimeFigure(boolean margin) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    TradingBenchmarks.Stream s = new TradingBenchmarks.Stream();
    s.margin = margin;
    s.stream();
    long sink = 0;
    for (int round = 0; round < 3; round++) {
      s.engine();
      for (int k = 0; k < 1_000_000; k++) {
        sink += s.next();
      }
    }
    s.engine();
    int n = 1_000_000;
    long c0 = mx.getCurrentThreadCpuTime();
    for (int k = 0; k < n; k++) {
      sink += s.next();
    }
    long c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-90s %14.0f orders/s of CPU time (sink %d)%n",
        "singleLegOrder margin=" + margin + ", per CPU-second", n / ((c1 - c0) / 1e9), sink);
  }
}
