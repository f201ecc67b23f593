package io.zkmargin.operator;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.nio.ByteBuffer;

/**
 * One transition the sequencer orders (docs/BATCH.md section 2): a deposit taken from the chain's
 * queue, a signed withdrawal, transfer or trade, or an (unsigned) settle-expiry. Also its record in
 * the {@link TransitionLog}: {@link #encode} / {@link #decode} (big-endian words, signatures in the
 * 96-byte {@link RequestSigner} layout).
 */
public sealed interface Transition {
  /** Record kinds in the log. */
  byte DEPOSIT = 1;

  /** A signed withdrawal. */
  byte WITHDRAWAL = 2;

  /** A signed transfer. */
  byte TRANSFER = 3;

  /** A fill between two signed orders. */
  byte TRADE = 4;

  /** A settle-expiry (unsigned). */
  byte SETTLE_EXPIRY = 5;

  /** A liquidation signed by the liquidator (a liquidation slot of the batch). */
  byte LIQUIDATION = 6;

  /**
   * Not a batch transition: the open batch (empty so far) is judged at this risk root from here on
   * (the sequencer followed the oracle quorum's newer root).
   */
  byte RISK_ROOT = 7;

  /**
   * The insurance fund covers a closed-out account's negative quote balance (a request slot of kind
   * 7, docs/LIQUIDATION.md section 3).
   */
  byte ABSORB_LOSS = 8;

  /**
   * A forced withdrawal requested on chain, answered in a request slot: paid (kind 8) or refused
   * (kind 9), always included.
   */
  byte FORCED_WITHDRAWAL = 9;

  /**
   * Auto-deleveraging: a bankrupt account's position closes against the most profitable opposite
   * holder at the bankruptcy price (a request slot of kind 10, docs/LIQUIDATION.md section 4).
   */
  byte DELEVERAGE = 10;

  /** The record kind. */
  byte kind();

  /** Writes the record payload (kind first) into {@code out}. */
  void encode(ByteBuffer out);

  /** One line for people (GetBatch, logs). */
  String describe();

  /**
   * A deposit queue entry (docs/BATCH.md section 3) as the contract's events give it.
   *
   * @param index queue index, 0-based
   */
  record Deposit(
      long index,
      long accountId,
      long amount,
      BigInteger pkX,
      BigInteger pkY,
      BigInteger depositor,
      BigInteger head)
      implements Transition {
    @Override
    public byte kind() {
      return DEPOSIT;
    }

    @Override
    public void encode(ByteBuffer out) {
      new Words(out)
          .kind(DEPOSIT)
          .lng(index, accountId, amount)
          .word(pkX)
          .word(pkY)
          .word(depositor)
          .word(head);
    }

    @Override
    public String describe() {
      return (pkX.signum() == 0 && pkY.signum() == 0 ? "deposit" : "registration deposit")
          + " #"
          + index
          + " account "
          + accountId
          + " amount "
          + amount
          + " from 0x"
          + depositor.toString(16);
    }
  }

  /** A signed withdrawal. */
  record Withdraw(WithdrawalMessage message, EdDSA.Signature signature) implements Transition {
    public Withdraw {
      ArgChecker.notNull(message, "message");
      ArgChecker.notNull(signature, "signature");
    }

    @Override
    public byte kind() {
      return WITHDRAWAL;
    }

    @Override
    public void encode(ByteBuffer out) {
      new Words(out)
          .kind(WITHDRAWAL)
          .lng(message.accountId(), message.nonce(), message.amount())
          .word(message.l1Address())
          .sig(signature);
    }

    @Override
    public String describe() {
      return "withdrawal account "
          + message.accountId()
          + " nonce "
          + message.nonce()
          + " amount "
          + message.amount()
          + " to 0x"
          + message.l1Address().toString(16);
    }
  }

  /** A signed transfer between two accounts of one owner. */
  record Transfer(TransferMessage message, EdDSA.Signature signature) implements Transition {
    public Transfer {
      ArgChecker.notNull(message, "message");
      ArgChecker.notNull(signature, "signature");
    }

    @Override
    public byte kind() {
      return TRANSFER;
    }

