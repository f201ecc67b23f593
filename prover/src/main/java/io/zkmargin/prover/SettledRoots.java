package io.zkmargin.prover;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The roots a venue stands behind: the state roots it settled and the risk roots its oracle quorum
 * posted. A health proof speaks about one state root and one risk root; it says something about the
 * venue only when both are among these (anyone with the proving key can prove a statement about a
 * private tree).
 *
 * <p>A venue data directory holds one settled state ({@code venue.json}): its account tree's root,
 * and the risk root of its oracle epoch. The venue has no state transitions yet, so that state is
 * its whole history; the Settlement contract keeps the windows of recent roots on chain ({@code
 * ./zkm verify --on-chain}).
 *
 * @param source who settled the roots, for messages (e.g. {@code "the venue in demo"})
 * @param stateRoots settled state roots, each with a label (e.g. {@code "current state"})
 * @param riskRoots posted risk roots, each with a label (e.g. {@code "oracle epoch 7"})
 */
public record SettledRoots(
    String source, Map<BigInteger, String> stateRoots, Map<BigInteger, String> riskRoots) {

  public SettledRoots {
    Objects.requireNonNull(source, "source");
    stateRoots = Map.copyOf(stateRoots);
    riskRoots = Map.copyOf(riskRoots);
    if (stateRoots.isEmpty() || riskRoots.isEmpty()) {
      throw new IllegalArgumentException(
          "a venue has at least one settled state root and one posted risk root");
    }
  }

  /**
   * The roots of one settled venue state: its state root and the risk root of its oracle epoch.
   *
   * @param source who settled them, for messages
   */
  public static SettledRoots of(
      String source, BigInteger stateRoot, BigInteger riskRoot, long epoch) {
    return new SettledRoots(
        source, Map.of(stateRoot, "current state"), Map.of(riskRoot, "oracle epoch " + epoch));
  }

  /** The roots of a committed venue (its current state and oracle epoch). */
  public static SettledRoots of(String source, CommittedVenue venue) {
    return of(source, venue.stateRoot(), venue.riskRoot(), venue.venue().epoch());
  }

  /**
   * The roots of the venue in a data directory ({@code DIR/venue.json}); hashes every account
   * (Poseidon2).
   *
   * @throws IOException when the directory holds no readable venue
   */
  public static SettledRoots load(Path dataDir) throws IOException {
    return of("the venue in " + dataDir, new CommittedVenue(VenueStore.load(dataDir)));
  }

  /** True when {@code stateRoot} is a state root the venue settled. */
  public boolean stateRootSettled(BigInteger stateRoot) {
    return stateRoots.containsKey(stateRoot);
  }

  /** True when {@code riskRoot} is a risk root the venue's oracle quorum posted. */
  public boolean riskRootPosted(BigInteger riskRoot) {
    return riskRoots.containsKey(riskRoot);
  }
}
