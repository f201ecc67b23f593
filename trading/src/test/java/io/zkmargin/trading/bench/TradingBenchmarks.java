package io.zkmargin.trading.bench;

import io.zkmargin.trading.MatchingEngine;
import io.zkmargin.trading.Order;
import io.zkmargin.trading.TestVenue;
import io.zkmargin.trading.TradeListener;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Matching throughput and latency in one thread: single-leg limit orders (signatures checked on the
 * way in, before the engine) from 1,000 accounts on a perp and four options (production sizes: P =
 * 8 slots, S = 16 scenarios), half resting 1..5 ticks from the mid (GTC), half crossing up to 5
 * ticks through it (IOC), without and with the pre-trade margin check (one exact margin evaluation
 * of the worst case per order).
 */
public class TradingBenchmarks {
  static final TestVenue VENUE = new TestVenue();
  static final long[] INSTRUMENTS = {
    TestVenue.PERP, TestVenue.CALL, TestVenue.PUT, TestVenue.CALL_HI, TestVenue.PUT_LO
  };
  static final int ACCOUNTS = 1000;
  static final int STREAM = 1 << 20;

  /** A fresh engine per iteration and a precomputed order stream. */
  @State(Scope.Thread)
  public static class Stream {
    @Param({"false", "true"})
    public boolean margin;

    MatchingEngine engine;
    final Order order = new Order();
    int[] acct;
    int[] ins;
    boolean[] buy;
    long[] price;
    long[] qty;
    boolean[] ioc;
    long[] nextId;
    int i;

    /** Builds the stream once. */
    @Setup(Level.Trial)
    public void stream() {
      SplittableRandom r = new SplittableRandom(42);
      acct = new int[STREAM];
      ins = new int[STREAM];
      buy = new boolean[STREAM];
      price = new long[STREAM];
      qty = new long[STREAM];
      ioc = new boolean[STREAM];
      for (int k = 0; k < STREAM; k++) {
        acct[k] = 1 + r.nextInt(ACCOUNTS);
        ins[k] = r.nextInt(INSTRUMENTS.length);
        long mark = VENUE.mark(INSTRUMENTS[ins[k]]);
        long tick = Math.max(1, mark / 2000);
        buy[k] = r.nextBoolean();
        ioc[k] = r.nextBoolean();
        long away = (ioc[k] ? -1 : 1) * (1 + r.nextInt(5));
        price[k] = Math.max(1, buy[k] ? mark - away * tick : mark + away * tick);
        qty[k] = 1 + r.nextInt(10);
      }
    }

    /** A fresh engine (empty books, flat rich accounts) per iteration. */
    @Setup(Level.Iteration)
    public void engine() {
      engine = new MatchingEngine(VENUE.vector, 8, TradeListener.NONE);
      engine.setMarginCheck(margin);
      for (int a = 1; a <= ACCOUNTS; a++) {
        engine.registerAccount(a, TestVenue.flat(1_000_000_000_000_000L));
      }
      nextId = new long[ACCOUNTS + 1];
      i = 0;
    }

    /** Places the next order of the stream; returns the units filled. */
    public long next() {
      int k = i++ & (STREAM - 1);
      int a = acct[k];
      Order o =
          order.single(
              a, ++nextId[a], INSTRUMENTS[ins[k]], buy[k], qty[k], price[k], TestVenue.EXPIRY);
      o.timeInForce = ioc[k] ? Order.TimeInForce.IOC : Order.TimeInForce.GTC;
      return engine.place(o, TestVenue.TIME).filled();
    }
  }

  /** The stream with the margin check on, for latency sampling. */
  @State(Scope.Thread)
  public static class MarginStream extends Stream {
    /** A fresh engine with the margin check on. */
    @Override
    @Setup(Level.Iteration)
    public void engine() {
      super.engine();
      engine.setMarginCheck(true);
    }
  }

  /** Orders per second (one order per call). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long singleLegOrder(Stream s) {
    return s.next();
  }

  /** Latency of one order with the margin check (sampled; the runner prints p50/p99). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long singleLegOrderLatencyWithMargin(MarginStream s) {
    return s.next();
  }
}
