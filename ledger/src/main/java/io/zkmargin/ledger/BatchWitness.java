package io.zkmargin.ledger;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.Fr;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.RiskEncoding;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.risk.account.AccountState;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskVector;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The witness of the batch circuit (docs/BATCH.md sections 4 and 4a) for one batch applied by a
 * {@link Ledger}: recorded by a {@link Builder} while the ledger applies each transition (the old
 * leaf and its Merkle path before each update, the risk table rows, the margin bounds), padded with
 * no-ops to N slots, and written as the JSON document {@code circuits/batch/witness.go} parses.
 *
 * <p>Kinds recorded: deposit (with registration of an empty leaf), withdrawal, trade and transfer.
 * Trading fees are credited to the fee account 0 once, after the last slot (the circuit's design,
 * docs/BATCH.md section 2 "Fees"): until then the witness sees account 0 without the batch's fees.
 *
 * <p>Immutable; arrays returned by accessors are copies.
 */
public final class BatchWitness {
  /**
   * Field elements every slot contributes to dataHash first (docs/BATCH.md section 4); the trade
   * part follows ({@link #slotDataLength}).
   */
  public static final int SLOT_DATA_LEN = 12;

  /** Transition kinds (docs/BATCH.md section 2, the circuit's numbering). */
  public static final int KIND_NOOP = 0;

  /** Deposit (with registration when the leaf is empty). */
  public static final int KIND_DEPOSIT = 1;

  /** Withdrawal. */
  public static final int KIND_WITHDRAWAL = 2;

  /** Trade: a fill between a maker and a taker order. */
  public static final int KIND_TRADE = 3;

  /** Transfer between two accounts of one owner. */
  public static final int KIND_TRANSFER = 4;

  /** Settle-expiry: a position closed at its instrument's settlement value (docs/BATCH.md). */
  public static final int KIND_SETTLE_EXPIRY = 5;

  /** Liquidation (a liquidation slot, after the N generic slots: docs/LIQUIDATION.md section 2). */
  public static final int KIND_LIQUIDATION = 6;

  /**
   * The insurance fund covers a closed-out account's negative quote balance (a request slot:
   * docs/LIQUIDATION.md sections 3 and 9).
   */
  public static final int KIND_ABSORB_LOSS = 7;

  /**
   * Auto-deleveraging: a bankrupt account's position closes against its most profitable opposite
   * holder at the bankruptcy price (a request slot: docs/LIQUIDATION.md sections 4 and 9).
   */
  public static final int KIND_DELEVERAGE = 10;

  /**
   * The names of a liquidation slot's head elements in the witness JSON, in dataHash order (before
   * its packed words): what the builder writes and the committee's decoder reads.
   */
  public static final List<String> LIQ_HEAD_NAMES =
      List.of(
          "kind",
          "accountId",
          "liquidatorId",
          "keeper",
          "nonce",
          "penalty",
          "scenario",
          "sigRX",
          "sigRY",
          "sigS");

  /**
   * Field elements a liquidation slot contributes to dataHash before its packed words: {@code kind,
   * accountId, liquidatorId, keeper, nonce, penalty, scenario, sigRX, sigRY, sigS}.
   */
  public static final int LIQ_DATA_LEN = 10;

  private final String circuitId;
  private final BigInteger[] publicInputs; // oldRoot .. batchTime, requestsHash
  private final BigInteger instrumentsRoot;
  private final long[] globalsWords;
  private final Row[] rows;
  private final Slot[] slots;
  private final Part fee;
  private final LiqSlot[] liqSlots;
  private final Part fund;
  private final int legs;

  private BatchWitness(
      String circuitId,
      BigInteger[] publicInputs,
      BigInteger instrumentsRoot,
      long[] globalsWords,
      Row[] rows,
      Slot[] slots,
      Part fee,
      LiqSlot[] liqSlots,
      Part fund,
      int legs) {
    this.circuitId = circuitId;
    this.publicInputs = publicInputs;
    this.instrumentsRoot = instrumentsRoot;
    this.globalsWords = globalsWords;
    this.rows = rows;
    this.slots = slots;
    this.fee = fee;
    this.liqSlots = liqSlots;
    this.fund = fund;
    this.legs = legs;
  }

  /**
   * Field elements each liquidation slot contributes to dataHash: the ten of {@link #LIQ_DATA_LEN}
   * and {@code pack(takeLots[P], takeAtoms[A], liqPos[P])}.
   */
  public static int liquidationSlotDataLength(int positionSlots, int assets) {
    return LIQ_DATA_LEN + WordPacking.packedLength(2 * positionSlots + assets);
  }

  /**
   * One liquidation slot's data in dataHash order (docs/LIQUIDATION.md section 8, after every
   * generic slot's): the ten head elements, then {@code pack(takeLots, takeAtoms, liqPos)}. The one
   * implementation of the layout: the witness builder and the DAC's replay both call it.
   *
   * @param head {@code kind, accountId, liquidatorId, keeper, nonce, penalty, scenario, sigRX,
   *     sigRY, sigS} (all 0 in a no-op slot)
   * @param words {@code takeLots[P], takeAtoms[A], liqPos[P]} (all 0 in a no-op slot)
   * @return {@link #liquidationSlotDataLength} elements
   */
  public static BigInteger[] liquidationSlotData(BigInteger[] head, long[] words) {
    ArgChecker.isTrue(head.length == LIQ_DATA_LEN, "10 head elements, got {}", head.length);
    BigInteger[] packed = WordPacking.pack(words);
    BigInteger[] out = new BigInteger[LIQ_DATA_LEN + packed.length];
    System.arraycopy(head, 0, out, 0, LIQ_DATA_LEN);
    System.arraycopy(packed, 0, out, LIQ_DATA_LEN, packed.length);
    return out;
  }

  /**
   * The default number of liquidation slots Q of a batch circuit with N generic slots: 1 at the
   * test sizes (N below 16), 2 at production (N16), as circuits/batch's TestSizes and
   * ProductionSizes.
   */
  public static int defaultLiquidationSlots(int n) {
    return n >= 16 ? 2 : 1;
  }

  /**
   * Field elements each slot contributes to dataHash at L legs: the 12 common elements, the packed
   * trade words ({@code 10 + 5L} words) and the taker's signature (3).
   */
  public static int slotDataLength(int legs) {
    ArgChecker.inRange(legs, 1, 8, "legs");
    return SLOT_DATA_LEN + WordPacking.packedLength(10 + 5 * legs) + 3;
  }

  /**
   * The trade words of a slot in dataHash order (docs/BATCH.md section 4): the maker's and the
   * taker's {@code orderId, expiry, quantity, limitPrice, feePerUnit}, then per leg {@code
   * instrumentId, ratio, price, makerPos, takerPos}. All zeros in a slot of another kind.
   *
   * @param orderWords the ten order words (maker's five, then the taker's five)
   * @param instrumentIds per leg, the maker's instrument id (L entries)
   * @param ratios per leg, the maker's ratio, lots per combo unit, signed
   * @param prices per leg, quote atoms per lot, signed
   * @param makerPos per leg, the maker's position slot, in {@code [0, P)}
   * @param takerPos per leg, the taker's position slot, in {@code [0, P)}
   * @return {@code 10 + 5L} words
   */
  public static long[] tradeWords(
      long[] orderWords,
      long[] instrumentIds,
      long[] ratios,
      long[] prices,
      long[] makerPos,
      long[] takerPos) {
    ArgChecker.isTrue(orderWords.length == 10, "10 order words, got {}", orderWords.length);
    int legs = instrumentIds.length;
    ArgChecker.isTrue(
        ratios.length == legs
            && prices.length == legs
            && makerPos.length == legs
            && takerPos.length == legs,
        "every leg array needs L = {} entries",
        legs);
    long[] w = new long[10 + 5 * legs];
    System.arraycopy(orderWords, 0, w, 0, 10);
    for (int l = 0; l < legs; l++) {
      w[10 + 5 * l] = instrumentIds[l];
      w[11 + 5 * l] = ratios[l];
      w[12 + 5 * l] = prices[l];
      w[13 + 5 * l] = makerPos[l];
      w[14 + 5 * l] = takerPos[l];
    }
    return w;
  }

  /**
   * One slot's data in dataHash order (docs/BATCH.md section 4): the twelve common elements, {@code
   * pack(tradeWords)}, the taker's signature. The one implementation of the layout: the witness
   * builder and the DAC's replay both call it.
   *
   * @param common the twelve common elements (kind .. asset)
   * @param tradeWords the {@code 10 + 5L} trade words ({@link #tradeWords})
   * @param takerSig the taker's signature {@code R.x, R.y, S} (0, 0, 0 outside a trade)
   * @return {@link #slotDataLength(int)} elements
   */
  public static BigInteger[] slotData(
      BigInteger[] common, long[] tradeWords, BigInteger[] takerSig) {
    ArgChecker.isTrue(common.length == SLOT_DATA_LEN, "12 common elements, got {}", common.length);
    ArgChecker.isTrue(takerSig.length == 3, "a signature is 3 elements, got {}", takerSig.length);
    ArgChecker.isTrue(
        tradeWords.length >= 15 && (tradeWords.length - 10) % 5 == 0,
        "10 + 5L trade words, got {}",
        tradeWords.length);
    BigInteger[] packed = WordPacking.pack(tradeWords);
    BigInteger[] out = new BigInteger[SLOT_DATA_LEN + packed.length + 3];
    System.arraycopy(common, 0, out, 0, SLOT_DATA_LEN);
    System.arraycopy(packed, 0, out, SLOT_DATA_LEN, packed.length);
    System.arraycopy(takerSig, 0, out, SLOT_DATA_LEN + packed.length, 3);
    return out;
  }

