package io.zkmargin.operator;

import java.math.BigInteger;

/**
 * The data-availability committee as the sequencer sees it: members receive a batch's witness,
 * check that it reproduces the batch's roots, store it and sign the EIP-712 {@code BatchData(uint64
 * batchNumber, uint256 dataHash, uint256 newRoot)} of the Settlement contract.
 */
public interface BatchCommittee {

  /**
   * Signatures ready for {@code finalizeBatch}.
   *
   * @param packed concatenated 65-byte {@code r | s | v} signatures, signers strictly increasing
   * @param signers how many signed
   */
  record Signatures(byte[] packed, int signers) {}

  /**
   * Collects the quorum's signatures over a batch.
   *
   * @param batchNumber the batch's number on chain (1 = the first after genesis)
   * @param dataHash the batch's data hash (public input)
   * @param newRoot the batch's new state root
   * @param witnessJson the batch witness JSON (docs/BATCH.md 4a), which members replay
   * @return the signatures of at least the quorum
   * @throws IllegalStateException when fewer members than the quorum signed
   */
  Signatures sign(long batchNumber, BigInteger dataHash, BigInteger newRoot, String witnessJson);
}
