package io.zkmargin.cli;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.BatchStatus;
import io.zkmargin.api.v1.GetNonceRequest;
import io.zkmargin.api.v1.GetOperatorBatchRequest;
import io.zkmargin.api.v1.GetOperatorStatusRequest;
import io.zkmargin.api.v1.OperatorServiceGrpc;
import io.zkmargin.api.v1.OperatorStatus;
import io.zkmargin.api.v1.OrderLeg;
import io.zkmargin.api.v1.SignedOrder;
import io.zkmargin.api.v1.SignedTrade;
import io.zkmargin.api.v1.SignedTransfer;
import io.zkmargin.api.v1.SignedWithdrawal;
import io.zkmargin.api.v1.StreamBatchStatusRequest;
import io.zkmargin.api.v1.SubmitTransitionRequest;
import io.zkmargin.api.v1.SubmitTransitionResponse;
import io.zkmargin.chain.LocalChain;
import io.zkmargin.chain.OracleSigner;
import io.zkmargin.chain.QuoteTokenClient;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.operator.DemoL1Keys;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.math.BigInteger;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm operator}: drives the operator of a running {@code ./zkm serve} (OperatorService):
 * submits signed withdrawals, transfers and trades (signed with the demo account keys of the data
 * folder, as {@code ./zkm trade} does), shows the batches, and deposits on the local chain as an
 * account's L1 key.
 */
@Command(
    name = "operator",
    description = "submit transitions to the operator and follow its batches (./zkm serve)",
    subcommands = {
      OperatorCommand.Submit.class,
      OperatorCommand.StatusCmd.class,
      OperatorCommand.Deposit.class
    })
