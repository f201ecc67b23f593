package io.zkmargin.ledger;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.Commitments;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.Fr;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.SignedMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.risk.account.AccountState;
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

/**
 * The venue's account state and the exact integer rules of every batch transition of docs/BATCH.md
 * section 2 (deposit, withdrawal, trade with L legs and partial fills, transfer), at one risk
 * commitment per batch. The sequencer, the batch witness builder and the tests share it, so that
 * what the ledger accepts is what the batch circuit proves.
 *
 * <p>Each transition returns {@link Rule#OK} when applied, or the rule it breaks; a refused
 * transition changes nothing (every new value is computed in scratch arrays, checked, and only then
 * stored). Signatures are checked apart ({@link #checkSignature}), so that the sequencer can check
 * them with a fast verifier, in parallel, before it orders the transitions.
 *
 * <p>State lives in flat primitive arrays indexed by account id (exchange-core style); the hot path
 * (trade, withdrawal, transfer) allocates nothing but the withdrawal record. Effective initial
 * margin is {@link MarginCalculator} (the exact integers of docs/ENCODING.md "Margin", as the
 * circuits compute them): {@code E * 10^6 >= max(IM, MM)}.
 *
 * <p>Units: balances in venue atoms of each asset (asset 0 the quote asset), quantities in signed
 * lots, prices and funding in quote atoms per lot, fees and limits in quote atoms per combo unit.
 * Arithmetic is exact: a result beyond a 64-bit word is refused ({@link Rule#OVERFLOW}).
 *
 * <p>Not thread-safe: one sequencer thread owns a ledger.
 */
public final class Ledger {
  private final LedgerConfig config;
  private final int assets;
  private final int slots;
  private final int legs;
  private final int orderSlots;
  private final long maxAccounts;
  private final long feeAccount;

  // account state, index = account id
  private int capacity;
  private int accountLimit; // 1 + the largest registered id
  private boolean[] registered;
  private BigInteger[] pkX;
  private BigInteger[] pkY;
  private EdwardsPoint[] pk;
  private BigInteger[] l1Address;
  private long[] nonce;
  private long[] tier;
  private long[] bal; // [id * A + a]
  private long[] ids; // [id * P + j]
  private long[] qty;
  private long[] snap;
  private long[][] slotOrder; // [id][orderId mod 2^K], null until the account's first fill
  private long[][] slotFilled;
  private BigInteger[] ordersRootCache; // null: not computed since the last change

  // the batch
  private RiskCommitment risk;
  private RiskVector vector;
  private long[] fundingIndex;
  private long batchTime = -1;
  private final List<Withdrawal> withdrawals = new ArrayList<>();
  private final long[] netFlow; // per asset: deposits - withdrawals since creation

  // scratch (two accounts of a trade)
  private final MarginResult margin;
  private final long[][] sBal;
  private final long[][] sIds;
  private final long[][] sQty;
  private final long[][] sSnap;
  private final int[] pendSlot = new int[2];
  private final long[] pendFilled = new long[2];

  private InvariantChecker checker;

  /**
   * An empty ledger (no account registered).
   *
   * @param config sizes, order-fill depth K, legs L and the fee account
   */
  public Ledger(LedgerConfig config) {
    this.config = ArgChecker.notNull(config, "config");
    CircuitSizes s = config.sizes();
    this.assets = s.collateralAssets();
    this.slots = s.positionSlots();
    this.legs = config.legs();
    this.orderSlots = 1 << config.orderDepth();
    this.maxAccounts = 1L << s.stateDepth();
    this.feeAccount = config.feeAccountId();
    this.netFlow = new long[assets];
    this.margin = new MarginResult(s.scenarios());
    this.sBal = new long[2][assets];
    this.sIds = new long[2][slots];
    this.sQty = new long[2][slots];
    this.sSnap = new long[2][slots];
    grow(16);
  }

  private void grow(int min) {
    int n = Math.max(min, capacity * 2);
    registered = Arrays.copyOf(registered == null ? new boolean[0] : registered, n);
    pkX = Arrays.copyOf(pkX == null ? new BigInteger[0] : pkX, n);
    pkY = Arrays.copyOf(pkY == null ? new BigInteger[0] : pkY, n);
    pk = Arrays.copyOf(pk == null ? new EdwardsPoint[0] : pk, n);
    l1Address = Arrays.copyOf(l1Address == null ? new BigInteger[0] : l1Address, n);
    nonce = Arrays.copyOf(nonce == null ? new long[0] : nonce, n);
    tier = Arrays.copyOf(tier == null ? new long[0] : tier, n);
    bal = Arrays.copyOf(bal == null ? new long[0] : bal, n * assets);
    ids = Arrays.copyOf(ids == null ? new long[0] : ids, n * slots);
    qty = Arrays.copyOf(qty == null ? new long[0] : qty, n * slots);
    snap = Arrays.copyOf(snap == null ? new long[0] : snap, n * slots);
    slotOrder = Arrays.copyOf(slotOrder == null ? new long[0][] : slotOrder, n);
    slotFilled = Arrays.copyOf(slotFilled == null ? new long[0][] : slotFilled, n);
    ordersRootCache =
        Arrays.copyOf(ordersRootCache == null ? new BigInteger[0] : ordersRootCache, n);
    capacity = n;
  }

