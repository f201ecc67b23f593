package io.zkmargin.risk.pricer;

import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.fixed.Rounding;
import io.zkmargin.risk.product.OptionType;

/**
 * Black-76 in fixed point (scale 10^18): price, delta, gamma, vega, theta, vanna and charm of a
 * European option on a forward, pure integer arithmetic and hence bit-identical everywhere. This is
 * the pricer behind every number that enters the risk vector. Stateless; use {@link #DEFAULT}.
 *
 * <p>Inputs: forward F and strike K in any common integer price unit (quote atoms per underlying
 * unit), time to expiry in years and volatility at scale 10^18, discount factor D in (0, 1] at
 * scale 10^18. Domain: {@code vol * sqrt(T) <= 4}. Prices are normalized by {@code M = max(F, K)},
 * so they lie in [0, 1] and never overflow; d1, d2 saturate at +-9.1 where N is exactly 0 or 1.
 *
 * <p>Measured worst absolute error (sweep of moneyness 0.05..20, T 1e-7..3 years, vol 0.01%..200%,
 * both types): against a 50-digit decimal reference ({@code HighPrecisionBlackTest}) price/max(F,K)
 * 1.6e-18, delta 6.3e-18, vega/F 1.4e-17; against the {@code double} reference {@link
 * BlackScholesFormula} ({@code BlackFormulaTest}) 6.7e-16, 1.7e-15 and 1.5e-15, i.e. the double
 * reference's own error.
 *
 * <p>Theta/F, vanna and charm reach the edge of the representable range (about 9.2) and amplify the
 * ulp of their inputs (theta by {@code 1/sqrt(T)}, vanna by {@code 1/vol}, charm by {@code 1/T}),
 * so their errors are stated relative to {@code max(1, |x|)}, for charm to {@code max(1, |charm|,
 * 1e-4 / T)}. Documented bounds (same sweep, D = 1 and a 5% rate): against 50 digits theta/F 1e-14,
 * vanna 1e-14, charm 5e-14 (measured 3.0e-15, 4.4e-15, 2.0e-14); against the double reference
 * 2e-14, 2e-14 and 1e-13 (measured 8.8e-15, 4.4e-15, 3.1e-14).
 */
public final class BlackFixed {
  /** The shared stateless instance. */
  public static final BlackFixed DEFAULT = new BlackFixed();

  /**
   * The scale of {@link #gammaNormalized}: 10^15, three digits of range traded for precision (see
   * there).
   */
  public static final long GAMMA_SCALE = 1_000_000_000_000_000L;

  private static final long ONE = Fixed.ONE;
  private static final long D_SATURATED = 9_100_000_000_000_000_000L;
  private static final long MAX_STD_DEV = 4 * ONE;

  private BlackFixed() {}

  /**
   * Option value divided by {@code max(F, K)}, times the discount factor, scale 10^18, rounded to
   * nearest.
   *
   * @param type call or put
   * @param forward forward price, {@code > 0}
   * @param strike strike, {@code > 0}, same unit as the forward
   * @param years time to expiry in years, scale 10^18, {@code >= 0}
   * @param vol annualized volatility, scale 10^18, {@code >= 0}
   * @param discount discount factor to expiry, scale 10^18, in {@code (0, 10^18]}
   * @return normalized value in {@code [0, 10^18]}
   */
  public long normalizedPrice(
      OptionType type, long forward, long strike, long years, long vol, long discount) {
    long sd = check(type, forward, strike, years, vol, discount);
    long m = Math.max(forward, strike);
    long fm = Fixed.mulDiv(forward, ONE, m, Rounding.NEAREST);
    long km = Fixed.mulDiv(strike, ONE, m, Rounding.NEAREST);
    int w = type.sign();
    long undiscounted;
    if (sd == 0) {
      undiscounted = Math.max(0, w * (fm - km));
    } else {
      long ln = Fixed.lnRatio(forward, strike);
      long d1 = d(ln, sd, true);
      long d2 = d(ln, sd, false);
      long n1 = Fixed.normalCdf(w * d1);
      long n2 = Fixed.normalCdf(w * d2);
      undiscounted = Math.max(0, w * (Fixed.mul(fm, n1) - Fixed.mul(km, n2)));
    }
    return Fixed.mul(undiscounted, discount);
  }

