package io.zkmargin.dac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The member's decoder of untrusted witness JSON and its replay, fed mutated documents (seeded,
 * reproducible): every input is either accepted or refused with a {@link BatchRefusedException}
 * naming a check; nothing else is thrown, and a refusal leaves the member at genesis with nothing
 * stored. Sizes are bounded at the door (a document beyond {@value WitnessDocument#MAX_BYTES}
 * bytes, deep nesting, long strings and numbers are refused without being read into the tree).
 */
class WitnessDecoderPropertyTest {
  private static final String[] TOKENS = {
    "\"0\"",
    "\"1\"",
    "\"-1\"",
    "\"3\"",
    "\"99999999999999999999999999999999999999999999999999999999999999999999999999999\"",
    "null",
    "[]",
    "{}",
    "1e999",
    "\"\"",
    "\" 1\"",
    "\"0x10\"",
    "[[[[[[[[[[",
    "\"9223372036854775808\""
  };

  @Test
  void mutatedDocumentsAreAcceptedOrRefusedNeverCrash(@TempDir Path dir) throws Exception {
    DacFixtures fx = new DacFixtures();
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    DacMember member =
        DacMember.open(dir, fx.genesis, DacFixtures.CHAIN_ID, DacFixtures.SETTLEMENT, quiet);
    byte[] base = fx.json1.getBytes(StandardCharsets.UTF_8);
    Random rnd = new Random(20261201L);
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 250; i++) {
      byte[] doc = mutate(base, rnd);
      try {
        WitnessDocument.parse(doc);
      } catch (BatchRefusedException e) {
        assertNotNull(e.check());
      }
      try {
        member.submit(1, doc);
        accepted++;
        // only the original data is accepted (whitespace changes aside): reset the member
        assertEquals(fx.batch1.newRoot(), member.root());
        member = reopenFresh(dir.resolve("m" + i), fx, quiet);
      } catch (BatchRefusedException e) {
        refused++;
        assertNotNull(e.check());
        assertEquals(0, member.latestBatch());
        assertEquals(fx.genesis.root(), member.root());
      } catch (RuntimeException e) {
        fail("mutation " + i + " crashed the member: " + e, e);
      }
    }
    assertTrue(refused > 180, "most mutations are refused: " + refused);
    System.out.printf("zkm: dac decoder fuzz: %d accepted, %d refused%n", accepted, refused);
    assertTrue(Files.notExists(dir.resolve("batches/000001.json")) || accepted > 0);
  }

  private static DacMember reopenFresh(Path d, DacFixtures fx, PrintStream quiet) throws Exception {
    return DacMember.open(d, fx.genesis, DacFixtures.CHAIN_ID, DacFixtures.SETTLEMENT, quiet);
  }

  @Test
  void sizesAreBoundedAtTheDoor() {
    byte[] big = new byte[WitnessDocument.MAX_BYTES + 1];
    Arrays.fill(big, (byte) ' ');
    assertEquals(BatchRefusedException.Check.DOCUMENT, refusal(big));
    assertEquals(
        BatchRefusedException.Check.DOCUMENT,
        refusal("[".repeat(10_000).getBytes(StandardCharsets.US_ASCII)));
    String longNumber = "{\"circuitId\": \"" + "9".repeat(100_000) + "\"}";
    assertEquals(
        BatchRefusedException.Check.DOCUMENT,
        refusal(longNumber.getBytes(StandardCharsets.US_ASCII)));
    // N beyond 256 slots
    assertEquals(
        BatchRefusedException.Check.CIRCUIT_SIZES,
        refusal(
            "{\"circuitId\": \"batch-D6-I3-P2-A2-S4-T2-K2-L2-N999-R4\"}"
                .getBytes(StandardCharsets.US_ASCII)));
  }

  private static BatchRefusedException.Check refusal(byte[] doc) {
    try {
      WitnessDocument.parse(doc);
    } catch (BatchRefusedException e) {
      return e.check();
    }
    return null;
  }

  /** One to three random edits: flip a byte, truncate, splice a token, duplicate or cut a span. */
  private static byte[] mutate(byte[] base, Random rnd) {
    byte[] b = base.clone();
    int edits = 1 + rnd.nextInt(3);
    for (int e = 0; e < edits && b.length > 2; e++) {
      int at = rnd.nextInt(b.length);
      switch (rnd.nextInt(5)) {
        case 0 -> b[at] = (byte) rnd.nextInt(256);
        case 1 -> b = Arrays.copyOf(b, at);
        case 2 -> {
          // replace a quoted value with a token
          int q = indexOf(b, (byte) '"', at);
          int q2 = q < 0 ? -1 : indexOf(b, (byte) '"', q + 1);
          if (q2 > 0) {
            byte[] t = TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[b.length - (q2 + 1 - q) + t.length];
            System.arraycopy(b, 0, out, 0, q);
            System.arraycopy(t, 0, out, q, t.length);
            System.arraycopy(b, q2 + 1, out, q + t.length, b.length - q2 - 1);
            b = out;
          }
        }
        case 3 -> b[at] = (byte) ("0123456789".charAt(rnd.nextInt(10)));
        default -> {
          int len = Math.min(b.length - at, 1 + rnd.nextInt(200));
          byte[] out = new byte[b.length - len];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(b, at + len, out, at, b.length - at - len);
          b = out;
        }
      }
    }
    return b;
  }

  private static int indexOf(byte[] b, byte v, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }
}
