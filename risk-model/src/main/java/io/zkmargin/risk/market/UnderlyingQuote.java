package io.zkmargin.risk.market;

import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.fixed.Rounding;

/**
 * Oracle quote of one underlying: spot price and a simple volatility smile {@code vol(K) =
 * max(minVol, atmVol + skew * ln(K / spot))}.
 *
 * @param spot spot price in quote atoms per whole unit of the underlying, {@code > 0}
 * @param atmVol at-the-money implied volatility, annualized, scale 10^18 (0.6e18 = 60%), {@code >
 *     0}
 * @param skew change of implied vol per unit of log-moneyness, scale 10^18, any sign
 */
public record UnderlyingQuote(long spot, long atmVol, long skew) {
  /** Smallest implied volatility the smile returns: 1%. */
  public static final long MIN_VOL = Fixed.ONE / 100;

  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public UnderlyingQuote {
    if (spot <= 0) {
      throw new IllegalArgumentException("spot must be > 0 quote atoms per unit, was " + spot);
    }
    if (atmVol <= 0 || atmVol > 5 * Fixed.ONE) {
      throw new IllegalArgumentException("ATM vol must be in (0, 5] (scale 1e18), was " + atmVol);
    }
  }

  /**
   * Implied volatility for a strike, annualized at scale 10^18.
   *
   * @param strike strike in quote atoms per unit, {@code > 0}
   */
  public long impliedVol(long strike) {
    if (strike <= 0) {
      throw new IllegalArgumentException("strike must be > 0, was " + strike);
    }
    if (skew == 0) {
      return atmVol;
    }
    long v = atmVol + Fixed.mul(skew, Fixed.lnRatio(strike, spot), Rounding.NEAREST);
    return Math.max(MIN_VOL, v);
  }
}
