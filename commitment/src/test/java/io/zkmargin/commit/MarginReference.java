package io.zkmargin.commit;

import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;

/**
 * Test-scope reference of docs/ENCODING.md "Margin", in exact BigInteger arithmetic, used to label
 * the health witness vectors (the production margin model lives elsewhere and is not used here).
 *
 * <p>All amounts in nano quote atoms ({@code N = 10^9} x quote atoms); MM and IM additionally x
 * ppm.
 */
final class MarginReference {
  static final BigInteger N = BigInteger.TEN.pow(9);
  static final BigInteger PPM = BigInteger.TEN.pow(6);
  static final BigInteger BPS = BigInteger.TEN.pow(4);

  /**
   * @param equity E
   * @param lossMm L[s] with Rmm
   * @param mmCore max(0, max_s L[s])
   * @param mm (MMcore + N sum |q| floorMm) * tierFactorPpm
   * @param lossIm L[s] with Rim
   * @param imCore max(0, max_s Lim[s])
   * @param im (IMcore + N sum |q| floorIm) * tierFactorPpm
   */
  record Margin(
      BigInteger equity,
      BigInteger[] lossMm,
      BigInteger mmCore,
      BigInteger mm,
      BigInteger[] lossIm,
      BigInteger imCore,
      BigInteger im) {

    /** {@code E * 10^4 * 10^6 >= MM * thresholdBps}. */
    boolean healthy(long thresholdBps) {
      return equity
              .multiply(BPS)
              .multiply(PPM)
              .compareTo(mm.multiply(BigInteger.valueOf(thresholdBps)))
          >= 0;
    }

    /** {@code E * 10^6 < MM}. */
    boolean liquidatable() {
      return equity.multiply(PPM).compareTo(mm) < 0;
    }

    /** floor(E / N), quote atoms. */
    BigInteger equityQuoteAtoms() {
      BigInteger[] qr = equity.divideAndRemainder(N);
      return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    /** ceil(x / (N * 10^6)) for x >= 0, quote atoms. */
    static BigInteger ceilQuote(BigInteger x) {
      BigInteger d = N.multiply(PPM);
      return x.add(d).subtract(BigInteger.ONE).divide(d);
    }
  }

  private MarginReference() {}

  static Margin compute(AccountLeaf leaf, RiskCommitment risk) {
    RiskGlobals g = risk.globals();
    int a = leaf.balances().length;
    int s = risk.sizes().scenarios();
    BigInteger e = BigInteger.ZERO;
    BigInteger[] lmm = new BigInteger[s];
    BigInteger[] lim = new BigInteger[s];
    java.util.Arrays.fill(lmm, BigInteger.ZERO);
    java.util.Arrays.fill(lim, BigInteger.ZERO);
    BigInteger floorMm = BigInteger.ZERO;
    BigInteger floorIm = BigInteger.ZERO;
    for (int i = 0; i < a; i++) {
      BigInteger b = BigInteger.valueOf(leaf.balances()[i]);
      // a holding at the haircut price, a debt at the debt price (docs/ENCODING.md "Margin")
      long price = b.signum() < 0 ? g.debtPrice()[i] : g.collateralPrice()[i];
      e = e.add(b.multiply(BigInteger.valueOf(price)));
      for (int k = 0; k < s; k++) {
        BigInteger c = b.multiply(BigInteger.valueOf(g.collateralScenario()[i][k]));
        lmm[k] = lmm[k].add(c);
        lim[k] = lim[k].add(c);
      }
    }
    for (int j = 0; j < leaf.quantities().length; j++) {
      long q = leaf.quantities()[j];
      if (q == 0) {
        continue;
      }
      InstrumentRiskEntry en = risk.entry(leaf.instrumentIds()[j]);
      BigInteger bq = BigInteger.valueOf(q);
      BigInteger value =
          BigInteger.valueOf(en.mark())
              .subtract(
                  BigInteger.valueOf(en.fundingIndex())
                      .subtract(BigInteger.valueOf(leaf.fundingSnapshots()[j])));
      e = e.add(N.multiply(bq).multiply(value));
      for (int k = 0; k < s; k++) {
        lmm[k] = lmm[k].add(N.multiply(bq).multiply(BigInteger.valueOf(en.rmm()[k])));
        lim[k] = lim[k].add(N.multiply(bq).multiply(BigInteger.valueOf(en.rim()[k])));
      }
      floorMm = floorMm.add(N.multiply(bq.abs()).multiply(BigInteger.valueOf(en.floorMm())));
      floorIm = floorIm.add(N.multiply(bq.abs()).multiply(BigInteger.valueOf(en.floorIm())));
    }
    BigInteger mmCore = BigInteger.ZERO;
    BigInteger imCore = BigInteger.ZERO;
    for (int k = 0; k < s; k++) {
      lmm[k] = lmm[k].negate();
      lim[k] = lim[k].negate();
      mmCore = mmCore.max(lmm[k]);
      imCore = imCore.max(lim[k]);
    }
    BigInteger tf = BigInteger.valueOf(g.tierFactorPpm()[(int) leaf.tier()]);
    return new Margin(
        e,
        lmm,
        mmCore,
        mmCore.add(floorMm).multiply(tf),
        lim,
        imCore,
        imCore.add(floorIm).multiply(tf));
  }
}
