package io.zkmargin.grpc.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.zkmargin.api.v1.AccountMargin;
import io.zkmargin.api.v1.AuditServiceGrpc;
import io.zkmargin.api.v1.GetAccountMarginRequest;
import io.zkmargin.api.v1.GetRiskRootRequest;
import io.zkmargin.api.v1.GetStateRootRequest;
import io.zkmargin.api.v1.GetVerifyingKeyRequest;
import io.zkmargin.api.v1.HealthServiceGrpc;
import io.zkmargin.api.v1.ProveHealthRequest;
import io.zkmargin.api.v1.ProveHealthResponse;
import io.zkmargin.api.v1.RiskRoot;
import io.zkmargin.api.v1.StateRoot;
import io.zkmargin.api.v1.VerifyProofRequest;
import io.zkmargin.api.v1.VerifyProofResponse;
import io.zkmargin.api.v1.VerifyingKey;
import io.zkmargin.grpc.ProtoConvert;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.prover.ProofFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Java client of the zkmargin service. Trader calls are signed with the account owner's key
 * ({@link RequestSigner}); auditor calls need nothing. Thread-safe; close it to release the
 * channel.
 */
public final class ZkmClient implements AutoCloseable {

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final String serviceId;
  private final HealthServiceGrpc.HealthServiceBlockingStub health;
  private final AuditServiceGrpc.AuditServiceBlockingStub audit;

  /**
   * A client over an existing channel (e.g. in-process).
   *
   * @param channel the channel (not closed by {@link #close()})
   * @param serviceId the identity of the service, which signed requests are bound to
   */
  public ZkmClient(ManagedChannel channel, String serviceId) {
    this(channel, serviceId, false);
  }

  private ZkmClient(ManagedChannel channel, String serviceId, boolean owns) {
    this.channel = channel;
    this.ownsChannel = owns;
    this.serviceId = serviceId;
    this.health = HealthServiceGrpc.newBlockingStub(channel);
    this.audit = AuditServiceGrpc.newBlockingStub(channel);
  }

  /**
   * Connects over TLS, trusting only the given certificate (the one the service made in its data
   * directory); the service id is derived from that certificate.
   *
   * @param target {@code HOST:PORT}
   * @param certificate the pinned PEM certificate
   */
  public static ZkmClient connectTls(String target, Path certificate) throws IOException {
    ChannelCredentials creds =
        TlsChannelCredentials.newBuilder().trustManager(certificate.toFile()).build();
    ManagedChannel ch =
        Grpc.newChannelBuilder(target, creds)
            .maxInboundMessageSize(16 << 20)
            .intercept(new ExplainingInterceptor(target, true))
            .build();
    return new ZkmClient(ch, ServiceIdentity.serviceIdOf(certificate), true);
  }

  /**
   * Connects without TLS (only for a service listening on loopback in plaintext mode). Requests are
   * still signed for the service id of {@code certificate}, which the service made even in
   * plaintext mode.
   */
  public static ZkmClient connectPlaintext(String target, Path certificate) throws IOException {
    ManagedChannel ch =
        Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
            .maxInboundMessageSize(16 << 20)
            .intercept(new ExplainingInterceptor(target, false))
            .build();
    return new ZkmClient(ch, ServiceIdentity.serviceIdOf(certificate), true);
  }

  /** The service id requests are signed for. */
  public String serviceId() {
    return serviceId;
  }

  /** The underlying channel. */
  public ManagedChannel channel() {
    return channel;
  }

  /**
   * Asks the service for a health proof and waits for it.
   *
   * @param accountId the account, {@code >= 0}
   * @param thresholdBps the threshold, basis points of maintenance margin, in [1, 1000000]
   * @param signer signs with the account owner's key, for this service
   * @param deadline how long to wait at most (the call fails with DEADLINE_EXCEEDED after it)
   * @param progress receives every stream message (QUEUED, WITNESS, PROVING, DONE); may be null
   * @return the proof
   * @throws StatusRuntimeException with the service's status on failure
   */
  public ProofFile proveHealth(
      long accountId,
      long thresholdBps,
      RequestSigner signer,
      Duration deadline,
      Consumer<ProveHealthResponse> progress) {
    return proveHealth(signedProveRequest(accountId, thresholdBps, signer), deadline, progress);
  }

  /**
   * A signed ProveHealth request, valid for {@link RequestSigner#DEFAULT_VALIDITY}. A request
   * refused with RESOURCE_EXHAUSTED or FAILED_PRECONDITION did no work and may be sent again as is
   * (its nonce is not consumed), which costs no new signature.
   */
  public static ProveHealthRequest signedProveRequest(
      long accountId, long thresholdBps, RequestSigner signer) {
    return ProveHealthRequest.newBuilder()
        .setAccountId(accountId)
        .setThresholdBps((int) thresholdBps)
        .setAuth(
            signer.sign(
                HealthServiceGrpc.getProveHealthMethod().getFullMethodName(),
                accountId,
                thresholdBps,
                RequestSigner.DEFAULT_VALIDITY))
        .build();
  }