  /** {@code dataHash = hashMD} of every slot's data ({@link #slotData}), slot order. */
  public static BigInteger dataHash(BigInteger[][] slotData) {
    int len = 0;
    for (BigInteger[] d : slotData) {
      len += d.length;
    }
    BigInteger[] all = new BigInteger[len];
    int k = 0;
    for (BigInteger[] d : slotData) {
      System.arraycopy(d, 0, all, k, d.length);
      k += d.length;
    }
    return Poseidon2.hashMD(all);
  }

  /**
   * The position slot each used leg of a trade moves in account {@code accountId}, leg after leg as
   * {@link Ledger#trade} applies them (the slot holding the instrument, else the first free one):
   * the witness's {@code makerPos} ({@code sign = 1}) or {@code takerPos} ({@code sign = -1}). 0
   * for unused legs and from the leg where the ledger will refuse (NO_FREE_SLOT, overflow).
   *
   * @param ledger the ledger before the trade
   * @param accountId a registered account
   * @param maker the maker's order (its legs and ratios)
   * @param sign 1 for the maker, -1 for the taker
   * @param fill combo units
   * @return L position slots
   */
  public static long[] positionSlots(
      Ledger ledger, long accountId, OrderMessage maker, int sign, long fill) {
    int p = ledger.config().sizes().positionSlots();
    int legs = maker.legs();
    long[] ids = new long[p];
    long[] qty = new long[p];
    for (int j = 0; j < p; j++) {
      ids[j] = ledger.instrumentId(accountId, j);
      qty[j] = ledger.quantity(accountId, j);
    }
    long[] out = new long[legs];
    for (int l = 0; l < legs && maker.ratio(l) != 0; l++) {
      long inst = maker.instrumentId(l);
      int j = positionSlotFor(ids, qty, p, inst);
      if (j < 0) {
        break; // the ledger refuses it
      }
      out[l] = j;
      try {
        qty[j] = Math.addExact(qty[j], sign * Math.multiplyExact(maker.ratio(l), fill));
      } catch (ArithmeticException e) {
        break; // the ledger refuses it
      }
      ids[j] = qty[j] == 0 ? 0 : inst;
    }
    return out;
  }

  /**
   * The liquidator's position slot receiving each take of a liquidation, as {@link
   * Ledger#liquidate} applies them (slot after slot of the liquidated account: the liquidator's
   * slot holding the instrument, else its first free one): the witness's {@code liqPos}. 0 where
   * nothing is taken, and from the take where the ledger will refuse (NO_FREE_SLOT, overflow).
   *
   * @param ledger the ledger before the liquidation
   * @param m the liquidation (its accounts; all zeros when either is not registered)
   * @return P position slots
   */
  public static long[] takeSlots(Ledger ledger, LiquidationMessage m) {
    int p = ledger.config().sizes().positionSlots();
    long[] out = new long[p];
    long a = m.accountId();
    long b = m.liquidatorId();
    if (!ledger.isRegistered(a) || !ledger.isRegistered(b) || m.takeLots().length != p) {
      return out;
    }
    long[] ids = new long[p];
    long[] qty = new long[p];
    for (int j = 0; j < p; j++) {
      ids[j] = ledger.instrumentId(b, j);
      qty[j] = ledger.quantity(b, j);
    }
    for (int j = 0; j < p; j++) {
      long t = m.takeLots(j);
      if (t == 0) {
        continue;
      }
      long inst = ledger.instrumentId(a, j);
      int k = positionSlotFor(ids, qty, p, inst);
      if (k < 0) {
        break; // the ledger refuses it (NO_FREE_SLOT)
      }
      out[j] = k;
      try {
        qty[k] = Math.addExact(qty[k], t);
      } catch (ArithmeticException e) {
        break; // the ledger refuses it
      }
      ids[k] = qty[k] == 0 ? 0 : inst;
    }
    return out;
  }

  /**
   * The batch circuit id of a ledger's sizes with {@link #defaultLiquidationSlots} liquidation
   * slots.
   */
  public static String circuitId(LedgerConfig config, int n, int r) {
    return circuitId(config, n, r, defaultLiquidationSlots(n));
  }

  /**
   * The batch circuit id of a ledger's sizes: {@code
   * batch-D..-I..-P..-A..-S..-T..-K{K}-L{L}-N{N}-R{R}-Q{Q}}.
   *
   * @param config the ledger's sizes (D..T, K, L)
   * @param n transition slots, in {@code [1, 256]}
   * @param r risk table rows, in {@code [1, 256]}
   * @param q liquidation slots, in {@code [0, 64]}
   */
  public static String circuitId(LedgerConfig config, int n, int r, int q) {
    ArgChecker.notNull(config, "config");
    ArgChecker.inRange(n, 1, 256, "n");
    ArgChecker.inRange(r, 1, 256, "r");
    ArgChecker.inRange(q, 0, 64, "q");
    return config.sizes().healthCircuitId().replaceFirst("^health-", "batch-")
        + "-K"
        + config.orderDepth()
        + "-L"
        + config.legs()
        + "-N"
        + n
        + "-R"
        + r
        + "-Q"
        + q;
  }

  /** The batch circuit id. */
  public String circuitId() {
    return circuitId;
  }

  /**
   * The nine public inputs in circuit order: oldRoot, newRoot, riskRoot, depositHeadBefore,
   * depositHeadAfter, withdrawalsHash, dataHash, batchTime, requestsHash (a copy).
   */
  public BigInteger[] publicInputs() {
    return publicInputs.clone();
  }

  /** The state root before the batch. */
  public BigInteger oldRoot() {
    return publicInputs[0];
  }

  /** The state root after the batch. */
  public BigInteger newRoot() {
    return publicInputs[1];
  }

  /** The risk root the batch was judged at. */
  public BigInteger riskRoot() {
    return publicInputs[2];
  }

  /** The deposit queue head after the deposits the batch consumed. */
  public BigInteger depositHeadAfter() {
    return publicInputs[4];
  }

  /** The hash of the batch's withdrawal list (docs/BATCH.md section 3). */
  public BigInteger withdrawalsHash() {
    return publicInputs[5];
  }

  /** {@code hashMD} of every slot's data elements, slot order. */
  public BigInteger dataHash() {
    return publicInputs[6];
  }

  /**
   * The request list hash (docs/LIQUIDATION.md sections 9 and 12): {@code q_{k+1} = compress(q_k,
   * e_k)} over the batch's request slots of kinds 6, 8 and 9 ({@link RequestEntry#hash()}), what
   * the contract computes from the request list {@code finalizeBatch} is given ({@link
   * Ledger#requests()}).
   */
  public BigInteger requestsHash() {
    return publicInputs[8];
  }

  /** The number of liquidation slots Q. */
  public int liquidationSlots() {
    return liqSlots.length;
  }

  /**
   * The slots' data in dataHash order, {@code N * slotDataLength(L) + Q *
   * liquidationSlotDataLength(P, A)} elements (a copy): what the DAC stores.
   */
  public BigInteger[] slotData() {
    int len = slotDataLength(legs);
    int lq = liqSlots.length == 0 ? 0 : liqSlots[0].data().length;
    BigInteger[] out = new BigInteger[slots.length * len + liqSlots.length * lq];
    for (int i = 0; i < slots.length; i++) {
      System.arraycopy(slots[i].fullData(legs), 0, out, i * len, len);
    }
    for (int i = 0; i < liqSlots.length; i++) {
      System.arraycopy(liqSlots[i].data(), 0, out, slots.length * len + i * lq, lq);
    }
    return out;
  }

