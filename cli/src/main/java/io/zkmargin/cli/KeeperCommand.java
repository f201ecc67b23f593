package io.zkmargin.cli;

import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.dac.DacClient;
import io.zkmargin.operator.keeper.Keeper;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm keeper --rpc URL --settlement ADDR --dac HOST:PORT [--key FILE] [--once]}: the
 * keeper path of the escape hatch, a thin wrapper of {@link Keeper}: at start and at every new
 * posted risk epoch, rebuilds the accounts from the committee's data, finds the liquidatable ones
 * with the Java risk model, proves their eligibility and posts {@code requestLiquidation}; one line
 * per account posted (account, epoch, gas). Exit 0 (after one round with {@code --once}, or when
 * the Settlement freezes), 1 when the node or member cannot be reached, 2 on bad usage.
 */
@Command(
    name = "keeper",
    header = "post liquidation requests for the liquidatable accounts at each new risk epoch",
    description = {
      "Watches a Settlement: at start and at every new risk epoch the oracles post, rebuilds every",
      "account at the last finalized batch from a committee member's data (the auditor's replay,",
      "checked against the chain), finds the liquidatable ones (E * 10^6 < MM) with the Java risk",
      "model at the epoch's risk entries (the oracle's published vector with --oracle-vector, else",
      "the committee's batch rows at that root), proves each one's eligibility through the native",
      "library and posts requestLiquidation(account, epoch, proof) signed by --key. Accounts with a",
      "pending request are skipped. The operator must then liquidate them within the grace period."
    })
final class KeeperCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;
  @Mixin Cli.DevKeysOption devKeys;

  @Option(names = "--rpc", paramLabel = "URL", required = true, description = "JSON-RPC endpoint")
  String rpc;

  @Option(
      names = "--settlement",
      paramLabel = "ADDR",
      required = true,
      description = "the Settlement contract's address")
  String settlement;

  @Option(
      names = "--dac",
      paramLabel = "HOST:PORT",
      required = true,
      description = "a committee member (HOST:PORT, or HOST:PORT@CERT for TLS)")
  String dac;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      description =
          "file holding the keeper's hex private key (it signs and pays the requests; default:"
              + " anvil's second development account, local chains only)")
  Path keyFile;

  @Option(names = "--once", description = "one round at the latest epoch, then exit")
  boolean once;

  @Option(
      names = "--poll",
      paramLabel = "S",
      defaultValue = "5",
      description = "seconds between two looks at the contract (default ${DEFAULT-VALUE})")
  long poll;

  @Option(
      names = "--oracle-vector",
      paramLabel = "DIR",
      description = {
        "a folder holding the oracle's published risk vector (venue.json), read again at every",
        "new epoch and used when it commits to the epoch's root"
      })
  Path oracleVector;

  @Option(
      names = "--keys",
      paramLabel = "KEYDIR",
      description = "proving key cache (default $ZKM_KEYS, else <repo>/target/zkm-keys)")
  String keysDir;

  @Override
  public Integer call() {
    if (!settlement.matches("0x[0-9a-fA-F]{40}")) {
      System.err.println("zkm keeper: --settlement must be a 0x-prefixed 20-byte address");
      return Cli.USAGE_ERROR;
    }
    long pollSeconds = Cli.range(spec, "poll", poll, 1, 3600);
    Credentials key;
    DacClient.Endpoint endpoint;
    try {
      key = Cli.loadL1Key(keyFile, "zkm keeper");
      endpoint = DacClient.Endpoint.parse(dac);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("zkm keeper: " + e.getMessage());
      return Cli.USAGE_ERROR;
    }
    Optional<Long> chainId = AnvilNode.chainId(rpc);
    if (chainId.isEmpty()) {
      System.err.println("zkm keeper: no JSON-RPC node answers at " + rpc);
      return 1;
    }
    Keeper.OracleVectors vectors =
        oracleVector == null
            ? Keeper.OracleVectors.NONE
            : (epoch, root) -> {
              try {
                RiskCommitment v = new CommittedVenue(VenueStore.load(oracleVector)).risk();
                return Optional.of(v);
              } catch (IOException e) {
                System.err.println("zkm keeper: --oracle-vector: " + e.getMessage());
                return Optional.empty();
              }
            };
    Web3j web3 = SettlementClient.connect(rpc);
    try (KeyStore keys = devKeys.open(keysDir, oracleVector);
        DacClient member = DacClient.connect(endpoint)) {
      Keeper keeper =
          new Keeper(web3, key, chainId.get(), settlement, member, keys, vectors, System.out);
      System.out.println(
          "keeper: "
              + key.getAddress()
              + " watching Settlement "
              + settlement
              + " with "
              + endpoint);
      if (once) {
        Keeper.Round r = keeper.runOnce();
        System.out.printf(
            "keeper: epoch %d at batch %d: %d liquidatable, %d posted, %d skipped%s%n",
            r.epoch(),
            r.batch(),
            r.liquidatable().length,
            r.posted().size(),
            r.skipped().size(),
            r.note() == null ? "" : " (" + r.note() + ")");
        return 0;
      }
      keeper.run(Duration.ofSeconds(pollSeconds), () -> false);
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (IOException | RuntimeException e) {
      System.err.println("zkm keeper: " + e.getMessage());
      return 1;
    } finally {
      web3.shutdown();
    }
  }
}
