package io.zkmargin.cli;

import java.util.Arrays;
import java.util.Set;

/**
 * The {@code ./zkm} command line: one subcommand per user task. Exit 0 on success, 1 on a refused or failed task,
 * 2 on bad usage; {@code verify} also exits 3 (UNSETTLED ROOTS) and 4 (ROOTS NOT CHECKED), see {@link VerifyCommand}.
 */
public final class Main {

  static final String HELP = """
      zkm - zero-knowledge proofs of portfolio health (gnark/BN254 via JNI)

      usage: ./zkm <command> [options]

      venue and proofs (no server needed):
        demo          --data DIR --accounts N --seed S [--size test|production]
                      write a reproducible demo venue (accounts, oracle epoch, risk vector, owner keys)
        margin        --data DIR --account ID
                      equity, IM, MM, health, liquidation status, Greeks, VaR and scenario P&L of one account
        prove-health  --data DIR --account ID --threshold-bps B --out FILE
                      prove that the account's equity >= B/10000 x maintenance margin; refuses if it is not
        verify        FILE [--data DIR] | FILE --on-chain [--data DIR]
                      verify a proof file against the pinned verifying keys and, with --data, check that its
                      roots are the venue's (or check it through the contract with --on-chain). Verdicts:
                        VALID              exit 0  the proof verifies; its state root is the venue's, its risk
                                                   root the one the oracles posted (needs --data or --on-chain)
                        INVALID            exit 1  tampered proof or input, unknown or wrong key, bad file
                        UNSETTLED ROOTS    exit 3  the proof verifies, but over roots the venue never settled or
                                                   posted: it is about another tree, not the venue's
                        ROOTS NOT CHECKED  exit 4  the proof verifies; no --data: its roots were not checked

      service (gRPC):
        serve         [--data DIR] [--port N] ...        run the proving service (see ./zkm serve --help)
        client        prove-health|verify|margin ...      talk to a running service (see ./zkm client --help)

        bench-grpc    [--requests N --clients C ...]     health-proof throughput and p50/p99 latency over gRPC

      chain (anvil + contracts):
        chain         up|down --data DIR                  start/stop a local chain with the contracts deployed

      common: --data defaults to ./demo; keys are cached under $ZKM_KEYS (default <repo>/target/zkm-keys).
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command and returns its exit code. */
  public static int run(String[] args) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.print(HELP);
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    boolean ownHelp = Set.of("serve", "client", "chain", "bench-grpc").contains(args[0]);
    if (!ownHelp && (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h"))) {
      System.out.print(HELP);
      return 0;
    }
    try {
      return switch (args[0]) {
        case "demo" -> DemoCommand.run(rest);
        case "margin" -> MarginCommand.run(rest);
        case "prove-health" -> ProveHealthCommand.run(rest);
        case "verify" -> VerifyCommand.run(rest);
        case "chain" -> ChainCommand.run(rest);
        case "serve" -> ServeCommand.run(rest);
        case "client" -> ClientCommand.run(rest);
        case "bench-grpc" -> GrpcBenchCommand.run(rest);
        default -> {
          System.err.println("zkm: unknown command '" + args[0] + "'; run ./zkm help");
          yield 2;
        }
      };
    } catch (Args.UsageException e) {
      System.err.println("zkm " + args[0] + ": " + e.getMessage() + " (run ./zkm help)");
      return 2;
    }
  }
}
