package io.zkmargin.risk.vector;

import io.zkmargin.risk.fixed.Fixed;

/**
 * Risk parameters of one underlying. Ratios are in parts per million (ppm), vol shocks in absolute
 * vol at scale 10^18 (0.15e18 = 15 vol points). Initial-margin parameters must be at least as wide
 * as maintenance ones.
 *
 * @param priceRangeMmPpm maintenance price range (the 3/3 move), ppm of spot, in (0, 10^6)
 * @param priceRangeImPpm initial price range, ppm, {@code >= priceRangeMmPpm}
 * @param volShockMm maintenance vol shock (absolute, scale 10^18), {@code >= 0}
 * @param volShockIm initial vol shock, {@code >= volShockMm}
 * @param shortExpiryPower exponent p of the short-expiry vol-shock factor {@code (30d / max(T,
 *     1d))^p}, scale 10^18, in [0, 0.6]
 * @param extremeCoverPpm k of the extreme-move weight {@code k * range / |move|}, ppm, in [0, 10^6]
 * @param shortOptionMinMmPpm short option minimum (maintenance) per lot, ppm of the lot's spot
 *     notional
 * @param shortOptionMinImPpm short option minimum (initial), ppm, {@code >= shortOptionMinMmPpm}
 */
public record UnderlyingRiskParameters(
    long priceRangeMmPpm,
    long priceRangeImPpm,
    long volShockMm,
    long volShockIm,
    long shortExpiryPower,
    long extremeCoverPpm,
    long shortOptionMinMmPpm,
    long shortOptionMinImPpm) {

  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public UnderlyingRiskParameters {
    if (priceRangeMmPpm <= 0
        || priceRangeMmPpm >= 1_000_000
        || priceRangeImPpm < priceRangeMmPpm
        || priceRangeImPpm >= 1_000_000) {
      throw new IllegalArgumentException(
          "price ranges must satisfy 0 < MM <= IM < 1e6 ppm, got "
              + priceRangeMmPpm
              + ", "
              + priceRangeImPpm);
    }
    if (volShockMm < 0 || volShockIm < volShockMm || volShockIm > 2 * Fixed.ONE) {
      throw new IllegalArgumentException("vol shocks must satisfy 0 <= MM <= IM <= 2 (scale 1e18)");
    }
    if (shortExpiryPower < 0 || shortExpiryPower > 6 * Fixed.ONE / 10) {
      throw new IllegalArgumentException("short-expiry power must be in [0, 0.6] (scale 1e18)");
    }
    if (extremeCoverPpm < 0 || extremeCoverPpm > 1_000_000) {
      throw new IllegalArgumentException("extreme cover must be in [0, 1e6] ppm");
    }
    if (shortOptionMinMmPpm < 0
        || shortOptionMinImPpm < shortOptionMinMmPpm
        || shortOptionMinImPpm > 1_000_000) {
      throw new IllegalArgumentException(
          "short option minima must satisfy 0 <= MM <= IM <= 1e6 ppm");
    }
  }

  /**
   * Bitcoin-like defaults: range 15% / 22.5%, vol shock 15 / 22.5 points, p = 0.5, cover 100%,
   * minimum 0.5% / 0.75%.
   */
  public static UnderlyingRiskParameters majorDefaults() {
    return new UnderlyingRiskParameters(
        150_000,
        225_000,
        Fixed.ONE / 100 * 15,
        Fixed.ONE / 1000 * 225,
        Fixed.ONE / 2,
        1_000_000,
        5_000,
        7_500);
  }

  /**
   * Defaults for a more volatile underlying: range 20% / 30%, vol shock 20 / 30 points, minimum
   * 0.75% / 1.1%.
   */
  public static UnderlyingRiskParameters altDefaults() {
    return new UnderlyingRiskParameters(
        200_000,
        300_000,
        Fixed.ONE / 100 * 20,
        Fixed.ONE / 100 * 30,
        Fixed.ONE / 2,
        1_000_000,
        7_500,
        11_000);
  }
}