  /**
   * The witness JSON document of docs/BATCH.md section 4a: every value a decimal string of a field
   * element, two-space indentation, '\n' line ends, a trailing newline.
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder(64 * 1024);
    String[] names = {
      "oldRoot",
      "newRoot",
      "riskRoot",
      "depositHeadBefore",
      "depositHeadAfter",
      "withdrawalsHash",
      "dataHash",
      "batchTime",
      "requestsHash"
    };
    sb.append("{\n  \"circuitId\": \"").append(circuitId).append("\",\n");
    for (int i = 0; i < names.length; i++) {
      field(sb, "  ", names[i], publicInputs[i]).append(",\n");
    }
    field(sb, "  ", "instrumentsRoot", instrumentsRoot).append(",\n");
    sb.append("  \"globals\": ");
    array(sb, WordPacking.pack(globalsWords));
    sb.append(",\n  \"rows\": [\n");
    for (int r = 0; r < rows.length; r++) {
      Row row = rows[r];
      sb.append("    {\"used\": \"").append(row.used ? 1 : 0).append("\", \"id\": \"");
      sb.append(row.id).append("\", \"entry\": ");
      array(sb, WordPacking.pack(row.entryWords));
      sb.append(", \"path\": ");
      array(sb, row.path);
      sb.append(r + 1 < rows.length ? "},\n" : "}\n");
    }
    sb.append("  ],\n  \"slots\": [\n");
    String[] dataNames = {
      "kind",
      "accountId",
      "amount",
      "nonce",
      "address",
      "pkX",
      "pkY",
      "sigRX",
      "sigRY",
      "sigS",
      "toAccountId",
      "asset"
    };
    for (int i = 0; i < slots.length; i++) {
      Slot s = slots[i];
      sb.append("    {\n");
      for (int k = 0; k < SLOT_DATA_LEN; k++) {
        field(sb, "      ", dataNames[k], s.data[k]).append(",\n");
      }
      account(sb, "a", s.a, s.rowIdxA).append(",\n");
      account(sb, "b", s.b, s.rowIdxB).append(",\n");
      trade(sb, s.trade == null ? new Trade(legs) : s.trade);
      sb.append(i + 1 < slots.length ? "    },\n" : "    }\n");
    }
    sb.append("  ],\n");
    account(sb, "fee", fee, new long[fee.positions]).append(",\n");
    sb.append("  \"liquidations\": [\n");
    for (int i = 0; i < liqSlots.length; i++) {
      LiqSlot q = liqSlots[i];
      sb.append("    {\n");
      for (int k = 0; k < LIQ_DATA_LEN; k++) {
        field(sb, "      ", LIQ_HEAD_NAMES.get(k), q.head[k]).append(",\n");
      }
      longs(sb, "takeLots", q.takeLots).append(",\n");
      longs(sb, "takeAtoms", q.takeAtoms).append(",\n");
      longs(sb, "liqPos", q.liqPos).append(",\n");
      account(sb, "a", q.a, q.rowIdxA).append(",\n");
      account(sb, "b", q.b, q.rowIdxB).append('\n');
      sb.append(i + 1 < liqSlots.length ? "    },\n" : "    }\n");
    }
    sb.append("  ],\n");
    account(sb, "fund", fund, new long[fund.positions]).append('\n');
    sb.append("}\n");
    return sb.toString();
  }

  private static void trade(StringBuilder sb, Trade t) {
    order(sb, "maker", t.makerWords, 0).append(",\n");
    order(sb, "taker", t.makerWords, 5).append(",\n");
    field(sb, "      ", "takerSigRX", t.takerSig[0]).append(",\n");
    field(sb, "      ", "takerSigRY", t.takerSig[1]).append(",\n");
    field(sb, "      ", "takerSigS", t.takerSig[2]).append(",\n");
    longs(sb, "instrumentId", t.inst).append(",\n");
    longs(sb, "ratio", t.ratio).append(",\n");
    longs(sb, "price", t.price).append(",\n");
    longs(sb, "makerPos", t.makerPos).append(",\n");
    longs(sb, "takerPos", t.takerPos).append(",\n");
    longs(sb, "legRow", t.legRow).append(",\n");
    fill(sb, "makerFill", t.makerFill).append(",\n");
    fill(sb, "takerFill", t.takerFill).append('\n');
  }

  private static StringBuilder order(StringBuilder sb, String name, long[] w, int o) {
    String[] names = {"orderId", "expiry", "quantity", "limitPrice", "feePerUnit"};
    sb.append("      \"").append(name).append("\": {");
    for (int k = 0; k < names.length; k++) {
      field(sb, "", names[k], Fr.reduce(BigInteger.valueOf(w[o + k])));
      sb.append(k + 1 < names.length ? ", " : "}");
    }
    return sb;
  }

  private static StringBuilder longs(StringBuilder sb, String name, long[] v) {
    sb.append("      \"").append(name).append("\": [");
    for (int k = 0; k < v.length; k++) {
      sb.append(k > 0 ? ", \"" : "\"").append(Fr.reduce(BigInteger.valueOf(v[k]))).append('"');
    }
    return sb.append(']');
  }

  private static StringBuilder fill(StringBuilder sb, String name, Fill f) {
    sb.append("      \"").append(name).append("\": {");
    field(sb, "", "oldId", f.oldId).append(", ");
    field(sb, "", "oldFilled", f.oldFilled).append(", \"path\": ");
    array(sb, f.path);
    return sb.append('}');
  }

  private static StringBuilder account(StringBuilder sb, String name, Part p, long[] rowIdx) {
    sb.append(name.equals("fee") || name.equals("fund") ? "  \"" : "      \"");
    sb.append(name).append("\": {");
    sb.append("\"empty\": \"").append(p.empty ? 1 : 0).append("\", ");
    field(sb, "", "pkX", p.pkX).append(", ");
    field(sb, "", "pkY", p.pkY).append(", ");
    field(sb, "", "l1Address", p.l1).append(", ");
    field(sb, "", "ordersRoot", p.ordersRoot).append(", \"leaf\": ");
    array(sb, WordPacking.pack(p.oldWords));
    sb.append(", \"path\": ");
    array(sb, p.path);
    sb.append(", \"rowIdx\": [");
    for (int j = 0; j < rowIdx.length; j++) {
      sb.append(j > 0 ? ", \"" : "\"").append(rowIdx[j]).append('"');
    }
    sb.append("], ");
    field(sb, "", "mmBound", p.mmBound).append(", ");
    field(sb, "", "imBound", p.imBound).append('}');
    return sb;
  }

  private static StringBuilder field(StringBuilder sb, String indent, String key, Object value) {
    return sb.append(indent).append('"').append(key).append("\": \"").append(value).append('"');
  }

  private static void array(StringBuilder sb, BigInteger[] values) {
    sb.append('[');
    for (int i = 0; i < values.length; i++) {
      sb.append(i > 0 ? ", \"" : "\"").append(values[i]).append('"');
    }
    sb.append(']');
  }

  // ------------------------------------------------------------------ parts

  /** One opened row of the risk table. */
  private record Row(boolean used, long id, long[] entryWords, BigInteger[] path) {}

  /**
   * One account of a slot: its OLD leaf (or the empty leaf), its path, the new positions (for the
   * risk table rows), the margin bounds after the transition where effective IM is checked.
   */
  private static final class Part {
    boolean empty;
    BigInteger pkX = BigInteger.ZERO;
    BigInteger pkY = BigInteger.ZERO;
    BigInteger l1 = BigInteger.ZERO;
    BigInteger ordersRoot = BigInteger.ZERO;
    long[] oldWords;
    BigInteger[] path;
    boolean imChecked;
    long[] newIds; // position instrument ids after the transition (imChecked only)
    long[] newQty;
    BigInteger mmBound = BigInteger.ZERO;
    BigInteger imBound = BigInteger.ZERO;
    int positions; // P (for the fee account's row indices, all 0)
  }

  /** The order-fill witness of one order: the old slot value (id, filled) and its K siblings. */
  private record Fill(BigInteger oldId, BigInteger oldFilled, BigInteger[] path) {}

  /** The trade part of a slot (all zeros in a slot of another kind). */
  private static final class Trade {
    final long[] makerWords = new long[10]; // maker's and taker's orderId..feePerUnit
    final BigInteger[] takerSig = {BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO};
    final long[] inst;
    final long[] ratio;
    final long[] price;
    long[] makerPos;
    long[] takerPos;
    final long[] legRow;
    Fill makerFill;
    Fill takerFill;

    Trade(int legs) {
      BigInteger[] noPath = new BigInteger[0];
      makerFill = new Fill(BigInteger.ZERO, BigInteger.ZERO, noPath);
      takerFill = makerFill;
      inst = new long[legs];
      ratio = new long[legs];
      price = new long[legs];
      makerPos = new long[legs];
      takerPos = new long[legs];
      legRow = new long[legs];
    }

    /** The trade words of docs/BATCH.md section 4, in dataHash order. */
    long[] words() {
      return tradeWords(makerWords, inst, ratio, price, makerPos, takerPos);
    }
  }

  /** A liquidation slot (all zeros, filler accounts, in a no-op one). */
  private static final class LiqSlot {
    final BigInteger[] head = new BigInteger[LIQ_DATA_LEN];
    long[] takeLots;
    long[] takeAtoms;
    long[] liqPos;
    Part a;
    Part b;
    long[] rowIdxA;
    long[] rowIdxB;

    LiqSlot(int positions, int assets) {
      Arrays.fill(head, BigInteger.ZERO);
      takeLots = new long[positions];
      takeAtoms = new long[assets];
      liqPos = new long[positions];
    }

    BigInteger[] data() {
      long[] w = new long[2 * takeLots.length + takeAtoms.length];
      System.arraycopy(takeLots, 0, w, 0, takeLots.length);
      System.arraycopy(takeAtoms, 0, w, takeLots.length, takeAtoms.length);
      System.arraycopy(liqPos, 0, w, takeLots.length + takeAtoms.length, liqPos.length);
      return liquidationSlotData(head, w);
    }
  }

  private static final class Slot {
    final BigInteger[] data = new BigInteger[SLOT_DATA_LEN];
    Part a;
    Part b;
    long[] rowIdxA;
    long[] rowIdxB;
    Trade trade; // null in a slot of another kind
    long settledInstrument = -1; // a settle-expiry's instrument (its row is legRow[0]), else -1

    Slot() {
      Arrays.fill(data, BigInteger.ZERO);
    }

    /** The slot's data in dataHash order: the 12 common elements, pack(trade words), taker sig. */
    BigInteger[] fullData(int legs) {
      Trade t = trade == null ? new Trade(legs) : trade;
      return slotData(data, t.words(), t.takerSig);
    }
  }

  // ------------------------------------------------------------------ builder

  /**
   * Starts recording a batch. Call after {@link Ledger#beginBatch}; from then on every transition
   * of the batch must go through the builder (it keeps its own copy of the state tree, updated at
   * each transition, and checks that each leaf it opens is the ledger's).
   *
   * @param ledger the ledger, in a batch
   * @param n transition slots of the circuit, in {@code [1, 256]}
   * @param r risk table rows of the circuit, in {@code [1, 256]}
   * @param depositHeadBefore the deposit queue head the batch starts from (the contract's {@code
   *     head[consumed]}; 0 for the empty queue), a field element
   * @return the builder
   */
  public static Builder builder(Ledger ledger, int n, int r, BigInteger depositHeadBefore) {
    return new Builder(ledger, n, r, defaultLiquidationSlots(n), depositHeadBefore, null);
  }

  /**
   * {@link #builder(Ledger, int, int, BigInteger)} with {@code q} liquidation slots (in {@code [0,
   * 64]}) instead of {@link #defaultLiquidationSlots}.
   */
  public static Builder builder(Ledger ledger, int n, int r, int q, BigInteger depositHeadBefore) {
    return new Builder(ledger, n, r, q, depositHeadBefore, null);
  }