  /**
   * Value of one lot in quote atoms (when F, K are quote atoms per unit), rounded as asked.
   *
   * @param type call or put
   * @param forward forward price, {@code > 0}
   * @param strike strike, {@code > 0}, same unit as the forward
   * @param years time to expiry in years, scale 10^18, {@code >= 0}
   * @param vol annualized volatility, scale 10^18, {@code >= 0}
   * @param discount discount factor to expiry, scale 10^18, in {@code (0, 10^18]}
   * @param lotSize underlying units per lot, scale 10^18, {@code > 0}
   * @param mode rounding of the final value (FLOOR for values that count for the holder, CEILING
   *     for charges)
   * @return value per lot, {@code >= 0}
   */
  public long pricePerLot(
      OptionType type,
      long forward,
      long strike,
      long years,
      long vol,
      long discount,
      long lotSize,
      Rounding mode) {
    if (lotSize <= 0) {
      throw new IllegalArgumentException("lot size must be > 0, was " + lotSize);
    }
    long sd = check(type, forward, strike, years, vol, discount);
    if (sd == 0) { // intrinsic value, exact up to the final rounding
      long intrinsic = Math.max(0, type.sign() * (forward - strike));
      return Fixed.mulDiv(Fixed.mulDiv(intrinsic, discount, ONE, mode), lotSize, ONE, mode);
    }
    long norm = normalizedPrice(type, forward, strike, years, vol, discount);
    long notionalPerLot = Fixed.mulDiv(Math.max(forward, strike), lotSize, ONE, Rounding.NEAREST);
    return Fixed.mulDiv(norm, notionalPerLot, ONE, mode);
  }

  /**
   * Value of one lot from precomputed {@code ln(F/K)} and standard deviation {@code vol * sqrt(T)}
   * (both scale 10^18), for callers that price many scenarios of one option (shared square root and
   * logarithm). Same result as {@link #pricePerLot} for the same inputs.
   *
   * @param lnForwardOverStrike {@code Fixed.lnRatio(forward, strike)}
   * @param stdDev {@code Fixed.mul(vol, Fixed.sqrt(years))}, in {@code [0, 4 * 10^18]}; 0 gives
   *     intrinsic value
   * @param type call or put
   * @param forward forward price, {@code > 0}
   * @param strike strike, {@code > 0}
   * @param discount discount factor, scale 10^18, in {@code (0, 10^18]}
   * @param lotSize underlying units per lot, scale 10^18, {@code > 0}
   * @param mode rounding of the final value
   * @return value per lot, {@code >= 0}
   */
  public long pricePerLotFromStdDev(
      OptionType type,
      long forward,
      long strike,
      long lnForwardOverStrike,
      long stdDev,
      long discount,
      long lotSize,
      Rounding mode) {
    if (type == null
        || forward <= 0
        || strike <= 0
        || stdDev < 0
        || stdDev > MAX_STD_DEV
        || discount <= 0
        || discount > ONE
        || lotSize <= 0) {
      throw new IllegalArgumentException(
          "need a type, forward > 0, strike > 0, 0 <= stdDev <= 4, discount in (0, 1],"
              + " lot > 0");
    }
    int w = type.sign();
    if (stdDev == 0) {
      long intrinsic = Math.max(0, w * (forward - strike));
      return Fixed.mulDiv(Fixed.mulDiv(intrinsic, discount, ONE, mode), lotSize, ONE, mode);
    }
    long m = Math.max(forward, strike);
    long fm = Fixed.mulDiv(forward, ONE, m, Rounding.NEAREST);
    long km = Fixed.mulDiv(strike, ONE, m, Rounding.NEAREST);
    long n1 = Fixed.normalCdf(w * d(lnForwardOverStrike, stdDev, true));
    long n2 = Fixed.normalCdf(w * d(lnForwardOverStrike, stdDev, false));
    long norm = Fixed.mul(Math.max(0, w * (Fixed.mul(fm, n1) - Fixed.mul(km, n2))), discount);
    long notionalPerLot = Fixed.mulDiv(m, lotSize, ONE, Rounding.NEAREST);
    return Fixed.mulDiv(norm, notionalPerLot, ONE, mode);
  }

