package io.zkmargin.grpc.server;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.risk.analytics.UnderlyingGreeks;
import io.zkmargin.risk.margin.MarginSummary;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * What the gRPC service needs from the venue and the prover. The service never touches native code
 * or venue files itself: {@link VenueBackend} implements this over the venue state, the Java prover
 * and the key store.
 */
public interface HealthProofBackend extends AutoCloseable {

  /** The circuit sizes of the served venue (account ids are in {@code [0, 2^stateDepth)}). */
  CircuitSizes sizes();

  /** The account's leaf, or empty when the venue holds no such account. */
  Optional<AccountLeaf> account(long accountId);

  /** Number of non-empty accounts. */
  long accountCount();

  /** The current state root, in {@code [0, r)}. */
  BigInteger stateRoot();

  /** The current risk root, in {@code [0, r)}. */
  BigInteger riskRoot();

  /** The oracle epoch of the current risk vector, {@code >= 0}. */
  long epoch();

  /**
   * Proves that the account's equity is at least {@code thresholdBps / 10^4} times its maintenance
   * margin. Calls {@code progress} when the witness is being built and when the prover starts; the
   * callback may throw {@link java.util.concurrent.CancellationException} to abandon the job
   * between stages.
   *
   * @throws NotHealthyException when the account is not healthy enough (no proof exists)
   * @throws IllegalArgumentException for an unknown account or a threshold outside [1, {@link
   *     io.zkmargin.commit.HealthWitness#CIRCUIT_MAX_THRESHOLD_BPS}]
   */
  ProofFile prove(long accountId, long thresholdBps, Progress progress) throws NotHealthyException;

  /**
   * Records an accepted request durably before the service acknowledges it (its first answer): a
   * backend on a database commits the request's job here, so that a crash after the acknowledgement
   * loses nothing. The default (a backend without durable jobs) records nothing.
   *
   * @param requestKey the request's identity (its signed account, nonce, expiry and threshold): the
   *     same request recorded twice is one job
   * @throws IllegalStateException when the request cannot be recorded (it must then be refused)
   */
  default void accept(String requestKey, long accountId, long thresholdBps) {}

  /**
   * Gives up a request {@link #accept accepted} but refused before any work (queue full, quota):
   * its job is cancelled while still queued. The default does nothing.
   */
  default void abandon(String requestKey) {}

  /**
   * Proves the request recorded by {@link #accept} under {@code requestKey} (its one result: a
   * second call for the same key returns the same proof). The default ignores the key.
   */
  default ProofFile prove(String requestKey, long accountId, long thresholdBps, Progress progress)
      throws NotHealthyException {
    return prove(accountId, thresholdBps, progress);
  }

  /** Verifies a proof offline against the pinned verifying keys; never throws for a bad proof. */
  Verdict verify(ProofFile proof);

  /** The verifying key of a circuit id, or empty when unknown. */
  Optional<VerifyingKeyData> verifyingKeyByCircuitId(String circuitId);

  /**
   * The verifying key with a given hash (64 lower-case hex characters), or empty when none is
   * pinned.
   */
  Optional<VerifyingKeyData> verifyingKeyByHash(String verifyingKeyHash);

  /** The account's margin report at the current state. */
  MarginFigures margin(long accountId);

  @Override
  void close();

  /** Stage callbacks of one proving job. */
  interface Progress {
    /** The witness is being assembled. */
    void witness();

    /** The Groth16 prover starts. */
    void proving();
  }

  /** Verdict of {@link #verify}. */
  record Verdict(boolean valid, String message) {}

  /**
   * A verifying key and its hash (lower-case hex SHA-256 of {@code keyData}).
   *
   * @param setup the key's provenance ({@link io.zkmargin.prover.KeyStore.KeyEntry#provenance()})
   */
  record VerifyingKeyData(
      String circuitId, String verifyingKeyHash, byte[] keyData, String setup) {}

  /**
   * One account's margin figures: the risk model's margin summary (quote atoms) and the net Greeks
   * per underlying (empty when the instruments' definitions are not known).
   */
  record MarginFigures(MarginSummary margin, List<UnderlyingGreeks> greeks) {
    public MarginFigures {
      greeks = List.copyOf(greeks);
    }
  }
}
