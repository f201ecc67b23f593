package io.zkmargin.prover.demo;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.market.OracleEpoch;
import io.zkmargin.risk.market.UnderlyingQuote;
import io.zkmargin.risk.product.CollateralAsset;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.product.OptionType;
import io.zkmargin.risk.product.PerpetualFuture;
import io.zkmargin.risk.report.MarginReport;
import io.zkmargin.risk.vector.RiskModelConfig;
import io.zkmargin.risk.vector.RiskVector;
import io.zkmargin.risk.vector.RiskVectorBuilder;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * A deterministic demo venue (pure, no I/O): an oracle epoch for BTC and ETH, perpetuals and
 * options on both, collateral assets, the risk vector, and accounts with mixed portfolios
 * (collateral only, levered perps, option spreads, short options, mixed books, and some unhealthy
 * ones). The same seed and sizes give the same venue.
 *
 * <p>Owner keys: account i has a secret {@link #ownerSecret(int)} (a seeded, non-zero long); the
 * caller supplies the function that derives the public key (x, y) from it, e.g. the BN254
 * twisted-Edwards key derivation of the commit package, so that the generator needs no curve code.
 *
 * @param sizes circuit sizes
 * @param epoch oracle epoch
 * @param instruments listed instruments (ids 0..n-1 &lt; 2^DI; 0 = BTC perp, 1 = ETH perp, then
 *     options)
 * @param assets collateral assets (A of them; 0 = USDC)
 * @param config risk model configuration
 * @param riskVector the epoch's risk vector
 * @param accounts account leaves, index = account id
 * @param ownerSecrets owner secret per account
 */
public record DemoVenue(
    CircuitSizes sizes,
    OracleEpoch epoch,
    List<Instrument> instruments,
    List<CollateralAsset> assets,
    RiskModelConfig config,
    RiskVector riskVector,
    List<AccountLeaf> accounts,
    long[] ownerSecrets) {
  /** Valuation time of epoch 1 of every demo venue: 2026-01-01T00:00:00Z, Unix seconds. */
  public static final long EPOCH_TIME = 1_767_225_600L;

  private static final long DAY = 86_400L;

  /** The owner secret of account i (derive its public key with the caller's key derivation). */
  public long ownerSecret(int i) {
    if (i < 0 || i >= ownerSecrets.length) {
      throw new IllegalArgumentException(
          "account " + i + " outside [0, " + ownerSecrets.length + ")");
    }
    return ownerSecrets[i];
  }

  /** The instrument with the given id. */
  public Instrument instrument(long id) {
    for (Instrument i : instruments) {
      if (i.id() == id) {
        return i;
      }
    }
    throw new IllegalArgumentException("no instrument " + id);
  }

  /**
   * The margin report of one account of this venue (margin, Greeks, VaR with {@code
   * MonteCarloVar.defaults()} and the {@code StressTest.CRASH} stress), as {@code ./zkm margin}
   * prints it.
   *
   * @param accountId account index, in {@code [0, accounts().size())}
   */
  public String marginReport(int accountId) {
    if (accountId < 0 || accountId >= accounts.size()) {
      throw new IllegalArgumentException(
          "account " + accountId + " outside [0, " + accounts.size() + ")");
    }
    return MarginReport.DEFAULT.format(
        accountId, accounts.get(accountId), epoch, riskVector, config.grid(), instruments, assets);
  }

  /**
   * Generates a venue whose owner keys are the placeholder point (0, 1) (the curve's identity, not
   * a usable key): for risk-only uses (tests, benchmarks). Use {@link #generate(int, long,
   * CircuitSizes, LongFunction)} for real keys.
   */
  public static DemoVenue generate(int accounts, long seed, CircuitSizes sizes) {
    return generate(
        accounts, seed, sizes, secret -> new BigInteger[] {BigInteger.ZERO, BigInteger.ONE});
  }

  /**
   * Generates the demo venue.
   *
   * @param accounts number of accounts, in {@code [1, 2^D]}
   * @param seed seed of every random choice
   * @param sizes circuit sizes (S must be 4 or 16; at least 2 position slots and 2 assets are used
   *     when available)
   * @param pkDeriver owner secret to public key {x, y} (field elements in [0, r))
   * @return the venue
   */
  public static DemoVenue generate(
      int accounts, long seed, CircuitSizes sizes, LongFunction<BigInteger[]> pkDeriver) {
    if (accounts < 1 || (sizes.stateDepth() < 31 && accounts > (1L << sizes.stateDepth()))) {
      throw new IllegalArgumentException("accounts must be in [1, 2^D], was " + accounts);
    }
    if (pkDeriver == null) {
      throw new IllegalArgumentException("pkDeriver must not be null");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    long btc = 60_000_000_000L + rnd.nextLong(-3_000_000_000L, 3_000_000_000L);
    long eth = 3_000_000_000L + rnd.nextLong(-200_000_000L, 200_000_000L);
    Map<String, UnderlyingQuote> quotes = new TreeMap<>();
    quotes.put("BTC", new UnderlyingQuote(btc, Fixed.ONE / 100 * 55, -Fixed.ONE / 10));
    quotes.put("ETH", new UnderlyingQuote(eth, Fixed.ONE / 100 * 70, -Fixed.ONE / 8));
    Map<Integer, Long> funding = new TreeMap<>();
    funding.put(0, 1_234_567L);
    funding.put(1, -45_678L);
    OracleEpoch epoch = new OracleEpoch(1, EPOCH_TIME, quotes, funding);

    List<Instrument> instruments = instruments(sizes, btc, eth);
    List<CollateralAsset> assets = assets(sizes.collateralAssets());
    RiskModelConfig config =
        RiskModelConfig.defaults(sizes.scenarios(), sizes.tiers(), "BTC", "ETH");
    RiskVector vector = RiskVectorBuilder.DEFAULT.build(epoch, instruments, assets, config, sizes);

    List<AccountLeaf> leaves = new ArrayList<>(accounts);
    long[] secrets = new long[accounts];
    MarginResult scratch = new MarginResult(sizes.scenarios());
    for (int i = 0; i < accounts; i++) {
      long secret = rnd.nextLong(1, Long.MAX_VALUE);
      secrets[i] = secret;
      BigInteger[] pk = pkDeriver.apply(secret);
      if (pk == null || pk.length != 2) {
        throw new IllegalArgumentException("pkDeriver must return {x, y}");
      }
      leaves.add(account(i, rnd, sizes, vector, instruments, pk, scratch));
    }
    return new DemoVenue(
        sizes,
        epoch,
        Collections.unmodifiableList(instruments),
        Collections.unmodifiableList(assets),
        config,
        vector,
        Collections.unmodifiableList(leaves),
        secrets);
  }

  private static List<Instrument> instruments(CircuitSizes sizes, long btc, long eth) {
    int max = 1 << sizes.instrumentDepth();
    List<Instrument> list = new ArrayList<>();
    list.add(new PerpetualFuture(0, "BTC", Fixed.ONE / 1000));
    list.add(new PerpetualFuture(1, "ETH", Fixed.ONE / 100));
    long[] expiriesDays = {30, 7, 90};
    long[] strikePct = {100, 110, 90, 120, 80};
    int id = 2;
    outer:
    for (long days : expiriesDays) {
      for (long pct : strikePct) {
        for (OptionType t : OptionType.values()) {
          for (int u = 0; u < 2; u++) {
            if (id >= max) {
              break outer;
            }
            long spot = u == 0 ? btc : eth;
            long step = u == 0 ? 1_000_000_000L : 50_000_000L; // round strikes to 1000 / 50 USDC
            long strike = Math.max(step, (spot * pct / 100 + step / 2) / step * step);
            list.add(
                new EuropeanOption(
                    id++,
                    u == 0 ? "BTC" : "ETH",
                    t,
                    strike,
                    EPOCH_TIME + days * DAY,
                    u == 0 ? Fixed.ONE / 100 : Fixed.ONE / 10));
          }
        }
      }
    }
    return list;
  }

  private static List<CollateralAsset> assets(int count) {
    List<CollateralAsset> all =
        List.of(
            new CollateralAsset(0, "USDC", 6, null, 0),
            new CollateralAsset(1, "BTC", 8, "BTC", 50_000),
            new CollateralAsset(2, "ETH", 9, "ETH", 80_000),
            new CollateralAsset(3, "WBTC", 8, "BTC", 100_000));
    List<CollateralAsset> list = new ArrayList<>();
    for (int a = 0; a < count; a++) {
      CollateralAsset base = all.get(a % all.size());
      list.add(
          a < all.size()
              ? base
              : new CollateralAsset(
                  a,
                  base.symbol() + a,
                  base.decimals(),
                  a % all.size() == 0 ? "BTC" : base.underlying(),
                  150_000));
    }
    return list;
  }

  private static AccountLeaf account(
      int index,
      SplittableRandom rnd,
      CircuitSizes sizes,
      RiskVector vector,
      List<Instrument> instruments,
      BigInteger[] pk,
      MarginResult scratch) {
    int a = sizes.collateralAssets();
    int p = sizes.positionSlots();
    long[] balances = new long[a];
    long[] ids = new long[p];
    long[] qty = new long[p];
    long[] snaps = new long[p];
    long[] mark = vector.markArray();
    long[] funding = vector.fundingArray();
    int kind = index % 6;
    if (instruments.size() <= 2 && (kind == 2 || kind == 3)) {
      kind = 1; // no options listed (tiny instrument tree)
    }
    long usdc = 1_000_000L * rnd.nextLong(2_000, 200_000); // 2k .. 200k USDC
    balances[0] = usdc;
    switch (kind) {
      case 0: // collateral only
        if (a > 1) {
          balances[1] = rnd.nextLong(1_000_000L, 50_000_000L); // 0.01 .. 0.5 BTC in sats
        }
        break;
      case 1: // levered perp, 2x..8x
      case 5:
        { // unhealthy: 40x..60x
          int perp = rnd.nextInt(2);
          long lev = kind == 1 ? rnd.nextLong(2, 9) : rnd.nextLong(40, 61);
          long lots = Math.max(1, usdc * lev / mark[perp]);
          long q = rnd.nextBoolean() ? lots : -lots;
          ids[0] = perp;
          qty[0] = q;
          snaps[0] = funding[perp] - rnd.nextLong(0, 2_000);
          balances[0] = usdc - q * mark[perp];
          break;
        }
      case 2:
        { // call or put spread: long near strike, short further out
          int first = firstOption(instruments, rnd);
          EuropeanOption o1 = (EuropeanOption) instruments.get(first);
          int second = partner(instruments, o1);
          long n = rnd.nextLong(1, 50);
          ids[0] = o1.id();
          qty[0] = n;
          if (p > 1 && second >= 0) {
            ids[1] = second;
            qty[1] = -n;
          }
          balances[0] = usdc - n * mark[o1.id()] + (p > 1 && second >= 0 ? n * mark[second] : 0);
          break;
        }
      case 3:
        { // short options, collateralized
          int first = firstOption(instruments, rnd);
          long n = rnd.nextLong(1, 20);
          ids[0] = first;
          qty[0] = -n;
          balances[0] = usdc + n * mark[first];
          if (a > 1) {
            balances[1] = rnd.nextLong(0, 20_000_000L);
          }
          break;
        }
      default:
        { // mixed book: perps hedging options, spread over the slots
          for (int j = 0; j < p; j++) {
            int id = j < 2 ? j : rnd.nextInt(instruments.size());
            boolean dup = false;
            for (int k = 0; k < j; k++) {
              dup |= qty[k] != 0 && ids[k] == id;
            }
            if (dup) {
              continue;
            }
            long q = rnd.nextLong(1, 20) * (rnd.nextBoolean() ? 1 : -1);
            ids[j] = id;
            qty[j] = q;
            snaps[j] = funding[id];
            balances[0] -= q * mark[id];
          }
          if (a > 2) {
            balances[2] = rnd.nextLong(0, 5_000_000_000L); // up to 5 ETH
          }
          break;
        }
    }
    long tier = rnd.nextLong(0, sizes.tiers());
    AccountLeaf leaf =
        new AccountLeaf(pk[0], pk[1], rnd.nextLong(0, 100), tier, balances, ids, qty, snaps);
    leaf.checkFits(sizes);
    MarginCalculator.DEFAULT.evaluate(
        vector, leaf, scratch); // validates that the account fits the bounds
    return leaf;
  }

  private static int firstOption(List<Instrument> instruments, SplittableRandom rnd) {
    int options = instruments.size() - 2;
    return 2 + rnd.nextInt(Math.max(1, options));
  }

  /**
   * A same-underlying, same-type, same-expiry option with a strike further out of the money, or -1.
   */
  private static int partner(List<Instrument> instruments, EuropeanOption o) {
    int best = -1;
    for (Instrument i : instruments) {
      if (i instanceof EuropeanOption x
          && x.underlying().equals(o.underlying())
          && x.type() == o.type()
          && x.expirySeconds() == o.expirySeconds()
          && x.id() != o.id()
          && (o.type() == OptionType.CALL ? x.strike() > o.strike() : x.strike() < o.strike())) {
        if (best < 0
            || Math.abs(x.strike() - o.strike())
                < Math.abs(((EuropeanOption) instruments.get(best)).strike() - o.strike())) {
          best = x.id();
        }
      }
    }
    return best;
  }
}