  /**
   * Forward delta times discount, {@code D N(d1)} for a call and {@code D (N(d1) - 1)} for a put,
   * scale 10^18 (value change per unit of the underlying per unit change of the forward). At expiry
   * or zero vol, N(d1) is 1 in the money, 0 out of it and 1/2 at the money (the limit as {@code
   * sigma sqrt(T) -> 0}), so put-call parity {@code delta(call) - delta(put) = D} holds everywhere.
   *
   * @param type call or put
   * @param forward forward price, {@code > 0}
   * @param strike strike, {@code > 0}, same unit as the forward
   * @param years time to expiry in years, scale 10^18, {@code >= 0}
   * @param vol annualized volatility, scale 10^18, {@code >= 0}
   * @param discount discount factor to expiry, scale 10^18, in {@code (0, 10^18]}
   * @return the Greek at scale 10^18 as described
   */
  public long delta(
      OptionType type, long forward, long strike, long years, long vol, long discount) {
    long sd = check(type, forward, strike, years, vol, discount);
    long n1;
    if (sd == 0) {
      // at expiry (or zero vol) at the money the limit of N(d1) is 1/2 (d1 = sigma sqrt(T) / 2 ->
      // 0): calls 1/2,
      // puts -1/2, so call minus put delta stays D (put-call parity), as in BlackScholesFormula
      n1 = forward > strike ? ONE : forward == strike ? ONE / 2 : 0;
    } else {
      n1 = Fixed.normalCdf(d(Fixed.lnRatio(forward, strike), sd, true));
    }
    return Fixed.mul(type == OptionType.CALL ? n1 : n1 - ONE, discount);
  }

  /**
   * Vega divided by the forward, {@code D phi(d1) sqrt(T)}, scale 10^18: value change per unit of
   * underlying per 1.00 of vol, in units of the forward (multiply by F for the vega in price
   * units). Same for calls and puts.
   *
   * @param type call or put
   * @param forward forward price, {@code > 0}
   * @param strike strike, {@code > 0}, same unit as the forward
   * @param years time to expiry in years, scale 10^18, {@code >= 0}
   * @param vol annualized volatility, scale 10^18, {@code >= 0}
   * @param discount discount factor to expiry, scale 10^18, in {@code (0, 10^18]}
   * @return the Greek at scale 10^18 as described
   */
  public long vegaNormalized(
      OptionType type, long forward, long strike, long years, long vol, long discount) {
    long sd = check(type, forward, strike, years, vol, discount);
    if (sd == 0) {
      return 0;
    }
    long pdf = Fixed.normalPdf(d(Fixed.lnRatio(forward, strike), sd, true));
    return Fixed.mul(Fixed.mul(pdf, Fixed.sqrt(years)), discount);
  }

  /**
   * Gamma times the forward, {@code D phi(d1) / (sigma sqrt(T))}, at scale {@link #GAMMA_SCALE} =
   * 10^15 (not 10^18: gamma times F is {@code 0.399 / (sigma sqrt(T))} at the money, which passes
   * 9.2, the limit of a long at scale 10^18, as soon as {@code sigma sqrt(T) < 0.043}, e.g. 17 days
   * at 20% vol). Divide by F for the gamma per price unit squared. Same for calls and puts; 0 at
   * expiry or zero vol.
   *
   * @throws ArithmeticException if gamma times F exceeds the representable range (about 9,223 at
   *     scale 10^15: at the money when {@code sigma sqrt(T) < 4.3e-5}, i.e. within about 1.5
   *     seconds of expiry at 20% vol)
   * @param type call or put
   * @param forward forward price, {@code > 0}
   * @param strike strike, {@code > 0}, same unit as the forward
   * @param years time to expiry in years, scale 10^18, {@code >= 0}
   * @param vol annualized volatility, scale 10^18, {@code >= 0}
   * @param discount discount factor to expiry, scale 10^18, in {@code (0, 10^18]}
   * @return the Greek at scale 10^18 as described
   */
  public long gammaNormalized(
      OptionType type, long forward, long strike, long years, long vol, long discount) {
    long sd = check(type, forward, strike, years, vol, discount);
    if (sd == 0) {
      return 0;
    }
    long pdf = Fixed.normalPdf(d(Fixed.lnRatio(forward, strike), sd, true));
    return Fixed.mul(Fixed.mulDiv(pdf, GAMMA_SCALE, sd, Rounding.NEAREST), discount);
  }

