package io.zkmargin.nativebridge;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A key loaded in the native library, named by an opaque handle. {@link #close()} releases it; a
 * use after close throws {@link IllegalStateException}. A close while other threads are proving or
 * verifying with the key does not disturb them: the native handle is released when the last of them
 * is done. A {@link Cleaner} releases handles that were never closed once they become unreachable
 * (a safety net, not a substitute for try-with-resources: keys can be hundreds of MB of native
 * memory).
 */
public abstract sealed class KeyHandle implements AutoCloseable
    permits ProvingKeyHandle, VerifyingKeyHandle {
  private static final Cleaner CLEANER = Cleaner.create();

  private final String circuitId;
  private final State state;
  private final Cleaner.Cleanable cleanable;

  KeyHandle(String circuitId, long handle) {
    this.circuitId = circuitId;
    this.state = new State(handle);
    this.cleanable = CLEANER.register(this, state);
  }

  /**
   * @return the circuit id the key was loaded for
   */
  public String circuitId() {
    return circuitId;
  }

  /**
   * @return true once {@link #close()} was called
   */
  public boolean isClosed() {
    return state.closed.get();
  }

  /** Releases the native key (idempotent). */
  @Override
  public void close() {
    cleanable.clean();
  }

  /**
   * Marks the start of a native call on this key.
   *
   * @return the native handle, valid until {@link #exit()}
   * @throws IllegalStateException if the key is closed
   */
  long enter() {
    if (!state.acquire()) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " for " + circuitId + " is closed");
    }
    return state.handle;
  }

  /** Marks the end of a native call started with {@link #enter()}. */
  void exit() {
    state.releaseUse();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + circuitId
        + ", handle "
        + state.handle
        + (isClosed() ? ", closed]" : "]");
  }

  /** Reference count: 1 for the owner (dropped by close) plus one per call in flight. */
  private static final class State implements Runnable {
    final long handle;
    final AtomicBoolean closed = new AtomicBoolean();
    final AtomicLong users = new AtomicLong(1);

    State(long handle) {
      this.handle = handle;
    }

    boolean acquire() {
      while (!closed.get()) {
        long u = users.get();
        if (u == 0) {
          return false;
        }
        if (users.compareAndSet(u, u + 1)) {
          return true;
        }
      }
      return false;
    }

    void releaseUse() {
      if (users.decrementAndGet() == 0) {
        NativeLib.release(handle);
      }
    }

    /** The close (or Cleaner) action: drops the owner's reference once. */
    @Override
    public void run() {
      if (closed.compareAndSet(false, true)) {
        releaseUse();
      }
    }
  }
}
