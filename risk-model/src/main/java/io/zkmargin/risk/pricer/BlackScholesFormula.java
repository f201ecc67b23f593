package io.zkmargin.risk.pricer;

import io.zkmargin.risk.product.OptionType;

/**
 * The double-precision reference: Black-Scholes-Merton price and Greeks with continuous rate {@code
 * r} and yield {@code q} (Black-76 on a forward F with discount D is {@code S = F}, {@code r = q =
 * -ln(D)/T}, which gives the forward delta times D of {@link BlackFixed}; {@code S = F D}, {@code q
 * = 0} gives the same price only). Validated against textbook values (Hull); the fixed-point {@link
 * BlackFixed} is validated against it. Stateless; use {@link #DEFAULT}.
 */
public final class BlackScholesFormula {
  /** The shared stateless instance. */
  public static final BlackScholesFormula DEFAULT = new BlackScholesFormula();

  private BlackScholesFormula() {}

  /**
   * Price and Greeks of a long option on one unit of the underlying.
   *
   * @param type call or put
   * @param spot spot price, {@code > 0}
   * @param strike strike, {@code > 0}, same unit as spot
   * @param years time to expiry in years, {@code >= 0} (0 gives intrinsic value and zero time
   *     Greeks)
   * @param vol annualized volatility as a fraction, {@code >= 0}
   * @param rate continuously compounded risk-free rate, per year
   * @param yield continuously compounded dividend/convenience yield, per year
   * @return price and Greeks in the units of {@link OptionGreeks}
   */
  public OptionGreeks greeks(
      OptionType type,
      double spot,
      double strike,
      double years,
      double vol,
      double rate,
      double yield) {
    if (!(spot > 0) || !(strike > 0) || !(years >= 0) || !(vol >= 0) || type == null) {
      throw new IllegalArgumentException(
          "need spot > 0, strike > 0, years >= 0, vol >= 0, type; got "
              + spot
              + ", "
              + strike
              + ", "
              + years
              + ", "
              + vol
              + ", "
              + type);
    }
    int w = type.sign();
    double dq = Math.exp(-yield * years);
    double dr = Math.exp(-rate * years);
    double sd = vol * Math.sqrt(years);
    if (sd == 0) {
      double fwd = spot * dq / dr;
      double intrinsic = Math.max(w * (fwd - strike), 0) * dr;
      // N(d1) at expiry: 1 in the money, 0 out of it, 1/2 at the money (the limit of d1 = sd / 2 ->
      // 0), the same
      // convention as BlackFixed.delta, so call minus put delta stays dq (put-call parity) at the
      // money too
      double n1 = fwd > strike ? 1 : fwd == strike ? 0.5 : 0;
      double delta = type == OptionType.CALL ? dq * n1 : dq * (n1 - 1);
      return new OptionGreeks(intrinsic, delta, 0, 0, 0, 0, 0);
    }
    double d1 = (Math.log(spot / strike) + (rate - yield + 0.5 * vol * vol) * years) / sd;
    double d2 = d1 - sd;
    double nd1 = cdf(w * d1);
    double nd2 = cdf(w * d2);
    double pdf1 = pdf(d1);
    double price = w * (spot * dq * nd1 - strike * dr * nd2);
    double delta = w * dq * nd1;
    double gamma = dq * pdf1 / (spot * sd);
    double vega = spot * dq * pdf1 * Math.sqrt(years);
    double theta =
        -spot * dq * pdf1 * vol / (2 * Math.sqrt(years))
            - w * rate * strike * dr * nd2
            + w * yield * spot * dq * nd1;
    double vanna = -dq * pdf1 * d2 / vol;
    double charm =
        w * yield * dq * nd1
            - dq * pdf1 * (2 * (rate - yield) * years - d2 * sd) / (2 * years * sd);
    return new OptionGreeks(price, delta, gamma, vega, theta, vanna, charm);
  }

  /** Standard normal density. */
  public static double pdf(double x) {
    return Math.exp(-0.5 * x * x) * 0.3989422804014327;
  }

  /**
   * Standard normal distribution function, absolute error below 1e-15 (Marsaglia's series for |x|
   * &lt; 7, continued fraction beyond).
   */
  public static double cdf(double x) {
    if (x < -38) {
      return 0;
    }
    if (x > 38) {
      return 1;
    }
    double ax = Math.abs(x);
    if (ax < 7) {
      double s = x;
      double t = 0;
      double b = x;
      double q = x * x;
      double i = 1;
      while (s != t) {
        t = s;
        i += 2;
        b *= q / i;
        s = t + b;
      }
      return 0.5 + s * Math.exp(-0.5 * q - 0.91893853320467274178);
    }
    // Q(x) = phi(x) / (x + 1/(x + 2/(x + 3/(x + ...))))
    double f = ax;
    for (int k = 60; k >= 1; k--) {
      f = ax + k / f;
    }
    double tail = pdf(ax) / f;
    return x < 0 ? tail : 1 - tail;
  }
}
