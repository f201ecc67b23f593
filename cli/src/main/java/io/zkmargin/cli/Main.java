package io.zkmargin.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.Column.Overflow;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * The {@code ./zkm} command line: one subcommand per user task, parsed by picocli. Exit 0 on
 * success, 1 on a refused or failed task, 2 on bad usage; {@code verify} also exits 3 (UNSETTLED
 * ROOTS) and 4 (ROOTS NOT CHECKED), see {@link VerifyCommand}.
 */
@Command(
    name = "zkm",
    description = "zero-knowledge proofs of portfolio health (gnark/BN254 via JNI)",
    subcommands = {
      DemoCommand.class,
      MarginCommand.class,
      ProveHealthCommand.class,
      VerifyCommand.class,
      ServeCommand.class,
      ClientCommand.class,
      TradeCommand.class,
      OperatorCommand.class,
      GrpcBenchCommand.class,
      ChainCommand.class,
      ExitCommand.class,
      KeeperCommand.class,
      HatchCommand.class,
      SignChallengeCommand.class,
      CeremonyCommand.class,
      WorkerCommand.class,
      VenueCommand.class,
      DacCommand.class,
      AuditCommand.class,
      HelpCommand.class
    },
    footer = {
      "",
      "verify's verdicts:",
      "  VALID              exit 0  the proof verifies; its state root is the venue's, its risk",
      "                             root the one the oracles posted (needs --data or --on-chain)",
      "  INVALID            exit 1  tampered proof or input, unknown or wrong key, bad file",
      "  UNSETTLED ROOTS    exit 3  the proof verifies, but over roots the venue never settled or",
      "                             posted: it is about another tree, not the venue's",
      "  ROOTS NOT CHECKED  exit 4  the proof verifies; no --data: its roots were not checked",
      "",
      "common: --data defaults to ./demo; keys are cached under $ZKM_KEYS (default <repo>/target/zkm-keys).",
      "Run ./zkm COMMAND --help (or ./zkm help COMMAND) for a command's options."
    })
public final class Main implements Callable<Integer> {

  /**
   * The command list of {@code ./zkm help}, grouped as the design is; every subcommand appears in
   * one group.
   */
  private static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

  static {
    GROUPS.put(
        "venue and proofs (no server needed):",
        List.of("demo", "margin", "prove-health", "verify"));
    GROUPS.put("service (gRPC):", List.of("serve", "client", "trade", "operator", "bench-grpc"));
    GROUPS.put("dashboard (web page of ./zkm serve):", List.of("sign-challenge"));
    GROUPS.put("chain (anvil + contracts):", List.of("chain", "exit", "keeper", "hatch"));
    GROUPS.put("trusted setup (multi-party ceremony):", List.of("ceremony"));
    GROUPS.put("database and proving pool:", List.of("venue", "worker"));
    GROUPS.put("data availability and audit:", List.of("dac", "audit"));
    GROUPS.put("help:", List.of("help"));
  }

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin Cli.HelpOption help;

  /** {@code ./zkm} alone: the help, as a usage error (exit 2). */
  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return Cli.USAGE_ERROR;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command and returns its exit code. */
  public static int run(String[] args) {
    return commandLine().execute(args);
  }

  /** Runs {@code ./zkm <command> args...}. */
  static int run(String command, String[] args) {
    String[] all = new String[args.length + 1];
    all[0] = command;
    System.arraycopy(args, 0, all, 1, args.length);
    return run(all);
  }

  /** The whole command tree, configured (see {@link Cli#configure}); a fresh one per run. */
  static CommandLine commandLine() {
    CommandLine cl = Cli.configure(new CommandLine(new Main()));
    cl.getHelpSectionMap()
        .put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, Main::commandList);
    return cl;
  }

  /**
   * The command list of the root help: every command and sub-subcommand ({@code client margin},
   * {@code chain up}) with its one-line summary, in the groups of {@link #GROUPS}.
   */
  private static String commandList(CommandLine.Help help) {
    Map<String, CommandLine> subs = help.commandSpec().commandLine().getSubcommands();
    int width = help.commandSpec().usageMessage().width();
    List<String> listed = new ArrayList<>();
    StringBuilder out = new StringBuilder(); // after picocli's "Commands:" heading
    for (Map.Entry<String, List<String>> group : GROUPS.entrySet()) {
      TextTable table =
          TextTable.forColumns(
              help.colorScheme(),
              new Column(24, 2, Overflow.SPAN),
              new Column(width - 24, 1, Overflow.WRAP));
      for (String name : group.getValue()) {
        CommandLine sub = subs.get(name);
        listed.add(name);
        Map<String, CommandLine> nested = sub.getSubcommands();
        if (nested.isEmpty()) {
          table.addRowValues(name + (name.equals("help") ? " [COMMAND]" : ""), summary(sub));
        } else {
          for (Map.Entry<String, CommandLine> n : nested.entrySet()) {
            table.addRowValues(name + " " + n.getKey(), summary(n.getValue()));
          }
        }
      }
      out.append("\n").append(group.getKey()).append("\n").append(table);
    }
    if (!listed.containsAll(subs.keySet())) {
      throw new IllegalStateException("a command is missing from Main.GROUPS: " + subs.keySet());
    }
    return out.toString();
  }

  /**
   * A command's one-line summary: its header (commands with a longer description have one), else
   * its description.
   */
  private static String summary(CommandLine cmd) {
    String[] h = cmd.getCommandSpec().usageMessage().header();
    String[] d = cmd.getCommandSpec().usageMessage().description();
    return h.length > 0 ? h[0] : d.length == 0 ? "" : d[0];
  }
}
