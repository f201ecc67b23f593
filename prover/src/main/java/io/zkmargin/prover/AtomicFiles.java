package io.zkmargin.prover;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files so that a reader (or a crash) sees the old content or the new, never half of it: the
 * bytes go to a temporary file in the same directory, which is then renamed over the target
 * atomically.
 *
 * <p>Durability: the temporary file is fsynced before the rename, and the directory after it.
 * Without the first, a power loss after the rename can leave the new name pointing at an empty or
 * partial file (the rename reached the disk, the data did not); without the second, the rename
 * itself can be lost. A crash before the rename leaves only a {@code .<name>*.tmp} file next to the
 * target, which readers never open ({@link #isLeftover}) and the owners of a directory may delete.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Writes {@code bytes} to {@code file}, creating its directory. On a POSIX file system the file
   * is readable by its owner only (the temporary file's default).
   */
  public static void write(Path file, byte[] bytes) throws IOException {
    write(file, bytes, null);
  }

  /**
   * Writes {@code bytes} to {@code file} with the given POSIX permissions (e.g. {@code rw-r--r--}),
   * set before the content is written; ignored on a file system without POSIX permissions.
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
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true); // the data is on disk before the name points at it
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(parent); // the rename itself is on disk
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * @param file a file name
   * @return true when {@code file} is a temporary file of {@link #write} (left over if a crash came
   *     before its rename): never a complete file, safe to delete
   */
  public static boolean isLeftover(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(".") && name.endsWith(".tmp");
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems / platforms cannot open or sync a directory (not Linux): the rename is
      // still atomic
      if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
        throw e;
      }
    }
  }
}