    @Override
    public void encode(ByteBuffer out) {
      new Words(out)
          .kind(TRANSFER)
          .lng(
              message.fromAccountId(),
              message.toAccountId(),
              message.nonce(),
              message.asset(),
              message.amount())
          .sig(signature);
    }

    @Override
    public String describe() {
      return "transfer "
          + message.amount()
          + " of asset "
          + message.asset()
          + " from account "
          + message.fromAccountId()
          + " to "
          + message.toAccountId()
          + " nonce "
          + message.nonce();
    }
  }

  /** A fill of {@code fill} combo units between two signed orders at the leg prices. */
  record Trade(
      OrderMessage maker,
      EdDSA.Signature makerSignature,
      OrderMessage taker,
      EdDSA.Signature takerSignature,
      long fill,
      long[] legPrices)
      implements Transition {
    public Trade {
      ArgChecker.notNull(maker, "maker");
      ArgChecker.notNull(taker, "taker");
      ArgChecker.notNull(makerSignature, "makerSignature");
      ArgChecker.notNull(takerSignature, "takerSignature");
      legPrices = ArgChecker.notNull(legPrices, "legPrices").clone();
    }

    @Override
    public byte kind() {
      return TRADE;
    }

    @Override
    public void encode(ByteBuffer out) {
      new Words(out)
          .kind(TRADE)
          .order(maker)
          .sig(makerSignature)
          .order(taker)
          .sig(takerSignature)
          .lng(fill)
          .longs(legPrices);
    }

    @Override
    public String describe() {
      return "trade "
          + fill
          + " units between order "
          + maker.orderId()
          + " of account "
          + maker.accountId()
          + " (maker) and order "
          + taker.orderId()
          + " of account "
          + taker.accountId();
    }
  }

  /**
   * A settle-expiry (docs/BATCH.md section 2, kind 5): the account's position in a position slot
   * whose instrument has settled is closed at its settlement value; nothing is signed.
   *
   * @param accountId the holder
   * @param positionSlot the position slot, in {@code [0, P)} (the ledger refuses others)
   */
  record SettleExpiry(long accountId, int positionSlot) implements Transition {
    @Override
    public byte kind() {
      return SETTLE_EXPIRY;
    }

    @Override
    public void encode(ByteBuffer out) {
      out.put(SETTLE_EXPIRY).putLong(accountId).putInt(positionSlot);
    }

    @Override
    public String describe() {
      return "settle-expiry account " + accountId + " position slot " + positionSlot;
    }
  }

  /**
   * A liquidation signed by the liquidator account (docs/LIQUIDATION.md section 2, tag 4): the
   * operator's answer to a keeper's request, or its own (keeper 0).
   */
  record Liquidate(LiquidationMessage message, EdDSA.Signature signature) implements Transition {
    public Liquidate {
      ArgChecker.notNull(message, "message");
      ArgChecker.notNull(signature, "signature");
    }

    @Override
    public byte kind() {
      return LIQUIDATION;
    }

    @Override
    public void encode(ByteBuffer out) {
      new Words(out)
          .kind(LIQUIDATION)
          .word(message.riskRoot())
          .word(message.keeper())
          .lng(message.accountId(), message.liquidatorId(), message.nonce(), message.penalty())
          .longs(message.takeLots())
          .longs(message.takeAtoms())
          .sig(signature);
    }

    @Override
    public String describe() {
      return "liquidation account "
          + message.accountId()
          + " by "
          + message.liquidatorId()
          + " keeper 0x"
          + message.keeper().toString(16)
          + " takes "
          + java.util.Arrays.toString(message.takeLots())
          + " lots "
          + java.util.Arrays.toString(message.takeAtoms())
          + " atoms penalty "
          + message.penalty();
    }
  }

  /**
   * The batch the log is in begins at another risk root (written right after its start, before any
   * of its transitions): replayed through {@link Sequencer.Config#riskHistory}.
   */
  record RiskRoot(BigInteger root) implements Transition {
    public RiskRoot {
      ArgChecker.notNull(root, "root");
    }

    @Override
    public byte kind() {
      return RISK_ROOT;
    }

    @Override
    public void encode(ByteBuffer out) {
      new Words(out).kind(RISK_ROOT).word(root);
    }

    @Override
    public String describe() {
      return "risk root " + root;
    }
  }

