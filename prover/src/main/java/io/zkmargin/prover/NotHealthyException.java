package io.zkmargin.prover;

/**
 * The account is not healthy enough for the requested threshold, so no proof is made (a true proof of a
 * false statement cannot exist; the prover refuses before spending time on it).
 */
public final class NotHealthyException extends Exception {
  private final long accountId;
  private final long thresholdBps;

  public NotHealthyException(long accountId, long thresholdBps, String detail) {
    super("account " + accountId + " is not healthy at " + HealthProver.thresholdAsMultiple(thresholdBps)
        + " x maintenance margin: " + detail);
    this.accountId = accountId;
    this.thresholdBps = thresholdBps;
  }

  public long accountId() {
    return accountId;
  }

  public long thresholdBps() {
    return thresholdBps;
  }
}
