package io.zkmargin.dac;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.Commitments;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.RiskEncoding;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.dac.BatchRefusedException.Check;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.Liquidation;
import io.zkmargin.ledger.RequestEntry;
import io.zkmargin.ledger.Rule;
import io.zkmargin.ledger.SignatureVerifier;
import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The account tree as a committee member (or an auditor) keeps it: a {@link Ledger} from genesis,
 * its state tree, the deposit queue head and the latest batch; {@link #apply} checks a batch
 * document against it and replays it (docs/BATCH.md sections 2-4).
 *
 * <p>Checks, in order: the circuit sizes are the genesis's; the batch number is the next one;
 * {@code oldRoot} is the current root; {@code depositHeadBefore} the current head; {@code
 * batchTime} in {@code [previous batch time, 2^40)}; {@code dataHash = hashMD(slot data)} (the
 * layout of {@link BatchWitness#slotData}: common elements, packed trade words, taker signature);
 * the globals hash and {@code instrumentsRoot} compress to {@code riskRoot}; every used risk row's
 * entry hash opens at its id in the instrument tree of {@code instrumentsRoot}; then every slot is
 * replayed through the ledger at the risk commitment of those rows (signatures checked with {@link
 * SignatureVerifier#FAST}, the reference's verdict; a trade's two orders rebuilt from the slot
 * data, both signatures checked, the batch's fees credited to account 0 at its end); finally the
 * replayed root, withdrawal list hash and deposit head must be the document's. A refused batch
 * leaves the state as it was (a refusal after transitions were applied rebuilds the state from
 * genesis through the batches accepted so far, which the caller passes in as a {@link Rebuilder}).
 *
 * <p>Not thread-safe: the owner serializes calls.
 */
public final class ReplayState {
  /** Replays the accepted batches again from genesis (after a refusal mid-batch). */
  @FunctionalInterface
  public interface Rebuilder {
    /** Returns a state equal to this one before the refused batch. */
    ReplayState rebuild() throws BatchRefusedException;
  }

  private final Genesis genesis;
  private final String sizesId;
  private Ledger ledger;
  private SparseMerkleTree tree;
  private BigInteger depositHead = BigInteger.ZERO;
  private long latestBatch;
  private long lastBatchTime;

  /** The state at genesis (batch 0, deposit head 0). */
  public ReplayState(Genesis genesis) {
    this.genesis = ArgChecker.notNull(genesis, "genesis");
    this.sizesId = Genesis.sizesId(genesis.config());
    this.ledger = genesis.ledger();
    this.tree = genesis.tree();
  }

  public Genesis genesis() {
    return genesis;
  }

  /** The latest batch applied (0: genesis). */
  public long latestBatch() {
    return latestBatch;
  }

  /** The current state root. */
  public BigInteger root() {
    return tree.root();
  }

  /** The deposit queue head after the deposits consumed so far ({@code head_0 = 0}). */
  public BigInteger depositHead() {
    return depositHead;
  }

  /** The ledger (read it only; every change goes through {@link #apply}). */
  public Ledger ledger() {
    return ledger;
  }

  /** The current leaf of a registered account, or null for an empty leaf. */
  public AccountLeaf leaf(long accountId) {
    return ledger.isRegistered(accountId) ? ledger.leaf(accountId) : null;
  }

  /** The Merkle path of an account id in the current tree (D siblings, leaf level first). */
  public BigInteger[] path(long accountId) {
    return tree.path(accountId);
  }

  /**
   * Checks and replays a batch. On success the state is the batch's new state.
   *
   * @param batchNumber the batch's number, must be {@link #latestBatch()} + 1
   * @param doc the parsed document
   * @param rebuilder how to restore the state when a transition fails after others were applied
   * @throws BatchRefusedException naming the check that failed; the state is as before
   */
  public void apply(long batchNumber, WitnessDocument doc, Rebuilder rebuilder)
      throws BatchRefusedException {
    ArgChecker.notNull(doc, "doc");
    if (!doc.sizes().equals(sizesId)) {
      throw new BatchRefusedException(
          Check.CIRCUIT_SIZES,
          "the batch is for " + doc.circuitId() + ", this ledger has sizes " + sizesId);
    }
    if (batchNumber != latestBatch + 1) {
      throw new BatchRefusedException(
          Check.BATCH_NUMBER,
          "batch " + batchNumber + " is not the next batch " + (latestBatch + 1));
    }
    if (!doc.oldRoot().equals(root())) {
      throw new BatchRefusedException(
          Check.OLD_ROOT, "oldRoot " + doc.oldRoot() + " is not the current root " + root());
    }
    if (!doc.depositHeadBefore().equals(depositHead)) {
      throw new BatchRefusedException(
          Check.DEPOSIT_HEAD_BEFORE,
          "depositHeadBefore " + doc.depositHeadBefore() + " is not the queue head " + depositHead);
    }
    BigInteger t = doc.batchTime();
    if (t.bitLength() > 40 || t.longValue() < lastBatchTime) {
      throw new BatchRefusedException(
          Check.BATCH_TIME,
          "batchTime " + t + " is not in [" + lastBatchTime + " (the previous batch's), 2^40)");
    }
    long batchTime = t.longValue();
    int n = doc.slotCount();
    BigInteger dataHash;
    try {
      dataHash = doc.computedDataHash();
    } catch (IllegalArgumentException e) {
      throw new BatchRefusedException(Check.DATA_HASH, "slot data: " + e.getMessage());
    }
    if (!dataHash.equals(doc.dataHash())) {
      throw new BatchRefusedException(
          Check.DATA_HASH,
          "dataHash " + doc.dataHash() + " is not the hash of the slots' data " + dataHash);
    }
    RiskCommitment risk = riskTable(doc);

    boolean touched = false;
    try {
      ledger.beginBatch(risk, batchTime);
      BigInteger head = depositHead;
      BigInteger withdrawals = BigInteger.ZERO;
      TreeSet<Long> changed = new TreeSet<>();
      long feeAccount = ledger.config().feeAccountId();
      long fees = 0; // the batch's trading fees: the circuit credits them after the last slot
      for (int i = 0; i < n; i++) {
        BigInteger[] d = doc.slot(i);
        int kind = d[0].bitLength() > 8 ? -1 : d[0].intValue();
        Rule rule;
        touched = true;
        switch (kind) {
          case BatchWitness.KIND_NOOP -> rule = Rule.OK;
          case BatchWitness.KIND_DEPOSIT -> {
            long id = word(d[1], i, "accountId");
            long amount = word(d[2], i, "amount");
            if (id > ledger.accountLimit()) {
              // Settlement assigns registration ids in sequence (nextAccountId) and queues
              // deposits only to ids below it: a deposit beyond the next id cannot come from it
              throw slotRefused(
                  i,
                  "deposit",
                  "account "
                      + id
                      + " is beyond the next account id "
                      + ledger.accountLimit()
                      + " (Settlement assigns ids in sequence)");
            }
            rule = ledger.deposit(id, amount, d[5], d[6], d[4]);
            if (rule.isOk()) {
              head =
                  Poseidon2.compress(
                      head,
                      Poseidon2.hashMD(
                          BigInteger.valueOf(id), BigInteger.valueOf(amount), d[5], d[6], d[4]));
              changed.add(id);
            }
          }
          case BatchWitness.KIND_WITHDRAWAL -> {
            WithdrawalMessage m =
                new WithdrawalMessage(
                    word(d[1], i, "accountId"),
                    word(d[3], i, "nonce"),
                    word(d[2], i, "amount"),
                    d[4]);
            requireNoPendingFees(m.accountId(), fees, i, "withdrawal");
            rule = ledger.checkSignature(m, signature(d, i), SignatureVerifier.FAST);
            if (rule.isOk()) {
              rule = ledger.withdraw(m);
            }
            if (rule.isOk()) {
              withdrawals =
                  Poseidon2.compress(
                      withdrawals,
                      Poseidon2.compress(m.l1Address(), BigInteger.valueOf(m.amount())));
              changed.add(m.accountId());
            }
          }
          case BatchWitness.KIND_TRANSFER -> {
            TransferMessage m =
                new TransferMessage(
                    word(d[1], i, "accountId"),
                    word(d[10], i, "toAccountId"),
                    word(d[3], i, "nonce"),
                    word(d[11], i, "asset"),
                    word(d[2], i, "amount"));
            requireNoPendingFees(m.fromAccountId(), fees, i, "transfer");
            rule = ledger.checkSignature(m, signature(d, i), SignatureVerifier.FAST);
            if (rule.isOk()) {
              rule = ledger.transfer(m);
            }
            if (rule.isOk()) {
              changed.add(m.fromAccountId());
              changed.add(m.toAccountId());
            }
          }
          case BatchWitness.KIND_TRADE -> {
            WitnessDocument.Trade tr = doc.trade(i);
            long makerId = word(d[1], i, "accountId");
            long takerId = word(d[10], i, "toAccountId");
            long fill = word(d[2], i, "amount");
            if (feeAccount != 0) {
              throw slotRefused(
                  i,
                  "trade",
                  "the batch circuit credits fees to account 0, this ledger's fee"
                      + " account is "
                      + feeAccount);
            }
            if (makerId == feeAccount || takerId == feeAccount) {
              // the circuit credits the batch's fees to account 0 after the last slot, so within
              // the batch it sees account 0 without them: the fee account cannot trade
              throw slotRefused(
                  i,
                  "trade",
                  "the fee account "
                      + feeAccount
                      + " cannot trade in a batch (the circuit credits account 0 at its end)");
            }
            OrderMessage maker = order(makerId, tr, 0, 1, i, "maker");
            OrderMessage taker = order(takerId, tr, 5, -1, i, "taker");
            rule = ledger.checkSignature(maker, signature(d, i), SignatureVerifier.FAST);
            if (rule.isOk()) {
              rule = ledger.checkSignature(taker, takerSignature(tr, i), SignatureVerifier.FAST);
            }
            long[] makerPos = null;
            long[] takerPos = null;
            if (rule.isOk()
                && makerId != takerId
                && ledger.isRegistered(makerId)
                && ledger.isRegistered(takerId)) {
              makerPos = BatchWitness.positionSlots(ledger, makerId, maker, 1, fill);
              takerPos = BatchWitness.positionSlots(ledger, takerId, maker, -1, fill);
            }
            if (rule.isOk()) {
              rule = ledger.trade(maker, taker, fill, tr.prices());
            }
            if (rule.isOk()) {
              checkLegs(doc, tr, makerPos, takerPos, i);
              fees =
                  Math.addExact(
                      fees,
                      Math.multiplyExact(
                          Math.addExact(maker.feePerUnit(), taker.feePerUnit()), fill));
              changed.add(makerId);
              changed.add(takerId);
            }
          }
          case BatchWitness.KIND_SETTLE_EXPIRY -> {
            // the holder and its position slot (the trade word makerPos[0]); nothing is signed
            long id = word(d[1], i, "accountId");
            long pos = doc.trade(i).makerPos()[0];
            requireNoPendingFees(id, fees, i, "settle-expiry");
            rule =
                pos < 0 || pos >= ledger.config().sizes().positionSlots()
                    ? Rule.BAD_SLOT
                    : ledger.settleExpiry(id, (int) pos);
            if (rule.isOk()) {
              changed.add(id);
            }
          }
          default -> throw slotRefused(i, "kind " + d[0], "unknown transition kind");
        }
        if (!rule.isOk()) {
          throw slotRefused(i, kindName(kind), "the ledger refuses it: " + rule);
        }
      }
      BigInteger requests = BigInteger.ZERO;
      LiquidationParams lp = ledger.liquidationParams();
      long fund = lp.insuranceFundId();
      long fundShares = 0; // the circuit credits them to the fund after the fee credit
      for (int i = 0; i < doc.liquidationCount(); i++) {
        WitnessDocument.Liquidation q = doc.liquidation(i);
        BigInteger[] h = q.head();
        touched = true;
        if (q.kind() == 0) {
          boolean zero = Arrays.stream(h).allMatch(v -> v.signum() == 0);
          for (long[] w : new long[][] {q.takeLots(), q.takeAtoms(), q.liqPos()}) {
            zero &= Arrays.stream(w).allMatch(v -> v == 0);
          }
          if (!zero) {
            throw liqRefused(i, "a no-op liquidation slot carries data");
          }
          continue;
        }
        if (q.kind() == RequestEntry.FORCED_PAID || q.kind() == RequestEntry.FORCED_REFUSED) {
          RequestEntry e = replayForced(q, i, fees, fund, fundShares);
          if (e.kind() == RequestEntry.FORCED_PAID) {
            withdrawals =
                Poseidon2.compress(
                    withdrawals, Poseidon2.compress(e.party(), BigInteger.valueOf(e.amount())));
            changed.add(e.accountId());
          }
          requests = Poseidon2.compress(requests, e.hash());
          continue;
        }
        if (q.kind() != BatchWitness.KIND_LIQUIDATION) {
          throw liqRefused(i, "unknown liquidation-slot kind " + h[0]);
        }
        LiquidationMessage m;
        try {
          m =
              new LiquidationMessage(
                  doc.riskRoot(),
                  h[3],
                  liqWord(h[1], i, "accountId"),
                  liqWord(h[2], i, "liquidatorId"),
                  liqWord(h[4], i, "nonce"),
                  liqWord(h[5], i, "penalty"),
                  q.takeLots(),
                  q.takeAtoms());
        } catch (IllegalArgumentException e) {
          throw liqRefused(i, e.getMessage());
        }
        if (h[6].bitLength() > 31 || h[6].intValue() > ledger.config().sizes().scenarios()) {
          throw liqRefused(
              i,
              "scenario "
                  + h[6]
                  + " is not in [0, S = "
                  + ledger.config().sizes().scenarios()
                  + "]");
        }
        for (long id : new long[] {m.accountId(), m.liquidatorId()}) {
          if (id == feeAccount && fees != 0) {
            throw liqRefused(
                i,
                "the fee account " + id + " has this batch's fees pending (credited at its end)");
          }
        }
        if (m.liquidatorId() == fund && fundShares != 0) {
          throw liqRefused(
              i,
              "the insurance fund "
                  + fund
                  + " has this batch's fund shares pending (credited at its end)");
        }
        EdDSA.Signature sig;
        try {
          sig = new EdDSA.Signature(new EdwardsPoint(h[7], h[8]), h[9]);
        } catch (IllegalArgumentException e) {
          throw liqRefused(i, "malformed liquidator signature: " + e.getMessage());
        }
        Rule rule = ledger.checkSignature(m, sig, SignatureVerifier.FAST);
        long[] liqPos = BatchWitness.takeSlots(ledger, m);
        if (rule.isOk()) {
          // the signed risk root is the document's, checked against the table above (RISK_ROOT);
          // the replay's partial commitment of the table's rows has another root of its own
          rule =
              ledger.liquidate(
                  m.accountId(),
                  m.liquidatorId(),
                  m.keeper(),
                  m.nonce(),
                  m.takeLots(),
                  m.takeAtoms(),
                  m.penalty());
        }
        if (!rule.isOk()) {
          throw liqRefused(i, "the ledger refuses it: " + rule);
        }
        if (!Arrays.equals(liqPos, q.liqPos())) {
          throw liqRefused(
              i,
              "liqPos "
                  + Arrays.toString(q.liqPos())
                  + " is not where the ledger moved the takes "
                  + Arrays.toString(liqPos));
        }
        Liquidation done = ledger.liquidations().get(ledger.liquidations().size() - 1);
        long toFund =
            BigInteger.valueOf(m.penalty())
                .multiply(BigInteger.valueOf(lp.insuranceSharePpm()))
                .divide(BigInteger.valueOf(LiquidationParams.PPM))
                .longValueExact();
        fundShares = Math.addExact(fundShares, toFund);
        if (m.keeper().signum() != 0) {
          withdrawals =
              Poseidon2.compress(
                  withdrawals,
                  Poseidon2.compress(m.keeper(), BigInteger.valueOf(done.keeperShare())));
        }
        requests =
            Poseidon2.compress(
                requests, Poseidon2.compress(BigInteger.valueOf(m.accountId()), m.keeper()));
        changed.add(m.accountId());
        changed.add(m.liquidatorId());
        if (toFund != 0) {
          changed.add(fund);
        }
      }
      if (!requests.equals(doc.requestsHash())) {
        throw new BatchRefusedException(
            Check.REQUESTS_HASH,
            "requestsHash "
                + doc.requestsHash()
                + " is not the replayed request list's "
                + requests);
      }
      if (fees != 0) {
        // the end-of-batch fee credit: the ledger credited each trade's fees at once, so its
        // account 0 is already the circuit's after the credit; only the tree leaf changes here
        changed.add(feeAccount);
      }
      for (long id : changed) {
        Commitments.putAccount(tree, id, ledger.leaf(id));
      }
      if (!tree.root().equals(doc.newRoot())) {
        throw new BatchRefusedException(
            Check.NEW_ROOT,
            "newRoot " + doc.newRoot() + " is not the replayed root " + tree.root());
      }
      if (!withdrawals.equals(doc.withdrawalsHash())) {
        throw new BatchRefusedException(
            Check.WITHDRAWALS_HASH,
            "withdrawalsHash "
                + doc.withdrawalsHash()
                + " is not the replayed withdrawal list's "
                + withdrawals);
      }
      if (!head.equals(doc.depositHeadAfter())) {
        throw new BatchRefusedException(
            Check.DEPOSIT_HEAD_AFTER,
            "depositHeadAfter "
                + doc.depositHeadAfter()
                + " is not the head after the replayed deposits "
                + head);
      }
      depositHead = head;
      latestBatch = batchNumber;
      lastBatchTime = batchTime;
    } catch (BatchRefusedException | RuntimeException e) {
      if (touched) {
        restore(rebuilder);
      }
      if (e instanceof BatchRefusedException b) {
        throw b;
      }
      throw new BatchRefusedException(
          Check.TRANSITION,
          "replay failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private void restore(Rebuilder rebuilder) throws BatchRefusedException {
    ReplayState s = rebuilder.rebuild();
    this.ledger = s.ledger;
    this.tree = s.tree;
    this.depositHead = s.depositHead;
    this.latestBatch = s.latestBatch;
    this.lastBatchTime = s.lastBatchTime;
  }

  /**
   * The risk commitment of the document's used rows, each checked against {@code riskRoot}: the
   * ledger judges IM with exactly the entries the circuit opens (a partial instrument tree: its own
   * root is not the batch's, and is not used).
   */
  private RiskCommitment riskTable(WitnessDocument doc) throws BatchRefusedException {
    CircuitSizes s = genesis.config().sizes();
    RiskGlobals globals;
    BigInteger globalsHash;
    try {
      long[] gw = WordPacking.unpack(doc.globals(), s.globalsWordCount());
      globals = RiskEncoding.globals(gw, s);
      globalsHash = Commitments.wordsHash(gw);
    } catch (IllegalArgumentException e) {
      throw new BatchRefusedException(Check.RISK_ROOT, "globals: " + e.getMessage());
    }
    BigInteger riskRoot = Poseidon2.compress(doc.instrumentsRoot(), globalsHash);
    if (!riskRoot.equals(doc.riskRoot())) {
      throw new BatchRefusedException(
          Check.RISK_ROOT,
          "compress(instrumentsRoot, globalsHash) = "
              + riskRoot
              + " is not riskRoot "
              + doc.riskRoot());
    }
    Map<Long, InstrumentRiskEntry> entries = new TreeMap<>();
    WitnessDocument.Row[] rows = doc.rows();
    for (int r = 0; r < rows.length; r++) {
      WitnessDocument.Row row = rows[r];
      if (!row.used()) {
        continue;
      }
      try {
        ArgChecker.isTrue(
            row.id() >= 0 && row.id() < (1L << s.instrumentDepth()),
            "instrument id {} is outside [0, 2^{})",
            row.id(),
            s.instrumentDepth());
        ArgChecker.isTrue(
            row.path().length == s.instrumentDepth(),
            "{} siblings, the instrument tree has depth {}",
            row.path().length,
            s.instrumentDepth());
        long[] words = WordPacking.unpack(row.entry(), s.instrumentEntryWordCount());
        BigInteger leaf = Commitments.wordsHash(words);
        ArgChecker.isTrue(
            SparseMerkleTree.verify(doc.instrumentsRoot(), leaf, row.id(), row.path()),
            "entry of instrument {} does not open against instrumentsRoot",
            row.id());
        ArgChecker.isTrue(!entries.containsKey(row.id()), "instrument {} twice", row.id());
        entries.put(row.id(), RiskEncoding.entry(words, s.scenarios()));
      } catch (IllegalArgumentException e) {
        throw new BatchRefusedException(Check.RISK_ROW, "row " + r + ": " + e.getMessage());
      }
    }
    return new RiskCommitment(s, entries, globals);
  }

  private static long word(BigInteger v, int slot, String name) throws BatchRefusedException {
    if (v.bitLength() > 63) {
      throw new BatchRefusedException(
          Check.TRANSITION, "slot " + slot + ": " + name + " " + v + " is beyond 2^63");
    }
    return v.longValue();
  }

  private static EdDSA.Signature signature(BigInteger[] d, int slot) throws BatchRefusedException {
    try {
      return new EdDSA.Signature(new EdwardsPoint(d[7], d[8]), d[9]);
    } catch (IllegalArgumentException e) {
      throw new BatchRefusedException(
          Check.TRANSITION, "slot " + slot + ": malformed signature: " + e.getMessage());
    }
  }

  /**
   * A trade's order rebuilt from the slot data: the maker's legs, the taker's the maker's with
   * opposite ratios (docs/BATCH.md section 4: the slot carries one leg set).
   */
  private static OrderMessage order(
      long accountId, WitnessDocument.Trade tr, int at, int sign, int slot, String name)
      throws BatchRefusedException {
    long[] w = tr.orderWords();
    long[] ratios = tr.ratios().clone();
    for (int l = 0; l < ratios.length; l++) {
      if (Math.abs(ratios[l]) > OrderMessage.MAX_RATIO) {
        throw slotRefused(slot, "trade", "ratio[" + l + "] " + ratios[l] + " is beyond 2^16");
      }
      ratios[l] *= sign;
    }
    try {
      return new OrderMessage(
          accountId, w[at], w[at + 1], w[at + 2], w[at + 3], w[at + 4], tr.instrumentIds(), ratios);
    } catch (IllegalArgumentException e) {
      throw slotRefused(slot, "trade", "malformed " + name + " order: " + e.getMessage());
    }
  }

  private static EdDSA.Signature takerSignature(WitnessDocument.Trade tr, int slot)
      throws BatchRefusedException {
    BigInteger[] s = tr.takerSig();
    try {
      return new EdDSA.Signature(new EdwardsPoint(s[0], s[1]), s[2]);
    } catch (IllegalArgumentException e) {
      throw new BatchRefusedException(
          Check.TRANSITION, "slot " + slot + ": malformed taker signature: " + e.getMessage());
    }
  }

  /**
   * The witness's position slots are the ones the ledger moved (each is in dataHash, and the
   * circuit writes the leaf where the witness says), an unused leg's price is 0, and each used
   * leg's {@code legRow} opens a used risk row of the leg's instrument (as the circuit requires).
   */
  private static void checkLegs(
      WitnessDocument doc, WitnessDocument.Trade tr, long[] makerPos, long[] takerPos, int slot)
      throws BatchRefusedException {
    WitnessDocument.Row[] rows = doc.rows();
    for (int l = 0; l < tr.ratios().length; l++) {
      if (tr.makerPos()[l] != makerPos[l] || tr.takerPos()[l] != takerPos[l]) {
        throw slotRefused(
            slot,
            "trade",
            "leg "
                + l
                + " moves position slots (maker "
                + makerPos[l]
                + ", taker "
                + takerPos[l]
                + "), the slot data says (maker "
                + tr.makerPos()[l]
                + ", taker "
                + tr.takerPos()[l]
                + ")");
      }
      if (tr.ratios()[l] == 0 && tr.prices()[l] != 0) {
        // the ledger ignores an unused leg's price: only 0 (the builder's) keeps one replay per
        // dataHash
        throw slotRefused(
            slot, "trade", "leg " + l + " is unused and has price " + tr.prices()[l] + ", not 0");
      }
      if (tr.ratios()[l] != 0) {
        WitnessDocument.Row row = rows[(int) tr.legRow()[l]];
        if (!row.used() || row.id() != tr.instrumentIds()[l]) {
          throw new BatchRefusedException(
              Check.RISK_ROW,
              "slot "
                  + slot
                  + ": legRow["
                  + l
                  + "] = "
                  + tr.legRow()[l]
                  + " is not the used row of instrument "
                  + tr.instrumentIds()[l]);
        }
      }
    }
  }

  private void requireNoPendingFees(long id, long fees, int slot, String kind)
      throws BatchRefusedException {
    if (id == ledger.config().feeAccountId() && fees != 0) {
      throw slotRefused(
          slot,
          kind,
          "the fee account "
              + id
              + " has this batch's fees pending (the circuit credits them after the last slot)");
    }
  }

  // ---------------------------------------------------------------- forced withdrawal

  /**
   * Replays a request slot of kind 8 (forced withdrawal paid) or 9 (refused) through {@link
   * Ledger#forcedWithdrawal} and returns its request entry: the slot's {@code keeper} field is the
   * requester ({@code < 2^160}), {@code penalty} the amount ({@code [1, 2^63)}), every other field
   * 0 (the builder's: one replay per dataHash); the ledger's outcome must be the slot's kind (paid
   * iff OK), else {@link Check#FORCED_WITHDRAWAL} names the ledger's rule. The fee account with
   * fees pending and the fund with shares pending are refused: the circuit sees them without those
   * until the batch's end, the ledger with them.
   */
  private RequestEntry replayForced(
      WitnessDocument.Liquidation q, int slot, long fees, long fund, long fundShares)
      throws BatchRefusedException {
    BigInteger[] h = q.head();
    boolean unread =
        h[2].signum() != 0
            || h[4].signum() != 0
            || h[6].signum() != 0
            || h[7].signum() != 0
            || h[8].signum() != 0
            || h[9].signum() != 0;
    for (long[] w : new long[][] {q.takeLots(), q.takeAtoms(), q.liqPos()}) {
      unread |= Arrays.stream(w).anyMatch(v -> v != 0);
    }
    if (unread) {
      throw forcedRefused(slot, "a field its kind does not read is not 0");
    }
    CircuitSizes s = ledger.config().sizes();
    if (h[1].bitLength() > s.stateDepth()) {
      throw forcedRefused(slot, "accountId " + h[1] + " is beyond 2^" + s.stateDepth());
    }
    if (h[3].bitLength() > 160) {
      throw forcedRefused(slot, "requester " + h[3] + " is beyond 2^160");
    }
    if (h[5].signum() == 0 || h[5].bitLength() > 63) {
      throw forcedRefused(slot, "amount " + h[5] + " is not in [1, 2^63)");
    }
    long id = h[1].longValue();
    long amount = h[5].longValue();
    if (id == ledger.config().feeAccountId() && fees != 0) {
      throw forcedRefused(
          slot, "the fee account " + id + " has this batch's fees pending (credited at its end)");
    }
    if (id == fund && fundShares != 0) {
      throw forcedRefused(
          slot,
          "the insurance fund "
              + id
              + " has this batch's fund shares pending (credited at its end)");
    }
    int kind = q.kind();
    Rule rule = ledger.forcedWithdrawal(id, h[3], amount);
    if (rule == Rule.UNKNOWN_INSTRUMENT || rule == Rule.OVERFLOW) {
      throw forcedRefused(slot, "the ledger cannot judge it at this risk root: " + rule);
    }
    if (kind == RequestEntry.FORCED_PAID && !rule.isOk()) {
      throw forcedRefused(slot, "paid, but the ledger refuses it: " + rule);
    }
    if (kind == RequestEntry.FORCED_REFUSED && rule.isOk()) {
      throw forcedRefused(slot, "refused, but the ledger pays it (the owner meets IM after)");
    }
    return new RequestEntry(kind, id, h[3], amount);
  }

  private static BatchRefusedException forcedRefused(int slot, String why) {
    return new BatchRefusedException(
        Check.FORCED_WITHDRAWAL, "request slot " + slot + " (forced withdrawal): " + why);
  }

  private static BatchRefusedException liqRefused(int slot, String why) {
    return new BatchRefusedException(Check.LIQUIDATION, "liquidation slot " + slot + ": " + why);
  }

  private static long liqWord(BigInteger v, int slot, String name) throws BatchRefusedException {
    if (v.bitLength() > 63) {
      throw liqRefused(slot, name + " " + v + " is beyond 2^63");
    }
    return v.longValue();
  }

  private static BatchRefusedException slotRefused(int slot, String kind, String why) {
    return new BatchRefusedException(Check.TRANSITION, "slot " + slot + " (" + kind + "): " + why);
  }

  private static String kindName(int kind) {
    return switch (kind) {
      case BatchWitness.KIND_NOOP -> "no-op";
      case BatchWitness.KIND_DEPOSIT -> "deposit";
      case BatchWitness.KIND_WITHDRAWAL -> "withdrawal";
      case BatchWitness.KIND_TRANSFER -> "transfer";
      case BatchWitness.KIND_TRADE -> "trade";
      case BatchWitness.KIND_SETTLE_EXPIRY -> "settle-expiry";
      default -> "kind " + kind;
    };
  }
}