  /**
   * {@link #builder(Ledger, int, int, BigInteger)} continuing from the state tree of the previous
   * batch's builder ({@link Builder#stateTree()} after {@link Builder#finish()}), instead of
   * rebuilding it from every account (a sequencer cuts batch after batch: at 2^32 ids and many
   * accounts the rebuild is most of the work). The tree must be the ledger's current one: nothing
   * may have changed the ledger since that batch (each leaf the builder opens is still checked
   * against the ledger's).
   *
   * @param tree the previous builder's tree (owned by the new builder from now on)
   */
  public static Builder builder(
      Ledger ledger, int n, int r, BigInteger depositHeadBefore, SparseMerkleTree tree) {
    ArgChecker.notNull(tree, "tree");
    return new Builder(ledger, n, r, defaultLiquidationSlots(n), depositHeadBefore, tree);
  }

  /**
   * {@link #builder(Ledger, int, int, BigInteger, SparseMerkleTree)} with {@code q} liquidation
   * slots.
   */
  public static Builder builder(
      Ledger ledger, int n, int r, int q, BigInteger depositHeadBefore, SparseMerkleTree tree) {
    ArgChecker.notNull(tree, "tree");
    return new Builder(ledger, n, r, q, depositHeadBefore, tree);
  }

  /**
   * {@link #builder(Ledger, int, int, BigInteger, SparseMerkleTree)} continuing from the previous
   * batch's builder: its state tree and the leaf hashes it computed (a leaf opened again with the
   * same content is not hashed again). Same conditions: nothing may have changed the ledger since.
   *
   * @param previous the previous batch's builder, after {@link Builder#finish()}
   */
  public static Builder builder(
      Ledger ledger, int n, int r, BigInteger depositHeadBefore, Builder previous) {
    ArgChecker.notNull(previous, "previous builder");
    Builder b =
        new Builder(ledger, n, r, defaultLiquidationSlots(n), depositHeadBefore, previous.tree);
    b.leafHashes.putAll(previous.leafHashes);
    return b;
  }

  /**
   * Most leaf hashes a builder keeps ({@link Builder}'s cache; ~0.4 KB each at production size).
   */
  private static final int LEAF_HASH_CACHE = 1 << 15;

  /**
   * A leaf hash with everything it was computed from (keys, L1 address, orders root, words) and the
   * chaining value after the first four.
   */
  private static final class HashedLeaf {
    final BigInteger pkX;
    final BigInteger pkY;
    final BigInteger l1;
    final BigInteger ordersRoot;
    final long[] words;
    final BigInteger prefix;
    final BigInteger hash;

    HashedLeaf(AccountLeaf leaf, long[] words, BigInteger prefix, BigInteger hash) {
      this.pkX = leaf.ownerPkX();
      this.pkY = leaf.ownerPkY();
      this.l1 = leaf.l1Address();
      this.ordersRoot = leaf.ordersRoot();
      this.words = words.clone();
      this.prefix = prefix;
      this.hash = hash;
    }

    boolean is(AccountLeaf leaf, long[] w) {
      return Arrays.equals(words, w) && sameKeys(leaf);
    }

    boolean sameKeys(AccountLeaf leaf) {
      return pkX.equals(leaf.ownerPkX())
          && pkY.equals(leaf.ownerPkY())
          && l1.equals(leaf.l1Address())
          && ordersRoot.equals(leaf.ordersRoot());
    }
  }

  /**
   * Records the transitions of one batch as the ledger applies them. Each transition method checks
   * and applies exactly what the ledger does (returning its {@link Rule}); a refused transition
   * records nothing. Not thread-safe.
   */
  public static final class Builder {
    private final Ledger ledger;
    private final CircuitSizes sizes;
    private final int n;
    private final int r;
    private final int q;
    private final String circuitId;
    private final RiskCommitment risk;
    private final RiskVector vector;
    private final long batchTime;
    private final SparseMerkleTree tree;
    private final BigInteger oldRoot;
    private final BigInteger depositHeadBefore;
    private BigInteger depositHead;
    private BigInteger withdrawalsHash = BigInteger.ZERO;
    private final List<Slot> slots = new ArrayList<>();
    private final TreeSet<Long> rowIds = new TreeSet<>();
    private final MarginResult margin;
    private SignatureVerifier verifier = SignatureVerifier.REFERENCE;
    private boolean finished;
    private final long feeAccount;
    private final int legs;
    // the batch's trading fees so far: credited to the fee account by the circuit after the last
    // slot, so until then the witness sees the fee account's balance[0] without them
    private long pendingFees;
    // the liquidation slots (after the generic ones), the batch's insurance-fund shares so far
    // (credited by the circuit after the fee credit: until then the fund is seen without them) and
    // the liquidation list hash
    private final List<LiqSlot> liqSlots = new ArrayList<>();
    private long pendingFund;
    private long fundId = -1;
    // a deleverage is recorded: the fund is opened at the end and its balance may not grow
    private boolean deleveraged;
    private BigInteger requestsHash = BigInteger.ZERO;

    /**
     * The leaf hashes this builder (and its predecessors) computed, by account, with exactly what
     * was hashed, least recently used first and bounded: opening a leaf hashes it to check that the
     * tree holds it (nothing changed the account behind the builder's back), and without this the
     * check would hash every leaf a transition touches twice. A pure cache: a leaf whose content
     * differs in any word or key is hashed again.
     */
    private final Map<Long, HashedLeaf> leafHashes =
        new LinkedHashMap<>(1024, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, HashedLeaf> eldest) {
            return size() > LEAF_HASH_CACHE;
          }
        };

    private Builder(
        Ledger ledger,
        int n,
        int r,
        int q,
        BigInteger depositHeadBefore,
        SparseMerkleTree previous) {
      this.ledger = ArgChecker.notNull(ledger, "ledger");
      this.circuitId = BatchWitness.circuitId(ledger.config(), n, r, q);
      this.n = n;
      this.r = r;
      this.q = q;
      this.depositHeadBefore = Fr.requireElement(depositHeadBefore, "head");
      this.depositHead = depositHeadBefore;
      this.risk = ledger.riskCommitment();
      if (risk == null) {
        throw new IllegalStateException("no batch: call ledger.beginBatch(risk, batchTime) first");
      }
      this.sizes = ledger.config().sizes();
      Map<Integer, InstrumentRiskEntry> entries = new TreeMap<>();
      for (Map.Entry<Long, InstrumentRiskEntry> e : risk.entries().entrySet()) {
        entries.put(e.getKey().intValue(), e.getValue());
      }
      this.vector = new RiskVector(0, sizes, entries, risk.globals());
      this.margin = new MarginResult(sizes.scenarios());
      this.batchTime = ledger.batchTime();
      this.feeAccount = ledger.config().feeAccountId();
      this.legs = ledger.config().legs();
      this.tree = previous != null ? previous : stateTree(ledger);
      this.oldRoot = tree.root();
    }

    /**
     * {@link Ledger#stateTree()}, built through {@link #seenHash} so that the leaf hashes it
     * computes are known when a transition opens those leaves (no fees are pending yet: the same
     * leaves).
     */
    private SparseMerkleTree stateTree(Ledger ledger) {
      SparseMerkleTree t = new SparseMerkleTree(sizes.stateDepth());
      for (long id = 0; id < ledger.accountLimit(); id++) {
        if (ledger.isRegistered(id)) {
          t.set(id, seenHash(id));
        }
      }
      return t;
    }

    /**
     * The signature verifier used before withdrawals and transfers ({@link
     * SignatureVerifier#REFERENCE} by default; the sequencer may plug in a fast one that gives the
     * same verdicts).
     */
    public Builder verifier(SignatureVerifier v) {
      this.verifier = ArgChecker.notNull(v, "verifier");
      return this;
    }

    /** The state tree as the builder has updated it (after the last transition recorded). */
    public SparseMerkleTree stateTree() {
      return tree;
    }

    /** The circuit id the witness will be for. */
    public String circuitId() {
      return circuitId;
    }

    /** The number of transition slots used so far. */
    public int size() {
      return slots.size();
    }

    /** True when all N slots are used. */
    public boolean isFull() {
      return slots.size() == n;
    }

    /** The number of liquidation slots used so far. */
    public int liquidations() {
      return liqSlots.size();
    }

    /**
     * True when no generic transition can be recorded any more: all N slots are used, or a
     * liquidation is recorded (liquidation slots follow the generic ones in the circuit).
     */
    public boolean isClosedToGeneric() {
      return isFull() || !liqSlots.isEmpty();
    }

    /** True when all Q liquidation slots are used. */
    public boolean isLiquidationFull() {
      return liqSlots.size() == q;
    }

    /**
     * Applies the next deposit queue entry through {@link Ledger#deposit} and records it.
     *
     * @param accountId the target account
     * @param amount quote atoms, {@code >= 0}
     * @param pkX the entry's owner key x (0 for a plain deposit)
     * @param pkY the entry's owner key y (0 for a plain deposit)
     * @param depositor the depositing address, in {@code [0, 2^160)}
     * @return the ledger's verdict; OK when applied and recorded
     * @throws IllegalStateException when the batch is full or finished
     */
    public Rule deposit(
        long accountId, long amount, BigInteger pkX, BigInteger pkY, BigInteger depositor) {
      requireRoom();
      Part a = open(accountId);
      Rule rule = ledger.deposit(accountId, amount, pkX, pkY, depositor);
      if (!rule.isOk()) {
        return rule;
      }
      update(accountId);
      Slot s = new Slot();
      s.a = a;
      set(s.data, KIND_DEPOSIT, accountId, amount, 0);
      s.data[4] = depositor;
      s.data[5] = pkX;
      s.data[6] = pkY;
      BigInteger entry =
          Poseidon2.hashMD(
              BigInteger.valueOf(accountId), BigInteger.valueOf(amount), pkX, pkY, depositor);
      depositHead = Poseidon2.compress(depositHead, entry);
      slots.add(s);
      return rule;
    }

