package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@code test-vectors/batch/messages.json} equals a fresh generation byte for byte and its
 * signatures verify as labelled. With {@code -Dzkm.writeVectors=true} it is (re)written first.
 */
class MessageVectorsTest {
  @Test
  void checkedInVectorsMatchGenerator() throws IOException {
    Path root = RepoRoot.find();
    String content = MessageVectors.generate();
    if (Boolean.getBoolean("zkm.writeVectors")) {
      CommitVectors.write(root, MessageVectors.FILE, content);
    }
    Path file = root.resolve(MessageVectors.FILE);
    assertTrue(
        Files.exists(file),
        MessageVectors.FILE + " is missing; regenerate with -Dzkm.writeVectors=true");
    assertArrayEquals(
        content.getBytes(StandardCharsets.UTF_8),
        Files.readAllBytes(file),
        MessageVectors.FILE
            + " differs from the generator; if intended regenerate with -Dzkm.writeVectors=true");
  }

  @Test
  void signaturesVerifyAsLabelled() throws IOException {
    JsonNode doc = new ObjectMapper().readTree(MessageVectors.generate());
    int invalid = 0;
    for (JsonNode c : doc.get("cases")) {
      EdwardsPoint pk =
          EdwardsPoint.of(
              new BigInteger(c.get("publicKeyX").asText()),
              new BigInteger(c.get("publicKeyY").asText()));
      EdDSA.Signature sig =
          new EdDSA.Signature(
              EdwardsPoint.of(
                  new BigInteger(c.get("rX").asText()), new BigInteger(c.get("rY").asText())),
              new BigInteger(c.get("s").asText()));
      BigInteger msg = new BigInteger(c.get("messageHash").asText());
      boolean valid = c.get("valid").asBoolean();
      invalid += valid ? 0 : 1;
      assertEquals(valid, EdDSA.verify(pk, msg, sig), c.toString());
      byte[] bytes = HexFormat.of().parseHex(c.get("signatureBytes").asText());
      assertArrayEquals(sig.toBytes(), bytes);
    }
    assertEquals(1, invalid);
  }
}
