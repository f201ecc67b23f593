package io.zkmargin.store;

import io.zkmargin.prover.CommittedVenue;
import java.sql.SQLException;

/**
 * The committed venue of the database, rebuilt only when its stored version changes (one cheap
 * query per use). Thread-safe.
 */
public final class VenueCache {
  private final VenueRepository repo;
  private long version = -1;
  private CommittedVenue venue;

  public VenueCache(VenueRepository repo) {
    this.repo = repo;
  }

  /**
   * The current committed venue.
   *
   * @throws IllegalStateException when no venue is stored or its roots disagree with the recorded
   *     ones
   */
  public synchronized CommittedVenue current() throws SQLException {
    long v = repo.version();
    if (venue == null || v != version) {
      venue = repo.openCommitted();
      version = v;
    }
    return venue;
  }
}
