package io.zkmargin.ledger;

import static io.zkmargin.ledger.LedgerFixtures.DEPOSITOR;
import static io.zkmargin.ledger.LedgerFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.msg.OrderMessage;
import java.math.BigInteger;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random streams of valid and invalid transitions (forced withdrawals among them): after every
 * applied one the ledger's invariants hold (the ledger checks them itself and throws otherwise),
 * and every refused one leaves the ledger exactly as it was.
 */
class LedgerPropertyTest {
  private static final long[] INSTRUMENTS = {1, 4, 6, 2}; // 2 is not listed
  private static final long[] PRICES = {30_000_000L, 1_200_000L, 60_000_000L, 1_000_000L};
  private static final EdwardsKeyPair[] KEYS = {
    LedgerFixtures.key(1), LedgerFixtures.key(2), LedgerFixtures.key(3)
  };

  @Test
  void randomStreamsKeepTheInvariantsAndRefusalsChangeNothing() {
    Map<Rule, Integer> seen = new EnumMap<>(Rule.class);
    for (long seed = 1; seed <= 4; seed++) {
      run(new SplittableRandom(seed), 600, seen);
    }
    assertTrue(seen.getOrDefault(Rule.OK, 0) > 400, "too few accepted transitions: " + seen);
    for (Rule r :
        new Rule[] {
          Rule.BAD_NONCE,
          Rule.OVERFILL,
          Rule.ORDER_SLOT_TAKEN,
          Rule.PRICE_LIMIT,
          Rule.LEGS_MISMATCH,
          Rule.IM_BROKEN,
          Rule.NOT_SAME_OWNER,
          Rule.UNKNOWN_INSTRUMENT,
          Rule.EXPIRED,
          Rule.REGISTRATION_OF_EXISTING,
          Rule.NOT_OWNER,
          Rule.UNKNOWN_ACCOUNT
        }) {
      assertTrue(seen.containsKey(r), r + " never happened: " + seen);
    }
  }

  private static void run(SplittableRandom rnd, int steps, Map<Rule, Integer> seen) {
    Ledger l = new Ledger(LedgerConfig.TEST);
    EdwardsKeyPair fee = LedgerFixtures.key(1_000);
    l.registerGenesis(0, fee.publicKey().x(), fee.publicKey().y(), DEPOSITOR, 0);
    l.checkInvariantsAfterEachTransition(true);
    long time = T0;
    l.beginBatch(LedgerFixtures.risk(120_000L), time);
    for (int step = 0; step < steps; step++) {
      String before = LedgerFixtures.state(l);
      Rule r;
      int kind = rnd.nextInt(100);
      if (kind < 3) {
        time += rnd.nextInt(3_600);
        l.beginBatch(LedgerFixtures.risk(120_000L + rnd.nextInt(-50_000, 50_000)), time);
        continue;
      } else if (kind < 18) {
        long account = rnd.nextInt(1, 9);
        EdwardsKeyPair k = KEYS[rnd.nextInt(KEYS.length)];
        long amount = rnd.nextInt(10) == 0 ? -1 : rnd.nextLong(1, 500_000_000L);
        boolean plain = l.isRegistered(account) && rnd.nextInt(5) > 0;
        r =
            plain
                ? l.deposit(account, amount, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR)
                : l.deposit(account, amount, k.publicKey().x(), k.publicKey().y(), DEPOSITOR);
      } else if (kind < 27) {
        long account = rnd.nextInt(0, 10);
        // a forced withdrawal (docs/LIQUIDATION.md section 12): by the leaf's address or another
        BigInteger requester = rnd.nextInt(4) > 0 ? DEPOSITOR : BigInteger.valueOf(account);
        r = l.forcedWithdrawal(account, requester, rnd.nextLong(1, 500_000_000L));
      } else if (kind < 30) {
        long account = rnd.nextInt(0, 9);
        long nonce =
            l.isRegistered(account) && rnd.nextInt(4) > 0 ? l.nonce(account) : rnd.nextInt(3);
        r = l.withdraw(account, nonce, rnd.nextLong(-1, 200_000_000L), BigInteger.valueOf(account));
      } else if (kind < 42) {
        long from = rnd.nextInt(0, 9);
        long to = rnd.nextInt(0, 9);
        long nonce = l.isRegistered(from) && rnd.nextInt(4) > 0 ? l.nonce(from) : rnd.nextInt(3);
        r = l.transfer(from, to, nonce, rnd.nextInt(0, 3), rnd.nextLong(-1, 100_000_000L));
      } else {
        r = randomTrade(l, rnd, time);
      }
      seen.merge(r, 1, Integer::sum);
      if (!r.isOk()) {
        assertEquals(before, LedgerFixtures.state(l), "refused " + r + " changed the ledger");
      }
    }
  }

  private static Rule randomTrade(Ledger l, SplittableRandom rnd, long time) {
    long m = rnd.nextInt(1, 9);
    long t = rnd.nextInt(1, 9);
    int legs = rnd.nextInt(4) == 0 ? 2 : 1;
    long[] ids = new long[2];
    long[] ratios = new long[2];
    long[] prices = new long[2];
    for (int k = 0; k < legs; k++) {
      int i = rnd.nextInt(8) == 0 ? 3 : rnd.nextInt(3);
      ids[k] = INSTRUMENTS[i];
      ratios[k] = rnd.nextBoolean() ? rnd.nextInt(1, 3) : -rnd.nextInt(1, 3);
      prices[k] = PRICES[i] + rnd.nextInt(-1_000_000, 1_000_000);
    }
    long net = ratios[0] * prices[0] + ratios[1] * prices[1];
    long qm = rnd.nextInt(1, 6);
    long qt = rnd.nextInt(1, 6);
    long slackM = rnd.nextInt(6) == 0 ? -1 : rnd.nextInt(0, 100);
    long slackT = rnd.nextInt(6) == 0 ? -1 : rnd.nextInt(0, 100);
    long expiryM = time + (rnd.nextInt(20) == 0 ? -1 : 600);
    OrderMessage maker =
        new OrderMessage(
            m, rnd.nextInt(1, 13), expiryM, qm, net + slackM, rnd.nextInt(0, 50), ids, ratios);
    long[] tr = {-ratios[0], -ratios[1]};
    if (rnd.nextInt(15) == 0) {
      tr[0] = -tr[0]; // a leg on the wrong side
    }
    OrderMessage taker =
        new OrderMessage(
            t, rnd.nextInt(1, 13), time + 600, qt, -net + slackT, rnd.nextInt(0, 50), ids, tr);
    return l.trade(maker, taker, rnd.nextInt(1, 5), prices);
  }
}
