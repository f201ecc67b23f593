package io.zkmargin.prover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prints the summary of {@code tools/bench-health.sh} from its outputs: the constraint table, the
 * JMH results ({@code -rf json}) of {@link HealthProveBenchmark} and one or more outputs of the Go
 * benchmark ({@code go test -bench Prove}; the script runs it before and after JMH). The JNI
 * overhead ratio is the mean Java-side {@code Gnark.prove} time over the mean Go {@code
 * Engine.Prove} time (all Go proofs of all runs) for the same circuit and witness. Times in
 * milliseconds.
 *
 * <p>Usage: {@code BenchSummary <circuitId> <constraints.txt> <jmh.json>... --go
 * <go-bench.txt>...}; fails if an input lacks a figure.
 */
public final class BenchSummary {
  private BenchSummary() {}

  /**
   * One JMH result: score (mean for sample time), percentiles and sample count, in the result's
   * unit.
   */
  record Jmh(
      double mean, double error, double p50, double p95, double max, long samples, String unit) {}

  /** Entry point. */
  public static void main(String[] args) throws IOException {
    int goAt = Arrays.asList(args).indexOf("--go");
    if (args.length < 5 || goAt < 3 || goAt == args.length - 1) {
      System.err.println(
          "usage: BenchSummary <circuitId> <constraints.txt> <jmh.json>... --go <go-bench.txt>...");
      System.exit(2);
    }
    String circuit = args[0];
    Optional<Long> table = tableConstraints(Path.of(args[1]), circuit);
    Map<String, Jmh> jmh = new HashMap<>();
    for (int i = 2; i < goAt; i++) {
      jmh.putAll(jmhResults(Path.of(args[i])));
    }
    Jmh prove = require(jmh, "proveJni");
    Jmh health = require(jmh, "proveHealth");
    Jmh verify = require(jmh, "verifyJni");
    Jmh assemble = require(jmh, "assembleWitness");
    List<Map<String, Double>> goRuns = new ArrayList<>();
    for (int i = goAt + 1; i < args.length; i++) {
      Map<String, Double> go = goMetrics(Files.readAllLines(Path.of(args[i])));
      if (!go.containsKey("ns/op") || !go.containsKey("ops")) {
        throw new IllegalStateException(
            "no BenchmarkProve ns/op in the Go benchmark output " + args[i]);
      }
      goRuns.add(go);
    }
    // mean over all Go proofs of all runs (runs before and after JMH bracket the Java measurement)
    double goNanos = 0;
    long goOps = 0;
    for (Map<String, Double> go : goRuns) {
      goNanos += go.get("ns/op") * go.get("ops");
      goOps += go.get("ops").longValue();
    }
    double goMs = goNanos / goOps / 1e6;
    double javaMs = toMs(prove.mean(), prove.unit());
    Map<String, Double> go0 = goRuns.get(0);
    System.out.printf(
        "== health proving benchmarks, %s, %d cores ==%n",
        circuit, Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "constraints                      %s (circuits/constraints.txt), %s (compiled, Go bench)%n",
        table.map(String::valueOf).orElse("missing"),
        go0.containsKey("constraints")
            ? String.valueOf(go0.get("constraints").longValue())
            : "missing");
    for (int i = 0; i < goRuns.size(); i++) {
      Map<String, Double> go = goRuns.get(i);
      System.out.printf(
          "Go   Engine.Prove run %d          %.1f ms/op over %d ops (setup %.1f s, pk %.0f MiB)%n",
          i + 1,
          go.get("ns/op") / 1e6,
          go.get("ops").longValue(),
          go.getOrDefault("setup-s", Double.NaN),
          go.getOrDefault("pk-MiB", Double.NaN));
    }
    System.out.printf("Go   Engine.Prove mean           %.1f ms/op over %d ops%n", goMs, goOps);
    printSample("Java Gnark.prove (JNI, JMH)     ", prove);
    printSample("Java HealthProver.prove (JMH)   ", health);
    System.out.printf(
        "Java Gnark.verify (JNI, JMH)     %.3f ± %.3f ms/op, %d iterations%n",
        toMs(verify.mean(), verify.unit()), toMs(verify.error(), verify.unit()), verify.samples());
    System.out.printf(
        "JNI overhead ratio               %.3f (Java Gnark.prove mean %.1f ms / Go Engine.Prove mean %.1f ms)%n",
        javaMs / goMs, javaMs, goMs);
    System.out.printf(
        "Java witness assembly (JMH)      %.3f ± %.3f ms/op (margin, Merkle path, risk openings, JSON)%n",
        toMs(assemble.mean(), assemble.unit()), toMs(assemble.error(), assemble.unit()));
    if (table.isPresent()
        && go0.containsKey("constraints")
        && table.get() != go0.get("constraints").longValue()) {
      System.out.println("WARNING: the constraint table and the compiled circuit disagree");
    }
  }

