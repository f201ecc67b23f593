package io.zkmargin.risk.analytics;

import io.zkmargin.risk.account.Account;
import io.zkmargin.risk.product.CollateralAsset;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.util.ArgChecker;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An account's holdings with the terms of what it holds, for off-circuit analytics.
 *
 * @param account the account (balances in venue atoms, quantities in lots)
 * @param instruments the venue's instruments by id (copied)
 * @param assets the venue's collateral assets, index = asset index (copied)
 */
public record Portfolio(
    Account account, Map<Integer, Instrument> instruments, List<CollateralAsset> assets) {
  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public Portfolio {
    ArgChecker.notNull(account, "account");
    instruments = Collections.unmodifiableMap(new TreeMap<>(instruments));
    assets = List.copyOf(assets);
    if (assets.size() != account.balances().length) {
      throw new IllegalArgumentException(
          "account has "
              + account.balances().length
              + " balances, venue "
              + assets.size()
              + " assets");
    }
    for (int j = 0; j < account.quantities().length; j++) {
      if (account.quantities()[j] != 0
          && !instruments.containsKey((int) account.instrumentIds()[j])) {
        throw new IllegalArgumentException(
            "slot " + j + " holds unknown instrument " + account.instrumentIds()[j]);
      }
    }
  }

  /** Builds a portfolio from a list of instruments. */
  public static Portfolio of(
      Account account, List<? extends Instrument> instruments, List<CollateralAsset> assets) {
    Map<Integer, Instrument> m = new TreeMap<>();
    for (Instrument i : instruments) {
      m.put(i.id(), i);
    }
    return new Portfolio(account, m, assets);
  }
}