  /** The sizes this ledger was built with. */
  public LedgerConfig config() {
    return config;
  }

  /**
   * Starts a batch: every following transition is judged at this risk commitment (marks, funding
   * indices, risk arrays, prices) and this batch time. Clears the batch's withdrawal list.
   *
   * @param risk the batch's risk commitment (sizes DI, S, A, T equal to the ledger's)
   * @param batchTime unix seconds, in {@code [0, 2^40)}; orders with {@code expiry < batchTime} are
   *     expired
   */
  public void beginBatch(RiskCommitment risk, long batchTime) {
    ArgChecker.notNull(risk, "risk");
    ArgChecker.inRangeExclusive(batchTime, 0, 1L << 40, "batchTime");
    CircuitSizes s = config.sizes();
    CircuitSizes r = risk.sizes();
    ArgChecker.isTrue(
        r.instrumentDepth() == s.instrumentDepth()
            && r.scenarios() == s.scenarios()
            && r.collateralAssets() == s.collateralAssets()
            && r.tiers() == s.tiers(),
        "risk commitment sizes {} do not match the ledger's {}",
        r,
        s);
    Map<Integer, InstrumentRiskEntry> entries = new TreeMap<>();
    for (Map.Entry<Long, InstrumentRiskEntry> e : risk.entries().entrySet()) {
      entries.put(e.getKey().intValue(), e.getValue());
    }
    this.vector = new RiskVector(0, s, entries, risk.globals());
    this.fundingIndex = vector.fundingArray();
    this.risk = risk;
    this.batchTime = batchTime;
    withdrawals.clear();
  }

  /** The current batch's risk commitment (null before the first {@link #beginBatch}). */
  public RiskCommitment riskCommitment() {
    return risk;
  }

  /** The current batch's time, unix seconds (-1 before the first {@link #beginBatch}). */
  public long batchTime() {
    return batchTime;
  }

  /** The withdrawals applied since {@link #beginBatch}, in order (a copy). */
  public List<Withdrawal> withdrawals() {
    return List.copyOf(withdrawals);
  }

  /**
   * Checks after every applied transition the invariants of docs/BATCH.md (conservation, zero net
   * quantity, nonces non-decreasing), from the current state on; an invariant broken throws {@link
   * IllegalStateException}. Off by default (a full scan per transition: for tests and audits).
   */
  public void checkInvariantsAfterEachTransition(boolean on) {
    checker = on ? new InvariantChecker(this) : null;
  }

  private Rule applied() {
    if (checker != null) {
      checker.check();
    }
    return Rule.OK;
  }

  // ---------------------------------------------------------------- signatures

  /**
   * Checks the signature of a message against the owner key of the account that must sign it (the
   * order's account, the withdrawing account, the transfer's sender).
   *
   * @param message the signed message
   * @param signature its signature
   * @param verifier the verifier (e.g. {@link SignatureVerifier#REFERENCE} or a fast one)
   * @return OK, BAD_SIGNATURE, BAD_ACCOUNT_ID or UNKNOWN_ACCOUNT
   */
  public Rule checkSignature(
      SignedMessage message, EdDSA.Signature signature, SignatureVerifier verifier) {
    ArgChecker.notNull(message, "message");
    ArgChecker.notNull(signature, "signature");
    ArgChecker.notNull(verifier, "verifier");
    long account;
    if (message instanceof OrderMessage o) {
      account = o.accountId();
    } else if (message instanceof WithdrawalMessage w) {
      account = w.accountId();
    } else {
      account = ((TransferMessage) message).fromAccountId();
    }
    Rule r = checkAccount(account);
    if (!r.isOk()) {
      return r;
    }
    EdwardsPoint key = ownerKey(account);
    if (key == null) {
      return Rule.BAD_SIGNATURE; // the registered key is not a curve point: nothing verifies
    }
    return verifier.verify(key, message.messageHash(), signature) ? Rule.OK : Rule.BAD_SIGNATURE;
  }

  /** The owner key of a registered account as a curve point, or null if it is not one. */
  public EdwardsPoint ownerKey(long accountId) {
    requireRegistered(accountId);
    int i = (int) accountId;
    if (pk[i] == null) {
      EdwardsPoint p = new EdwardsPoint(pkX[i], pkY[i]);
      if (!p.isOnCurve()) {
        return null;
      }
      pk[i] = p;
    }
    return pk[i];
  }

