package io.zkmargin.risk.product;

import io.zkmargin.risk.util.ArgChecker;

/**
 * A tradable instrument of the venue, held in signed whole lots. Products carry terms only; prices,
 * volatilities and funding live in the market data ({@link io.zkmargin.risk.market.OracleEpoch}).
 */
public sealed interface Instrument permits PerpetualFuture, EuropeanOption {
  /** Instrument id, the leaf index in the risk vector's instrument tree, {@code >= 0}. */
  int id();

  /** Symbol of the underlying, e.g. {@code BTC}; its spot comes from the oracle epoch. */
  String underlying();

  /**
   * Lot size: units of the underlying per lot at scale 10^18 (e.g. 10^15 = 0.001 BTC), {@code > 0}.
   */
  long lotSize();

  /** Checks the common terms at the door. */
  static void checkCommon(int id, String underlying, long lotSize) {
    ArgChecker.notNegative(id, "instrument id");
    if (underlying == null || underlying.isBlank()) {
      throw new IllegalArgumentException("underlying must be a non-empty symbol");
    }
    if (lotSize <= 0) {
      throw new IllegalArgumentException(
          "lot size must be > 0 (units of underlying x 1e18), was " + lotSize);
    }
  }
}
