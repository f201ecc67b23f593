package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.dac.DacServer;
import io.zkmargin.dac.Genesis;
import io.zkmargin.prover.VenueStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./zkm dac status|account} against a member (TLS, its certificate pinned) started from a
 * demo venue's accounts: the genesis root is the venue's state root, an account's path verifies; an
 * empty leaf and an unreachable member exit 1 with the reason.
 */
class DacCommandTest {
  @Test
  void statusAndAccountOfAMemberStartedFromADemoVenue(@TempDir Path dir) throws Exception {
    Path venue = dir.resolve("venue");
    Captured demo =
        Captured.zkm("demo", "--data", venue.toString(), "--accounts", "4", "--seed", "3");
    assertEquals(0, demo.exit());
    Genesis g = Genesis.of(VenueStore.load(venue));
    try (DacServer s =
        DacServer.start(
            io.zkmargin.dac.DacMember.open(
                dir.resolve("member"),
                g,
                31337,
                "0x5fbdb2315678afecb367f032d93f642f64180aa3",
                new PrintStream(new ByteArrayOutputStream())),
            "127.0.0.1",
            0,
            false,
            new PrintStream(new ByteArrayOutputStream()))) {
      String ep = s.endpoint().toString();
      assertTrue(ep.contains("@"), "TLS endpoint with its certificate: " + ep);
      Captured st = Captured.zkm("dac", "status", "--dac", ep);
      assertEquals(0, st.exit());
      assertTrue(st.out().contains("latest      batch 0"), st.out());
      assertTrue(st.out().contains("root        " + g.root()), st.out());
      Captured a = Captured.zkm("dac", "account", "--dac", ep, "--account", "2");
      assertEquals(0, a.exit());
      assertTrue(a.out().contains("path verifies"), a.out());
      Captured none = Captured.zkm("dac", "account", "--dac", ep, "--account", "40");
      assertEquals(1, none.exit());
      assertTrue(none.err().contains("NOT_FOUND"), none.err());
    }
    Captured down = Captured.zkm("dac", "status", "--dac", "127.0.0.1:1");
    assertEquals(1, down.exit());
    assertTrue(down.err().contains("UNAVAILABLE"), down.err());
  }
}