  // ---------------------------------------------------------------- deposit

  /**
   * Applies the next deposit queue entry (docs/BATCH.md "Deposit"): if the leaf is empty, registers
   * the account ({@code ownerPk = (pkX, pkY)}, {@code l1Address = depositor}, tier 0, everything
   * else 0, the order-fill root too); a deposit to a registered leaf must carry the key (0, 0) (a
   * plain deposit); then {@code balance[0] += amount}.
   *
   * @param accountId the target account
   * @param amount quote atoms, {@code >= 0}
   * @param pkX owner key x of a registration, in {@code [0, r)} (0 for a plain deposit)
   * @param pkY owner key y, in {@code [0, r)}
   * @param depositor the depositing address, in {@code [0, 2^160)}
   * @return OK, BAD_ACCOUNT_ID, BAD_AMOUNT, REGISTRATION_OF_EXISTING (a key on a deposit to a
   *     registered leaf) or OVERFLOW
   */
  public Rule deposit(
      long accountId, long amount, BigInteger pkX, BigInteger pkY, BigInteger depositor) {
    Fr.requireElement(pkX, "pkX");
    Fr.requireElement(pkY, "pkY");
    WithdrawalMessage.checkAddress(depositor);
    if (accountId < 0 || accountId >= maxAccounts) {
      return Rule.BAD_ACCOUNT_ID;
    }
    if (amount < 0) {
      return Rule.BAD_AMOUNT;
    }
    boolean fresh = accountId >= capacity || !registered[(int) accountId];
    if (!fresh && (pkX.signum() != 0 || pkY.signum() != 0)) {
      return Rule.REGISTRATION_OF_EXISTING;
    }
    long old = fresh ? 0 : bal[(int) accountId * assets];
    long now = old + amount;
    if (now < old) {
      return Rule.OVERFLOW;
    }
    long flow = netFlow[0] + amount;
    if (flow < netFlow[0]) {
      return Rule.OVERFLOW;
    }
    if (fresh) {
      register(accountId, pkX, pkY, depositor, 0);
    }
    bal[(int) accountId * assets] = now;
    netFlow[0] = flow;
    return applied();
  }

  /**
   * Registers an account at genesis (not a batch transition: the genesis state the first batch
   * starts from). The account's balances, positions and nonce start at 0.
   *
   * @param accountId an unregistered account id in {@code [0, 2^D)}
   * @param pkX owner key x, in {@code [0, r)}
   * @param pkY owner key y, in {@code [0, r)}
   * @param l1 the account's L1 address, in {@code [0, 2^160)}
   * @param accountTier the risk tier, in {@code [0, T)}
   */
  public void registerGenesis(
      long accountId, BigInteger pkX, BigInteger pkY, BigInteger l1, long accountTier) {
    ArgChecker.inRangeExclusive(accountId, 0, maxAccounts, "accountId");
    Fr.requireElement(pkX, "pkX");
    Fr.requireElement(pkY, "pkY");
    WithdrawalMessage.checkAddress(l1);
    ArgChecker.inRangeExclusive(accountTier, 0, config.sizes().tiers(), "tier");
    ArgChecker.isFalse(isRegistered(accountId), "account {} is already registered", accountId);
    register(accountId, pkX, pkY, l1, accountTier);
  }

  /**
   * Loads a whole account leaf at genesis (not a batch transition): the genesis tree a settlement
   * contract starts from may hold funded accounts with positions (e.g. the demo venue). Afterwards
   * {@code leaf(accountId).hash()} equals {@code leaf.hash()}.
   *
   * @param accountId an unregistered account id in {@code [0, 2^D)}
   * @param leaf the account's leaf; its sizes must be the ledger's and its {@code ordersRoot} 0
   *     (the order-fill slots behind another root are not in a leaf, so the ledger could not
   *     continue them)
   */
  public void registerGenesis(long accountId, AccountLeaf leaf) {
    ArgChecker.notNull(leaf, "leaf");
    ArgChecker.isTrue(
        leaf.ordersRoot().signum() == 0,
        "genesis account {} has an order-fill root: only leaves with ordersRoot 0 can be loaded",
        accountId);
    leaf.checkFits(config.sizes());
    registerGenesis(accountId, leaf.ownerPkX(), leaf.ownerPkY(), leaf.l1Address(), leaf.tier());
    // from the leaf's words, so that an empty slot's id is 0 exactly as the leaf hashes it
    long[] w = leaf.words();
    int i = (int) accountId;
    nonce[i] = w[0];
    System.arraycopy(w, 2, bal, i * assets, assets);
    for (int j = 0; j < slots; j++) {
      ids[i * slots + j] = w[2 + assets + 3 * j];
      qty[i * slots + j] = w[3 + assets + 3 * j];
      snap[i * slots + j] = w[4 + assets + 3 * j];
    }
  }

