package io.zkmargin.cli;

import io.zkmargin.chain.SettlementClient;
import io.zkmargin.dac.AuditReplay;
import io.zkmargin.dac.ChainBatches;
import io.zkmargin.dac.DacClient;
import io.zkmargin.dac.Genesis;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.ProofEncoding;
import io.zkmargin.prover.KeyStore;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.web3j.protocol.Web3j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm audit replay}: rebuild the account tree from genesis and a committee member's batch
 * data, and check every finalized batch against the chain ({@link AuditReplay}). Exit 0 when all
 * agree, 1 at the first mismatch (the batch and the check are printed), 2 on bad usage.
 */
@Command(
    name = "audit",
    description =
        "auditor: replay every finalized batch from genesis and check it against the chain",
    subcommands = {AuditCommand.Replay.class})
public final class AuditCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return Cli.USAGE_ERROR;
  }

  @Command(
      name = "replay",
      header =
          "replay every finalized batch from genesis with a DAC member's data; check the chain",
      description = {
        "read the Settlement's BatchFinalized events and finalizeBatch transactions, fetch each batch's",
        "data and the genesis accounts from a committee member, replay them on a fresh ledger and check",
        "per batch: the public inputs the contract verified (old/new root, risk root, deposit heads,",
        "withdrawals hash, data hash, batch time) are the data's; the data replays; the replayed",
        "withdrawals are the credited ones; the proof verifies (the chain's batch verifier, or with",
        "--keys the local key store's verifying key, natively). Exit 0: all agree; 1: a mismatch"
      })
  static final class Replay implements Callable<Integer> {
    @Mixin Cli.HelpOption help;
    @Mixin DacCommand.DacOption dac;

    @Option(
        names = "--rpc",
        paramLabel = "URL",
        required = true,
        description = "the chain's JSON-RPC endpoint")
    String rpc;

    @Option(
        names = "--settlement",
        paramLabel = "ADDR",
        required = true,
        description = "the Settlement contract")
    String settlement;

    @Option(
        names = "--keys",
        paramLabel = "DIR",
        description =
            "verify proofs natively with this key store's batch verifying keys (default: the chain's"
                + " batch verifier, eth_call)")
    String keys;

    @Override
    public Integer call() {
      Web3j web3 = SettlementClient.connect(rpc);
      try (DacClient c = dac.connect()) {
        ChainBatches.View chain = ChainBatches.read(web3, settlement);
        Genesis genesis = c.genesis();
        AuditReplay.ProofCheck proofs;
        if (keys == null) {
          System.out.println(
              "audit: proofs checked by the chain's batch verifier " + chain.batchVerifier());
          proofs =
              (proof, inputs, circuitId) ->
                  ChainBatches.verifyOnChain(web3, chain.batchVerifier(), proof, inputs);
        } else {
          KeyStore store = new KeyStore(java.nio.file.Path.of(keys), true);
          System.out.println("audit: proofs checked natively with the verifying keys of " + keys);
          proofs =
              (proof, inputs, circuitId) -> {
                if (proof.length != ProofEncoding.POINTS_BYTES) {
                  return false;
                }
                byte[] raw = Arrays.copyOf(proof, ProofEncoding.PROOF_BYTES);
                return Gnark.verify(
                    store.verifyingKey(circuitId),
                    raw,
                    Arrays.stream(inputs).map(BigInteger::toString).toList());
              };
        }
        AuditReplay.Verdict v = AuditReplay.run(genesis, chain, c::batch, proofs, System.out);
        return v.ok() ? 0 : 1;
      } catch (IOException | RuntimeException e) {
        System.out.println("AUDIT FAILED: " + e.getMessage());
        return 1;
      } finally {
        web3.shutdown();
      }
    }
  }
}
