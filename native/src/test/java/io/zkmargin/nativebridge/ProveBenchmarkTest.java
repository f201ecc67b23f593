package io.zkmargin.nativebridge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Java-side counterpart of the Go benchmark BenchmarkProve (native/go/engine/bench_test.go): the same
 * circuit and witness proved through JNI, so that the two times give the JNI overhead. Off unless
 * {@code -Dzkm.bench.witness=<witness JSON file>} is given:
 * <pre>
 * mvn -B -q -pl native test -Dtest=ProveBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dzkm.bench.witness=/path/w.json [-Dzkm.bench.circuit=health-D32-I12-P8-A4-S16-T4] [-Dzkm.bench.n=10]
 * ZKM_BENCH_WITNESS=/path/w.json go test ./native/go/engine -run '^$' -bench Prove -benchtime 10x
 * </pre>
 */
@EnabledIfSystemProperty(named = "zkm.bench.witness", matches = ".+")
class ProveBenchmarkTest {
    @Test
    void proveThroughJni() throws Exception {
        String id = System.getProperty("zkm.bench.circuit", "health-D32-I12-P8-A4-S16-T4");
        int n = Integer.getInteger("zkm.bench.n", 10);
        byte[] witness = Files.readAllBytes(Paths.get(System.getProperty("zkm.bench.witness")));
        long t0 = System.nanoTime();
        CircuitInfo info = Gnark.compile(id);
        long t1 = System.nanoTime();
        KeyPair keys = Gnark.setup(id);
        long t2 = System.nanoTime();
        try (ProvingKeyHandle pk = Gnark.loadProvingKey(id, keys.provingKey());
             VerifyingKeyHandle vk = Gnark.loadVerifyingKey(id, keys.verifyingKey())) {
            long t3 = System.nanoTime();
            assertTrue(Gnark.verify(vk, Gnark.prove(pk, witness))); // warm-up, checks the witness
            long total = 0;
            long best = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                Gnark.prove(pk, witness);
                long d = System.nanoTime() - s;
                total += d;
                best = Math.min(best, d);
            }
            System.out.printf("BenchmarkProve(JNI) %s: %d constraints, compile %.2f s, setup %.2f s, pk load %.2f s (%.1f MiB), "
                            + "prove mean %.1f ms, best %.1f ms over %d%n",
                    id, info.constraints(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9,
                    keys.provingKey().length / 1048576.0, total / 1e6 / n, best / 1e6, n);
        }
    }
}
