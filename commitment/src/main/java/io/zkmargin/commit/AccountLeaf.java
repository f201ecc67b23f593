package io.zkmargin.commit;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * One account of the venue as committed in the state tree (see docs/ENCODING.md, "Account leaf").
 *
 * <p>Amounts are integers: balances in venue atoms of each asset (asset 0 is the quote asset, 6
 * decimals), quantities in signed whole lots (positive = long), funding snapshots in quote atoms per
 * lot. Arrays are owned by the record: callers must not mutate them after construction.
 *
 * @param ownerPkX x coordinate of the owner's EdDSA public key (BN254 twisted Edwards), in {@code [0, r)}
 * @param ownerPkY y coordinate of the owner's public key, in {@code [0, r)}
 * @param nonce replay counter, {@code >= 0}
 * @param tier risk tier, in {@code [0, T)}
 * @param balances signed balance per collateral asset, length A
 * @param instrumentIds instrument id per position slot, length P ({@code 0} for an empty slot)
 * @param quantities signed quantity in lots per slot, length P ({@code 0} = empty slot)
 * @param fundingSnapshots funding index at the position's last settlement, quote atoms per lot, length P
 */
public record AccountLeaf(
    BigInteger ownerPkX,
    BigInteger ownerPkY,
    long nonce,
    long tier,
    long[] balances,
    long[] instrumentIds,
    long[] quantities,
    long[] fundingSnapshots) {

  public AccountLeaf {
    if (ownerPkX == null || ownerPkY == null) {
      throw new IllegalArgumentException("owner public key must not be null");
    }
    if (ownerPkX.signum() < 0 || ownerPkX.compareTo(Fr.MODULUS) >= 0
        || ownerPkY.signum() < 0 || ownerPkY.compareTo(Fr.MODULUS) >= 0) {
      throw new IllegalArgumentException("owner public key coordinates must be in [0, r)");
    }
    if (nonce < 0) {
      throw new IllegalArgumentException("nonce must be >= 0, was " + nonce);
    }
    if (tier < 0) {
      throw new IllegalArgumentException("tier must be >= 0, was " + tier);
    }
    if (instrumentIds.length != quantities.length || quantities.length != fundingSnapshots.length) {
      throw new IllegalArgumentException("position arrays must have equal lengths");
    }
    for (int j = 0; j < quantities.length; j++) {
      if (quantities[j] != 0 && instrumentIds[j] < 0) {
        throw new IllegalArgumentException("instrument id of slot " + j + " must be >= 0");
      }
    }
  }

  /** Validates this leaf against circuit sizes; throws {@link IllegalArgumentException} with the reason. */
  public void checkFits(CircuitSizes sizes) {
    if (balances.length != sizes.collateralAssets()) {
      throw new IllegalArgumentException(
          "leaf has " + balances.length + " balances, circuit expects " + sizes.collateralAssets());
    }
    if (quantities.length != sizes.positionSlots()) {
      throw new IllegalArgumentException(
          "leaf has " + quantities.length + " position slots, circuit expects " + sizes.positionSlots());
    }
    if (tier >= sizes.tiers()) {
      throw new IllegalArgumentException("tier " + tier + " is outside [0, " + sizes.tiers() + ")");
    }
    long maxId = 1L << sizes.instrumentDepth();
    for (int j = 0; j < quantities.length; j++) {
      if (quantities[j] != 0 && instrumentIds[j] >= maxId) {
        throw new IllegalArgumentException(
            "instrument id " + instrumentIds[j] + " of slot " + j + " is outside [0, " + maxId + ")");
      }
    }
  }

  /** The leaf's words in commitment order: nonce, tier, balances, then (id, quantity, snapshot) per slot. */
  public long[] words() {
    int p = quantities.length;
    long[] w = new long[2 + balances.length + 3 * p];
    w[0] = nonce;
    w[1] = tier;
    System.arraycopy(balances, 0, w, 2, balances.length);
    int k = 2 + balances.length;
    for (int j = 0; j < p; j++) {
      w[k++] = quantities[j] == 0 ? 0 : instrumentIds[j];
      w[k++] = quantities[j];
      w[k++] = fundingSnapshots[j];
    }
    return w;
  }

  /**
   * The leaf hash {@code hashMD(ownerPkX, ownerPkY, pack(words())...)} in {@code [0, r)}; see
   * {@link Commitments#leafHash}.
   */
  public BigInteger hash() {
    return Commitments.leafHash(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccountLeaf a
        && ownerPkX.equals(a.ownerPkX) && ownerPkY.equals(a.ownerPkY)
        && nonce == a.nonce && tier == a.tier
        && Arrays.equals(balances, a.balances) && Arrays.equals(instrumentIds, a.instrumentIds)
        && Arrays.equals(quantities, a.quantities) && Arrays.equals(fundingSnapshots, a.fundingSnapshots);
  }

  @Override
  public int hashCode() {
    return ownerPkX.hashCode() * 31 + Arrays.hashCode(balances) * 17 + Arrays.hashCode(quantities);
  }

  @Override
  public String toString() {
    return "AccountLeaf[nonce=" + nonce + ", tier=" + tier + ", balances=" + Arrays.toString(balances)
        + ", instrumentIds=" + Arrays.toString(instrumentIds) + ", quantities=" + Arrays.toString(quantities)
        + ", fundingSnapshots=" + Arrays.toString(fundingSnapshots) + "]";
  }
}