  /**
   * Theta divided by the forward, scale 10^18, <b>per year</b> of calendar time passing (usually
   * negative): {@code -D phi(d1) sigma / (2 sqrt(T)) + r V / F} with the rate implied by the
   * discount factor, {@code r = -ln(D) / T} (held fixed as time passes), and {@code V} the
   * discounted Black-76 value. Multiply by F for the theta in price units, divide by 365 for a
   * one-day theta. Same units and sign as {@link OptionGreeks#theta()} of {@link
   * BlackScholesFormula} (spot = F, rate = yield = r).
   *
   * <p>Edge cases: 0 at expiry ({@code T = 0}); at zero vol only the carry term {@code r V / F}
   * remains (0 when {@code D = 1}). Rounding: each product and quotient to nearest. Error: at most
   * {@code 1e-14 max(1, |theta/F|)} against 50 digits (from the floored {@code sqrt(T)}, relative
   * 1e-18 / sqrt(T)), see the class comment.
   *
   * @throws ArithmeticException if |theta / F| exceeds the representable range (about 9.2 per year:
   *     at-the-money options within hours of expiry, e.g. T below about 16 hours at 200% vol), or
   *     if {@code D < 1} and {@code ln(D)} or the implied rate is out of range ({@code D < 1e-4},
   *     or {@code -ln(D) / T > 9.2})
   * @param type call or put
   * @param forward forward price, {@code > 0}
   * @param strike strike, {@code > 0}, same unit as the forward
   * @param years time to expiry in years, scale 10^18, {@code >= 0}
   * @param vol annualized volatility, scale 10^18, {@code >= 0}
   * @param discount discount factor to expiry, scale 10^18, in {@code (0, 10^18]}
   * @return the Greek at scale 10^18 as described
   */
  public long thetaNormalized(
      OptionType type, long forward, long strike, long years, long vol, long discount) {
    long sd = check(type, forward, strike, years, vol, discount);
    if (years == 0) {
      return 0;
    }
    long decay = 0;
    if (sd != 0) {
      long pdf = Fixed.normalPdf(d(Fixed.lnRatio(forward, strike), sd, true));
      // phi D sigma / (2 sqrt T): one 128-bit mulDiv, so only the final value can overflow
      decay = -Fixed.mulDiv(Fixed.mul(pdf, discount), vol, 2 * Fixed.sqrt(years), Rounding.NEAREST);
    }
    if (discount == ONE) {
      return decay;
    }
    // carry r V / F = r (V / M) (M / F)
    long norm = normalizedPrice(type, forward, strike, years, vol, discount);
    long carry =
        Fixed.mulDiv(
            Fixed.mul(impliedRate(discount, years), norm),
            Math.max(forward, strike),
            forward,
            Rounding.NEAREST);
    return Math.addExact(decay, carry);
  }

