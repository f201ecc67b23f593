package io.zkmargin.trading;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record framing: bytes on disk, a CRC-failing tail truncated, a refusing reader. */
class RecordLogTest {

  private static List<Long> open(Path file) throws IOException {
    List<Long> got = new ArrayList<>();
    try (RecordLog log = new RecordLog(file, (i, p) -> got.add(p.getLong()))) {
      assertEquals(got.size(), log.recordsAtOpen());
    }
    return got;
  }

  @Test
  void framesTruncatesATornTailAndLeavesTheFileWhenTheReaderRefuses(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("r.log");
    try (RecordLog log = new RecordLog(file, (i, p) -> {})) {
      log.begin().putLong(7);
      log.append(true);
      log.begin().putLong(8);
      log.append(false);
      log.force();
    }
    byte[] bytes = Files.readAllBytes(file);
    CRC32 crc = new CRC32();
    crc.update(ByteBuffer.allocate(8).putLong(0, 7));
    ByteBuffer first = ByteBuffer.allocate(16).putInt(8).putInt((int) crc.getValue()).putLong(7);
    assertArrayEquals(first.array(), java.util.Arrays.copyOf(bytes, 16));
    assertEquals(32, bytes.length);

    // a third record whose payload is corrupted after its CRC was written
    try (RecordLog log = new RecordLog(file, (i, p) -> {})) {
      log.begin().putLong(9);
      log.append(true);
    }
    byte[] three = Files.readAllBytes(file);
    three[three.length - 1] ^= 1;
    Files.write(file, three);
    IOException refused =
        assertThrows(
            IOException.class,
            () ->
                new RecordLog(
                    file,
                    (i, p) -> {
                      throw new IOException("no " + i);
                    }));
    assertEquals("no 0", refused.getMessage());
    assertEquals(48, Files.size(file)); // a refusing reader truncates nothing
    assertEquals(List.of(7L, 8L), open(file));
    assertEquals(32, Files.size(file));
  }
}
