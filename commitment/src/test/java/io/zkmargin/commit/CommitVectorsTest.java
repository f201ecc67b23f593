package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in vectors equal a fresh, deterministic generation byte for byte. With {@code
 * -Dzkm.writeVectors=true} the test (re)writes them into the repository first.
 */
class CommitVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void checkedInVectorsMatchGenerator(@TempDir Path tmp) throws IOException {
    Path root = CommitVectors.repoRoot();
    Map<String, String> files = CommitVectors.generate();
    if (Boolean.getBoolean("zkm.writeVectors")) {
      for (Map.Entry<String, String> e : files.entrySet()) {
        CommitVectors.write(root, e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, String> e : files.entrySet()) {
      CommitVectors.write(tmp, e.getKey(), e.getValue());
    }
    for (String rel : files.keySet()) {
      Path checkedIn = root.resolve(rel);
      if (!Files.exists(checkedIn)) {
        fail(rel + " is missing; regenerate with -Dzkm.writeVectors=true");
      }
      assertArrayEquals(
          Files.readAllBytes(tmp.resolve(rel)),
          Files.readAllBytes(checkedIn),
          rel
              + " differs from the generator; if the change is intended regenerate with -Dzkm.writeVectors=true");
    }
  }

  @Test
  void generationIsDeterministic() {
    assertEquals(CommitVectors.generate(), CommitVectors.generate());
  }

  @Test
  void vectorsAreValidJsonAndSelfConsistent() throws IOException {
    Map<String, String> files = CommitVectors.generate();
    JsonNode p2 = JSON.readTree(files.get("test-vectors/poseidon2.json"));
    assertEquals(56, p2.get("roundKeys").size());
    for (JsonNode c : p2.get("compress")) {
      assertEquals(
          new BigInteger(c.get("out").asText()),
          Poseidon2.compress(
              new BigInteger(c.get("left").asText()), new BigInteger(c.get("right").asText())));
    }
    JsonNode tree = JSON.readTree(files.get("test-vectors/commit/tree.json"));
    for (JsonNode t : tree.get("trees")) {
      BigInteger root = new BigInteger(t.get("root").asText());
      for (JsonNode p : t.get("paths")) {
        BigInteger[] path = new BigInteger[p.get("path").size()];
        for (int i = 0; i < path.length; i++) {
          path[i] = new BigInteger(p.get("path").get(i).asText());
        }
        assertEquals(t.get("depth").asInt(), path.length);
        assertTrue(
            SparseMerkleTree.verify(
                root, new BigInteger(p.get("leaf").asText()), p.get("index").asLong(), path));
      }
    }
    JsonNode expected = JSON.readTree(files.get("test-vectors/commit/health-expected.json"));
    assertEquals(CommitVectors.HEALTH_CASES.length, expected.get("cases").size());
    // the names say what the margin says
    for (JsonNode c : expected.get("cases")) {
      String file = c.get("file").asText();
      JsonNode w = JSON.readTree(files.get("test-vectors/commit/" + file));
      assertEquals(CircuitSizes.TEST.healthCircuitId(), w.get("circuitId").asText());
      assertEquals(c.get("publicInputs").get(0).asText(), w.get("stateRoot").asText());
      boolean healthy = c.get("healthy").asBoolean();
      assertEquals(!file.contains("unhealthy"), healthy, file);
    }
    JsonNode unhealthy = expected.get("cases").get(1);
    assertTrue(unhealthy.get("liquidatable").asBoolean());
    assertFalse(expected.get("cases").get(0).get("liquidatable").asBoolean());
    JsonNode eddsa = JSON.readTree(files.get("test-vectors/commit/eddsa.json"));
    for (JsonNode c : eddsa.get("cases")) {
      EdwardsPoint pk =
          EdwardsPoint.of(
              new BigInteger(c.get("publicKeyX").asText()),
              new BigInteger(c.get("publicKeyY").asText()));
      EdDSA.Signature sig =
          new EdDSA.Signature(
              EdwardsPoint.of(
                  new BigInteger(c.get("rX").asText()), new BigInteger(c.get("rY").asText())),
              new BigInteger(c.get("s").asText()));
      assertEquals(
          c.get("valid").asBoolean(),
          EdDSA.verify(pk, new BigInteger(c.get("message").asText()), sig));
    }
  }
}