  /**
   * Vanna {@code d(delta)/d(vol) = -D phi(d1) d2 / sigma}, scale 10^18, per 1.00 of vol (divide by
   * 100 for one vol point); {@code delta} is {@link #delta}, dimensionless, so vanna needs no
   * normalization. Same for calls and puts; positive for out-of-the-money calls ({@code d2 < 0}).
   * Same units and sign as {@link OptionGreeks#vanna()}.
   *
   * <p>Edge cases: 0 at expiry or zero vol (as {@link #vegaNormalized}), and 0 where {@code
   * phi(d1)} is below 10^-18 (|d1| &ge; 9, deep in or out of the money). Rounding: products and the
   * quotient to nearest. Error: at most {@code 1e-14 max(1, |vanna|)} against 50 digits (the ulp of
   * d2 divided by the vol).
   *
   * @throws ArithmeticException if |vanna| exceeds the representable range (about 9.2: small vols,
   *     roughly {@code vol < 2.6%} with {@code |d2|} near 1)
   * @param type call or put
   * @param forward forward price, {@code > 0}
   * @param strike strike, {@code > 0}, same unit as the forward
   * @param years time to expiry in years, scale 10^18, {@code >= 0}
   * @param vol annualized volatility, scale 10^18, {@code >= 0}
   * @param discount discount factor to expiry, scale 10^18, in {@code (0, 10^18]}
   * @return the Greek at scale 10^18 as described
   */
  public long vanna(
      OptionType type, long forward, long strike, long years, long vol, long discount) {
    long sd = check(type, forward, strike, years, vol, discount);
    if (sd == 0) {
      return 0;
    }
    long pdfD2 = pdfTimesD2(Fixed.lnRatio(forward, strike), sd);
    return -Fixed.mulDiv(pdfD2, discount, vol, Rounding.NEAREST);
  }

  /**
   * Charm {@code d(delta)/dt} as calendar time passes, scale 10^18, <b>per year</b> (divide by 365
   * for one day): {@code r delta + D phi(d1) d2 / (2 T)} with {@code delta} from {@link #delta} and
   * {@code r = -ln(D) / T}. Dimensionless like delta. Same units and sign as {@link
   * OptionGreeks#charm()} (spot = F, rate = yield = r): a call's delta drifts toward 1 in the money
   * and toward 0 out of it.
   *
   * <p>Edge cases: 0 at expiry ({@code T = 0}); at zero vol only {@code r delta} remains (0 when
   * {@code D = 1}); the {@code phi} term is 0 where {@code phi(d1)} is below 10^-18 (|d1| &ge; 9).
   * Rounding: each product and quotient to nearest; {@code D phi(d1) d2 / (2 T)} in a single
   * rounding. Error: at most {@code 5e-14 max(1, |charm|, 1e-4 / T)} against 50 digits (d2 is known
   * to about an ulp and is divided by 2 T).
   *
   * @throws ArithmeticException if |charm| exceeds the representable range (about 9.2 per year:
   *     options near the money with less than about 5 days to expiry), or if {@code D < 1} and
   *     {@code ln(D)} or the implied rate is out of range
   * @param type call or put
   * @param forward forward price, {@code > 0}
   * @param strike strike, {@code > 0}, same unit as the forward
   * @param years time to expiry in years, scale 10^18, {@code >= 0}
   * @param vol annualized volatility, scale 10^18, {@code >= 0}
   * @param discount discount factor to expiry, scale 10^18, in {@code (0, 10^18]}
   * @return the Greek at scale 10^18 as described
   */
  public long charm(
      OptionType type, long forward, long strike, long years, long vol, long discount) {
    long sd = check(type, forward, strike, years, vol, discount);
    if (years == 0) {
      return 0;
    }
    long drift = 0;
    if (sd != 0) {
      long pdfD2 = pdfTimesD2(Fixed.lnRatio(forward, strike), sd);
      // D phi d2 / (2 T) in one rounding: the product with D is not rounded before the division by
      // a tiny T
      drift =
          years <= Long.MAX_VALUE / 2
              ? Fixed.mulDiv(pdfD2, discount, 2 * years, Rounding.NEAREST)
              : Fixed.divide(
                  Fixed.mulDiv(pdfD2, discount, years, Rounding.NEAREST), 2, Rounding.NEAREST);
    }
    if (discount == ONE) {
      return drift;
    }
    long delta = delta(type, forward, strike, years, vol, discount);
    return Math.addExact(drift, Fixed.mul(impliedRate(discount, years), delta));
  }

