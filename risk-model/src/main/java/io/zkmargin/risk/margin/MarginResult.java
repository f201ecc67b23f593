package io.zkmargin.risk.margin;

import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;

/**
 * The margin of one account at one risk vector, in the exact integer units of docs/ENCODING.md
 * "Margin": equity E in nano quote atoms (quote atoms x 10^9), MM and IM in nano quote atoms x ppm
 * (tier factor applied), MMcore/IMcore in nano quote atoms. Mutable and reusable: {@link
 * MarginCalculator#evaluate} overwrites it without allocating, so one instance per thread serves
 * any number of accounts. Not thread-safe.
 */
public final class MarginResult {
  static final long N = MarginCalculator.N;
  private static final long PPM = 1_000_000L;

  final int scenarios;
  // scratch for the calculator
  final long[] posMm;
  final long[] posIm;
  final long[] collHi;
  final long[] collLo;
  // per-scenario maintenance loss L[s], nano quote atoms
  final long[] lossHi;
  final long[] lossLo;

  long eHi;
  long eLo;
  long mmCoreHi;
  long mmCoreLo;
  long imCoreHi;
  long imCoreLo;
  long mmHi;
  long mmLo;
  long imHi;
  long imLo;
  int worstMm;
  int worstIm;
  long tierPpm;

  /**
   * A result holder for vectors with the given scenario count.
   *
   * @param scenarios S, {@code >= 1}
   */
  public MarginResult(int scenarios) {
    ArgChecker.isTrue(scenarios >= 1, "scenarios must be >= 1, was {}", scenarios);
    this.scenarios = scenarios;
    posMm = new long[scenarios];
    posIm = new long[scenarios];
    collHi = new long[scenarios];
    collLo = new long[scenarios];
    lossHi = new long[scenarios];
    lossLo = new long[scenarios];
  }

  /** Number of scenarios S. */
  public int scenarios() {
    return scenarios;
  }

  /**
   * True iff {@code E * 10^4 * 10^6 >= MM * thresholdBps} (the health circuit's claim).
   *
   * @param thresholdBps threshold in basis points of MM (10_000 = equity at least MM), in {@code
   *     [0, 2^32)}
   */
  public boolean isHealthy(long thresholdBps) {
    ArgChecker.isTrue(
        thresholdBps >= 0 && thresholdBps < (1L << 32),
        "threshold must be in [0, 2^32) bps, was {}",
        thresholdBps);
    if (eHi < 0) {
      return false;
    }
    return Wide.compareProducts(eHi, eLo, 10_000_000_000L, mmHi, mmLo, thresholdBps) >= 0;
  }

  /** True iff {@code E * 10^6 < MM}: the account may be liquidated. */
  public boolean isLiquidatable() {
    if (eHi < 0) {
      return true;
    }
    return Wide.compareProducts(eHi, eLo, PPM, mmHi, mmLo, 1) < 0;
  }

  /**
   * True iff {@code E * 10^6 >= max(IM, MM)}: trades and withdrawals leaving the account in this
   * state are allowed. The ENCODING.md formula computes IM and MM independently; for some hedged
   * books the wider IM grid yields a smaller IM than MM (the grid points are not nested), so the
   * effective initial requirement is the larger one.
   */
  public boolean meetsInitialMargin() {
    if (eHi < 0) {
      return false;
    }
    return Wide.compareProducts(eHi, eLo, PPM, imHi, imLo, 1) >= 0
        && Wide.compareProducts(eHi, eLo, PPM, mmHi, mmLo, 1) >= 0;
  }

  /** Equity E, nano quote atoms (exact). */
  public BigInteger equityNano() {
    return Wide.toBigInteger(eHi, eLo);
  }

  /** MM = (MMcore + N sum |q| floorMm) x tier ppm, nano quote atoms x ppm (exact). */
  public BigInteger maintenanceScaled() {
    return Wide.toBigInteger(mmHi, mmLo);
  }

  /**
   * IM by the ENCODING.md formula, nano quote atoms x ppm (exact); the effective requirement is
   * max(IM, MM).
   */
  public BigInteger initialScaled() {
    return Wide.toBigInteger(imHi, imLo);
  }

  /** MMcore = max(0, max_s L[s]), nano quote atoms: the health witness's {@code mmBound}. */
  public BigInteger maintenanceCore() {
    return Wide.toBigInteger(mmCoreHi, mmCoreLo);
  }

  /** IMcore, nano quote atoms. */
  public BigInteger initialCore() {
    return Wide.toBigInteger(imCoreHi, imCoreLo);
  }

  /** Equity in quote atoms, {@code floor(E / 10^9)}. */
  public long equityQuoteAtoms() {
    return floorDiv(equityNano(), BigInteger.valueOf(N)).longValueExact();
  }

  /** Maintenance margin in quote atoms, {@code ceil(MM / (10^9 * 10^6))}. */
  public long maintenanceQuoteAtoms() {
    return ceilDiv(maintenanceScaled(), BigInteger.valueOf(N * PPM)).longValueExact();
  }

  /** Effective initial margin in quote atoms, {@code ceil(max(IM, MM) / (10^9 * 10^6))}. */
  public long initialQuoteAtoms() {
    return ceilDiv(initialScaled().max(maintenanceScaled()), BigInteger.valueOf(N * PPM))
        .longValueExact();
  }

  /**
   * Health ratio E / MM in basis points, rounded down ({@code Long.MAX_VALUE} when MM = 0 and E
   * &gt;= 0; negative when E &lt; 0). Off the hot path (allocates).
   */
  public long healthRatioBps() {
    BigInteger mm = maintenanceScaled();
    BigInteger num = equityNano().multiply(BigInteger.valueOf(10_000L * PPM));
    if (mm.signum() == 0) {
      return num.signum() >= 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    BigInteger r = floorDiv(num, mm);
    return r.bitLength() < 63 ? r.longValue() : (r.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE);
  }

  /** The maintenance scenario with the largest loss (first on ties), or -1 if no scenario loses. */
  public int worstMaintenanceScenario() {
    return worstMm;
  }

  /** The initial-margin scenario with the largest loss, or -1. */
  public int worstInitialScenario() {
    return worstIm;
  }

  /** Tier factor applied, ppm. */
  public long tierFactorPpm() {
    return tierPpm;
  }

  /**
   * Portfolio P&amp;L under maintenance scenario s, quote atoms, rounded down: {@code floor(-L[s] /
   * 10^9)} (positive = gain; extreme scenarios already weighted).
   */
  public long scenarioPnlQuoteAtoms(int s) {
    ArgChecker.isTrue(s >= 0 && s < scenarios, "scenario {} outside [0, {})", s, scenarios);
    return floorDiv(Wide.toBigInteger(lossHi[s], lossLo[s]).negate(), BigInteger.valueOf(N))
        .longValueExact();
  }

  /** Loss L[s] of maintenance scenario s, nano quote atoms (exact). */
  public BigInteger scenarioLossNano(int s) {
    return Wide.toBigInteger(lossHi[s], lossLo[s]);
  }

  /** An immutable summary in quote atoms. */
  public MarginSummary summary() {
    long[] pnl = new long[scenarios];
    for (int s = 0; s < scenarios; s++) {
      pnl[s] = scenarioPnlQuoteAtoms(s);
    }
    return new MarginSummary(
        equityQuoteAtoms(),
        maintenanceQuoteAtoms(),
        initialQuoteAtoms(),
        healthRatioBps(),
        isLiquidatable(),
        meetsInitialMargin(),
        worstMm,
        pnl);
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