    /**
     * Checks the signature, applies the withdrawal through {@link
     * Ledger#withdraw(WithdrawalMessage)} and records it.
     *
     * @param m the signed request
     * @param sig its signature by the account's owner key
     * @return the verdict (BAD_SIGNATURE or the ledger's); OK when applied and recorded
     * @throws IllegalStateException when the batch is full or finished, or its risk table would
     *     need more than R rows
     */
    public Rule withdraw(WithdrawalMessage m, EdDSA.Signature sig) {
      ArgChecker.notNull(m, "message");
      requireRoom();
      Rule rule = ledger.checkSignature(m, sig, verifier);
      if (!rule.isOk()) {
        return rule;
      }
      requireNoPendingFees(m.accountId());
      Part a = open(m.accountId());
      TreeSet<Long> rows = requireRows(m.accountId()); // a withdrawal leaves positions as they are
      rule = ledger.withdraw(m);
      if (!rule.isOk()) {
        return rule;
      }
      rowIds.addAll(rows);
      update(m.accountId());
      bounds(a, m.accountId());
      Slot s = new Slot();
      s.a = a;
      set(s.data, KIND_WITHDRAWAL, m.accountId(), m.amount(), m.nonce());
      s.data[4] = m.l1Address();
      signature(s.data, sig);
      withdrawalsHash =
          Poseidon2.compress(
              withdrawalsHash, Poseidon2.compress(m.l1Address(), BigInteger.valueOf(m.amount())));
      slots.add(s);
      return rule;
    }

    /**
     * Checks the signature, applies the transfer through {@link Ledger#transfer(TransferMessage)}
     * and records it (the receiving leaf opened against the root after the sender's update).
     *
     * @param m the signed request
     * @param sig its signature by the common owner key
     * @return the verdict (BAD_SIGNATURE or the ledger's); OK when applied and recorded
     * @throws IllegalStateException when the batch is full or finished, or its risk table would
     *     need more than R rows
     */
    public Rule transfer(TransferMessage m, EdDSA.Signature sig) {
      ArgChecker.notNull(m, "message");
      requireRoom();
      Rule rule = ledger.checkSignature(m, sig, verifier);
      if (!rule.isOk()) {
        return rule;
      }
      requireNoPendingFees(m.fromAccountId());
      Part a = open(m.fromAccountId());
      TreeSet<Long> rows = requireRows(m.fromAccountId()); // positions stay as they are
      Part b = ledger.isRegistered(m.toAccountId()) ? open(m.toAccountId()) : null;
      rule = ledger.transfer(m);
      if (!rule.isOk()) {
        return rule;
      }
      rowIds.addAll(rows);
      update(m.fromAccountId());
      bounds(a, m.fromAccountId());
      b.path = tree.path(m.toAccountId()); // against the root after A's update
      update(m.toAccountId());
      Slot s = new Slot();
      s.a = a;
      s.b = b;
      set(s.data, KIND_TRANSFER, m.fromAccountId(), m.amount(), m.nonce());
      signature(s.data, sig);
      s.data[10] = BigInteger.valueOf(m.toAccountId());
      s.data[11] = BigInteger.valueOf(m.asset());
      slots.add(s);
      return rule;
    }

    /**
     * Not recordable: a trade's witness needs both orders' signatures. Use {@link
     * #trade(OrderMessage, EdDSA.Signature, OrderMessage, EdDSA.Signature, long, long[])}.
     *
     * @throws UnsupportedOperationException always
     */
    public Rule trade(OrderMessage maker, OrderMessage taker, long fill, long[] legPrices) {
      throw new UnsupportedOperationException(
          "a recorded trade needs both signatures: trade(maker, makerSig, taker, takerSig, fill,"
              + " legPrices)");
    }

    /**
     * Checks both signatures, applies the fill through {@link Ledger#trade} and records it: the
     * maker's leaf (A) and the taker's (B, opened against the root after A's update), each order's
     * fill slot and path in its account's order-fill subtree, the position slot of each leg in both
     * leaves (the ledger's choice: the slot holding the instrument, else the first free one), the
     * risk table row of each leg, and both accounts' margin bounds. The fees go to the fee account
     * at the end of the batch.
     *
     * @param maker the maker's order
     * @param makerSig its signature by the maker account's owner key
     * @param taker the taker's order
     * @param takerSig its signature by the taker account's owner key
     * @param fill combo units, {@code > 0}
     * @param legPrices per leg (L entries), quote atoms per lot (unused legs: 0)
     * @return the verdict (BAD_SIGNATURE or the ledger's); OK when applied and recorded
     * @throws IllegalStateException when the batch is full or finished, or its risk table would
     *     need more than R rows
     * @throws IllegalArgumentException when the fee account is the maker or the taker (the circuit
     *     credits it only at the end of the batch, so it cannot trade in a recorded batch) or the
     *     ledger's fee account is not account 0
     */
    public Rule trade(
        OrderMessage maker,
        EdDSA.Signature makerSig,
        OrderMessage taker,
        EdDSA.Signature takerSig,
        long fill,
        long[] legPrices) {
      ArgChecker.notNull(maker, "maker");
      ArgChecker.notNull(taker, "taker");
      ArgChecker.notNull(legPrices, "legPrices");
      requireRoom();
      ArgChecker.isTrue(feeAccount == 0, "the batch circuit credits fees to account 0");
      long m = maker.accountId();
      long t = taker.accountId();
      ArgChecker.isTrue(
          m != feeAccount && t != feeAccount,
          "the fee account {} cannot trade in a recorded batch (the circuit credits it at the end)",
          feeAccount);
      Rule rule = ledger.checkSignature(maker, makerSig, verifier);
      if (!rule.isOk()) {
        return rule;
      }
      rule = ledger.checkSignature(taker, takerSig, verifier);
      if (!rule.isOk()) {
        return rule;
      }
      if (m == t
          || !ledger.isRegistered(m)
          || !ledger.isRegistered(t)
          || maker.legs() != legs
          || taker.legs() != legs
          || legPrices.length != legs) {
        return ledger.trade(maker, taker, fill, legPrices); // refused: the ledger says why
      }
      // the rows: every leg's instrument and both accounts' positions (before and after)
      TreeSet<Long> rows = requireRows(m);
      rows.addAll(requireRows(t));
      for (int l = 0; l < legs; l++) {
        if (maker.ratio(l) != 0 && risk.entry(maker.instrumentId(l)) != null) {
          rows.add(maker.instrumentId(l));
        }
      }
      requireTableFits(rows);
      Trade tr = new Trade(legs);
      tr.makerPos = positionSlots(ledger, m, maker, 1, fill);
      tr.takerPos = positionSlots(ledger, t, maker, -1, fill);
      tr.makerFill = fillWitness(m, maker.orderId());
      tr.takerFill = fillWitness(t, taker.orderId());
      Part a = open(m);
      Part b = open(t);
      rule = ledger.trade(maker, taker, fill, legPrices);
      if (!rule.isOk()) {
        return rule;
      }
      rowIds.addAll(rows);
      pendingFees =
          Math.addExact(
              pendingFees,
              Math.multiplyExact(Math.addExact(maker.feePerUnit(), taker.feePerUnit()), fill));
      update(m);
      bounds(a, m);
      b.path = tree.path(t); // against the root after A's update
      update(t);
      bounds(b, t);
      long[] w = {
        maker.orderId(), maker.expiry(), maker.quantity(), maker.limitPrice(), maker.feePerUnit(),
        taker.orderId(), taker.expiry(), taker.quantity(), taker.limitPrice(), taker.feePerUnit()
      };
      System.arraycopy(w, 0, tr.makerWords, 0, 10);
      for (int l = 0; l < legs; l++) {
        tr.inst[l] = maker.instrumentId(l);
        tr.ratio[l] = maker.ratio(l);
        tr.price[l] = legPrices[l];
      }
      tr.takerSig[0] = takerSig.r().x();
      tr.takerSig[1] = takerSig.r().y();
      tr.takerSig[2] = takerSig.s();
      Slot s = new Slot();
      s.a = a;
      s.b = b;
      s.trade = tr;
      set(s.data, KIND_TRADE, m, fill, 0);
      signature(s.data, makerSig);
      s.data[10] = BigInteger.valueOf(t);
      slots.add(s);
      return rule;
    }

    /**
     * Applies a settle-expiry through {@link Ledger#settleExpiry} and records it (kind 5): the
     * holder's leaf (A), the position slot (the trade part's {@code makerPos[0]}) and the risk
     * table row of its settled instrument ({@code legRow[0]}). Nothing is signed; no IM is checked.
     *
     * @param accountId the holder
     * @param positionSlot the position slot, in {@code [0, P)}
     * @return the ledger's verdict; OK when applied and recorded
     * @throws IllegalStateException when the batch is full or finished, its risk table would need
     *     more than R rows, or the account is the fee account with fees pending in this batch
     */
    public Rule settleExpiry(long accountId, int positionSlot) {
      requireRoom();
      if (!ledger.isRegistered(accountId)
          || positionSlot < 0
          || positionSlot >= sizes.positionSlots()
          || ledger.quantity(accountId, positionSlot) == 0
          || risk.entry(ledger.instrumentId(accountId, positionSlot)) == null) {
        return ledger.settleExpiry(accountId, positionSlot); // refused: the ledger says why
      }
      requireNoPendingFees(accountId);
      long inst = ledger.instrumentId(accountId, positionSlot);
      TreeSet<Long> rows = new TreeSet<>(rowIds);
      rows.add(inst);
      requireTableFits(rows);
      Part a = open(accountId);
      Rule rule = ledger.settleExpiry(accountId, positionSlot);
      if (!rule.isOk()) {
        return rule;
      }
      rowIds.addAll(rows);
      update(accountId);
      Trade tr = new Trade(legs);
      BigInteger[] z = zeros(ledger.config().orderDepth());
      tr.makerFill = new Fill(BigInteger.ZERO, BigInteger.ZERO, z);
      tr.takerFill = tr.makerFill;
      tr.makerPos[0] = positionSlot;
      Slot s = new Slot();
      s.a = a;
      s.trade = tr;
      s.settledInstrument = inst;
      set(s.data, KIND_SETTLE_EXPIRY, accountId, 0, 0);
      slots.add(s);
      return rule;
    }