  private static void printSample(String label, Jmh r) {
    System.out.printf(
        "%s p50 %.1f ms, p95 %.1f ms, mean %.1f ± %.1f ms, max %.1f ms, %d samples%n",
        label,
        toMs(r.p50(), r.unit()),
        toMs(r.p95(), r.unit()),
        toMs(r.mean(), r.unit()),
        toMs(r.error(), r.unit()),
        toMs(r.max(), r.unit()),
        r.samples());
  }

  private static Jmh require(Map<String, Jmh> jmh, String method) {
    Jmh r = jmh.get(method);
    if (r == null) {
      throw new IllegalStateException(
          "no JMH result for " + method + " (found " + jmh.keySet() + ")");
    }
    return r;
  }

  static double toMs(double value, String unit) {
    return switch (unit) {
      case "ms/op" -> value;
      case "us/op" -> value / 1e3;
      case "ns/op" -> value / 1e6;
      case "s/op" -> value * 1e3;
      default -> throw new IllegalArgumentException("unexpected JMH unit " + unit);
    };
  }

  /**
   * The count of {@code circuitId} in the constraint table ({@code <id> <count>} lines, #
   * comments).
   */
  static Optional<Long> tableConstraints(Path table, String circuitId) throws IOException {
    if (!Files.isRegularFile(table)) {
      return Optional.empty();
    }
    for (String line : Files.readAllLines(table)) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2 && f[0].equals(circuitId)) {
        return Optional.of(Long.parseLong(f[1]));
      }
    }
    return Optional.empty();
  }

  /**
   * The metrics of the first {@code BenchmarkProve} line of {@code go test -bench} output: {@code
   * ops} (b.N) and every {@code <value> <unit>} pair, e.g. {@code ns/op}, {@code constraints},
   * {@code setup-s}.
   */
  static Map<String, Double> goMetrics(List<String> lines) {
    Map<String, Double> m = new HashMap<>();
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 4 || !f[0].startsWith("BenchmarkProve")) {
        continue;
      }
      m.put("ops", Double.parseDouble(f[1]));
      for (int i = 2; i + 1 < f.length; i += 2) {
        m.put(f[i + 1], Double.parseDouble(f[i]));
      }
      break;
    }
    return m;
  }

  /** JMH JSON results by benchmark method name. */
  static Map<String, Jmh> jmhResults(Path json) throws IOException {
    Map<String, Jmh> out = new HashMap<>();
    for (JsonNode b : new ObjectMapper().readTree(json.toFile())) {
      String name = b.get("benchmark").asText();
      JsonNode pm = b.get("primaryMetric");
      JsonNode pct = pm.get("scorePercentiles");
      long samples = 0;
      JsonNode hist = pm.get("rawDataHistogram");
      if (hist != null) { // sample time: [fork][iteration][[value, count], ...]
        for (JsonNode fork : hist) {
          for (JsonNode iteration : fork) {
            for (JsonNode bin : iteration) {
              samples += bin.get(1).asLong();
            }
          }
        }
      } else {
        JsonNode raw = pm.get("rawData");
        for (JsonNode fork : raw) {
          samples += fork.size();
        }
      }
      out.put(
          name.substring(name.lastIndexOf('.') + 1),
          new Jmh(
              pm.get("score").asDouble(),
              pm.get("scoreError").asDouble(Double.NaN),
              pct.get("50.0").asDouble(),
              pct.get("95.0").asDouble(),
              pct.get("100.0").asDouble(),
              samples,
              pm.get("scoreUnit").asText()));
    }
    return out;
  }
}
