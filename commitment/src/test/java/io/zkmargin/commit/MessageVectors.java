package io.zkmargin.commit;

import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.SignedMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deterministic generator of {@code test-vectors/batch/messages.json}: the signed messages of
 * docs/BATCH.md section 2 (order with L = 2 legs, withdrawal, transfer) and the liquidator's
 * (docs/LIQUIDATION.md section 2, P = A = 2), each with its fields, its words, the packed elements,
 * the message hash and a signature by the account's key. The Go batch circuit replays them; {@link
 * MessageVectorsTest} checks the checked-in copy byte for byte.
 *
 * <p>Regenerate: {@code mvn -B -q -pl commitment test -Dtest=MessageVectorsTest
 * -Dzkm.writeVectors=true}.
 */
public final class MessageVectors {
  /** The vector file, relative to the repository root. */
  static final String FILE = "test-vectors/batch/messages.json";

  /** L of the test batch sizes (docs/BATCH.md section 5). */
  static final int LEGS = 2;

  private MessageVectors() {}

  /** Writes the vector file under {@code args[0]} (default: the repository root). */
  public static void main(String[] args) throws IOException {
    Path root = args.length > 0 ? Path.of(args[0]) : RepoRoot.find();
    CommitVectors.write(root, FILE, generate());
  }

  /** The cases: (kind, message, signing key seed). */
  static List<Object[]> cases() {
    long t = 1_767_225_600L; // 2026-01-01T00:00:00Z
    List<Object[]> c = new ArrayList<>();
    c.add(
        new Object[] {
          "order", OrderMessage.singleLeg(LEGS, 5, 17, t, 3, 45_000_000L, 20, 1, 1), 5
        });
    c.add(
        new Object[] {
          "order",
          OrderMessage.singleLeg(LEGS, 9, (1L << 62) - 1, t + 60, 1_000, -2_000_000L, 0, 6, -1),
          9
        });
    // a two-leg combo: buy 2 ETH-PERP lots, sell 1 ETH call per unit, receive at least 100 atoms
    c.add(
        new Object[] {
          "order",
          new OrderMessage(40, 4_096 + 3, t, 10, -100, 5, new long[] {1, 4}, new long[] {2, -1}),
          40
        });
    c.add(
        new Object[] {
          "order",
          new OrderMessage(
              20,
              2,
              0,
              Long.MAX_VALUE,
              Long.MIN_VALUE,
              Long.MAX_VALUE,
              new long[] {7, 6},
              new long[] {-(1L << 16), 1L << 16}),
          20
        });
    BigInteger addr = new BigInteger("00a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", 16);
    BigInteger maxAddr = BigInteger.ONE.shiftLeft(160).subtract(BigInteger.ONE);
    c.add(new Object[] {"withdrawal", new WithdrawalMessage(5, 0, 1_000_000L, addr), 5});
    c.add(new Object[] {"withdrawal", new WithdrawalMessage(9, 41, Long.MAX_VALUE, maxAddr), 9});
    c.add(new Object[] {"withdrawal", new WithdrawalMessage(20, 3, 1, BigInteger.ZERO), 20});
    c.add(new Object[] {"transfer", new TransferMessage(5, 9, 1, 0, 250_000_000L), 5});
    c.add(new Object[] {"transfer", new TransferMessage(40, 0, 7, 1, Long.MAX_VALUE), 40});
    // liquidations at P = 2, A = 2: account 5 liquidated by 9 (slot 0 short 3 lots, 1,000 atoms of
    // asset 1) for a keeper; then an operator-initiated one (keeper 0) of a long slot 1 by 20
    BigInteger riskRoot =
        new BigInteger("2e5c0f7ad32a4c8a3f0e1b2d4c6a8e0f1a3c5e7092b4d6f8a0c2e4f6a8b0c2d4", 16);
    c.add(
        new Object[] {
          "liquidation",
          new LiquidationMessage(
              riskRoot, addr, 5, 9, 41, 12_345, new long[] {-3, 0}, new long[] {0, 1_000}),
          9
        });
    c.add(
        new Object[] {
          "liquidation",
          new LiquidationMessage(
              riskRoot,
              BigInteger.ZERO,
              40,
              20,
              0,
              Long.MAX_VALUE,
              new long[] {0, Long.MAX_VALUE},
              new long[] {0, 0}),
          20
        });
    return c;
  }

