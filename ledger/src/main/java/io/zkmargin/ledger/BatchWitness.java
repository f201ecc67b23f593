package io.zkmargin.ledger;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.RiskEncoding;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskVector;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Kinds recorded: deposit (with registration of an empty leaf), withdrawal and transfer. A trade
 * is not in the batch circuit yet: {@link Builder#trade} refuses it.
 *
 * <p>Immutable; arrays returned by accessors are copies.
 */
public final class BatchWitness {
  /** Field elements each slot contributes to dataHash (docs/BATCH.md section 4). */
  public static final int SLOT_DATA_LEN = 12;

  /** Transition kinds (docs/BATCH.md section 2, the circuit's numbering). */
  public static final int KIND_NOOP = 0;

  /** Deposit (with registration when the leaf is empty). */
  public static final int KIND_DEPOSIT = 1;

  /** Withdrawal. */
  public static final int KIND_WITHDRAWAL = 2;

  /** Transfer between two accounts of one owner. */
  public static final int KIND_TRANSFER = 4;

  private final String circuitId;
  private final BigInteger[] publicInputs; // oldRoot .. batchTime
  private final BigInteger instrumentsRoot;
  private final long[] globalsWords;
  private final Row[] rows;
  private final Slot[] slots;

  private BatchWitness(
      String circuitId,
      BigInteger[] publicInputs,
      BigInteger instrumentsRoot,
      long[] globalsWords,
      Row[] rows,
      Slot[] slots) {
    this.circuitId = circuitId;
    this.publicInputs = publicInputs;
    this.instrumentsRoot = instrumentsRoot;
    this.globalsWords = globalsWords;
    this.rows = rows;
    this.slots = slots;
  }

  /**
   * The batch circuit id of a ledger's sizes: {@code
   * batch-D..-I..-P..-A..-S..-T..-K{K}-L{L}-N{N}-R{R}}.
   *
   * @param config the ledger's sizes (D..T, K, L)
   * @param n transition slots, in {@code [1, 256]}
   * @param r risk table rows, in {@code [1, 256]}
   */
  public static String circuitId(LedgerConfig config, int n, int r) {
    ArgChecker.notNull(config, "config");
    ArgChecker.inRange(n, 1, 256, "n");
    ArgChecker.inRange(r, 1, 256, "r");
    return config.sizes().healthCircuitId().replaceFirst("^health-", "batch-")
        + "-K"
        + config.orderDepth()
        + "-L"
        + config.legs()
        + "-N"
        + n
        + "-R"
        + r;
  }

  /** The batch circuit id. */
  public String circuitId() {
    return circuitId;
  }

  /**
   * The eight public inputs in circuit order: oldRoot, newRoot, riskRoot, depositHeadBefore,
   * depositHeadAfter, withdrawalsHash, dataHash, batchTime (a copy).
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

  /** {@code hashMD} of every slot's twelve data elements, slot order. */
  public BigInteger dataHash() {
    return publicInputs[6];
  }

  /** The slots' data in dataHash order, {@code N * 12} elements (a copy): what the DAC stores. */
  public BigInteger[] slotData() {
    BigInteger[] out = new BigInteger[slots.length * SLOT_DATA_LEN];
    for (int i = 0; i < slots.length; i++) {
      System.arraycopy(slots[i].data, 0, out, i * SLOT_DATA_LEN, SLOT_DATA_LEN);
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
      "batchTime"
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
      account(sb, "b", s.b, s.rowIdxB).append('\n');
      sb.append(i + 1 < slots.length ? "    },\n" : "    }\n");
    }
    sb.append("  ]\n}\n");
    return sb.toString();
  }

  private static StringBuilder account(StringBuilder sb, String name, Part p, long[] rowIdx) {
    sb.append("      \"").append(name).append("\": {");
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
  }

  private static final class Slot {
    final BigInteger[] data = new BigInteger[SLOT_DATA_LEN];
    Part a;
    Part b;
    long[] rowIdxA;
    long[] rowIdxB;

    Slot() {
      Arrays.fill(data, BigInteger.ZERO);
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
    return new Builder(ledger, n, r, depositHeadBefore, null);
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
    return new Builder(ledger, n, r, depositHeadBefore, tree);
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

    private Builder(
        Ledger ledger, int n, int r, BigInteger depositHeadBefore, SparseMerkleTree previous) {
      this.ledger = ArgChecker.notNull(ledger, "ledger");
      this.circuitId = BatchWitness.circuitId(ledger.config(), n, r);
      this.n = n;
      this.r = r;
      this.depositHeadBefore = io.zkmargin.commit.Fr.requireElement(depositHeadBefore, "head");
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
      this.tree = previous != null ? previous : ledger.stateTree();
      this.oldRoot = tree.root();
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
     * A trade is not in the batch circuit yet (docs/BATCH.md section 4: the circuit implements
     * kinds 0, 1, 2, 4): always throws, leaving the ledger unchanged.
     *
     * @throws UnsupportedOperationException always
     */
    public Rule trade(OrderMessage maker, OrderMessage taker, long fill, long[] legPrices) {
      throw new UnsupportedOperationException(
          "trades are not in the batch circuit yet (kinds 0, 1, 2, 4 only): a batch with a trade"
              + " cannot be proven");
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
        all[i] = s;
      }
      BigInteger[] data = new BigInteger[n * SLOT_DATA_LEN];
      for (int i = 0; i < n; i++) {
        System.arraycopy(all[i].data, 0, data, i * SLOT_DATA_LEN, SLOT_DATA_LEN);
      }
      BigInteger[] pub = {
        oldRoot,
        tree.root(),
        risk.riskRoot(),
        depositHeadBefore,
        depositHead,
        withdrawalsHash,
        Poseidon2.hashMD(data),
        BigInteger.valueOf(batchTime)
      };
      return new BatchWitness(
          circuitId, pub, risk.instrumentsRoot(), RiskEncoding.words(risk.globals()), table, all);
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
      if (need.size() > r) {
        throw new IllegalStateException(
            "the batch's risk table would need "
                + need.size()
                + " rows, "
                + circuitId
                + " has "
                + r
                + ": start a new batch");
      }
      return need;
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
        if (!tree.get(id).equals(leaf.hash())) {
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
        p.oldWords = leaf.words();
      } else {
        p.empty = true;
        p.oldWords = new long[sizes.leafWordCount()];
      }
      return p;
    }

    private void update(long id) {
      tree.set(id, ledger.leaf(id).hash());
    }

    /** MMcore and IMcore of the account's new state: the bounds m, mIm the circuit checks. */
    private void bounds(Part p, long id) {
      AccountLeaf leaf = ledger.leaf(id);
      MarginCalculator.DEFAULT.evaluate(vector, leaf, margin);
      p.imChecked = true;
      p.newIds = leaf.instrumentIds();
      p.newQty = leaf.quantities();
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
}
