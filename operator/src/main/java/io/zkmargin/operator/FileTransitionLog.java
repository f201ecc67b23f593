package io.zkmargin.operator;

import io.zkmargin.trading.RecordLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The transition log in one append-only file, in the record framing of {@link RecordLog} (shared
 * with the order book's {@code io.zkmargin.trading.OrderLog}): each append fsynced before it
 * returns; a torn tail is truncated at open. Payload: a {@link Transition} record, or {@code 0x7f,
 * long batch, long batchTime} for a batch start. Not thread-safe (the sequencer's thread writes).
 */
public final class FileTransitionLog implements TransitionLog {
  private static final byte BATCH_START = 0x7f;

  private final RecordLog log;
  private final List<Entry> entries = new ArrayList<>();

  /**
   * Opens (or creates) the log, reads its records and truncates a torn tail.
   *
   * @throws IOException on I/O errors, or a record with a valid CRC that does not decode
   */
  public FileTransitionLog(Path file) throws IOException {
    log =
        new RecordLog(
            file,
            (i, p) -> {
              try {
                entries.add(decode(p));
              } catch (RuntimeException e) {
                throw new IOException(
                    file + ": record " + i + " has a valid CRC but does not decode", e);
              }
            });
  }

  private static Entry decode(ByteBuffer p) {
    if (p.get(p.position()) == BATCH_START) {
      p.get();
      return new BatchStart(p.getLong(), p.getLong());
    }
    return new Accepted(Transition.decode(p));
  }

  @Override
  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  @Override
  public void append(Transition t) throws IOException {
    t.encode(log.begin());
    log.append(true);
  }

  @Override
  public void appendBatchStart(long batch, long batchTime) throws IOException {
    log.begin().put(BATCH_START).putLong(batch).putLong(batchTime);
    log.append(true);
  }

  @Override
  public void close() throws IOException {
    log.close();
  }
}
