package io.zkmargin.risk.vector;

import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.fixed.Rounding;
import io.zkmargin.risk.market.OracleEpoch;
import io.zkmargin.risk.market.UnderlyingQuote;
import io.zkmargin.risk.pricer.BlackFixed;
import io.zkmargin.risk.product.CollateralAsset;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.product.PerpetualFuture;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the risk vector of an oracle epoch: per instrument its mark per lot, funding index, floors
 * and maintenance/initial scenario arrays; per collateral asset its haircut-adjusted price, its
 * debt price and scenario array; the tier factors. Everything is fixed-point integer arithmetic
 * ({@link BlackFixed}), so the vector is bit-identical on every machine. Stateless; use {@link
 * #DEFAULT}.
 *
 * <p>Conventions (quote atoms; "value" = value of one long lot):
 *
 * <ul>
 *   <li>forward = oracle spot (crypto, zero rates), discount 1; time to expiry = (expiry - epoch
 *       time) / 365 days, 0 once expired (intrinsic value);
 *   <li>mark = option value rounded to nearest (perp: spot x lot); {@code R[s] = floor(V_s) -
 *       ceil(V_0)}, so a long's scenario loss is rounded up; a short's rounding (under 2 atoms per
 *       lot) is covered by the rounding quantum in the floors;
 *   <li>scenario s: spot x (1 + range x num/den) (at least 1% of spot), vol at the strike +- shock
 *       x max(1, (30d / max(T, 1d))^p), floored at 0 (intrinsic); extreme moves are weighted by
 *       {@code cover x range / |move|} after the difference, rounded down;
 *   <li>floors: {@code ceil(minimum ppm x spot x lot) + quantum} for options, {@code quantum} for
 *       perps; both apply to |quantity|, so long options pay the short-option minimum too (the
 *       encoding has one floor per instrument);
 *   <li>collateral: {@code cp = floor(spot x 10^(9-decimals) x (1 - haircut))} values a holding,
 *       {@code dp = spot x 10^(9-decimals)} (no haircut, exact) values a debt, {@code C[s] =
 *       floor(cp x move x weight)} with the maintenance range of the asset's underlying (the
 *       encoding has one collateral array for MM and IM).
 * </ul>
 */
public final class RiskVectorBuilder {
  /** The shared stateless instance. */
  public static final RiskVectorBuilder DEFAULT = new RiskVectorBuilder();

  private static final long ONE = Fixed.ONE;
  private static final long PPM = 1_000_000L;
  private static final long SHORT_EXPIRY_REF_SECONDS = 30L * 86_400;
  private static final long MIN_EXPIRY_SECONDS = 86_400;

  private RiskVectorBuilder() {}

  /**
   * Builds the risk vector.
   *
   * @param epoch oracle epoch (spots, vols, funding, time)
   * @param instruments listed instruments, distinct ids in {@code [0, 2^DI)}
   * @param assets collateral assets, exactly A of them with indexes 0..A-1 in order (asset 0 the
   *     quote asset)
   * @param config grid, per-underlying parameters and tier factors (T of them, grid of size S)
   * @param sizes dimensions (e.g. the circuit sizes)
   * @return the vector, ready to commit
   * @throws IllegalArgumentException on any mismatch or missing market data
   * @throws ArithmeticException if a value does not fit a word
   */
  public RiskVector build(
      OracleEpoch epoch,
      List<? extends Instrument> instruments,
      List<CollateralAsset> assets,
      RiskModelConfig config,
      RiskDimensions sizes) {
    int s = sizes.scenarios();
    if (config.grid().size() != s) {
      throw new IllegalArgumentException(
          "grid has " + config.grid().size() + " scenarios, circuit S = " + s);
    }
    if (config.tierFactorPpm().length != sizes.tiers()) {
      throw new IllegalArgumentException(
          "config has " + config.tierFactorPpm().length + " tiers, circuit T = " + sizes.tiers());
    }
    if (assets.size() != sizes.collateralAssets()) {
      throw new IllegalArgumentException(
          "need " + sizes.collateralAssets() + " collateral assets, got " + assets.size());
    }
    Set<Integer> ids = new HashSet<>();
    int maxId = 1 << sizes.instrumentDepth();
    for (Instrument i : instruments) {
      if (i.id() >= maxId || !ids.add(i.id())) {
        throw new IllegalArgumentException(
            "instrument id " + i.id() + " is duplicated or outside [0, " + maxId + ")");
      }
    }
    Map<Integer, InstrumentRiskEntry> entries = new ConcurrentHashMap<>();
    instruments.parallelStream().forEach(i -> entries.put(i.id(), entry(epoch, i, config)));
    long[] cp = new long[assets.size()];
    long[] dp = new long[assets.size()];
    long[][] cs = new long[assets.size()][];
    for (int a = 0; a < assets.size(); a++) {
      CollateralAsset asset = assets.get(a);
      if (asset.index() != a) {
        throw new IllegalArgumentException(
            "collateral asset at position " + a + " has index " + asset.index());
      }
      cp[a] = collateralPrice(epoch, asset);
      dp[a] = debtPrice(epoch, asset);
      cs[a] = collateralScenarios(epoch, asset, cp[a], config);
    }
    RiskGlobals globals = new RiskGlobals(config.tierFactorPpm(), config.liquidation(), cp, dp, cs);
    return new RiskVector(epoch.epoch(), sizes, new TreeMap<>(entries), globals);
  }

