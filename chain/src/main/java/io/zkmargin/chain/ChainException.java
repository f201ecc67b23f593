package io.zkmargin.chain;

/**
 * A chain call failed: a revert (with the contract's decoded custom error when known) or a node
 * error.
 */
public final class ChainException extends RuntimeException {
  private final String errorName;

  public ChainException(String message, String errorName) {
    super(message);
    this.errorName = errorName;
  }

  public ChainException(String message, Throwable cause) {
    super(message, cause);
    this.errorName = null;
  }

  /**
   * The contract's custom error name (e.g. {@code StaleEpoch}) when the call reverted with one,
   * else null.
   */
  public String errorName() {
    return errorName;
  }
}
