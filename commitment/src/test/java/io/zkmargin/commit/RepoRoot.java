package io.zkmargin.commit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The repository root for tests that read or write {@code test-vectors/}: system property {@code
 * zkm.root}, else the nearest ancestor holding docs/ENCODING.md.
 */
public final class RepoRoot {
  private RepoRoot() {}

  public static Path find() {
    String prop = System.getProperty("zkm.root");
    if (prop != null
        && !prop.isBlank()
        && Files.isRegularFile(Paths.get(prop, "docs", "ENCODING.md"))) {
      return Paths.get(prop).toAbsolutePath().normalize();
    }
    Path p = Paths.get("").toAbsolutePath();
    while (p != null) {
      if (Files.isRegularFile(p.resolve("docs").resolve("ENCODING.md"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException(
        "repository root not found: set -Dzkm.root or run inside the repository");
  }

  /** {@code test-vectors/risk/} under the repository root. */
  public static Path vectorDir() {
    return find().resolve("test-vectors").resolve("risk");
  }
}