  private void register(
      long accountId, BigInteger x, BigInteger y, BigInteger l1, long accountTier) {
    if (accountId >= capacity) {
      grow((int) Math.min(Integer.MAX_VALUE / Math.max(assets, slots), accountId + 1));
    }
    int i = (int) accountId;
    registered[i] = true;
    pkX[i] = x;
    pkY[i] = y;
    pk[i] = null;
    l1Address[i] = l1;
    tier[i] = accountTier;
    accountLimit = Math.max(accountLimit, i + 1);
  }

  // ---------------------------------------------------------------- withdrawal

  /** {@link #withdraw(long, long, long, BigInteger)} of a signed message (signature apart). */
  public Rule withdraw(WithdrawalMessage m) {
    ArgChecker.notNull(m, "message");
    return withdraw(m.accountId(), m.nonce(), m.amount(), m.l1Address());
  }

  /**
   * A withdrawal (docs/BATCH.md "Withdrawal"): {@code nonce == leaf.nonce} (then {@code +1}),
   * {@code balance[0] -= amount}, the account meets effective IM after; the batch's withdrawal list
   * gets {@code (l1Address, amount)}.
   *
   * @param accountId the account
   * @param msgNonce the message's nonce
   * @param amount quote atoms, {@code > 0}
   * @param l1 the address paid on chain, in {@code [0, 2^160)}
   * @return OK or the rule broken: BAD_ACCOUNT_ID, UNKNOWN_ACCOUNT, BAD_AMOUNT, BAD_NONCE,
   *     OVERFLOW, IM_BROKEN, UNKNOWN_INSTRUMENT
   */
  public Rule withdraw(long accountId, long msgNonce, long amount, BigInteger l1) {
    WithdrawalMessage.checkAddress(l1);
    requireBatch();
    Rule r = checkAccount(accountId);
    if (!r.isOk()) {
      return r;
    }
    int i = (int) accountId;
    if (amount <= 0) {
      return Rule.BAD_AMOUNT;
    }
    if (msgNonce != nonce[i]) {
      return Rule.BAD_NONCE;
    }
    if (nonce[i] == Long.MAX_VALUE) {
      return Rule.OVERFLOW;
    }
    load(0, i);
    long now = sBal[0][0] - amount;
    if (now > sBal[0][0]) {
      return Rule.OVERFLOW;
    }
    sBal[0][0] = now;
    r = meetsInitialMargin(0, i);
    if (!r.isOk()) {
      return r;
    }
    bal[i * assets] = now;
    nonce[i]++;
    netFlow[0] -= amount;
    withdrawals.add(new Withdrawal(accountId, l1, amount));
    return applied();
  }

  // ---------------------------------------------------------------- transfer

  /** {@link #transfer(long, long, long, long, long)} of a signed message (signature apart). */
  public Rule transfer(TransferMessage m) {
    ArgChecker.notNull(m, "message");
    return transfer(m.fromAccountId(), m.toAccountId(), m.nonce(), m.asset(), m.amount());
  }

  /**
   * A transfer between two accounts of one owner (docs/BATCH.md "Transfer"): same owner key, {@code
   * nonce == from.nonce} (then {@code +1}), {@code balance[asset]} moves, {@code from} meets
   * effective IM after.
   *
   * @param from the paying account
   * @param to the receiving account
   * @param msgNonce the message's nonce
   * @param asset asset index in {@code [0, A)}
   * @param amount venue atoms, {@code > 0}
   * @return OK or the rule broken: BAD_ACCOUNT_ID, UNKNOWN_ACCOUNT, SAME_ACCOUNT, NOT_SAME_OWNER,
   *     BAD_ASSET, BAD_AMOUNT, BAD_NONCE, OVERFLOW, IM_BROKEN, UNKNOWN_INSTRUMENT
   */
  public Rule transfer(long from, long to, long msgNonce, long asset, long amount) {
    requireBatch();
    Rule r = checkAccount(from);
    if (!r.isOk()) {
      return r;
    }
    r = checkAccount(to);
    if (!r.isOk()) {
      return r;
    }
    if (from == to) {
      return Rule.SAME_ACCOUNT;
    }
    int f = (int) from;
    int t = (int) to;
    if (!pkX[f].equals(pkX[t]) || !pkY[f].equals(pkY[t])) {
      return Rule.NOT_SAME_OWNER;
    }
    if (asset < 0 || asset >= assets) {
      return Rule.BAD_ASSET;
    }
    if (amount <= 0) {
      return Rule.BAD_AMOUNT;
    }
    if (msgNonce != nonce[f]) {
      return Rule.BAD_NONCE;
    }
    if (nonce[f] == Long.MAX_VALUE) {
      return Rule.OVERFLOW;
    }
    int a = (int) asset;
    load(0, f);
    long fromNow = sBal[0][a] - amount;
    long toOld = bal[t * assets + a];
    long toNow = toOld + amount;
    if (fromNow > sBal[0][a] || toNow < toOld) {
      return Rule.OVERFLOW;
    }
    sBal[0][a] = fromNow;
    r = meetsInitialMargin(0, f);
    if (!r.isOk()) {
      return r;
    }
    bal[f * assets + a] = fromNow;
    bal[t * assets + a] = toNow;
    nonce[f]++;
    return applied();
  }

