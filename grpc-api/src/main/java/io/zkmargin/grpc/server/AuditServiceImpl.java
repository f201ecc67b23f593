package io.zkmargin.grpc.server;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.AuditServiceGrpc;
import io.zkmargin.api.v1.GetRiskRootRequest;
import io.zkmargin.api.v1.GetStateRootRequest;
import io.zkmargin.api.v1.GetVerifyingKeyRequest;
import io.zkmargin.api.v1.RiskRoot;
import io.zkmargin.api.v1.StateRoot;
import io.zkmargin.api.v1.VerifyProofRequest;
import io.zkmargin.api.v1.VerifyProofResponse;
import io.zkmargin.api.v1.VerifyingKey;
import io.zkmargin.grpc.ProtoConvert;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerdict;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.SettledRoots;
import java.math.BigInteger;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code zkmargin.v1.AuditService}: public data only, no authentication. {@code VerifyProof}
 * answers VALID only for a proof that verifies over the served venue's state root and risk root
 * ({@link ProofVerdict}); its answers never name the server's files.
 */
public final class AuditServiceImpl extends AuditServiceGrpc.AuditServiceImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(AuditServiceImpl.class);

  private final HealthProofBackend backend;

  public AuditServiceImpl(HealthProofBackend backend) {
    this.backend = backend;
  }

  @Override
  public void verifyProof(VerifyProofRequest req, StreamObserver<VerifyProofResponse> obs) {
    if (!req.hasProof()) {
      obs.onError(Status.INVALID_ARGUMENT.withDescription("proof is required").asException());
      return;
    }
    ProofFile proof;
    try {
      proof = ProtoConvert.fromProto(req.getProof());
    } catch (IllegalArgumentException e) {
      obs.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
      return;
    }
    // the circuit of the key actually used, never the id the request claims; empty when no key is
    // pinned
    Optional<HealthProofBackend.VerifyingKeyData> key =
        backend.verifyingKeyByHash(proof.verifyingKeyHash());
    HealthProofBackend.Verdict v = backend.verify(proof);
    ProofVerifier.Verdict check = new ProofVerifier.Verdict(v.valid(), v.message());
    if (key.isEmpty() && !v.valid()) {
      // the verifier's message names the key directory: a server detail for the log, not for
      // callers
      LOG.atWarn()
          .addKeyValue("verifyingKeyHash", proof.verifyingKeyHash())
          .addKeyValue("detail", v.message())
          .log("audit.unknown_key");
      check = new ProofVerifier.Verdict(false, "unknown verifying key " + proof.verifyingKeyHash());
    }
    ProofVerdict verdict =
        ProofVerdict.of(
            proof,
            check,
            SettledRoots.of(
                "the served venue", backend.stateRoot(), backend.riskRoot(), backend.epoch()));
    VerifyProofResponse.Builder b =
        VerifyProofResponse.newBuilder()
            .setValid(verdict.kind() == ProofVerdict.Kind.VALID)
            .setVerdict(
                switch (verdict.kind()) {
                  case VALID -> VerifyProofResponse.Verdict.VERDICT_VALID;
                  case UNSETTLED_ROOTS ->
                      VerifyProofResponse.Verdict.VERDICT_VALID_PROOF_UNKNOWN_ROOTS;
                  case INVALID, ROOTS_NOT_CHECKED ->
                      VerifyProofResponse.Verdict.VERDICT_INVALID; // roots are always checked here
                })
            .setReason(verdict.kind() == ProofVerdict.Kind.VALID ? "" : verdict.message())
            .setCircuitId(key.map(HealthProofBackend.VerifyingKeyData::circuitId).orElse(""))
            .setSetup(key.map(HealthProofBackend.VerifyingKeyData::setup).orElse(""));
    if (proof.publicInputs().size() == 3) {
      BigInteger packed = proof.publicInputs().get(2);
      if (packed.bitLength() <= 32 + 63) {
        b.setAccountId(packed.shiftRight(32).longValue())
            .setThresholdBps((int) proof.healthThresholdBps());
      }
      b.setStateRootCurrent(proof.publicInputs().get(0).equals(backend.stateRoot()));
      b.setRiskRootCurrent(proof.publicInputs().get(1).equals(backend.riskRoot()));
    }
    obs.onNext(b.build());
    obs.onCompleted();
  }

  @Override
  public void getVerifyingKey(GetVerifyingKeyRequest req, StreamObserver<VerifyingKey> obs) {
    boolean byId = !req.getCircuitId().isEmpty();
    boolean byHash = !req.getVerifyingKeyHash().isEmpty();
    if (byId == byHash) {
      obs.onError(
          Status.INVALID_ARGUMENT
              .withDescription("set exactly one of circuit_id and verifying_key_hash")
              .asException());
      return;
    }
    Optional<HealthProofBackend.VerifyingKeyData> key;
    if (byId) {
      if (req.getCircuitId().length() > ProtoConvert.MAX_CIRCUIT_ID_CHARS) {
        obs.onError(
            Status.INVALID_ARGUMENT
                .withDescription(
                    "circuit_id is longer than "
                        + ProtoConvert.MAX_CIRCUIT_ID_CHARS
                        + " characters")
                .asException());
        return;
      }
      key = backend.verifyingKeyByCircuitId(req.getCircuitId());
    } else {
      if (!req.getVerifyingKeyHash().matches("[0-9a-f]{64}")) {
        obs.onError(
            Status.INVALID_ARGUMENT
                .withDescription("verifying_key_hash must be 64 lower-case hex characters")
                .asException());
        return;
      }
      key = backend.verifyingKeyByHash(req.getVerifyingKeyHash());
    }
    if (key.isEmpty()) {
      obs.onError(
          Status.NOT_FOUND
              .withDescription(
                  "no verifying key for "
                      + (byId
                          ? "circuit " + req.getCircuitId()
                          : "hash " + req.getVerifyingKeyHash()))
              .asException());
      return;
    }
    obs.onNext(
        VerifyingKey.newBuilder()
            .setCircuitId(key.get().circuitId())
            .setVerifyingKeyHash(key.get().verifyingKeyHash())
            .setKeyData(ByteString.copyFrom(key.get().keyData()))
            .build());
    obs.onCompleted();
  }

  @Override
  public void getStateRoot(GetStateRootRequest req, StreamObserver<StateRoot> obs) {
    obs.onNext(
        StateRoot.newBuilder()
            .setRoot(backend.stateRoot().toString())
            .setDepth(backend.sizes().stateDepth())
            .setAccountCount(backend.accountCount())
            .build());
    obs.onCompleted();
  }

  @Override
  public void getRiskRoot(GetRiskRootRequest req, StreamObserver<RiskRoot> obs) {
    obs.onNext(
        RiskRoot.newBuilder()
            .setRoot(backend.riskRoot().toString())
            .setEpoch(backend.epoch())
            .build());
    obs.onCompleted();
  }
}
