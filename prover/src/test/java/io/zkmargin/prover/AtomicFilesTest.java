package io.zkmargin.prover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AtomicFiles on a real file system. The fsyncs themselves are only observable with a power cut;
 * what is tested is everything around them: content, replacement, no temporary file left behind,
 * and that the temporary file a crash before the rename leaves is recognised as such and never
 * mistaken for the target.
 */
class AtomicFilesTest {

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesReplacesAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("sub").resolve("venue.json");
    AtomicFiles.write(f, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    byte[] big = new byte[3 << 20];
    big[big.length - 1] = 9;
    AtomicFiles.write(f, big, "rw-r--r--");
    assertArrayEquals(big, Files.readAllBytes(f));
    assertEquals(
        "rw-r--r--",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertEquals(List.of("venue.json"), names(f.getParent()));
  }

  @Test
  void leftoverOfACrashIsRecognisedAndDoesNotDisturb(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("venue.json");
    AtomicFiles.write(f, "{\"complete\":true}".getBytes());
    // a crash between the temporary write and the rename: half a file under a temporary name
    Path leftover = dir.resolve(".venue.json8812345.tmp");
    Files.writeString(leftover, "{\"compl");
    assertTrue(AtomicFiles.isLeftover(leftover));
    assertFalse(AtomicFiles.isLeftover(f));
    assertEquals("{\"complete\":true}", Files.readString(f), "the target is the old complete file");
    AtomicFiles.write(f, "{\"complete\":2}".getBytes());
    assertEquals("{\"complete\":2}", Files.readString(f));
    assertEquals(
        List.of(".venue.json8812345.tmp", "venue.json"), names(dir), "no new temporary file");
  }

  @Test
  void aFailedRenameRemovesItsTemporaryFile(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("taken");
    Files.createDirectories(
        target.resolve("child")); // a non-empty directory cannot be replaced by a file
    assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[] {1}));
    assertEquals(List.of("taken"), names(dir));
  }
}
