package io.zkmargin.operator;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.BatchInfo;
import io.zkmargin.api.v1.BatchState;
import io.zkmargin.api.v1.BatchStatus;
import io.zkmargin.api.v1.GetOperatorBatchRequest;
import io.zkmargin.api.v1.GetOperatorStatusRequest;
import io.zkmargin.api.v1.OperatorServiceGrpc;
import io.zkmargin.api.v1.OperatorStatus;
import io.zkmargin.api.v1.SignedTrade;
import io.zkmargin.api.v1.SignedTransfer;
import io.zkmargin.api.v1.SignedWithdrawal;
import io.zkmargin.api.v1.StreamBatchStatusRequest;
import io.zkmargin.api.v1.SubmitTransitionRequest;
import io.zkmargin.api.v1.SubmitTransitionResponse;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.grpc.server.TradingServiceImpl;
import io.zkmargin.ledger.Rule;
import java.io.IOException;
import java.math.BigInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC {@code OperatorService} (grpc-api/src/main/proto/zkmargin/v1/operator_service.proto)
 * over a {@link Sequencer}.
 */
public final class OperatorServiceImpl extends OperatorServiceGrpc.OperatorServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorServiceImpl.class);

  private final Sequencer sequencer;
  private final int legs;

  /**
   * @param sequencer the sequencer (owned by the caller)
   * @param legs L, legs of every order message
   */
  public OperatorServiceImpl(Sequencer sequencer, int legs) {
    this.sequencer = sequencer;
    this.legs = legs;
  }

  @Override
  public void submitTransition(
      SubmitTransitionRequest req, StreamObserver<SubmitTransitionResponse> out) {
    Transition t;
    try {
      t = transition(req);
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    Sequencer.Result r;
    try {
      r = sequencer.submit(t);
    } catch (IllegalArgumentException e) {
      // never acceptable in any batch (the fee account trading, more risk rows than R)
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (IOException e) {
      LOG.atError().setCause(e).log("operator.log_failed");
      out.onError(
          Status.UNAVAILABLE
              .withDescription("the transition log cannot be written: " + e.getMessage())
              .asRuntimeException());
      return;
    }
    if (!r.rule().isOk()) {
      out.onError(
          Status.FAILED_PRECONDITION
              .withDescription(r.rule() + ": " + explain(r.rule()) + " (" + t.describe() + ")")
              .asRuntimeException());
      return;
    }
    out.onNext(
        SubmitTransitionResponse.newBuilder()
            .setBatch(r.batch())
            .setSlot(r.slot())
            .setSequence(r.sequence())
            .build());
    out.onCompleted();
  }

  /** A sentence for a rule (the description's first word is the rule's name). */
  static String explain(Rule r) {
    return switch (r) {
      case BAD_SIGNATURE -> "the signature does not verify with the account's owner key";
      case BAD_NONCE -> "the nonce is not the account's current nonce";
      case IM_BROKEN -> "the account would not meet its effective initial margin after it";
      case NOT_SAME_OWNER -> "the two accounts have different owner keys";
      case UNKNOWN_ACCOUNT -> "an account named is not registered";
      case BAD_AMOUNT -> "the amount must be positive";
      case BAD_ASSET -> "no such asset, or a withdrawal of another asset than the quote";
      case OVERFLOW -> "a result leaves the 64-bit range";
      case EXPIRED -> "an order's expiry is before the batch time";
      case OVERFILL -> "the fill would take an order beyond its quantity";
      case ORDER_SLOT_TAKEN -> "the order's fill slot holds a newer order (a larger order id)";
      case PRICE_LIMIT -> "the net leg price is beyond the maker's or the taker's limit";
      case LEGS_MISMATCH -> "the taker's legs are not the maker's with opposite ratios";
      case NO_FREE_SLOT -> "a leg opens a position and the account has no empty position slot";
      case SAME_ACCOUNT -> "maker and taker are the same account";
      case UNKNOWN_INSTRUMENT -> "a leg names an instrument the risk commitment does not list";
      default -> "refused by the ledger";
    };
  }

  private Transition transition(SubmitTransitionRequest req) {
    switch (req.getTransitionCase()) {
      case WITHDRAWAL:
        {
          SignedWithdrawal w = req.getWithdrawal();
          if (w.getL1Address().size() != 20) {
            throw new IllegalArgumentException("l1_address must have 20 bytes");
          }
          return new Transition.Withdraw(
              new WithdrawalMessage(
                  word(w.getAccountId(), "account_id"),
                  word(w.getNonce(), "nonce"),
                  w.getAmount(),
                  new BigInteger(1, w.getL1Address().toByteArray())),
              RequestSigner.decode(w.getSignature().toByteArray()));
        }
      case TRANSFER:
        {
          SignedTransfer x = req.getTransfer();
          return new Transition.Transfer(
              new TransferMessage(
                  word(x.getFromAccountId(), "from_account_id"),
                  word(x.getToAccountId(), "to_account_id"),
                  word(x.getNonce(), "nonce"),
                  x.getAsset(),
                  x.getAmount()),
              RequestSigner.decode(x.getSignature().toByteArray()));
        }
      case TRADE:
        {
          SignedTrade tr = req.getTrade();
          long[] prices = new long[legs];
          if (tr.getLegPricesCount() > legs) {
            throw new IllegalArgumentException("at most " + legs + " leg prices");
          }
          for (int l = 0; l < tr.getLegPricesCount(); l++) {
            prices[l] = tr.getLegPrices(l);
          }
          return new Transition.Trade(
              TradingServiceImpl.message(tr.getMaker(), legs),
              RequestSigner.decode(tr.getMaker().getSignature().toByteArray()),
              TradingServiceImpl.message(tr.getTaker(), legs),
              RequestSigner.decode(tr.getTaker().getSignature().toByteArray()),
              tr.getFill(),
              prices);
        }
      case SETTLE_EXPIRY:
        {
          io.zkmargin.api.v1.SettleExpiry se = req.getSettleExpiry();
          // a uint32 of 2^31 or more reads negative: the ledger refuses it (BAD_SLOT)
          return new Transition.SettleExpiry(
              word(se.getAccountId(), "account_id"), se.getPositionSlot());
        }
      default:
        throw new IllegalArgumentException("no transition in the request");
    }
  }

  @Override
  public void streamBatchStatus(StreamBatchStatusRequest req, StreamObserver<BatchStatus> out) {
    ServerCallStreamObserver<BatchStatus> call = (ServerCallStreamObserver<BatchStatus>) out;
    Object sendLock = new Object();
    Consumer<Sequencer.BatchView> l =
        v -> {
          if (v.number() < req.getFromBatch()) {
            return;
          }
          synchronized (sendLock) {
            if (call.isCancelled()) {
              throw new IllegalStateException("cancelled"); // the sequencer drops this listener
            }
            out.onNext(status(v));
          }
        };
    call.setOnCancelHandler(() -> sequencer.removeListener(l));
    synchronized (sendLock) {
      sequencer.addListener(l);
      for (Sequencer.BatchView v : sequencer.batches(req.getFromBatch())) {
        out.onNext(status(v));
      }
    }
  }

  @Override
  public void getBatch(GetOperatorBatchRequest req, StreamObserver<BatchInfo> out) {
    Sequencer.BatchView v = sequencer.batch(req.getBatch());
    if (v == null) {
      out.onError(
          Status.NOT_FOUND
              .withDescription("no batch " + Long.toUnsignedString(req.getBatch()))
              .asRuntimeException());
      return;
    }
    BatchInfo.Builder b =
        BatchInfo.newBuilder()
            .setStatus(status(v))
            .addAllTransitions(v.transitions())
            .setBatchTime(v.batchTime());
    v.publicInputs().forEach(p -> b.addPublicInputs(p.toString()));
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void getStatus(GetOperatorStatusRequest req, StreamObserver<OperatorStatus> out) {
    OperatorStatus.Builder s =
        OperatorStatus.newBuilder()
            .setOpenBatch(sequencer.openBatch())
            .setOpenTransitions(sequencer.openTransitions())
            .setBatchSlots(sequencer.slots())
            .setCircuitId(sequencer.circuitId())
            .setDepositsTaken(sequencer.depositsTaken());
    SettlementClient chain = sequencer.chain();
    if (chain != null) {
      try {
        s.setFinalizedBatch(chain.batchNumber())
            .setChainStateRoot(chain.stateRoot().toString())
            .setDepositsQueued(chain.depositCount())
            .setSettlement(chain.address());
      } catch (RuntimeException e) {
        out.onError(
            Status.UNAVAILABLE
                .withDescription("the chain does not answer: " + e.getMessage())
                .asRuntimeException());
        return;
      }
    }
    out.onNext(s.build());
    out.onCompleted();
  }

  @Override
  public void getNonce(
      io.zkmargin.api.v1.GetNonceRequest req,
      StreamObserver<io.zkmargin.api.v1.GetNonceResponse> out) {
    long id = req.getAccountId();
    Long nonce = sequencer.withLedger(l -> l.isRegistered(id) ? l.nonce(id) : null);
    if (nonce == null) {
      out.onError(
          Status.NOT_FOUND
              .withDescription("account " + Long.toUnsignedString(id) + " is not registered")
              .asRuntimeException());
      return;
    }
    out.onNext(io.zkmargin.api.v1.GetNonceResponse.newBuilder().setNonce(nonce).build());
    out.onCompleted();
  }

  static BatchStatus status(Sequencer.BatchView v) {
    BatchStatus.Builder b =
        BatchStatus.newBuilder()
            .setBatch(v.number())
            .setState(BatchState.forNumber(v.state().ordinal() + 1))
            .setReason(v.reason())
            .setTransitions(v.transitions().size())
            .setTxHash(v.txHash())
            .setGasUsed(v.gasUsed())
            .setAttempts(v.attempts());
    if (v.oldRoot() != null) {
      b.setOldRoot(v.oldRoot().toString()).setNewRoot(v.newRoot().toString());
    }
    return b.build();
  }

  /** A uint64 field that must fit a signed word. */
  private static long word(long v, String name) {
    if (v < 0) {
      throw new IllegalArgumentException(name + " must be below 2^63");
    }
    return v;
  }
}