  // ---------------------------------------------------------------- trade

  /**
   * A fill of {@code fill} combo units between a maker and a taker order (docs/BATCH.md "Trade").
   *
   * <p>Checks, in this order: two different registered accounts (and the fee account), L legs each,
   * the taker's legs are the maker's with opposite ratios, both orders unexpired, {@code fill > 0},
   * both fill slots ({@code ORDER_SLOT_TAKEN}, {@code OVERFILL}), the net price {@code net = sum_l
   * M.ratio[l] * price[l]} within both limits ({@code net <= M.limitPrice}, {@code -net <=
   * T.limitPrice}), every used leg's instrument listed. Then, per used leg, the maker's position
   * changes by {@code M.ratio[l] * fill} lots and the taker's by the opposite, each position change
   * settling funding first ({@code balance[0] += -q_old * (fundingIndex - snapshot)}, then {@code
   * snapshot = fundingIndex}), opening in the account's slot of that instrument or else its first
   * empty slot, and emptying a slot that reaches 0; the maker's quote balance changes by {@code
   * -net * fill - M.feePerUnit * fill}, the taker's by {@code net * fill - T.feePerUnit * fill},
   * the fee account's by the sum of the fees; both accounts must meet effective IM after.
   *
   * @param maker the maker's order (signature checked apart)
   * @param taker the taker's order (signature checked apart)
   * @param fill combo units filled, {@code > 0}
   * @param legPrices per leg (L entries), quote atoms per lot, chosen by the matcher (unused legs:
   *     any, conventionally 0)
   * @return OK or the rule broken
   */
  public Rule trade(OrderMessage maker, OrderMessage taker, long fill, long[] legPrices) {
    ArgChecker.notNull(maker, "maker");
    ArgChecker.notNull(taker, "taker");
    ArgChecker.notNull(legPrices, "legPrices");
    requireBatch();
    long m = maker.accountId();
    long t = taker.accountId();
    Rule r = checkAccount(m);
    if (!r.isOk()) {
      return r;
    }
    r = checkAccount(t);
    if (!r.isOk()) {
      return r;
    }
    if (m == t) {
      return Rule.SAME_ACCOUNT;
    }
    r = checkAccount(feeAccount);
    if (!r.isOk()) {
      return r;
    }
    if (maker.legs() != legs || taker.legs() != legs || legPrices.length != legs) {
      return Rule.LEGS_MISMATCH;
    }
    for (int l = 0; l < legs; l++) {
      if (taker.instrumentId(l) != maker.instrumentId(l) || taker.ratio(l) != -maker.ratio(l)) {
        return Rule.LEGS_MISMATCH;
      }
    }
    if (maker.expiry() < batchTime || taker.expiry() < batchTime) {
      return Rule.EXPIRED;
    }
    if (fill <= 0) {
      return Rule.BAD_AMOUNT;
    }
    int mi = (int) m;
    int ti = (int) t;
    r = fillSlot(0, mi, maker, fill);
    if (!r.isOk()) {
      return r;
    }
    r = fillSlot(1, ti, taker, fill);
    if (!r.isOk()) {
      return r;
    }
    int used = maker.usedLegs();
    long net = 0;
    try {
      for (int l = 0; l < used; l++) {
        net = Math.addExact(net, Math.multiplyExact(maker.ratio(l), legPrices[l]));
      }
    } catch (ArithmeticException e) {
      return Rule.OVERFLOW;
    }
    // -net <= T.limitPrice, with -Long.MIN_VALUE = 2^63 above every limit
    if (net > maker.limitPrice() || net == Long.MIN_VALUE || -net > taker.limitPrice()) {
      return Rule.PRICE_LIMIT;
    }
    for (int l = 0; l < used; l++) {
      if (!vector.has(maker.instrumentId(l))) {
        return Rule.UNKNOWN_INSTRUMENT;
      }
    }
    load(0, mi);
    load(1, ti);
    long feeTotal;
    long feeNow = 0;
    try {
      long feeM = Math.multiplyExact(maker.feePerUnit(), fill);
      long feeT = Math.multiplyExact(taker.feePerUnit(), fill);
      feeTotal = Math.addExact(feeM, feeT);
      long netFill = Math.multiplyExact(net, fill);
      for (int l = 0; l < used; l++) {
        long delta = Math.multiplyExact(maker.ratio(l), fill);
        long id = maker.instrumentId(l);
        r = applyLeg(0, id, delta);
        if (!r.isOk()) {
          return r;
        }
        r = applyLeg(1, id, Math.negateExact(delta));
        if (!r.isOk()) {
          return r;
        }
      }
      sBal[0][0] = Math.subtractExact(sBal[0][0], Math.addExact(netFill, feeM));
      sBal[1][0] = Math.addExact(sBal[1][0], Math.subtractExact(netFill, feeT));
      if (feeAccount == m) {
        sBal[0][0] = Math.addExact(sBal[0][0], feeTotal);
      } else if (feeAccount == t) {
        sBal[1][0] = Math.addExact(sBal[1][0], feeTotal);
      } else {
        feeNow = Math.addExact(bal[(int) feeAccount * assets], feeTotal);
      }
    } catch (ArithmeticException e) {
      return Rule.OVERFLOW;
    }
    r = meetsInitialMargin(0, mi);
    if (!r.isOk()) {
      return r;
    }
    r = meetsInitialMargin(1, ti);
    if (!r.isOk()) {
      return r;
    }
    // every check passed: store
    store(0, mi);
    store(1, ti);
    if (feeAccount != m && feeAccount != t) {
      bal[(int) feeAccount * assets] = feeNow;
    }
    storeSlot(mi, maker.orderId(), 0);
    storeSlot(ti, taker.orderId(), 1);
    return applied();
  }

