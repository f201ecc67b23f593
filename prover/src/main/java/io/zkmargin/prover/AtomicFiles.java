package io.zkmargin.prover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files so that a reader (or a crash) sees the old content or the new, never half of it: the bytes
 * go to a temporary file in the same directory, which is then renamed over the target atomically.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Writes {@code bytes} to {@code file}, creating its directory. On a POSIX file system the file is
   * readable by its owner only (the temporary file's default).
   */
  public static void write(Path file, byte[] bytes) throws IOException {
    write(file, bytes, null);
  }

  /**
   * Writes {@code bytes} to {@code file} with the given POSIX permissions (e.g. {@code rw-r--r--}), set
   * before the content is written; ignored on a file system without POSIX permissions.
   */
  public static void write(Path file, byte[] bytes, String posixPermissions) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
    try {
      if (posixPermissions != null) {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(posixPermissions));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system: the directory's permissions apply
        }
      }
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