    /**
     * Checks the liquidator's signature, applies the liquidation through {@link
     * Ledger#liquidate(LiquidationMessage)} and records it in the next liquidation slot
     * (docs/LIQUIDATION.md section 8): the liquidated account's leaf (A) with the rows of its old
     * positions, the liquidator's (B, opened against the root after A's update) with its position
     * slot of each take ({@code liqPos}, the ledger's choice), the scenario s* that alone breaks
     * A's maintenance (the worst one, or S for the floor term), both accounts' margin bounds after;
     * the keeper's share joins the withdrawal list after the generic withdrawals, the liquidation
     * the list hash {@code requestsHash}, and the fund's share the fund credit after the fee
     * credit. After a liquidation the batch takes no generic transition (its slots come first in
     * the circuit).
     *
     * @param m the liquidator's message (its risk root the batch's)
     * @param sig its signature by the liquidator account's owner key
     * @return the verdict (BAD_SIGNATURE or the ledger's); OK when applied and recorded
     * @throws IllegalStateException when the Q liquidation slots are used, the builder is finished,
     *     the risk table would need more than R rows, the liquidator is the insurance fund with
     *     fund shares pending, or the fee account takes part with fees pending (the circuit credits
     *     both only at the end of the batch: start a new batch)
     */
    public Rule liquidate(LiquidationMessage m, EdDSA.Signature sig) {
      ArgChecker.notNull(m, "message");
      requireOpen();
      if (liqSlots.size() == q) {
        throw new IllegalStateException(
            "the batch's "
                + q
                + " liquidation slots of "
                + circuitId
                + " are used: start a new batch");
      }
      Rule rule = ledger.checkSignature(m, sig, verifier);
      if (!rule.isOk()) {
        return rule;
      }
      long aId = m.accountId();
      long bId = m.liquidatorId();
      LiquidationParams params = ledger.liquidationParams();
      if (params == null
          || !ledger.isRegistered(aId)
          || m.takeLots().length != sizes.positionSlots()
          || m.takeAtoms().length != sizes.collateralAssets()) {
        return ledger.liquidate(m); // refused (or throws: no liquidation parameters)
      }
      long fund = params.insuranceFundId();
      if (fundId >= 0 && fundId != fund) {
        throw new IllegalStateException("the insurance fund changed inside the batch");
      }
      if (bId == fund && deleveraged) {
        throw new IllegalStateException(
            "the insurance fund "
                + fund
                + " cannot liquidate after a deleverage of the same batch (the deleverage reads its"
                + " balance at the batch's end): start a new batch");
      }
      if (bId == fund && pendingFund != 0) {
        throw new IllegalStateException(
            "the insurance fund "
                + fund
                + " is credited with this batch's fund shares only at its end: start a new batch"
                + " before it liquidates");
      }
      requireNoPendingFees(aId);
      requireNoPendingFees(bId);
      TreeSet<Long> rows = requireRows(aId);
      rows.addAll(requireRows(bId));
      requireTableFits(rows);
      int p = sizes.positionSlots();
      long[] oldIds = new long[p];
      long[] oldQty = new long[p];
      for (int j = 0; j < p; j++) {
        oldIds[j] = ledger.instrumentId(aId, j);
        oldQty[j] = ledger.quantity(aId, j);
      }
      long[] liqPos = takeSlots(ledger, m);
      int scenario;
      try {
        MarginCalculator.DEFAULT.evaluate(vector, ledger.accountState(aId), margin);
        int worst = margin.worstMaintenanceScenario();
        scenario = worst < 0 ? sizes.scenarios() : worst;
      } catch (RuntimeException e) {
        return ledger.liquidate(m); // the ledger refuses an account it cannot margin
      }
      Part a = open(aId);
      Part b = ledger.isRegistered(bId) ? open(bId) : null;
      rule = ledger.liquidate(m);
      if (!rule.isOk()) {
        return rule;
      }
      Liquidation done = ledger.liquidations().get(ledger.liquidations().size() - 1);
      long toFund =
          BigInteger.valueOf(m.penalty())
              .multiply(BigInteger.valueOf(params.insuranceSharePpm()))
              .divide(BigInteger.valueOf(LiquidationParams.PPM))
              .longValueExact();
      fundId = fund;
      pendingFund = Math.addExact(pendingFund, toFund);
      rowIds.addAll(rows);
      recordTwoParty(a, aId, oldIds, oldQty, b, bId);
      LiqSlot s = new LiqSlot(p, sizes.collateralAssets());
      s.head[0] = BigInteger.valueOf(KIND_LIQUIDATION);
      s.head[1] = BigInteger.valueOf(aId);
      s.head[2] = BigInteger.valueOf(bId);
      s.head[3] = m.keeper();
      s.head[4] = BigInteger.valueOf(m.nonce());
      s.head[5] = BigInteger.valueOf(m.penalty());
      s.head[6] = BigInteger.valueOf(scenario);
      s.head[7] = sig.r().x();
      s.head[8] = sig.r().y();
      s.head[9] = sig.s();
      s.takeLots = m.takeLots();
      s.takeAtoms = m.takeAtoms();
      s.liqPos = liqPos;
      s.a = a;
      s.b = b;
      liqSlots.add(s);
      if (m.keeper().signum() != 0) {
        withdrawalsHash =
            Poseidon2.compress(
                withdrawalsHash,
                Poseidon2.compress(m.keeper(), BigInteger.valueOf(done.keeperShare())));
      }
      requestsHash =
          Poseidon2.compress(requestsHash, Poseidon2.compress(BigInteger.valueOf(aId), m.keeper()));
      return rule;
    }

    // -------------------------------------------------------------- forced withdrawal

    /**
     * Applies a forced withdrawal through {@link Ledger#forcedWithdrawal} and records it in the
     * next request slot (docs/LIQUIDATION.md section 12): kind 8 when paid (OK: the account's leaf
     * with the rows of its positions and its margin bounds after; {@code (requester, amount)} joins
     * the withdrawal list at the slot's place), kind 9 when refused (the account's leaf, empty or
     * not, unchanged; the rows of its positions when the refusal is the IM check). The slot's
     * {@code keeper} field carries the requester and {@code penalty} the amount; the entry joins
     * {@code requestsHash}. After it the batch takes no generic transition.
     *
     * @param accountId the account, in {@code [0, 2^D)}
     * @param requester the L1 address that requested it on chain, in {@code [0, 2^160)}
     * @param amount quote atoms, in {@code [1, 2^63)}
     * @return the ledger's outcome: OK (paid) or the refusal's reason (both recorded), or
     *     UNKNOWN_INSTRUMENT / OVERFLOW (not recorded: the batch's risk root cannot margin the
     *     account)
     * @throws IllegalArgumentException when an argument is out of range
     * @throws IllegalStateException when the Q request slots are used, the builder is finished, the
     *     risk table would need more than R rows, or the account is the fee account with fees
     *     pending or the insurance fund with fund shares pending (the circuit sees both without
     *     them until the end of the batch: start a new batch)
     */
    public Rule forcedWithdrawal(long accountId, BigInteger requester, long amount) {
      requireOpen();
      requireRequestSlot();
      Rule outcome = ledger.checkForcedWithdrawal(accountId, requester, amount);
      if (outcome == Rule.UNKNOWN_INSTRUMENT || outcome == Rule.OVERFLOW) {
        return outcome;
      }
      requireNoPendingFees(accountId);
      if (accountId == fundId && pendingFund != 0) {
        throw new IllegalStateException(
            "the insurance fund "
                + accountId
                + " is credited with this batch's fund shares only at its end: start a new batch"
                + " before its forced withdrawal");
      }
      boolean evaluated = outcome.isOk() || outcome == Rule.IM_BROKEN;
      TreeSet<Long> rows = evaluated ? requireRows(accountId) : rowIds;
      Part a = open(accountId);
      Rule rule = ledger.forcedWithdrawal(accountId, requester, amount);
      if (rule != outcome) {
        throw new IllegalStateException("the ledger's forced withdrawal outcome changed: " + rule);
      }
      rowIds.addAll(rows);
      if (rule.isOk()) {
        update(accountId);
        bounds(a, accountId); // its state after: the bounds of the IM check, its positions' rows
      } else if (evaluated) {
        a.imChecked = true; // the refusal's IM check reads the rows of its (unchanged) positions
        a.newIds = ledger.accountState(accountId).instrumentIds();
        a.newQty = ledger.accountState(accountId).quantities();
      }
      int p = sizes.positionSlots();
      LiqSlot s = new LiqSlot(p, sizes.collateralAssets());
      int kind = rule.isOk() ? RequestEntry.FORCED_PAID : RequestEntry.FORCED_REFUSED;
      s.head[0] = BigInteger.valueOf(kind);
      s.head[1] = BigInteger.valueOf(accountId);
      s.head[3] = requester;
      s.head[5] = BigInteger.valueOf(amount);
      s.a = a;
      s.b = filler(); // not read
      liqSlots.add(s);
      if (rule.isOk()) {
        withdrawalsHash =
            Poseidon2.compress(
                withdrawalsHash, Poseidon2.compress(requester, BigInteger.valueOf(amount)));
      }
      requestsHash =
          Poseidon2.compress(
              requestsHash, new RequestEntry(kind, accountId, requester, amount).hash());
      return rule;
    }

    // ---------------------------------------------------------------- absorbLoss and deleverage
    // (adl: request slots of kinds 7 and 10, docs/LIQUIDATION.md sections 3, 4 and 9)

