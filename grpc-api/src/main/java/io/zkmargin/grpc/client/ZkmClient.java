package io.zkmargin.grpc.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
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
 * ({@link RequestSigner}); auditor calls need nothing. Thread-safe; close it to release the channel.
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
    ChannelCredentials creds = TlsChannelCredentials.newBuilder().trustManager(certificate.toFile()).build();
    ManagedChannel ch = Grpc.newChannelBuilder(target, creds)
        .maxInboundMessageSize(16 << 20).build();
    return new ZkmClient(ch, ServiceIdentity.serviceIdOf(certificate), true);
  }

  /**
   * Connects without TLS (only for a service listening on loopback in plaintext mode). Requests are still
   * signed for the service id of {@code certificate}, which the service made even in plaintext mode.
   */
  public static ZkmClient connectPlaintext(String target, Path certificate) throws IOException {
    ManagedChannel ch = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
        .maxInboundMessageSize(16 << 20).build();
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
  public ProofFile proveHealth(long accountId, long thresholdBps, RequestSigner signer, Duration deadline,
      Consumer<ProveHealthResponse> progress) {
    ProveHealthRequest req = ProveHealthRequest.newBuilder()
        .setAccountId(accountId)
        .setThresholdBps((int) thresholdBps)
        .setAuth(signer.sign(HealthServiceGrpc.getProveHealthMethod().getFullMethodName(), accountId, thresholdBps,
            RequestSigner.DEFAULT_VALIDITY))
        .build();
    Iterator<ProveHealthResponse> it = health.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .proveHealth(req);
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
    return health.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).getAccountMargin(
        GetAccountMarginRequest.newBuilder().setAccountId(accountId)
            .setAuth(signer.sign(HealthServiceGrpc.getGetAccountMarginMethod().getFullMethodName(), accountId, 0,
                RequestSigner.DEFAULT_VALIDITY))
            .build());
  }

  /** Asks the service to verify a proof. */
  public VerifyProofResponse verifyProof(ProofFile proof, Duration deadline) {
    return audit.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .verifyProof(VerifyProofRequest.newBuilder().setProof(ProtoConvert.toProto(proof)).build());
  }

  /** The verifying key with the given hash. */
  public VerifyingKey getVerifyingKeyByHash(String verifyingKeyHash, Duration deadline) {
    return audit.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getVerifyingKey(GetVerifyingKeyRequest.newBuilder().setVerifyingKeyHash(verifyingKeyHash).build());
  }

  /** The current state root. */
  public StateRoot getStateRoot(Duration deadline) {
    return audit.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getStateRoot(GetStateRootRequest.getDefaultInstance());
  }

  /** The current risk root. */
  public RiskRoot getRiskRoot(Duration deadline) {
    return audit.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getRiskRoot(GetRiskRootRequest.getDefaultInstance());
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