  /**
   * The risk entry of one instrument.
   *
   * @param epoch market data
   * @param instrument the instrument
   * @param config parameters
   * @return mark, funding index, floors and scenario arrays, quote atoms per lot
   */
  public InstrumentRiskEntry entry(
      OracleEpoch epoch, Instrument instrument, RiskModelConfig config) {
    UnderlyingQuote q = epoch.quote(instrument.underlying());
    UnderlyingRiskParameters p = config.parametersOf(instrument.underlying());
    ScenarioGrid g = config.grid();
    int n = g.size();
    long[] rmm = new long[n];
    long[] rim = new long[n];
    long spotNotional = Fixed.mulDiv(q.spot(), instrument.lotSize(), ONE, Rounding.CEILING);
    if (instrument instanceof PerpetualFuture perp) {
      long mark = Fixed.mulDiv(q.spot(), perp.lotSize(), ONE, Rounding.NEAREST);
      for (int s = 0; s < n; s++) {
        rmm[s] =
            perpScenario(q.spot(), perp.lotSize(), p.priceRangeMmPpm(), g, s, p.extremeCoverPpm());
        rim[s] =
            perpScenario(q.spot(), perp.lotSize(), p.priceRangeImPpm(), g, s, p.extremeCoverPpm());
      }
      return new InstrumentRiskEntry(
          mark,
          epoch.fundingIndexOf(perp.id()),
          config.roundingQuantum(),
          config.roundingQuantum(),
          rmm,
          rim);
    }
    EuropeanOption o = (EuropeanOption) instrument;
    long seconds = Math.max(0, o.expirySeconds() - epoch.timeSeconds());
    long years = Fixed.mulDiv(seconds, ONE, OracleEpoch.SECONDS_PER_YEAR, Rounding.NEAREST);
    long vol = q.impliedVol(o.strike());
    long shockFactor = ONE;
    if (seconds < SHORT_EXPIRY_REF_SECONDS && p.shortExpiryPower() > 0) {
      long ln = Fixed.lnRatio(SHORT_EXPIRY_REF_SECONDS, Math.max(seconds, MIN_EXPIRY_SECONDS));
      shockFactor = Fixed.exp(Fixed.mul(p.shortExpiryPower(), ln));
    }
    BlackFixed bf = BlackFixed.DEFAULT;
    long sqrtT = Fixed.sqrt(years);
    long sd0 = Fixed.mul(vol, sqrtT);
    long ln0 = Fixed.lnRatio(q.spot(), o.strike());
    long mark =
        bf.pricePerLotFromStdDev(
            o.type(), q.spot(), o.strike(), ln0, sd0, ONE, o.lotSize(), Rounding.NEAREST);
    long v0Up =
        bf.pricePerLotFromStdDev(
            o.type(), q.spot(), o.strike(), ln0, sd0, ONE, o.lotSize(), Rounding.CEILING);
    long shockMm = Fixed.mul(p.volShockMm(), shockFactor, Rounding.CEILING);
    long shockIm = Fixed.mul(p.volShockIm(), shockFactor, Rounding.CEILING);
    long[] lnCache = {
      -1, 0
    }; // last scenario spot and its ln(spot / strike): vol-up/down pairs share the spot
    for (int s = 0; s < n; s++) {
      rmm[s] =
          optionScenario(
              o,
              q.spot(),
              sqrtT,
              vol,
              v0Up,
              p.priceRangeMmPpm(),
              shockMm,
              g,
              s,
              p.extremeCoverPpm(),
              lnCache);
    }
    for (int s = 0; s < n; s++) {
      rim[s] =
          optionScenario(
              o,
              q.spot(),
              sqrtT,
              vol,
              v0Up,
              p.priceRangeImPpm(),
              shockIm,
              g,
              s,
              p.extremeCoverPpm(),
              lnCache);
    }
    long floorMm =
        Math.addExact(
            Fixed.mulDiv(spotNotional, p.shortOptionMinMmPpm(), PPM, Rounding.CEILING),
            config.roundingQuantum());
    long floorIm =
        Math.addExact(
            Fixed.mulDiv(spotNotional, p.shortOptionMinImPpm(), PPM, Rounding.CEILING),
            config.roundingQuantum());
    return new InstrumentRiskEntry(mark, 0, floorMm, floorIm, rmm, rim);
  }