  /** Checks the order's fill slot and records the new filled amount in pendSlot/pendFilled[s]. */
  private Rule fillSlot(int s, int account, OrderMessage order, long fill) {
    int slot = (int) (order.orderId() & (orderSlots - 1));
    long[] so = slotOrder[account];
    long id = so == null ? 0 : so[slot];
    long filled;
    if (id == order.orderId()) {
      filled = slotFilled[account][slot] + fill;
      if (filled < 0) {
        return Rule.OVERFILL; // beyond 2^63, so beyond any quantity
      }
    } else if (id < order.orderId()) {
      filled = fill; // the order takes the slot; an older order there can never fill again
    } else {
      return Rule.ORDER_SLOT_TAKEN;
    }
    if (filled > order.quantity()) {
      return Rule.OVERFILL;
    }
    pendSlot[s] = slot;
    pendFilled[s] = filled;
    return Rule.OK;
  }

  private void storeSlot(int account, long orderId, int s) {
    if (slotOrder[account] == null) {
      slotOrder[account] = new long[orderSlots];
      slotFilled[account] = new long[orderSlots];
    }
    slotOrder[account][pendSlot[s]] = orderId;
    slotFilled[account][pendSlot[s]] = pendFilled[s];
    ordersRootCache[account] = null;
  }

  /**
   * Moves scratch account {@code s}'s position in {@code id} by {@code delta} lots, settling
   * funding first; throws ArithmeticException on overflow.
   */
  private Rule applyLeg(int s, long id, long delta) {
    long[] q = sQty[s];
    long[] in = sIds[s];
    int j = -1;
    for (int k = 0; k < slots; k++) {
      if (q[k] != 0 && in[k] == id) {
        j = k;
        break;
      }
    }
    if (j < 0) {
      for (int k = 0; k < slots; k++) {
        if (q[k] == 0) {
          j = k;
          break;
        }
      }
      if (j < 0) {
        return Rule.NO_FREE_SLOT;
      }
    }
    long f = fundingIndex[(int) id];
    long old = q[j];
    if (old != 0) {
      long settle = Math.multiplyExact(Math.negateExact(old), Math.subtractExact(f, sSnap[s][j]));
      sBal[s][0] = Math.addExact(sBal[s][0], settle);
    }
    long now = Math.addExact(old, delta);
    q[j] = now;
    if (now == 0) {
      in[j] = 0;
      sSnap[s][j] = 0;
    } else {
      in[j] = id;
      sSnap[s][j] = f;
    }
    return Rule.OK;
  }

  // ---------------------------------------------------------------- helpers

  private void load(int s, int account) {
    System.arraycopy(bal, account * assets, sBal[s], 0, assets);
    System.arraycopy(ids, account * slots, sIds[s], 0, slots);
    System.arraycopy(qty, account * slots, sQty[s], 0, slots);
    System.arraycopy(snap, account * slots, sSnap[s], 0, slots);
  }

