package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code ./zkm venue import} and {@code ./zkm margin --db embedded}: an imported venue (not a demo
 * in a JSON file) is loaded into the embedded PostgreSQL of its data folder and reported from it.
 */
class VenueImportCommandTest {

  @Test
  void anImportedVenueIsReportedFromTheDatabaseAndABadFileLoadsNothing() throws Exception {
    Path tmp = Files.createTempDirectory("zkm-cli-import-");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      run(tmp);
    } finally {
      try (Stream<Path> walk = Files.walk(tmp)) { // the cluster is ~40 MB
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void run(Path tmp) throws Exception {
    Path data = tmp.resolve("venue");
    Path examples = Path.of(System.getProperty("zkm.root", "..")).resolve("examples/venue");
    List<String> args = new ArrayList<>(List.of("venue", "import", "--data", data.toString()));
    List<String> bad = new ArrayList<>(args);
    Path badDir = Files.createDirectories(tmp.resolve("bad"));
    try (Stream<Path> s = Files.list(examples)) {
      for (Path f : s.sorted().toList()) {
        args.add(f.toString());
        Path copy = badDir.resolve(f.getFileName());
        Files.copy(f, copy);
        bad.add(copy.toString());
      }
    }
    Captured ok = Captured.zkm(args.toArray(String[]::new));
    assertEquals(0, ok.exit(), ok.err());
    assertTrue(ok.out().contains("8 accounts, 8 instruments, epoch 1"), ok.out());

    Captured margin =
        Captured.zkm("margin", "--data", data.toString(), "--db", "embedded", "--account", "1");
    assertEquals(0, margin.exit(), margin.err());
    assertTrue(margin.out().startsWith("Account 1 at oracle epoch 1"), margin.out());
    assertTrue(margin.out().contains("LIQUIDATABLE"), margin.out());

    Path instruments = badDir.resolve("instruments.csv");
    Files.writeString(
        instruments, Files.readString(instruments).replaceFirst("\n0,perp,", "\n0,future,"));
    Captured refused = Captured.zkm(bad.toArray(String[]::new));
    assertEquals(1, refused.exit());
    assertTrue(
        refused.err().contains(instruments + ":2: field kind: must be perp or option"),
        refused.err());
    assertTrue(refused.err().contains("nothing imported"), refused.err());
  }
}
