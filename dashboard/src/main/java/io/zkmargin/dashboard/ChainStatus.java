package io.zkmargin.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.LocalChain;
import io.zkmargin.chain.SettlementClient;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * The on-chain status of the served venue's roots, read from the Settlement contract of the data
 * directory's local chain ({@code DIR/chain.json}, written by {@code ./zkm chain up} and {@code
 * ./zkm serve}): the batch in which the state root was settled, whether the risk root is usable
 * (posted by the oracle quorum, within the window and the maximum age) and when it was posted. Only
 * views ({@code eth_call}); answers are cached for {@link #CACHE_MILLIS} so that a page polling it
 * costs the node little. Thread-safe.
 */
final class ChainStatus {

  /** How long an answer is reused. */
  static final long CACHE_MILLIS = 5_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dataDir;
  private ObjectNode cached;
  private long cachedAt;

  ChainStatus(Path dataDir) {
    this.dataDir = dataDir;
  }

  /**
   * The status of {@code stateRoot} and {@code riskRoot} on the chain; {@code chain: "none"} when
   * the data directory has no chain, {@code "down"} when its node does not answer, {@code "error"}
   * with a message when a call fails.
   */
  synchronized ObjectNode status(BigInteger stateRoot, BigInteger riskRoot) {
    long now = System.currentTimeMillis();
    if (cached != null && now - cachedAt < CACHE_MILLIS) {
      return cached;
    }
    cached = read(stateRoot, riskRoot);
    cachedAt = now;
    return cached;
  }

  private ObjectNode read(BigInteger stateRoot, BigInteger riskRoot) {
    ObjectNode out = JSON.createObjectNode();
    Optional<LocalChain.State> state;
    try {
      state = LocalChain.readState(dataDir);
    } catch (java.io.IOException e) {
      return out.put("chain", "error").put("message", e.getMessage());
    }
    if (state.isEmpty()) {
      return out.put("chain", "none")
          .put(
              "message",
              "no local chain for this venue (./zkm serve starts one unless --no-chain)");
    }
    LocalChain.State s = state.get();
    out.put("rpcUrl", s.rpcUrl());
    out.put("settlement", s.settlement());
    out.put("verifier", s.verifier());
    if (AnvilNode.chainId(s.rpcUrl()).isEmpty()) {
      return out.put("chain", "down")
          .put("message", "the chain node at " + s.rpcUrl() + " does not answer");
    }
    Web3j web3 = SettlementClient.connect(s.rpcUrl());
    try {
      SettlementClient c =
          new SettlementClient(
              web3, Credentials.create(AnvilNode.DEV_KEY_0), s.chainId(), s.settlement(), "[]");
      long batch = c.stateRootBatch(stateRoot);
      out.put("chain", "up");
      out.put("batchNumber", c.batchNumber());
      out.put("stateRootBatch", batch);
      out.put("stateRootSettled", batch > 0);
      out.put("stateRootCurrent", stateRoot.equals(c.stateRoot()));
      out.put("riskRootUsable", c.riskRootUsable(riskRoot));
      out.put("riskRootPostedAt", c.riskRootPostedAt(riskRoot));
      out.put("latestRiskEpoch", c.latestRiskEpoch());
      return out;
    } catch (RuntimeException e) {
      return out.put("chain", "error").put("message", String.valueOf(e.getMessage()));
    } finally {
      web3.shutdown();
    }
  }
}
