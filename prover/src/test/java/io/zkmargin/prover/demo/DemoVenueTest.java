package io.zkmargin.prover.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.product.PerpetualFuture;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoVenueTest {

  @Test
  void deterministicForASeedAndDifferentAcrossSeeds() {
    DemoVenue a = DemoVenue.generate(40, 77, CircuitSizes.PRODUCTION);
    DemoVenue b = DemoVenue.generate(40, 77, CircuitSizes.PRODUCTION);
    DemoVenue c = DemoVenue.generate(40, 78, CircuitSizes.PRODUCTION);
    assertEquals(a.accounts(), b.accounts());
    assertArrayEquals(a.ownerSecrets(), b.ownerSecrets());
    assertEquals(a.epoch(), b.epoch());
    assertNotEquals(a.accounts(), c.accounts());
  }

  @Test
  void ownerKeysComeFromTheCallersDerivation() {
    Set<Long> seen = new HashSet<>();
    DemoVenue v =
        DemoVenue.generate(
            10,
            5,
            CircuitSizes.TEST,
            secret -> {
              seen.add(secret);
              return new BigInteger[] {
                BigInteger.valueOf(secret), BigInteger.valueOf(secret).add(BigInteger.ONE)
              };
            });
    for (int i = 0; i < 10; i++) {
      AccountLeaf leaf = v.accounts().get(i);
      assertEquals(BigInteger.valueOf(v.ownerSecret(i)), leaf.ownerPkX());
      assertTrue(v.ownerSecret(i) > 0);
    }
    assertEquals(10, seen.size());
    assertThrows(IllegalArgumentException.class, () -> v.ownerSecret(10));
    assertThrows(
        IllegalArgumentException.class, () -> DemoVenue.generate(65, 1, CircuitSizes.TEST));
  }

  @Test
  void instrumentsAndPortfoliosFitTheCircuitAndAreMixed() {
    for (CircuitSizes sizes : new CircuitSizes[] {CircuitSizes.TEST, CircuitSizes.PRODUCTION}) {
      DemoVenue v = DemoVenue.generate(60, 3, sizes);
      int perps = 0;
      int options = 0;
      Set<String> underlyings = new HashSet<>();
      for (Instrument i : v.instruments()) {
        assertTrue(i.id() < (1 << sizes.instrumentDepth()));
        perps += i instanceof PerpetualFuture ? 1 : 0;
        options += i instanceof EuropeanOption ? 1 : 0;
        underlyings.add(i.underlying());
      }
      assertEquals(2, perps);
      assertTrue(options >= 6);
      assertEquals(Set.of("BTC", "ETH"), underlyings);
      int collateralOnly = 0;
      int withShortOption = 0;
      int spreads = 0;
      for (AccountLeaf leaf : v.accounts()) {
        leaf.checkFits(sizes);
        long used = 0;
        boolean shortOpt = false;
        boolean longOpt = false;
        for (int j = 0; j < leaf.quantities().length; j++) {
          if (leaf.quantities()[j] != 0) {
            used++;
            if (v.instrument(leaf.instrumentIds()[j]) instanceof EuropeanOption) {
              shortOpt |= leaf.quantities()[j] < 0;
              longOpt |= leaf.quantities()[j] > 0;
            }
          }
        }
        collateralOnly += used == 0 ? 1 : 0;
        withShortOption += shortOpt ? 1 : 0;
        spreads += shortOpt && longOpt ? 1 : 0;
      }
      assertTrue(
          collateralOnly > 0 && withShortOption > 0 && spreads > 0,
          sizes + ": " + collateralOnly + " " + withShortOption + " " + spreads);
    }
  }
}
