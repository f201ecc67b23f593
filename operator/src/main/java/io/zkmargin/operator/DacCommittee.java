package io.zkmargin.operator;

import io.zkmargin.dac.DacClient;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The committee through its members' {@code DataAvailabilityService} ({@link DacClient}): each
 * member replays the batch witness on its own ledger, checks its roots, stores it and signs; the
 * signatures of the first {@code quorum} members to answer come back sorted by signer, as {@code
 * finalizeBatch} wants them.
 */
public final class DacCommittee implements BatchCommittee {
  private final List<DacClient.Endpoint> members;
  private final int quorum;
  private final Duration timeout;

  /**
   * @param members the members' endpoints (the Settlement's committee)
   * @param quorum the Settlement's committee quorum, in {@code [1, members.size()]}
   * @param timeout how long each member has to answer
   */
  public DacCommittee(List<DacClient.Endpoint> members, int quorum, Duration timeout) {
    this.members = List.copyOf(ArgChecker.notNull(members, "members"));
    this.quorum = (int) ArgChecker.inRange(quorum, 1, this.members.size(), "quorum");
    this.timeout = ArgChecker.notNull(timeout, "timeout");
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException when fewer than the quorum signed (the message names each
   *     member's answer)
   */
  @Override
  public Signatures sign(
      long batchNumber, BigInteger dataHash, BigInteger newRoot, String witnessJson) {
    try {
      DacClient.Collected c =
          DacClient.collect(
              members, quorum, batchNumber, witnessJson.getBytes(StandardCharsets.UTF_8), timeout);
      return new Signatures(c.signatures(), c.signers().size());
    } catch (DacClient.QuorumNotReachedException e) {
      throw new IllegalStateException(
          "the committee did not reach its quorum: " + e.getMessage(), e);
    }
  }
}