    /**
     * Applies {@link Ledger#absorbLoss} and records it in the next request slot (kind 7): account
     * A's negative quote balance (A closed out: no position, no asset but quote) becomes 0 and the
     * insurance fund pays it. The fund is checked as the circuit sees it, without the batch's
     * pending fund shares (and fees, when it is the fee account): it must hold the loss and meet
     * effective IM after on that balance ({@code INSURANCE_INSUFFICIENT} otherwise, nothing
     * applied), which is never more than the ledger's own check allows. Nothing is signed; nothing
     * joins the withdrawal list or requestsHash.
     *
     * @param accountId the closed-out account
     * @return the verdict (the ledger's, or INSURANCE_INSUFFICIENT on the circuit's view of the
     *     fund); OK when applied and recorded
     * @throws IllegalStateException when the Q request slots are used, the builder is finished, the
     *     risk table would need more than R rows, or the account is the fee account with fees
     *     pending (start a new batch)
     */
    public Rule absorbLoss(long accountId) {
      requireOpen();
      requireRequestSlot();
      LiquidationParams params = ledger.liquidationParams();
      if (params == null
          || !ledger.isRegistered(accountId)
          || !ledger.isRegistered(params.insuranceFundId())
          || accountId == params.insuranceFundId()) {
        return ledger.absorbLoss(accountId); // refused (or throws: no liquidation parameters)
      }
      long fund = params.insuranceFundId();
      if (fundId >= 0 && fundId != fund) {
        throw new IllegalStateException("the insurance fund changed inside the batch");
      }
      TreeSet<Long> rows = requireRows(fund);
      requireTableFits(rows);
      long loss = ledger.balance(accountId, 0);
      if (loss < 0 && (pendingFund != 0 || (fund == feeAccount && pendingFees != 0))) {
        // the circuit's fund: its balance without what the batch credits it at its end
        long[] w = seenWords(fund);
        long[] bal = Arrays.copyOfRange(w, 2, 2 + sizes.collateralAssets());
        if (loss == Long.MIN_VALUE || bal[0] < -loss) {
          return Rule.INSURANCE_INSUFFICIENT;
        }
        bal[0] += loss;
        AccountState st = ledger.accountState(fund);
        try {
          MarginCalculator.DEFAULT.evaluate(
              vector,
              st.tier(),
              bal,
              st.instrumentIds(),
              st.quantities(),
              st.fundingSnapshots(),
              margin);
        } catch (RuntimeException e) {
          return ledger.absorbLoss(accountId); // the ledger names why it cannot margin the fund
        }
        if (!margin.meetsInitialMargin()) {
          return Rule.INSURANCE_INSUFFICIENT;
        }
      }
      requireNoPendingFees(accountId);
      Part a = open(accountId);
      Part b = open(fund); // without the pending shares
      Rule rule = ledger.absorbLoss(accountId);
      if (!rule.isOk()) {
        return rule;
      }
      fundId = fund;
      rowIds.addAll(rows);
      update(accountId);
      b.path = tree.path(fund); // against the root after A's update
      update(fund);
      bounds(b, fund);
      LiqSlot s = new LiqSlot(sizes.positionSlots(), sizes.collateralAssets());
      s.head[0] = BigInteger.valueOf(KIND_ABSORB_LOSS);
      s.head[1] = BigInteger.valueOf(accountId);
      s.head[2] = BigInteger.valueOf(fund);
      s.a = a;
      s.b = b;
      liqSlots.add(s);
      return rule;
    }

    /**
     * Applies {@link Ledger#deleverage} and records it in the next request slot (kind 10): {@code
     * lots} of the bankrupt account's position in the instrument close against the counterparty's
     * opposite position at the bankruptcy price. The circuit proves the rules on the two leaves
     * (negative equity, the take, the opposite position, the loss, the counterparty's equity after)
     * and that the insurance fund's balance at the batch's end (its opening after the fee credit,
     * without the batch's fund shares, which a deleverage forces) is below the deficit; the ledger
     * also checks that the counterparty is the most profitable holder, which the committee's replay
     * enforces (docs/LIQUIDATION.md section 9). So that the fund's end balance stays at most what
     * the ledger saw, a batch with a deleverage takes no later liquidation by the fund and no
     * deleverage of or against the fund. Nothing is signed; nothing joins the withdrawal list or
     * requestsHash.
     *
     * @param bankruptId the account with negative equity (A)
     * @param counterpartyId the most profitable holder of an opposite position (B)
     * @param instrumentId the instrument of A's position
     * @param lots signed lots of A's position to close (its sign, at most its size)
     * @return the ledger's verdict; OK when applied and recorded
     * @throws IllegalStateException when the Q request slots are used, the builder is finished, the
     *     risk table would need more than R rows, the fee account takes part with fees pending, or
     *     A or B is the insurance fund (not provable in a batch)
     */
    public Rule deleverage(long bankruptId, long counterpartyId, long instrumentId, long lots) {
      requireOpen();
      requireRequestSlot();
      LiquidationParams params = ledger.liquidationParams();
      if (params == null
          || !ledger.isRegistered(bankruptId)
          || !ledger.isRegistered(counterpartyId)
          || bankruptId == counterpartyId) {
        return ledger.deleverage(bankruptId, counterpartyId, instrumentId, lots);
      }
      long fund = params.insuranceFundId();
      if (fundId >= 0 && fundId != fund) {
        throw new IllegalStateException("the insurance fund changed inside the batch");
      }
      if (bankruptId == fund || counterpartyId == fund) {
        throw new IllegalStateException(
            "a deleverage of or against the insurance fund "
                + fund
                + " is not provable in a batch (its balance is read at the batch's end)");
      }
      requireNoPendingFees(bankruptId);
      requireNoPendingFees(counterpartyId);
      TreeSet<Long> rows = requireRows(bankruptId);
      rows.addAll(requireRows(counterpartyId));
      requireTableFits(rows);
      int p = sizes.positionSlots();
      long[] oldIds = new long[p];
      long[] oldQty = new long[p];
      int j = -1;
      for (int k = 0; k < p; k++) {
        oldIds[k] = ledger.instrumentId(bankruptId, k);
        oldQty[k] = ledger.quantity(bankruptId, k);
        if (oldQty[k] != 0 && oldIds[k] == instrumentId) {
          j = k;
        }
      }
      long[] bIds = new long[p];
      long[] bQty = new long[p];
      for (int k = 0; k < p; k++) {
        bIds[k] = ledger.instrumentId(counterpartyId, k);
        bQty[k] = ledger.quantity(counterpartyId, k);
      }
      int bSlot = positionSlotFor(bIds, bQty, p, instrumentId);
      Part a = open(bankruptId);
      Part b = open(counterpartyId);
      Rule rule = ledger.deleverage(bankruptId, counterpartyId, instrumentId, lots);
      if (!rule.isOk()) {
        return rule;
      }
      fundId = fund;
      deleveraged = true;
      rowIds.addAll(rows);
      recordTwoParty(a, bankruptId, oldIds, oldQty, b, counterpartyId);
      LiqSlot s = new LiqSlot(p, sizes.collateralAssets());
      s.head[0] = BigInteger.valueOf(KIND_DELEVERAGE);
      s.head[1] = BigInteger.valueOf(bankruptId);
      s.head[2] = BigInteger.valueOf(counterpartyId);
      s.takeLots[j] = lots;
      s.liqPos[j] = bSlot;
      s.a = a;
      s.b = b;
      liqSlots.add(s);
      return rule;
    }

    private void requireRequestSlot() {
      if (liqSlots.size() == q) {
        throw new IllegalStateException(
            "the batch's " + q + " request slots of " + circuitId + " are used: start a new batch");
      }
    }