  /**
   * The continuously compounded rate {@code r = -ln(D) / T} implied by a discount factor, scale
   * 10^18, for {@code years > 0}. For {@code D >= 3/4} (every realistic rate and expiry) by the
   * series {@code -ln(1 - u) / T = sum u^n / (n T)}, {@code u = 1 - D} exact, each term divided by
   * T at full precision, so the error stays within a few ulps of r even when T is tiny (where
   * {@code ln(D) / T} would magnify the ulp of {@code ln(D)}); below 3/4 from {@link Fixed#ln}
   * (relative error under 4e-17).
   *
   * @throws ArithmeticException if r exceeds the representable range or {@code D < 1e-4}
   */
  private static long impliedRate(long discount, long years) {
    long u = ONE - discount;
    if (u == 0) {
      return 0;
    }
    if (u > ONE / 4) {
      return Fixed.mulDiv(-Fixed.ln(discount), ONE, years, Rounding.NEAREST);
    }
    long sum = Fixed.mulDiv(u, ONE, years, Rounding.NEAREST); // u / T
    long power = u; // u^(n-1); its rounding error is multiplied by u / T (about r), not by 1 / T
    for (int n = 2; n < 64; n++) {
      long term =
          Fixed.divide(Fixed.mulDiv(u, power, years, Rounding.NEAREST), n, Rounding.NEAREST);
      if (term == 0) {
        break;
      }
      sum = Math.addExact(sum, term);
      power = Fixed.mul(power, u);
    }
    return sum;
  }

  /**
   * {@code phi(d1) * d2} at scale 10^18 for {@code sd > 0}, as {@code phi(d1) d1 - phi(d1) sd} so
   * that no out-of-range d2 (down to -13) is formed; d2 is taken from the unsaturated d1, not
   * saturated on its own. 0 where {@code phi(d1)} is clamped to 0 (|d1| &ge; 9). Rounded to nearest
   * once (twice when d2 &lt; -9.2).
   */
  private static long pdfTimesD2(long lnFk, long sd) {
    long d1 = d(lnFk, sd, true);
    long pdf = Fixed.normalPdf(d1);
    if (pdf == 0) {
      return 0;
    }
    if (d1
        >= Long.MIN_VALUE
            + sd) { // d2 representable (all but d1 near -9 with a large sd): one rounding
      return Fixed.mul(pdf, d1 - sd);
    }
    return Fixed.mul(pdf, d1) - Fixed.mul(pdf, sd);
  }

  /** Validates and returns the standard deviation vol * sqrt(T) at scale 10^18. */
  private static long check(
      OptionType type, long forward, long strike, long years, long vol, long discount) {
    if (type == null
        || forward <= 0
        || strike <= 0
        || years < 0
        || vol < 0
        || discount <= 0
        || discount > ONE) {
      throw new IllegalArgumentException(
          "Black-76 needs a type, forward > 0, strike > 0, years >= 0, vol >= 0,"
              + " discount in (0, 1e18]; got "
              + type
              + ", "
              + forward
              + ", "
              + strike
              + ", "
              + years
              + ", "
              + vol
              + ", "
              + discount);
    }
    if (years == 0 || vol == 0) {
      return 0;
    }
    long sd = Fixed.mul(vol, Fixed.sqrt(years));
    if (sd > MAX_STD_DEV) {
      throw new IllegalArgumentException("vol * sqrt(T) must be <= 4, was " + Fixed.toDouble(sd));
    }
    return sd;
  }

  /**
   * d1 (plus) or d2 = ln(F/K)/sd +- sd/2, computed at scale 10^17 internally and saturated at
   * +-9.1.
   */
  private static long d(long lnFk, long sd, boolean plus) {
    if (Math.abs(lnFk) / sd >= 80) {
      return lnFk > 0 ? D_SATURATED : -D_SATURATED;
    }
    long r10 = Fixed.mulDiv(lnFk, ONE / 10, sd, Rounding.NEAREST);
    long h10 = sd / 20;
    long d10 = plus ? r10 + h10 : r10 - h10;
    if (d10 >= D_SATURATED / 10) {
      return D_SATURATED;
    }
    if (d10 <= -D_SATURATED / 10) {
      return -D_SATURATED;
    }
    if (Math.abs(r10) < 7 * ONE / 10) { // |r| < 7 and sd/2 <= 2: full precision fits
      return Fixed.mulDiv(lnFk, ONE, sd, Rounding.NEAREST) + (plus ? sd / 2 : -(sd / 2));
    }
    return d10 * 10;
  }
}