  static Map<String, Object> fields(SignedMessage m) {
    Map<String, Object> f = new LinkedHashMap<>();
    if (m instanceof OrderMessage o) {
      f.put("accountId", o.accountId());
      f.put("orderId", o.orderId());
      f.put("expiry", o.expiry());
      f.put("quantity", o.quantity());
      f.put("limitPrice", o.limitPrice());
      f.put("feePerUnit", o.feePerUnit());
      f.put("instrumentIds", o.instrumentIds());
      f.put("ratios", o.ratios());
    } else if (m instanceof WithdrawalMessage w) {
      f.put("accountId", w.accountId());
      f.put("nonce", w.nonce());
      f.put("amount", w.amount());
      f.put("l1Address", w.l1Address());
    } else if (m instanceof LiquidationMessage l) {
      f.put("riskRoot", l.riskRoot());
      f.put("keeper", l.keeper());
      f.put("accountId", l.accountId());
      f.put("liquidatorId", l.liquidatorId());
      f.put("nonce", l.nonce());
      f.put("penalty", l.penalty());
      f.put("takeLots", l.takeLots());
      f.put("takeAtoms", l.takeAtoms());
    } else if (m instanceof TransferMessage tr) {
      f.put("fromAccountId", tr.fromAccountId());
      f.put("toAccountId", tr.toAccountId());
      f.put("nonce", tr.nonce());
      f.put("asset", tr.asset());
      f.put("amount", tr.amount());
    }
    return f;
  }

  static long[] words(SignedMessage m) {
    if (m instanceof OrderMessage o) {
      return o.words();
    } else if (m instanceof WithdrawalMessage w) {
      return w.words();
    } else if (m instanceof LiquidationMessage l) {
      return l.words();
    }
    return ((TransferMessage) m).words();
  }

  /** The vector file's content. */
  static String generate() {
    HexFormat hex = HexFormat.of();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put(
        "description",
        "signed messages of docs/BATCH.md section 2 at L = "
            + LEGS
            + ": order msg = hashMD(1, pack(accountId, orderId, expiry, quantity, limitPrice,"
            + " feePerUnit, (instrumentId, ratio)[L])...); withdrawal msg = hashMD(2, l1Address,"
            + " pack(accountId, nonce, amount)); transfer msg = hashMD(3, pack(fromAccountId,"
            + " toAccountId, nonce, asset, amount)...); liquidation (P = 2, A = 2) msg = hashMD(4, riskRoot,"
            + " keeper, pack(accountId, liquidatorId, nonce, penalty, takeLots[P], takeAtoms[A])...),"
            + " signed by the liquidator. Signatures as test-vectors/commit/eddsa.json"
            + " (EdDSA over msg); a case with valid = false carries the signature of the case before"
            + " it over a message with one field changed.");
    root.put("legs", LEGS);
    List<Object> out = new ArrayList<>();
    for (Object[] c : cases()) {
      SignedMessage m = (SignedMessage) c[1];
      EdwardsKeyPair key = CommitFixtures.key(((Integer) c[2]).longValue());
      EdDSA.Signature sig = m.sign(key);
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("kind", c[0]);
      j.put("tag", m.tag());
      j.put("fields", fields(m));
      j.put("words", words(m));
      j.put("packed", List.of(WordPacking.pack(words(m))));
      j.put("messageHash", m.messageHash());
      j.put("publicKeyX", key.publicKey().x());
      j.put("publicKeyY", key.publicKey().y());
      j.put("rX", sig.r().x());
      j.put("rY", sig.r().y());
      j.put("s", sig.s());
      j.put("signatureBytes", hex.formatHex(sig.toBytes()));
      j.put("valid", true);
      out.add(j);
    }
    // tampered: the first order with one more unit, signed as the original
    OrderMessage o = (OrderMessage) cases().get(0)[1];
    EdwardsKeyPair k5 = CommitFixtures.key(5);
    EdDSA.Signature sig = o.sign(k5);
    OrderMessage tampered =
        new OrderMessage(
            o.accountId(),
            o.orderId(),
            o.expiry(),
            o.quantity() + 1,
            o.limitPrice(),
            o.feePerUnit(),
            o.instrumentIds(),
            o.ratios());
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("kind", "order");
    j.put("tag", tampered.tag());
    j.put("fields", fields(tampered));
    j.put("words", tampered.words());
    j.put("packed", List.of(WordPacking.pack(tampered.words())));
    j.put("messageHash", tampered.messageHash());
    j.put("publicKeyX", k5.publicKey().x());
    j.put("publicKeyY", k5.publicKey().y());
    j.put("rX", sig.r().x());
    j.put("rY", sig.r().y());
    j.put("s", sig.s());
    j.put("signatureBytes", hex.formatHex(sig.toBytes()));
    j.put("valid", false);
    out.add(j);
    root.put("cases", out);
    return JsonOut.write(root);
  }
}