    /** The old value and path of the order's fill slot in the account's order-fill subtree. */
    private Fill fillWitness(long id, long orderId) {
      int slot = (int) (orderId & ((1L << ledger.config().orderDepth()) - 1));
      BigInteger v = ledger.orderSlotValue(id, slot);
      return new Fill(
          v.shiftRight(64),
          v.and(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)),
          ledger.ordersTree(id).path(slot));
    }

    private void requireNoPendingFees(long id) {
      if (id == feeAccount && pendingFees != 0) {
        throw new IllegalStateException(
            "the fee account "
                + id
                + " is credited with this batch's fees only at its end: start a new batch before it"
                + " withdraws or transfers");
      }
    }

    /**
     * Pads the batch with no-ops to N slots and returns its witness. The builder cannot be used
     * afterwards.
     */
    public BatchWitness finish() {
      requireOpen();
      finished = true;
      Row[] table = new Row[r];
      Map<Long, Integer> rowOf = new TreeMap<>();
      int k = 0;
      for (long id : rowIds) {
        table[k] = new Row(true, id, RiskEncoding.words(risk.entry(id)), risk.path(id));
        rowOf.put(id, k++);
      }
      for (; k < r; k++) {
        table[k] =
            new Row(
                false,
                0,
                new long[sizes.instrumentEntryWordCount()],
                zeros(sizes.instrumentDepth()));
      }
      Slot[] all = new Slot[n];
      for (int i = 0; i < n; i++) {
        Slot s = i < slots.size() ? slots.get(i) : new Slot(); // no-op: all twelve data 0
        if (s.a == null) {
          s.a = filler();
        }
        if (s.b == null) {
          s.b = filler();
        }
        s.rowIdxA = rowIdx(s.a, rowOf);
        s.rowIdxB = rowIdx(s.b, rowOf);
        if (s.trade == null) {
          s.trade = new Trade(legs);
          BigInteger[] z = zeros(ledger.config().orderDepth());
          s.trade.makerFill = new Fill(BigInteger.ZERO, BigInteger.ZERO, z);
          s.trade.takerFill = s.trade.makerFill;
        } else {
          for (int l = 0; l < legs; l++) {
            if (s.trade.ratio[l] != 0) {
              s.trade.legRow[l] = rowOf.get(s.trade.inst[l]);
            }
          }
          if (s.settledInstrument >= 0) {
            s.trade.legRow[0] = rowOf.get(s.settledInstrument);
          }
        }
        all[i] = s;
      }
      // the liquidation slots, padded with no-ops (filler accounts, as a generic no-op's)
      LiqSlot[] liq = new LiqSlot[q];
      for (int i = 0; i < q; i++) {
        LiqSlot s =
            i < liqSlots.size()
                ? liqSlots.get(i)
                : new LiqSlot(sizes.positionSlots(), sizes.collateralAssets());
        if (s.a == null) {
          s.a = filler();
          s.b = filler();
        }
        s.rowIdxA = rowIdx(s.a, rowOf);
        s.rowIdxB = rowIdx(s.b, rowOf);
        liq[i] = s;
      }
      // the batch's fees to the fee account, after the last slot
      Part feePart;
      if (pendingFees != 0) {
        feePart = open(feeAccount); // its state without the batch's fees
        pendingFees = 0;
        update(feeAccount);
      } else {
        feePart = emptyPart();
      }
      feePart.positions = sizes.positionSlots();
      // the batch's fund shares to the insurance fund, after the fee credit
      Part fundPart;
      if (pendingFund != 0 || deleveraged) {
        fundPart = open(fundId); // its state without the batch's fund shares
        pendingFund = 0;
        update(fundId);
      } else {
        fundPart = emptyPart();
      }
      fundPart.positions = sizes.positionSlots();
      BigInteger[][] data = new BigInteger[n + q][];
      for (int i = 0; i < n; i++) {
        data[i] = all[i].fullData(legs);
      }
      for (int i = 0; i < q; i++) {
        data[n + i] = liq[i].data();
      }
      BigInteger[] pub = {
        oldRoot,
        tree.root(),
        risk.riskRoot(),
        depositHeadBefore,
        depositHead,
        withdrawalsHash,
        dataHash(data),
        BigInteger.valueOf(batchTime),
        requestsHash
      };
      return new BatchWitness(
          circuitId,
          pub,
          risk.instrumentsRoot(),
          RiskEncoding.words(risk.globals()),
          table,
          all,
          feePart,
          liq,
          fundPart,
          legs);
    }

    /** An account credit that does not happen: empty, zero words and path. */
    private Part emptyPart() {
      Part p = new Part();
      p.empty = true;
      p.oldWords = new long[sizes.leafWordCount()];
      p.path = zeros(sizes.stateDepth());
      return p;
    }

    // ---------------------------------------------------------------- helpers

    private void requireOpen() {
      if (finished) {
        throw new IllegalStateException("the batch witness is already finished");
      }
    }

    private void requireRoom() {
      requireOpen();
      if (slots.size() == n) {
        throw new IllegalStateException(
            "the batch is full (" + n + " slots of " + circuitId + "): start a new batch");
      }
      if (!liqSlots.isEmpty()) {
        throw new IllegalStateException(
            "the batch's liquidation slots follow its generic slots and one is recorded: start a new"
                + " batch");
      }
    }

    /**
     * The batch's rows with those account {@code id}'s positions need, or throws when that is more
     * than R (the builder records them once the ledger applies the transition).
     */
    private TreeSet<Long> requireRows(long id) {
      TreeSet<Long> need = new TreeSet<>(rowIds);
      if (!ledger.isRegistered(id)) {
        return need; // the ledger refuses it
      }
      for (int j = 0; j < sizes.positionSlots(); j++) {
        if (ledger.quantity(id, j) != 0 && risk.entry(ledger.instrumentId(id, j)) != null) {
          need.add(ledger.instrumentId(id, j));
        }
      }
      requireTableFits(need);
      return need;
    }

    /**
     * Records the two leaves of a liquidation or a deleverage slot once the ledger has applied it:
     * A updated with its bounds after, its row indices naming its OLD positions' rows ({@code
     * oldIds}, {@code oldQty}), then B opened against the root after A's update, updated, with its
     * bounds.
     */
    private void recordTwoParty(Part a, long aId, long[] oldIds, long[] oldQty, Part b, long bId) {
      update(aId);
      bounds(a, aId);
      a.newIds = oldIds;
      a.newQty = oldQty;
      b.path = tree.path(bId);
      update(bId);
      bounds(b, bId);
    }

    /** Throws when the batch's risk table would need more than its R rows for {@code rows}. */
    private void requireTableFits(java.util.Collection<Long> rows) {
      if (rows.size() > r) {
        throw new IllegalStateException(
            "the batch's risk table would need "
                + rows.size()
                + " rows, "
                + circuitId
                + " has "
                + r
                + ": start a new batch");
      }
    }

    /** The old leaf of an account (or the empty leaf) with its path in the current tree. */
    private Part open(long id) {
      Part p = new Part();
      if (id < 0 || id >= tree.capacity()) {
        p.oldWords = new long[sizes.leafWordCount()];
        return p; // the ledger refuses it
      }
      p.path = tree.path(id);
      if (ledger.isRegistered(id)) {
        AccountLeaf leaf = ledger.leaf(id);
        if (!tree.get(id).equals(seenHash(id))) {
          throw new IllegalStateException(
              "account "
                  + id
                  + " changed outside the batch witness builder: every transition of a recorded"
                  + " batch must go through it");
        }
        p.pkX = leaf.ownerPkX();
        p.pkY = leaf.ownerPkY();
        p.l1 = leaf.l1Address();
        p.ordersRoot = leaf.ordersRoot();
        p.oldWords = seenWords(id);
      } else {
        p.empty = true;
        p.oldWords = new long[sizes.leafWordCount()];
      }
      return p;
    }

    private void update(long id) {
      tree.set(id, seenHash(id));
    }

    /**
     * The leaf words as the circuit sees them: the fee account without the batch's fees so far, the
     * insurance fund without the batch's fund shares so far.
     */
    private long[] seenWords(long id) {
      long[] w = ledger.leaf(id).words();
      if (id == feeAccount) {
        w[2] = Math.subtractExact(w[2], pendingFees);
      }
      if (id == fundId) {
        w[2] = Math.subtractExact(w[2], pendingFund);
      }
      return w;
    }

    private BigInteger seenHash(long id) {
      AccountLeaf leaf = ledger.leaf(id);
      long[] words = seenWords(id);
      HashedLeaf known = leafHashes.get(id);
      if (known != null && known.is(leaf, words)) {
        return known.hash;
      }
      // hashMD(pkX, pkY, l1, ordersRoot, pack(words)...): the four-element prefix is the same as
      // last time unless a key, the L1 address or the orders root changed
      BigInteger prefix =
          known != null && known.sameKeys(leaf)
              ? known.prefix
              : Poseidon2.hashMD(
                  leaf.ownerPkX(), leaf.ownerPkY(), leaf.l1Address(), leaf.ordersRoot());
      BigInteger h = Poseidon2.hashMDFrom(prefix, WordPacking.pack(words));
      leafHashes.put(id, new HashedLeaf(leaf, words, prefix, h));
      return h;
    }

    /**
     * MMcore and IMcore of the account's new state as the circuit sees it ({@link #seenWords}): the
     * bounds m, mIm the circuit checks.
     */
    private void bounds(Part p, long id) {
      AccountState st = ledger.accountState(id);
      long[] w = seenWords(id);
      long[] bal = Arrays.copyOfRange(w, 2, 2 + sizes.collateralAssets());
      MarginCalculator.DEFAULT.evaluate(
          vector,
          st.tier(),
          bal,
          st.instrumentIds(),
          st.quantities(),
          st.fundingSnapshots(),
          margin);
      p.imChecked = true;
      p.newIds = st.instrumentIds();
      p.newQty = st.quantities();
      p.mmBound = margin.maintenanceCore();
      p.imBound = margin.initialCore();
    }

    /** Row of each position slot where IM is checked and the slot is open; row 0 elsewhere. */
    private long[] rowIdx(Part p, Map<Long, Integer> rowOf) {
      long[] out = new long[sizes.positionSlots()];
      if (p.imChecked) {
        for (int j = 0; j < out.length; j++) {
          if (p.newQty[j] != 0) {
            out[j] = rowOf.get(p.newIds[j]);
          }
        }
      }
      return out;
    }

    /**
     * The account of a no-op slot and the unused B of a slot: neither is opened against a root nor
     * written (the circuit gates both by the kind), so any leaf of the right shape serves; a
     * non-empty all-zero leaf (an empty one would claim a registration, which only a deposit may).
     */
    private Part filler() {
      Part p = new Part();
      p.oldWords = new long[sizes.leafWordCount()];
      p.path = zeros(sizes.stateDepth());
      return p;
    }

    private static void set(BigInteger[] data, int kind, long accountId, long amount, long nonce) {
      data[0] = BigInteger.valueOf(kind);
      data[1] = BigInteger.valueOf(accountId);
      data[2] = BigInteger.valueOf(amount);
      data[3] = BigInteger.valueOf(nonce);
    }

    private static void signature(BigInteger[] data, EdDSA.Signature sig) {
      data[7] = sig.r().x();
      data[8] = sig.r().y();
      data[9] = sig.s();
    }

    private static BigInteger[] zeros(int len) {
      BigInteger[] z = new BigInteger[len];
      Arrays.fill(z, BigInteger.ZERO);
      return z;
    }
  }

  /**
   * The position slot the ledger's {@code applyLeg} picks for an instrument: the open slot holding
   * it, else the first free one; -1 when neither exists (the ledger refuses the leg).
   */
  private static int positionSlotFor(long[] ids, long[] qty, int p, long inst) {
    for (int k = 0; k < p; k++) {
      if (qty[k] != 0 && ids[k] == inst) {
        return k;
      }
    }
    for (int k = 0; k < p; k++) {
      if (qty[k] == 0) {
        return k;
      }
    }
    return -1;
  }
}
