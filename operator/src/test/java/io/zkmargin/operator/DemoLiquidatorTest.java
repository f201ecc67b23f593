package io.zkmargin.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The liquidator {@code ./zkm serve} uses on the demo venue ({@code ./zkm demo --seed 7}). */
class DemoLiquidatorTest {
  @TempDir Path dir;

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
