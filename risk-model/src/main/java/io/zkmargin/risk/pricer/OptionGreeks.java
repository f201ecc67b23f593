package io.zkmargin.risk.pricer;

/**
 * Price and Greeks of one unit of an option (double, off-circuit analytics), per unit of the
 * underlying. Units follow the price unit of the inputs (e.g. quote units per underlying unit);
 * time in years; vol as a fraction (0.6 = 60%). Signs: long position.
 *
 * @param price option value
 * @param delta dV/dS, per unit of underlying (calls in [0, 1], puts in [-1, 0])
 * @param gamma d2V/dS2, per unit of price squared
 * @param vega dV/dsigma, per 1.00 of vol (divide by 100 for one vol point)
 * @param theta dV/dt as calendar time passes, per year (usually negative)
 * @param vanna d2V/dS dsigma, per 1.00 of vol
 * @param charm d(delta)/dt as calendar time passes, per year
 */
public record OptionGreeks(
    double price,
    double delta,
    double gamma,
    double vega,
    double theta,
    double vanna,
    double charm) {}
