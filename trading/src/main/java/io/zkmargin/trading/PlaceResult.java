package io.zkmargin.trading;

/**
 * The engine's answer to one {@link MatchingEngine#place}: a reusable flyweight overwritten by the
 * next call (no allocation on accepted orders). Figures of a margin rejection are in quote atoms.
 */
public final class PlaceResult {
  Reject reject = Reject.NONE;
  long filled;
  boolean resting;
  String figure;
  long required;
  long equity;
  String detail;

  void reset() {
    reject = Reject.NONE;
    filled = 0;
    resting = false;
    figure = null;
    required = 0;
    equity = 0;
    detail = null;
  }

  /** True if the engine accepted the order (it may have filled, rested, or both). */
  public boolean accepted() {
    return reject == Reject.NONE;
  }

  /** Why the order was refused, {@link Reject#NONE} if accepted. */
  public Reject reject() {
    return reject;
  }

  /** Combo units filled on arrival. */
  public long filled() {
    return filled;
  }

  /** True if a remainder rests on the book. */
  public boolean resting() {
    return resting;
  }

  /**
   * On a {@link Reject#MARGIN} rejection: the figure that failed, {@code "IM"} or {@code "MM"} (the
   * larger of the two is the effective initial requirement); else null.
   */
  public String figure() {
    return figure;
  }

  /** On a margin rejection: the effective initial margin required, quote atoms. */
  public long required() {
    return required;
  }

  /** On a margin rejection: the equity it would have, quote atoms. */
  public long equity() {
    return equity;
  }

  /** On a margin rejection: by how much equity falls short, quote atoms ({@code > 0}). */
  public long shortfall() {
    return required - equity;
  }

  /** A human-readable reason (null when accepted). */
  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return accepted()
        ? "accepted, filled " + filled + (resting ? ", resting" : "")
        : "rejected " + reject + (detail == null ? "" : ": " + detail);
  }
}
