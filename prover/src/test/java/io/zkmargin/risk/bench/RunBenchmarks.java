package io.zkmargin.risk.bench;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the risk-model JMH benchmarks with short iterations and prints a summary.
 *
 * <p>Run from the repository root:
 *
 * <pre>
 *   mvn -B -q -pl prover test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.zkmargin.risk.bench.RunBenchmarks
 * </pre>
 *
 * Arguments: optional regex of benchmark names (default: all). System property {@code
 * zkm.bench.fork} (default 0 under exec:java, where the forked JVM would not see the test
 * classpath; pass 1 when running with {@code java -cp <test classpath>}), {@code
 * zkm.bench.iterations} (default 3), {@code zkm.bench.seconds} (default 1).
 */
public final class RunBenchmarks {
  private RunBenchmarks() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int fork = Integer.getInteger("zkm.bench.fork", 0);
    int iterations = Integer.getInteger("zkm.bench.iterations", 3);
    int seconds = Integer.getInteger("zkm.bench.seconds", 1);
    ChainedOptionsBuilder ob =
        new OptionsBuilder()
            .include(MarginBenchmarks.class.getName() + (args.length > 0 ? "." + args[0] : ""))
            .forks(fork)
            .warmupIterations(iterations)
            .warmupTime(TimeValue.seconds(seconds))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(seconds))
            .jvmArgsAppend("-Xmx3g")
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true);
    if (Boolean.getBoolean("zkm.bench.cpuOnly")) {
      cpuTimeFigure();
      return;
    }
    for (RunResult r : new Runner(ob.build()).run()) {
      String name = r.getParams().getBenchmark();
      System.out.printf(
          "%-70s %14.3f %s%n",
          name, r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreUnit());
      var alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      if (alloc != null) {
        System.out.printf(
            "%-70s %14.3f %s%n", "  allocation", alloc.getScore(), alloc.getScoreUnit());
      }
    }
    cpuTimeFigure();
  }

  /**
   * Margin evaluations per second of thread CPU time (not wall time), so that the per-core figure
   * survives a machine shared with other processes.
   */
  static void cpuTimeFigure() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    MarginBenchmarks.OneAccount s = new MarginBenchmarks.OneAccount();
    s.setUp();
    MarginBenchmarks b = new MarginBenchmarks();
    long sink = 0;
    for (int i = 0; i < 3_000_000; i++) {
      sink += b.marginOneAccount(s) ? 1 : 0;
    }
    int n = 10_000_000;
    long c0 = mx.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      sink += b.marginOneAccount(s) ? 1 : 0;
    }
    long c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-70s %14.0f ops/s of CPU time (sink %d)%n",
        "marginOneAccount, per CPU-second", n / ((c1 - c0) / 1e9), sink);
    // 1,000,000 accounts on one thread, CPU time
    MarginBenchmarks.MillionAccounts m = new MarginBenchmarks.MillionAccounts();
    m.setUp();
    m.threads = 1;
    for (int i = 0; i < 3; i++) {
      sink += b.remarginMillionAccounts(m);
    }
    c0 = mx.getCurrentThreadCpuTime();
    sink += b.remarginMillionAccounts(m);
    c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-70s %14.1f ms of CPU time on one thread (%.1f ms on 2 cores ideal)%n",
        "remarginMillionAccounts", (c1 - c0) / 1e6, (c1 - c0) / 2e6);
    // risk vector of 1,000 options, entries built sequentially on this thread
    MarginBenchmarks.ThousandOptions t = new MarginBenchmarks.ThousandOptions();
    t.setUp();
    for (int r = 0; r < 5; r++) {
      for (var ins : t.instruments) {
        sink +=
            io.zkmargin.risk.vector.RiskVectorBuilder.DEFAULT
                .entry(t.venue.epoch(), ins, t.venue.config())
                .mark();
      }
    }
    c0 = mx.getCurrentThreadCpuTime();
    for (var ins : t.instruments) {
      sink +=
          io.zkmargin.risk.vector.RiskVectorBuilder.DEFAULT
              .entry(t.venue.epoch(), ins, t.venue.config())
              .mark();
    }
    c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-70s %14.1f ms of CPU time on one thread (%.1f ms on 2 cores ideal) %d%n",
        "riskVector entries for 1,002 instruments", (c1 - c0) / 1e6, (c1 - c0) / 2e6, sink & 1);
  }
}
