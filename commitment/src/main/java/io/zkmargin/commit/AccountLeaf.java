package io.zkmargin.commit;

import io.zkmargin.risk.account.Account;
import io.zkmargin.risk.account.AccountState;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * One account of the venue as committed in the state tree (see docs/ENCODING.md, "Account leaf"):
 * the owner's key and the nonce, which only the commitment knows, and the risk model's {@link
 * AccountState} (tier, balances, positions), whose accessors it forwards so that a leaf is margined
 * as an {@link Account}.
 *
 * <p>Amounts are integers: balances in venue atoms of each asset (asset 0 is the quote asset, 6
 * decimals), quantities in signed whole lots (positive = long), funding snapshots in quote atoms
 * per lot. Arrays are owned by the record: callers must not mutate them after construction.
 *
 * @param ownerPkX x coordinate of the owner's EdDSA public key (BN254 twisted Edwards), in {@code
 *     [0, r)}
 * @param ownerPkY y coordinate of the owner's public key, in {@code [0, r)}
 * @param l1Address the account's Ethereum address as an integer in {@code [0, 2^160)} (0 = none;
 *     leaf v2, docs/BATCH.md section 1)
 * @param ordersRoot root of the account's order-fill subtree, a field element in {@code [0, r)} (0
 *     = no order ever filled in the 0-based empty tree convention; leaf v2)
 * @param nonce replay counter, {@code >= 0}
 * @param account tier, balances and positions (see {@link AccountState} for the units)
 */
public record AccountLeaf(
    BigInteger ownerPkX,
    BigInteger ownerPkY,
    BigInteger l1Address,
    BigInteger ordersRoot,
    long nonce,
    AccountState account)
    implements Account {

  /** Addresses are 160-bit integers. */
  public static final int L1_ADDRESS_BITS = 160;

  public AccountLeaf {
    if (ownerPkX == null || ownerPkY == null) {
      throw new IllegalArgumentException("owner public key must not be null");
    }
    if (ownerPkX.signum() < 0
        || ownerPkX.compareTo(Fr.MODULUS) >= 0
        || ownerPkY.signum() < 0
        || ownerPkY.compareTo(Fr.MODULUS) >= 0) {
      throw new IllegalArgumentException("owner public key coordinates must be in [0, r)");
    }
    ArgChecker.notNull(l1Address, "l1Address");
    ArgChecker.notNull(ordersRoot, "ordersRoot");
    if (l1Address.signum() < 0 || l1Address.bitLength() > L1_ADDRESS_BITS) {
      throw new IllegalArgumentException("l1Address must be in [0, 2^160), got " + l1Address);
    }
    if (ordersRoot.signum() < 0 || ordersRoot.compareTo(Fr.MODULUS) >= 0) {
      throw new IllegalArgumentException("ordersRoot must be in [0, r), got " + ordersRoot);
    }
    ArgChecker.notNegative(nonce, "nonce");
    ArgChecker.notNull(account, "account");
  }

  /**
   * A leaf without an L1 address and with an empty order-fill subtree ({@code l1Address = 0},
   * {@code ordersRoot = 0}): the accounts of a venue that has no batches.
   */
  public AccountLeaf(BigInteger ownerPkX, BigInteger ownerPkY, long nonce, AccountState account) {
    this(ownerPkX, ownerPkY, BigInteger.ZERO, BigInteger.ZERO, nonce, account);
  }

  /**
   * A leaf from the owner key, the nonce and the account's fields (checked by {@link
   * AccountState}), with {@code l1Address = 0} and {@code ordersRoot = 0}.
   */
  public AccountLeaf(
      BigInteger ownerPkX,
      BigInteger ownerPkY,
      long nonce,
      long tier,
      long[] balances,
      long[] instrumentIds,
      long[] quantities,
      long[] fundingSnapshots) {
    this(
        ownerPkX,
        ownerPkY,
        nonce,
        new AccountState(tier, balances, instrumentIds, quantities, fundingSnapshots));
  }

  @Override
  public long tier() {
    return account.tier();
  }

  @Override
  public long[] balances() {
    return account.balances();
  }

  @Override
  public long[] instrumentIds() {
    return account.instrumentIds();
  }

  @Override
  public long[] quantities() {
    return account.quantities();
  }

  @Override
  public long[] fundingSnapshots() {
    return account.fundingSnapshots();
  }

  /**
   * Validates this leaf against circuit sizes; throws {@link IllegalArgumentException} with the
   * reason.
   */
  public void checkFits(CircuitSizes sizes) {
    long tier = tier();
    long[] balances = balances();
    long[] instrumentIds = instrumentIds();
    long[] quantities = quantities();
    if (balances.length != sizes.collateralAssets()) {
      throw new IllegalArgumentException(
          "leaf has " + balances.length + " balances, circuit expects " + sizes.collateralAssets());
    }
    if (quantities.length != sizes.positionSlots()) {
      throw new IllegalArgumentException(
          "leaf has "
              + quantities.length
              + " position slots, circuit expects "
              + sizes.positionSlots());
    }
    if (tier >= sizes.tiers()) {
      throw new IllegalArgumentException("tier " + tier + " is outside [0, " + sizes.tiers() + ")");
    }
    long maxId = 1L << sizes.instrumentDepth();
    for (int j = 0; j < quantities.length; j++) {
      if (quantities[j] != 0 && instrumentIds[j] >= maxId) {
        throw new IllegalArgumentException(
            "instrument id "
                + instrumentIds[j]
                + " of slot "
                + j
                + " is outside [0, "
                + maxId
                + ")");
      }
    }
  }

  /**
   * The leaf's words in commitment order: nonce, tier, balances, then (id, quantity, snapshot) per
   * slot.
   */
  public long[] words() {
    long tier = tier();
    long[] balances = balances();
    long[] instrumentIds = instrumentIds();
    long[] quantities = quantities();
    long[] fundingSnapshots = fundingSnapshots();
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

  /** This leaf with another L1 address and order-fill root (everything else unchanged). */
  public AccountLeaf withL1AddressAndOrdersRoot(BigInteger l1Address, BigInteger ordersRoot) {
    return new AccountLeaf(ownerPkX, ownerPkY, l1Address, ordersRoot, nonce, account);
  }

  /**
   * The leaf hash {@code hashMD(ownerPkX, ownerPkY, l1Address, ordersRoot, pack(words())...)} in
   * {@code [0, r)}; see {@link Commitments#leafHash}.
   */
  public BigInteger hash() {
    return Commitments.leafHash(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccountLeaf a
        && ownerPkX.equals(a.ownerPkX)
        && ownerPkY.equals(a.ownerPkY)
        && l1Address.equals(a.l1Address)
        && ordersRoot.equals(a.ordersRoot)
        && nonce == a.nonce
        && account.equals(a.account);
  }

  @Override
  public int hashCode() {
    return ownerPkX.hashCode() * 31 + account.hashCode();
  }

  @Override
  public String toString() {
    long tier = tier();
    long[] balances = balances();
    long[] instrumentIds = instrumentIds();
    long[] quantities = quantities();
    long[] fundingSnapshots = fundingSnapshots();
    return "AccountLeaf[l1Address="
        + l1Address
        + ", ordersRoot="
        + ordersRoot
        + ", nonce="
        + nonce
        + ", tier="
        + tier
        + ", balances="
        + Arrays.toString(balances)
        + ", instrumentIds="
        + Arrays.toString(instrumentIds)
        + ", quantities="
        + Arrays.toString(quantities)
        + ", fundingSnapshots="
        + Arrays.toString(fundingSnapshots)
        + "]";
  }
}
