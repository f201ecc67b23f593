package io.zkmargin.risk.product;

/**
 * A linear perpetual future settled in the quote asset. One long lot gains {@code lotSize} times
 * the spot move; funding accrues through the funding index of the oracle epoch (quote atoms per
 * lot, longs pay when it rises), which is market data and therefore not part of this product.
 *
 * @param id instrument id, {@code >= 0}
 * @param underlying underlying symbol
 * @param lotSize units of the underlying per lot at scale 10^18, {@code > 0}
 */
public record PerpetualFuture(int id, String underlying, long lotSize) implements Instrument {
  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public PerpetualFuture {
    Instrument.checkCommon(id, underlying, lotSize);
  }
}