  private void store(int s, int account) {
    System.arraycopy(sBal[s], 0, bal, account * assets, assets);
    System.arraycopy(sIds[s], 0, ids, account * slots, slots);
    System.arraycopy(sQty[s], 0, qty, account * slots, slots);
    System.arraycopy(sSnap[s], 0, snap, account * slots, slots);
  }

  /** Effective IM of scratch account s ({@code E * 10^6 >= max(IM, MM)}). */
  private Rule meetsInitialMargin(int s, int account) {
    try {
      MarginCalculator.DEFAULT.evaluate(
          vector, tier[account], sBal[s], sIds[s], sQty[s], sSnap[s], margin);
    } catch (ArithmeticException e) {
      return Rule.OVERFLOW;
    } catch (IllegalArgumentException e) {
      return Rule.UNKNOWN_INSTRUMENT; // a held position in an instrument the batch does not list
    }
    return margin.meetsInitialMargin() ? Rule.OK : Rule.IM_BROKEN;
  }

  private Rule checkAccount(long accountId) {
    if (accountId < 0 || accountId >= maxAccounts) {
      return Rule.BAD_ACCOUNT_ID;
    }
    if (accountId >= capacity || !registered[(int) accountId]) {
      return Rule.UNKNOWN_ACCOUNT;
    }
    return Rule.OK;
  }

  private void requireBatch() {
    if (vector == null) {
      throw new IllegalStateException("no batch: call beginBatch(risk, batchTime) first");
    }
  }

  private void requireRegistered(long accountId) {
    ArgChecker.isTrue(isRegistered(accountId), "account {} is not registered", accountId);
  }

  // ---------------------------------------------------------------- reads

  /** 1 + the largest registered account id (0 if none). */
  public long accountLimit() {
    return accountLimit;
  }

  /** True iff the account's leaf is not empty. */
  public boolean isRegistered(long accountId) {
    return accountId >= 0 && accountId < capacity && registered[(int) accountId];
  }

  /** The owner key x of a registered account. */
  public BigInteger ownerPkX(long accountId) {
    requireRegistered(accountId);
    return pkX[(int) accountId];
  }

  /** The owner key y of a registered account. */
  public BigInteger ownerPkY(long accountId) {
    requireRegistered(accountId);
    return pkY[(int) accountId];
  }

  /** The L1 address of a registered account, in {@code [0, 2^160)}. */
  public BigInteger l1Address(long accountId) {
    requireRegistered(accountId);
    return l1Address[(int) accountId];
  }

  /** The nonce of a registered account. */
  public long nonce(long accountId) {
    requireRegistered(accountId);
    return nonce[(int) accountId];
  }

  /** The tier of a registered account. */
  public long tier(long accountId) {
    requireRegistered(accountId);
    return tier[(int) accountId];
  }

  /** The balance of asset {@code asset} (venue atoms) of a registered account. */
  public long balance(long accountId, int asset) {
    requireRegistered(accountId);
    ArgChecker.inRangeExclusive(asset, 0, assets, "asset");
    return bal[(int) accountId * assets + asset];
  }

  /** The quantity in lots of position slot {@code slot} of a registered account. */
  public long quantity(long accountId, int slot) {
    requireRegistered(accountId);
    ArgChecker.inRangeExclusive(slot, 0, slots, "slot");
    return qty[(int) accountId * slots + slot];
  }

  /** The instrument id of position slot {@code slot} (0 when empty). */
  public long instrumentId(long accountId, int slot) {
    requireRegistered(accountId);
    ArgChecker.inRangeExclusive(slot, 0, slots, "slot");
    return ids[(int) accountId * slots + slot];
  }

  /**
   * The position slot a trade leg in {@code instrumentId} would use now (what the batch witness
   * names): the account's slot holding that instrument, else its first empty slot, else -1 (the
   * trade would be refused with NO_FREE_SLOT).
   */
  public int positionSlot(long accountId, long instrumentId) {
    requireRegistered(accountId);
    int base = (int) accountId * slots;
    for (int j = 0; j < slots; j++) {
      if (qty[base + j] != 0 && ids[base + j] == instrumentId) {
        return j;
      }
    }
    for (int j = 0; j < slots; j++) {
      if (qty[base + j] == 0) {
        return j;
      }
    }
    return -1;
  }

  /** The funding snapshot of position slot {@code slot} (0 when empty), quote atoms per lot. */
  public long fundingSnapshot(long accountId, int slot) {
    requireRegistered(accountId);
    ArgChecker.inRangeExclusive(slot, 0, slots, "slot");
    return snap[(int) accountId * slots + slot];
  }

