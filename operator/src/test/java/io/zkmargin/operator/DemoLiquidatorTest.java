package io.zkmargin.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.chain.OracleSigner;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.utils.Numeric;

/**
 * The demo venue as {@code ./zkm serve} uses it ({@code ./zkm demo --seed 7}): its liquidator, and
 * the L1 address of every genesis account.
 */
class DemoLiquidatorTest {
  @TempDir Path dir;

  /**
   * Each demo genesis leaf holds the address of the account's dev L1 key ({@code
   * DIR/keys/l1-<id>.key}, read back through {@link DemoL1Keys} and web3j: the address the escape
   * hatch pays on exit and that may request a forced withdrawal); venue.json keeps the addresses,
   * the seed alone determines them (a fresh folder gives the same state root), and the market
   * behind the venue is still found from the seed (dashboard, margin report, database import).
   */
  @Test
  void everyDemoGenesisLeafHoldsTheAddressOfItsL1Key() throws Exception {
    Venue v = DemoVenues.write(dir, 6, 7, CircuitSizes.TEST);
    java.util.Set<BigInteger> seen = new java.util.HashSet<>();
    for (var e : v.accounts().entrySet()) {
      BigInteger key =
          Numeric.toBigInt(OracleSigner.address(DemoL1Keys.loadOrCreate(dir, e.getKey())));
      assertNotEquals(BigInteger.ZERO, key);
      assertEquals(key, e.getValue().l1Address(), "account " + e.getKey());
      assertTrue(seen.add(key), "one key per account");
    }
    Venue loaded = VenueStore.load(dir);
    assertEquals(v.accounts(), loaded.accounts(), "venue.json keeps the L1 addresses");
    assertEquals(new CommittedVenue(v).stateRoot(), new CommittedVenue(loaded).stateRoot());
    Venue again = DemoVenues.write(dir.resolve("again"), 6, 7, CircuitSizes.TEST);
    assertEquals(new CommittedVenue(v).stateRoot(), new CommittedVenue(again).stateRoot());
    assertTrue(DemoVenues.market(loaded).isPresent(), "the market regenerates from the seed");
  }

  @Test
  void theRichestDemoAccountButTheFeeAccountAndTheFundWithItsOwnerKey() throws Exception {
    Venue v = DemoVenues.write(dir, 20, 7, CircuitSizes.TEST);
    RiskCommitment risk = new CommittedVenue(v).risk();
    Optional<LocalOperator.Liquidator> l = LocalOperator.demoLiquidator(v, risk);
    assertTrue(l.isPresent());
    long id = l.get().accountId();
    assertNotEquals(0L, id, "not the fee account");
    assertNotEquals(risk.globals().liquidation().insuranceFundId(), id, "not the fund");
    AccountLeaf leaf = v.accounts().get(id);
    assertEquals(leaf.ownerPkX(), l.get().key().publicKey().x());
    assertEquals(leaf.ownerPkY(), l.get().key().publicKey().y());
    for (var e : v.accounts().entrySet()) {
      if (e.getKey() != 0 && e.getKey() != risk.globals().liquidation().insuranceFundId()) {
        assertTrue(
            e.getValue().account().balances()[0] <= leaf.account().balances()[0],
            "account " + e.getKey() + " is not richer");
      }
    }
    System.out.println("zkm: the demo venue's liquidator (seed 7, 20 accounts) is account " + id);
    // a venue that is not a demo has none
    Venue plain = new Venue(v.sizes(), v.accounts(), v.riskVector(), Optional.empty());
    assertTrue(LocalOperator.demoLiquidator(plain, risk).isEmpty());
  }
}
