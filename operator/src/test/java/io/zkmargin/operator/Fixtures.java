package io.zkmargin.operator;

import com.google.protobuf.ByteString;
import io.zkmargin.api.v1.SignedTransfer;
import io.zkmargin.api.v1.SignedWithdrawal;
import io.zkmargin.api.v1.SubmitTransitionRequest;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.RiskCommitment;
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
}
