package io.zkmargin.dac;

import io.grpc.Status;

/**
 * A batch a committee member (or an auditor's replay) does not accept, naming the check that
 * failed. A refused batch changes nothing.
 */
public final class BatchRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The checks of docs/BATCH.md a batch goes through, in the order a member runs them. */
  public enum Check {
    /** The document does not parse, is too large, or a value is out of its range. */
    DOCUMENT(Status.Code.INVALID_ARGUMENT),
    /** The circuit id's sizes are not the member's, or N / R do not match the arrays. */
    CIRCUIT_SIZES(Status.Code.INVALID_ARGUMENT),
    /** The batch is not the member's next one. */
    BATCH_NUMBER(Status.Code.FAILED_PRECONDITION),
    /** A batch of that number is stored with other data. */
    CONFLICT(Status.Code.FAILED_PRECONDITION),
    /** {@code oldRoot} is not the member's current root. */
    OLD_ROOT(Status.Code.FAILED_PRECONDITION),
    /** {@code depositHeadBefore} is not the member's deposit queue head. */
    DEPOSIT_HEAD_BEFORE(Status.Code.FAILED_PRECONDITION),
    /** {@code batchTime} is beyond 2^40 or before the previous batch's. */
    BATCH_TIME(Status.Code.ABORTED),
    /** {@code dataHash} is not the hash of the slots' data. */
    DATA_HASH(Status.Code.ABORTED),
    /** {@code compress(instrumentsRoot, globalsHash)} is not {@code riskRoot}. */
    RISK_ROOT(Status.Code.ABORTED),
    /** A risk table row is not in the instrument tree of {@code instrumentsRoot}. */
    RISK_ROW(Status.Code.ABORTED),
    /** A transition does not replay on the member's ledger (the ledger's rule is named). */
    TRANSITION(Status.Code.ABORTED),
    /** The replayed state root is not {@code newRoot}. */
    NEW_ROOT(Status.Code.ABORTED),
    /** The replayed withdrawal list does not hash to {@code withdrawalsHash}. */
    WITHDRAWALS_HASH(Status.Code.ABORTED),
    /** The replayed deposits do not lead to {@code depositHeadAfter}. */
    DEPOSIT_HEAD_AFTER(Status.Code.ABORTED),
    /**
     * The replayed request list (liquidations, forced withdrawals paid or refused) does not hash to
     * {@code requestsHash}.
     */
    REQUESTS_HASH(Status.Code.ABORTED),
    /**
     * A liquidation slot does not replay: the ledger refuses it (its rule named), or the slot's
     * witness fields ({@code liqPos}, {@code scenario}, a no-op's data) are not the replay's.
     */
    LIQUIDATION(Status.Code.ABORTED),
    /**
     * A forced-withdrawal request slot (kind 8 paid, 9 refused) disagrees with the ledger: paid
     * though the ledger refuses it (its rule named), refused though the ledger pays it, or a field
     * out of range or not 0 where the kind reads none.
     */
    FORCED_WITHDRAWAL(Status.Code.ABORTED);

    private final Status.Code code;

    Check(Status.Code code) {
      this.code = code;
    }

    /** The gRPC status code a refusal of this check is answered with. */
    public Status.Code code() {
      return code;
    }
  }

  private final Check check;

  /**
   * @param check the check that failed
   * @param message what failed, with the values
   */
  public BatchRefusedException(Check check, String message) {
    super(check + ": " + message);
    this.check = check;
  }

  /** The check that failed. */
  public Check check() {
    return check;
  }
}