  /**
   * The account's leaf words in commitment order (docs/ENCODING.md): nonce, tier, balance[A], then
   * (instrumentId, quantity, fundingSnapshot) per slot.
   */
  public long[] words(long accountId) {
    requireRegistered(accountId);
    int i = (int) accountId;
    long[] w = new long[2 + assets + 3 * slots];
    w[0] = nonce[i];
    w[1] = tier[i];
    System.arraycopy(bal, i * assets, w, 2, assets);
    for (int j = 0; j < slots; j++) {
      w[2 + assets + 3 * j] = ids[i * slots + j];
      w[3 + assets + 3 * j] = qty[i * slots + j];
      w[4 + assets + 3 * j] = snap[i * slots + j];
    }
    return w;
  }

  /**
   * The account's tier, balances and positions as the risk model's {@link AccountState} (new
   * arrays), e.g. to build its {@code AccountLeaf} or to margin it.
   */
  public AccountState accountState(long accountId) {
    requireRegistered(accountId);
    int i = (int) accountId;
    return new AccountState(
        tier[i],
        Arrays.copyOfRange(bal, i * assets, (i + 1) * assets),
        Arrays.copyOfRange(ids, i * slots, (i + 1) * slots),
        Arrays.copyOfRange(qty, i * slots, (i + 1) * slots),
        Arrays.copyOfRange(snap, i * slots, (i + 1) * slots));
  }

  /**
   * The account's leaf v2 (docs/BATCH.md section 1): owner key, L1 address, order-fill root, nonce
   * and {@link #accountState}; its {@code hash()} is the account's leaf in the state tree.
   */
  public AccountLeaf leaf(long accountId) {
    requireRegistered(accountId);
    int i = (int) accountId;
    return new AccountLeaf(
        pkX[i], pkY[i], l1Address[i], ordersRoot(accountId), nonce[i], accountState(accountId));
  }

  /** A new state tree (depth D) of every registered account's leaf hash. */
  public SparseMerkleTree stateTree() {
    SparseMerkleTree tree = new SparseMerkleTree(config.sizes().stateDepth());
    for (long id = 0; id < accountLimit; id++) {
      if (isRegistered(id)) {
        Commitments.putAccount(tree, id, leaf(id));
      }
    }
    return tree;
  }

  /**
   * The value of order-fill slot {@code slot} of an account: {@code orderId * 2^64 + filled} (0
   * when unused).
   */
  public BigInteger orderSlotValue(long accountId, int slot) {
    requireRegistered(accountId);
    ArgChecker.inRangeExclusive(slot, 0, orderSlots, "slot");
    long[] so = slotOrder[(int) accountId];
    if (so == null || so[slot] == 0) {
      return BigInteger.ZERO;
    }
    return BigInteger.valueOf(so[slot])
        .shiftLeft(64)
        .add(BigInteger.valueOf(slotFilled[(int) accountId][slot]));
  }

  /** The combo units filled so far of the order in the slot of {@code orderId}, if it is there. */
  public long filled(long accountId, long orderId) {
    requireRegistered(accountId);
    long[] so = slotOrder[(int) accountId];
    int slot = (int) (orderId & (orderSlots - 1));
    return so != null && so[slot] == orderId ? slotFilled[(int) accountId][slot] : 0;
  }

  /**
   * The root of the account's order-fill subtree (depth K, leaves the slot values, docs/BATCH.md
   * section 1); 0 while the account has never filled an order (a deposit registers the leaf with 0,
   * which the trade circuit reads as the empty subtree); cached until the account's next fill.
   */
  public BigInteger ordersRoot(long accountId) {
    requireRegistered(accountId);
    int i = (int) accountId;
    if (slotOrder[i] == null) {
      return BigInteger.ZERO; // no fill yet: the registered leaf's 0 (docs/BATCH.md section 1)
    }
    if (ordersRootCache[i] == null) {
      ordersRootCache[i] = ordersTree(accountId).root();
    }
    return ordersRootCache[i];
  }

  /** A new sparse tree of the account's order-fill slots (depth K), e.g. for witness paths. */
  public SparseMerkleTree ordersTree(long accountId) {
    requireRegistered(accountId);
    SparseMerkleTree tree = new SparseMerkleTree(config.orderDepth());
    for (int s = 0; s < orderSlots; s++) {
      BigInteger v = orderSlotValue(accountId, s);
      if (v.signum() != 0) {
        tree.set(s, v);
      }
    }
    return tree;
  }

  /** Net deposits minus withdrawals of {@code asset} since the ledger was created, venue atoms. */
  public long netFlow(int asset) {
    ArgChecker.inRangeExclusive(asset, 0, assets, "asset");
    return netFlow[asset];
  }

  // package-private views for InvariantChecker
  int assets() {
    return assets;
  }

  int slots() {
    return slots;
  }
}
