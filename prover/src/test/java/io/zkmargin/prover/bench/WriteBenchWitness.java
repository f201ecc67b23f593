package io.zkmargin.prover.bench;

import io.zkmargin.nativebridge.CircuitInfo;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.prover.KeyStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmark's witness JSON ({@link BenchFixture}) to a file, for the Go benchmark
 * ({@code ZKM_BENCH_WITNESS=<file> go test ./native/go/engine -run '^$' -bench Prove}), and makes
 * sure the production keys exist in the default key store, so the one-time development setup is not
 * part of any benchmark's setup. Prints one line: {@code circuit=<id> constraints=<n> account=<id>
 * thresholdBps=<bps> witnessBytes=<n>}.
 *
 * <p>Usage: {@code java -Dzkm.root=<repo> -cp <test classpath>
 * io.zkmargin.prover.bench.WriteBenchWitness <file>} (with {@code
 * LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}).
 */
public final class WriteBenchWitness {
  private WriteBenchWitness() {}

  /** Entry point; {@code args[0]} is the output file. */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: WriteBenchWitness <witness.json>");
      System.exit(2);
    }
    BenchFixture f = BenchFixture.build();
    Path out = Path.of(args[0]).toAbsolutePath();
    Files.createDirectories(out.getParent());
    Files.write(out, f.witnessJson());
    CircuitInfo info = Gnark.compile(f.circuitId());
    try (KeyStore keys = KeyStore.openDefault(true)) { // a benchmark: development keys are fine
      keys.ensureKeys(f.circuitId());
    }
    System.out.printf(
        "circuit=%s constraints=%d account=%d thresholdBps=%d witnessBytes=%d%n",
        f.circuitId(), info.constraints(), f.accountId(), f.thresholdBps(), f.witnessJson().length);
  }
}
