package io.zkmargin.cli;

import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainException;
import io.zkmargin.chain.EscapeHatchClient;
import io.zkmargin.chain.SettlementClient;
import java.math.BigInteger;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --rpc URL --settlement ADDR}: the chain options of a command that talks to a deployed
 * Settlement (a picocli mixin), and the connection they name.
 */
final class ChainOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--rpc", paramLabel = "URL", required = true, description = "JSON-RPC endpoint")
  String rpc;

  @Option(
      names = "--settlement",
      paramLabel = "ADDR",
      required = true,
      description = "the Settlement contract's address")
  String settlement;

  /**
   * A connection to the node and the Settlement's escape hatch, signing with one key. Close it to
   * release the HTTP client.
   */
  record Connected(
      Web3j web3,
      long chainId,
      SettlementClient settlement,
      EscapeHatchClient hatch,
      Credentials sender)
      implements AutoCloseable {
    @Override
    public void close() {
      web3.shutdown();
    }
  }

  /**
   * Connects to {@code --rpc} and finds the Settlement's escape hatch.
   *
   * @param sender signs the transactions (and is the {@code from} of calls)
   * @throws ParameterException (exit 2) when {@code --settlement} is not an address
   * @throws ChainException when no node answers, no contract is at the address or it has no hatch
   */
  Connected connectToHatch(Credentials sender) {
    if (!settlement.matches("0x[0-9a-fA-F]{40}")) {
      throw new ParameterException(
          mixee.commandLine(), "--settlement must be a 0x-prefixed 20-byte address");
    }
    Optional<Long> chainId = AnvilNode.chainId(rpc);
    if (chainId.isEmpty()) {
      throw new ChainException("no JSON-RPC node answers at " + rpc, (String) null);
    }
    Web3j web3 = SettlementClient.connect(rpc);
    try {
      SettlementClient s = new SettlementClient(web3, sender, chainId.get(), settlement, "[]");
      if (!s.isDeployed()) {
        throw new ChainException("no contract at " + settlement, (String) null);
      }
      String hatch = s.escapeHatch();
      if (Numeric.toBigInt(hatch).equals(BigInteger.ZERO)) {
        throw new ChainException(
            "the Settlement at " + settlement + " has no escape hatch", (String) null);
      }
      EscapeHatchClient h =
          new EscapeHatchClient(
              web3, sender, chainId.get(), hatch, EscapeHatchClient.ESCAPE_HATCH_ERRORS);
      return new Connected(web3, chainId.get(), s, h, sender);
    } catch (RuntimeException e) {
      web3.shutdown();
      throw e;
    }
  }
}
