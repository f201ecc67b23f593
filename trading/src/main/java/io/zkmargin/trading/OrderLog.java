package io.zkmargin.trading;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.msg.OrderMessage;
import java.io.Closeable;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable log of the book: every accepted signed order and every successful cancel, appended
 * and fsynced before the caller is answered, replayed at start (through the gate again, so
 * signatures are re-verified) so that the books survive a restart. The engine is deterministic:
 * replaying the same records on the same registered accounts rebuilds the same books, fills and
 * positions.
 *
 * <p>Records in the framing of {@link RecordLog} (a torn tail is truncated at open); payload {@code
 * byte kind, long time, ...}. Not thread-safe (the engine's thread writes).
 */
public final class OrderLog implements Closeable {
  private static final byte PLACE = 1;
  private static final byte CANCEL = 2;
  private static final byte CANCEL_ALL = 3;

  private final RecordLog log;
  private final List<ByteBuffer> records = new ArrayList<>();

  /**
   * Opens (or creates) the log, reads its valid records and truncates a torn tail.
   *
   * @param file the log file
   * @throws IOException on I/O errors
   */
  public OrderLog(Path file) throws IOException {
    log = new RecordLog(file, (i, p) -> records.add(p));
  }

  /** Number of valid records read at open. */
  public int recordsAtOpen() {
    return log.recordsAtOpen();
  }

  /**
   * Replays the records read at open through the gate (signatures verified again), in order.
   *
   * @param gate the gate of a fresh engine with the same accounts registered as when the log was
   *     written
   * @return the number of records applied
   * @throws IOException if a record (with a valid CRC) does not decode
   */
  public int replay(SignedOrderGate gate) throws IOException {
    int n = 0;
    for (ByteBuffer r : records) {
      try {
        apply(gate, r.duplicate());
      } catch (RuntimeException e) {
        throw new IOException("order log record " + n + " does not decode", e);
      }
      n++;
    }
    records.clear();
    return n;
  }

  private static void apply(SignedOrderGate gate, ByteBuffer p) {
    {
      byte kind = p.get();
      long time = p.getLong();
      if (kind == PLACE) {
        long[] w = new long[6];
        for (int i = 0; i < 6; i++) {
          w[i] = p.getLong();
        }
        int legs = p.get();
        if (legs < 1 || legs > 64) {
          throw new IllegalArgumentException("legs " + legs);
        }
        long[] ids = new long[legs];
        long[] rs = new long[legs];
        for (int l = 0; l < legs; l++) {
          ids[l] = p.getLong();
          rs[l] = p.getLong();
        }
        Order.TimeInForce tif = Order.TimeInForce.values()[p.get()];
        byte flags = p.get();
        byte[] rb = new byte[32];
        byte[] sb = new byte[32];
        p.get(rb);
        p.get(sb);
        OrderMessage m = new OrderMessage(w[0], w[1], w[2], w[3], w[4], w[5], ids, rs);
        EdDSA.Signature sig =
            new EdDSA.Signature(EdwardsPoint.fromCompressedBytes(rb), new BigInteger(1, sb));
        gate.placeUnlogged(m, sig, tif, (flags & 1) != 0, (flags & 2) != 0, time);
      } else if (kind == CANCEL) {
        gate.engine().cancel(p.getLong(), p.getLong());
      } else if (kind == CANCEL_ALL) {
        gate.engine().cancelAll(p.getLong());
      } else {
        throw new IllegalArgumentException("unknown record kind " + kind);
      }
    }
  }

  /** Appends an accepted order (fsynced). */
  void appendPlace(
      OrderMessage m,
      EdDSA.Signature sig,
      Order.TimeInForce tif,
      boolean postOnly,
      boolean reduceOnly,
      long time)
      throws IOException {
    ByteBuffer p = start(PLACE, time);
    for (long w : new long[] {m.accountId(), m.orderId(), m.expiry(), m.quantity()}) {
      p.putLong(w);
    }
    p.putLong(m.limitPrice());
    p.putLong(m.feePerUnit());
    p.put((byte) m.legs());
    for (int l = 0; l < m.legs(); l++) {
      p.putLong(m.instrumentId(l));
      p.putLong(m.ratio(l));
    }
    p.put((byte) tif.ordinal());
    p.put((byte) ((postOnly ? 1 : 0) | (reduceOnly ? 2 : 0)));
    p.put(sig.toBytes());
    finish();
  }

  /** Appends a successful cancel (fsynced). */
  void appendCancel(long accountId, long orderId, long time) throws IOException {
    start(CANCEL, time).putLong(accountId).putLong(orderId);
    finish();
  }

  /** Appends a cancel-all (fsynced). */
  void appendCancelAll(long accountId, long time) throws IOException {
    start(CANCEL_ALL, time).putLong(accountId);
    finish();
  }

  private ByteBuffer start(byte kind, long time) {
    return log.begin().put(kind).putLong(time);
  }

  private void finish() throws IOException {
    log.append(false);
    written++;
    if (!groupCommit) {
      log.force();
      synced = written;
    }
  }

  private boolean groupCommit;
  private volatile long written;
  private long synced;
  private final Object syncLock = new Object();

  /**
   * Group commit: appends no longer fsync; the caller calls {@link #syncTo} with the {@link
   * #written()} count of its record before it answers, so one fsync covers every record appended
   * meanwhile by other threads (appends stay on one thread at a time, the engine's lock).
   */
  public void setGroupCommit(boolean on) {
    this.groupCommit = on;
  }

  /** Records appended since open (read under the appending lock to name one's own record). */
  public long written() {
    return written;
  }

  /**
   * Returns once the first {@code n} appended records are on disk (one fsync for all records
   * appended so far, unless another thread's already covered them). Thread-safe.
   *
   * @return the number of records known to be on disk
   */
  public long syncTo(long n) throws IOException {
    synchronized (syncLock) {
      if (synced < n) {
        long target = written; // every record counted here was written before the force
        log.force();
        synced = target;
      }
      return synced;
    }
  }

  /** Records known to be on disk (the last {@link #syncTo}'s answer). Thread-safe. */
  public long synced() {
    synchronized (syncLock) {
      return synced;
    }
  }

  @Override
  public void close() throws IOException {
    log.close();
  }
}
