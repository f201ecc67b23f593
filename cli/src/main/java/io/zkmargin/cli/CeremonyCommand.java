package io.zkmargin.cli;

import io.zkmargin.chain.ChainToolchain;
import io.zkmargin.chain.VerifierExport;
import io.zkmargin.nativebridge.Ceremony;
import io.zkmargin.nativebridge.NativeException;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ceremony.CeremonyTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm ceremony ...}: the multi-party trusted setup, thin over {@link CeremonyTool} (files
 * in a ceremony folder) and {@link CeremonyNetwork} (coordinator and remote contributor). Exit 0 on
 * success, 1 on a refused or failed step (a contribution that does not verify: {@code REFUSED}), 2
 * on bad usage.
 */
@Command(
    name = "ceremony",
    header = "multi-party trusted setup: phase 1, phase 2 per circuit, coordinator",
    description = {
      "multi-party Groth16 trusted setup (gnark mpcsetup, BN254): keys nobody can forge proofs with",
      "as long as one contributor was honest and erased their secret. Phase 1 (powers of tau) is",
      "universal up to 2^K; phase 2 is per circuit. Every state is one file in the ceremony folder."
    },
    subcommands = {
      CeremonyCommand.Phase1.class,
      CeremonyCommand.Phase2.class,
      CeremonyNetwork.Serve.class,
      CeremonyNetwork.Contribute.class
    },
    footer = {
      "",
      "A ceremony for one circuit, each contributor in their own shell:",
      "  ./zkm ceremony phase1 init --for-circuit ID   # or --power K; or phase1 import --ptau F",
      "  ./zkm ceremony phase1 contribute             # once per contributor",
      "  ./zkm ceremony phase1 verify",
      "  ./zkm ceremony phase1 seal --beacon HEX",
      "  ./zkm ceremony phase2 init --circuit ID",
      "  ./zkm ceremony phase2 contribute --circuit ID   # once per contributor",
      "  ./zkm ceremony phase2 verify --circuit ID     # --from N: only what came after N",
      "  ./zkm ceremony phase2 finalize --circuit ID --beacon HEX [--export-verifier]",
      "From other machines: ./zkm ceremony serve, then ./zkm ceremony contribute --coordinator HOST:PORT."
    })
