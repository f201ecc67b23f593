package io.zkmargin.risk.util;

/**
 * Argument checks at the door of a public method or constructor, in the style of OpenGamma Strata's
 * {@code ArgChecker}: each check returns its argument when it holds and throws {@link
 * IllegalArgumentException} with a message naming the argument, its allowed range and the value it
 * was, when it does not.
 *
 * <p>Messages: {@code isTrue}/{@code isFalse} take a template whose {@code {}} placeholders are
 * replaced, in order, by the arguments ({@code String.valueOf}); an argument without a placeholder
 * is appended in square brackets, so no value is lost. The range checks say {@code "NAME must be in
 * [MIN, MAX], was V"} (inclusive) or {@code "NAME must be in [MIN, MAX), was V"} (exclusive upper
 * bound).
 */
public final class ArgChecker {
  private ArgChecker() {}

  /**
   * Checks that a condition holds.
   *
   * @param condition the condition that must be true
   * @param message the message of the exception, with {@code {}} placeholders for {@code args}
   * @param args the values substituted into the placeholders
   * @throws IllegalArgumentException with the formatted message when {@code condition} is false
   */
  public static void isTrue(boolean condition, String message, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(format(message, args));
    }
  }

  /**
   * Checks that a condition does not hold.
   *
   * @throws IllegalArgumentException with the formatted message when {@code condition} is true
   */
  public static void isFalse(boolean condition, String message, Object... args) {
    if (condition) {
      throw new IllegalArgumentException(format(message, args));
    }
  }

  /**
   * Checks that an argument is not null.
   *
   * @param argument the argument
   * @param name the argument's name, for the message
   * @return {@code argument}
   * @throws IllegalArgumentException {@code "NAME must not be null"} when it is null
   */
  public static <T> T notNull(T argument, String name) {
    if (argument == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return argument;
  }

  /**
   * Checks that an argument is {@code >= 0}.
   *
   * @return {@code value}
   * @throws IllegalArgumentException {@code "NAME must be >= 0, was V"} when it is negative
   */
  public static long notNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
    return value;
  }

  /** {@link #notNegative(long, String)} for an {@code int}. */
  public static int notNegative(int value, String name) {
    notNegative((long) value, name);
    return value;
  }

  /**
   * Checks that an argument is {@code > 0}.
   *
   * @return {@code value}
   * @throws IllegalArgumentException {@code "NAME must be > 0, was V"} when it is zero or negative
   */
  public static long notNegativeOrZero(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }

  /**
   * Checks that an argument is in {@code [min, max]} (both inclusive).
   *
   * @return {@code value}
   * @throws IllegalArgumentException {@code "NAME must be in [MIN, MAX], was V"} when it is outside
   */
  public static long inRange(long value, long min, long max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /**
   * Checks that an argument is in {@code [min, maxExclusive)}: the form of an index or an id below
   * a power of two.
   *
   * @return {@code value}
   * @throws IllegalArgumentException {@code "NAME must be in [MIN, MAX), was V"} when it is outside
   */
  public static long inRangeExclusive(long value, long min, long maxExclusive, String name) {
    if (value < min || value >= maxExclusive) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + maxExclusive + "), was " + value);
    }
    return value;
  }

  /** {@link #inRangeExclusive(long, long, long, String)} for an {@code int} index. */
  public static int inRangeExclusive(int value, int min, int maxExclusive, String name) {
    inRangeExclusive((long) value, min, maxExclusive, name);
    return value;
  }

  /**
   * Replaces each {@code {}} by the next argument; appends any arguments left over in square
   * brackets.
   */
  static String format(String template, Object... args) {
    if (args == null || args.length == 0) {
      return template;
    }
    StringBuilder sb = new StringBuilder(template.length() + 16 * args.length);
    int from = 0;
    int i = 0;
    for (; i < args.length; i++) {
      int at = template.indexOf("{}", from);
      if (at < 0) {
        break;
      }
      sb.append(template, from, at).append(args[i]);
      from = at + 2;
    }
    sb.append(template, from, template.length());
    if (i < args.length) {
      sb.append(" [");
      for (int j = i; j < args.length; j++) {
        sb.append(j > i ? ", " : "").append(args[j]);
      }
      sb.append(']');
    }
    return sb.toString();
  }
}
