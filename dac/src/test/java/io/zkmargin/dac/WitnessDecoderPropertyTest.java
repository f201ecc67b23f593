package io.zkmargin.dac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.commit.Fr;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  /** Interesting field values for a trade field: bounds of words, of signed words, of the field. */
  private static final String[] TRADE_VALUES = {
    "0",
    "1",
    "2",
    "3",
    "4",
    "65537",
    "9223372036854775807",
    "9223372036854775808",
    Fr.MODULUS.subtract(BigInteger.ONE).toString(),
    Fr.MODULUS.subtract(BigInteger.ONE.shiftLeft(63)).toString(),
    Fr.MODULUS.subtract(BigInteger.ONE.shiftLeft(63)).subtract(BigInteger.ONE).toString(),
    Fr.MODULUS.toString(),
    "-1",
    "31000000"
  };

  /** The trade fields of a slot a mutation may change. */
  private static final String[] TRADE_FIELDS = {
    "amount",
    "accountId",
    "toAccountId",
    "sigS",
    "takerSigRX",
    "takerSigS",
    "instrumentId",
    "ratio",
    "price",
    "makerPos",
    "takerPos",
    "legRow",
    "maker.orderId",
    "maker.expiry",
    "maker.quantity",
    "maker.limitPrice",
    "maker.feePerUnit",
    "taker.orderId",
    "taker.limitPrice",
    "taker.feePerUnit"
  };

  /**
   * The trade batch (batch 3, at a member holding batches 1 and 2): byte mutations of the whole
   * document and targeted changes of its trade fields (one or two, with the dataHash recomputed
   * half of the time so that the change reaches the replay). Accepted or refused naming a check,
   * never a crash; a refusal leaves the member at batch 2.
   */
  @Test
  void mutatedTradeDocumentsAreAcceptedOrRefusedNeverCrash(@TempDir Path dir) throws Exception {
    DacFixtures fx = new DacFixtures();
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    DacMember member = atBatch2(dir.resolve("m"), fx, quiet);
    Random rnd = new Random(20261202L);
    byte[] base = fx.json3.getBytes(StandardCharsets.UTF_8);
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 160; i++) {
      byte[] doc;
      if (i % 4 == 0) {
        doc = mutate(base, rnd);
      } else {
        List<java.util.function.Consumer<ObjectNode>> edits = new ArrayList<>();
        for (int e = 0; e < 1 + rnd.nextInt(2); e++) {
          edits.add(tradeEdit(rnd));
        }
        doc = DacFixtures.edit(fx.json3, o -> edits.forEach(e -> e.accept(o)), rnd.nextBoolean());
      }
      try {
        member.submit(3, doc);
        accepted++;
        assertEquals(fx.batch3.newRoot(), member.root(), "mutation " + i);
        // the same data: a change the replay cannot see (a field no kind reads) is not signed
        assertEquals(fx.batch3.dataHash(), WitnessDocument.parse(doc).dataHash(), "mutation " + i);
        member = atBatch2(dir.resolve("m" + i), fx, quiet);
      } catch (BatchRefusedException e) {
        refused++;
        assertNotNull(e.check());
        assertEquals(2, member.latestBatch());
        assertEquals(fx.batch2.newRoot(), member.root());
      } catch (RuntimeException e) {
        fail("trade mutation " + i + " crashed the member: " + e, e);
      }
    }
    assertTrue(refused > 120, "most mutations are refused: " + refused);
    System.out.printf("zkm: dac trade decoder fuzz: %d accepted, %d refused%n", accepted, refused);
  }

  /** The liquidation-slot fields a mutation may change (arrays: one element). */
  private static final String[] LIQ_FIELDS = {
    "kind",
    "accountId",
    "liquidatorId",
    "keeper",
    "nonce",
    "penalty",
    "scenario",
    "sigRX",
    "sigS",
    "takeLots",
    "takeAtoms",
    "liqPos",
    "requestsHash"
  };

  /**
   * The liquidation batch (batch 4, at a member holding batches 1 to 3): byte mutations and
   * targeted changes of its liquidation slot's fields and of requestsHash (one or two, the dataHash
   * recomputed half of the time). Accepted only as the original (same root and dataHash), else
   * refused naming a check, never a crash; a refusal leaves the member at batch 3.
   */
  @Test
  void mutatedLiquidationDocumentsAreAcceptedOrRefusedNeverCrash(@TempDir Path dir)
      throws Exception {
    DacFixtures fx = new DacFixtures();
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    DacMember member = atBatch3(dir.resolve("m"), fx, quiet);
    Random rnd = new Random(20261203L);
    byte[] base = fx.json4.getBytes(StandardCharsets.UTF_8);
    int accepted = 0;
    int refused = 0;
    java.util.Set<String> checks = new java.util.TreeSet<>();
    for (int i = 0; i < 120; i++) {
      byte[] doc;
      if (i % 4 == 0) {
        doc = mutate(base, rnd);
      } else {
        List<java.util.function.Consumer<ObjectNode>> edits = new ArrayList<>();
        for (int e = 0; e < 1 + rnd.nextInt(2); e++) {
          edits.add(liqEdit(rnd));
        }
        doc = DacFixtures.edit(fx.json4, o -> edits.forEach(e -> e.accept(o)), rnd.nextBoolean());
      }
      try {
        member.submit(4, doc);
        accepted++;
        assertEquals(fx.batch4.newRoot(), member.root(), "mutation " + i);
        assertEquals(fx.batch4.dataHash(), WitnessDocument.parse(doc).dataHash(), "mutation " + i);
        member = atBatch3(dir.resolve("m" + i), fx, quiet);
      } catch (BatchRefusedException e) {
        refused++;
        assertNotNull(e.check());
        checks.add(e.check().name());
        assertEquals(3, member.latestBatch());
        assertEquals(fx.batch3.newRoot(), member.root());
      } catch (RuntimeException e) {
        fail("liquidation mutation " + i + " crashed the member: " + e, e);
      }
    }
    assertTrue(refused > 90, "most mutations are refused: " + refused);
    assertTrue(checks.contains("LIQUIDATION"), "the replay reached the liquidation: " + checks);
    System.out.printf(
        "zkm: dac liquidation decoder fuzz: %d accepted, %d refused %s%n",
        accepted, refused, checks);
  }

  /** Values a forced-withdrawal mutation may write: kinds, the owner, amounts, range edges. */
  private static final String[] FORCED_VALUES = {
    "0",
    "1",
    "6",
    "8",
    "9",
    "5000000",
    "5000001",
    "1000000000",
    DacFixtures.DEPOSITOR.toString(),
    DacFixtures.DEPOSITOR.add(BigInteger.ONE).toString(),
    BigInteger.ONE.shiftLeft(160).toString(),
    "9223372036854775807",
    "9223372036854775808",
    Fr.MODULUS.subtract(BigInteger.ONE).toString()
  };

  /**
   * Batch 4 as a forced withdrawal (paid: 5 USDC from account 1 by its l1Address; refused: 1,000
   * USDC, beyond its IM), at a member holding batches 1 to 3: accepted as written; a kind, a
   * requester or an amount changed (dataHash recomputed, so the replay judges it) is refused naming
   * FORCED_WITHDRAWAL with the ledger's reason, a changed requestsHash REQUESTS_HASH; a refusal
   * leaves the member at batch 3.
   */
  @Test
  void forcedWithdrawalSlots_replayedAndRefusedWhenTheyDisagree(@TempDir Path dir)
      throws Exception {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    DacFixtures paid = new DacFixtures(DacFixtures.DEPOSITOR, 5 * DacFixtures.USDC);
    DacFixtures refused = new DacFixtures(DacFixtures.DEPOSITOR, 1_000 * DacFixtures.USDC);
    assertEquals(io.zkmargin.ledger.Rule.OK, paid.forcedOutcome);
    assertEquals(io.zkmargin.ledger.Rule.IM_BROKEN, refused.forcedOutcome);
    DacMember m = atBatch3(dir.resolve("paid"), paid, quiet);
    long before = m.account(1).leaf().account().balances()[0];
    m.submit(4, DacFixtures.bytes(paid.json4));
    assertEquals(paid.batch4.newRoot(), m.root());
    assertEquals(before - 5 * DacFixtures.USDC, m.account(1).leaf().account().balances()[0]);
    DacMember r = atBatch3(dir.resolve("refused"), refused, quiet);
    r.submit(4, DacFixtures.bytes(refused.json4));
    assertEquals(refused.batch4.newRoot(), r.root());
    assertEquals(refused.batch3.newRoot(), r.root(), "a refusal moves nothing");

    record Case(
        String name,
        DacFixtures fx,
        java.util.function.Consumer<ObjectNode> edit,
        String check,
        String why) {}
    List<Case> cases =
        List.of(
            new Case(
                "paid read as refused",
                paid,
                DacFixtures.liqField(0, "kind", "9"),
                "FORCED_WITHDRAWAL",
                "the ledger pays it"),
            new Case(
                "refused read as paid",
                refused,
                DacFixtures.liqField(0, "kind", "8"),
                "FORCED_WITHDRAWAL",
                "IM_BROKEN"),
            new Case(
                "paid to a stranger",
                paid,
                DacFixtures.liqField(0, "keeper", "48879"),
                "FORCED_WITHDRAWAL",
                "NOT_OWNER"),
            new Case(
                "paid from an empty leaf",
                paid,
                DacFixtures.liqField(0, "accountId", "9"),
                "FORCED_WITHDRAWAL",
                "UNKNOWN_ACCOUNT"),
            new Case(
                "amount 0",
                paid,
                DacFixtures.liqField(0, "penalty", "0"),
                "FORCED_WITHDRAWAL",
                "amount"),
            new Case(
                "a nonce where none is read",
                paid,
                DacFixtures.liqField(0, "nonce", "1"),
                "FORCED_WITHDRAWAL",
                "not 0"),
            new Case(
                "a take where none is read",
                refused,
                DacFixtures.liqArray(0, "takeLots", 0, "1"),
                "FORCED_WITHDRAWAL",
                "not 0"),
            new Case(
                "requestsHash of the liquidation entry",
                paid,
                o ->
                    o.put(
                        "requestsHash",
                        io.zkmargin.commit.Poseidon2.compress(
                                BigInteger.ZERO,
                                io.zkmargin.commit.Poseidon2.compress(
                                    BigInteger.ONE, DacFixtures.DEPOSITOR))
                            .toString()),
                "REQUESTS_HASH",
                "request list"),
            new Case(
                "paid but not withdrawn",
                paid,
                o -> o.put("withdrawalsHash", "0"),
                "WITHDRAWALS_HASH",
                "withdrawal list"));
    int k = 0;
    for (Case c : cases) {
      DacMember at3 = atBatch3(dir.resolve("c" + k++), c.fx, quiet);
      BatchRefusedException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              BatchRefusedException.class,
              () -> at3.submit(4, DacFixtures.edit(c.fx.json4, c.edit, true)),
              c.name);
      assertEquals(c.check, e.check().name(), c.name + ": " + e.getMessage());
      assertTrue(e.getMessage().contains(c.why), c.name + ": " + e.getMessage());
      assertEquals(c.fx.batch3.newRoot(), at3.root(), c.name);
    }
  }

  /**
   * The forced-withdrawal batch (paid) mutated as the liquidation batch above, with the values a
   * request slot reads: accepted only as the original, else refused naming a check, never a crash.
   */
  @Test
  void mutatedForcedDocumentsAreAcceptedOrRefusedNeverCrash(@TempDir Path dir) throws Exception {
    DacFixtures fx = new DacFixtures(DacFixtures.DEPOSITOR, 5 * DacFixtures.USDC);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    DacMember member = atBatch3(dir.resolve("m"), fx, quiet);
    Random rnd = new Random(20261201L);
    byte[] base = fx.json4.getBytes(StandardCharsets.UTF_8);
    int accepted = 0;
    int refusedCount = 0;
    java.util.Set<String> checks = new java.util.TreeSet<>();
    for (int i = 0; i < 100; i++) {
      byte[] doc;
      if (i % 5 == 0) {
        doc = mutate(base, rnd);
      } else {
        List<java.util.function.Consumer<ObjectNode>> edits = new ArrayList<>();
        for (int e = 0; e < 1 + rnd.nextInt(2); e++) {
          String f = LIQ_FIELDS[rnd.nextInt(LIQ_FIELDS.length)];
          String v = FORCED_VALUES[rnd.nextInt(FORCED_VALUES.length)];
          if (f.equals("requestsHash")) {
            edits.add(o -> o.put(f, v));
          } else if (List.of(WitnessDocument.LIQ_ARRAYS).contains(f)) {
            edits.add(DacFixtures.liqArray(0, f, rnd.nextInt(2), v));
          } else {
            edits.add(DacFixtures.liqField(0, f, v));
          }
        }
        doc = DacFixtures.edit(fx.json4, o -> edits.forEach(e -> e.accept(o)), rnd.nextInt(4) > 0);
      }
      try {
        member.submit(4, doc);
        accepted++;
        assertEquals(fx.batch4.newRoot(), member.root(), "mutation " + i);
        assertEquals(fx.batch4.dataHash(), WitnessDocument.parse(doc).dataHash(), "mutation " + i);
        member = atBatch3(dir.resolve("m" + i), fx, quiet);
      } catch (BatchRefusedException e) {
        refusedCount++;
        assertNotNull(e.check());
        checks.add(e.check().name());
        assertEquals(3, member.latestBatch());
        assertEquals(fx.batch3.newRoot(), member.root());
      } catch (RuntimeException e) {
        fail("forced-withdrawal mutation " + i + " crashed the member: " + e, e);
      }
    }
    assertTrue(refusedCount > 75, "most mutations are refused: " + refusedCount);
    assertTrue(checks.contains("FORCED_WITHDRAWAL"), "the replay reached the slot: " + checks);
    System.out.printf(
        "zkm: dac forced-withdrawal decoder fuzz: %d accepted, %d refused %s%n",
        accepted, refusedCount, checks);
  }

  private static java.util.function.Consumer<ObjectNode> liqEdit(Random rnd) {
    String f = LIQ_FIELDS[rnd.nextInt(LIQ_FIELDS.length)];
    String v = TRADE_VALUES[rnd.nextInt(TRADE_VALUES.length)];
    if (f.equals("requestsHash")) {
      return o -> o.put(f, v);
    }
    if (List.of(WitnessDocument.LIQ_ARRAYS).contains(f)) {
      return DacFixtures.liqArray(0, f, rnd.nextInt(2), v);
    }
    return DacFixtures.liqField(0, f, v);
  }

  private static DacMember atBatch3(Path d, DacFixtures fx, PrintStream quiet) throws Exception {
    DacMember m = atBatch2(d, fx, quiet);
    m.submit(3, fx.json3.getBytes(StandardCharsets.UTF_8));
    return m;
  }

  private static java.util.function.Consumer<ObjectNode> tradeEdit(Random rnd) {
    String f = TRADE_FIELDS[rnd.nextInt(TRADE_FIELDS.length)];
    String v = TRADE_VALUES[rnd.nextInt(TRADE_VALUES.length)];
    int dot = f.indexOf('.');
    if (dot > 0) {
      return DacFixtures.orderField(0, f.substring(0, dot), f.substring(dot + 1), v);
    }
    if (List.of(WitnessDocument.LEG_NAMES).contains(f)) {
      return DacFixtures.slotArray(0, f, rnd.nextInt(DacFixtures.CONFIG.legs()), v);
    }
    return DacFixtures.slotField(0, f, v);
  }

  private static DacMember atBatch2(Path d, DacFixtures fx, PrintStream quiet) throws Exception {
    DacMember m = reopenFresh(d, fx, quiet);
    m.submit(1, fx.json1.getBytes(StandardCharsets.UTF_8));
    m.submit(2, fx.json2.getBytes(StandardCharsets.UTF_8));
    return m;
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