final class CeremonyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  /** {@code ./zkm ceremony} alone: its help, as a usage error (exit 2). */
  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return Cli.USAGE_ERROR;
  }

  /** {@code --dir DIR}: the ceremony folder. */
  static final class DirOption {
    @Option(
        names = "--dir",
        paramLabel = "DIR",
        defaultValue = "ceremony",
        description = "the ceremony folder (default ./ceremony)")
    Path dir;

    CeremonyTool tool() {
      return new CeremonyTool(dir, System.out);
    }
  }

  /** {@code --entropy TEXT}: the contributor's own entropy ({@code -}: read stdin to its end). */
  static final class EntropyOption {
    @Option(
        names = "--entropy",
        paramLabel = "TEXT",
        description = {
          "your own randomness, mixed into the contribution's secrets with the OS randomness",
          "(type anything; '-' reads it from stdin up to EOF). The secrets are erased either way"
        })
    String entropy;

    byte[] bytes() {
      if (entropy == null) {
        return null;
      }
      if (entropy.equals("-")) {
        System.err.println("zkm ceremony: type your entropy, then Ctrl-D");
        try {
          InputStream in = System.in;
          return in.readNBytes(Ceremony.MAX_ENTROPY + 1);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read entropy from stdin", e);
        }
      }
      return entropy.getBytes(StandardCharsets.UTF_8);
    }
  }

  /** A public random beacon (a wrapper: picocli would read a {@code byte[]} option as many). */
  record Beacon(byte[] bytes) {}

  /** {@code --beacon HEX}: a public random beacon, hex. */
  static final class BeaconConverter implements CommandLine.ITypeConverter<Beacon> {
    @Override
    public Beacon convert(String value) {
      byte[] b;
      try {
        b = HexFormat.of().parseHex(value.startsWith("0x") ? value.substring(2) : value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not hex");
      }
      if (b.length == 0 || b.length > 0xffff) {
        throw new CommandLine.TypeConversionException(
            "the beacon must have 1..65535 bytes, has " + b.length);
      }
      return new Beacon(b);
    }
  }

  /** A step of the ceremony: what it does, run with progress lines and mapped to an exit code. */
  interface Step {
    void run() throws IOException;
  }

  /**
   * Runs a step, printing a progress line every 15 s while it runs (the native calls take seconds
   * to minutes and cannot report progress themselves) and the time taken.
   *
   * @param name the command, for messages ({@code zkm ceremony phase1 contribute})
   * @param what what the step does, for the progress lines
   * @return 0, or 1 with the reason on stderr ({@code REFUSED: ...} for a chain that does not
   *     verify)
   */
  static int step(String name, String what, Step step) {
    long t0 = System.nanoTime();
    System.err.println(name + ": " + what + "...");
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ceremony-progress");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleAtFixedRate(
        () ->
            System.err.printf(
                "%s: still %s (%.0f s)%n", name, what, (System.nanoTime() - t0) / 1e9),
        15,
        15,
        TimeUnit.SECONDS);
    try {
      step.run();
      System.err.printf("%s: done in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
      return 0;
    } catch (NativeException e) {
      if (e.code() == NativeException.VERIFICATION_FAILED) {
        System.err.println("REFUSED: " + e.getMessage());
      } else {
        System.err.println(name + ": " + e.getMessage());
      }
      return 1;
    } catch (IOException
        | UncheckedIOException
        | IllegalStateException
        | IllegalArgumentException e) {
      System.err.println(name + ": " + e.getMessage());
      return 1;
    } finally {
      ticker.shutdownNow();
    }
  }

  @Command(
      name = "phase1",
      header = "phase 1 (powers of tau): init, contribute, verify, seal; or import a .ptau",
      description = "phase 1 (powers of tau), universal up to a domain size 2^K",
      subcommands = {
        Phase1.Init.class,
        Phase1.Import.class,
        Phase1.Contribute.class,
        Phase1.Verify.class,
        Phase1.Seal.class
      })
  static final class Phase1 implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;

    @Override
    public Integer call() {
      spec.commandLine().usage(System.out);
      return Cli.USAGE_ERROR;
    }

    @Command(
        name = "init",
        description = {
          "start phase 1 at domain size 2^K in the ceremony folder: writes the deterministic initial",
          "state phase1/contribution-0000.bin. K must be the power of the circuits that will use it",
          "(./zkm ceremony phase2 init --circuit ID says which)"
        })
    static final class Init implements Callable<Integer> {
      @Spec CommandSpec spec;
      @Mixin Cli.HelpOption help;
      @Mixin DirOption dir;

      @Option(
          names = "--power",
          paramLabel = "K",
          description = "log2 of the domain size, 1..28 (the TEST health circuit needs 14)")
      Long powerOption;

      @Option(
          names = "--for-circuit",
          paramLabel = "ID",
          description = "instead of --power: the power circuit ID needs")
      String forCircuit;

      @Override
      public Integer call() {
        if ((powerOption == null) == (forCircuit == null)) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "give exactly one of --power K and --for-circuit ID");
        }
        long power;
        try {
          power = powerOption != null ? powerOption : Ceremony.circuitPower(forCircuit);
        } catch (NativeException e) {
          System.err.println("zkm ceremony phase1 init: " + e.getMessage());
          return 1;
        }
        Cli.range(spec, "power", power, Ceremony.MIN_POWER, Ceremony.MAX_POWER);
        return step(
            "zkm ceremony phase1 init",
            "computing the initial state at 2^" + power,
            () -> dir.tool().phase1Init((int) power));
      }
    }

    @Command(
        name = "contribute",
        description = {
          "add your phase-1 contribution on the latest file of the folder: prints the hash of the",
          "file you received and of the file you produced (publish both), writes the next",
          "phase1/contribution-NNNN.bin. Your secret is drawn fresh and erased; it never leaves memory"
        })
    static final class Contribute implements Callable<Integer> {
      @Mixin Cli.HelpOption help;
      @Mixin DirOption dir;
      @Mixin EntropyOption entropy;

      @Override
      public Integer call() {
        return step(
            "zkm ceremony phase1 contribute",
            "contributing",
            () -> dir.tool().phase1Contribute(entropy.bytes()));
      }
    }

    @Command(
        name = "verify",
        description = {
          "verify the whole phase-1 chain from the initial state and print every contribution's",
          "hash; exit 1 (REFUSED) at the first contribution that does not verify"
        })
    static final class Verify implements Callable<Integer> {
      @Mixin Cli.HelpOption help;
      @Mixin DirOption dir;
      @Mixin FromOption from;

      @Override
      public Integer call() {
        return step(
            "zkm ceremony phase1 verify",
            "verifying",
            () -> {
              if (from.from == null) {
                dir.tool().phase1Verify();
              } else {
                dir.tool().verifyFrom(null, from.from);
              }
            });
      }
    }

    @Command(
        name = "import",
        description = {
          "start phase 1 from a public ceremony instead: convert a snarkjs / Perpetual Powers of",
          "Tau .ptau file (BN254, e.g. powersOfTau28_hez_final_17.ptau) into phase1/final.bin at",
          "2^K (a prefix of the file's powers) and record the file's SHA-256 in phase1/final.json.",
          "Check the file first: its published hash, and snarkjs powersoftau verify"
        })
    static final class Import implements Callable<Integer> {
      @Spec CommandSpec spec;
      @Mixin Cli.HelpOption help;
      @Mixin DirOption dir;

      @Option(
          names = "--ptau",
          paramLabel = "FILE",
          required = true,
          description = "the .ptau file")
      Path ptau;

      @Option(
          names = "--power",
          paramLabel = "K",
          description = "log2 of the domain size, at most the file's power")
      Long powerOption;

      @Option(
          names = "--for-circuit",
          paramLabel = "ID",
          description = "instead of --power: the power circuit ID needs")
      String forCircuit;

      @Override
      public Integer call() {
        if ((powerOption == null) == (forCircuit == null)) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "give exactly one of --power K and --for-circuit ID");
        }
        long power;
        try {
          power = powerOption != null ? powerOption : Ceremony.circuitPower(forCircuit);
        } catch (NativeException e) {
          System.err.println("zkm ceremony phase1 import: " + e.getMessage());
          return 1;
        }
        Cli.range(spec, "power", power, Ceremony.MIN_POWER, Ceremony.MAX_POWER);
        return step(
            "zkm ceremony phase1 import",
            "importing " + ptau + " at 2^" + power,
            () -> dir.tool().phase1Import(ptau, (int) power));
      }
    }

    @Command(
        name = "seal",
        description = {
          "verify phase 1, apply the public random beacon (e.g. a drand round published after the",
          "last contribution) and write phase1/final.bin, which phase 2 of every circuit starts from"
        })
    static final class Seal implements Callable<Integer> {
      @Mixin Cli.HelpOption help;
      @Mixin DirOption dir;

      @Option(
          names = "--beacon",
          paramLabel = "HEX",
          required = true,
          converter = BeaconConverter.class,
          description = "the public random beacon, hex (1..65535 bytes)")
      Beacon beacon;

      @Override
      public Integer call() {
        return step(
            "zkm ceremony phase1 seal", "sealing", () -> dir.tool().phase1Seal(beacon.bytes()));
      }
    }
  }

  /** {@code --from N}: verify only the contributions after N, each against its predecessor. */
  static final class FromOption {
    @Option(
        names = "--from",
        paramLabel = "N",
        description = {
          "check only contributions N+1.. each against its predecessor, trusting contribution N",
          "(0: the initial state) as you verified it before (its hash is printed: compare it).",
          "Skips the initialization a whole-chain verify runs (phase 2: minutes at production",
          "size); without --from the whole chain is verified from the recomputed initial state"
        })
    Integer from;
  }

  /** {@code --circuit ID}. */
  static final class CircuitOption {
    @Option(
        names = "--circuit",
        paramLabel = "ID",
        required = true,
        description = "the circuit id, e.g. health-D6-I3-P2-A2-S4-T2 (TEST) or selftest-N8")
    String circuitId;
  }

  @Command(
      name = "phase2",
      header = "phase 2 per circuit: init, contribute, verify, finalize",
      description = "phase 2 of one circuit, from the sealed phase 1",
      subcommands = {
        Phase2.Init.class,
        Phase2.Contribute.class,
        Phase2.Verify.class,
        Phase2.Finalize.class
      })
  static final class Phase2 implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;

    @Override
    public Integer call() {
      spec.commandLine().usage(System.out);
      return Cli.USAGE_ERROR;
    }

    @Command(
        name = "init",
        description = {
          "start phase 2 of a circuit from the sealed phase 1 (phase1/final.bin, which must be at the",
          "circuit's power): writes phase2/ID/contribution-0000.bin"
        })
    static final class Init implements Callable<Integer> {
      @Mixin Cli.HelpOption help;
      @Mixin DirOption dir;
      @Mixin CircuitOption circuit;

      @Override
      public Integer call() {
        return step(
            "zkm ceremony phase2 init",
            "compiling " + circuit.circuitId + " and computing its initial state",
            () -> dir.tool().phase2Init(circuit.circuitId));
      }
    }

    @Command(
        name = "contribute",
        description = {
          "add your phase-2 contribution for the circuit on the latest file: prints the hash of what",
          "you received and produced, writes the next phase2/ID/contribution-NNNN.bin"
        })
    static final class Contribute implements Callable<Integer> {
      @Mixin Cli.HelpOption help;
      @Mixin DirOption dir;
      @Mixin CircuitOption circuit;
      @Mixin EntropyOption entropy;

      @Override
      public Integer call() {
        return step(
            "zkm ceremony phase2 contribute",
            "contributing",
            () -> dir.tool().phase2Contribute(circuit.circuitId, entropy.bytes()));
      }
    }

    @Command(
        name = "verify",
        description = {
          "verify the circuit's whole phase-2 chain from the initial state the sealed phase 1",
          "implies and print every contribution's hash; exit 1 (REFUSED) at the first that fails.",
          "With --beacon, also check that the finalized keys in the key store are exactly what this",
          "chain and beacon give (a wrong beacon or a modified key is REFUSED)"
        })
    static final class Verify implements Callable<Integer> {
      @Mixin Cli.HelpOption help;
      @Mixin DirOption dir;
      @Mixin CircuitOption circuit;

      @Option(
          names = "--beacon",
          paramLabel = "HEX",
          converter = BeaconConverter.class,
          description = "the beacon finalize used: also verify the finalized keys")
      Beacon beacon;

      @Option(
          names = "--keys",
          paramLabel = "KEYDIR",
          description =
              "with --beacon: the key store holding them (default $ZKM_KEYS, else <repo>/target/zkm-keys)")
      String keysDir;

      @Mixin FromOption from;

      @Override
      public Integer call() {
        if (from.from != null && beacon != null) {
          System.err.println(
              "zkm ceremony phase2 verify: --from checks new contributions; --beacon checks the"
                  + " final keys from the whole chain: give one of them");
          return Cli.USAGE_ERROR;
        }
        return step(
            "zkm ceremony phase2 verify",
            "verifying",
            () -> {
              if (from.from != null) {
                dir.tool().verifyFrom(circuit.circuitId, from.from);
                return;
              }
              if (beacon == null) {
                dir.tool().phase2Verify(circuit.circuitId);
                return;
              }
              try (KeyStore keys = ceremonyStore(keysDir)) {
                dir.tool().phase2VerifyFinal(circuit.circuitId, beacon.bytes(), keys);
              }
            });
      }
    }

    static KeyStore ceremonyStore(String keysDir) {
      // a store that only holds ceremony keys here: it needs no development keys
      return keysDir == null ? KeyStore.openDefault(false) : new KeyStore(Path.of(keysDir), false);
    }

    @Command(
        name = "finalize",
        description = {
          "verify the circuit's phase 2, apply the public random beacon and install the proving and",
          "verifying keys in the key store with a manifest (setup: ceremony, transcript hash, every",
          "contribution's hash); writes phase2/ID/transcript.json. With --export-verifier, also",
          "writes the Solidity verifier (with its transcript hash) into verifier-contracts/"
        })
    static final class Finalize implements Callable<Integer> {
      @Mixin Cli.HelpOption help;
      @Mixin DirOption dir;
      @Mixin CircuitOption circuit;

      @Option(
          names = "--beacon",
          paramLabel = "HEX",
          required = true,
          converter = BeaconConverter.class,
          description = "the public random beacon, hex (1..65535 bytes)")
      Beacon beacon;

      @Option(
          names = "--keys",
          paramLabel = "KEYDIR",
          description =
              "key store to install the keys in (default $ZKM_KEYS, else <repo>/target/zkm-keys)")
      String keysDir;

      @Option(
          names = "--export-verifier",
          description =
              "also export the verifier, key and transcript into verifier-contracts/ (checked-in files)")
      boolean exportVerifier;

      @Override
      public Integer call() {
        return step(
            "zkm ceremony phase2 finalize",
            "verifying and finalizing",
            () -> {
              try (KeyStore keys = ceremonyStore(keysDir)) {
                dir.tool().phase2Finalize(circuit.circuitId, beacon.bytes(), keys);
                if (exportVerifier) {
                  VerifierExport.Entry e =
                      VerifierExport.export(
                          keys, circuit.circuitId, ChainToolchain.locate().contractsDir());
                  System.out.println(
                      "exported "
                          + e.verifierFile()
                          + " (verifying key "
                          + e.verifyingKeyHash()
                          + ", transcript "
                          + e.transcriptHash()
                          + ")");
                }
              }
            });
      }
    }
  }
}
