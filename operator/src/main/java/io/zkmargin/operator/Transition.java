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
      out.put(DEPOSIT).putLong(index).putLong(accountId).putLong(amount);
      put32(out, pkX);
      put32(out, pkY);
      put32(out, depositor);
      put32(out, head);
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
      out.put(WITHDRAWAL)
          .putLong(message.accountId())
          .putLong(message.nonce())
          .putLong(message.amount());
      put32(out, message.l1Address());
      out.put(RequestSigner.encode(signature));
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
      out.put(TRANSFER)
          .putLong(message.fromAccountId())
          .putLong(message.toAccountId())
          .putLong(message.nonce())
          .putLong(message.asset())
          .putLong(message.amount());
      out.put(RequestSigner.encode(signature));
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
      out.put(TRADE);
      order(out, maker);
      out.put(RequestSigner.encode(makerSignature));
      order(out, taker);
      out.put(RequestSigner.encode(takerSignature));
      out.putLong(fill).put((byte) legPrices.length);
      for (long p : legPrices) {
        out.putLong(p);
      }
    }

    private static void order(ByteBuffer out, OrderMessage o) {
      out.putLong(o.accountId()).putLong(o.orderId()).putLong(o.expiry()).putLong(o.quantity());
      out.putLong(o.limitPrice()).putLong(o.feePerUnit()).put((byte) o.legs());
      for (int l = 0; l < o.legs(); l++) {
        out.putLong(o.instrumentId(l)).putLong(o.ratio(l));
      }
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
      out.put(LIQUIDATION);
      put32(out, message.riskRoot());
      put32(out, message.keeper());
      out.putLong(message.accountId())
          .putLong(message.liquidatorId())
          .putLong(message.nonce())
          .putLong(message.penalty());
      long[] lots = message.takeLots();
      out.put((byte) lots.length);
      for (long t : lots) {
        out.putLong(t);
      }
      long[] atoms = message.takeAtoms();
      out.put((byte) atoms.length);
      for (long t : atoms) {
        out.putLong(t);
      }
      out.put(RequestSigner.encode(signature));
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
      out.put(RISK_ROOT);
      put32(out, root);
    }

    @Override
    public String describe() {
      return "risk root " + root;
    }
  }

  /**
   * Reads one record payload written by {@link #encode}.
   *
   * @throws IllegalArgumentException (or a buffer exception) when it does not decode
   */
  static Transition decode(ByteBuffer in) {
    byte kind = in.get();
    switch (kind) {
      case DEPOSIT:
        return new Deposit(
            in.getLong(), in.getLong(), in.getLong(), get32(in), get32(in), get32(in), get32(in));
      case WITHDRAWAL:
        {
          long a = in.getLong();
          long n = in.getLong();
          long amt = in.getLong();
          BigInteger to = get32(in);
          return new Withdraw(new WithdrawalMessage(a, n, amt, to), sig(in));
        }
      case TRANSFER:
        {
          TransferMessage m =
              new TransferMessage(
                  in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
          return new Transfer(m, sig(in));
        }
      case TRADE:
        {
          OrderMessage m = order(in);
          EdDSA.Signature ms = sig(in);
          OrderMessage t = order(in);
          EdDSA.Signature ts = sig(in);
          long fill = in.getLong();
          int n = in.get();
          ArgChecker.inRange(n, 0, 64, "leg prices");
          long[] prices = new long[n];
          for (int l = 0; l < n; l++) {
            prices[l] = in.getLong();
          }
          return new Trade(m, ms, t, ts, fill, prices);
        }
      case SETTLE_EXPIRY:
        return new SettleExpiry(in.getLong(), in.getInt());
      case RISK_ROOT:
        return new RiskRoot(get32(in));
      case LIQUIDATION:
        {
          BigInteger root = get32(in);
          BigInteger keeper = get32(in);
          long a = in.getLong();
          long b = in.getLong();
          long n = in.getLong();
          long pen = in.getLong();
          long[] lots = new long[(int) ArgChecker.inRange(in.get(), 1, 64, "take lots")];
          for (int j = 0; j < lots.length; j++) {
            lots[j] = in.getLong();
          }
          long[] atoms = new long[(int) ArgChecker.inRange(in.get(), 1, 64, "take atoms")];
          for (int k = 0; k < atoms.length; k++) {
            atoms[k] = in.getLong();
          }
          return new Liquidate(
              new LiquidationMessage(root, keeper, a, b, n, pen, lots, atoms), sig(in));
        }
      default:
        throw new IllegalArgumentException("unknown transition kind " + kind);
    }
  }

  private static OrderMessage order(ByteBuffer in) {
    long[] w = new long[6];
    for (int i = 0; i < 6; i++) {
      w[i] = in.getLong();
    }
    int legs = in.get();
    ArgChecker.inRange(legs, 1, 64, "legs");
    long[] ids = new long[legs];
    long[] ratios = new long[legs];
    for (int l = 0; l < legs; l++) {
      ids[l] = in.getLong();
      ratios[l] = in.getLong();
    }
    return new OrderMessage(w[0], w[1], w[2], w[3], w[4], w[5], ids, ratios);
  }

  private static EdDSA.Signature sig(ByteBuffer in) {
    byte[] b = new byte[RequestSigner.SIGNATURE_BYTES];
    in.get(b);
    return RequestSigner.decode(b);
  }

  private static void put32(ByteBuffer out, BigInteger v) {
    byte[] b = v.toByteArray();
    int off = b.length > 32 ? b.length - 32 : 0;
    int len = b.length - off;
    for (int i = 0; i < 32 - len; i++) {
      out.put((byte) 0);
    }
    out.put(b, off, len);
  }

  private static BigInteger get32(ByteBuffer in) {
    byte[] b = new byte[32];
    in.get(b);
    return new BigInteger(1, b);
  }
}
