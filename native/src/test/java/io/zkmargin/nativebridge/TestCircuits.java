package io.zkmargin.nativebridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bridge's self-test circuit (native/go/engine/selftest.go): a*b = x, a+b = y, plus N
 * constraints.
 */
final class TestCircuits {
  static final String SELFTEST = "selftest-N64";

  /** CircuitSizes.TEST health circuit. */
  static final String HEALTH_TEST = "health-D6-I3-P2-A2-S4-T2";

  private TestCircuits() {}

  /** A satisfying witness: x = a*b, y = a+b. */
  static byte[] selfTestWitness(String id, long a, long b) {
    return json(id, Math.multiplyExact(a, b), Math.addExact(a, b), a, b);
  }

  static byte[] json(String id, long x, long y, long a, long b) {
    return String.format(
            "{\"circuitId\":\"%s\",\"x\":\"%d\",\"y\":\"%d\",\"a\":\"%d\",\"b\":\"%d\"}",
            id, x, y, a, b)
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A witness file of src/test/resources/witness/, generated from the Go health fixture (go test
   * ./native/go/engine -run TestJavaFixtures -update).
   */
  static byte[] witnessResource(String name) {
    try (InputStream in = TestCircuits.class.getResourceAsStream("/witness/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource witness/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
