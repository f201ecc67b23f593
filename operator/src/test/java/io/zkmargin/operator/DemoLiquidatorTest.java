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
import java.util.List;
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
  void theDemoAccountsButTheFeeAccountAndTheFundRichestFirstWithTheirOwnerKeys() throws Exception {
    Venue v = DemoVenues.write(dir, 20, 7, CircuitSizes.TEST);
    RiskCommitment risk = new CommittedVenue(v).risk();
    long fund = risk.globals().liquidation().insuranceFundId();
    List<LocalOperator.Liquidator> ls = LocalOperator.demoLiquidators(v, risk);
    long others = v.accounts().keySet().stream().filter(id -> id != 0 && id != fund).count();
    assertEquals(others, ls.size(), "every demo account but the fee account and the fund");
    long previous = Long.MAX_VALUE;
    for (LocalOperator.Liquidator l : ls) {
      long id = l.accountId();
      assertNotEquals(0L, id, "not the fee account");
      assertNotEquals(fund, id, "not the fund");
      AccountLeaf leaf = v.accounts().get(id);
      assertEquals(leaf.ownerPkX(), l.key().publicKey().x(), "account " + id + "'s owner key");
      assertEquals(leaf.ownerPkY(), l.key().publicKey().y());
      long quote = leaf.account().balances()[0];
      assertTrue(quote <= previous, "richest first: account " + id);
      previous = quote;
    }
    System.out.println(
        "zkm: the demo venue's first liquidator (seed 7, 20 accounts) is account "
            + ls.get(0).accountId());
    // a venue that is not a demo has none
    Venue plain = new Venue(v.sizes(), v.accounts(), v.riskVector(), Optional.empty());
    assertTrue(LocalOperator.demoLiquidators(plain, risk).isEmpty());
  }
}
