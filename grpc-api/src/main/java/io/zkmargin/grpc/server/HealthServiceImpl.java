package io.zkmargin.grpc.server;

import com.google.protobuf.Duration;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.AccountMargin;
import io.zkmargin.api.v1.GetAccountMarginRequest;
import io.zkmargin.api.v1.HealthServiceGrpc;
import io.zkmargin.api.v1.ProveHealthRequest;
import io.zkmargin.api.v1.ProveHealthResponse;
import io.zkmargin.api.v1.UnderlyingGreeks;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.grpc.ProtoConvert;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.risk.margin.MarginSummary;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code zkmargin.v1.HealthService}: signed health-proof requests go through the bounded {@link
 * ProvingQueue}; progress streams back as QUEUED, WITNESS, PROVING, DONE.
 *
 * <p>Order of the checks: field ranges, the account's rate limit, the signature (the same path
 * whether or not the id holds an account), then the request's nonce is consumed when it is accepted
 * for work (into the proving queue, or the margin figures are computed). A request refused after
 * that without any work (queue full, the account's job quota, shutting down, account not healthy
 * enough) gets its nonce back.
 */
public final class HealthServiceImpl extends HealthServiceGrpc.HealthServiceImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(HealthServiceImpl.class);

  /** Smallest accepted threshold, basis points. */
  public static final long MIN_THRESHOLD_BPS = 1;

  /**
   * Largest threshold the service accepts, basis points (100 x maintenance margin): a policy limit,
   * below what the circuit could prove ({@link
   * io.zkmargin.commit.HealthWitness#CIRCUIT_MAX_THRESHOLD_BPS}).
   */
  public static final long POLICY_MAX_THRESHOLD_BPS = 1_000_000;

  static final String PROVE_METHOD = HealthServiceGrpc.getProveHealthMethod().getFullMethodName();
  static final String MARGIN_METHOD =
      HealthServiceGrpc.getGetAccountMarginMethod().getFullMethodName();

  private final HealthProofBackend backend;
  private final ProvingQueue queue;
  private final RequestAuthenticator auth;
  private final RateLimiter accountLimiter;

  /**
   * @param backend venue and prover
   * @param queue the proving queue
   * @param auth checks signatures and consumes nonces
   * @param accountLimiter requests per account id (taken before the signature check, known or not)
   */
  HealthServiceImpl(
      HealthProofBackend backend,
      ProvingQueue queue,
      RequestAuthenticator auth,
      RateLimiter accountLimiter) {
    this.backend = backend;
    this.queue = queue;
    this.auth = auth;
    this.accountLimiter = accountLimiter;
  }

  @Override
  public void proveHealth(ProveHealthRequest req, StreamObserver<ProveHealthResponse> plain) {
    ServerCallStreamObserver<ProveHealthResponse> obs =
        (ServerCallStreamObserver<ProveHealthResponse>) plain;
    long accountId = req.getAccountId();
    long threshold = Integer.toUnsignedLong(req.getThresholdBps());
    long accepted = System.nanoTime();
    RequestAuthenticator.Ticket ticket;
    try {
      if (threshold < MIN_THRESHOLD_BPS || threshold > POLICY_MAX_THRESHOLD_BPS) {
        throw Status.INVALID_ARGUMENT
            .withDescription(
                "threshold_bps must be in ["
                    + MIN_THRESHOLD_BPS
                    + ", "
                    + POLICY_MAX_THRESHOLD_BPS
                    + "], was "
                    + threshold)
            .asException();
      }
      if (queue.rejectIfFull()) {
        // refused before the signature check: a full queue costs its callers' retries almost
        // nothing
        throw Status.RESOURCE_EXHAUSTED
            .withDescription("the proving queue is full; retry later")
            .asException();
      }
      Optional<AccountLeaf> leaf = checkAccount(accountId);
      ticket =
          auth.authenticate(
              PROVE_METHOD, accountId, threshold, leaf, req.hasAuth() ? req.getAuth() : null);
      auth.consume(ticket);
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    // the request's identity: its signed nonce, expiry and threshold (a nonce reused after its
    // expiry is another request)
    String requestKey = "health/" + ticket.key() + "/" + ticket.expiryMillis() + "/" + threshold;
    try {
      backend.accept(requestKey, accountId, threshold); // committed before the first answer
    } catch (RuntimeException e) {
      auth.release(ticket); // nothing was recorded: the same request may be retried
      LOG.atError().addKeyValue("error", String.valueOf(e)).log("prove.notRecorded");
      obs.onError(
          Status.UNAVAILABLE
              .withDescription("the request could not be recorded: " + e.getMessage())
              .asException());
      return;
    }
    Stream stream = new Stream(obs, accepted, auth, ticket);
    // the cancel handler is in place before the job exists, so no cancellation can slip between the
    // two
    AtomicReference<ProvingQueue.Job> jobRef = new AtomicReference<>();
    obs.setOnCancelHandler(
        () -> {
          ProvingQueue.Job j = jobRef.get();
          if (j != null) {
            LOG.atInfo()
                .addKeyValue("job", j.id())
                .addKeyValue("account", accountId)
                .log("prove.cancelled");
            j.cancel();
          }
        });
    ProvingQueue.Job job;
    try {
      job = queue.submit(requestKey, accountId, threshold, stream);
    } catch (ProvingQueue.QueueFullException | ProvingQueue.AccountQuotaException e) {
      backend.abandon(requestKey);
      auth.release(ticket); // no work was done: the same request may be retried
      obs.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asException());
      return;
    } catch (ProvingQueue.ShuttingDownException e) {
      backend.abandon(requestKey);
      auth.release(ticket);
      obs.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asException());
      return;
    }
    jobRef.set(job);
    // a second, immediate path: the call's context is cancelled by the transport as soon as the
    // client
    // cancels or the deadline passes, without waiting for the call's serialized callbacks
    Context.current().addListener(ctx -> job.cancel(), Runnable::run);
    if (obs.isCancelled()) {
      job.cancel();
    }
    LOG.atInfo()
        .addKeyValue("job", job.id())
        .addKeyValue("account", accountId)
        .addKeyValue("thresholdBps", threshold)
        .log("prove.accepted");
  }

  @Override
  public void getAccountMargin(GetAccountMarginRequest req, StreamObserver<AccountMargin> obs) {
    long accountId = req.getAccountId();
    try {
      Optional<AccountLeaf> leaf = checkAccount(accountId);
      auth.consume(
          auth.authenticate(
              MARGIN_METHOD, accountId, 0, leaf, req.hasAuth() ? req.getAuth() : null));
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    HealthProofBackend.MarginFigures figures = backend.margin(accountId);
    MarginSummary m = figures.margin();
    boolean mmZero =
        m.maintenanceMargin() == 0; // MM is rounded up to atoms: 0 exactly when MM is 0
    AccountMargin.Builder b =
        AccountMargin.newBuilder()
            .setAccountId(accountId)
            .setEquityQuoteAtoms(m.equity())
            .setInitialMarginQuoteAtoms(m.initialMargin())
            .setMaintenanceMarginQuoteAtoms(m.maintenanceMargin())
            .setHealthRatioBps(
                mmZero ? 0 : Math.max(0, m.healthRatioBps())) // the proto's 0 when E <= 0 or MM = 0
            .setMaintenanceMarginZero(mmZero)
            .setLiquidatable(m.liquidatable())
            .setStateRoot(backend.stateRoot().toString())
            .setRiskRoot(backend.riskRoot().toString());
    for (io.zkmargin.risk.analytics.UnderlyingGreeks g : figures.greeks()) {
      b.addGreeks(
          UnderlyingGreeks.newBuilder()
              .setUnderlying(g.underlying())
              .setSpot(g.spot())
              .setDelta(g.delta())
              .setDeltaValue(g.deltaValue())
              .setGamma(g.gamma())
              .setGammaValue1Pct(g.gammaValue1Pct())
              .setVega(g.vega())
              .setTheta(g.theta())
              .setVanna(g.vanna())
              .setCharm(g.charm()));
    }
    obs.onNext(b.build());
    obs.onCompleted();
  }

  /**
   * Checks the id's range and the account's rate limit; returns the leaf, or empty when the id
   * holds no account (the caller still checks the signature, against a dummy key: no NOT_FOUND that
   * would let unauthenticated callers enumerate accounts).
   */
  private Optional<AccountLeaf> checkAccount(long accountId) throws StatusException {
    int depth = backend.sizes().stateDepth();
    if (accountId < 0 || (depth < 63 && accountId >= (1L << depth))) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "account_id must be in [0, 2^" + depth + "), was " + Long.toUnsignedString(accountId))
          .asException();
    }
    if (!accountLimiter.tryAcquire(accountId)) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription("too many requests for account " + accountId + "; retry later")
          .asException();
    }
    return backend.account(accountId);
  }

  static Duration duration(long nanos) {
    return Duration.newBuilder()
        .setSeconds(nanos / 1_000_000_000L)
        .setNanos((int) (nanos % 1_000_000_000L))
        .build();
  }

  /**
   * Sends one job's events down its response stream; gRPC observers are not thread-safe, so it
   * locks.
   */
  private static final class Stream implements ProvingQueue.Listener {
    private final ServerCallStreamObserver<ProveHealthResponse> obs;
    private final long accepted;
    private final RequestAuthenticator auth;
    private final RequestAuthenticator.Ticket ticket;

    Stream(
        ServerCallStreamObserver<ProveHealthResponse> obs,
        long accepted,
        RequestAuthenticator auth,
        RequestAuthenticator.Ticket ticket) {
      this.obs = obs;
      this.accepted = accepted;
      this.auth = auth;
      this.ticket = ticket;
    }

    private ProveHealthResponse.Builder stage(ProveHealthResponse.Stage s) {
      return ProveHealthResponse.newBuilder()
          .setStage(s)
          .setElapsed(duration(System.nanoTime() - accepted));
    }

    private synchronized void send(ProveHealthResponse r) {
      if (!obs.isCancelled()) {
        obs.onNext(r);
      }
    }

    @Override
    public void queued(int position) {
      send(stage(ProveHealthResponse.Stage.STAGE_QUEUED).setQueuePosition(position).build());
    }

    @Override
    public void witness() {
      send(stage(ProveHealthResponse.Stage.STAGE_WITNESS).build());
    }

    @Override
    public void proving() {
      send(stage(ProveHealthResponse.Stage.STAGE_PROVING).build());
    }

    @Override
    public synchronized void done(ProofFile proof, long proveNanos) {
      if (obs.isCancelled()) {
        return;
      }
      obs.onNext(
          stage(ProveHealthResponse.Stage.STAGE_DONE)
              .setProof(ProtoConvert.toProto(proof))
              .setProveDuration(duration(proveNanos))
              .build());
      obs.onCompleted();
    }

    @Override
    public synchronized void failed(Throwable reason) {
      if (reason instanceof NotHealthyException) {
        // no proof was made: the same request may be retried (e.g. after a deposit)
        auth.release(ticket);
      }
      if (obs.isCancelled()) {
        return;
      }
      Status s;
      if (reason instanceof NotHealthyException) {
        s = Status.FAILED_PRECONDITION.withDescription(reason.getMessage());
      } else if (reason instanceof CancellationException) {
        s =
            Status.UNAVAILABLE.withDescription(
                "the proving job was cancelled: " + reason.getMessage());
      } else if (reason instanceof IllegalArgumentException) {
        s = Status.INVALID_ARGUMENT.withDescription(reason.getMessage());
      } else {
        LOG.atError()
            .addKeyValue("error", String.valueOf(reason))
            .setCause(reason)
            .log("prove.failed");
        s = Status.INTERNAL.withDescription("proving failed: " + reason);
      }
      obs.onError(s.asException());
    }
  }
}
