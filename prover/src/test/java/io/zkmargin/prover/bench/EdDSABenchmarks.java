package io.zkmargin.prover.bench;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.FastEdDSA;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.nativebridge.NativeEdDSA;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * EdDSA verifications per second of signed orders (64 keys, 256 orders): the native path ({@link
 * NativeEdDSA}, gnark-crypto through JNI), the Java Montgomery path ({@link FastEdDSA}) and the
 * BigInteger reference ({@link EdDSA#verify}). Never run by surefire.
 *
 * <pre>
 *   mvn -B -q -pl prover -am install -DskipTests -Dzkm.skipGoAndForge=true
 *   java -cp "$(cat prover/target/bench-cp.txt)" ... (see RunEdDSABenchmarks) or:
 *   mvn -B -q -pl prover exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.zkmargin.prover.bench.EdDSABenchmarks
 * </pre>
 *
 * With {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so} (every JVM that loads the native library).
 * Prints the JMH scores, then verifications per second of thread CPU time (the per-core figure on a
 * shared machine). System property {@code zkm.bench.cpuOnly=true} skips JMH.
 */
public class EdDSABenchmarks {

  /** 256 signed orders by 64 keys. */
  @State(Scope.Thread)
  public static class Signatures {
    static final int N = 256;
    final BigInteger[][] inputs = new BigInteger[N][];
    final byte[][] bytes = new byte[N][];
    final EdwardsPoint[] keys = new EdwardsPoint[N];
    final BigInteger[] messages = new BigInteger[N];
    final EdDSA.Signature[] sigs = new EdDSA.Signature[N];
    int i;

    @Setup(Level.Trial)
    public void setUp() {
      EdwardsKeyPair[] pairs = new EdwardsKeyPair[64];
      for (int k = 0; k < pairs.length; k++) {
        pairs[k] = new EdwardsKeyPair(BigInteger.valueOf(1_000_003L * (k + 1)));
      }
      for (int n = 0; n < N; n++) {
        EdwardsKeyPair key = pairs[n % pairs.length];
        OrderMessage o = OrderMessage.singleLeg(4, n, n + 1, 1_767_300_000L, 1, 1, 0, 1, 1);
        keys[n] = key.publicKey();
        messages[n] = o.messageHash();
        sigs[n] = o.sign(key);
        BigInteger[] in = {
          keys[n].x(), keys[n].y(), messages[n], sigs[n].r().x(), sigs[n].r().y(), sigs[n].s()
        };
        inputs[n] = in;
        byte[] b = new byte[NativeEdDSA.INPUT_BYTES];
        for (int p = 0; p < 6; p++) {
          byte[] v = in[p].toByteArray();
          int len = Math.min(v.length, 32);
          System.arraycopy(v, v.length - len, b, 32 * p + 32 - len, len);
        }
        bytes[n] = b;
      }
    }
  }

  /** Native: the 192-byte input prepared (as the sequencer would from the request bytes). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public boolean verifyNative(Signatures s) {
    return NativeEdDSA.verify(s.bytes[s.i++ & (Signatures.N - 1)]);
  }

  /** Native from BigIntegers (includes the 192-byte encoding). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public boolean verifyNativeFromBigIntegers(Signatures s) {
    BigInteger[] in = s.inputs[s.i++ & (Signatures.N - 1)];
    return NativeEdDSA.verify(in[0], in[1], in[2], in[3], in[4], in[5]);
  }

  /** Java Montgomery-form path. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public boolean verifyJavaFast(Signatures s) {
    int n = s.i++ & (Signatures.N - 1);
    return FastEdDSA.verify(s.keys[n], s.messages[n], s.sigs[n]);
  }

  /** Java BigInteger reference. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public boolean verifyReference(Signatures s) {
    int n = s.i++ & (Signatures.N - 1);
    return EdDSA.verify(s.keys[n], s.messages[n], s.sigs[n]);
  }

  /** Runs the benchmarks (optional regex argument) and prints the CPU-time figures. */
  public static void main(String[] args) throws Exception {
    if (!Boolean.getBoolean("zkm.bench.cpuOnly")) {
      int it = Integer.getInteger("zkm.bench.iterations", 3);
      int sec = Integer.getInteger("zkm.bench.seconds", 1);
      var opts =
          new OptionsBuilder()
              .include(EdDSABenchmarks.class.getName() + "." + (args.length > 0 ? args[0] : ""))
              .forks(0)
              .warmupIterations(it)
              .warmupTime(TimeValue.seconds(sec))
              .measurementIterations(it)
              .measurementTime(TimeValue.seconds(sec))
              .shouldFailOnError(true)
              .build();
      for (RunResult r : new Runner(opts).run()) {
        System.out.printf(
            "%-70s %12.1f %s%n",
            r.getParams().getBenchmark(),
            r.getPrimaryResult().getScore(),
            r.getPrimaryResult().getScoreUnit());
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Signatures s = new Signatures();
    s.setUp();
    EdDSABenchmarks b = new EdDSABenchmarks();
    int ok = 0;
    for (int i = 0; i < 5_000; i++) {
      ok += b.verifyNative(s) ? 1 : 0;
    }
    long c0 = mx.getCurrentThreadCpuTime();
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      ok += b.verifyNative(s) ? 1 : 0;
    }
    long c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-70s %12.0f verifications/s of CPU time%n",
        "NativeEdDSA.verify (gnark-crypto via JNI), per CPU-second", n / ((c1 - c0) / 1e9));
    for (int i = 0; i < 2_000; i++) {
      ok += b.verifyJavaFast(s) ? 1 : 0;
    }
    c0 = mx.getCurrentThreadCpuTime();
    n = 3_000;
    for (int i = 0; i < n; i++) {
      ok += b.verifyJavaFast(s) ? 1 : 0;
    }
    c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-70s %12.0f verifications/s of CPU time%n",
        "FastEdDSA.verify (Java Montgomery), per CPU-second", n / ((c1 - c0) / 1e9));
    c0 = mx.getCurrentThreadCpuTime();
    n = 100;
    for (int i = 0; i < n; i++) {
      ok += b.verifyReference(s) ? 1 : 0;
    }
    c1 = mx.getCurrentThreadCpuTime();
    System.out.printf(
        "%-70s %12.0f verifications/s of CPU time (%d valid)%n",
        "EdDSA.verify (BigInteger reference), per CPU-second", n / ((c1 - c0) / 1e9), ok);
  }
}
