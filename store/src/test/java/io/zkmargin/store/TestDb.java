package io.zkmargin.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Folders for test servers: under /tmp, which user nobody can reach (the worktree may not be). */
final class TestDb {
  private TestDb() {}

  private static final java.util.List<Path> MADE =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  static {
    // each cluster is ~40 MB: removed when the test JVM ends (its servers are stopped by then)
    Runtime.getRuntime().addShutdownHook(new Thread(() -> MADE.forEach(TestDb::deleteTree)));
  }

  static void deleteTree(Path p) {
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (IOException e) {
      // best effort
    }
  }

  static Path freshRoot(String name) {
    try {
      Path p = Files.createTempDirectory("zkm-db-test-" + name + "-");
      MADE.add(p);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      return p.resolve("pg");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
