package io.zkmargin.operator;

import io.zkmargin.chain.OracleSigner;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.util.List;
import org.web3j.crypto.ECKeyPair;

/**
 * Committee signatures made in-process with the members' secp256k1 keys, over the contract's
 * EIP-712 {@code BatchData} digest ({@link OracleSigner#batchDataDigest}), the first {@code quorum}
 * members signing. It does not replay or store the batch data: a stand-in for the committee members
 * of {@code ./zkm dac serve} (branch {@code dac}) until their client is merged.
 */
public final class KeyCommittee implements BatchCommittee {
  private final List<ECKeyPair> members;
  private final int quorum;
  private final long chainId;
  private final String settlement;

  /**
   * @param members the members' keys (the contract's committee)
   * @param quorum signatures sent per batch, in {@code [1, members.size()]}
   * @param chainId the chain id of the EIP-712 domain
   * @param settlement the Settlement address of the EIP-712 domain
   */
  public KeyCommittee(List<ECKeyPair> members, int quorum, long chainId, String settlement) {
    this.members = List.copyOf(ArgChecker.notNull(members, "members"));
    this.quorum = (int) ArgChecker.inRange(quorum, 1, members.size(), "quorum");
    this.chainId = chainId;
    this.settlement = ArgChecker.notNull(settlement, "settlement");
  }

  @Override
  public Signatures sign(
      long batchNumber, BigInteger dataHash, BigInteger newRoot, String witnessJson) {
    byte[] digest =
        OracleSigner.batchDataDigest(chainId, settlement, batchNumber, dataHash, newRoot);
    return new Signatures(OracleSigner.signSorted(members.subList(0, quorum), digest), quorum);
  }
}
