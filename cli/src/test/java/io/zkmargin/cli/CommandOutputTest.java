package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginSummary;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ./zkm help}, {@code ./zkm client ... --help} and {@code ./zkm margin} print, not only
 * their exit codes.
 */
class CommandOutputTest {

  /**
   * Every command of the root list, sub-subcommands spelled out, with the first line of its
   * description.
   */
  private static final String[][] COMMANDS = {
    {"demo", "write a reproducible demo venue (accounts, oracle epoch, risk vector, owner keys)"},
    {
      "margin",
      "equity, IM, MM, health, liquidation status, Greeks, VaR and scenario P&L of one account"
    },
    {
      "prove-health",
      "prove that the account's equity >= B/10000 x maintenance margin; refuses if it is not"
    },
    {
      "verify",
      "verify a proof file against the pinned keys; with --data, also check its roots are the venue's"
    },
    {"serve", "run the proving service (gRPC, TLS); stops gracefully on SIGINT/SIGTERM"},
    {
      "client prove-health",
      "ask the service for a proof that the account's equity >= B/10000 x maintenance margin"
    },
    {
      "client verify",
      "have the service verify a proof; check it offline too, and its roots against the service's"
    },
    {"client margin", "the account's own equity, IM, MM, health and Greeks (signed request)"},
    {"bench-grpc", "health-proof throughput and p50/p99 latency over gRPC"},
    {
      "chain up",
      "start a local anvil node, deploy the venue's verifier and Settlement contract, settle roots"
    },
    {"chain down", "stop that node"},
    {"sign-challenge", "sign the dashboard's sign-in challenge with an account's key"},
    {"ceremony phase1", "phase 1 (powers of tau): init, contribute, verify, seal"},
    {"ceremony phase2", "phase 2 per circuit: init, contribute, verify, finalize"},
    {
      "ceremony serve", "coordinate one phase over gRPC/TLS: queue, turn timeout, verify on receipt"
    },
    {
      "ceremony contribute",
      "contribute through a coordinator (./zkm ceremony serve) from this machine"
    },
    {"venue import", "load venue files (config.json, instruments.csv, collateral.csv, tiers.csv,"},
    {"worker", "join the proving pool of a venue's PostgreSQL database and prove its jobs"},
    {"help [COMMAND]", "Display help information about the specified command."}
  };

  @Test
  void helpListsEveryClientCommand() throws Exception {
    Captured c = Captured.zkm("help");
    assertEquals(0, c.exit());
    // was the hand-written line "client        prove-health|verify|margin ...": picocli's list
    // (with our renderer of
    // sub-subcommands) has one line per command, its name and the first line of its description
    for (String[] cmd : COMMANDS) {
      assertTrue(
          Pattern.compile("(?m)^  " + Pattern.quote(cmd[0]) + " +" + Pattern.quote(cmd[1]))
              .matcher(c.out())
              .find(),
          cmd[0] + " in " + c.out());
    }
    assertTrue(c.out().contains("ROOTS NOT CHECKED  exit 4"), c.out());
    assertTrue(c.out().contains("UNSETTLED ROOTS    exit 3"), c.out());
    // the same help for --help and -h (exit 0), and for no command at all (exit 2, a usage error)
    assertEquals(new Captured(0, c.out(), ""), Captured.zkm("--help"));
    assertEquals(new Captured(0, c.out(), ""), Captured.zkm("-h"));
    assertEquals(new Captured(2, c.out(), ""), Captured.zkm());
  }

  @Test
  void everyClientCommandTakesHelp() throws Exception {
    for (String cmd : new String[] {"prove-health", "verify", "margin"}) {
      for (String flag : new String[] {"--help", "-h"}) {
        Captured c = Captured.zkm("client", cmd, flag);
        assertEquals(0, c.exit(), cmd + " " + flag + ": " + c.err());
        // was one hand-written text for all three; now each command's own generated help, with
        // every option it
        // takes and that option's explanation
        assertTrue(
            c.out().contains("Usage: zkm client " + cmd + " "),
            c.out()); // after its header, if any
        assertOption(c.out(), "--target=HOST:PORT", "the service (default localhost:50051)");
        assertOption(
            c.out(),
            "--data=DIR",
            "the service's data directory: its certificate DIR/tls/server.crt");
        assertOption(
            c.out(),
            "--plaintext",
            "no TLS (only for a service started with --plaintext on loopback)");
        assertOption(c.out(), "-h, --help", "show this help and exit");
        switch (cmd) {
          case "prove-health" -> {
            assertTrue(
                c.out()
                    .replaceAll("\\s+", " ")
                    .contains("--account=ID --threshold-bps=B --out=FILE"),
                c.out());
            assertOption(c.out(), "--account=ID", "the account's id");
            assertOption(
                c.out(),
                "--threshold-bps=B",
                "the proven threshold in basis points of maintenance margin");
            assertOption(c.out(), "--out=FILE", "the proof file written");
            assertOption(
                c.out(), "--timeout-seconds=S", "how long to wait for the proof (default 600)");
          }
          case "margin" -> assertOption(c.out(), "--account=ID", "the account's id");
          default -> {
            assertTrue(c.out().contains("UNSETTLED ROOTS  3"), c.out());
            assertTrue(c.out().contains("INVALID          1"), c.out());
            assertTrue(c.out().contains("VALID            0"), c.out());
          }
        }
      }
    }
    Captured list = Captured.zkm("client", "--help");
    assertEquals(0, list.exit());
    for (String cmd : new String[] {"prove-health", "verify", "margin"}) {
      assertTrue(Pattern.compile("(?m)^  " + cmd + " +\\S").matcher(list.out()).find(), list.out());
    }
    // still an error without --help
    assertEquals(2, Captured.zkm("client", "prove-health", "--bogus").exit());
  }

