package io.zkmargin.risk.analytics;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.risk.product.CollateralAsset;
import io.zkmargin.risk.product.Instrument;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An account's holdings with the terms of what it holds, for off-circuit analytics.
 *
 * @param leaf the account (balances in venue atoms, quantities in lots)
 * @param instruments the venue's instruments by id (copied)
 * @param assets the venue's collateral assets, index = asset index (copied)
 */
public record Portfolio(AccountLeaf leaf, Map<Integer, Instrument> instruments, List<CollateralAsset> assets) {
  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public Portfolio {
    if (leaf == null) {
      throw new IllegalArgumentException("leaf must not be null");
    }
    instruments = Collections.unmodifiableMap(new TreeMap<>(instruments));
    assets = List.copyOf(assets);
    if (assets.size() != leaf.balances().length) {
      throw new IllegalArgumentException("leaf has " + leaf.balances().length + " balances, venue " + assets.size() + " assets");
    }
    for (int j = 0; j < leaf.quantities().length; j++) {
      if (leaf.quantities()[j] != 0 && !instruments.containsKey((int) leaf.instrumentIds()[j])) {
        throw new IllegalArgumentException("slot " + j + " holds unknown instrument " + leaf.instrumentIds()[j]);
      }
    }
  }

  /** Builds a portfolio from a list of instruments. */
  public static Portfolio of(AccountLeaf leaf, List<? extends Instrument> instruments, List<CollateralAsset> assets) {
    Map<Integer, Instrument> m = new TreeMap<>();
    for (Instrument i : instruments) {
      m.put(i.id(), i);
    }
    return new Portfolio(leaf, m, assets);
  }
}
