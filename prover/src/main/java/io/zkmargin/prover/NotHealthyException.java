package io.zkmargin.prover;

/**
 * The account is not healthy enough for the requested threshold, so no proof is made (a true proof
 * of a false statement cannot exist; the prover refuses before spending time on it).
 */
public final class NotHealthyException extends Exception {
  private final long accountId;
  private final long thresholdBps;
  private final String detail;

  /**
   * @param accountId the account
   * @param thresholdBps the refused threshold, basis points of maintenance margin
   * @param detail why, e.g. the account's equity, margin and health ratio
   */
  public NotHealthyException(long accountId, long thresholdBps, String detail) {
    super(
        "account "
            + accountId
            + " is not healthy at "
            + HealthProver.thresholdAsMultiple(thresholdBps)
            + " x maintenance margin: "
            + detail);
    this.accountId = accountId;
    this.thresholdBps = thresholdBps;
    this.detail = detail;
  }

  /** The detail the message ends with (after the account and the threshold). */
  public String detail() {
    return detail;
  }

  public long accountId() {
    return accountId;
  }

  public long thresholdBps() {
    return thresholdBps;
  }
}
