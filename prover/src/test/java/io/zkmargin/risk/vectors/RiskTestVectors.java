package io.zkmargin.risk.vectors;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.RiskEncoding;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.market.UnderlyingQuote;
import io.zkmargin.risk.pricer.BlackFixed;
import io.zkmargin.risk.product.CollateralAsset;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.product.OptionType;
import io.zkmargin.risk.product.PerpetualFuture;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The risk model's test vectors (pure: returns file name to JSON text; the caller writes them under
 * {@code test-vectors/risk/}). All numbers are JSON strings in decimal, as everywhere in
 * docs/ENCODING.md.
 *
 * <ul>
 *   <li>{@code venue-<circuitId>.json}: a demo venue's epoch, instruments, collateral assets, risk
 *       vector (entry words by instrument id, globals words) and accounts (owner secret, leaf
 *       words) with the expected exact margin (E, MMcore, MM, IMcore, IM in the units of
 *       ENCODING.md "Margin"), quote-atom figures, liquidation status and health at several
 *       thresholds;
 *   <li>{@code fixed-point.json}: reference values of the fixed-point functions and of Black-76 per
 *       lot.
 * </ul>
 */
public final class RiskTestVectors {
  /** Format tag written in every file. */
  public static final String FORMAT = "zkmargin-risk-vectors-v1";

  private static final long[] THRESHOLDS = {0, 5_000, 10_000, 12_500, 20_000};

  private RiskTestVectors() {}

  /**
   * All vector files, by file name (sorted). Deterministic: the same text on every run and machine.
   */
  public static SortedMap<String, String> generate() {
    SortedMap<String, String> files = new TreeMap<>();
    files.put(
        "venue-" + CircuitSizes.TEST.healthCircuitId() + ".json",
        venue(DemoVenue.generate(12, 1, CircuitSizes.TEST)));
    files.put(
        "venue-" + CircuitSizes.PRODUCTION.healthCircuitId() + ".json",
        venue(DemoVenue.generate(18, 2, CircuitSizes.PRODUCTION)));
    files.put("fixed-point.json", fixedPoint());
    return files;
  }

  /** The JSON of one venue. */
  public static String venue(DemoVenue v) {
    Json j = new Json();
    j.open('{');
    j.field("format").str(FORMAT);
    j.field("circuitId").str(v.sizes().healthCircuitId());
    j.field("epoch").open('{');
    j.field("epoch").num(v.epoch().epoch());
    j.field("timeSeconds").num(v.epoch().timeSeconds());
    j.field("quotes").open('{');
    for (Map.Entry<String, UnderlyingQuote> e : v.epoch().quotes().entrySet()) {
      j.field(e.getKey()).open('{');
      j.field("spot").num(e.getValue().spot());
      j.field("atmVol").num(e.getValue().atmVol());
      j.field("skew").num(e.getValue().skew());
      j.close('}');
    }
    j.close('}');
    j.field("fundingIndex").open('{');
    for (Map.Entry<Integer, Long> e : v.epoch().fundingIndex().entrySet()) {
      j.field(String.valueOf(e.getKey())).num(e.getValue());
    }
    j.close('}');
    j.close('}');
    j.field("instruments").open('[');
    for (Instrument i : v.instruments()) {
      j.elem().open('{');
      j.field("id").num(i.id());
      j.field("underlying").str(i.underlying());
      j.field("lotSize").num(i.lotSize());
      if (i instanceof PerpetualFuture) {
        j.field("kind").str("perpetual");
      } else {
        EuropeanOption o = (EuropeanOption) i;
        j.field("kind").str(o.type() == OptionType.CALL ? "call" : "put");
        j.field("strike").num(o.strike());
        j.field("expirySeconds").num(o.expirySeconds());
      }
      j.close('}');
    }
    j.close(']');
    j.field("assets").open('[');
    for (CollateralAsset a : v.assets()) {
      j.elem().open('{');
      j.field("index").num(a.index());
      j.field("symbol").str(a.symbol());
      j.field("decimals").num(a.decimals());
      j.field("haircutPpm").num(a.haircutPpm());
      j.close('}');
    }
    j.close(']');
    j.field("riskVector").open('{');
    j.field("entries").open('[');
    for (Map.Entry<Integer, InstrumentRiskEntry> e : v.riskVector().entries().entrySet()) {
      j.elem().open('{');
      j.field("id").num(e.getKey());
      j.field("words").nums(RiskEncoding.words(e.getValue()));
      j.close('}');
    }
    j.close(']');
    j.field("globalsWords").nums(RiskEncoding.words(v.riskVector().globals()));
    j.close('}');
    j.field("accounts").open('[');
    MarginResult r = new MarginResult(v.sizes().scenarios());
    for (int i = 0; i < v.accounts().size(); i++) {
      AccountLeaf leaf = v.accounts().get(i);
      MarginCalculator.DEFAULT.evaluate(v.riskVector(), leaf, r);
      j.elem().open('{');
      j.field("accountId").num(i);
      j.field("ownerSecret").num(v.ownerSecret(i));
      j.field("leafWords").nums(leaf.words());
      j.field("expected").open('{');
      j.field("equityNano").str(r.equityNano().toString());
      j.field("mmCore").str(r.maintenanceCore().toString());
      j.field("mm").str(r.maintenanceScaled().toString());
      j.field("imCore").str(r.initialCore().toString());
      j.field("im").str(r.initialScaled().toString());
      j.field("equityQuoteAtoms").num(r.equityQuoteAtoms());
      j.field("mmQuoteAtoms").num(r.maintenanceQuoteAtoms());
      j.field("imQuoteAtoms").num(r.initialQuoteAtoms());
      j.field("healthRatioBps").num(r.healthRatioBps());
      j.field("liquidatable").bool(r.isLiquidatable());
      j.field("meetsInitialMargin").bool(r.meetsInitialMargin());
      j.field("worstScenario").num(r.worstMaintenanceScenario());
      j.field("healthyAt").open('{');
      for (long t : THRESHOLDS) {
        j.field(String.valueOf(t)).bool(r.isHealthy(t));
      }
      j.close('}');
      j.close('}');
      j.close('}');
    }
    j.close(']');
    j.close('}');
    return j.toString();
  }

