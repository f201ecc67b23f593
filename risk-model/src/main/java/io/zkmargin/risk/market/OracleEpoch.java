package io.zkmargin.risk.market;

import io.zkmargin.risk.util.ArgChecker;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The market data of one oracle epoch: time, spot and vol smile per underlying, funding index per
 * perpetual.
 *
 * @param epoch epoch number, {@code >= 0}
 * @param timeSeconds valuation time, Unix seconds, {@code > 0}
 * @param quotes quote per underlying symbol (copied, sorted by symbol)
 * @param fundingIndex cumulative funding index per perpetual instrument id, quote atoms per lot
 *     (copied, sorted); absent ids have index 0
 */
public record OracleEpoch(
    long epoch,
    long timeSeconds,
    Map<String, UnderlyingQuote> quotes,
    Map<Integer, Long> fundingIndex) {
  /** Seconds in the 365-day year used for times to expiry. */
  public static final long SECONDS_PER_YEAR = 365L * 24 * 3600;

  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public OracleEpoch {
    ArgChecker.notNegative(epoch, "epoch");
    if (timeSeconds <= 0) {
      throw new IllegalArgumentException("time must be positive Unix seconds, was " + timeSeconds);
    }
    quotes = Collections.unmodifiableMap(new TreeMap<>(quotes));
    fundingIndex = Collections.unmodifiableMap(new TreeMap<>(fundingIndex));
  }

  /**
   * The quote of an underlying.
   *
   * @throws IllegalArgumentException if the epoch has no quote for it
   */
  public UnderlyingQuote quote(String underlying) {
    UnderlyingQuote q = quotes.get(underlying);
    if (q == null) {
      throw new IllegalArgumentException("epoch " + epoch + " has no quote for " + underlying);
    }
    return q;
  }

  /** Funding index of a perpetual, quote atoms per lot (0 if none was published). */
  public long fundingIndexOf(int instrumentId) {
    return fundingIndex.getOrDefault(instrumentId, 0L);
  }

  /**
   * A copy of this epoch with other quotes (same epoch number, time and funding), e.g. for stress
   * tests.
   */
  public OracleEpoch withQuotes(Map<String, UnderlyingQuote> newQuotes) {
    return new OracleEpoch(epoch, timeSeconds, newQuotes, fundingIndex);
  }
}
