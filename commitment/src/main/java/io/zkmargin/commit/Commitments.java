package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;

/**
 * Leaf hashes of the state tree and the risk vector (docs/ENCODING.md, "Account leaf" and "Risk
 * vector commitment"). All results are field elements in {@code [0, r)}.
 */
public final class Commitments {
  private Commitments() {}

  /**
   * {@code hashMD(ownerPkX, ownerPkY, l1Address, ordersRoot, pack(leaf.words())...)}, the account's
   * leaf in the state tree.
   */
  public static BigInteger leafHash(AccountLeaf leaf) {
    return FrMont.fromMont(leafHashMont(leaf));
  }

  static long[] leafHashMont(AccountLeaf leaf) {
    ArgChecker.notNull(leaf, "leaf");
    long[][] packed = WordPacking.packMont(leaf.words());
    long[][] all = new long[4 + packed.length][];
    all[0] = FrMont.toMont(leaf.ownerPkX());
    all[1] = FrMont.toMont(leaf.ownerPkY());
    all[2] = FrMont.toMont(leaf.l1Address());
    all[3] = FrMont.toMont(leaf.ordersRoot());
    System.arraycopy(packed, 0, all, 4, packed.length);
    return Poseidon2.hashMDMont(all);
  }

  /**
   * {@code hashMD(pack(RiskEncoding.words(entry))...)}, the instrument's leaf in the instrument
   * tree.
   */
  public static BigInteger entryHash(InstrumentRiskEntry entry) {
    ArgChecker.notNull(entry, "entry");
    return wordsHash(RiskEncoding.words(entry));
  }

  /** {@code hashMD(pack(RiskEncoding.words(globals))...)}. */
  public static BigInteger globalsHash(RiskGlobals globals) {
    ArgChecker.notNull(globals, "globals");
    return wordsHash(RiskEncoding.words(globals));
  }

  /** {@code hashMD(pack(words)...)} of any word sequence. */
  public static BigInteger wordsHash(long[] words) {
    return FrMont.fromMont(Poseidon2.hashMDMont(WordPacking.packMont(words)));
  }

  /**
   * Sets (or replaces) an account in a state tree.
   *
   * @param stateTree the account tree (depth D)
   * @param accountId leaf index in {@code [0, 2^D)}
   * @param leaf the account
   */
  public static void putAccount(SparseMerkleTree stateTree, long accountId, AccountLeaf leaf) {
    ArgChecker.notNull(stateTree, "state tree");
    ArgChecker.isTrue(
        accountId >= 0 && accountId < stateTree.capacity(),
        "account id {} is outside [0, 2^{})",
        accountId,
        stateTree.depth());
    stateTree.setMont(accountId, leafHashMont(leaf));
  }
}
