package io.zkmargin.risk.fixed;

/**
 * Rounding direction of a fixed-point or integer division.
 *
 * <p>Directions are absolute (toward minus or plus infinity), not toward zero, so that
 * "conservative" has one meaning for every sign: losses and margins use {@link #CEILING} on charges
 * and {@link #FLOOR} on values, collateral values use {@link #FLOOR}.
 */
public enum Rounding {
  /** Toward minus infinity (the largest integer not above the exact quotient). */
  FLOOR,
  /** Toward plus infinity (the smallest integer not below the exact quotient). */
  CEILING,
  /** To the nearest integer, exact halves toward plus infinity. */
  NEAREST
}
