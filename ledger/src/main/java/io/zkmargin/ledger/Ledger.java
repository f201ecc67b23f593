package io.zkmargin.ledger;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.Commitments;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.Fr;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.SignedMessage;
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
  private LiquidationParams liquidationParams; // the batch's, from its risk globals
  private long[] fundingIndex;
  private long batchTime = -1;
  private final List<Withdrawal> withdrawals = new ArrayList<>();
  // the withdrawals of the batch's request slots (a liquidation's keeper share, a forced withdrawal
  // paid), in slot order: after the generic withdrawals in the batch's withdrawal list (the
  // circuit's order, request slots after the generic ones)
  private final List<Withdrawal> keeperWithdrawals = new ArrayList<>();
  private final List<Liquidation> liquidations = new ArrayList<>();
  // the batch's request list (liquidations, forced withdrawals paid or refused), in slot order
  private final List<RequestEntry> requests = new ArrayList<>();
  private final long[] netFlow; // per asset: deposits - withdrawals since creation

  // scratch (two accounts of a trade; a third for a liquidation's close-factor counterfactual)
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
    this.sBal = new long[3][assets];
    this.sIds = new long[3][slots];
    this.sQty = new long[3][slots];
    this.sSnap = new long[3][slots];
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
   * indices, risk arrays, prices, and the liquidation parameters of its globals, which govern
   * {@link #liquidate}, {@link #absorbLoss} and {@link #deleverage}) and this batch time. Clears
   * the batch's withdrawal list.
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
    this.liquidationParams = risk.globals().liquidation();
    withdrawals.clear();
    keeperWithdrawals.clear();
    liquidations.clear();
    requests.clear();
  }

  /**
   * The current batch's liquidation parameters (its risk globals'), or null before the first {@link
   * #beginBatch}.
   */
  public LiquidationParams liquidationParams() {
    return liquidationParams;
  }

  /** The current batch's risk commitment (null before the first {@link #beginBatch}). */
  public RiskCommitment riskCommitment() {
    return risk;
  }

  /** The current batch's time, unix seconds (-1 before the first {@link #beginBatch}). */
  public long batchTime() {
    return batchTime;
  }

  /**
   * The batch's withdrawal list since {@link #beginBatch} (a copy), in the batch circuit's order:
   * the withdrawals in the order applied, then per request slot in the order applied a
   * liquidation's keeper share {@code (keeper, keeperShare)} (liquidations with a keeper only, even
   * when the share is 0) or a paid forced withdrawal {@code (requester, amount)}. What {@code
   * finalizeBatch} credits.
   */
  public List<Withdrawal> withdrawals() {
    List<Withdrawal> all = new ArrayList<>(withdrawals.size() + keeperWithdrawals.size());
    all.addAll(withdrawals);
    all.addAll(keeperWithdrawals);
    return all;
  }

  /**
   * The liquidations applied since {@link #beginBatch}, in order (a copy): what {@code
   * finalizeBatch} names on chain ({@code (accountId, keeper)} hashed into {@code requestsHash}).
   */
  public List<Liquidation> liquidations() {
    return List.copyOf(liquidations);
  }

  /**
   * The batch's request list since {@link #beginBatch}, in the order applied (the request slots'
   * order; a copy): every liquidation (kind 6) and every forced withdrawal paid (8) or refused (9).
   * What {@code finalizeBatch} is given, hashed into {@code requestsHash} ({@link
   * RequestEntry#requestsHash}).
   */
  public List<RequestEntry> requests() {
    return List.copyOf(requests);
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
   * order's account, the withdrawing account, the transfer's sender, the liquidator).
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
    } else if (message instanceof LiquidationMessage l) {
      account = l.liquidatorId();
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
    loadLeaf(accountId, leaf);
  }

  /**
   * Loads a whole account leaf and its order-fill slots at genesis: a state saved at a finalized
   * batch (the venue's database), from which the ledger continues. Afterwards {@code
   * leaf(accountId).hash()} equals {@code leaf.hash()}.
   *
   * @param orderIds the 2^K slots' order ids (0 = unused), slot {@code orderId mod 2^K}
   * @param filled the combo units filled of each slot's order, {@code >= 0}
   * @throws IllegalArgumentException when the slots do not hash to the leaf's {@code ordersRoot}
   *     (named with the account), or are malformed; nothing is registered then
   */
  public void registerGenesis(long accountId, AccountLeaf leaf, long[] orderIds, long[] filled) {
    ArgChecker.notNull(leaf, "leaf");
    ArgChecker.notNull(orderIds, "orderIds");
    ArgChecker.notNull(filled, "filled");
    ArgChecker.isTrue(
        orderIds.length == orderSlots && filled.length == orderSlots,
        "account {}: {} order slots expected, got {} ids and {} fills",
        accountId,
        orderSlots,
        orderIds.length,
        filled.length);
    SparseMerkleTree orders = new SparseMerkleTree(config.orderDepth());
    boolean any = false;
    for (int k = 0; k < orderSlots; k++) {
      if (orderIds[k] == 0) {
        ArgChecker.isTrue(
            filled[k] == 0, "account {}: unused order slot {} has fills", accountId, k);
        continue;
      }
      ArgChecker.isTrue(
          (orderIds[k] & (orderSlots - 1)) == k && filled[k] >= 0,
          "account {}: order slot {} holds order {} with {} filled",
          accountId,
          k,
          orderIds[k],
          filled[k]);
      orders.set(
          k, BigInteger.valueOf(orderIds[k]).shiftLeft(64).add(BigInteger.valueOf(filled[k])));
      any = true;
    }
    BigInteger root = any ? orders.root() : BigInteger.ZERO;
    ArgChecker.isTrue(
        root.equals(leaf.ordersRoot()),
        "account {}: its order-fill slots give the root {}, its leaf holds {}",
        accountId,
        root,
        leaf.ordersRoot());
    loadLeaf(accountId, leaf);
    if (any) {
      slotOrder[(int) accountId] = orderIds.clone();
      slotFilled[(int) accountId] = filled.clone();
      ordersRootCache[(int) accountId] = root;
    }
  }

  private void loadLeaf(long accountId, AccountLeaf leaf) {
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

  // ---------------------------------------------------------------- forced withdrawal

  /**
   * A forced withdrawal the escape hatch holds ({@code requestForcedWithdrawal} by {@code
   * requester}), answered in one of the batch's request slots (docs/LIQUIDATION.md section 12):
   * always included, paid or refused. Paid ({@link Rule#OK}, kind 8) when the account is
   * registered, {@code requester} is its leaf's non-zero {@code l1Address} and the account meets
   * effective IM after {@code balance[0] -= amount}: the balance moves, the nonce does not (no
   * signature: the on-chain request by the leaf's L1 address authorises it), the batch's withdrawal
   * list gets {@code (requester, amount)}. Refused (kind 9, nothing changes but the request entry)
   * otherwise, with the reason: {@link Rule#UNKNOWN_ACCOUNT} (the empty leaf), {@link
   * Rule#NOT_OWNER} (another address, or 0), {@link Rule#IM_BROKEN} (the account would not meet
   * effective IM after, or its quote balance would leave the word range). Either way {@link
   * #requests()} gets the entry.
   *
   * <p>Not included, nothing recorded: {@link Rule#UNKNOWN_INSTRUMENT} or {@link Rule#OVERFLOW}
   * when the owner asks and the batch's risk commitment cannot margin the account (a position in an
   * instrument it does not list): neither outcome can be proven at this risk root.
   *
   * @param accountId the account, in {@code [0, 2^D)}
   * @param requester the L1 address that requested it on chain, in {@code [0, 2^160)}
   * @param amount quote atoms, in {@code [1, 2^63)}
   * @return OK (paid) or the refusal's reason; UNKNOWN_INSTRUMENT / OVERFLOW when not included
   * @throws IllegalArgumentException when an argument is out of range
   * @throws IllegalStateException before {@link #beginBatch}
   */
  public Rule forcedWithdrawal(long accountId, BigInteger requester, long amount) {
    ArgChecker.inRangeExclusive(accountId, 0, maxAccounts, "accountId");
    WithdrawalMessage.checkAddress(requester);
    ArgChecker.notNegativeOrZero(amount, "amount");
    requireBatch();
    Rule r = checkForcedWithdrawal(accountId, requester, amount);
    if (r == Rule.UNKNOWN_INSTRUMENT || r == Rule.OVERFLOW) {
      return r;
    }
    if (r.isOk()) {
      int i = (int) accountId;
      bal[i * assets] -= amount; // checked: no overflow
      netFlow[0] -= amount;
      keeperWithdrawals.add(new Withdrawal(accountId, requester, amount));
      requests.add(new RequestEntry(RequestEntry.FORCED_PAID, accountId, requester, amount));
      return applied();
    }
    requests.add(new RequestEntry(RequestEntry.FORCED_REFUSED, accountId, requester, amount));
    return r;
  }

  /**
   * The outcome {@link #forcedWithdrawal} would give, nothing applied: OK (paid), UNKNOWN_ACCOUNT,
   * NOT_OWNER, IM_BROKEN (refused), or UNKNOWN_INSTRUMENT / OVERFLOW (cannot be judged).
   */
  public Rule checkForcedWithdrawal(long accountId, BigInteger requester, long amount) {
    ArgChecker.inRangeExclusive(accountId, 0, maxAccounts, "accountId");
    WithdrawalMessage.checkAddress(requester);
    ArgChecker.notNegativeOrZero(amount, "amount");
    requireBatch();
    if (!isRegistered(accountId)) {
      return Rule.UNKNOWN_ACCOUNT;
    }
    int i = (int) accountId;
    if (requester.signum() == 0 || !requester.equals(l1Address[i])) {
      return Rule.NOT_OWNER;
    }
    load(0, i);
    long now = sBal[0][0] - amount;
    if (now > sBal[0][0]) {
      return Rule.IM_BROKEN; // below -2^63: the circuit proves this refusal by the word range
    }
    sBal[0][0] = now;
    return meetsInitialMargin(0, i);
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
      if (vector.entries().get((int) maker.instrumentId(l)).settled()) {
        return Rule.SETTLED_INSTRUMENT;
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

  // ---------------------------------------------------------------- settle-expiry

  /**
   * Settle-expiry (docs/BATCH.md section 2, kind 5): closes an account's position at the settlement
   * value its instrument's entry carries once it has expired (risk encoding v2). Funding settles
   * first, as in a trade ({@code balance[0] -= q * (fundingIndex - snapshot)}), then {@code
   * balance[0] += q * settlementValue} (quote atoms; a long receives the payoff, a short pays it)
   * and the slot is emptied. Nothing is signed (anyone may settle an expired position: it cannot
   * hurt the holder) and no margin is checked (the position leaves at its final value).
   *
   * @param accountId the holder
   * @param positionSlot the position slot, in {@code [0, P)}
   * @return OK or the rule broken: BAD_ACCOUNT_ID, UNKNOWN_ACCOUNT, BAD_SLOT (outside {@code [0,
   *     P)} or empty), UNKNOWN_INSTRUMENT, NOT_SETTLED, OVERFLOW (the new balance leaves the word
   *     range)
   */
  public Rule settleExpiry(long accountId, int positionSlot) {
    requireBatch();
    Rule r = checkAccount(accountId);
    if (!r.isOk()) {
      return r;
    }
    if (positionSlot < 0 || positionSlot >= slots) {
      return Rule.BAD_SLOT;
    }
    int a = (int) accountId;
    int k = a * slots + positionSlot;
    long q = qty[k];
    if (q == 0) {
      return Rule.BAD_SLOT;
    }
    if (!vector.has(ids[k])) {
      return Rule.UNKNOWN_INSTRUMENT;
    }
    InstrumentRiskEntry e = vector.entries().get((int) ids[k]);
    if (!e.settled()) {
      return Rule.NOT_SETTLED;
    }
    // q * (settlementValue - fundingIndex + snapshot), exact (as the circuit), then a word
    BigInteger perLot =
        BigInteger.valueOf(e.settlementValue())
            .subtract(BigInteger.valueOf(e.fundingIndex()))
            .add(BigInteger.valueOf(snap[k]));
    BigInteger b = BigInteger.valueOf(bal[a * assets]).add(perLot.multiply(BigInteger.valueOf(q)));
    if (b.bitLength() > 63) {
      return Rule.OVERFLOW;
    }
    bal[a * assets] = b.longValue();
    ids[k] = 0;
    qty[k] = 0;
    snap[k] = 0;
    return applied();
  }

  /**
   * The position slots of an account holding an instrument that has settled at the batch's risk
   * commitment (what {@link #settleExpiry} may close), ascending.
   */
  public int[] settledPositions(long accountId) {
    requireBatch();
    requireRegistered(accountId);
    int a = (int) accountId;
    int[] out = new int[slots];
    int n = 0;
    for (int j = 0; j < slots; j++) {
      int k = a * slots + j;
      if (qty[k] != 0 && vector.has(ids[k]) && vector.entries().get((int) ids[k]).settled()) {
        out[n++] = j;
      }
    }
    return Arrays.copyOf(out, n);
  }

  // ---------------------------------------------------------------- liquidation
  // (docs/LIQUIDATION.md)

  /**
   * A liquidation (docs/LIQUIDATION.md "Liquidate"): a liquidator takes over some or all of an
   * account's positions and non-quote collateral at the batch's committed prices, and the account
   * pays a penalty.
   *
   * <p>Checks, in this order: two different registered accounts (and the insurance fund), the
   * account is liquidatable ({@code E * 10^6 < MM}); every take reduces a held position or holding
   * ({@code takeLots[j]} has the sign of the slot's quantity and at most its size; {@code
   * takeAtoms[a]} in {@code [0, balance[a]]}, {@code takeAtoms[0] = 0}; at least one non-zero).
   * Then each taken position moves to the liquidator as a trade at the committed mark (funding
   * settled first on both sides): the account's quote balance grows by {@code take * mark}, the
   * liquidator's shrinks by as much; each taken collateral amount moves at the committed debt price
   * (the un-haircut spot): proceeds {@code floor(atoms * dp[a] / 10^9)} quote atoms. The penalty,
   * at most {@code ceil(penaltyPpm * notional / 10^6)} (notional = sum {@code |take| * mark} +
   * proceeds, quote atoms) and at most the account's equity after the moves, moves from the account
   * from the account: {@code fundShare = floor(penalty * insuranceSharePpm / 10^6)} to the
   * insurance fund, {@code keeperShare = floor(penalty * keeperSharePpm / 10^6)} to the keeper when
   * there is one (0 otherwise) as a withdrawal {@code (keeper, keeperShare)} of the batch's list,
   * the rest to the liquidator. The liquidator's nonce must be its leaf's (then +1). After: the
   * liquidator meets effective IM (on its balance without the fund's share, even when it is the
   * fund: the batch circuit credits the fund after the last slot); and the close factor: if the
   * account meets {@code closeTargetPpm / 10^6} of its effective IM, the same liquidation with one
   * unit (lot, atom) less of every non-zero take (same penalty) must not.
   *
   * <p>The ledger credits the fund's share at once; the batch circuit sums the batch's fund shares
   * and credits them once after the last slot (docs/LIQUIDATION.md section 2): the batch's final
   * state is the same ({@link BatchWitness.Builder} shows the circuit's view inside the batch).
   *
   * @param accountId the liquidated account
   * @param liquidatorId the account that takes over
   * @param keeper the keeper's L1 address credited with its share, in {@code [0, 2^160)}, 0 for
   *     none
   * @param msgNonce the liquidator's signed nonce
   * @param takeLots per position slot of the liquidated account (P entries), signed lots
   * @param takeAtoms per asset (A entries), venue atoms of that asset; entry 0 must be 0
   * @param penalty quote atoms, {@code >= 0}
   * @return OK or the rule broken: BAD_ACCOUNT_ID, UNKNOWN_ACCOUNT, SAME_ACCOUNT, BAD_NONCE,
   *     NOT_LIQUIDATABLE, NOTHING_TO_TAKE, BAD_ASSET, BAD_AMOUNT, NO_FREE_SLOT, PENALTY_TOO_HIGH,
   *     LIQUIDATOR_IM_BROKEN, CLOSE_FACTOR, UNKNOWN_INSTRUMENT, OVERFLOW
   * @throws IllegalStateException if the batch has no liquidation parameters
   */
  public Rule liquidate(
      long accountId,
      long liquidatorId,
      BigInteger keeper,
      long msgNonce,
      long[] takeLots,
      long[] takeAtoms,
      long penalty) {
    return liquidate(accountId, liquidatorId, keeper, msgNonce, takeLots, takeAtoms, penalty, true);
  }

  /**
   * The verdict {@link #liquidate(long, long, BigInteger, long, long[], long[], long)} would give
   * at the liquidator's current nonce, without applying anything (the operator's liquidation
   * planner searches the takes that satisfy the close factor with it: every check runs on scratch
   * state).
   *
   * @return OK or the rule the liquidation would break
   * @throws IllegalStateException if the batch has no liquidation parameters
   */
  public Rule checkLiquidation(
      long accountId,
      long liquidatorId,
      BigInteger keeper,
      long[] takeLots,
      long[] takeAtoms,
      long penalty) {
    long n = isRegistered(liquidatorId) ? nonce[(int) liquidatorId] : 0;
    return liquidate(accountId, liquidatorId, keeper, n, takeLots, takeAtoms, penalty, false);
  }

  private Rule liquidate(
      long accountId,
      long liquidatorId,
      BigInteger keeper,
      long msgNonce,
      long[] takeLots,
      long[] takeAtoms,
      long penalty,
      boolean apply) {
    WithdrawalMessage.checkAddress(keeper);
    ArgChecker.notNull(takeLots, "takeLots");
    ArgChecker.notNull(takeAtoms, "takeAtoms");
    ArgChecker.isTrue(takeLots.length == slots, "takeLots needs {} entries (P)", slots);
    ArgChecker.isTrue(takeAtoms.length == assets, "takeAtoms needs {} entries (A)", assets);
    LiquidationParams p = requireLiquidationParams();
    long fund = p.insuranceFundId();
    Rule r = checkAccount(accountId);
    if (r.isOk()) {
      r = checkAccount(liquidatorId);
    }
    if (r.isOk()) {
      r = checkAccount(fund);
    }
    if (!r.isOk()) {
      return r;
    }
    if (accountId == liquidatorId || accountId == fund) {
      return Rule.SAME_ACCOUNT;
    }
    int a = (int) accountId;
    int l = (int) liquidatorId;
    if (msgNonce != nonce[l]) {
      return Rule.BAD_NONCE;
    }
    if (nonce[l] == Long.MAX_VALUE) {
      return Rule.OVERFLOW;
    }
    load(0, a);
    r = evaluate(0, a, margin);
    if (!r.isOk()) {
      return r;
    }
    if (!margin.isLiquidatable()) {
      return Rule.NOT_LIQUIDATABLE;
    }
    if (!LiquidationScan.hasTake(sBal[0], 0, assets, sQty[0], 0, slots)) {
      return Rule.NOTHING_TO_TAKE; // what the eligibility circuit cannot prove either
    }
    if (takeAtoms[0] != 0) {
      return Rule.BAD_ASSET;
    }
    boolean any = false;
    for (int j = 0; j < slots; j++) {
      long t = takeLots[j];
      long q = sQty[0][j];
      if (t != 0) {
        if (q == 0
            || Long.signum(t) != Long.signum(q)
            || t == Long.MIN_VALUE
            || Math.abs(t) > Math.abs(q)) {
          return Rule.BAD_AMOUNT;
        }
        any = true;
      }
    }
    for (int k = 1; k < assets; k++) {
      if (takeAtoms[k] < 0 || takeAtoms[k] > sBal[0][k]) {
        return Rule.BAD_AMOUNT;
      }
      any |= takeAtoms[k] != 0;
    }
    if (!any || penalty < 0) {
      return Rule.BAD_AMOUNT;
    }
    // the counterfactual (one unit less of every take) from the same starting state, in scratch 2
    System.arraycopy(sBal[0], 0, sBal[2], 0, assets);
    System.arraycopy(sIds[0], 0, sIds[2], 0, slots);
    System.arraycopy(sQty[0], 0, sQty[2], 0, slots);
    System.arraycopy(sSnap[0], 0, sSnap[2], 0, slots);
    load(1, l);
    BigInteger notional;
    long fundNow = 0;
    long toFund;
    long toKeeper;
    try {
      r = take(0, 1, takeLots, takeAtoms, false);
      if (!r.isOk()) {
        return r;
      }
      notional = lastNotional;
      // the committed penalty, rounded up: ceil(penaltyPpm * notional / 10^6)
      BigInteger[] qr =
          notional
              .multiply(BigInteger.valueOf(p.penaltyPpm()))
              .divideAndRemainder(BigInteger.valueOf(LiquidationParams.PPM));
      BigInteger maxPenalty = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
      if (BigInteger.valueOf(penalty).compareTo(maxPenalty) > 0) {
        return Rule.PENALTY_TOO_HIGH;
      }
      r = evaluate(0, a, margin);
      if (!r.isOk()) {
        return r;
      }
      if (penalty > 0
          && BigInteger.valueOf(penalty)
                  .multiply(BigInteger.valueOf(MarginCalculator.N))
                  .compareTo(margin.equityNano())
              > 0) {
        return Rule.PENALTY_TOO_HIGH; // a penalty never makes the account's equity negative
      }
      toFund = share(penalty, p.insuranceSharePpm());
      toKeeper = keeper.signum() == 0 ? 0 : share(penalty, p.keeperSharePpm());
      sBal[0][0] = Math.subtractExact(sBal[0][0], penalty);
      // the fund's share arrives after the last slot (the circuit's order): not in the IM check
      sBal[1][0] = Math.addExact(sBal[1][0], penalty - toFund - toKeeper);
      if (fund != liquidatorId) {
        fundNow = Math.addExact(bal[(int) fund * assets], toFund);
      }
    } catch (ArithmeticException e) {
      return Rule.OVERFLOW;
    }
    r = meetsInitialMargin(1, l);
    if (r == Rule.IM_BROKEN) {
      return Rule.LIQUIDATOR_IM_BROKEN;
    }
    if (!r.isOk()) {
      return r;
    }
    // close factor
    r = evaluate(0, a, margin);
    if (!r.isOk()) {
      return r;
    }
    if (meetsCloseTarget(margin, p.closeTargetPpm())) {
      try {
        r = take(2, -1, takeLots, takeAtoms, true);
        if (!r.isOk()) {
          return r;
        }
        sBal[2][0] = Math.subtractExact(sBal[2][0], penalty);
      } catch (ArithmeticException e) {
        return Rule.OVERFLOW;
      }
      MarginResult less = new MarginResult(config.sizes().scenarios());
      r = evaluate(2, a, less);
      if (!r.isOk()) {
        return r;
      }
      if (meetsCloseTarget(less, p.closeTargetPpm())) {
        return Rule.CLOSE_FACTOR;
      }
    }
    if (!apply) {
      return Rule.OK; // scratch state only: nothing changed
    }
    long flow = netFlow[0] - toKeeper;
    if (fund == liquidatorId) {
      long now = sBal[1][0] + toFund;
      if (now < sBal[1][0]) {
        return Rule.OVERFLOW;
      }
      sBal[1][0] = now;
    }
    store(0, a);
    store(1, l);
    if (fund != liquidatorId) {
      bal[(int) fund * assets] = fundNow;
    }
    nonce[l]++;
    netFlow[0] = flow;
    liquidations.add(new Liquidation(accountId, liquidatorId, keeper, toKeeper));
    requests.add(new RequestEntry(RequestEntry.LIQUIDATION, accountId, keeper, 0));
    if (keeper.signum() != 0) {
      keeperWithdrawals.add(new Withdrawal(accountId, keeper, toKeeper));
    }
    return applied();
  }

  /**
   * {@link #liquidate(long, long, BigInteger, long, long[], long[], long)} without a keeper, at the
   * liquidator's current nonce (an unsigned liquidation: tests and the ledger's own scans; a
   * recorded batch takes the signed {@link #liquidate(LiquidationMessage)}).
   */
  public Rule liquidate(
      long accountId, long liquidatorId, long[] takeLots, long[] takeAtoms, long penalty) {
    long n = isRegistered(liquidatorId) ? nonce[(int) liquidatorId] : 0;
    return liquidate(accountId, liquidatorId, BigInteger.ZERO, n, takeLots, takeAtoms, penalty);
  }

  /**
   * A signed liquidation (signature checked apart, {@link #checkSignature}): its risk root must be
   * the batch's ({@code WRONG_RISK_ROOT}: the liquidator takes at that root's marks only), then
   * {@link #liquidate(long, long, BigInteger, long, long[], long[], long)} of its fields.
   *
   * @param m the liquidator's message
   * @return OK or the rule broken (WRONG_RISK_ROOT, or those of the unsigned form)
   * @throws IllegalStateException if the batch has no liquidation parameters
   */
  public Rule liquidate(LiquidationMessage m) {
    ArgChecker.notNull(m, "message");
    requireLiquidationParams();
    if (!m.riskRoot().equals(risk.riskRoot())) {
      return Rule.WRONG_RISK_ROOT;
    }
    if (m.takeLots().length != slots || m.takeAtoms().length != assets) {
      return Rule.BAD_AMOUNT;
    }
    return liquidate(
        m.accountId(),
        m.liquidatorId(),
        m.keeper(),
        m.nonce(),
        m.takeLots(),
        m.takeAtoms(),
        m.penalty());
  }

  /**
   * {@code floor(amount * ppm / 10^6)} for {@code amount >= 0}, {@code ppm} in {@code [0, 10^6]}.
   */
  private static long share(long amount, long ppm) {
    return BigInteger.valueOf(amount)
        .multiply(BigInteger.valueOf(ppm))
        .divide(BigInteger.valueOf(LiquidationParams.PPM))
        .longValueExact();
  }

  private BigInteger lastNotional;

  /**
   * Applies the takes to scratch account {@code s} and, when {@code to >= 0}, their opposite to
   * scratch account {@code to}; with {@code shrink}, every non-zero take is one unit smaller. Sets
   * {@link #lastNotional} (quote atoms). Throws ArithmeticException on overflow.
   */
  private Rule take(int s, int to, long[] takeLots, long[] takeAtoms, boolean shrink) {
    final long[] mark = vector.markArray();
    final long[] dp = vector.debtPriceArray();
    BigInteger notional = BigInteger.ZERO;
    for (int j = 0; j < slots; j++) {
      long t = takeLots[j];
      if (shrink && t != 0) {
        t -= Long.signum(t);
      }
      if (t == 0) {
        continue;
      }
      long id = sIds[s][j];
      long cash = Math.multiplyExact(t, mark[(int) id]);
      Rule r = applyLeg(s, id, Math.negateExact(t));
      if (!r.isOk()) {
        return r;
      }
      sBal[s][0] = Math.addExact(sBal[s][0], cash);
      if (to >= 0) {
        r = applyLeg(to, id, t);
        if (!r.isOk()) {
          return r;
        }
        sBal[to][0] = Math.subtractExact(sBal[to][0], cash);
      }
      notional = notional.add(BigInteger.valueOf(Math.abs(cash)));
    }
    for (int k = 1; k < assets; k++) {
      long c = takeAtoms[k];
      if (shrink && c != 0) {
        c--;
      }
      if (c == 0) {
        continue;
      }
      long proceeds =
          BigInteger.valueOf(c)
              .multiply(BigInteger.valueOf(dp[k]))
              .divide(BigInteger.valueOf(MarginCalculator.N))
              .longValueExact();
      sBal[s][k] = Math.subtractExact(sBal[s][k], c);
      sBal[s][0] = Math.addExact(sBal[s][0], proceeds);
      if (to >= 0) {
        sBal[to][k] = Math.addExact(sBal[to][k], c);
        sBal[to][0] = Math.subtractExact(sBal[to][0], proceeds);
      }
      notional = notional.add(BigInteger.valueOf(proceeds));
    }
    lastNotional = notional;
    return Rule.OK;
  }

  /** {@code E * 10^6 * 10^6 >= max(IM, MM) * targetPpm}. */
  private static boolean meetsCloseTarget(MarginResult m, long targetPpm) {
    BigInteger lhs =
        m.equityNano().multiply(BigInteger.valueOf(LiquidationParams.PPM * LiquidationParams.PPM));
    BigInteger rhs =
        m.initialScaled().max(m.maintenanceScaled()).multiply(BigInteger.valueOf(targetPpm));
    return lhs.compareTo(rhs) >= 0;
  }

  /**
   * The insurance fund covers a closed-out account's negative equity (docs/LIQUIDATION.md
   * "Insurance fund"): the account holds no position and no asset but the quote asset, and its
   * quote balance {@code b < 0}; the fund's quote balance falls by {@code -b} (it must hold that
   * much and meet effective IM after) and the account's becomes 0.
   *
   * @param accountId the closed-out account
   * @return OK or the rule broken: BAD_ACCOUNT_ID, UNKNOWN_ACCOUNT, SAME_ACCOUNT, NOT_CLOSED_OUT,
   *     NO_NEGATIVE_EQUITY, INSURANCE_INSUFFICIENT, UNKNOWN_INSTRUMENT, OVERFLOW
   * @throws IllegalStateException if the batch has no liquidation parameters
   */
  public Rule absorbLoss(long accountId) {
    LiquidationParams p = requireLiquidationParams();
    long fund = p.insuranceFundId();
    Rule r = checkAccount(accountId);
    if (r.isOk()) {
      r = checkAccount(fund);
    }
    if (!r.isOk()) {
      return r;
    }
    if (accountId == fund) {
      return Rule.SAME_ACCOUNT;
    }
    int a = (int) accountId;
    for (int j = 0; j < slots; j++) {
      if (qty[a * slots + j] != 0) {
        return Rule.NOT_CLOSED_OUT;
      }
    }
    for (int k = 1; k < assets; k++) {
      if (bal[a * assets + k] != 0) {
        return Rule.NOT_CLOSED_OUT;
      }
    }
    long b = bal[a * assets];
    if (b >= 0) {
      return Rule.NO_NEGATIVE_EQUITY;
    }
    int f = (int) fund;
    load(0, f);
    if (b == Long.MIN_VALUE || sBal[0][0] < -b) {
      return Rule.INSURANCE_INSUFFICIENT;
    }
    sBal[0][0] += b;
    r = meetsInitialMargin(0, f);
    if (r == Rule.IM_BROKEN) {
      return Rule.INSURANCE_INSUFFICIENT;
    }
    if (!r.isOk()) {
      return r;
    }
    bal[f * assets] = sBal[0][0];
    bal[a * assets] = 0;
    return applied();
  }

  /**
   * The largest deficit {@code -E} (nano quote atoms) a deleverage closes, {@code 2^100} (about 1.3
   * x 10^21 quote atoms): the batch circuit's bound, which keeps its bankruptcy-price division
   * exact in the field.
   */
  public static final BigInteger MAX_DELEVERAGE_DEFICIT_NANO = BigInteger.ONE.shiftLeft(100);

  /**
   * Auto-deleveraging (docs/LIQUIDATION.md "Auto-deleveraging", StarkEx's {@code deleverage}): when
   * an account's equity is negative and the insurance fund cannot cover it, {@code lots} of its
   * position in {@code instrumentId} close against the opposite position of the most profitable
   * holder (the largest equity E; on a tie the smaller account id) at the bankruptcy price: a trade
   * at the committed mark in which the counterparty also pays the bankrupt account {@code loss =
   * ceil(-E * |lots| * mark / (N * sum_j |q_j| * mark_j))} quote atoms, the position's share of the
   * deficit (all of it when the marks sum to 0). Funding settles first on both sides.
   *
   * @param bankruptId the account with negative equity
   * @param counterpartyId the account whose opposite position closes
   * @param instrumentId the instrument
   * @param lots signed lots of the bankrupt account's position to close (its sign, at most its
   *     size)
   * @return OK or the rule broken: BAD_ACCOUNT_ID, UNKNOWN_ACCOUNT, SAME_ACCOUNT,
   *     NO_NEGATIVE_EQUITY, INSURANCE_AVAILABLE, BAD_AMOUNT, NOT_OPPOSITE, NOT_MOST_PROFITABLE,
   *     COUNTERPARTY_BANKRUPT, UNKNOWN_INSTRUMENT, OVERFLOW (also a deficit above {@link
   *     #MAX_DELEVERAGE_DEFICIT_NANO})
   * @throws IllegalStateException if the batch has no liquidation parameters
   */
  public Rule deleverage(long bankruptId, long counterpartyId, long instrumentId, long lots) {
    LiquidationParams p = requireLiquidationParams();
    long fund = p.insuranceFundId();
    Rule r = checkAccount(bankruptId);
    if (r.isOk()) {
      r = checkAccount(counterpartyId);
    }
    if (r.isOk()) {
      r = checkAccount(fund);
    }
    if (!r.isOk()) {
      return r;
    }
    if (bankruptId == counterpartyId) {
      return Rule.SAME_ACCOUNT;
    }
    int b = (int) bankruptId;
    int c = (int) counterpartyId;
    load(0, b);
    r = evaluate(0, b, margin);
    if (!r.isOk()) {
      return r;
    }
    BigInteger deficitNano = margin.equityNano().negate();
    if (deficitNano.signum() <= 0) {
      return Rule.NO_NEGATIVE_EQUITY;
    }
    if (deficitNano.compareTo(MAX_DELEVERAGE_DEFICIT_NANO) > 0) {
      return Rule.OVERFLOW; // the batch circuit's bound (circuits/batch/deleverage.go DeficitBits)
    }
    BigInteger n = BigInteger.valueOf(MarginCalculator.N);
    BigInteger[] dq = deficitNano.divideAndRemainder(n);
    BigInteger deficit = dq[1].signum() > 0 ? dq[0].add(BigInteger.ONE) : dq[0];
    if (bankruptId != fund
        && BigInteger.valueOf(bal[(int) fund * assets]).compareTo(deficit) >= 0) {
      return Rule.INSURANCE_AVAILABLE;
    }
    int j = -1;
    for (int k = 0; k < slots; k++) {
      if (sQty[0][k] != 0 && sIds[0][k] == instrumentId) {
        j = k;
      }
    }
    if (j < 0
        || lots == 0
        || Long.signum(lots) != Long.signum(sQty[0][j])
        || Math.abs(lots) > Math.abs(sQty[0][j])
        || lots == Long.MIN_VALUE) {
      return Rule.BAD_AMOUNT;
    }
    load(1, c);
    boolean opposite = false;
    for (int k = 0; k < slots; k++) {
      long q = sQty[1][k];
      if (q != 0 && sIds[1][k] == instrumentId) {
        opposite = Long.signum(q) == -Long.signum(lots) && Math.abs(q) >= Math.abs(lots);
      }
    }
    if (!opposite) {
      return Rule.NOT_OPPOSITE;
    }
    if (mostProfitableOpposite(instrumentId, Long.signum(lots), bankruptId) != counterpartyId) {
      return Rule.NOT_MOST_PROFITABLE;
    }
    final long[] mark = vector.markArray();
    BigInteger total = BigInteger.ZERO;
    for (int k = 0; k < slots; k++) {
      if (sQty[0][k] != 0) {
        total =
            total.add(
                BigInteger.valueOf(sQty[0][k])
                    .abs()
                    .multiply(BigInteger.valueOf(mark[(int) sIds[0][k]])));
      }
    }
    BigInteger share =
        BigInteger.valueOf(lots).abs().multiply(BigInteger.valueOf(mark[(int) instrumentId]));
    BigInteger loss;
    if (total.signum() == 0) {
      loss = deficit;
    } else {
      BigInteger[] lq = deficitNano.multiply(share).divideAndRemainder(n.multiply(total));
      loss = lq[1].signum() > 0 ? lq[0].add(BigInteger.ONE) : lq[0];
    }
    try {
      long cash =
          Math.addExact(Math.multiplyExact(lots, mark[(int) instrumentId]), loss.longValueExact());
      r = applyLeg(0, instrumentId, Math.negateExact(lots));
      if (r.isOk()) {
        r = applyLeg(1, instrumentId, lots);
      }
      if (!r.isOk()) {
        return r;
      }
      sBal[0][0] = Math.addExact(sBal[0][0], cash);
      sBal[1][0] = Math.subtractExact(sBal[1][0], cash);
    } catch (ArithmeticException e) {
      return Rule.OVERFLOW;
    }
    r = evaluate(1, c, margin);
    if (!r.isOk()) {
      return r;
    }
    if (margin.equityNano().signum() < 0) {
      return Rule.COUNTERPARTY_BANKRUPT;
    }
    store(0, b);
    store(1, c);
    return applied();
  }

  /**
   * The most profitable holder of a position of sign {@code -side} in the instrument (largest
   * equity E, then smallest id), other than {@code exclude}, or -1. The leaf keeps no cost basis,
   * so "profit" is the equity at the batch's marks. A full scan (auto-deleveraging is rare).
   *
   * @param instrumentId the instrument
   * @param side the sign of the position being deleveraged (+1 long, -1 short)
   * @param exclude the bankrupt account
   */
  public long mostProfitableOpposite(long instrumentId, int side, long exclude) {
    requireBatch();
    MarginResult m = new MarginResult(config.sizes().scenarios());
    long best = -1;
    BigInteger bestE = null;
    for (int i = 0; i < accountLimit; i++) {
      if (!registered[i] || i == exclude) {
        continue;
      }
      boolean holds = false;
      for (int k = 0; k < slots; k++) {
        long q = qty[i * slots + k];
        holds |= q != 0 && ids[i * slots + k] == instrumentId && Long.signum(q) == -side;
      }
      if (!holds) {
        continue;
      }
      try {
        MarginCalculator.DEFAULT.evaluate(
            vector,
            tier[i],
            Arrays.copyOfRange(bal, i * assets, (i + 1) * assets),
            Arrays.copyOfRange(ids, i * slots, (i + 1) * slots),
            Arrays.copyOfRange(qty, i * slots, (i + 1) * slots),
            Arrays.copyOfRange(snap, i * slots, (i + 1) * slots),
            m);
      } catch (RuntimeException e) {
        continue; // an account the batch cannot margin is not a counterparty
      }
      BigInteger e = m.equityNano();
      if (bestE == null || e.compareTo(bestE) > 0) {
        best = i;
        bestE = e;
      }
    }
    return best;
  }

  /** Margin of scratch account s into out; OVERFLOW or UNKNOWN_INSTRUMENT when it cannot. */
  private Rule evaluate(int s, int account, MarginResult out) {
    try {
      MarginCalculator.DEFAULT.evaluate(
          vector, tier[account], sBal[s], sIds[s], sQty[s], sSnap[s], out);
    } catch (ArithmeticException e) {
      return Rule.OVERFLOW;
    } catch (IllegalArgumentException e) {
      return Rule.UNKNOWN_INSTRUMENT;
    }
    return Rule.OK;
  }

  /**
   * The registered accounts that are liquidatable ({@code E * 10^6 < MM}) at the batch's risk
   * commitment and hold something to take ({@link LiquidationScan#hasTake}), ascending (the
   * keeper's scan, {@link LiquidationScan}); an account the commitment cannot margin is listed too.
   * A closed-out account in debt is not: see {@link #closedOutInDebtAccounts}.
   *
   * @param threads worker threads, {@code >= 1}
   */
  public long[] liquidatableAccounts(int threads) {
    requireBatch();
    return LiquidationScan.scan(
        vector, accountLimit, slots, registered, tier, bal, ids, qty, snap, threads);
  }

  /**
   * The registered accounts {@link #absorbLoss} accepts the shape of, ascending: no position, no
   * non-quote balance and a negative quote balance (what a penalty-0 takeover leaves of a bankrupt
   * account). They are the insurance fund's, never a liquidation's (NOTHING_TO_TAKE).
   */
  public long[] closedOutInDebtAccounts() {
    long[] out = new long[8];
    int n = 0;
    for (int i = 0; i < accountLimit; i++) {
      if (!registered[i] || bal[i * assets] >= 0) {
        continue;
      }
      boolean closed = true;
      for (int j = 0; j < slots && closed; j++) {
        closed = qty[i * slots + j] == 0;
      }
      for (int k = 1; k < assets && closed; k++) {
        closed = bal[i * assets + k] == 0;
      }
      if (closed) {
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = i;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private LiquidationParams requireLiquidationParams() {
    requireBatch();
    return liquidationParams;
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
