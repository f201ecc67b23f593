package io.zkmargin.risk.product;

/** Call or put. */
public enum OptionType {
  /** Right to buy at the strike: pays max(S - K, 0). */
  CALL,
  /** Right to sell at the strike: pays max(K - S, 0). */
  PUT;

  /** +1 for a call, -1 for a put. */
  public int sign() {
    return this == CALL ? 1 : -1;
  }
}