  /**
   * The insurance fund covers the negative quote balance of {@code accountId}, closed out (no
   * position, no asset but quote): what follows the penalty-0 takeover of a bankrupt account.
   */
  record AbsorbLoss(long accountId) implements Transition {
    public AbsorbLoss {
      ArgChecker.notNegative(accountId, "accountId");
    }

    @Override
    public byte kind() {
      return ABSORB_LOSS;
    }

    @Override
    public void encode(ByteBuffer out) {
      new Words(out).kind(ABSORB_LOSS).lng(accountId);
    }

    @Override
    public String describe() {
      return "absorb loss of account " + accountId + " by the insurance fund";
    }
  }

  /**
   * The answer to a forced withdrawal the escape hatch holds (requested by {@code requester} on
   * chain): paid, or refused with a proven reason (not the account's L1 address, no such account,
   * or the account would break effective IM); the batch includes it either way and {@code
   * finalizeBatch} clears the request.
   *
   * @param requester the requesting L1 address
   * @param amount quote atoms, {@code >= 1}
   * @param deadline the request's deadline, unix seconds (with the account, names the request)
   * @param paid the outcome the sequencer applied (a replay must find the same)
   */
  record ForcedWithdrawal(
      long accountId, BigInteger requester, long amount, long deadline, boolean paid)
      implements Transition {
    public ForcedWithdrawal {
      ArgChecker.notNegative(accountId, "accountId");
      ArgChecker.notNull(requester, "requester");
      ArgChecker.notNegativeOrZero(amount, "amount");
    }

    @Override
    public byte kind() {
      return FORCED_WITHDRAWAL;
    }

    @Override
    public void encode(ByteBuffer out) {
      new Words(out)
          .kind(FORCED_WITHDRAWAL)
          .lng(accountId)
          .word(requester)
          .lng(amount, deadline, paid ? 1 : 0);
    }

    @Override
    public String describe() {
      return "forced withdrawal account "
          + accountId
          + " amount "
          + amount
          + " to "
          + Sequencer.hexAddress(requester)
          + (paid ? " paid" : " refused");
    }
  }

  /**
   * Auto-deleveraging of {@code bankruptId}'s position in {@code instrumentId}: {@code lots} (its
   * sign) close against {@code counterpartyId}, the ledger's most profitable holder of the opposite
   * position, at the bankruptcy price ({@code Ledger.deleverage}); what the sequencer does instead
   * of a penalty-0 takeover when the insurance fund cannot cover the account's deficit.
   *
   * @param lots signed lots of the bankrupt account's position (non-zero)
   */
  record Deleverage(long bankruptId, long counterpartyId, long instrumentId, long lots)
      implements Transition {
    public Deleverage {
      ArgChecker.notNegative(bankruptId, "bankruptId");
      ArgChecker.notNegative(counterpartyId, "counterpartyId");
      ArgChecker.notNegative(instrumentId, "instrumentId");
      ArgChecker.isTrue(lots != 0, "lots must not be 0");
    }

    @Override
    public byte kind() {
      return DELEVERAGE;
    }

    @Override
    public void encode(ByteBuffer out) {
      new Words(out).kind(DELEVERAGE).lng(bankruptId, counterpartyId, instrumentId, lots);
    }

    @Override
    public String describe() {
      return "deleverage account "
          + bankruptId
          + " instrument "
          + instrumentId
          + " lots "
          + lots
          + " against account "
          + counterpartyId;
    }
  }