  /** Reference values of the fixed-point functions at fixed inputs. */
  public static String fixedPoint() {
    Json j = new Json();
    j.open('{');
    j.field("format").str(FORMAT);
    j.field("scale").num(Fixed.ONE);
    long[] xs = {
      -9_000_000_000_000_000_000L,
      -3_141_592_653_589_793_238L,
      -1_000_000_000_000_000_000L,
      -1,
      0,
      1,
      123_456_789_012_345_678L,
      500_000_000_000_000_000L,
      1_000_000_000_000_000_000L,
      2_000_000_000_000_000_000L,
      2_221_000_000_000_000_000L,
      8_999_999_999_999_999_999L
    };
    j.field("functions").open('[');
    for (long x : xs) {
      j.elem().open('{');
      j.field("x").num(x);
      if (x <= 2_221_000_000_000_000_000L) {
        j.field("exp").num(Fixed.exp(x));
      }
      if (x >= Fixed.ONE / 10_000) { // ln is representable for x >= 1e-4
        j.field("ln").num(Fixed.ln(x));
      }
      if (x >= 0) {
        j.field("sqrt").num(Fixed.sqrt(x));
      }
      j.field("normalCdf").num(Fixed.normalCdf(x));
      j.field("normalPdf").num(Fixed.normalPdf(x));
      j.close('}');
    }
    j.close(']');
    j.field("black76PerLot").open('[');
    long[][] cases = {
      {60_000_000_000L, 60_000_000_000L, Fixed.ONE / 12, Fixed.ONE / 100 * 55, Fixed.ONE / 100},
      {60_000_000_000L, 80_000_000_000L, Fixed.ONE / 4, Fixed.ONE / 100 * 70, Fixed.ONE / 100},
      {3_000_000_000L, 2_500_000_000L, Fixed.ONE / 365, Fixed.ONE / 100 * 90, Fixed.ONE / 10},
      {42_000_000L, 40_000_000L, Fixed.ONE / 2, Fixed.ONE / 5, Fixed.ONE},
      {42_000_000L, 40_000_000L, 0, Fixed.ONE / 5, Fixed.ONE}
    };
    for (long[] c : cases) {
      for (OptionType t : OptionType.values()) {
        j.elem().open('{');
        j.field("type").str(t == OptionType.CALL ? "call" : "put");
        j.field("forward").num(c[0]);
        j.field("strike").num(c[1]);
        j.field("years").num(c[2]);
        j.field("vol").num(c[3]);
        j.field("lotSize").num(c[4]);
        BlackFixed b = BlackFixed.DEFAULT;
        j.field("priceFloor")
            .num(
                b.pricePerLot(
                    t,
                    c[0],
                    c[1],
                    c[2],
                    c[3],
                    Fixed.ONE,
                    c[4],
                    io.zkmargin.risk.fixed.Rounding.FLOOR));
        j.field("priceCeiling")
            .num(
                b.pricePerLot(
                    t,
                    c[0],
                    c[1],
                    c[2],
                    c[3],
                    Fixed.ONE,
                    c[4],
                    io.zkmargin.risk.fixed.Rounding.CEILING));
        j.field("delta").num(b.delta(t, c[0], c[1], c[2], c[3], Fixed.ONE));
        j.field("vegaNormalized").num(b.vegaNormalized(t, c[0], c[1], c[2], c[3], Fixed.ONE));
        j.close('}');
      }
    }
    j.close(']');
    j.close('}');
    return j.toString();
  }

  /** A minimal deterministic pretty JSON writer (two-space indent, '\n' line ends). */
  private static final class Json {
    private final StringBuilder sb = new StringBuilder();
    private int depth;
    private boolean first = true;

    Json open(char c) {
      sb.append(c);
      depth++;
      first = true;
      return this;
    }

    Json close(char c) {
      depth--;
      if (!first) {
        newline();
      }
      sb.append(c);
      first = false;
      if (depth == 0) {
        sb.append('\n');
      }
      return this;
    }

    Json field(String name) {
      sep();
      sb.append('"').append(escape(name)).append("\": ");
      return this;
    }

    Json elem() {
      sep();
      return this;
    }

    private void sep() {
      if (!first) {
        sb.append(',');
      }
      newline();
      first = false;
    }

    private void newline() {
      sb.append('\n');
      sb.append("  ".repeat(depth));
    }

    Json str(String s) {
      sb.append('"').append(escape(s)).append('"');
      return this;
    }

    Json num(long v) {
      return str(Long.toString(v));
    }

    Json bool(boolean b) {
      sb.append(b);
      return this;
    }

    Json nums(long[] v) {
      sb.append('[');
      for (int i = 0; i < v.length; i++) {
        sb.append(i == 0 ? "" : ", ").append('"').append(v[i]).append('"');
      }
      sb.append(']');
      return this;
    }

    private static String escape(String s) {
      return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
      return sb.toString();
    }
  }
}
