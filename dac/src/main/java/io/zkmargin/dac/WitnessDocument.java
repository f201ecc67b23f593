package io.zkmargin.dac;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zkmargin.commit.Fr;
import io.zkmargin.dac.BatchRefusedException.Check;
import io.zkmargin.ledger.BatchWitness;
import java.io.IOException;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a batch witness JSON document (docs/BATCH.md section 4a) a committee member checks:
 * the circuit id, the nine public inputs, the risk table (instrumentsRoot, globals, rows), each
 * slot's twelve common data elements and its trade fields, each liquidation slot's head elements
 * and word arrays ({@code maker}, {@code taker}, {@code takerSig*}, the L-entry leg arrays and
 * {@code legRow}). The accounts' old leaves and paths ({@code a}, {@code b}, {@code fee}), the
 * order-fill witnesses and the margin bounds are the prover's business: the member replays the
 * transitions on its own state.
 *
 * <p>The bytes come from the operator (or, for an auditor, from a committee member): untrusted.
 * Parsing is bounded ({@value #MAX_BYTES} bytes, nesting depth, string and number lengths, at most
 * {@value #MAX_SLOTS} slots and rows), every value must be a decimal string of a field element in
 * {@code [0, r)}, and anything else is a {@link BatchRefusedException} with check {@code DOCUMENT}
 * naming the field; never another exception.
 */
public final class WitnessDocument {
  /** Largest document accepted, bytes. */
  public static final int MAX_BYTES = 8 << 20;

  /** Largest N and R (as {@code BatchWitness.circuitId}). */
  public static final int MAX_SLOTS = 256;

  /** Largest L (as {@code BatchWitness.slotDataLength}). */
  public static final int MAX_LEGS = 8;

  /** Slot data element names, in dataHash order (docs/BATCH.md section 4). */
  static final String[] DATA_NAMES = {
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

  /** The order words of {@code maker} and {@code taker}, in dataHash order. */
  static final String[] ORDER_NAMES = {"orderId", "expiry", "quantity", "limitPrice", "feePerUnit"};

  /** The per-leg trade arrays (L entries each). */
  static final String[] LEG_NAMES = {
    "instrumentId", "ratio", "price", "makerPos", "takerPos", "legRow"
  };

  /** Public input names in circuit order. */
  static final String[] PUBLIC_NAMES = {
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

  /** A liquidation slot's word arrays: P, A and P entries. */
  static final String[] LIQ_ARRAYS = {"takeLots", "takeAtoms", "liqPos"};

  /** Largest Q (as {@code BatchWitness.circuitId}). */
  public static final int MAX_LIQUIDATION_SLOTS = 64;

  private static final Pattern CIRCUIT_ID =
      Pattern.compile(
          "^(batch-D\\d{1,2}-I\\d{1,2}-P(\\d{1,2})-A(\\d{1,2})-S\\d{1,3}-T\\d{1,2}-K\\d{1,2}"
              + "-L(\\d{1,2}))-N(\\d{1,3})-R(\\d{1,3})-Q(\\d{1,2})$");

  private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(8)
                      .maxNumberLength(100)
                      .maxStringLength(200)
                      .maxDocumentLength(MAX_BYTES)
                      .build())
              .build());

  /** One opened row of the risk table: packed entry elements and DI siblings. */
  public record Row(boolean used, long id, BigInteger[] entry, BigInteger[] path) {}

  /**
   * One liquidation slot (docs/LIQUIDATION.md section 8; all zeros in a no-op one).
   *
   * @param head {@code kind, accountId, liquidatorId, keeper, nonce, penalty, scenario, sigRX,
   *     sigRY, sigS}, field elements
   * @param takeLots per position slot of the liquidated account, signed lots
   * @param takeAtoms per asset, atoms
   * @param liqPos per position slot, the liquidator's slot receiving the take
   */
  public record Liquidation(BigInteger[] head, long[] takeLots, long[] takeAtoms, long[] liqPos) {
    /**
     * The slot's kind (0 no-op, 6 liquidation, 8 / 9 forced withdrawal paid / refused, whose {@code
     * keeper} is the requester and {@code penalty} the amount; -1 beyond a byte).
     */
    public int kind() {
      return head[0].bitLength() > 8 ? -1 : head[0].intValue();
    }

    /** The slot's data in dataHash order ({@link BatchWitness#liquidationSlotData}). */
    public BigInteger[] data() {
      long[] w = new long[takeLots.length + takeAtoms.length + liqPos.length];
      System.arraycopy(takeLots, 0, w, 0, takeLots.length);
      System.arraycopy(takeAtoms, 0, w, takeLots.length, takeAtoms.length);
      System.arraycopy(liqPos, 0, w, takeLots.length + takeAtoms.length, liqPos.length);
      return BatchWitness.liquidationSlotData(head, w);
    }
  }

  /**
   * The trade fields of one slot (all zeros in a slot of another kind), signed words read from
   * their field elements ({@code r - |v|} for a negative {@code v}).
   *
   * @param orderWords the maker's then the taker's {@code orderId, expiry, quantity, limitPrice,
   *     feePerUnit}
   * @param instrumentIds per leg, the maker's instrument id
   * @param ratios per leg, the maker's ratio (lots per combo unit, positive = the maker buys)
   * @param prices per leg, quote atoms per lot
   * @param makerPos per leg, the maker's position slot
   * @param takerPos per leg, the taker's position slot
   * @param legRow per leg, the risk table row of the leg's instrument (not in dataHash)
   * @param takerSig the taker's signature {@code R.x, R.y, S}
   */
  public record Trade(
      long[] orderWords,
      long[] instrumentIds,
      long[] ratios,
      long[] prices,
      long[] makerPos,
      long[] takerPos,
      long[] legRow,
      BigInteger[] takerSig) {
    /** The {@code 10 + 5L} trade words in dataHash order. */
    public long[] words() {
      return BatchWitness.tradeWords(orderWords, instrumentIds, ratios, prices, makerPos, takerPos);
    }
  }

  private final String circuitId;
  private final String sizesPrefix;
  private final BigInteger[] publicInputs;
  private final BigInteger instrumentsRoot;
  private final BigInteger[] globals;
  private final Row[] rows;
  private final BigInteger[][] slots;
  private final Trade[] trades;
  private final Liquidation[] liquidations;
  private final int legs;

  private WitnessDocument(
      String circuitId,
      String sizesPrefix,
      BigInteger[] publicInputs,
      BigInteger instrumentsRoot,
      BigInteger[] globals,
      Row[] rows,
      BigInteger[][] slots,
      Trade[] trades,
      Liquidation[] liquidations,
      int legs) {
    this.circuitId = circuitId;
    this.sizesPrefix = sizesPrefix;
    this.publicInputs = publicInputs;
    this.instrumentsRoot = instrumentsRoot;
    this.globals = globals;
    this.rows = rows;
    this.slots = slots;
    this.trades = trades;
    this.liquidations = liquidations;
    this.legs = legs;
  }

  /**
   * Parses an untrusted document.
   *
   * @param bytes UTF-8 JSON, at most {@value #MAX_BYTES} bytes
   * @return the document's parts
   * @throws BatchRefusedException (check DOCUMENT or CIRCUIT_SIZES) naming what is wrong
   */
  public static WitnessDocument parse(byte[] bytes) throws BatchRefusedException {
    if (bytes == null || bytes.length == 0) {
      throw refuse("empty document");
    }
    if (bytes.length > MAX_BYTES) {
      throw refuse("document of " + bytes.length + " bytes, at most " + MAX_BYTES);
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException | RuntimeException e) {
      throw refuse("not JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw refuse("not a JSON object");
    }
    JsonNode idNode = root.get("circuitId");
    if (idNode == null || !idNode.isTextual()) {
      throw refuse("circuitId missing");
    }
    String id = idNode.textValue();
    Matcher m = CIRCUIT_ID.matcher(id);
    if (!m.matches()) {
      throw new BatchRefusedException(Check.CIRCUIT_SIZES, "not a batch circuit id: " + clip(id));
    }
    int positions = Integer.parseInt(m.group(2));
    int assets = Integer.parseInt(m.group(3));
    int legs = Integer.parseInt(m.group(4));
    int n = Integer.parseInt(m.group(5));
    int r = Integer.parseInt(m.group(6));
    int q = Integer.parseInt(m.group(7));
    if (q > MAX_LIQUIDATION_SLOTS || positions < 1 || assets < 1) {
      throw new BatchRefusedException(
          Check.CIRCUIT_SIZES,
          "Q must be in [0, " + MAX_LIQUIDATION_SLOTS + "], P and A at least 1: " + id);
    }
    if (n < 1 || n > MAX_SLOTS || r < 1 || r > MAX_SLOTS) {
      throw new BatchRefusedException(
          Check.CIRCUIT_SIZES, "N and R must be in [1, " + MAX_SLOTS + "]: " + id);
    }
    if (legs < 1 || legs > MAX_LEGS) {
      throw new BatchRefusedException(
          Check.CIRCUIT_SIZES, "L must be in [1, " + MAX_LEGS + "]: " + id);
    }
    BigInteger[] pub = new BigInteger[PUBLIC_NAMES.length];
    for (int i = 0; i < pub.length; i++) {
      pub[i] = element(root, PUBLIC_NAMES[i], PUBLIC_NAMES[i]);
    }
    BigInteger instrumentsRoot = element(root, "instrumentsRoot", "instrumentsRoot");
    BigInteger[] globals = elements(root.get("globals"), "globals", -1);
    JsonNode rowsNode = array(root, "rows", r);
    Row[] rows = new Row[r];
    for (int i = 0; i < r; i++) {
      JsonNode row = rowsNode.get(i);
      String at = "rows[" + i + "]";
      if (!row.isObject()) {
        throw refuse(at + " is not an object");
      }
      BigInteger used = element(row, "used", at + ".used");
      if (used.compareTo(BigInteger.ONE) > 0) {
        throw refuse(at + ".used must be 0 or 1");
      }
      BigInteger rid = element(row, "id", at + ".id");
      if (rid.bitLength() > 32) {
        throw refuse(at + ".id is beyond 2^32: " + rid);
      }
      rows[i] =
          new Row(
              used.signum() == 1,
              rid.longValue(),
              elements(row.get("entry"), at + ".entry", -1),
              elements(row.get("path"), at + ".path", -1));
    }
    JsonNode slotsNode = array(root, "slots", n);
    BigInteger[][] slots = new BigInteger[n][];
    Trade[] trades = new Trade[n];
    for (int i = 0; i < n; i++) {
      JsonNode s = slotsNode.get(i);
      String at = "slots[" + i + "]";
      if (!s.isObject()) {
        throw refuse(at + " is not an object");
      }
      BigInteger[] data = new BigInteger[DATA_NAMES.length];
      for (int k = 0; k < data.length; k++) {
        data[k] = element(s, DATA_NAMES[k], at + "." + DATA_NAMES[k]);
      }
      slots[i] = data;
      trades[i] = trade(s, at, legs, r);
    }
    JsonNode liqNode = array(root, "liquidations", q);
    Liquidation[] liqs = new Liquidation[q];
    int[] lens = {positions, assets, positions};
    for (int i = 0; i < q; i++) {
      JsonNode s = liqNode.get(i);
      String at = "liquidations[" + i + "]";
      if (!s.isObject()) {
        throw refuse(at + " is not an object");
      }
      BigInteger[] head = new BigInteger[BatchWitness.LIQ_HEAD_NAMES.size()];
      for (int k = 0; k < head.length; k++) {
        String name = BatchWitness.LIQ_HEAD_NAMES.get(k);
        head[k] = element(s, name, at + "." + name);
      }
      long[][] w = new long[3][];
      for (int k = 0; k < 3; k++) {
        String ak = at + "." + LIQ_ARRAYS[k];
        BigInteger[] v = elements(s.get(LIQ_ARRAYS[k]), ak, lens[k]);
        w[k] = new long[lens[k]];
        for (int j = 0; j < lens[k]; j++) {
          w[k][j] = signedWord(v[j], ak + "[" + j + "]");
        }
      }
      liqs[i] = new Liquidation(head, w[0], w[1], w[2]);
    }
    return new WitnessDocument(
        id, m.group(1), pub, instrumentsRoot, globals, rows, slots, trades, liqs, legs);
  }

  /** The trade fields of a slot: orders, taker signature, L-entry leg arrays. */
  private static Trade trade(JsonNode s, String at, int legs, int r) throws BatchRefusedException {
    long[] orderWords = new long[10];
    String[] parties = {"maker", "taker"};
    for (int p = 0; p < 2; p++) {
      JsonNode o = s.get(parties[p]);
      String ao = at + "." + parties[p];
      if (o == null || !o.isObject()) {
        throw refuse(ao + " missing or not an object");
      }
      for (int k = 0; k < ORDER_NAMES.length; k++) {
        String ak = ao + "." + ORDER_NAMES[k];
        orderWords[5 * p + k] = signedWord(element(o, ORDER_NAMES[k], ak), ak);
      }
    }
    BigInteger[] takerSig = {
      element(s, "takerSigRX", at + ".takerSigRX"),
      element(s, "takerSigRY", at + ".takerSigRY"),
      element(s, "takerSigS", at + ".takerSigS")
    };
    long[][] leg = new long[LEG_NAMES.length][];
    for (int k = 0; k < LEG_NAMES.length; k++) {
      String ak = at + "." + LEG_NAMES[k];
      BigInteger[] v = elements(s.get(LEG_NAMES[k]), ak, legs);
      leg[k] = new long[legs];
      for (int l = 0; l < legs; l++) {
        leg[k][l] = signedWord(v[l], ak + "[" + l + "]");
      }
    }
    for (int l = 0; l < legs; l++) {
      if (leg[5][l] < 0 || leg[5][l] >= r) {
        throw refuse(at + ".legRow[" + l + "] is not a row in [0, " + r + "): " + leg[5][l]);
      }
    }
    return new Trade(orderWords, leg[0], leg[1], leg[2], leg[3], leg[4], leg[5], takerSig);
  }

  /**
   * A signed 64-bit word from its field element: {@code v} for {@code v < 2^63}, {@code -(r - v)}
   * for {@code r - v <= 2^63}; anything between is no word (the circuit's range checks refuse it).
   */
  private static long signedWord(BigInteger v, String at) throws BatchRefusedException {
    if (v.bitLength() <= 63) {
      return v.longValue();
    }
    BigInteger neg = Fr.MODULUS.subtract(v);
    if (neg.bitLength() <= 63 || neg.equals(TWO_63)) {
      return neg.negate().longValue();
    }
    throw refuse(at + " is not a signed 64-bit word: " + clip(v.toString()));
  }

  private static JsonNode array(JsonNode parent, String name, int len)
      throws BatchRefusedException {
    JsonNode a = parent.get(name);
    if (a == null || !a.isArray()) {
      throw refuse(name + " missing or not an array");
    }
    if (a.size() != len) {
      throw new BatchRefusedException(
          Check.CIRCUIT_SIZES, name + " has " + a.size() + " entries, the circuit id says " + len);
    }
    return a;
  }

  private static BigInteger[] elements(JsonNode a, String at, int len)
      throws BatchRefusedException {
    if (a == null || !a.isArray()) {
      throw refuse(at + " missing or not an array");
    }
    if (a.size() > 4096 || (len >= 0 && a.size() != len)) {
      throw refuse(at + " has " + a.size() + " elements");
    }
    BigInteger[] out = new BigInteger[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = value(a.get(i), at + "[" + i + "]");
    }
    return out;
  }

  private static BigInteger element(JsonNode parent, String name, String at)
      throws BatchRefusedException {
    return value(parent.get(name), at);
  }

  /** A decimal string of a field element in [0, r) (at most 78 digits, no sign, no spaces). */
  private static BigInteger value(JsonNode v, String at) throws BatchRefusedException {
    if (v == null || !v.isTextual()) {
      throw refuse(at + " missing or not a decimal string");
    }
    String s = v.textValue();
    if (s.isEmpty() || s.length() > 78) {
      throw refuse(at + " is not a field element: " + clip(s));
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw refuse(at + " is not a decimal string: " + clip(s));
      }
    }
    BigInteger x = new BigInteger(s);
    if (!Fr.isElement(x)) {
      throw refuse(at + " is not in [0, r): " + clip(s));
    }
    return x;
  }

  private static BatchRefusedException refuse(String message) {
    return new BatchRefusedException(Check.DOCUMENT, message);
  }

  private static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int i = s.indexOf('\n');
    return clip(i < 0 ? s : s.substring(0, i));
  }

  /** The circuit id, e.g. {@code batch-D6-I3-P2-A2-S4-T2-K2-L2-N2-R4}. */
  public String circuitId() {
    return circuitId;
  }

  /** The circuit id without N and R: the ledger sizes, e.g. {@code batch-D6-...-K2-L2}. */
  public String sizes() {
    return sizesPrefix;
  }

  /** The nine public inputs in circuit order (a copy). */
  public BigInteger[] publicInputs() {
    return publicInputs.clone();
  }

  /** Public input {@code i} (0 oldRoot .. 7 batchTime, 8 requestsHash). */
  public BigInteger publicInput(int i) {
    return publicInputs[i];
  }

  public BigInteger oldRoot() {
    return publicInputs[0];
  }

  public BigInteger newRoot() {
    return publicInputs[1];
  }

  public BigInteger riskRoot() {
    return publicInputs[2];
  }

  public BigInteger depositHeadBefore() {
    return publicInputs[3];
  }

  public BigInteger depositHeadAfter() {
    return publicInputs[4];
  }

  public BigInteger withdrawalsHash() {
    return publicInputs[5];
  }

  public BigInteger dataHash() {
    return publicInputs[6];
  }

  public BigInteger batchTime() {
    return publicInputs[7];
  }

  /** The liquidation list hash (docs/LIQUIDATION.md section 8). */
  public BigInteger requestsHash() {
    return publicInputs[8];
  }

  /** The number of liquidation slots, Q. */
  public int liquidationCount() {
    return liquidations.length;
  }

  /** Liquidation slot {@code i} (arrays shared). */
  public Liquidation liquidation(int i) {
    return liquidations[i];
  }

  public BigInteger instrumentsRoot() {
    return instrumentsRoot;
  }

  /** The packed globals elements (a copy). */
  public BigInteger[] globals() {
    return globals.clone();
  }

  /** The risk table rows (the array is a copy; rows share their arrays). */
  public Row[] rows() {
    return rows.clone();
  }

  /** The number of slots, N. */
  public int slotCount() {
    return slots.length;
  }

  /** Slot {@code i}'s twelve common data elements in dataHash order (a copy). */
  public BigInteger[] slot(int i) {
    return slots[i].clone();
  }

  /** The circuit's leg count L. */
  public int legs() {
    return legs;
  }

  /** Slot {@code i}'s trade fields (all zeros in a slot of another kind; arrays shared). */
  public Trade trade(int i) {
    return trades[i];
  }

  /**
   * Slot {@code i}'s full data in dataHash order, {@code BatchWitness.slotDataLength(L)} elements:
   * the layout of {@link BatchWitness#slotData}, the builder's own.
   */
  public BigInteger[] slotData(int i) {
    Trade t = trades[i];
    return BatchWitness.slotData(slots[i], t.words(), t.takerSig());
  }

  /**
   * {@code hashMD} of every slot's data as this document carries it, the generic slots' then the
   * liquidation slots' (what dataHash must be).
   */
  public BigInteger computedDataHash() {
    BigInteger[][] all = new BigInteger[slots.length + liquidations.length][];
    for (int i = 0; i < slots.length; i++) {
      all[i] = slotData(i);
    }
    for (int i = 0; i < liquidations.length; i++) {
      all[slots.length + i] = liquidations[i].data();
    }
    return BatchWitness.dataHash(all);
  }
}
