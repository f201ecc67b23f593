package io.zkmargin.trading;

/**
 * Receives the engine's events, in order, on the engine's thread. The arrays passed are the
 * engine's scratch: valid only during the call (copy what you keep).
 */
public interface TradeListener {
  /**
   * A fill of {@code units} combo units between a resting maker order and the incoming taker order,
   * exactly a docs/BATCH.md {@code trade}: the legs match with opposite ratios, and {@code net =
   * sum_l makerRatio[l] * legPrice[l]} satisfies {@code net <= maker.limitPrice} and {@code -net <=
   * taker.limitPrice}.
   *
   * @param makerAccount maker's account
   * @param makerOrderId maker's order id
   * @param takerAccount taker's account
   * @param takerOrderId taker's order id
   * @param units fill size, combo units, {@code > 0}
   * @param legPrice quote atoms per lot per leg (first {@code legs} entries)
   * @param legs number of legs
   * @param net maker's net price per unit, quote atoms
   */
  void onTrade(
      long makerAccount,
      long makerOrderId,
      long takerAccount,
      long takerOrderId,
      long units,
      long[] legPrice,
      int legs,
      long net);

  /**
   * An implied fill: the combo order fills {@code units} units atomically against single-leg
   * resting orders, one step per (leg, maker order): the maker trades {@code lots[k]} lots at
   * {@code price[k]} on leg {@code leg[k]}, opposite to the combo. For every leg, {@code sum lots =
   * |ratio[l]| * units}; every step's price is within its maker's limit; the combo's total net
   * {@code sum_k sign(ratio[leg[k]]) * lots[k] * price[k] <= units * combo.limitPrice} (each unit
   * meets the limit on its own). Not expressible as BATCH.md's two-order trade: see the README.
   *
   * @param comboAccount the combo's account
   * @param comboOrderId the combo's order id
   * @param units combo units filled
   * @param totalNet what the combo pays in all, quote atoms (negative: receives)
   * @param steps number of steps
   * @param leg leg index per step
   * @param makerAccount maker account per step
   * @param makerOrderId maker order id per step
   * @param lots lots per step
   * @param price quote atoms per lot per step
   */
  void onImpliedTrade(
      long comboAccount,
      long comboOrderId,
      long units,
      long totalNet,
      int steps,
      int[] leg,
      long[] makerAccount,
      long[] makerOrderId,
      long[] lots,
      long[] price);

  /**
   * An order left the book without filling completely (cancel, self-trade prevention, IOC
   * remainder, slot replaced, expired).
   *
   * @param account account
   * @param orderId order id
   * @param remaining unfilled combo units
   * @param reason why
   */
  void onCancel(long account, long orderId, long remaining, Reject reason);

  /** A listener that ignores everything. */
  TradeListener NONE =
      new TradeListener() {
        @Override
        public void onTrade(
            long makerAccount,
            long makerOrderId,
            long takerAccount,
            long takerOrderId,
            long units,
            long[] legPrice,
            int legs,
            long net) {}

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
            long[] price) {}

        @Override
        public void onCancel(long account, long orderId, long remaining, Reject reason) {}
      };
}
