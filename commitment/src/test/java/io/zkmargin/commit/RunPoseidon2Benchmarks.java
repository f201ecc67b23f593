package io.zkmargin.commit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link Poseidon2Benchmarks} with short iterations and prints each figure and the new/old
 * ratios of the same run, then the compressions per second of thread CPU time (a figure that
 * survives a machine shared with other processes).
 *
 * <pre>
 *   mvn -B -q -pl commitment -am test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.zkmargin.commit.RunPoseidon2Benchmarks
 * </pre>
 *
 * Arguments: optional regex of benchmark names (default: all). System properties {@code
 * zkm.bench.fork} (default 0), {@code zkm.bench.iterations} (default 3), {@code zkm.bench.seconds}
 * (default 1), {@code zkm.bench.cpuOnly} (only the CPU-time figures).
 */
public final class RunPoseidon2Benchmarks {
  private RunPoseidon2Benchmarks() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (!Boolean.getBoolean("zkm.bench.cpuOnly")) {
      int iterations = Integer.getInteger("zkm.bench.iterations", 3);
      int seconds = Integer.getInteger("zkm.bench.seconds", 1);
      var opts =
          new OptionsBuilder()
              .include(Poseidon2Benchmarks.class.getName() + (args.length > 0 ? "." + args[0] : ""))
              .forks(Integer.getInteger("zkm.bench.fork", 0))
              .warmupIterations(iterations)
              .warmupTime(TimeValue.seconds(seconds))
              .measurementIterations(iterations)
              .measurementTime(TimeValue.seconds(seconds))
              .shouldFailOnError(true)
              .build();
      Map<String, Double> score = new LinkedHashMap<>();
      for (RunResult r : new Runner(opts).run()) {
        String name = r.getParams().getBenchmark();
        name = name.substring(name.lastIndexOf('.') + 1);
        score.put(name, r.getPrimaryResult().getScore());
        System.out.printf(
            "%-24s %14.1f %s%n",
            name, r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreUnit());
      }
      for (String op : new String[] {"compress", "leafUpdate", "transfer"}) {
        Double o = score.get(op + "Old");
        Double n = score.get(op + "New");
        if (o != null && n != null) {
          System.out.printf("%-24s %14.2f (new / old, same run)%n", op + " ratio", n / o);
        }
      }
      Double ref = score.get("compressReference");
      if (ref != null && score.containsKey("compressNew")) {
        System.out.printf(
            "%-24s %14.2f (new / BigInteger reference)%n",
            "compress vs reference", score.get("compressNew") / ref);
      }
    }
    cpuTimeFigures();
  }

  static void cpuTimeFigures() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Poseidon2Benchmarks b = new Poseidon2Benchmarks();
    Poseidon2Benchmarks.Pair p = new Poseidon2Benchmarks.Pair();
    p.setUp();
    int n = 40_000;
    for (int round = 0; round < 3; round++) {
      long c0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        b.compressOld(p);
      }
      long c1 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        b.compressNew(p);
      }
      long c2 = mx.getCurrentThreadCpuTime();
      if (round == 2) { // the first two warm up
        double old = n / ((c1 - c0) / 1e9);
        double now = n / ((c2 - c1) / 1e9);
        System.out.printf(
            "%-24s old %,.0f  new %,.0f compressions/s of CPU time (ratio %.2f)%n",
            "compress, per CPU-second", old, now, now / old);
      }
    }
  }
}
