package io.zkmargin.operator;

import io.zkmargin.dac.DacClient;
import io.zkmargin.dac.DacMember;
import io.zkmargin.dac.DacServer;
import io.zkmargin.dac.Genesis;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A committee of data-availability members run in this process, each a real {@link DacServer} on a
 * loopback port with its own data folder ({@code DIR/member-<i>}: key, genesis, stored batches):
 * what {@code ./zkm serve} and the tests use. Members of a folder made for another Settlement (a
 * new local deployment) start afresh.
 */
public final class LocalCommittee implements AutoCloseable {
  private final List<DacServer> servers;
  private final int quorum;

  private LocalCommittee(List<DacServer> servers, int quorum) {
    this.servers = servers;
    this.quorum = quorum;
  }

  /**
   * Starts {@code size} members.
   *
   * @param dir the committee's folder
   * @param genesis the Settlement's genesis accounts
   * @param chainId the chain of the EIP-712 domain
   * @param settlement the Settlement of the EIP-712 domain
   * @param size members, in {@code [1, 32]}
   * @param quorum signatures per batch, in {@code [1, size]}
   * @param log the members' lines
   */
  public static LocalCommittee start(
      Path dir,
      Genesis genesis,
      long chainId,
      String settlement,
      int size,
      int quorum,
      PrintStream log)
      throws IOException {
    ArgChecker.inRange(size, 1, 32, "size");
    ArgChecker.inRange(quorum, 1, size, "quorum");
    List<DacServer> servers = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        Path m = dir.resolve("member-" + i);
        if (Files.isRegularFile(m.resolve("member.json"))
            && !Files.readString(m.resolve("member.json"))
                .toLowerCase(Locale.ROOT)
                .contains(settlement.toLowerCase(Locale.ROOT))) {
          deleteTree(m); // made for another deployment of the local chain
        }
        servers.add(
            DacServer.start(
                DacMember.open(m, genesis, chainId, settlement, log), "127.0.0.1", 0, true, log));
      }
    } catch (IOException | RuntimeException e) {
      servers.forEach(DacServer::close);
      throw e;
    }
    return new LocalCommittee(servers, quorum);
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  /** The members' signer addresses (for {@code Settlement.setCommittee}). */
  public List<String> signers() {
    return servers.stream().map(s -> s.member().signer()).toList();
  }

  /** The members' endpoints. */
  public List<DacClient.Endpoint> endpoints() {
    return servers.stream().map(DacServer::endpoint).toList();
  }

  /** The quorum. */
  public int quorum() {
    return quorum;
  }

  /** The committee as the sequencer calls it. */
  public BatchCommittee committee() {
    return new DacCommittee(endpoints(), quorum, DacClient.DEFAULT_TIMEOUT);
  }

  @Override
  public void close() {
    servers.forEach(DacServer::close);
  }
}
