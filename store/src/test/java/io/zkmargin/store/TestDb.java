package io.zkmargin.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Folders for test servers: under /tmp, which user nobody can reach (the worktree may not be). */
final class TestDb {
  private TestDb() {}

  static Path freshRoot(String name) {
    try {
      Path p = Files.createTempDirectory("zkm-db-test-" + name + "-");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      return p.resolve("pg");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
