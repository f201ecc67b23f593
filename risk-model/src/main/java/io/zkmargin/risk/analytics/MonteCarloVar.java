package io.zkmargin.risk.analytics;

import io.zkmargin.risk.market.OracleEpoch;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One-day Value at Risk by Monte Carlo over correlated underlyings: log-normal spot moves with each
 * underlying's ATM implied vol scaled to one day, a correlation matrix through its Cholesky factor,
 * antithetic pairs, full revaluation of the portfolio one day later with unchanged vols. Seeded and
 * hence reproducible (Box-Muller on {@link SplittableRandom} with {@link StrictMath}).
 *
 * @param underlyings the underlyings simulated, in matrix order
 * @param correlation correlation matrix (symmetric, unit diagonal, positive definite)
 * @param paths number of paths, even, {@code >= 100}
 * @param confidence confidence level in (0.5, 1), e.g. 0.99
 * @param seed random seed
 */
public record MonteCarloVar(
    List<String> underlyings, double[][] correlation, int paths, double confidence, long seed) {
  private static final long DAY = 86_400;

  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public MonteCarloVar {
    underlyings = List.copyOf(underlyings);
    int n = underlyings.size();
    if (n == 0 || correlation.length != n) {
      throw new IllegalArgumentException("correlation must be n x n for n = " + n + " underlyings");
    }
    for (double[] row : correlation) {
      if (row.length != n) {
        throw new IllegalArgumentException("correlation must be square");
      }
    }
    if (paths < 100 || paths % 2 != 0) {
      throw new IllegalArgumentException("paths must be even and >= 100, was " + paths);
    }
    if (!(confidence > 0.5 && confidence < 1)) {
      throw new IllegalArgumentException("confidence must be in (0.5, 1), was " + confidence);
    }
    correlation = Arrays.stream(correlation).map(double[]::clone).toArray(double[][]::new);
    cholesky(correlation); // validates
  }

  /** BTC and ETH with correlation 0.8, 10,000 paths, 99%, seed 1. */
  public static MonteCarloVar defaults() {
    return new MonteCarloVar(
        List.of("BTC", "ETH"), new double[][] {{1, 0.8}, {0.8, 1}}, 10_000, 0.99, 1);
  }

  /**
   * The result of a VaR run, quote units.
   *
   * @param valueAtRisk loss not exceeded with the confidence level, {@code >= 0} when a loss
   * @param expectedShortfall mean loss beyond the VaR
   * @param meanPnl mean simulated P&amp;L
   */
  public record Result(double valueAtRisk, double expectedShortfall, double meanPnl) {}

  /**
   * Runs the simulation.
   *
   * @param portfolio holdings
   * @param epoch market data (spots and ATM vols of the simulated underlyings)
   * @return VaR, expected shortfall and mean P&amp;L, quote units
   */
  public Result run(Portfolio portfolio, OracleEpoch epoch) {
    int n = underlyings.size();
    double[][] l = cholesky(correlation);
    double[] dailyVol = new double[n];
    for (int i = 0; i < n; i++) {
      dailyVol[i] = epoch.quote(underlyings.get(i)).atmVol() / 1e18 / Math.sqrt(365);
    }
    PortfolioAnalytics pa = PortfolioAnalytics.DEFAULT;
    double base = pa.value(portfolio, epoch, Map.of(), Map.of(), false, 0);
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] pnl = new double[paths];
    double[] z = new double[n];
    double[] x = new double[n];
    for (int p = 0; p < paths; p += 2) {
      for (int i = 0; i < n; i++) {
        z[i] = gaussian(rnd);
      }
      for (int sign = 1; sign >= -1; sign -= 2) {
        Map<String, Double> factors = new TreeMap<>();
        for (int i = 0; i < n; i++) {
          x[i] = 0;
          for (int k = 0; k <= i; k++) {
            x[i] += l[i][k] * z[k] * sign;
          }
          factors.put(
              underlyings.get(i),
              StrictMath.exp(dailyVol[i] * x[i] - 0.5 * dailyVol[i] * dailyVol[i]));
        }
        pnl[p + (sign == 1 ? 0 : 1)] =
            pa.value(portfolio, epoch, factors, Map.of(), false, DAY) - base;
      }
    }
    double mean = Arrays.stream(pnl).sum() / paths;
    Arrays.sort(pnl);
    int idx = (int) Math.floor((1 - confidence) * paths);
    double var = -pnl[idx];
    double tail = 0;
    for (int i = 0; i <= idx; i++) {
      tail += pnl[i];
    }
    return new Result(var, -tail / (idx + 1), mean);
  }

  private static double gaussian(SplittableRandom rnd) {
    double u1 = 1.0 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
  }

  /** Lower Cholesky factor; throws if the matrix is not symmetric positive definite. */
  static double[][] cholesky(double[][] a) {
    int n = a.length;
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        if (Math.abs(a[i][j] - a[j][i]) > 1e-12) {
          throw new IllegalArgumentException("correlation matrix is not symmetric");
        }
        double s = a[i][j];
        for (int k = 0; k < j; k++) {
          s -= l[i][k] * l[j][k];
        }
        if (i == j) {
          if (s <= 0) {
            throw new IllegalArgumentException("correlation matrix is not positive definite");
          }
          l[i][i] = Math.sqrt(s);
        } else {
          l[i][j] = s / l[j][j];
        }
      }
    }
    return l;
  }
}
