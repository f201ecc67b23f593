package io.zkmargin.dac;

import static io.zkmargin.dac.DacFixtures.N;
import static io.zkmargin.dac.DacFixtures.R;
import static io.zkmargin.dac.DacFixtures.T0;
import static io.zkmargin.dac.DacFixtures.USDC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.Rule;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A committee member replays a settle-expiry batch (kind 5): at genesis accounts 1 and 2 hold +6
 * and -6 lots of instrument 1 (here a dated future) that has settled at 31 USDC a lot; a batch of
 * two settle-expiry slots closes both. The replayed state has the batch's new root; the same batch
 * claiming another position slot is refused.
 */
class ReplaySettleExpiryTest {
  private static RiskCommitment settled() {
    RiskCommitment r = DacFixtures.risk();
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(r.entries());
    m.put(1L, InstrumentRiskEntry.settledAt(31 * USDC, 120_000L, r.sizes().scenarios()));
    return new RiskCommitment(r.sizes(), m, r.globals());
  }

  private static String batch() {
    Ledger l = DacFixtures.genesis().ledger();
    l.beginBatch(settled(), T0);
    BatchWitness.Builder b = BatchWitness.builder(l, N, R, BigInteger.ZERO);
    assertEquals(Rule.OK, b.settleExpiry(1, 0));
    assertEquals(Rule.OK, b.settleExpiry(2, 0));
    assertEquals(100 * USDC + 6 * 31 * USDC, l.balance(1, 0));
    return b.finish().toJson();
  }

  @Test
  void aMemberReplaysSettleExpiry() throws Exception {
    String json = batch();
    WitnessDocument doc = WitnessDocument.parse(json.getBytes(StandardCharsets.UTF_8));
    ReplayState s = new ReplayState(DacFixtures.genesis());
    s.apply(1, doc, () -> new ReplayState(DacFixtures.genesis()));
    assertEquals(doc.newRoot(), s.root());
    assertEquals(0, s.ledger().quantity(2, 0));
    assertEquals(100 * USDC - 6 * 31 * USDC, s.ledger().balance(2, 0));
  }

  @Test
  void aSettleExpiryOfAnotherSlotIsRefused() throws Exception {
    // slot 1 of account 1 is empty: the ledger refuses it (BAD_SLOT) and the member with it
    String honest = batch();
    String json = honest.replaceFirst("\"makerPos\": \\[\"0\"", "\"makerPos\": [\"1\"");
    assertTrue(json.contains("\"makerPos\": [\"1\""), "the test edits the first slot's makerPos");
    // with a consistent dataHash, so that the replay reaches the ledger
    BigInteger oldHash = WitnessDocument.parse(honest.getBytes(StandardCharsets.UTF_8)).dataHash();
    BigInteger newHash =
        WitnessDocument.parse(json.getBytes(StandardCharsets.UTF_8)).computedDataHash();
    json = json.replace("\"" + oldHash + "\"", "\"" + newHash + "\"");
    WitnessDocument doc = WitnessDocument.parse(json.getBytes(StandardCharsets.UTF_8));
    ReplayState s = new ReplayState(DacFixtures.genesis());
    BatchRefusedException e =
        assertThrows(
            BatchRefusedException.class,
            () -> s.apply(1, doc, () -> new ReplayState(DacFixtures.genesis())));
    assertTrue(e.getMessage().contains("BAD_SLOT"), e.getMessage());
  }
}
