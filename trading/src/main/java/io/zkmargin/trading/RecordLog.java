package io.zkmargin.trading;

import io.zkmargin.risk.util.ArgChecker;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * An append-only file of checksummed records, the framing shared by the order book's {@link
 * OrderLog} and the operator's transition log (each encodes its own payloads).
 *
 * <p>Record: {@code int length, int crc32(payload), payload}, big-endian, {@code 0 < length <=
 * MAX_RECORD}. A torn tail (a record cut by a crash, or whose CRC fails) ends the log: it is
 * truncated at open. Appends are written in one go and fsynced unless the caller defers the fsync
 * (group commit). Not thread-safe for appends (one writer at a time); {@link #force()} may be
 * called from any thread.
 */
public final class RecordLog implements Closeable {
  /** The largest payload, in bytes. */
  public static final int MAX_RECORD = 4096;

  private static final int HEADER = 8;

  /** Receives each valid record read at open, in file order. */
  @FunctionalInterface
  public interface RecordReader {
    /**
     * Takes one record.
     *
     * @param index the record's index from 0
     * @param payload the payload (position 0, limit its length); the reader may keep it
     * @throws IOException to stop opening (the file is left as it is)
     */
    void accept(int index, ByteBuffer payload) throws IOException;
  }

  private final FileChannel ch;
  private final ByteBuffer buf = ByteBuffer.allocate(MAX_RECORD + HEADER);
  private final int recordsAtOpen;

  /**
   * Opens (or creates) the log, hands its valid records to {@code reader} in order, then truncates
   * a torn tail and positions for appending.
   *
   * @param file the log file
   * @param reader takes each valid record; if it throws, the open fails before any truncation
   * @throws IOException on I/O errors, or what {@code reader} throws
   */
  public RecordLog(Path file, RecordReader reader) throws IOException {
    ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      recordsAtOpen = readAndTruncate(reader);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private int readAndTruncate(RecordReader reader) throws IOException {
    long size = ch.size();
    long pos = 0;
    int n = 0;
    ByteBuffer head = ByteBuffer.allocate(HEADER);
    while (pos + HEADER <= size) {
      head.clear();
      ch.read(head, pos);
      head.flip();
      int len = head.getInt();
      int crc = head.getInt();
      if (len <= 0 || len > MAX_RECORD || pos + HEADER + len > size) {
        break;
      }
      ByteBuffer p = ByteBuffer.allocate(len);
      ch.read(p, pos + HEADER);
      p.flip();
      if (crc32(p) != crc) {
        break;
      }
      reader.accept(n++, p);
      pos += HEADER + len;
    }
    if (pos < size) {
      ch.truncate(pos);
      ch.force(true);
    }
    ch.position(pos);
    return n;
  }

  /** Number of valid records read at open. */
  public int recordsAtOpen() {
    return recordsAtOpen;
  }

  /**
   * Starts a record: returns the append buffer, cleared, for the caller to put the payload into (at
   * most {@link #MAX_RECORD} bytes), then call {@link #append(boolean)}.
   */
  public ByteBuffer begin() {
    buf.clear();
    buf.position(HEADER);
    return buf;
  }

  /**
   * Frames and writes the payload put since {@link #begin()}.
   *
   * @param fsync whether to fsync before returning (false: the caller calls {@link #force()} later)
   * @throws IOException on I/O errors
   */
  public void append(boolean fsync) throws IOException {
    int end = buf.position();
    ArgChecker.isTrue(end > HEADER, "empty record");
    ByteBuffer payload = buf.duplicate();
    payload.position(HEADER).limit(end);
    buf.putInt(0, end - HEADER);
    buf.putInt(4, crc32(payload));
    buf.flip();
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    if (fsync) {
      ch.force(false);
    }
  }

  /**
   * Fsyncs every record written so far (data, not metadata).
   *
   * @throws IOException on I/O errors
   */
  public void force() throws IOException {
    ch.force(false);
  }

  private static int crc32(ByteBuffer p) {
    CRC32 c = new CRC32();
    c.update(p.duplicate());
    return (int) c.getValue();
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
