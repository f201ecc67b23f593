package io.zkmargin.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.risk.account.AccountState;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link VenueRepository#applyBatch}: a finalized batch's accounts (a changed one with its L1
 * address, order-fill root and slots, and a new one), its number and root are written in one
 * transaction that only follows the batch before it of the same deployment; the reopened tree has
 * the batch's root, and a recorded root the accounts do not give refuses the next open.
 */
class VenueBatchTest {
  private static Database db;

  @BeforeAll
  static void start() {
    db = Database.embedded(TestDb.freshRoot("batch"), 4);
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void aFinalizedBatchIsWrittenInOrderAndReopensAtItsRoot() throws Exception {
    Venue venue = VenueImportTest.demoVenue(DemoVenues.generate(8, 7, CircuitSizes.TEST));
    VenueRepository repo = new VenueRepository(db.dataSource());
    repo.save(venue, Optional.of(new CommittedVenue(venue)));
    assertEquals(new VenueRepository.BatchPosition(0, "", 0, BigInteger.ZERO), position(repo));
    repo.startDeployment("settlement A");

    // account 3 filled order 5 (slot 5 mod 4 = 1) for 2 units and names an L1 address; 9 is new
    long[] ids = {0, 5, 0, 0};
    long[] filled = {0, 2, 0, 0};
    SparseMerkleTree orders = new SparseMerkleTree(2);
    orders.set(1, BigInteger.valueOf(5).shiftLeft(64).add(BigInteger.TWO));
    AccountLeaf old3 = venue.account(3);
    long[] bal = old3.balances().clone();
    bal[0] -= 1_000;
    AccountLeaf new3 =
        new AccountLeaf(
            old3.ownerPkX(),
            old3.ownerPkY(),
            BigInteger.valueOf(0xbeef),
            orders.root(),
            old3.nonce() + 1,
            new AccountState(
                old3.tier(),
                bal,
                old3.instrumentIds(),
                old3.quantities(),
                old3.fundingSnapshots()));
    AccountLeaf new9 =
        new AccountLeaf(
            old3.ownerPkX(),
            old3.ownerPkY(),
            0,
            new AccountState(0, new long[] {7, 0}, new long[2], new long[2], new long[2]));
    Map<Long, AccountLeaf> changed = Map.of(3L, new3, 9L, new9);
    TreeMap<Long, AccountLeaf> after = new TreeMap<>(venue.accounts());
    after.putAll(changed);
    CommittedVenue expected =
        new CommittedVenue(new Venue(venue.sizes(), after, venue.riskVector(), venue.demo()));
    Map<Long, VenueRepository.OrderSlots> slots =
        Map.of(3L, new VenueRepository.OrderSlots(ids, filled));

    long version = repo.version();
    IllegalStateException skipped =
        assertThrows(
            IllegalStateException.class,
            () -> repo.applyBatch(update("settlement A", 2, changed, slots, expected)));
    assertTrue(skipped.getMessage().contains("holds batch 0"), skipped.getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> repo.applyBatch(update("settlement B", 1, changed, slots, expected)));
    assertEquals(version, repo.version(), "a refused batch writes nothing");

    repo.applyBatch(update("settlement A", 1, changed, slots, expected));
    assertEquals(version + 1, repo.version());
    CommittedVenue reopened = repo.openCommitted(); // rebuilt and checked against the batch's root
    assertEquals(expected.stateRoot(), reopened.stateRoot());
    assertEquals(new3, reopened.venue().account(3));
    assertEquals(new9, reopened.venue().account(9));
    assertArrayEquals(ids, repo.orderSlots().get(3L).orderIds());
    assertArrayEquals(filled, repo.orderSlots().get(3L).filled());
    assertEquals(
        new VenueRepository.BatchPosition(1, "settlement A", 4, BigInteger.valueOf(77)),
        position(repo));

    // a batch recorded with a root its accounts do not give: the next open refuses, naming both
    repo.applyBatch(
        update(
            "settlement A",
            2,
            Map.of(9L, new9),
            Map.of(),
            new CommittedVenue(venue))); // the genesis root: not what the tables give
    IllegalStateException mismatch = assertThrows(IllegalStateException.class, repo::openCommitted);
    assertTrue(
        mismatch.getMessage().contains(expected.stateRoot().toString()), mismatch.getMessage());
  }

  private static VenueRepository.BatchPosition position(VenueRepository repo) throws Exception {
    return repo.batchPosition().orElseThrow();
  }

  private static VenueRepository.BatchUpdate update(
      String deployment,
      long batch,
      Map<Long, AccountLeaf> leaves,
      Map<Long, VenueRepository.OrderSlots> slots,
      CommittedVenue roots) {
    return new VenueRepository.BatchUpdate(
        deployment,
        batch,
        leaves,
        slots,
        4,
        BigInteger.valueOf(77),
        roots.stateRoot(),
        roots.riskRoot());
  }
}
