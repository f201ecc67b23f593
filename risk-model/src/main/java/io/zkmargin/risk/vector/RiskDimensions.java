package io.zkmargin.risk.vector;

/**
 * The dimensions a risk vector and the accounts it margins are laid out for: the instrument id
 * space, the position slots of an account, the collateral assets, the scenarios per risk array and
 * the risk tiers. The commitment's {@code CircuitSizes} implements it (and adds the account tree
 * depth and the circuit id).
 */
public interface RiskDimensions {
  /** DI: instrument ids are in {@code [0, 2^DI)}. */
  int instrumentDepth();

  /** P, position slots per account. */
  int positionSlots();

  /** A, collateral assets (asset 0 is the quote asset). */
  int collateralAssets();

  /** S, scenarios per risk array. */
  int scenarios();

  /** T, risk tiers. */
  int tiers();
}
