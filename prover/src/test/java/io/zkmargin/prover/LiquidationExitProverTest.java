package io.zkmargin.prover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.HealthWitness;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The liquidation-eligibility and exit circuits for real at the test size: demo venue, witness JSON
 * from Java, the gnark prover through JNI with keys from the key store by circuit id, and
 * verification (a changed public input fails). One proof of each.
 */
class LiquidationExitProverTest {
  private static final CircuitSizes SIZES = CircuitSizes.TEST;
  private static final BigInteger KEEPER =
      new BigInteger("a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", 16);

  @TempDir static Path dir;
  private static KeyStore keys;
  private static CommittedVenue venue;
  private static long liquidatable = -1;
  private static long healthy = -1;

  @BeforeAll
  static void venue() throws Exception {
    keys = KeyStore.openDefault();
    DemoVenues.write(dir, 12, 42, SIZES);
    venue = new CommittedVenue(VenueStore.load(dir));
    for (var e : venue.venue().accounts().entrySet()) {
      MarginResult m = MarginCalculator.DEFAULT.evaluate(venue.venue().riskVector(), e.getValue());
      if (m.isLiquidatable() && liquidatable < 0) {
        liquidatable = e.getKey();
      } else if (!m.isLiquidatable() && healthy < 0 && m.equityNano().signum() > 0) {
        healthy = e.getKey();
      }
    }
    assertTrue(liquidatable >= 0 && healthy >= 0, "the demo venue has both kinds of account");
  }

  @AfterAll
  static void closeKeys() {
    keys.close();
  }

  private static ProofFile withInput(ProofFile p, int i, BigInteger v) {
    List<BigInteger> in = new ArrayList<>(p.publicInputs());
    in.set(i, v);
    return new ProofFile(p.circuitId(), p.verifyingKeyHash(), in, p.proof(), p.setup());
  }

  @Test
  void liquidatableAccountProvesAndHealthyAccountIsRefused() throws Exception {
    LiquidationProver prover = new LiquidationProver(keys);
    ProofFile p = prover.prove(venue, liquidatable, KEEPER);
    assertEquals("liquidation-D6-I3-P2-A2-S4-T2", p.circuitId());
    assertEquals(
        List.of(venue.stateRoot(), venue.riskRoot(), BigInteger.valueOf(liquidatable), KEEPER),
        p.publicInputs());
    assertTrue(prover.verify(p));
    assertFalse(prover.verify(withInput(p, 3, KEEPER.add(BigInteger.ONE))), "another keeper");
    assertFalse(prover.verify(withInput(p, 2, BigInteger.valueOf(healthy))), "another account");
    assertThrows(
        LiquidationProver.NotLiquidatableException.class,
        () -> prover.prove(venue, healthy, KEEPER));
  }

  /**
   * A closed-out account in debt (E < 0 <= MM: liquidatable by the inequality alone) holds nothing
   * to take: both prove methods refuse it before any witness reaches the circuit, which could not
   * prove it (circuits/liquidation TestNothingToTakeFails).
   */
  @Test
  void closedOutAccountInDebtIsRefused() {
    Venue v = venue.venue();
    long id = v.accounts().lastKey() + 1;
    AccountLeaf any = v.accounts().firstEntry().getValue();
    int p = SIZES.positionSlots();
    long[] balances = new long[SIZES.collateralAssets()];
    balances[0] = -1_000_000;
    AccountLeaf closed =
        new AccountLeaf(
            any.ownerPkX(), any.ownerPkY(), 0, 0, balances, new long[p], new long[p], new long[p]);
    TreeMap<Long, AccountLeaf> accounts = new TreeMap<>(v.accounts());
    accounts.put(id, closed);
    CommittedVenue withClosed =
        new CommittedVenue(new Venue(v.sizes(), accounts, v.riskVector(), v.demo()));
    MarginResult m = MarginCalculator.DEFAULT.evaluate(v.riskVector(), closed);
    assertTrue(m.isLiquidatable(), "the inequality alone calls it liquidatable");
    assertFalse(LiquidationProver.hasTake(closed));
    assertTrue(LiquidationProver.hasTake(venue.venue().account(liquidatable)));

    LiquidationProver prover = new LiquidationProver(keys);
    LiquidationProver.NotLiquidatableException e =
        assertThrows(
            LiquidationProver.NotLiquidatableException.class,
            () -> prover.prove(withClosed, id, KEEPER));
    assertTrue(e.getMessage().contains("nothing to take"), e.getMessage());
    HealthWitness w =
        HealthWitness.build(
            SIZES, withClosed.stateTree(), closed, id, withClosed.risk(), 0, m.maintenanceCore());
    IllegalArgumentException e2 =
        assertThrows(
            IllegalArgumentException.class,
            () -> prover.prove(w, LiquidationProver.scenario(m, SIZES), KEEPER));
    assertTrue(e2.getMessage().contains("nothing to take"), e2.getMessage());
  }

  @Test
  void exitPaysTheEquityAtTheMarks() {
    ExitProver prover = new ExitProver(keys);
    ProofFile p = prover.prove(venue, healthy);
    assertEquals("exit-D6-I3-P2-A2-S4-T2", p.circuitId());
    MarginResult m =
        MarginCalculator.DEFAULT.evaluate(
            venue.venue().riskVector(), venue.venue().account(healthy));
    BigInteger payout = BigInteger.valueOf(m.equityQuoteAtoms());
    assertTrue(payout.signum() > 0);
    assertEquals(ExitProver.PUBLIC_INPUTS, p.publicInputs().size());
    assertEquals(
        ExitProver.exitRoots(venue.stateRoot(), venue.riskRoot()), p.publicInputs().get(0));
    assertEquals(
        ExitProver.packAccountAndAddress(healthy, venue.venue().account(healthy).l1Address()),
        p.publicInputs().get(1));
    assertEquals(payout, p.publicInputs().get(2));
    assertTrue(prover.verify(p));
    assertFalse(prover.verify(withInput(p, 2, payout.add(BigInteger.ONE))), "one atom more");
    assertFalse(
        prover.verify(
            withInput(
                p,
                0,
                ExitProver.exitRoots(venue.stateRoot().add(BigInteger.ONE), venue.riskRoot()))),
        "the roots of another state");
  }
}
