package io.zkmargin.grpc.server;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.InstrumentRiskEntry;
import io.zkmargin.commit.RiskGlobals;
import io.zkmargin.prover.Venue;
import java.math.BigInteger;
import java.util.List;

/**
 * The exact integer margin of one account at the venue's risk vector, as docs/ENCODING.md ("Margin")
 * defines it and the health circuit re-checks it. Internal units: nano quote atoms ({@code N = 10^9}),
 * MM and IM additionally times the tier factor in ppm.
 *
 * @param equityNano E, nano quote atoms, signed
 * @param mmCoreNano {@code max(0, max_s L[s])}, nano quote atoms: the witness's {@code mmBound}
 * @param mmScaled MM, nano quote atoms x ppm, {@code >= 0}
 * @param imScaled IM, nano quote atoms x ppm, {@code >= 0}
 */
public record VenueMargin(BigInteger equityNano, BigInteger mmCoreNano, BigInteger mmScaled, BigInteger imScaled) {

  static final BigInteger N = BigInteger.valueOf(1_000_000_000L);
  static final BigInteger PPM = BigInteger.valueOf(1_000_000L);
  static final BigInteger BPS = BigInteger.valueOf(10_000L);

  /**
   * Computes the margin of {@code leaf} at the venue's risk vector.
   *
   * @throws IllegalArgumentException when a held instrument has no risk entry
   */
  public static VenueMargin of(Venue venue, AccountLeaf leaf) {
    RiskGlobals g = venue.globals();
    int s = venue.sizes().scenarios();
    long[] b = leaf.balances();
    BigInteger e = BigInteger.ZERO;
    BigInteger[] lossMm = new BigInteger[s];
    BigInteger[] lossIm = new BigInteger[s];
    for (int k = 0; k < s; k++) {
      lossMm[k] = BigInteger.ZERO;
      lossIm[k] = BigInteger.ZERO;
    }
    for (int a = 0; a < b.length; a++) {
      BigInteger ba = BigInteger.valueOf(b[a]);
      e = e.add(ba.multiply(BigInteger.valueOf(g.collateralPrice()[a])));
      for (int k = 0; k < s; k++) {
        BigInteger c = ba.multiply(BigInteger.valueOf(g.collateralScenario()[a][k]));
        lossMm[k] = lossMm[k].subtract(c);
        lossIm[k] = lossIm[k].subtract(c);
      }
    }
    BigInteger floorMm = BigInteger.ZERO;
    BigInteger floorIm = BigInteger.ZERO;
    for (int j = 0; j < leaf.quantities().length; j++) {
      long q = leaf.quantities()[j];
      if (q == 0) {
        continue;
      }
      InstrumentRiskEntry r = venue.instruments().get(leaf.instrumentIds()[j]);
      if (r == null) {
        throw new IllegalArgumentException("slot " + j + " holds instrument " + leaf.instrumentIds()[j]
            + ", which the risk vector does not contain");
      }
      BigInteger qb = BigInteger.valueOf(q);
      BigInteger value = BigInteger.valueOf(r.mark())
          .subtract(BigInteger.valueOf(r.fundingIndex()).subtract(BigInteger.valueOf(leaf.fundingSnapshots()[j])));
      e = e.add(N.multiply(qb).multiply(value));
      for (int k = 0; k < s; k++) {
        lossMm[k] = lossMm[k].subtract(N.multiply(qb).multiply(BigInteger.valueOf(r.rmm()[k])));
        lossIm[k] = lossIm[k].subtract(N.multiply(qb).multiply(BigInteger.valueOf(r.rim()[k])));
      }
      BigInteger absQ = qb.abs();
      floorMm = floorMm.add(N.multiply(absQ).multiply(BigInteger.valueOf(r.floorMm())));
      floorIm = floorIm.add(N.multiply(absQ).multiply(BigInteger.valueOf(r.floorIm())));
    }
    BigInteger coreMm = BigInteger.ZERO;
    BigInteger coreIm = BigInteger.ZERO;
    for (int k = 0; k < s; k++) {
      coreMm = coreMm.max(lossMm[k]);
      coreIm = coreIm.max(lossIm[k]);
    }
    BigInteger tier = BigInteger.valueOf(g.tierFactorPpm()[(int) leaf.tier()]);
    return new VenueMargin(e, coreMm, coreMm.add(floorMm).multiply(tier), coreIm.add(floorIm).multiply(tier));
  }

  /** True iff {@code E * 10^4 * 10^6 >= MM * thresholdBps}, the statement the health circuit proves. */
  public boolean healthyAt(long thresholdBps) {
    return equityNano.multiply(BPS).multiply(PPM).compareTo(mmScaled.multiply(BigInteger.valueOf(thresholdBps))) >= 0;
  }

  /** The report figures: quote atoms (E rounded down, MM and IM up), health ratio in bps rounded down. */
  public HealthProofBackend.MarginFigures figures(List<HealthProofBackend.Greeks> greeks) {
    BigInteger nPpm = N.multiply(PPM);
    long equity = floorDiv(equityNano, N).longValueExact();
    long mm = ceilDiv(mmScaled, nPpm).longValueExact();
    long im = ceilDiv(imScaled, nPpm).longValueExact();
    boolean mmZero = mmScaled.signum() == 0;
    long ratio = 0;
    if (!mmZero && equityNano.signum() > 0) {
      BigInteger r = equityNano.multiply(BPS).multiply(PPM).divide(mmScaled);
      ratio = r.bitLength() < 63 ? r.longValue() : Long.MAX_VALUE;
    }
    boolean liquidatable = equityNano.multiply(PPM).compareTo(mmScaled) < 0;
    return new HealthProofBackend.MarginFigures(equity, im, mm, ratio, mmZero, liquidatable, greeks);
  }

  private static BigInteger floorDiv(BigInteger a, BigInteger b) {
    BigInteger[] qr = a.divideAndRemainder(b);
    return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
  }

  private static BigInteger ceilDiv(BigInteger a, BigInteger b) {
    BigInteger[] qr = a.divideAndRemainder(b);
    return qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
  }
}
