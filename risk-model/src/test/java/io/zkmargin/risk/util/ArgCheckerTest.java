package io.zkmargin.risk.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArgCheckerTest {

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void isTrueFormatsPlaceholdersInOrderAndKeepsExtraArguments() {
    ArgChecker.isTrue(true, "never {}", 1);
    assertEquals(
        "scenario 7 outside [0, 4)",
        message(() -> ArgChecker.isTrue(false, "scenario {} outside [0, {})", 7, 4)));
    assertEquals(
        "no placeholder [1, x]", message(() -> ArgChecker.isTrue(false, "no placeholder", 1, "x")));
    assertEquals("a null {}", message(() -> ArgChecker.isTrue(false, "a {} {}", (Object) null)));
    assertEquals("plain", message(() -> ArgChecker.isFalse(true, "plain")));
  }

  @Test
  void notNullReturnsItsArgument() {
    Object o = new Object();
    assertSame(o, ArgChecker.notNull(o, "o"));
    assertEquals("grid must not be null", message(() -> ArgChecker.notNull(null, "grid")));
  }

  @Test
  void rangeChecksNameTheBoundsAndTheValue() {
    assertEquals(5, ArgChecker.inRange(5, 5, 9, "d"));
    assertEquals(9, ArgChecker.inRange(9, 5, 9, "d"));
    assertEquals(
        "tree depth must be in [1, 62], was 63",
        message(() -> ArgChecker.inRange(63, 1, 62, "tree depth")));
    assertEquals(3, ArgChecker.inRangeExclusive(3, 0, 4, "i"));
    assertEquals(
        "i must be in [0, 4), was 4", message(() -> ArgChecker.inRangeExclusive(4, 0, 4, "i")));
    assertEquals(0, ArgChecker.notNegative(0, "n"));
    assertEquals("nonce must be >= 0, was -1", message(() -> ArgChecker.notNegative(-1L, "nonce")));
    assertEquals(
        "lot size must be > 0, was 0", message(() -> ArgChecker.notNegativeOrZero(0, "lot size")));
  }
}
