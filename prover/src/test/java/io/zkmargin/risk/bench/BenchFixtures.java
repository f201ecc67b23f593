package io.zkmargin.risk.bench;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.product.OptionType;
import io.zkmargin.risk.product.PerpetualFuture;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Shared inputs of the benchmarks (production sizes). */
final class BenchFixtures {
  private BenchFixtures() {}

  static final CircuitSizes SIZES = CircuitSizes.PRODUCTION;

  /** The demo venue at production sizes (62 instruments). */
  static DemoVenue venue() {
    return DemoVenue.generate(64, 7, SIZES);
  }

  /** An account with all 8 slots used (perps and options on both underlyings) and all 4 assets. */
  static AccountLeaf eightPositions(DemoVenue v) {
    long[] ids = {0, 1, 2, 3, 4, 5, 12, 13};
    long[] q = {5, -40, 3, -7, -2, 9, 4, -4};
    long[] snaps = new long[8];
    long[] b = {50_000_000_000L, 20_000_000L, 3_000_000_000L, 10_000_000L};
    for (int j = 0; j < 8; j++) {
      snaps[j] = v.epoch().fundingIndexOf((int) ids[j]) - 100;
      b[0] -= q[j] * v.riskVector().markArray()[(int) ids[j]];
    }
    return new AccountLeaf(BigInteger.ZERO, BigInteger.ONE, 3, 1, b, ids, q, snaps);
  }

  /**
   * 1,000 options (500 BTC, 500 ETH; strikes 50%..150%, expiries 1..180 days) plus the two perps.
   */
  static List<Instrument> thousandOptions(DemoVenue v) {
    List<Instrument> list = new ArrayList<>();
    list.add(new PerpetualFuture(0, "BTC", Fixed.ONE / 1000));
    list.add(new PerpetualFuture(1, "ETH", Fixed.ONE / 100));
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 1000; i++) {
      String u = i % 2 == 0 ? "BTC" : "ETH";
      long spot = v.epoch().quote(u).spot();
      long strike = spot / 100 * r.nextLong(50, 151);
      long expiry = v.epoch().timeSeconds() + 86_400L * r.nextLong(1, 181);
      list.add(
          new EuropeanOption(
              2 + i,
              u,
              i % 4 < 2 ? OptionType.CALL : OptionType.PUT,
              strike,
              expiry,
              u.equals("BTC") ? Fixed.ONE / 100 : Fixed.ONE / 10));
    }
    return list;
  }
}
