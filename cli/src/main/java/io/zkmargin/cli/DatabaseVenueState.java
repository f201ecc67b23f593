package io.zkmargin.cli;

import io.zkmargin.operator.Sequencer;
import io.zkmargin.operator.VenueState;
import io.zkmargin.prover.Venue;
import io.zkmargin.store.VenueRepository;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator's {@link VenueState} on the venue's database ({@code ./zkm serve}): the health
 * service's state and the operator's are one. The operator starts from the stored state (read once
 * here) and writes each finalized batch back through {@link VenueRepository#applyBatch}, in one
 * transaction; the health service's {@code VenueCache} sees the new version and rebuilds its tree.
 */
final class DatabaseVenueState implements VenueState {
  private final VenueRepository repo;
  private final Venue venue;
  private final Map<Long, long[][]> orderSlots = new TreeMap<>();
  private final VenueRepository.BatchPosition position;

  /**
   * Reads the stored state's order-fill slots and batch position.
   *
   * @param venue the stored venue, already rebuilt and checked against its last recorded root (the
   *     health service's {@code VenueCache}: the tree is not rebuilt twice)
   * @throws IllegalStateException when the database holds no venue
   */
  DatabaseVenueState(VenueRepository repo, Venue venue) throws SQLException {
    this.repo = repo;
    this.venue = venue;
    repo.orderSlots()
        .forEach((id, s) -> orderSlots.put(id, new long[][] {s.orderIds(), s.filled()}));
    this.position =
        repo.batchPosition()
            .orElseThrow(() -> new IllegalStateException("no venue in the database"));
  }

  @Override
  public Venue venue() {
    return venue;
  }

  @Override
  public Map<Long, long[][]> orderSlots() {
    return orderSlots;
  }

  @Override
  public String deployment() {
    return position.deployment();
  }

  @Override
  public Sequencer.Resume position() {
    return new Sequencer.Resume(position.batch(), position.depositsTaken(), position.depositHead());
  }

  @Override
  public void startDeployment(String deployment) throws IOException {
    try {
      repo.startDeployment(deployment);
    } catch (SQLException e) {
      throw new IOException("cannot record the deployment in the database: " + e.getMessage(), e);
    }
  }

  @Override
  public void finalized(String deployment, Sequencer.FinalState s) throws SQLException {
    Map<Long, VenueRepository.OrderSlots> slots = new TreeMap<>();
    s.orderSlots().forEach((id, v) -> slots.put(id, new VenueRepository.OrderSlots(v[0], v[1])));
    repo.applyBatch(
        new VenueRepository.BatchUpdate(
            deployment,
            s.batch(),
            s.leaves(),
            slots,
            s.depositsTaken(),
            s.depositHead(),
            s.stateRoot(),
            s.riskRoot()));
  }
}
