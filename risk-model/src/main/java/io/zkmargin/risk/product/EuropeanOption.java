package io.zkmargin.risk.product;

import io.zkmargin.risk.util.ArgChecker;

/**
 * A European option on an underlying, cash-settled in the quote asset at expiry.
 *
 * @param id instrument id, {@code >= 0}
 * @param underlying underlying symbol
 * @param type call or put
 * @param strike strike price in quote atoms per whole unit of the underlying, {@code > 0}
 * @param expirySeconds expiry as Unix time in seconds, {@code > 0}
 * @param lotSize units of the underlying per lot at scale 10^18, {@code > 0}
 */
public record EuropeanOption(
    int id, String underlying, OptionType type, long strike, long expirySeconds, long lotSize)
    implements Instrument {
  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public EuropeanOption {
    Instrument.checkCommon(id, underlying, lotSize);
    ArgChecker.notNull(type, "option type");
    if (strike <= 0) {
      throw new IllegalArgumentException("strike must be > 0 quote atoms per unit, was " + strike);
    }
    if (expirySeconds <= 0) {
      throw new IllegalArgumentException(
          "expiry must be a positive Unix time in seconds, was " + expirySeconds);
    }
  }
}