  @Test
  void everyCommandTakesHelp() throws Exception {
    String[][] commands = {
      {"demo"},
      {"margin"},
      {"prove-health"},
      {"verify"},
      {"serve"},
      {"client"},
      {"bench-grpc"},
      {"chain"},
      {"chain", "up"},
      {"chain", "down"},
      {"exit"},
      {"keeper"},
      {"sign-challenge"},
      {"ceremony"},
      {"ceremony", "phase1", "init"},
      {"ceremony", "phase1", "contribute"},
      {"ceremony", "phase1", "verify"},
      {"ceremony", "phase1", "seal"},
      {"ceremony", "phase2", "init"},
      {"ceremony", "phase2", "contribute"},
      {"ceremony", "phase2", "verify"},
      {"ceremony", "phase2", "finalize"},
      {"ceremony", "serve"},
      {"ceremony", "contribute"}
    };
    for (String[] cmd : commands) {
      String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
      args[cmd.length] = "--help";
      Captured c = Captured.zkm(args);
      assertEquals(0, c.exit(), String.join(" ", args));
      assertTrue(
          c.out().contains("Usage: zkm " + String.join(" ", cmd) + " "),
          c.out()); // after its header, if any
      assertEquals("", c.err());
      if (cmd.length == 1) { // picocli's help command looks one level down
        assertEquals(c, Captured.zkm("help", cmd[0]), "./zkm help " + cmd[0]);
      }
    }
    Captured serve = Captured.zkm("serve", "--help");
    assertOption(
        serve.out(),
        "--allow-demo-keys-on-network",
        "serve a venue that uses demo owner keys on a non-loopback --bind anyway");
    assertOption(serve.out(), "--no-chain", "do not start the local chain");
    assertOption(
        serve.out(),
        "--metrics-port=N",
        "Prometheus metrics at http://127.0.0.1:N/metrics (default port+1;");
    assertOption(
        serve.out(), "--dashboard-port=N", "web dashboard at http://127.0.0.1:N/ (loopback only;");
    assertOption(serve.out(), "--size=S", "circuit size of that demo venue: test or production");
    assertOption(
        Captured.zkm("verify", "--help").out(),
        "--allow-dev-keys",
        "accept keys of a development (single-party) setup");
  }

  /**
   * The option's line in a help text starts with its names and goes on with the start of its
   * explanation.
   */
  private static void assertOption(String help, String names, String explanation) {
    assertTrue(
        Pattern.compile("(?m)^ +" + Pattern.quote(names) + "\\s+" + Pattern.quote(explanation))
            .matcher(help)
            .find(),
        names + " / " + explanation + " in\n" + help);
  }

  @Test
  void marginPrintsTheAccountsFigures(@TempDir Path dir) throws Exception {
    Venue venue = DemoVenues.write(dir, 8, 11, CircuitSizes.TEST);
    int seenLiquidatable = 0;
    int seenHealthy = 0;
    for (Map.Entry<Long, io.zkmargin.commit.AccountLeaf> e : venue.accounts().entrySet()) {
      MarginSummary m =
          MarginCalculator.DEFAULT.evaluate(venue.riskVector(), e.getValue()).summary();
      Captured c =
          Captured.zkm("margin", "--data", dir.toString(), "--account", Long.toString(e.getKey()));
      assertEquals(0, c.exit(), c.err());
      assertTrue(
          c.out().startsWith("Account " + e.getKey() + " at oracle epoch " + venue.epoch()),
          c.out());
      assertEquals(m.equity(), atoms(c.out(), "Equity"));
      assertEquals(m.initialMargin(), atoms(c.out(), "Initial margin \\(IM\\)"));
      assertEquals(m.maintenanceMargin(), atoms(c.out(), "Maintenance margin \\(MM\\)"));
      if (m.liquidatable()) {
        seenLiquidatable++;
        assertTrue(c.out().contains("Status:                    LIQUIDATABLE"), c.out());
      } else {
        seenHealthy++;
        assertTrue(c.out().matches("(?s).*Status: +(healthy|reduce-only).*"), c.out());
      }
    }
    assertTrue(
        seenLiquidatable > 0 && seenHealthy > 0, "the demo venue has both kinds of accounts");
    Captured unknown = Captured.zkm("margin", "--data", dir.toString(), "--account", "999");
    assertEquals(1, unknown.exit());
    assertTrue(
        unknown.err().startsWith("zkm margin: unknown account 999 in " + dir), unknown.err());
  }

  /** The quote atoms of a report line such as {@code " Equity: 12,345.678901 USDC"}. */
  private static long atoms(String report, String label) {
    Matcher m = Pattern.compile("\\n  " + label + ": +(-?)([0-9,]+)\\.([0-9]{6})").matcher(report);
    assertTrue(m.find(), label + " in " + report);
    long v = Long.parseLong(m.group(2).replace(",", "")) * 1_000_000L + Long.parseLong(m.group(3));
    return m.group(1).isEmpty() ? v : -v;
  }
}
