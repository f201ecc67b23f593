package io.zkmargin.grpc.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per key (a peer address or an account id): each bucket holds at most {@code
 * burst} tokens and refills at {@code ratePerSecond}; a request takes one token or is refused.
 * Buckets that are full again (idle keys) are dropped when the map grows, so memory stays bounded
 * by the active keys.
 */
final class RateLimiter {

  /** Beyond this many buckets, full (idle) buckets are dropped. */
  static final int MAX_BUCKETS = 10_000;

  private final double ratePerNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private final Map<Object, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.lastNanos = now;
    }
  }

  /**
   * @param ratePerSecond tokens added per second, {@code > 0}
   * @param burst most tokens a bucket holds (requests allowed at once), {@code >= 1}
   * @param nanoClock a monotonic clock, nanoseconds (e.g. {@code System::nanoTime})
   */
  RateLimiter(double ratePerSecond, int burst, LongSupplier nanoClock) {
    if (!(ratePerSecond > 0) || burst < 1) {
      throw new IllegalArgumentException(
          "rate must be > 0 and burst >= 1, were " + ratePerSecond + ", " + burst);
    }
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.nanoClock = nanoClock;
  }

  /** Takes one token from {@code key}'s bucket; false when it is empty (the request is refused). */
  boolean tryAcquire(Object key) {
    long now = nanoClock.getAsLong();
    if (buckets.size() >= MAX_BUCKETS) {
      buckets
          .values()
          .removeIf(
              b -> {
                synchronized (b) {
                  return refill(b, now) >= burst;
                }
              });
    }
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    synchronized (b) {
      if (refill(b, now) < 1) {
        return false;
      }
      b.tokens -= 1;
      return true;
    }
  }

  private double refill(Bucket b, long now) {
    if (now > b.lastNanos) {
      b.tokens = Math.min(burst, b.tokens + (now - b.lastNanos) * ratePerNano);
      b.lastNanos = now;
    }
    return b.tokens;
  }
}
