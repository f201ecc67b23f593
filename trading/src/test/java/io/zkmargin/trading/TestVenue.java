package io.zkmargin.trading;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.risk.account.AccountState;
import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.market.OracleEpoch;
import io.zkmargin.risk.market.UnderlyingQuote;
import io.zkmargin.risk.product.CollateralAsset;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.product.OptionType;
import io.zkmargin.risk.product.PerpetualFuture;
import io.zkmargin.risk.vector.RiskModelConfig;
import io.zkmargin.risk.vector.RiskVector;
import io.zkmargin.risk.vector.RiskVectorBuilder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small venue at production sizes (P = 8, S = 16): BTC and ETH perps (ids 0, 1), BTC 30-day calls
 * and puts at 60k (2, 3), 66k call (4), 54k put (5). Lots: 0.001 BTC for the perp, 0.01 BTC for
 * options.
 */
public final class TestVenue {
  public static final CircuitSizes SIZES = CircuitSizes.PRODUCTION;
  public static final long TIME = 1_767_225_600L;
  public static final long EXPIRY = TIME + 3600;
  public static final long PERP = 0;
  public static final long CALL = 2;
  public static final long PUT = 3;
  public static final long CALL_HI = 4;
  public static final long PUT_LO = 5;

  public final OracleEpoch epoch;
  public final List<Instrument> instruments;
  public final RiskModelConfig config;
  public final RiskVector vector;

  public TestVenue() {
    long btc = 60_000_000_000L;
    long eth = 3_000_000_000L;
    Map<String, UnderlyingQuote> quotes = new TreeMap<>();
    quotes.put("BTC", new UnderlyingQuote(btc, Fixed.ONE / 100 * 55, -Fixed.ONE / 10));
    quotes.put("ETH", new UnderlyingQuote(eth, Fixed.ONE / 100 * 70, -Fixed.ONE / 8));
    Map<Integer, Long> funding = new TreeMap<>();
    funding.put(0, 1_000L);
    funding.put(1, -500L);
    epoch = new OracleEpoch(1, TIME, quotes, funding);
    long exp = TIME + 30 * 86_400L;
    long lot = Fixed.ONE / 100;
    instruments =
        List.of(
            new PerpetualFuture(0, "BTC", Fixed.ONE / 1000),
            new PerpetualFuture(1, "ETH", Fixed.ONE / 100),
            new EuropeanOption(2, "BTC", OptionType.CALL, btc, exp, lot),
            new EuropeanOption(3, "BTC", OptionType.PUT, btc, exp, lot),
            new EuropeanOption(4, "BTC", OptionType.CALL, 66_000_000_000L, exp, lot),
            new EuropeanOption(5, "BTC", OptionType.PUT, 54_000_000_000L, exp, lot));
    List<CollateralAsset> assets =
        List.of(
            new CollateralAsset(0, "USDC", 6, null, 0),
            new CollateralAsset(1, "BTC", 8, "BTC", 50_000),
            new CollateralAsset(2, "ETH", 9, "ETH", 80_000),
            new CollateralAsset(3, "WBTC", 8, "BTC", 100_000));
    config = RiskModelConfig.defaults(SIZES.scenarios(), SIZES.tiers(), "BTC", "ETH");
    vector = RiskVectorBuilder.DEFAULT.build(epoch, instruments, assets, config, SIZES);
  }

  /** Mark of an instrument, quote atoms per lot. */
  public long mark(long id) {
    return vector.markArray()[(int) id];
  }

  /** A flat account holding {@code usdc} quote atoms. */
  public static AccountState flat(long usdc) {
    int p = SIZES.positionSlots();
    return new AccountState(0, new long[] {usdc, 0, 0, 0}, new long[p], new long[p], new long[p]);
  }

  /** An account with one position (snapshot at the current funding index). */
  public AccountState withPosition(long usdc, long id, long lots) {
    int p = SIZES.positionSlots();
    long[] ids = new long[p];
    long[] q = new long[p];
    long[] s = new long[p];
    ids[0] = id;
    q[0] = lots;
    s[0] = vector.fundingArray()[(int) id];
    return new AccountState(0, new long[] {usdc, 0, 0, 0}, ids, q, s);
  }

  /** An engine with accounts 1..n registered flat with {@code usdc} each. */
  public MatchingEngine engine(TradeListener l, int n, long usdc) {
    MatchingEngine e = new MatchingEngine(vector, 8, l);
    for (int i = 1; i <= n; i++) {
      e.registerAccount(i, flat(usdc));
    }
    return e;
  }

  /** The liquidation estimator of this venue. */
  public LiquidationEstimator estimator() {
    return new LiquidationEstimator(instruments, epoch, config);
  }
}
