package io.zkmargin.grpc;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import io.zkmargin.risk.vector.RiskVector;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A small venue at {@link CircuitSizes#TEST} built by hand in the documented units (quote asset
 * with 6 decimals; collateral prices in quote atoms per 10^9 atoms; instrument values in quote
 * atoms per lot).
 *
 * <ul>
 *   <li>instrument 1: a perpetual, lot 0.01 BTC at 50,000: mark 500 USDC per lot, funding index 2
 *       USDC;
 *   <li>instrument 2: a call option, premium 20 USDC per lot, short-option floor 5 USDC (IM 8
 *       USDC);
 *   <li>asset 0: USDC (price 10^9 per 10^9 atoms, no scenario move); asset 1: ETH-like, 9 decimals,
 *       price 3000 USDC with a 10% haircut, scenarios -10%, +10%, -20%, +5%.
 * </ul>
 *
 * Accounts 0..{@code HEALTHY-1} are healthy at 10000 bps (and far above); account {@link
 * #UNHEALTHY} is short options on a thin balance and below its maintenance margin; account {@link
 * #CASH_ONLY} holds only 1234.567890 USDC (equity exactly 1234567890 quote atoms, no margin).
 */
public final class TestVenue {

  /** Healthy accounts: ids 0 .. HEALTHY-1. */
  public static final int HEALTHY = 12;

  /** An account below maintenance margin. */
  public static final long UNHEALTHY = 20;

  /** An account with only cash. */
  public static final long CASH_ONLY = 21;

  /** An id within range that holds no account. */
  public static final long ABSENT = 40;

  private TestVenue() {}

  /** The owner key of an account: a fixed scalar per id, so that tests are reproducible. */
  public static EdwardsKeyPair ownerKey(long accountId) {
    return new EdwardsKeyPair(
        BigInteger.valueOf(1_000_003L).multiply(BigInteger.valueOf(accountId + 7)));
  }

  /** The venue. */
  public static Venue venue() {
    CircuitSizes sizes = CircuitSizes.TEST;
    TreeMap<Integer, InstrumentRiskEntry> instruments = new TreeMap<>();
    instruments.put(
        1,
        new InstrumentRiskEntry(
            500_000_000L,
            2_000_000L,
            0,
            0,
            new long[] {-50_000_000L, 50_000_000L, -100_000_000L, 25_000_000L},
            new long[] {-75_000_000L, 75_000_000L, -150_000_000L, 37_500_000L}));
    instruments.put(
        2,
        new InstrumentRiskEntry(
            20_000_000L,
            0,
            5_000_000L,
            8_000_000L,
            new long[] {-8_000_000L, 15_000_000L, -14_000_000L, 7_000_000L},
            new long[] {-12_000_000L, 22_000_000L, -21_000_000L, 10_000_000L}));
    RiskGlobals globals =
        new RiskGlobals(
            new long[] {1_000_000L, 1_500_000L},
            new long[] {1_000_000_000L, 2_700_000_000L},
            new long[] {1_000_000_000L, 3_000_000_000L},
            new long[][] {
              {0, 0, 0, 0}, {-300_000_000L, 300_000_000L, -600_000_000L, 150_000_000L}
            });
    Map<Long, AccountLeaf> accounts = new TreeMap<>();
    for (long id = 0; id < HEALTHY; id++) {
      accounts.put(
          id,
          leaf(
              id,
              id % 2,
              new long[] {10_000_000_000L + id * 1_000_000L, 2_000_000_000L},
              new long[] {1, 2},
              new long[] {3 + id, -(id % 4)},
              new long[] {1_500_000L, 0}));
    }
    accounts.put(
        UNHEALTHY,
        leaf(
            UNHEALTHY,
            0,
            new long[] {10_000_000L, 0},
            new long[] {2, 0},
            new long[] {-50, 0},
            new long[] {0, 0}));
    accounts.put(
        CASH_ONLY,
        leaf(
            CASH_ONLY,
            0,
            new long[] {1_234_567_890L, 0},
            new long[] {0, 0},
            new long[] {0, 0},
            new long[] {0, 0}));
    return new Venue(
        sizes,
        new TreeMap<>(accounts),
        new RiskVector(7, sizes, instruments, globals),
        Optional.empty());
  }

  private static AccountLeaf leaf(
      long id, long tier, long[] balances, long[] ids, long[] qty, long[] snaps) {
    EdwardsKeyPair k = ownerKey(id);
    long[] instrumentIds = ids.clone();
    for (int j = 0; j < qty.length; j++) {
      if (qty[j] == 0) {
        instrumentIds[j] = 0;
      }
    }
    return new AccountLeaf(
        k.publicKey().x(), k.publicKey().y(), 0, tier, balances, instrumentIds, qty, snaps);
  }

  /** Writes the venue and every owner's key to {@code dir} as {@code ./zkm demo} would. */
  public static Venue writeTo(Path dir) throws IOException {
    Venue v = venue();
    VenueStore.save(dir, v);
    for (long id : v.accounts().keySet()) {
      VenueStore.saveOwnerSecret(dir, id, ownerKey(id).privateScalar());
    }
    return v;
  }
}
