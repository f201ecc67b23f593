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

/** What {@code ./zkm help}, {@code ./zkm client ... --help} and {@code ./zkm margin} print, not only their exit codes. */
class CommandOutputTest {

  @Test
  void helpListsEveryClientCommand() throws Exception {
    Captured c = Captured.zkm("help");
    assertEquals(0, c.exit());
    assertTrue(c.out().contains("client        prove-health|verify|margin ..."), c.out());
    assertTrue(c.out().contains("ROOTS NOT CHECKED  exit 4"), c.out());
    assertTrue(c.out().contains("UNSETTLED ROOTS    exit 3"), c.out());
  }

  @Test
  void everyClientCommandTakesHelp() throws Exception {
    for (String cmd : new String[] {"prove-health", "verify", "margin"}) {
      for (String flag : new String[] {"--help", "-h"}) {
        Captured c = Captured.zkm("client", cmd, flag);
        assertEquals(0, c.exit(), cmd + " " + flag + ": " + c.err());
        assertTrue(c.out().startsWith("usage: ./zkm client <command>"), c.out());
        assertTrue(c.out().contains("prove-health --account ID --threshold-bps B --out FILE"), c.out());
        assertTrue(c.out().contains("margin --account ID"), c.out());
        assertTrue(c.out().contains("UNSETTLED ROOTS  3"), c.out());
      }
    }
    // still an error without --help
    assertEquals(2, Captured.zkm("client", "prove-health", "--bogus").exit());
  }

  @Test
  void marginPrintsTheAccountsFigures(@TempDir Path dir) throws Exception {
    Venue venue = DemoVenues.write(dir, 8, 11, CircuitSizes.TEST);
    int seenLiquidatable = 0;
    int seenHealthy = 0;
    for (Map.Entry<Long, io.zkmargin.commit.AccountLeaf> e : venue.accounts().entrySet()) {
      MarginSummary m = MarginCalculator.DEFAULT.evaluate(venue.riskVector(), e.getValue()).summary();
      Captured c = Captured.zkm("margin", "--data", dir.toString(), "--account", Long.toString(e.getKey()));
      assertEquals(0, c.exit(), c.err());
      assertTrue(c.out().startsWith("Account " + e.getKey() + " at oracle epoch " + venue.epoch()), c.out());
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
    assertTrue(seenLiquidatable > 0 && seenHealthy > 0, "the demo venue has both kinds of accounts");
    Captured unknown = Captured.zkm("margin", "--data", dir.toString(), "--account", "999");
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().startsWith("zkm margin: unknown account 999 in " + dir), unknown.err());
  }

  /** The quote atoms of a report line such as {@code "  Equity:   12,345.678901 USDC"}. */
  private static long atoms(String report, String label) {
    Matcher m = Pattern.compile("\\n  " + label + ": +(-?)([0-9,]+)\\.([0-9]{6})").matcher(report);
    assertTrue(m.find(), label + " in " + report);
    long v = Long.parseLong(m.group(2).replace(",", "")) * 1_000_000L + Long.parseLong(m.group(3));
    return m.group(1).isEmpty() ? v : -v;
  }
}
