package io.zkmargin.commit.msg;

import io.zkmargin.commit.Fr;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;

/**
 * A liquidator's signed liquidation (docs/LIQUIDATION.md section 2, the batch circuit's liquidation
 * slot, tag 4): {@code msg = hashMD(4, riskRoot, keeper, pack(accountId, liquidatorId, nonce,
 * penalty, takeLots[0..P-1], takeAtoms[0..A-1])...)}, signed by the liquidator's owner key. The
 * risk root is the batch's (the liquidator takes at that root's marks only); the keeper is in the
 * message because its share changes what the liquidator receives. The nonce is the liquidator's.
 *
 * @param riskRoot the risk root of the batch the liquidation is applied in, a field element
 * @param keeper the keeper's L1 address credited with a share of the penalty, in {@code [0,
 *     2^160)}, 0 for none (an operator-initiated liquidation)
 * @param accountId the liquidated account, {@code >= 0}
 * @param liquidatorId the account that takes over (the signer), {@code >= 0}, not {@code accountId}
 * @param nonce must equal the liquidator leaf's nonce when applied, {@code >= 0}
 * @param penalty quote atoms the liquidated account pays, {@code >= 0}
 * @param takeLots per position slot of the liquidated account (P entries), signed lots taken
 * @param takeAtoms per asset (A entries), venue atoms taken, {@code >= 0}; entry 0 must be 0 (the
 *     ledger refuses otherwise)
 */
public record LiquidationMessage(
    BigInteger riskRoot,
    BigInteger keeper,
    long accountId,
    long liquidatorId,
    long nonce,
    long penalty,
    long[] takeLots,
    long[] takeAtoms)
    implements SignedMessage {

  /** The message tag of a liquidation. */
  public static final long TAG = 4;

  public LiquidationMessage {
    Fr.requireElement(riskRoot, "riskRoot");
    WithdrawalMessage.checkAddress(keeper);
    ArgChecker.notNegative(accountId, "accountId");
    ArgChecker.notNegative(liquidatorId, "liquidatorId");
    ArgChecker.isTrue(
        accountId != liquidatorId, "a liquidation needs two accounts, got {} twice", accountId);
    ArgChecker.notNegative(nonce, "nonce");
    ArgChecker.notNegative(penalty, "penalty");
    ArgChecker.notNull(takeLots, "takeLots");
    ArgChecker.notNull(takeAtoms, "takeAtoms");
    ArgChecker.isTrue(takeLots.length >= 1, "takeLots needs P >= 1 entries");
    ArgChecker.isTrue(takeAtoms.length >= 1, "takeAtoms needs A >= 1 entries");
    takeLots = takeLots.clone();
    takeAtoms = takeAtoms.clone();
  }

  @Override
  public long[] takeLots() {
    return takeLots.clone();
  }

  @Override
  public long[] takeAtoms() {
    return takeAtoms.clone();
  }

  /** Lots taken from position slot {@code j}. */
  public long takeLots(int j) {
    return takeLots[j];
  }

  /** Atoms taken of asset {@code k}. */
  public long takeAtoms(int k) {
    return takeAtoms[k];
  }

  @Override
  public long tag() {
    return TAG;
  }

  /** The signed words in message order (before packing). */
  public long[] words() {
    long[] w = new long[4 + takeLots.length + takeAtoms.length];
    w[0] = accountId;
    w[1] = liquidatorId;
    w[2] = nonce;
    w[3] = penalty;
    System.arraycopy(takeLots, 0, w, 4, takeLots.length);
    System.arraycopy(takeAtoms, 0, w, 4 + takeLots.length, takeAtoms.length);
    return w;
  }

  @Override
  public BigInteger messageHash() {
    BigInteger[] packed = WordPacking.pack(words());
    BigInteger[] all = new BigInteger[3 + packed.length];
    all[0] = BigInteger.valueOf(TAG);
    all[1] = riskRoot;
    all[2] = keeper;
    System.arraycopy(packed, 0, all, 3, packed.length);
    return Poseidon2.hashMD(all);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LiquidationMessage m
        && riskRoot.equals(m.riskRoot)
        && keeper.equals(m.keeper)
        && accountId == m.accountId
        && liquidatorId == m.liquidatorId
        && nonce == m.nonce
        && penalty == m.penalty
        && java.util.Arrays.equals(takeLots, m.takeLots)
        && java.util.Arrays.equals(takeAtoms, m.takeAtoms);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(riskRoot, keeper, accountId, liquidatorId, nonce, penalty) * 31
        + java.util.Arrays.hashCode(takeLots) * 17
        + java.util.Arrays.hashCode(takeAtoms);
  }

  @Override
  public String toString() {
    return "LiquidationMessage[accountId="
        + accountId
        + ", liquidatorId="
        + liquidatorId
        + ", keeper="
        + keeper
        + ", nonce="
        + nonce
        + ", penalty="
        + penalty
        + ", takeLots="
        + java.util.Arrays.toString(takeLots)
        + ", takeAtoms="
        + java.util.Arrays.toString(takeAtoms)
        + ", riskRoot="
        + riskRoot
        + "]";
  }
}
