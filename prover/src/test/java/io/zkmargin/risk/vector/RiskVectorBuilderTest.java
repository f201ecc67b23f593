package io.zkmargin.risk.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.RiskEncoding;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.pricer.BlackScholesFormula;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.product.OptionType;
import io.zkmargin.risk.product.PerpetualFuture;
import java.util.List;
import org.junit.jupiter.api.Test;

class RiskVectorBuilderTest {
  private final DemoVenue venue = DemoVenue.generate(10, 42, CircuitSizes.PRODUCTION);

  @Test
  void perpetualScenariosAreLinearAndExtremesPayTheCoreRange() {
    RiskVector v = venue.riskVector();
    InstrumentRiskEntry perp = v.entries().get(0);
    long spot = venue.epoch().quote("BTC").spot();
    assertEquals((spot + 500) / 1000, perp.mark()); // 0.001 BTC per lot, rounded to nearest
    assertEquals(venue.epoch().fundingIndexOf(0), perp.fundingIndex());
    long range = perp.mark() * 15 / 100; // MM range 15%
    assertEquals(0, perp.rmm()[0]);
    assertEquals(range, perp.rmm()[10], 1); // +3/3
    assertEquals(-range, perp.rmm()[12], 1); // -3/3
    assertEquals(range, perp.rmm()[14], 2); // +3 ranges weighted by 1/3
    assertEquals(-range, perp.rmm()[15], 2);
    assertTrue(perp.rim()[12] < perp.rmm()[12], "IM range is wider");
    assertEquals(2, perp.floorMm());
  }

  @Test
  void optionScenariosFollowTheDoubleModelAndAreConservative() {
    RiskVector v = venue.riskVector();
    ScenarioGrid g = venue.config().grid();
    for (Instrument i : venue.instruments()) {
      if (!(i instanceof EuropeanOption o)) {
        continue;
      }
      InstrumentRiskEntry e = v.entries().get(o.id());
      long spot = venue.epoch().quote(o.underlying()).spot();
      double years = (o.expirySeconds() - venue.epoch().timeSeconds()) / (365.0 * 86400);
      double vol = venue.epoch().quote(o.underlying()).impliedVol(o.strike()) / 1e18;
      double lot = o.lotSize() / 1e18;
      double mark =
          BlackScholesFormula.DEFAULT.greeks(o.type(), spot, o.strike(), years, vol, 0, 0).price()
              * lot;
      assertEquals(mark, e.mark(), 1.0, "mark of " + o);
      UnderlyingRiskParameters p = venue.config().parametersOf(o.underlying());
      double shockFactor = Math.max(1, Math.pow(30.0 / Math.max(years * 365, 1), 0.5));
      for (int s = 0; s < 14; s++) {
        double spotS =
            spot * (1 + p.priceRangeMmPpm() / 1e6 * g.moveNumerator()[s] / g.moveDenominator()[s]);
        double volS = Math.max(0, vol + g.volDirection()[s] * p.volShockMm() / 1e18 * shockFactor);
        double vs =
            BlackScholesFormula.DEFAULT
                    .greeks(o.type(), spotS, o.strike(), years, volS, 0, 0)
                    .price()
                * lot;
        double exact = vs - mark;
        assertTrue(e.rmm()[s] <= exact + 1e-6, "loss rounded up: " + o + " s=" + s);
        assertTrue(
            e.rmm()[s] >= exact - 3,
            "within 3 atoms: " + o + " s=" + s + " " + e.rmm()[s] + " vs " + exact);
      }
      // IM arrays are wider than MM: the worst IM loss is at least the worst MM loss
      long worstMm = 0;
      long worstIm = 0;
      for (int s = 0; s < g.size(); s++) {
        worstMm = Math.min(worstMm, e.rmm()[s]);
        worstIm = Math.min(worstIm, e.rim()[s]);
      }
      assertTrue(worstIm <= worstMm, "IM wider for " + o);
      assertTrue(e.floorIm() >= e.floorMm() && e.floorMm() > 2, "short option minimum");
    }
  }

  @Test
  void volShockGrowsForShortExpiries() {
    long spot = venue.epoch().quote("BTC").spot();
    long t = venue.epoch().timeSeconds();
    EuropeanOption week =
        new EuropeanOption(900, "BTC", OptionType.CALL, spot, t + 7 * 86400, Fixed.ONE);
    EuropeanOption day =
        new EuropeanOption(901, "BTC", OptionType.CALL, spot, t + 86400, Fixed.ONE);
    InstrumentRiskEntry w = RiskVectorBuilder.DEFAULT.entry(venue.epoch(), week, venue.config());
    InstrumentRiskEntry d = RiskVectorBuilder.DEFAULT.entry(venue.epoch(), day, venue.config());
    // scenario 0: spot unchanged, vol up; relative to vega the 1-day shock is sqrt(7) times the
    // 7-day shock
    double vegaW =
        BlackScholesFormula.DEFAULT
            .greeks(OptionType.CALL, spot, spot, 7 / 365.0, 0.55, 0, 0)
            .vega();
    double vegaD =
        BlackScholesFormula.DEFAULT
            .greeks(OptionType.CALL, spot, spot, 1 / 365.0, 0.55, 0, 0)
            .vega();
    double shockW = w.rmm()[0] / vegaW;
    double shockD = d.rmm()[0] / vegaD;
    assertEquals(Math.sqrt(7), shockD / shockW, 0.15);
  }

  @Test
  void collateralIsHaircutAndRoundedDown() {
    RiskVector v = venue.riskVector();
    long[] cp = v.globals().collateralPrice();
    assertEquals(1_000_000_000L, cp[0]);
    long btc = venue.epoch().quote("BTC").spot();
    assertEquals(Math.floorDiv(btc * 10 * 950_000L, 1_000_000L), cp[1]); // 8 decimals, 5% haircut
    // a debt is valued without the haircut: dp = spot x 10^(9-8), and never below cp
    long[] dp = v.globals().debtPrice();
    assertEquals(1_000_000_000L, dp[0]);
    assertEquals(btc * 10, dp[1]);
    assertTrue(dp[1] > cp[1]);
    assertArrayEquals(new long[16], v.globals().collateralScenario()[0]);
    long[] c = v.globals().collateralScenario()[1];
    assertTrue(c[12] < 0 && c[10] > 0);
    assertEquals(Math.floorDiv(cp[1] * 85, 100) - cp[1], c[12], 1);
    assertArrayEquals(
        new long[] {1_000_000, 1_250_000, 1_500_000, 2_000_000}, v.globals().tierFactorPpm());
  }

  @Test
  void buildIsDeterministicAndChecksSizes() {
    DemoVenue again = DemoVenue.generate(10, 42, CircuitSizes.PRODUCTION);
    for (var e : venue.riskVector().entries().entrySet()) {
      assertArrayEquals(
          RiskEncoding.words(e.getValue()),
          RiskEncoding.words(again.riskVector().entries().get(e.getKey())));
    }
    assertArrayEquals(
        RiskEncoding.words(venue.riskVector().globals()),
        RiskEncoding.words(again.riskVector().globals()));
    List<Instrument> bad = List.of(new PerpetualFuture(5000, "BTC", Fixed.ONE));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RiskVectorBuilder.DEFAULT.build(
                venue.epoch(), bad, venue.assets(), venue.config(), CircuitSizes.PRODUCTION));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RiskVectorBuilder.DEFAULT.build(
                venue.epoch(),
                venue.instruments(),
                venue.assets(),
                venue.config(),
                CircuitSizes.TEST));
  }
}
