package io.zkmargin.operator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The transition log in one append-only file, in the record framing of the order book's {@code
 * io.zkmargin.trading.OrderLog}: {@code int length, int crc32(payload), payload}, each append
 * fsynced before it returns; a torn tail (a record cut by a crash or failing its CRC) ends the log
 * and is truncated at open. Payload: a {@link Transition} record, or {@code 0x7f, long batch, long
 * batchTime} for a batch start. Not thread-safe (the sequencer's thread writes).
 */
public final class FileTransitionLog implements TransitionLog {
  private static final byte BATCH_START = 0x7f;
  private static final int MAX_RECORD = 4096;

  private final FileChannel ch;
  private final List<Entry> entries = new ArrayList<>();
  private final ByteBuffer buf = ByteBuffer.allocate(MAX_RECORD + 8);

  /**
   * Opens (or creates) the log, reads its records and truncates a torn tail.
   *
   * @throws IOException on I/O errors, or a record with a valid CRC that does not decode
   */
  public FileTransitionLog(Path file) throws IOException {
    ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    long size = ch.size();
    long pos = 0;
    ByteBuffer head = ByteBuffer.allocate(8);
    while (pos + 8 <= size) {
      head.clear();
      ch.read(head, pos);
      head.flip();
      int len = head.getInt();
      int crc = head.getInt();
      if (len <= 0 || len > MAX_RECORD || pos + 8 + len > size) {
        break;
      }
      ByteBuffer p = ByteBuffer.allocate(len);
      ch.read(p, pos + 8);
      p.flip();
      if (crc32(p) != crc) {
        break;
      }
      try {
        entries.add(decode(p));
      } catch (RuntimeException e) {
        throw new IOException(
            file + ": record " + entries.size() + " has a valid CRC but does not decode", e);
      }
      pos += 8 + len;
    }
    if (pos < size) {
      ch.truncate(pos);
      ch.force(true);
    }
    ch.position(pos);
  }

  private static Entry decode(ByteBuffer p) {
    if (p.get(p.position()) == BATCH_START) {
      p.get();
      return new BatchStart(p.getLong(), p.getLong());
    }
    return new Accepted(Transition.decode(p));
  }

  private static int crc32(ByteBuffer p) {
    CRC32 c = new CRC32();
    c.update(p.duplicate());
    return (int) c.getValue();
  }

  @Override
  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  @Override
  public void append(Transition t) throws IOException {
    buf.clear();
    buf.position(8);
    t.encode(buf);
    write();
  }

  @Override
  public void appendBatchStart(long batch, long batchTime) throws IOException {
    buf.clear();
    buf.position(8);
    buf.put(BATCH_START).putLong(batch).putLong(batchTime);
    write();
  }

  private void write() throws IOException {
    int end = buf.position();
    ByteBuffer payload = buf.duplicate();
    payload.position(8).limit(end);
    buf.putInt(0, end - 8);
    buf.putInt(4, crc32(payload));
    buf.flip();
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    ch.force(false);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