  /**
   * Reads one record payload written by {@link #encode}.
   *
   * @throws IllegalArgumentException (or a buffer exception) when it does not decode
   */
  static Transition decode(ByteBuffer in) {
    Words r = new Words(in);
    byte kind = in.get();
    return switch (kind) {
      case DEPOSIT ->
          new Deposit(r.lng(), r.lng(), r.lng(), r.word(), r.word(), r.word(), r.word());
      case WITHDRAWAL ->
          new Withdraw(new WithdrawalMessage(r.lng(), r.lng(), r.lng(), r.word()), r.sig());
      case TRANSFER ->
          new Transfer(new TransferMessage(r.lng(), r.lng(), r.lng(), r.lng(), r.lng()), r.sig());
      case TRADE ->
          new Trade(r.order(), r.sig(), r.order(), r.sig(), r.lng(), r.longs(0, "leg prices"));
      case SETTLE_EXPIRY -> new SettleExpiry(r.lng(), in.getInt());
      case LIQUIDATION ->
          new Liquidate(
              new LiquidationMessage(
                  r.word(),
                  r.word(),
                  r.lng(),
                  r.lng(),
                  r.lng(),
                  r.lng(),
                  r.longs(1, "take lots"),
                  r.longs(1, "take atoms")),
              r.sig());
      case RISK_ROOT -> new RiskRoot(r.word());
      case ABSORB_LOSS -> new AbsorbLoss(r.lng());
      case FORCED_WITHDRAWAL -> new ForcedWithdrawal(r.lng(), r.word(), r.lng(), r.lng(), r.flag());
      case DELEVERAGE -> new Deleverage(r.lng(), r.lng(), r.lng(), r.lng());
      default -> throw new IllegalArgumentException("unknown transition kind " + kind);
    };
  }

  /**
   * The shapes every record is made of, written and read in one place: big-endian longs, 32-byte
   * words (field elements, addresses), arrays of longs after a one-byte count (bounded to 64 when
   * read, so a damaged record never allocates much), signatures in the 96-byte {@link
   * RequestSigner} layout, and signed orders. Java evaluates arguments left to right, so a
   * constructor call of reads reads the fields in order.
   */
  final class Words {
    private static final int MAX_COUNT = 64;
    private final ByteBuffer b;

    Words(ByteBuffer b) {
      this.b = b;
    }

    Words kind(byte k) {
      b.put(k);
      return this;
    }

    Words lng(long... v) {
      for (long x : v) {
        b.putLong(x);
      }
      return this;
    }

    /** A non-negative integer below 2^256 as 32 bytes. */
    Words word(BigInteger v) {
      byte[] x = v.toByteArray();
      int off = x.length > 32 ? x.length - 32 : 0;
      int len = x.length - off;
      for (int i = 0; i < 32 - len; i++) {
        b.put((byte) 0);
      }
      b.put(x, off, len);
      return this;
    }

    Words longs(long[] v) {
      b.put((byte) v.length);
      return lng(v);
    }

    Words sig(EdDSA.Signature s) {
      b.put(RequestSigner.encode(s));
      return this;
    }

    Words order(OrderMessage o) {
      lng(o.accountId(), o.orderId(), o.expiry(), o.quantity(), o.limitPrice(), o.feePerUnit());
      b.put((byte) o.legs());
      for (int l = 0; l < o.legs(); l++) {
        lng(o.instrumentId(l), o.ratio(l));
      }
      return this;
    }

    long lng() {
      return b.getLong();
    }

    /** A boolean written as the long 0 or 1. */
    boolean flag() {
      long v = b.getLong();
      ArgChecker.isTrue(v == 0 || v == 1, "a flag is 0 or 1, was {}", v);
      return v == 1;
    }

    BigInteger word() {
      byte[] x = new byte[32];
      b.get(x);
      return new BigInteger(1, x);
    }

    /** An array written by {@link #longs(long[])}, of {@code [min, 64]} entries. */
    long[] longs(int min, String what) {
      long[] v = new long[(int) ArgChecker.inRange(b.get(), min, MAX_COUNT, what)];
      for (int i = 0; i < v.length; i++) {
        v[i] = b.getLong();
      }
      return v;
    }

    EdDSA.Signature sig() {
      byte[] x = new byte[RequestSigner.SIGNATURE_BYTES];
      b.get(x);
      return RequestSigner.decode(x);
    }

    OrderMessage order() {
      long a = lng();
      long id = lng();
      long expiry = lng();
      long qty = lng();
      long limit = lng();
      long fee = lng();
      int legs = (int) ArgChecker.inRange(b.get(), 1, MAX_COUNT, "legs");
      long[] ids = new long[legs];
      long[] ratios = new long[legs];
      for (int l = 0; l < legs; l++) {
        ids[l] = lng();
        ratios[l] = lng();
      }
      return new OrderMessage(a, id, expiry, qty, limit, fee, ids, ratios);
    }
  }
}
