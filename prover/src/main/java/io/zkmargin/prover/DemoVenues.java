package io.zkmargin.prover;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.RiskEncoding;
import io.zkmargin.prover.demo.DemoVenue;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Demo venues on disk: {@code ./zkm demo} writes one (venue state + owner keys) to a data
 * directory, and analytics that need the full market (instruments, epoch quotes, model
 * configuration) regenerate it from the recorded seed, checking that it still matches the committed
 * state.
 */
public final class DemoVenues {
  private DemoVenues() {}

  /**
   * The owner key pair of a demo account: the private scalar is the generator's owner secret
   * reduced into {@code [1, l)}. Development keys only: the seed determines them.
   */
  public static EdwardsKeyPair ownerKeyPair(long ownerSecret) {
    BigInteger k = BigInteger.valueOf(ownerSecret).mod(EdwardsPoint.ORDER);
    return new EdwardsKeyPair(k.signum() == 0 ? BigInteger.ONE : k);
  }

  /** Generates the demo venue with real owner keys. */
  public static DemoVenue generate(int accounts, long seed, CircuitSizes sizes) {
    return DemoVenue.generate(
        accounts,
        seed,
        sizes,
        secret -> {
          EdwardsPoint pk = ownerKeyPair(secret).publicKey();
          return new BigInteger[] {pk.x(), pk.y()};
        });
  }

  /**
   * Generates a demo venue and writes it to {@code dir}: {@code venue.json} and one key file per
   * account.
   *
   * @return the venue as written
   */
  public static Venue write(Path dir, int accounts, long seed, CircuitSizes sizes)
      throws IOException {
    DemoVenue demo = generate(accounts, seed, sizes);
    TreeMap<Long, AccountLeaf> leaves = new TreeMap<>();
    for (int i = 0; i < demo.accounts().size(); i++) {
      leaves.put((long) i, demo.accounts().get(i));
    }
    Venue venue =
        new Venue(
            sizes, leaves, demo.riskVector(), Optional.of(new Venue.DemoOrigin(accounts, seed)));
    for (int i = 0; i < demo.accounts().size(); i++) {
      VenueStore.saveOwnerSecret(dir, i, ownerKeyPair(demo.ownerSecret(i)).privateScalar());
    }
    VenueStore.save(dir, venue);
    return venue;
  }

  /**
   * The full demo market behind a venue, regenerated from its seed.
   *
   * @return empty when the venue is not a demo venue or its state no longer matches what the seed
   *     generates (e.g. it was edited), in which case the instruments' definitions are not known
   */
  public static Optional<DemoVenue> market(Venue venue) {
    if (venue.demo().isEmpty()) {
      return Optional.empty();
    }
    Venue.DemoOrigin origin = venue.demo().get();
    DemoVenue demo = generate(origin.accounts(), origin.seed(), venue.sizes());
    boolean sameRisk =
        demo.riskVector().entries().keySet().equals(venue.riskVector().entries().keySet())
            && java.util.Arrays.equals(
                RiskEncoding.words(demo.riskVector().globals()),
                RiskEncoding.words(venue.riskVector().globals()));
    if (!sameRisk) {
      return Optional.empty();
    }
    for (int i = 0; i < demo.accounts().size(); i++) {
      if (!demo.accounts().get(i).equals(venue.accounts().get((long) i))) {
        return Optional.empty();
      }
    }
    return Optional.of(demo);
  }
}
