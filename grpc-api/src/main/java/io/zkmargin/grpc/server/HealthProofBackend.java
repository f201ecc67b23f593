package io.zkmargin.grpc.server;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.ProofFile;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * What the gRPC service needs from the venue and the prover. The service never touches native code or
 * venue files itself: {@link VenueBackend} implements this over the venue state, the Java prover and the
 * key store.
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
   * Proves that the account's equity is at least {@code thresholdBps / 10^4} times its maintenance margin.
   * Calls {@code progress} when the witness is being built and when the prover starts; the callback may
   * throw {@link java.util.concurrent.CancellationException} to abandon the job between stages.
   *
   * @throws NotHealthyException when the account is not healthy enough (no proof exists)
   * @throws IllegalArgumentException for an unknown account or a threshold outside [1, 2^32)
   */
  ProofFile prove(long accountId, long thresholdBps, Progress progress) throws NotHealthyException;

  /** Verifies a proof offline against the pinned verifying keys; never throws for a bad proof. */
  Verdict verify(ProofFile proof);

  /** The verifying key of a circuit id, or empty when unknown. */
  Optional<VerifyingKeyData> verifyingKeyByCircuitId(String circuitId);

  /** The verifying key with a given hash (64 lower-case hex characters), or empty when none is pinned. */
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

  /** Thrown when the account is not healthy enough at the threshold: no true statement to prove. */
  final class NotHealthyException extends Exception {
    public NotHealthyException(String message) {
      super(message);
    }
  }

  /** Verdict of {@link #verify}. */
  record Verdict(boolean valid, String message) {}

  /** A verifying key and its hash (lower-case hex SHA-256 of {@code keyData}). */
  record VerifyingKeyData(String circuitId, String verifyingKeyHash, byte[] keyData) {}

  /**
   * One account's margin figures. Amounts in quote atoms (6 decimals).
   *
   * @param equityQuoteAtoms equity, rounded down, signed
   * @param initialMarginQuoteAtoms initial margin, rounded up, {@code >= 0}
   * @param maintenanceMarginQuoteAtoms maintenance margin, rounded up, {@code >= 0}
   * @param healthRatioBps equity / MM in basis points, rounded down (0 when equity <= 0 or MM is 0)
   * @param maintenanceMarginZero true when MM is 0
   * @param liquidatable true when equity < MM
   * @param greeks net Greeks per underlying
   */
  record MarginFigures(long equityQuoteAtoms, long initialMarginQuoteAtoms, long maintenanceMarginQuoteAtoms,
      long healthRatioBps, boolean maintenanceMarginZero, boolean liquidatable, List<Greeks> greeks) {}

  /**
   * Net Greeks of one underlying (see {@code UnderlyingGreeks} in the proto for units): quote units are
   * whole units of the quote asset, not atoms.
   */
  record Greeks(String underlying, double spot, double delta, double deltaValue, double gamma,
      double gammaValue1Pct, double vega, double theta, double vanna, double charm) {}
}
