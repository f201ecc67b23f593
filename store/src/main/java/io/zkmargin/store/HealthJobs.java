package io.zkmargin.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.Venue;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/**
 * Health-proof jobs of the pool (kind {@value #KIND}, priority {@link
 * ProvingJobs#PRIORITY_TRADER}): the payload names the account, the threshold and the state root
 * the caller saw; the result is the proof file's JSON ({@link ProofFile#toJson()}).
 */
public final class HealthJobs {
  /** The job kind. */
  public static final String KIND = "health";

  /** Attempts of a health job before it fails (a worker crash costs one). */
  public static final int MAX_ATTEMPTS = 3;

  /**
   * The prefix of a failed job's reason when the account is not healthy enough (no proof exists).
   */
  public static final String NOT_HEALTHY = "not healthy: ";

  private static final ObjectMapper JSON = new ObjectMapper();

  private HealthJobs() {}

  /**
   * A health job's payload.
   *
   * @param accountId the account
   * @param thresholdBps the threshold in basis points of maintenance margin
   * @param stateRoot the state root the proof must be about (the worker refuses a job whose venue
   *     has moved on: its proof would be about another state), or null for the current one
   */
  public static String payload(long accountId, long thresholdBps, BigInteger stateRoot) {
    var n = JSON.createObjectNode();
    n.put("accountId", accountId);
    n.put("thresholdBps", thresholdBps);
    if (stateRoot != null) {
      n.put("stateRoot", stateRoot.toString());
    }
    return n.toString();
  }

  /**
   * The handler: proves with {@code prover} on the venue stored in the database (reloaded when its
   * version changes).
   */
  public static Worker.Handler handler(HealthProver prover, VenueCache venues) {
    return lease -> {
      JsonNode p = JSON.readTree(lease.payload());
      if (!p.path("accountId").canConvertToLong() || !p.path("thresholdBps").canConvertToLong()) {
        throw new Worker.PermanentFailure("health job without accountId and thresholdBps");
      }
      CommittedVenue venue;
      try {
        venue = venues.current();
      } catch (SQLException e) {
        throw e; // transient: retried
      }
      if (p.hasNonNull("stateRoot")
          && !new BigInteger(p.get("stateRoot").asText()).equals(venue.stateRoot())) {
        throw new Worker.PermanentFailure(
            "the venue's state moved on from the requested state root");
      }
      try {
        ProofFile proof =
            prover
                .prove(venue, p.get("accountId").asLong(), p.get("thresholdBps").asLong())
                .proof();
        return proof.toJson().getBytes(StandardCharsets.UTF_8);
      } catch (NotHealthyException e) {
        throw new Worker.PermanentFailure(NOT_HEALTHY + e.detail());
      } catch (Venue.UnknownAccountException e) {
        throw new Worker.PermanentFailure(e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new Worker.PermanentFailure(e.getMessage());
      }
    };
  }
}
