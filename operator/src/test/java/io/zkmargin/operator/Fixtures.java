package io.zkmargin.operator;

import com.google.protobuf.ByteString;
import io.zkmargin.api.v1.OrderLeg;
import io.zkmargin.api.v1.SignedOrder;
import io.zkmargin.api.v1.SignedTrade;
import io.zkmargin.api.v1.SignedTransfer;
import io.zkmargin.api.v1.SignedWithdrawal;
import io.zkmargin.api.v1.SubmitTransitionRequest;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.ledger.LedgerConfig;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/** Keys, a risk commitment and signed requests shared by the operator's tests. */
final class Fixtures {
  static final LedgerConfig CONFIG = LedgerConfig.TEST;
  static final long USDC = 1_000_000L;

  private Fixtures() {}

  static EdwardsKeyPair key(long seed) {
    return new EdwardsKeyPair(
        BigInteger.valueOf(seed)
            .multiply(BigInteger.valueOf(1_000_000_007L))
            .add(BigInteger.valueOf(12345)));
  }

  /** USDC and ETH (10% haircut); ETH-PERP (id 1) and an ETH call (id 4); scenarios -15..+15%. */
  static RiskCommitment risk() {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>();
    m.put(
        1L,
        new InstrumentRiskEntry(
            30_000_000L,
            120_000L,
            1,
            1,
            new long[] {-4_500_000L, -1_500_000L, 1_500_000L, 4_500_000L},
            new long[] {-6_750_000L, -2_250_000L, 2_250_000L, 6_750_000L}));
    m.put(
        4L,
        new InstrumentRiskEntry(
            1_200_000L,
            0L,
            150_000L,
            200_000L,
            new long[] {-1_000_000L, -600_000L, 900_000L, 3_100_000L},
            new long[] {-1_200_000L, -700_000L, 1_100_000L, 3_600_000L}));
    RiskGlobals g =
        new RiskGlobals(
            new long[] {1_000_000, 1_250_000},
            new long[] {1_000_000_000L, 2_700_000_000L},
            new long[] {1_000_000_000L, 3_000_000_000L},
            new long[][] {
              {0, 0, 0, 0},
              {-450_000_000L, -150_000_000L, 150_000_000L, 450_000_000L}
            });
    return new RiskCommitment(CONFIG.sizes(), m, g);
  }

  static SubmitTransitionRequest withdrawal(
      EdwardsKeyPair signer, long account, long nonce, long amount, BigInteger l1) {
    WithdrawalMessage m = new WithdrawalMessage(account, nonce, amount, l1);
    byte[] addr = new byte[20];
    byte[] b = l1.toByteArray();
    int len = Math.min(b.length, 20);
    System.arraycopy(b, b.length - len, addr, 20 - len, len);
    return SubmitTransitionRequest.newBuilder()
        .setWithdrawal(
            SignedWithdrawal.newBuilder()
                .setAccountId(account)
                .setNonce(nonce)
                .setAmount(amount)
                .setL1Address(ByteString.copyFrom(addr))
                .setSignature(
                    ByteString.copyFrom(RequestSigner.encode(EdDSA.sign(signer, m.messageHash())))))
        .build();
  }

  static SubmitTransitionRequest transfer(
      EdwardsKeyPair signer, long from, long to, long nonce, long amount) {
    TransferMessage m = new TransferMessage(from, to, nonce, 0, amount);
    return SubmitTransitionRequest.newBuilder()
        .setTransfer(
            SignedTransfer.newBuilder()
                .setFromAccountId(from)
                .setToAccountId(to)
                .setNonce(nonce)
                .setAsset(0)
                .setAmount(amount)
                .setSignature(
                    ByteString.copyFrom(RequestSigner.encode(EdDSA.sign(signer, m.messageHash())))))
        .build();
  }

  /**
   * A single-leg order of {@code account}: {@code side} +1 buys, -1 sells the instrument; {@code
   * limit} quote atoms per lot (signed: what it pays at most net), {@code fee} atoms per lot.
   */
  static OrderMessage order(
      long account,
      long orderId,
      long expiry,
      long qty,
      long limit,
      long fee,
      long inst,
      int side) {
    return OrderMessage.singleLeg(
        CONFIG.legs(), account, orderId, expiry, qty, limit, fee, inst, side);
  }

  /** A fill of {@code fill} lots at {@code price} between two single-leg orders, signed. */
  static SubmitTransitionRequest trade(
      EdwardsKeyPair makerKey,
      OrderMessage maker,
      EdwardsKeyPair takerKey,
      OrderMessage taker,
      long fill,
      long price) {
    return SubmitTransitionRequest.newBuilder()
        .setTrade(
            SignedTrade.newBuilder()
                .setMaker(signed(makerKey, maker))
                .setTaker(signed(takerKey, taker))
                .setFill(fill)
                .addLegPrices(price))
        .build();
  }

  private static SignedOrder signed(EdwardsKeyPair k, OrderMessage o) {
    return SignedOrder.newBuilder()
        .setAccountId(o.accountId())
        .setOrderId(o.orderId())
        .setExpiry(o.expiry())
        .setQuantity(o.quantity())
        .setLimitPrice(o.limitPrice())
        .setFeePerUnit(o.feePerUnit())
        .addLegs(OrderLeg.newBuilder().setInstrumentId(o.instrumentId(0)).setRatio(o.ratio(0)))
        .setSignature(ByteString.copyFrom(RequestSigner.encode(EdDSA.sign(k, o.messageHash()))))
        .build();
  }
}