  /**
   * Sends a signed ProveHealth request (see {@link #signedProveRequest}) and waits for the proof.
   *
   * @param req the signed request
   * @param deadline how long to wait at most (the call fails with DEADLINE_EXCEEDED after it)
   * @param progress receives every stream message; may be null
   * @return the proof
   * @throws StatusRuntimeException with the service's status on failure
   */
  public ProofFile proveHealth(
      ProveHealthRequest req, Duration deadline, Consumer<ProveHealthResponse> progress) {
    Iterator<ProveHealthResponse> it =
        health.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).proveHealth(req);
    ProofFile proof = null;
    while (it.hasNext()) {
      ProveHealthResponse r = it.next();
      if (progress != null) {
        progress.accept(r);
      }
      if (r.getStage() == ProveHealthResponse.Stage.STAGE_DONE) {
        proof = ProtoConvert.fromProto(r.getProof());
      }
    }
    if (proof == null) {
      throw new IllegalStateException("the service ended the stream without a proof");
    }
    return proof;
  }

  /** The account's margin report (signed with the owner's key). */
  public AccountMargin getAccountMargin(long accountId, RequestSigner signer, Duration deadline) {
    return health
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getAccountMargin(
            GetAccountMarginRequest.newBuilder()
                .setAccountId(accountId)
                .setAuth(
                    signer.sign(
                        HealthServiceGrpc.getGetAccountMarginMethod().getFullMethodName(),
                        accountId,
                        0,
                        RequestSigner.DEFAULT_VALIDITY))
                .build());
  }

  /** Asks the service to verify a proof. */
  public VerifyProofResponse verifyProof(ProofFile proof, Duration deadline) {
    return audit
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .verifyProof(VerifyProofRequest.newBuilder().setProof(ProtoConvert.toProto(proof)).build());
  }

  /** The verifying key with the given hash. */
  public VerifyingKey getVerifyingKeyByHash(String verifyingKeyHash, Duration deadline) {
    return audit
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getVerifyingKey(
            GetVerifyingKeyRequest.newBuilder().setVerifyingKeyHash(verifyingKeyHash).build());
  }

  /** The current state root. */
  public StateRoot getStateRoot(Duration deadline) {
    return audit
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getStateRoot(GetStateRootRequest.getDefaultInstance());
  }

  /** The current risk root. */
  public RiskRoot getRiskRoot(Duration deadline) {
    return audit
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getRiskRoot(GetRiskRootRequest.getDefaultInstance());
  }

  /**
   * Says what an UNAVAILABLE "io exception" of the transport means, from the exception behind it:
   * nothing listens at the target (connection refused), the server speaks TLS to a plaintext
   * client, the server does not speak TLS to a TLS client, or the TLS handshake failed (e.g. a
   * certificate that is not the pinned one). Other statuses are returned unchanged.
   *
   * @param status a call's status
   * @param target the {@code HOST:PORT} the client connects to
   * @param tls whether the client uses TLS
   * @return the status with a description that names the cause (the original one appended)
   */
  public static Status explain(Status status, String target, boolean tls) {
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return status;
    }
    String why = null;
    for (Throwable t = status.getCause(); t != null && why == null; t = t.getCause()) {
      String name = t.getClass().getSimpleName();
      String msg = String.valueOf(t.getMessage());
      if (t instanceof java.net.ConnectException) {
        why =
            "nothing listens at "
                + target
                + " (connection refused): is the service running on that port?";
      } else if (name.equals("NotSslRecordException")) {
        why =
            "the server at "
                + target
                + " does not speak TLS (a plaintext service?): connect in plaintext";
      } else if (t instanceof javax.net.ssl.SSLException) {
        why =
            "the TLS handshake with "
                + target
                + " failed (is the pinned certificate the service's?): "
                + msg;
      } else if (name.equals("Http2Exception") && !tls && msg.contains("not SETTINGS")) {
        why =
            "the server at "
                + target
                + " did not answer plaintext HTTP/2: it probably speaks TLS; connect with TLS";
      } else if (!tls && msg.contains("Connection reset")) {
        // a TLS server may also reset the connection on a plaintext preface (which of the two a
        // client sees depends on timing): the connection was made, so something listens there
        why =
            "the server at "
                + target
                + " reset the plaintext HTTP/2 connection: it probably speaks TLS; connect with TLS";
      }
    }
    // a TLS server drops a plaintext HTTP/2 preface without an answer: the connection was made
    // (else the
    // cause would be "connection refused") but closed before any HTTP/2 frame came back
    String d = String.valueOf(status.getDescription());
    if (why == null
        && !tls
        && (d.contains("Network closed for unknown reason") || d.contains("not SETTINGS"))) {
      why =
          "the server at "
              + target
              + " closed the connection without answering plaintext HTTP/2: it probably"
              + " speaks TLS; connect with TLS";
    }
    if (why == null) {
      return status;
    }
    return status.withDescription(why + " [" + status.getDescription() + "]");
  }

  /** Rewrites the transport's UNAVAILABLE descriptions with {@link #explain}. */
  private static final class ExplainingInterceptor implements ClientInterceptor {
    private final String target;
    private final boolean tls;

    ExplainingInterceptor(String target, boolean tls) {
      this.target = target;
      this.tls = tls;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(
              new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onClose(Status status, Metadata trailers) {
                  super.onClose(explain(status, target, tls), trailers);
                }
              },
              headers);
        }
      };
    }
  }

  @Override
  public void close() {
    if (ownsChannel) {
      channel.shutdown();
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        channel.shutdownNow();
      }
    }
  }
}