  /** Scenario spot: spot x (1 + range x num/den), at least 1% of spot, rounded to nearest. */
  static long scenarioSpot(long spot, long rangePpm, ScenarioGrid g, int s) {
    return scenarioPrice(spot, rangePpm, g, s, Rounding.NEAREST);
  }

  private static long scenarioPrice(
      long spot, long rangePpm, ScenarioGrid g, int s, Rounding mode) {
    long den = g.moveDenominator()[s] * PPM;
    long factor = den + rangePpm * g.moveNumerator()[s];
    long floor = den / 100;
    return Math.max(1, Fixed.mulDiv(spot, Math.max(factor, floor), den, mode));
  }

  /** Extreme-move weight applied to a value change, rounded down: dv x cover x range / |move|. */
  private static long weighted(long dv, ScenarioGrid g, int s, long coverPpm) {
    if (!g.extreme()[s]) {
      return dv;
    }
    // range / |move| = den / |num|
    return Fixed.mulDiv(
        dv,
        coverPpm * g.moveDenominator()[s],
        PPM * Math.abs(g.moveNumerator()[s]),
        Rounding.FLOOR);
  }

  private static long perpScenario(
      long spot, long lot, long rangePpm, ScenarioGrid g, int s, long coverPpm) {
    long spotS = scenarioSpot(spot, rangePpm, g, s);
    long dv = Fixed.mulDiv(spotS - spot, lot, ONE, Rounding.FLOOR);
    return weighted(dv, g, s, coverPpm);
  }

  private static long optionScenario(
      EuropeanOption o,
      long spot,
      long sqrtT,
      long vol,
      long v0Up,
      long rangePpm,
      long shock,
      ScenarioGrid g,
      int s,
      long coverPpm,
      long[] lnCache) {
    long spotS = scenarioSpot(spot, rangePpm, g, s);
    long volS = Math.max(0, vol + g.volDirection()[s] * shock);
    if (lnCache[0] != spotS) {
      lnCache[0] = spotS;
      lnCache[1] = Fixed.lnRatio(spotS, o.strike());
    }
    long sd = Fixed.mul(volS, sqrtT);
    long vs =
        BlackFixed.DEFAULT.pricePerLotFromStdDev(
            o.type(), spotS, o.strike(), lnCache[1], sd, ONE, o.lotSize(), Rounding.FLOOR);
    return weighted(vs - v0Up, g, s, coverPpm);
  }

  /** Haircut-adjusted price of 10^9 atoms in quote atoms, rounded down: the value of a holding. */
  static long collateralPrice(OracleEpoch epoch, CollateralAsset asset) {
    return Fixed.mulDiv(debtPrice(epoch, asset), PPM - asset.haircutPpm(), PPM, Rounding.FLOOR);
  }

  /**
   * Un-haircut price of 10^9 atoms in quote atoms: the value of a debt (a negative balance), which
   * a haircut must not shrink. Exact (the spot is in quote atoms per whole unit).
   */
  static long debtPrice(OracleEpoch epoch, CollateralAsset asset) {
    long unitPrice = asset.isQuote() ? 1_000_000L : epoch.quote(asset.underlying()).spot();
    return Math.multiplyExact(unitPrice, pow10(9 - asset.decimals()));
  }

  private static long[] collateralScenarios(
      OracleEpoch epoch, CollateralAsset asset, long cp, RiskModelConfig config) {
    ScenarioGrid g = config.grid();
    long[] c = new long[g.size()];
    if (asset.isQuote() || cp == 0) {
      return c;
    }
    UnderlyingRiskParameters p = config.parametersOf(asset.underlying());
    for (int s = 0; s < g.size(); s++) {
      long moved = scenarioPrice(cp, p.priceRangeMmPpm(), g, s, Rounding.FLOOR);
      c[s] = weighted(Math.subtractExact(moved, cp), g, s, p.extremeCoverPpm());
    }
    return c;
  }

  private static long pow10(int e) {
    long r = 1;
    for (int i = 0; i < e; i++) {
      r *= 10;
    }
    return r;
  }
}
