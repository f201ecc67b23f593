package io.zkmargin.prover;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.RiskEncoding;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Demo venues on disk: {@code ./zkm demo} writes one (venue state + owner keys + L1 keys) to a data
 * directory, and analytics that need the full market (instruments, epoch quotes, model
 * configuration) regenerate it from the recorded seed, checking that it still matches the committed
 * state.
 *
 * <p>Every genesis account of a demo venue has an L1 address in its leaf: the address of its
 * development L1 key ({@code DIR/keys/l1-<id>.key}, secp256k1, written with the venue), which the
 * escape hatch pays on exit and which may request a forced withdrawal. Like the owner keys, the L1
 * keys follow from the seed ({@link #l1Secret}), so a demo venue stays reproducible: the same seed
 * gives the same leaves and state root in every fresh folder. Development keys only.
 */
public final class DemoVenues {
  private DemoVenues() {}

  private static final X9ECParameters SECP256K1 = CustomNamedCurves.getByName("secp256k1");

  /** The file of a demo account's L1 key (hex private key): {@code DIR/keys/l1-<id>.key}. */
  public static Path l1KeyFile(Path dir, long id) {
    return dir.resolve("keys").resolve("l1-" + id + ".key");
  }

  /**
   * The L1 (secp256k1) private key of genesis account {@code id} of the demo venue of {@code seed}:
   * {@code SHA-256("zkmargin demo L1 key" || seed || id)} (both 8 bytes big-endian) reduced into
   * {@code [1, n)}. Development keys only: the seed determines them, as it does the owner keys.
   *
   * @param id account id, {@code >= 0}
   */
  public static BigInteger l1Secret(long seed, long id) {
    ArgChecker.notNegative(id, "id");
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update("zkmargin demo L1 key".getBytes(StandardCharsets.US_ASCII));
      d.update(ByteBuffer.allocate(16).putLong(seed).putLong(id).array());
      BigInteger n1 = SECP256K1.getN().subtract(BigInteger.ONE);
      return new BigInteger(1, d.digest()).mod(n1).add(BigInteger.ONE);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  /**
   * The Ethereum address of a secp256k1 private key, as an integer below 2^160: the last 20 bytes
   * of {@code keccak256(x || y)} of its public key (what web3j's {@code Keys.getAddress} computes).
   *
   * @param secret in {@code [1, n)}
   */
  public static BigInteger l1Address(BigInteger secret) {
    ArgChecker.notNull(secret, "secret");
    ArgChecker.isTrue(
        secret.signum() > 0 && secret.compareTo(SECP256K1.getN()) < 0, "secret must be in [1, n)");
    // fixed-base comb with a precomputed table of G (cached on the curve after the first use)
    ECPoint q = new FixedPointCombMultiplier().multiply(SECP256K1.getG(), secret).normalize();
    byte[] xy = new byte[64];
    byte[] x = q.getAffineXCoord().getEncoded();
    byte[] y = q.getAffineYCoord().getEncoded();
    System.arraycopy(x, 0, xy, 0, 32);
    System.arraycopy(y, 0, xy, 32, 32);
    KeccakDigest k = new KeccakDigest(256);
    k.update(xy, 0, 64);
    byte[] h = new byte[32];
    k.doFinal(h, 0);
    return new BigInteger(1, Arrays.copyOfRange(h, 12, 32));
  }

  /**
   * The owner key pair of a demo account: the private scalar is the generator's owner secret
   * reduced into {@code [1, l)}. Development keys only: the seed determines them.
   */
  public static EdwardsKeyPair ownerKeyPair(long ownerSecret) {
    BigInteger k = BigInteger.valueOf(ownerSecret).mod(EdwardsPoint.ORDER);
    return new EdwardsKeyPair(k.signum() == 0 ? BigInteger.ONE : k);
  }

  /**
   * Generates the demo venue with real owner keys and, in every leaf, the L1 address of the
   * account's demo L1 key ({@link #l1Secret}).
   */
  public static DemoVenue generate(int accounts, long seed, CircuitSizes sizes) {
    DemoVenue d =
        DemoVenue.generate(
            accounts,
            seed,
            sizes,
            secret -> {
              EdwardsPoint pk = ownerKeyPair(secret).publicKey();
              return new BigInteger[] {pk.x(), pk.y()};
            });
    List<AccountLeaf> leaves = new ArrayList<>(d.accounts().size());
    for (int i = 0; i < d.accounts().size(); i++) {
      AccountLeaf leaf = d.accounts().get(i);
      leaves.add(leaf.withL1AddressAndOrdersRoot(l1Address(l1Secret(seed, i)), leaf.ordersRoot()));
    }
    return new DemoVenue(
        d.sizes(),
        d.epoch(),
        d.instruments(),
        d.assets(),
        d.config(),
        d.riskVector(),
        Collections.unmodifiableList(leaves),
        d.ownerSecrets());
  }

  /**
   * Generates a demo venue and writes it to {@code dir}: {@code venue.json}, and per account its
   * owner key ({@code keys/account-<id>.key}) and its L1 key ({@code keys/l1-<id>.key}, whose
   * address the leaf holds; owner-only permissions). Both keys are replaced if present, so that the
   * folder's keys are always the venue's.
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
      // the format of every secp256k1 key file of a data folder (chain's OracleKeys reads it)
      AtomicFiles.write(
          l1KeyFile(dir, i),
          (l1Secret(seed, i).toString(16) + "\n").getBytes(StandardCharsets.US_ASCII),
          "rw-------");
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
