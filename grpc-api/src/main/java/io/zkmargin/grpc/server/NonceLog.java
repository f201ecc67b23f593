package io.zkmargin.grpc.server;

import io.zkmargin.prover.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The durable memory of the replay protection: an append-only text file of consumed request nonces,
 * fsynced before a request is accepted, so that a request is accepted at most once even across a
 * kill and restart of the service.
 *
 * <p>Format, one record per line (ASCII): {@code + KEY EXPIRY_MILLIS} records a consumed nonce that
 * is refused until {@code EXPIRY_MILLIS} (epoch milliseconds); {@code - KEY} gives a nonce back
 * (the request was refused without doing any work, so it may be retried as is). {@code KEY} is
 * {@code ACCOUNT:HEXNONCE}. A line that does not parse (a write torn by a crash, only ever the last
 * one) is skipped. On open, and whenever the file holds many more records than live nonces, it is
 * rewritten with only the live (unexpired) entries, atomically ({@link AtomicFiles}).
 */
final class NonceLog implements AutoCloseable {

  /** Rewrite when the file has this many records more than twice the live entries. */
  static final int COMPACT_SLACK = 10_000;

  private final Path file;
  private FileChannel out;
  private long records;

  private NonceLog(Path file) {
    this.file = file;
  }

  /**
   * Opens (or creates) the log and returns the nonces still live at {@code nowMillis}; the file is
   * compacted to exactly those.
   *
   * @param file the log file; its parent directory is created when missing
   * @param nowMillis the current time, epoch milliseconds
   * @param live receives every live key and its expiry (epoch milliseconds)
   */
  static NonceLog open(Path file, long nowMillis, Map<String, Long> live) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Map<String, Long> read = new HashMap<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
        String[] f = line.split(" ");
        if (f.length == 3 && f[0].equals("+") && isKey(f[1])) {
          try {
            read.merge(f[1], Long.parseLong(f[2]), Math::max);
          } catch (NumberFormatException e) {
            // a torn line: skipped
          }
        } else if (f.length == 2 && f[0].equals("-") && isKey(f[1])) {
          read.remove(f[1]);
        }
      }
    }
    read.values().removeIf(expiry -> expiry <= nowMillis);
    live.putAll(read);
    NonceLog log = new NonceLog(file);
    log.rewrite(read);
    return log;
  }

  private static boolean isKey(String k) {
    return k.matches("[0-9]{1,20}:[0-9a-f]{2,128}");
  }

  /** Records a consumed nonce and forces it to disk before returning. */
  synchronized void consumed(String key, long expiryMillis) throws IOException {
    write("+ " + key + " " + expiryMillis + "\n");
  }

  /** Records that a nonce was given back (its request did no work) and forces it to disk. */
  synchronized void released(String key) throws IOException {
    write("- " + key + "\n");
  }

  /** True when the file holds so many dead records that {@link #rewrite} should run. */
  synchronized boolean wantsCompaction(int liveEntries) {
    return records > 2L * liveEntries + COMPACT_SLACK;
  }

  /** Replaces the file, atomically, by one record per live entry, and reopens it for appending. */
  synchronized void rewrite(Map<String, Long> live) throws IOException {
    StringBuilder sb = new StringBuilder(live.size() * 80);
    for (Map.Entry<String, Long> e : live.entrySet()) {
      sb.append("+ ").append(e.getKey()).append(' ').append(e.getValue()).append('\n');
    }
    if (out != null) {
      out.close();
    }
    AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    // the rename made by AtomicFiles is durable once the file's own data is: force it explicitly
    // here
    out.force(true);
    records = live.size();
  }

  private void write(String line) throws IOException {
    if (out == null) {
      throw new IOException("the nonce log " + file + " is closed");
    }
    ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.ISO_8859_1));
    while (b.hasRemaining()) {
      out.write(b);
    }
    out.force(false);
    records++;
  }

  /** The file. */
  Path file() {
    return file;
  }

  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
  }
}
