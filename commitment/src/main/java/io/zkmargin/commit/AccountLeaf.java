package io.zkmargin.commit;

import io.zkmargin.risk.account.Account;
import io.zkmargin.risk.account.AccountState;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * One account of the venue as committed in the state tree (see docs/ENCODING.md, "Account leaf"): the owner's
 * public key and the nonce, which only the commitment knows, and the risk model's {@link AccountState} (tier,
 * balances, positions), whose accessors it forwards so that a leaf can be margined as an {@link Account}.
 *
 * <p>Amounts are integers: balances in venue atoms of each asset (asset 0 is the quote asset, 6
 * decimals), quantities in signed whole lots (positive = long), funding snapshots in quote atoms per
 * lot. Arrays are owned by the record: callers must not mutate them after construction.
 *
 * @param ownerPkX x coordinate of the owner's EdDSA public key (BN254 twisted Edwards), in {@code [0, r)}
 * @param ownerPkY y coordinate of the owner's public key, in {@code [0, r)}
 * @param nonce replay counter, {@code >= 0}
 * @param account the risk model's account: tier, balances, positions
 */
public record AccountLeaf(BigInteger ownerPkX, BigInteger ownerPkY, long nonce, AccountState account)
    implements Account {

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
    if (account == null) {
      throw new IllegalArgumentException("account must not be null");
    }
  }

  /**
   * A leaf from its fields (see {@link AccountState} for the units).
   *
   * @param ownerPkX x coordinate of the owner's public key, in {@code [0, r)}
   * @param ownerPkY y coordinate of the owner's public key, in {@code [0, r)}
   * @param nonce replay counter, {@code >= 0}
   * @param tier risk tier, in {@code [0, T)}
   * @param balances signed balance per collateral asset, length A
   * @param instrumentIds instrument id per position slot, length P ({@code 0} for an empty slot)
   * @param quantities signed quantity in lots per slot, length P ({@code 0} = empty slot)
   * @param fundingSnapshots funding index at the position's last settlement, quote atoms per lot, length P
   */
  public AccountLeaf(BigInteger ownerPkX, BigInteger ownerPkY, long nonce, long tier, long[] balances,
      long[] instrumentIds, long[] quantities, long[] fundingSnapshots) {
    this(ownerPkX, ownerPkY, nonce, new AccountState(tier, balances, instrumentIds, quantities, fundingSnapshots));
  }

  /** Risk tier, in {@code [0, T)}. */
  @Override
  public long tier() {
    return account.tier();
  }

  /** Signed balance per collateral asset, venue atoms, length A. */
  @Override
  public long[] balances() {
    return account.balances();
  }

  /** Instrument id per position slot, length P. */
  @Override
  public long[] instrumentIds() {
    return account.instrumentIds();
  }

  /** Signed quantity in lots per slot, length P. */
  @Override
  public long[] quantities() {
    return account.quantities();
  }

  /** Funding index at each position's last settlement, quote atoms per lot, length P. */
  @Override
  public long[] fundingSnapshots() {
    return account.fundingSnapshots();
  }

  /** Validates this leaf against circuit sizes; throws {@link IllegalArgumentException} with the reason. */
  public void checkFits(CircuitSizes sizes) {
    account.checkFits(sizes);
  }

  /** The leaf's words in commitment order: nonce, tier, balances, then (id, quantity, snapshot) per slot. */
  public long[] words() {
    long[] balances = balances();
    long[] instrumentIds = instrumentIds();
    long[] quantities = quantities();
    long[] fundingSnapshots = fundingSnapshots();
    int p = quantities.length;
    long[] w = new long[2 + balances.length + 3 * p];
    w[0] = nonce;
    w[1] = tier();
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
        && nonce == a.nonce && account.equals(a.account);
  }

  @Override
  public int hashCode() {
    return ownerPkX.hashCode() * 31 + account.hashCode();
  }

  @Override
  public String toString() {
    return "AccountLeaf[nonce=" + nonce + ", tier=" + tier() + ", balances=" + Arrays.toString(balances())
        + ", instrumentIds=" + Arrays.toString(instrumentIds()) + ", quantities=" + Arrays.toString(quantities())
        + ", fundingSnapshots=" + Arrays.toString(fundingSnapshots()) + "]";
  }
}