public final class OperatorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  /** {@code ./zkm operator} alone: its help, as a usage error (exit 2). */
  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return Cli.USAGE_ERROR;
  }

  /**
   * Starts the operator of {@code dir} on its local chain (brought up with a batch verifier) and
   * adds its OperatorService to the running server ({@code ./zkm serve}); a failure is reported and
   * the service runs without it.
   *
   * @return the operator to close with the server, or null
   */
  static AutoCloseable startInServe(
      io.zkmargin.grpc.server.ZkmServer server,
      java.nio.file.Path dir,
      boolean allowDevKeys,
      long batchIntervalSeconds) {
    return startInServe(server, dir, allowDevKeys, batchIntervalSeconds, null, false);
  }

  /**
   * {@link #startInServe(io.zkmargin.grpc.server.ZkmServer, java.nio.file.Path, boolean, long)} on
   * the venue's durable state (the database: one state with the health service), or on {@code
   * DIR/venue.json} when {@code state} is null; with {@code ownLiquidations} the operator also
   * liquidates accounts no keeper asked for ({@code Sequencer#setOwnLiquidations}).
   */
  static AutoCloseable startInServe(
      io.zkmargin.grpc.server.ZkmServer server,
      java.nio.file.Path dir,
      boolean allowDevKeys,
      long batchIntervalSeconds,
      io.zkmargin.operator.VenueState state,
      boolean ownLiquidations) {
    io.zkmargin.prover.KeyStore keys = io.zkmargin.prover.KeyStore.openDefault(allowDevKeys);
    try {
      if (LocalChain.readBatchVerifier(dir).isEmpty()) {
        System.err.println(
            "zkm serve: the local chain has no batch verifier (no batch key for this size):"
                + " serving without the operator");
        keys.close();
        return null;
      }
      io.zkmargin.operator.LocalOperator op =
          io.zkmargin.operator.LocalOperator.start(
              dir, keys, java.time.Duration.ofSeconds(batchIntervalSeconds), System.err, state);
      server.addService(op.service());
      if (ownLiquidations) {
        op.sequencer().setOwnLiquidations(true);
        System.err.println(
            "operator: liquidates every liquidatable account at each batch, requested or not");
      }
      java.util.concurrent.ExecutorService fills = tradesToOperator(server, op.sequencer());
      return () -> {
        if (fills != null) {
          server.trading().setSignedTradeSink(null);
          fills.shutdown();
        }
        op.close();
        keys.close();
      };
    } catch (IOException | RuntimeException e) {
      System.err.println("zkm serve: the operator did not start: " + e.getMessage());
      keys.close();
      return null;
    }
  }

  /**
   * Makes every two-order fill of the served TradingService's matching engine a trade transition of
   * the operator (both signed orders, the fill, the leg prices), in engine order, on one thread of
   * its own so that the engine does not wait for the transition log. A refused trade is reported on
   * stderr (the books and the ledger then differ for it: the engine checks margin with its own
   * model, the ledger with the batch rules).
   *
   * @return the thread's executor, or null when trading is not served
   */
  static java.util.concurrent.ExecutorService tradesToOperator(
      io.zkmargin.grpc.server.ZkmServer server, io.zkmargin.operator.Sequencer seq) {
    io.zkmargin.grpc.server.TradingServiceImpl trading = server.trading();
    if (trading == null) {
      return null;
    }
    java.util.concurrent.ExecutorService exec =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "zkm-fills-to-operator");
              t.setDaemon(true);
              return t;
            });
    trading.setSignedTradeSink(
        (maker, taker, units, prices) ->
            exec.execute(
                () -> {
                  io.zkmargin.operator.Transition.Trade t =
                      new io.zkmargin.operator.Transition.Trade(
                          maker.message(),
                          maker.signature(),
                          taker.message(),
                          taker.signature(),
                          units,
                          prices);
                  try {
                    io.zkmargin.operator.Sequencer.Result r = seq.submit(t);
                    if (!r.rule().isOk()) {
                      // the books must not fill these orders again: their remainders are
                      // cancelled
                      int cancelled = trading.refuseFill(maker, taker);
                      System.err.println(
                          "operator: the fill is refused by the ledger: "
                              + r.rule()
                              + " ("
                              + t.describe()
                              + "); "
                              + cancelled
                              + " live order(s) of the two cancelled in the books");
                    }
                  } catch (IOException | RuntimeException e) {
                    System.err.println(
                        "operator: the fill is not sequenced: "
                            + e.getMessage()
                            + " ("
                            + t.describe()
                            + ")");
                  }
                }));
    return exec;
  }

  static OperatorServiceGrpc.OperatorServiceBlockingStub stub(ZkmClient c) {
    return OperatorServiceGrpc.newBlockingStub(c.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  static String line(BatchStatus s) {
    return String.format(
        "batch %d: %s, %d transitions%s%s%s",
        s.getBatch(),
        s.getState().name().replace("BATCH_STATE_", ""),
        s.getTransitions(),
        s.getNewRoot().isEmpty() ? "" : ", new root " + s.getNewRoot(),
        s.getGasUsed() == 0 ? "" : ", gas " + s.getGasUsed() + ", tx " + s.getTxHash(),
        s.getReason().isEmpty() ? "" : " (" + s.getReason() + ")");
  }

  @Command(
      name = "submit",
      description = "sign and submit a transition: withdraw, transfer, trade or settle-expiry",
      subcommands = {Withdraw.class, Transfer.class, Trade.class, SettleExpiryCmd.class})
  static final class Submit implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;

    @Override
    public Integer call() {
      spec.commandLine().usage(System.out);
      return Cli.USAGE_ERROR;
    }
  }

  /** Sends one signed transition and prints where it went. */
  static int send(ClientCommand.Connection c, String what, Request req) {
    return c.run(
        "operator submit " + what,
        client -> {
          SubmitTransitionResponse r = stub(client).submitTransition(req.build(client));
          System.out.printf(
              "ACCEPTED %s: batch %d slot %d (sequence %d)%n",
              what, r.getBatch(), r.getSlot(), r.getSequence());
          return 0;
        });
  }

  interface Request {
    SubmitTransitionRequest build(ZkmClient client) throws IOException;
  }

  static long nonce(ZkmClient client, long account) {
    return stub(client)
        .getNonce(GetNonceRequest.newBuilder().setAccountId(account).build())
        .getNonce();
  }

  static ByteString sig(EdwardsKeyPair k, BigInteger msg) {
    return ByteString.copyFrom(RequestSigner.encode(EdDSA.sign(k, msg)));
  }

  @Command(
      name = "settle-expiry",
      description =
          "close a position whose instrument has settled at expiry, at its settlement value"
              + " (unsigned: anyone may)")
  static final class SettleExpiryCmd implements Callable<Integer> {
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(names = "--account", paramLabel = "N", required = true, description = "the holder")
    long account;

    @Option(
        names = "--slot",
        paramLabel = "J",
        required = true,
        description = "the position slot, in [0, P)")
    int slot;

    @Override
    public Integer call() {
      return send(
          connection,
          "settle-expiry of account " + account + " slot " + slot,
          client ->
              SubmitTransitionRequest.newBuilder()
                  .setSettleExpiry(
                      io.zkmargin.api.v1.SettleExpiry.newBuilder()
                          .setAccountId(account)
                          .setPositionSlot(slot))
                  .build());
    }
  }

  @Command(name = "withdraw", description = "withdraw quote atoms to an L1 address")
  static final class Withdraw implements Callable<Integer> {
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(names = "--account", paramLabel = "N", required = true, description = "the account")
    long account;

    @Option(names = "--amount", paramLabel = "X", required = true, description = "quote atoms")
    long amount;

    @Option(
        names = "--to",
        paramLabel = "0xADDR",
        description = "the L1 address paid (default the account's demo L1 key, DIR/keys/l1-N.key)")
    String to;

    @Override
    public Integer call() throws IOException {
      String addr =
          to != null ? to : OracleSigner.address(DemoL1Keys.loadOrCreate(connection.dir, account));
      BigInteger l1 = new BigInteger(addr.substring(2), 16);
      EdwardsKeyPair k = new EdwardsKeyPair(VenueStore.loadOwnerSecret(connection.dir, account));
      return send(
          connection,
          "withdrawal of " + amount + " to " + addr,
          client -> {
            long n = nonce(client, account);
            WithdrawalMessage m = new WithdrawalMessage(account, n, amount, l1);
            byte[] a = new byte[20];
            byte[] b = l1.toByteArray();
            int len = Math.min(20, b.length);
            System.arraycopy(b, b.length - len, a, 20 - len, len);
            return SubmitTransitionRequest.newBuilder()
                .setWithdrawal(
                    SignedWithdrawal.newBuilder()
                        .setAccountId(account)
                        .setNonce(n)
                        .setAmount(amount)
                        .setL1Address(ByteString.copyFrom(a))
                        .setSignature(sig(k, m.messageHash())))
                .build();
          });
    }
  }

  @Command(name = "transfer", description = "move an asset between two accounts of one owner")
  static final class Transfer implements Callable<Integer> {
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(names = "--account", paramLabel = "N", required = true, description = "from")
    long account;

    @Option(names = "--to-account", paramLabel = "M", required = true, description = "to")
    long toAccount;

    @Option(names = "--amount", paramLabel = "X", required = true, description = "atoms")
    long amount;

    @Option(
        names = "--asset",
        paramLabel = "A",
        defaultValue = "0",
        description = "asset (0 = quote)")
    long asset;

    @Override
    public Integer call() throws IOException {
      EdwardsKeyPair k = new EdwardsKeyPair(VenueStore.loadOwnerSecret(connection.dir, account));
      return send(
          connection,
          "transfer of " + amount + " from " + account + " to " + toAccount,
          client -> {
            long n = nonce(client, account);
            TransferMessage m = new TransferMessage(account, toAccount, n, asset, amount);
            return SubmitTransitionRequest.newBuilder()
                .setTransfer(
                    SignedTransfer.newBuilder()
                        .setFromAccountId(account)
                        .setToAccountId(toAccount)
                        .setNonce(n)
                        .setAsset((int) asset)
                        .setAmount(amount)
                        .setSignature(sig(k, m.messageHash())))
                .build();
          });
    }
  }

  @Command(
      name = "trade",
      description = {
        "a fill between two single-leg orders signed now, each with its account's demo owner",
        "key: the maker buys --qty lots of --instrument at --price from the taker, each paying",
        "--fee atoms per lot to the fee account 0 (credited at the end of the batch)"
      })
  static final class Trade implements Callable<Integer> {
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(names = "--maker", paramLabel = "N", required = true, description = "buyer")
    long maker;

    @Option(names = "--taker", paramLabel = "M", required = true, description = "seller")
    long taker;

    @Option(names = "--instrument", paramLabel = "ID", required = true, description = "instr.")
    long instrument;

    @Option(names = "--qty", paramLabel = "Q", required = true, description = "lots")
    long qty;

    @Option(names = "--price", paramLabel = "P", required = true, description = "atoms/lot")
    long price;

    @Option(
        names = "--fee",
        paramLabel = "F",
        defaultValue = "0",
        description = "fee per lot, quote atoms, paid by each side (default 0)")
    long fee;

    @Option(names = "--legs", paramLabel = "L", defaultValue = "2", description = "L (2 test)")
    int legs;

    @Override
    public Integer call() throws IOException {
      EdwardsKeyPair km = new EdwardsKeyPair(VenueStore.loadOwnerSecret(connection.dir, maker));
      EdwardsKeyPair kt = new EdwardsKeyPair(VenueStore.loadOwnerSecret(connection.dir, taker));
      long expiry = System.currentTimeMillis() / 1000 + 3600;
      long id = 1 + (System.currentTimeMillis() & ((1L << 40) - 1));
      OrderMessage m =
          OrderMessage.singleLeg(legs, maker, id, expiry, qty, price, fee, instrument, 1);
      OrderMessage t =
          OrderMessage.singleLeg(legs, taker, id + 1, expiry, qty, -price, fee, instrument, -1);
      SubmitTransitionRequest req =
          SubmitTransitionRequest.newBuilder()
              .setTrade(
                  SignedTrade.newBuilder()
                      .setMaker(order(m, sig(km, m.messageHash())))
                      .setTaker(order(t, sig(kt, t.messageHash())))
                      .setFill(qty)
                      .addLegPrices(price))
              .build();
      return send(connection, "trade of " + qty + " lots", client -> req);
    }

    private static SignedOrder order(OrderMessage o, ByteString sig) {
      return SignedOrder.newBuilder()
          .setAccountId(o.accountId())
          .setOrderId(o.orderId())
          .setExpiry(o.expiry())
          .setQuantity(o.quantity())
          .setLimitPrice(o.limitPrice())
          .setFeePerUnit(o.feePerUnit())
          .addLegs(OrderLeg.newBuilder().setInstrumentId(o.instrumentId(0)).setRatio(o.ratio(0)))
          .setSignature(sig)
          .build();
    }
  }

  @Command(name = "status", description = "the sequencer's state and every batch's status")
  static final class StatusCmd implements Callable<Integer> {
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(names = "--follow", description = "then print every change until interrupted")
    boolean follow;

    @Override
    public Integer call() {
      return connection.run(
          "operator status",
          client -> {
            OperatorStatus s =
                stub(client).getStatus(GetOperatorStatusRequest.getDefaultInstance());
            System.out.printf(
                "operator: %s, open batch %d (%d of %d slots), chain: batch %d finalized, state"
                    + " root %s, deposits %d taken of %d queued, Settlement %s%n",
                s.getCircuitId(),
                s.getOpenBatch(),
                s.getOpenTransitions(),
                s.getBatchSlots(),
                s.getFinalizedBatch(),
                s.getChainStateRoot(),
                s.getDepositsTaken(),
                s.getDepositsQueued(),
                s.getSettlement());
            if (!follow) {
              for (long b = 1; b < s.getOpenBatch(); b++) {
                System.out.println(
                    line(
                        stub(client)
                            .getBatch(GetOperatorBatchRequest.newBuilder().setBatch(b).build())
                            .getStatus()));
              }
              return 0;
            }
            CountDownLatch done = new CountDownLatch(1);
            ManagedChannel ch = client.channel();
            OperatorServiceGrpc.newStub(ch)
                .streamBatchStatus(
                    StreamBatchStatusRequest.getDefaultInstance(),
                    new StreamObserver<>() {
                      @Override
                      public void onNext(BatchStatus v) {
                        System.out.println(line(v));
                      }

                      @Override
                      public void onError(Throwable t) {
                        System.err.println("zkm operator status: " + t.getMessage());
                        done.countDown();
                      }

                      @Override
                      public void onCompleted() {
                        done.countDown();
                      }
                    });
            try {
              done.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return 1;
          });
    }
  }

  @Command(
      name = "deposit",
      description = {
        "deposit quote atoms into an account on the local chain (approve + Settlement.deposit)",
        "as the account's demo L1 key DIR/keys/l1-N.key; the operator takes it into its next batch"
      })
  static final class Deposit implements Callable<Integer> {
    @Mixin Cli.HelpOption help;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "demo", description = "the venue")
    java.nio.file.Path dir;

    @Option(names = "--account", paramLabel = "N", required = true, description = "the account")
    long account;

    @Option(names = "--amount", paramLabel = "X", required = true, description = "quote atoms")
    long amount;

    @Override
    public Integer call() {
      try {
        LocalChain.State s =
            LocalChain.readState(dir)
                .orElseThrow(() -> new IllegalStateException("no local chain in " + dir));
        LocalChain.BatchVerifier bv =
            LocalChain.readBatchVerifier(dir)
                .orElseThrow(() -> new IllegalStateException("no batch deployment in " + dir));
        Credentials me = Credentials.create(DemoL1Keys.loadOrCreate(dir, account));
        Web3j web3 = SettlementClient.connect(s.rpcUrl());
        try {
          new QuoteTokenClient(web3, me, s.chainId(), bv.quoteToken(), "[]")
              .approve(s.settlement(), BigInteger.valueOf(amount));
          SettlementClient.TxResult r =
              new SettlementClient(web3, me, s.chainId(), s.settlement(), "[]")
                  .deposit(account, amount);
          System.out.printf(
              "deposited %d quote atoms into account %d from %s (tx %s, gas %d)%n",
              amount, account, me.getAddress(), r.hash(), r.gasUsed());
          return 0;
        } finally {
          web3.shutdown();
        }
      } catch (IOException | RuntimeException e) {
        System.err.println("zkm operator deposit: " + e.getMessage());
        return 1;
      }
    }
  }
}
