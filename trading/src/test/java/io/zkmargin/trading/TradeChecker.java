package io.zkmargin.trading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A listener that checks every event against docs/BATCH.md's trade rules (independently of the
 * engine) and keeps them: legs match with opposite ratios, the net is within both limits, no order
 * fills beyond its quantity; implied trades against the proposed implied-trade rule. It also
 * applies positions per (account, instrument).
 */
final class TradeChecker implements TradeListener {
  /** A two-order trade. */
  record Trade(
      long makerAcct,
      long makerId,
      long takerAcct,
      long takerId,
      long units,
      long[] legPrice,
      long net) {}

  /** One step of an implied trade. */
  record Step(int leg, long makerAcct, long makerId, long lots, long price) {}

  /** An implied trade. */
  record Implied(long acct, long orderId, long units, long totalNet, List<Step> steps) {}

  /** A cancel. */
  record Cancel(long acct, long orderId, long remaining, Reject reason) {}

  final Map<String, Order> orders = new HashMap<>();
  final Map<String, Long> filled = new HashMap<>();
  final Map<String, Long> position = new HashMap<>();
  final List<Trade> trades = new ArrayList<>();
  final List<Implied> implied = new ArrayList<>();
  final List<Cancel> cancels = new ArrayList<>();

  static String key(long a, long id) {
    return a + "/" + id;
  }

  /** Places through the engine, remembering the order for the checks. */
  PlaceResult place(MatchingEngine e, Order o, long now) {
    orders.put(key(o.accountId, o.orderId), o.copy());
    PlaceResult r = e.place(o, now);
    if (!r.accepted()) {
      orders.remove(key(o.accountId, o.orderId));
    }
    return r;
  }

  private void fill(Order o, long units) {
    long f = filled.merge(key(o.accountId, o.orderId), units, Long::sum);
    assertTrue(f <= o.quantity, "OVERFILL of " + key(o.accountId, o.orderId));
  }

  private void move(long acct, long id, long lots) {
    position.merge(acct + "@" + id, lots, Long::sum);
  }

  long position(long acct, long id) {
    return position.getOrDefault(acct + "@" + id, 0L);
  }

  /** Sum over accounts of the position in an instrument. */
  long net(long id) {
    long s = 0;
    for (var e : position.entrySet()) {
      if (e.getKey().endsWith("@" + id)) {
        s += e.getValue();
      }
    }
    return s;
  }

  @Override
  public void onTrade(
      long makerAccount,
      long makerOrderId,
      long takerAccount,
      long takerOrderId,
      long units,
      long[] legPrice,
      int legs,
      long net) {
    Order m = orders.get(key(makerAccount, makerOrderId));
    Order t = orders.get(key(takerAccount, takerOrderId));
    assertTrue(m != null && t != null, "unknown order in a trade");
    assertTrue(makerAccount != takerAccount, "self trade");
    assertTrue(units > 0);
    assertEquals(m.legs, legs);
    long n = 0;
    for (int l = 0; l < Order.MAX_LEGS; l++) {
      assertEquals(m.instrumentId[l], t.instrumentId[l], "LEGS_MISMATCH id");
      assertEquals(-m.ratio[l], t.ratio[l], "LEGS_MISMATCH ratio");
      if (l < legs) {
        n += m.ratio[l] * legPrice[l];
      }
    }
    assertEquals(n, net, "net = sum M.ratio * price");
    assertTrue(net <= m.limitPrice, "PRICE_LIMIT maker");
    assertTrue(-net <= t.limitPrice, "PRICE_LIMIT taker");
    fill(m, units);
    fill(t, units);
    for (int l = 0; l < legs; l++) {
      move(makerAccount, m.instrumentId[l], m.ratio[l] * units);
      move(takerAccount, m.instrumentId[l], -m.ratio[l] * units);
    }
    trades.add(
        new Trade(
            makerAccount,
            makerOrderId,
            takerAccount,
            takerOrderId,
            units,
            java.util.Arrays.copyOf(legPrice, legs),
            net));
  }

  @Override
  public void onImpliedTrade(
      long comboAccount,
      long comboOrderId,
      long units,
      long totalNet,
      int steps,
      int[] leg,
      long[] makerAccount,
      long[] makerOrderId,
      long[] lots,
      long[] price) {
    Order c = orders.get(key(comboAccount, comboOrderId));
    assertTrue(c != null && units > 0);
    long[] perLeg = new long[c.legs];
    long total = 0;
    List<Step> list = new ArrayList<>();
    for (int k = 0; k < steps; k++) {
      Order m = orders.get(key(makerAccount[k], makerOrderId[k]));
      int l = leg[k];
      assertTrue(m != null && m.legs == 1, "implied maker must be single-leg");
      assertTrue(makerAccount[k] != comboAccount, "self trade");
      assertEquals(c.instrumentId[l], m.instrumentId[0], "leg instrument");
      assertEquals(-Long.signum(c.ratio[l]), m.ratio[0], "leg side");
      assertTrue(m.ratio[0] * price[k] <= m.limitPrice, "maker PRICE_LIMIT");
      perLeg[l] += lots[k];
      total += Long.signum(c.ratio[l]) * lots[k] * price[k];
      fill(m, lots[k]);
      move(makerAccount[k], m.instrumentId[0], m.ratio[0] * lots[k]);
      list.add(new Step(l, makerAccount[k], makerOrderId[k], lots[k], price[k]));
    }
    for (int l = 0; l < c.legs; l++) {
      assertEquals(Math.abs(c.ratio[l]) * units, perLeg[l], "every leg fills, in ratio");
      move(comboAccount, c.instrumentId[l], c.ratio[l] * units);
    }
    assertEquals(total, totalNet);
    assertTrue(total <= units * c.limitPrice, "combo PRICE_LIMIT");
    fill(c, units);
    implied.add(new Implied(comboAccount, comboOrderId, units, totalNet, list));
  }

  @Override
  public void onCancel(long account, long orderId, long remaining, Reject reason) {
    cancels.add(new Cancel(account, orderId, remaining, reason));
  }
}
