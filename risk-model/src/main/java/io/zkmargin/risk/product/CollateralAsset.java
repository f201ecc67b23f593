package io.zkmargin.risk.product;

import io.zkmargin.risk.util.ArgChecker;

/**
 * A collateral asset of the venue. Asset 0 is the quote asset (a 6-decimal stable coin, no
 * underlying). Other assets are priced by the oracle spot of their underlying.
 *
 * @param index asset index a in the account leaf, {@code >= 0}
 * @param symbol display symbol
 * @param decimals venue decimals (atoms per unit = 10^decimals), in {@code [0, 9]}
 * @param underlying symbol whose oracle spot prices this asset, or {@code null} for the quote asset
 * @param haircutPpm haircut in parts per million of the oracle value, in {@code [0, 10^6]}
 */
public record CollateralAsset(
    int index, String symbol, int decimals, String underlying, long haircutPpm) {
  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public CollateralAsset {
    ArgChecker.notNegative(index, "asset index");
    if (symbol == null || symbol.isBlank()) {
      throw new IllegalArgumentException("asset symbol must be non-empty");
    }
    if (decimals < 0 || decimals > 9) {
      throw new IllegalArgumentException("venue decimals must be in [0, 9], was " + decimals);
    }
    if (haircutPpm < 0 || haircutPpm > 1_000_000) {
      throw new IllegalArgumentException("haircut must be in [0, 1e6] ppm, was " + haircutPpm);
    }
    if (index == 0 && underlying != null) {
      throw new IllegalArgumentException("asset 0 is the quote asset and has no underlying");
    }
  }

  /** True for the quote asset (priced at 1 quote unit per unit). */
  public boolean isQuote() {
    return underlying == null;
  }
}
