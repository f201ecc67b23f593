package io.zkmargin.cli;

import io.zkmargin.chain.ChainException;
import io.zkmargin.chain.ChainToolchain;
import io.zkmargin.chain.LocalChain;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm chain up|down --data DIR} and {@code ./zkm verify FILE --on-chain [--data DIR]}: a
 * local anvil chain with the verifier and settlement contracts for a venue data directory (see
 * {@link io.zkmargin.chain.LocalChain}). Exit 0 on success, 1 on a failed task or a proof the
 * contract rejects, 2 on bad usage.
 */
@Command(
    name = "chain",
    description =
        "start/stop a local chain with the contracts deployed (anvil + verifier + Settlement)",
    subcommands = {ChainCommand.Up.class, ChainCommand.Down.class},
    footer = {
      "",
      "Then: ./zkm verify FILE --on-chain [--data DIR] [--min-threshold-bps B]",
      "  checks a proof through the deployed contract and prints the gas of verifyHealth.",
      "--data defaults to ./demo."
    })
public final class ChainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  /** {@code ./zkm chain} alone: its help, as a usage error (exit 2). */
  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return Cli.USAGE_ERROR;
  }

  /**
   * Runs {@code chain up|down ...}.
   *
   * @param args the arguments after {@code chain}: {@code up|down} and options (a leading {@code
   *     chain} is skipped)
   * @return exit code
   */
  public static int run(String[] args) {
    if (args.length > 0 && args[0].equals("chain")) {
      args = Arrays.copyOfRange(args, 1, args.length);
    }
    return Main.run("chain", args);
  }

  @Command(
      name = "up",
      header =
          "start a local anvil node, deploy the venue's verifier and Settlement contract, settle roots",
      description = {
        "start a local anvil node in the background (or reuse the live one that chain up started; a node",
        "left by a killed ./zkm serve is stopped, with a message), deploy the verifier of the",
        "venue's circuit and the Settlement contract, settle the venue's state root and post its risk",
        "root signed by 2 of its 3 oracle keys (DIR/keys/oracle-*.key, made on first use);",
        "the node address, contract addresses and the node's pid are saved in DIR/chain.json"
      })
  static final class Up implements Callable<Integer> {
    @Mixin Cli.HelpOption help;
    @Mixin Cli.DevKeysOption devKeys;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        defaultValue = "demo",
        description = "the venue's data directory (default ./demo)")
    Path dir;

    @Option(
        names = "--keys",
        paramLabel = "KEYDIR",
        description =
            "proving/verifying key cache (default $ZKM_KEYS, else <repo>/target/zkm-keys)")
    String keysDir;

    @Option(
        names = "--grace-period",
        paramLabel = "S",
        defaultValue = "" + LocalChain.DEFAULT_GRACE_PERIOD_SECONDS,
        description = {
          "seconds the operator has to honour a forced withdrawal or liquidation request before",
          "anyone may freeze the Settlement (the escape hatch; default ${DEFAULT-VALUE}, a demo's",
          "pace); 0 deploys no escape hatch"
        })
    long gracePeriod;

    @Override
    public Integer call() {
      if (gracePeriod < 0) {
        System.err.println("zkm chain up: --grace-period must be >= 0");
        return Cli.USAGE_ERROR;
      }
      try (KeyStore keys = devKeys.open(keysDir, dir)) {
        return up(dir, keys, false, gracePeriod);
      }
    }
  }

  @Command(name = "down", description = "stop that node")
  static final class Down implements Callable<Integer> {
    @Mixin Cli.HelpOption help;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        defaultValue = "demo",
        description = "the venue's data directory (default ./demo)")
    Path dir;

    @Override
    public Integer call() {
      return down(dir);
    }
  }

  /**
   * {@code chain up} for {@code ./zkm serve}: the node is tied to this JVM and dies with it, even
   * on SIGKILL (see {@link LocalChain}); a node left running by an earlier run is stopped with a
   * message, not reused.
   *
   * @param dir venue data directory
   * @param keys the key store whose verifying key is deployed
   * @return exit code, 0 when the chain is up
   */
  public static int upTiedToThisProcess(Path dir, KeyStore keys, long gracePeriodSeconds) {
    return up(dir, keys, true, gracePeriodSeconds);
  }

  private static int up(Path dir, KeyStore keys, boolean tied, long gracePeriodSeconds) {
    long t0 = System.nanoTime();
    try {
      // with the batch verifier of the venue's size: the operator's batches finalize on it
      io.zkmargin.commit.CircuitSizes sizes = io.zkmargin.prover.VenueStore.load(dir).sizes();
      String batchId = io.zkmargin.operator.LocalOperator.batchCircuitIdFor(sizes, keys);
      // the escape hatch with the batches (its exit/liquidation keys: seconds at the test size;
      // at production size only when the key store holds them, as the batch key)
      long grace =
          batchId != null && io.zkmargin.operator.LocalOperator.escapeKeysFor(sizes, keys)
              ? gracePeriodSeconds
              : 0;
      LocalChain.UpReport r =
          LocalChain.up(dir, keys, ChainToolchain.locate(), System.err, tied, batchId, grace);
      LocalChain.State s = r.state();
      System.out.printf(
          "chain up: node %s (pid %d), Settlement %s, Verifier %s (%s); batch %d, risk epoch %d; %.1f s%n",
          s.rpcUrl(),
          s.pid(),
          s.settlement(),
          s.verifier(),
          s.circuitId(),
          r.batch(),
          r.epoch(),
          (System.nanoTime() - t0) / 1e9);
      java.util.Optional<LocalChain.EscapeHatch> hatch =
          grace > 0 ? LocalChain.readEscapeHatch(dir) : java.util.Optional.empty();
      if (hatch.isPresent()) {
        System.out.printf(
            "chain up: EscapeHatch %s (grace period %d s; exit, keeper: ./zkm exit, ./zkm keeper)%n",
            hatch.get().address(), hatch.get().gracePeriodSeconds());
      } else if (gracePeriodSeconds > 0) {
        System.out.println(
            "chain up: no escape hatch (no batch verifier, or no exit/liquidation keys at this"
                + " size)");
      }
      return 0;
    } catch (NoSuchFileException e) {
      System.err.println(
          "zkm chain up: "
              + (e.getReason() != null ? e.getReason() : "no such file " + e.getFile()));
      return 1;
    } catch (IOException | RuntimeException e) {
      System.err.println("zkm chain up: " + e.getMessage());
      return 1;
    }
  }

  static int down(Path dir) {
    try {
      boolean stopped = LocalChain.down(dir);
      System.out.println(
          stopped ? "chain down: node stopped" : "chain down: no node was running for " + dir);
      return 0;
    } catch (IOException e) {
      System.err.println("zkm chain down: " + e.getMessage());
      return 1;
    }
  }

  /**
   * {@code ./zkm verify FILE --on-chain}: checks a proof through the Settlement contract of {@code
   * dataDir}'s chain.
   *
   * @param minThresholdBps least threshold accepted in basis points; negative = the proof's own
   *     threshold
   * @return 0 for a proof the contract accepts, 1 otherwise (with the reason on stderr)
   */
  public static int verifyOnChain(Path file, Path dataDir, long minThresholdBps) {
    ProofFile proof = VerifyCommand.readOrExplain(file);
    if (proof == null) {
      return 1;
    }
    try {
      LocalChain.OnChainVerdict v =
          LocalChain.verify(dataDir, proof, minThresholdBps, ChainToolchain.locate());
      if (v.valid()) {
        System.out.println("VALID on-chain: " + v.message() + "; verifyHealth gas " + v.gas());
        return 0;
      }
      System.err.println(
          "INVALID on-chain ("
              + v.status()
              + "): "
              + v.message()
              + "; verifyHealth gas "
              + v.gas());
      return 1;
    } catch (IllegalArgumentException e) {
      System.err.println("INVALID: " + e.getMessage());
      return 1;
    } catch (IOException | IllegalStateException | ChainException e) {
      System.err.println("zkm verify --on-chain: " + e.getMessage());
      return 1;
    }
  }
}
