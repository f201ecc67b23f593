package io.zkmargin.prover.bench;

import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.ProofResult;
import io.zkmargin.nativebridge.ProvingKeyHandle;
import io.zkmargin.nativebridge.VerifyingKeyHandle;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.NotHealthyException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of health proving at the production size ({@code health-D32-I12-P8-A4-S16-T4}),
 * one thread:
 *
 * <ul>
 *   <li>{@link #proveJni}: {@code Gnark.prove(pk, witnessJson)}, the JNI call alone, on the same
 *       witness JSON the Go benchmark {@code BenchmarkProve} proves: its mean over the Go ns/op is
 *       the JNI overhead ratio;
 *   <li>{@link #verifyJni}: {@code Gnark.verify} of one proof;
 *   <li>{@link #proveHealth}: {@link HealthProver#prove}, i.e. margin, witness assembly, JSON and
 *       the proof;
 *   <li>{@link #assembleWitness}: the Java work of {@link HealthProver#prove} before the JNI call
 *       (margin, Merkle path, risk openings, witness JSON), alone.
 * </ul>
 *
 * Times in milliseconds. Every forked JVM needs {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}
 * (inherited from the launching JVM's environment) and {@code -Dzkm.root=<repo>} so the default key
 * store (keys cached under {@code target/zkm-keys}) is found. With {@code
 * -Dzkm.bench.witness=<file>} the setup checks that the file (what the Go benchmark proved) holds
 * exactly this benchmark's witness. Run by {@code tools/bench-health.sh}.
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 10)
public class HealthProveBenchmark {

  private BenchFixture fixture;
  private KeyStore keys;
  private ProvingKeyHandle pk;
  private VerifyingKeyHandle vk;
  private ProofResult proof;
  private HealthProver prover;

  /**
   * Builds the fixture, loads the keys (a development setup if none are cached yet) and proves once
   * untimed: checks the witness, the public inputs and the verifier before anything is measured.
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    fixture = BenchFixture.build();
    String witnessFile = System.getProperty("zkm.bench.witness");
    if (witnessFile != null
        && !witnessFile.isBlank()
        && !Arrays.equals(Files.readAllBytes(Path.of(witnessFile)), fixture.witnessJson())) {
      throw new IllegalStateException(
          witnessFile
              + " is not this benchmark's witness: the Go and Java figures "
              + "would not be comparable (rewrite it with WriteBenchWitness)");
    }
    keys = KeyStore.openDefault(true); // a benchmark: development keys are fine
    pk = keys.provingKey(fixture.circuitId());
    vk = keys.verifyingKey(fixture.circuitId());
    prover = new HealthProver(keys);
    proof = Gnark.prove(pk, fixture.witnessJson());
    List<String> expected =
        Arrays.stream(fixture.publicInputs()).map(BigInteger::toString).toList();
    if (!proof.publicInputs().equals(expected)) {
      throw new IllegalStateException(
          "public inputs " + proof.publicInputs() + ", expected " + expected);
    }
    if (!Gnark.verify(vk, proof)) {
      throw new IllegalStateException("the setup proof does not verify");
    }
  }

  /** Releases the loaded keys. */
  @TearDown(Level.Trial)
  public void tearDown() {
    keys.close();
  }

  /** One Groth16 proof through JNI: witness JSON bytes in, proof bytes and public inputs out. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public ProofResult proveJni() {
    return Gnark.prove(pk, fixture.witnessJson());
  }

  /** One Groth16 verification through JNI (3 public inputs). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 5, time = 2)
  public boolean verifyJni() {
    return Gnark.verify(vk, proof);
  }

  /**
   * Margin, witness (Merkle path and risk openings) and its JSON bytes: what HealthProver adds to
   * the JNI call.
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 5, time = 2)
  public byte[] assembleWitness() {
    return BenchFixture.witness(fixture.venue(), fixture.accountId(), fixture.thresholdBps())
        .toJson()
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The whole Java API call: margin check, witness assembly (Merkle path, risk openings), JSON,
   * proof.
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public HealthProver.Proved proveHealth() throws NotHealthyException {
    return prover.prove(fixture.venue(), fixture.accountId(), fixture.thresholdBps());
  }
}
