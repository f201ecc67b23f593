package io.zkmargin.grpc.server;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.AccountRequest;
import io.zkmargin.api.v1.BookLevel;
import io.zkmargin.api.v1.BookRequest;
import io.zkmargin.api.v1.BookSnapshot;
import io.zkmargin.api.v1.CancelAllRequest;
import io.zkmargin.api.v1.CancelOrderRequest;
import io.zkmargin.api.v1.CancelOrderResponse;
import io.zkmargin.api.v1.Fill;
import io.zkmargin.api.v1.FillsResponse;
import io.zkmargin.api.v1.GetTradingInfoRequest;
import io.zkmargin.api.v1.InstrumentInfo;
import io.zkmargin.api.v1.OpenOrder;
import io.zkmargin.api.v1.OpenOrdersResponse;
import io.zkmargin.api.v1.OrderLeg;
import io.zkmargin.api.v1.OrderMargin;
import io.zkmargin.api.v1.PlaceOrderRequest;
import io.zkmargin.api.v1.PlaceOrderResponse;
import io.zkmargin.api.v1.SignedOrder;
import io.zkmargin.api.v1.TradingInfo;
import io.zkmargin.api.v1.TradingServiceGrpc;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.trading.LiquidationEstimator;
import io.zkmargin.trading.MarginAnswer;
import io.zkmargin.trading.MatchingEngine;
import io.zkmargin.trading.Order;
import io.zkmargin.trading.OrderLog;
import io.zkmargin.trading.PlaceResult;
import io.zkmargin.trading.Reject;
import io.zkmargin.trading.SignedOrderGate;
import io.zkmargin.trading.TradeListener;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code zkmargin.v1.TradingService}: the order books of the served venue ({@link MatchingEngine}
 * behind a {@link SignedOrderGate}, every accepted order and cancel in an {@link OrderLog} that is
 * replayed at start, so the books survive a restart).
 *
 * <p>The engine is single-threaded: every call takes one lock around the engine, the listener and
 * the pushes to the streams (which therefore see events in engine order). Orders are authorized by
 * their own BATCH.md signature; the other account calls are signed requests ({@link
 * RequestAuthenticator}, nonce consumed when the call is served).
 */
public final class TradingServiceImpl extends TradingServiceGrpc.TradingServiceImplBase
    implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TradingServiceImpl.class);

  /** K: order ids share {@code 2^K} fill-tree slots per account (at most that many live orders). */
  public static final int ORDER_SLOT_BITS = 10;

  /** Fills kept per account for {@code Fills}. */
  public static final int MAX_FILLS_KEPT = 1000;

  static final String CANCEL_METHOD = TradingServiceGrpc.getCancelOrderMethod().getFullMethodName();
  static final String CANCEL_ALL_METHOD =
      TradingServiceGrpc.getCancelAllMethod().getFullMethodName();
  static final String OPEN_METHOD = TradingServiceGrpc.getOpenOrdersMethod().getFullMethodName();
  static final String FILLS_METHOD = TradingServiceGrpc.getFillsMethod().getFullMethodName();
  static final String STREAM_FILLS_METHOD =
      TradingServiceGrpc.getStreamFillsMethod().getFullMethodName();

  private final Object lock = new Object();
  private final Venue venue;
  private final int legs;
  private final MatchingEngine engine;
  private final SignedOrderGate gate;
  private final OrderLog log;
  private final LiquidationEstimator estimator;
  private final List<InstrumentInfo> instruments = new ArrayList<>();
  private final RequestAuthenticator auth;
  private final Clock clock;
  private final Map<Long, ArrayDeque<Fill>> fills = new HashMap<>();
  private final Map<Long, List<ServerCallStreamObserver<Fill>>> fillStreams = new HashMap<>();
  private final Map<String, BookStream> bookStreams = new HashMap<>();
  private final List<Fill> pending = new ArrayList<>();
  private final List<Long> pendingMark = new ArrayList<>();
  private final List<long[]> pendingTrades = new ArrayList<>();
  private final ArrayDeque<DurableTrade> tradesAwaitingSync = new ArrayDeque<>();
  private volatile SignedTradeSink tradeSink;
  private long sequence;

  /**
   * Receives every two-order fill of the engine with both orders as their owners signed them
   * (docs/BATCH.md section 2's trade: the operator's sequencer takes it as a trade transition).
   * Called under the service's lock, in engine order, once the taker's order and the fill are on
   * disk in the order log (after its fsync: the operator never holds a fill a crash of the books
   * would forget); not for the fills replayed from the order log at start, nor for implied fills
   * (not a two-order trade).
   */
  @FunctionalInterface
  public interface SignedTradeSink {
    /**
     * @param maker the resting order
     * @param taker the incoming order
     * @param units fill, combo units, {@code > 0}
     * @param legPrices quote atoms per lot per leg, L entries (unused legs 0)
     */
    void onSignedTrade(
        SignedOrderGate.SignedOrder maker,
        SignedOrderGate.SignedOrder taker,
        long units,
        long[] legPrices);
  }

  /** Hands every new two-order fill to {@code sink} from now on (null: none). */
  public void setSignedTradeSink(SignedTradeSink sink) {
    this.tradeSink = sink;
  }

  /** The subscribers of one strategy's book and the last snapshot they were sent. */
  private static final class BookStream {
    final long[] ids;
    final long[] ratios;
    final int depth;
    final List<ServerCallStreamObserver<BookSnapshot>> observers = new ArrayList<>();
    BookSnapshot last;

    BookStream(long[] ids, long[] ratios, int depth) {
      this.ids = ids;
      this.ratios = ratios;
      this.depth = depth;
    }
  }

  /**
   * Opens the books of a venue: registers every account with its owner key, replays the order log
   * (signatures verified again), then logs every new order and cancel to it.
   *
   * @param venue the served venue (accounts, risk vector)
   * @param orderLog the order log file (created when missing)
   * @param auth checks signed requests
   * @param clock the service clock (order expiry, unix seconds)
   * @throws IOException when the log cannot be read or a record does not replay
   */
  public TradingServiceImpl(Venue venue, Path orderLog, RequestAuthenticator auth, Clock clock)
      throws IOException {
    this.venue = venue;
    this.auth = auth;
    this.clock = clock;
    this.legs = venue.sizes().equals(CircuitSizes.TEST) ? 2 : 4; // BATCH.md: L = 2 test, 4 prod
    this.engine = new MatchingEngine(venue.riskVector(), ORDER_SLOT_BITS, new Listener());
    this.gate = new SignedOrderGate(engine);
    for (Map.Entry<Long, AccountLeaf> e : venue.accounts().entrySet()) {
      AccountLeaf l = e.getValue();
      gate.registerAccount(e.getKey(), new EdwardsPoint(l.ownerPkX(), l.ownerPkY()), l);
    }
    Optional<DemoVenue> market = DemoVenues.market(venue);
    this.estimator =
        market
            .map(m -> new LiquidationEstimator(m.instruments(), m.epoch(), m.config()))
            .orElse(null);
    long[] mark = venue.riskVector().markArray();
    for (int i = 0; i < mark.length; i++) {
      if (venue.riskVector().has(i)) {
        String name = "";
        if (market.isPresent()) {
          for (Instrument in : market.get().instruments()) {
            if (in.id() == i) {
              name = name(in);
            }
          }
        }
        instruments.add(
            InstrumentInfo.newBuilder().setId(i).setName(name).setMark(mark[i]).build());
      }
    }
    this.log = new OrderLog(orderLog);
    synchronized (lock) {
      int n = log.replay(gate);
      gate.attachLog(log);
      log.setGroupCommit(true); // one fsync for the orders of concurrent callers (durable())
      pending.clear(); // fills of the replay are history, not news for streams
      LOG.atInfo()
          .addKeyValue("records", n)
          .addKeyValue("fills", sequence)
          .addKeyValue("log", orderLog.toString())
          .log("trading.replayed");
    }
  }

  /** A human name of an instrument, e.g. {@code BTC-PERP}, {@code BTC-20260130-60000-C}. */
  static String name(Instrument in) {
    if (in instanceof EuropeanOption o) {
      String day =
          DateTimeFormatter.ofPattern("yyyyMMdd")
              .format(Instant.ofEpochSecond(o.expirySeconds()).atOffset(ZoneOffset.UTC));
      String strike =
          java.math.BigDecimal.valueOf(o.strike(), 6).stripTrailingZeros().toPlainString();
      return o.underlying() + "-" + day + "-" + strike + "-" + o.type().name().charAt(0);
    }
    return in.underlying() + "-PERP";
  }

  /** L, the leg count of the signed order message. */
  public int legs() {
    return legs;
  }

  private long now() {
    return clock.millis() / 1000;
  }

  @Override
  public void getTradingInfo(GetTradingInfoRequest req, StreamObserver<TradingInfo> obs) {
    obs.onNext(
        TradingInfo.newBuilder()
            .setLegs(legs)
            .setOrderSlotBits(ORDER_SLOT_BITS)
            .addAllInstruments(instruments)
            .setNow(now())
            .build());
    obs.onCompleted();
  }

  @Override
  public void placeOrder(PlaceOrderRequest req, StreamObserver<PlaceOrderResponse> obs) {
    OrderMessage msg;
    EdDSA.Signature sig;
    try {
      if (!req.hasOrder()) {
        throw new IllegalArgumentException("order is required");
      }
      SignedOrder o = req.getOrder();
      msg = message(o);
      sig = RequestSigner.decode(o.getSignature().toByteArray());
    } catch (IllegalArgumentException e) {
      obs.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
      return;
    }
    Order.TimeInForce tif =
        switch (req.getTimeInForce()) {
          case TIME_IN_FORCE_IOC -> Order.TimeInForce.IOC;
          case TIME_IN_FORCE_FOK -> Order.TimeInForce.FOK;
          case TIME_IN_FORCE_GTC, TIME_IN_FORCE_UNSPECIFIED -> Order.TimeInForce.GTC;
          default -> null;
        };
    if (tif == null) {
      obs.onError(Status.INVALID_ARGUMENT.withDescription("unknown time_in_force").asException());
      return;
    }
    // the signature check, the expensive part, runs on the caller's thread, outside the lock
    SignedOrderGate.Verified verified = gate.verify(msg, sig);
    if (verified == null) {
      // an unknown account gets the same answer: accounts cannot be enumerated
      obs.onError(
          Status.UNAUTHENTICATED
              .withDescription("the order's signature does not verify with the account's key")
              .asException());
      return;
    }
    PlaceOrderResponse.Builder b = PlaceOrderResponse.newBuilder();
    long mark;
    synchronized (lock) {
      int from = pending.size();
      PlaceResult r;
      try {
        r = gate.place(verified, tif, req.getPostOnly(), req.getReduceOnly(), now());
      } catch (RuntimeException e) {
        LOG.atError().setCause(e).log("trading.place.failed");
        obs.onError(Status.INTERNAL.withDescription("order not placed: " + e).asException());
        return;
      }
      handTrades(); // the taker's signed order is known only now
      b.setAccepted(r.accepted()).setFilledQuantity(r.filled()).setResting(r.resting());
      if (!r.accepted()) {
        b.setRejectReason(r.reject().name());
        b.setDetail(r.detail() == null ? "" : r.detail());
        if (r.reject() == Reject.MARGIN) {
          b.setFailedFigure(r.figure())
              .setRequiredQuoteAtoms(r.required())
              .setFailedEquityQuoteAtoms(r.equity())
              .setShortfallQuoteAtoms(r.shortfall());
        }
      }
      if (r.reject() != Reject.UNKNOWN_ACCOUNT) {
        b.setMargin(margin(engine.marginAnswer(msg.accountId(), estimator)));
      }
      mark = log.written();
      for (int i = from; i < pending.size(); i++) {
        Fill f = pending.get(i);
        pendingMark.add(mark);
        if (f.getAccountId() == msg.accountId() && f.getOrderId() == msg.orderId()) {
          b.addFills(f);
        }
      }
    }
    if (!durable(mark, obs)) {
      return;
    }
    obs.onNext(b.build());
    obs.onCompleted();
  }

  private static OrderMargin margin(MarginAnswer m) {
    return OrderMargin.newBuilder()
        .setEquityQuoteAtoms(m.equity())
        .setMaintenanceMarginQuoteAtoms(m.maintenanceMargin())
        .setInitialMarginQuoteAtoms(m.initialMargin())
        .setUnderlying(m.underlying() == null ? "" : m.underlying())
        .setSpot(m.spot())
        .setLiquidationPrice(m.liquidationPrice())
        .build();
  }

  /** The BATCH.md order message of a request, padded to this service's L legs. */
  OrderMessage message(SignedOrder o) {
    return message(o, legs);
  }

  /**
   * The BATCH.md order message of a signed order request, padded to {@code legs} legs: the one
   * decoder of the trading and the operator services.
   *
   * @param legs L, the legs of the batch circuit's order message
   * @throws IllegalArgumentException when a field is out of range or not canonical
   */
  public static OrderMessage message(SignedOrder o, int legs) {
    int n = o.getLegsCount();
    if (n < 1 || n > legs) {
      throw new IllegalArgumentException("an order has 1 to " + legs + " legs, had " + n);
    }
    if (o.getSignature().size() != RequestSigner.SIGNATURE_BYTES) {
      throw new IllegalArgumentException(
          "signature must have " + RequestSigner.SIGNATURE_BYTES + " bytes");
    }
    long[] ids = new long[legs];
    long[] ratios = new long[legs];
    for (int l = 0; l < n; l++) {
      OrderLeg leg = o.getLegs(l);
      if (leg.getRatio() == 0) {
        throw new IllegalArgumentException("leg " + l + " has ratio 0: send used legs only");
      }
      ids[l] = nonNegative(leg.getInstrumentId(), "legs[" + l + "].instrument_id");
      ratios[l] = leg.getRatio();
    }
    return new OrderMessage(
        nonNegative(o.getAccountId(), "account_id"),
        nonNegative(o.getOrderId(), "order_id"),
        o.getExpiry(),
        o.getQuantity(),
        o.getLimitPrice(),
        o.getFeePerUnit(),
        ids,
        ratios);
  }

  /** A uint64 field that must fit a signed word. */
  private static long nonNegative(long v, String name) {
    if (v < 0) {
      throw new IllegalArgumentException(name + " must be below 2^63");
    }
    return v;
  }

  /** Checks a signed request about one account; consumes its nonce. */
  private void authorize(String method, long accountId, io.zkmargin.api.v1.RequestAuth a)
      throws StatusException {
    int depth = venue.sizes().stateDepth();
    if (accountId < 0 || (depth < 63 && accountId >= (1L << depth))) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "account_id must be in [0, 2^" + depth + "), was " + Long.toUnsignedString(accountId))
          .asException();
    }
    Optional<AccountLeaf> leaf = Optional.ofNullable(venue.accounts().get(accountId));
    auth.consume(auth.authenticate(method, accountId, 0, leaf, a));
  }

  @Override
  public void cancelOrder(CancelOrderRequest req, StreamObserver<CancelOrderResponse> obs) {
    try {
      authorize(
          CANCEL_METHOD + ":" + Long.toUnsignedString(req.getOrderId()),
          req.getAccountId(),
          req.hasAuth() ? req.getAuth() : null);
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    boolean done;
    long mark;
    synchronized (lock) {
      done = req.getOrderId() > 0 && gate.cancel(req.getAccountId(), req.getOrderId(), now());
      mark = log.written();
    }
    if (!durable(mark, obs)) {
      return;
    }
    obs.onNext(CancelOrderResponse.newBuilder().setCancelled(done ? 1 : 0).build());
    obs.onCompleted();
  }

  @Override
  public void cancelAll(CancelAllRequest req, StreamObserver<CancelOrderResponse> obs) {
    try {
      authorize(CANCEL_ALL_METHOD, req.getAccountId(), req.hasAuth() ? req.getAuth() : null);
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    int n;
    long mark;
    synchronized (lock) {
      n = gate.cancelAll(req.getAccountId(), now());
      mark = log.written();
    }
    if (!durable(mark, obs)) {
      return;
    }
    obs.onNext(CancelOrderResponse.newBuilder().setCancelled(n).build());
    obs.onCompleted();
  }

  @Override
  public void openOrders(AccountRequest req, StreamObserver<OpenOrdersResponse> obs) {
    try {
      authorize(OPEN_METHOD, req.getAccountId(), req.hasAuth() ? req.getAuth() : null);
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    OpenOrdersResponse.Builder b = OpenOrdersResponse.newBuilder();
    synchronized (lock) {
      for (long[] o : engine.openOrders(req.getAccountId())) {
        OpenOrder.Builder ob =
            OpenOrder.newBuilder()
                .setOrderId(o[0])
                .setQuantity(o[1])
                .setFilled(o[2])
                .setLimitPrice(o[3]);
        SignedOrderGate.SignedOrder s = gate.signed(req.getAccountId(), o[0]);
        if (s != null) {
          ob.setExpiry(s.message().expiry());
          for (int l = 0; l < s.message().usedLegs(); l++) {
            ob.addLegs(leg(s.message().instrumentId(l), s.message().ratio(l)));
          }
        }
        b.addOrders(ob);
      }
    }
    obs.onNext(b.build());
    obs.onCompleted();
  }

  private static OrderLeg leg(long id, long ratio) {
    return OrderLeg.newBuilder().setInstrumentId(id).setRatio(ratio).build();
  }

  @Override
  public void fills(AccountRequest req, StreamObserver<FillsResponse> obs) {
    try {
      authorize(FILLS_METHOD, req.getAccountId(), req.hasAuth() ? req.getAuth() : null);
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    FillsResponse.Builder b = FillsResponse.newBuilder();
    synchronized (lock) {
      ArrayDeque<Fill> q = fills.get(req.getAccountId());
      if (q != null) {
        b.addAllFills(q);
      }
    }
    obs.onNext(b.build());
    obs.onCompleted();
  }

  @Override
  public void streamFills(AccountRequest req, StreamObserver<Fill> plain) {
    ServerCallStreamObserver<Fill> obs = (ServerCallStreamObserver<Fill>) plain;
    try {
      authorize(STREAM_FILLS_METHOD, req.getAccountId(), req.hasAuth() ? req.getAuth() : null);
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    long account = req.getAccountId();
    synchronized (lock) {
      fillStreams.computeIfAbsent(account, k -> new ArrayList<>()).add(obs);
    }
    obs.setOnCancelHandler(
        () -> {
          synchronized (lock) {
            List<ServerCallStreamObserver<Fill>> l = fillStreams.get(account);
            if (l != null) {
              l.remove(obs);
            }
          }
        });
  }

  /** Number of open fill streams of an account. */
  public int fillSubscribers(long accountId) {
    synchronized (lock) {
      List<ServerCallStreamObserver<Fill>> l = fillStreams.get(accountId);
      return l == null ? 0 : l.size();
    }
  }

  /**
   * The strategy of a book request: ids and ratios, checked.
   *
   * @throws StatusException INVALID_ARGUMENT when the legs are not a strategy
   */
  private long[][] strategy(BookRequest req) throws StatusException {
    int n = req.getLegsCount();
    if (n < 1 || n > legs) {
      throw Status.INVALID_ARGUMENT
          .withDescription("a strategy has 1 to " + legs + " legs, had " + n)
          .asException();
    }
    long[] ids = new long[n];
    long[] ratios = new long[n];
    long g = 0;
    for (int l = 0; l < n; l++) {
      ids[l] = req.getLegs(l).getInstrumentId();
      ratios[l] = req.getLegs(l).getRatio();
      if (ids[l] < 0
          || ids[l] >= venue.riskVector().markArray().length
          || !venue.riskVector().has(ids[l])
          || ratios[l] == 0
          || Math.abs(ratios[l]) > OrderMessage.MAX_RATIO
          || (l > 0 && ids[l] <= ids[l - 1])) {
        throw Status.INVALID_ARGUMENT
            .withDescription(
                "legs must name listed instruments in increasing order with ratios in [-2^16, 2^16]"
                    + " \\ {0}")
            .asException();
      }
      g = BigInteger.valueOf(g).gcd(BigInteger.valueOf(ratios[l])).longValue();
    }
    if (ratios[0] < 0 || g != 1) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "a strategy's first ratio is positive and its ratios share no factor (a single"
                  + " instrument: ratio 1)")
          .asException();
    }
    int depth = req.getDepth() == 0 ? 10 : req.getDepth();
    if (depth < 1 || depth > 100) {
      throw Status.INVALID_ARGUMENT.withDescription("depth must be in [1, 100]").asException();
    }
    return new long[][] {ids, ratios, {depth}};
  }

  private BookSnapshot snapshot(long[] ids, long[] ratios, int depth) {
    BookSnapshot.Builder b = BookSnapshot.newBuilder().setSequence(sequence);
    for (int l = 0; l < ids.length; l++) {
      b.addLegs(leg(ids[l], ratios[l]));
    }
    List<long[]> bids = engine.levels(ids, ratios, true);
    List<long[]> asks = engine.levels(ids, ratios, false);
    for (int i = 0; i < Math.min(depth, bids.size()); i++) {
      b.addBids(BookLevel.newBuilder().setPrice(bids.get(i)[0]).setQuantity(bids.get(i)[1]));
    }
    for (int i = 0; i < Math.min(depth, asks.size()); i++) {
      b.addAsks(BookLevel.newBuilder().setPrice(asks.get(i)[0]).setQuantity(asks.get(i)[1]));
    }
    return b.build();
  }

  @Override
  public void book(BookRequest req, StreamObserver<BookSnapshot> obs) {
    long[][] s;
    try {
      s = strategy(req);
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    BookSnapshot snap;
    synchronized (lock) {
      snap = snapshot(s[0], s[1], (int) s[2][0]);
    }
    obs.onNext(snap);
    obs.onCompleted();
  }

  @Override
  public void streamBook(BookRequest req, StreamObserver<BookSnapshot> plain) {
    ServerCallStreamObserver<BookSnapshot> obs = (ServerCallStreamObserver<BookSnapshot>) plain;
    long[][] s;
    try {
      s = strategy(req);
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    String key = java.util.Arrays.toString(s[0]) + java.util.Arrays.toString(s[1]) + "/" + s[2][0];
    synchronized (lock) {
      BookStream bs =
          bookStreams.computeIfAbsent(key, k -> new BookStream(s[0], s[1], (int) s[2][0]));
      if (bs.last == null) {
        bs.last = snapshot(bs.ids, bs.ratios, bs.depth);
      }
      bs.observers.add(obs);
      obs.onNext(bs.last);
    }
    obs.setOnCancelHandler(
        () -> {
          synchronized (lock) {
            BookStream bs = bookStreams.get(key);
            if (bs != null) {
              bs.observers.remove(obs);
              if (bs.observers.isEmpty()) {
                bookStreams.remove(key);
              }
            }
          }
        });
  }

  /**
   * Waits until the log records up to {@code mark} are on disk (group commit: one fsync covers
   * every caller's records appended so far), then publishes what became durable. Answers nothing
   * before: an order is answered, and its fills streamed, only once it would survive a crash.
   *
   * @return false when the log failed (the call was answered INTERNAL)
   */
  private boolean durable(long mark, StreamObserver<?> obs) {
    long synced;
    try {
      synced = log.syncTo(mark);
    } catch (IOException e) {
      LOG.atError().setCause(e).log("trading.log.sync.failed");
      obs.onError(Status.INTERNAL.withDescription("the order log failed: " + e).asException());
      return false;
    }
    synchronized (lock) {
      publish(synced);
    }
    return true;
  }

  /**
   * Sends the durable fills (log mark {@code <= synced}), in engine order, to their accounts'
   * streams, and the changed books to theirs (under the lock).
   */
  private void publish(long synced) {
    handDurableTrades(synced);
    int n = 0;
    while (n < pending.size() && n < pendingMark.size() && pendingMark.get(n) <= synced) {
      n++;
    }
    for (Fill f : pending.subList(0, n)) {
      List<ServerCallStreamObserver<Fill>> l = fillStreams.get(f.getAccountId());
      if (l != null) {
        for (Iterator<ServerCallStreamObserver<Fill>> it = l.iterator(); it.hasNext(); ) {
          ServerCallStreamObserver<Fill> o = it.next();
          if (o.isCancelled()) {
            it.remove();
          } else {
            o.onNext(f);
          }
        }
      }
    }
    pending.subList(0, n).clear();
    pendingMark.subList(0, n).clear();
    for (BookStream bs : bookStreams.values()) {
      BookSnapshot now = snapshot(bs.ids, bs.ratios, bs.depth);
      if (bs.last != null
          && now.getBidsList().equals(bs.last.getBidsList())
          && now.getAsksList().equals(bs.last.getAsksList())) {
        continue;
      }
      bs.last = now;
      for (Iterator<ServerCallStreamObserver<BookSnapshot>> it = bs.observers.iterator();
          it.hasNext(); ) {
        ServerCallStreamObserver<BookSnapshot> o = it.next();
        if (o.isCancelled()) {
          it.remove();
        } else if (o.isReady()) {
          o.onNext(now); // a snapshot supersedes the previous one: a slow reader may skip some
        }
      }
    }
  }

  /** A two-order fill with both signed orders, waiting for the order log to reach {@code mark}. */
  private record DurableTrade(
      long mark,
      SignedOrderGate.SignedOrder maker,
      SignedOrderGate.SignedOrder taker,
      long units,
      long[] legPrices) {}

  /**
   * Queues the trades of the last placement, with both signed orders (the taker's is known only
   * now), until the order log's records of the placement are on disk (under the lock).
   */
  private void handTrades() {
    long mark = log.written(); // the placement's records, fills included, were appended by place
    for (long[] t : pendingTrades) {
      SignedOrderGate.SignedOrder m = gate.signed(t[0], t[1]);
      SignedOrderGate.SignedOrder k = gate.signed(t[2], t[3]);
      if (m != null && k != null) {
        tradesAwaitingSync.add(
            new DurableTrade(mark, m, k, t[4], Arrays.copyOfRange(t, 5, 5 + legs)));
      }
    }
    pendingTrades.clear();
  }

  /**
   * Gives the sink the queued trades whose records are on disk, in engine order (under the lock).
   */
  private void handDurableTrades(long synced) {
    SignedTradeSink sink = tradeSink;
    while (!tradesAwaitingSync.isEmpty() && tradesAwaitingSync.peekFirst().mark() <= synced) {
      DurableTrade t = tradesAwaitingSync.pollFirst();
      if (sink == null) {
        continue;
      }
      try {
        sink.onSignedTrade(t.maker(), t.taker(), t.units(), t.legPrices());
      } catch (RuntimeException e) {
        LOG.atWarn().setCause(e).log("trading.trade_sink.failed");
      }
    }
  }

  /**
   * The operator's ledger refused a fill the books made (its own margin model or order-fill slots
   * differ from the batch rules): the remainders of both orders are cancelled, logged and made
   * durable, so that the books never fill them again against a ledger that refuses them; the book
   * streams see the change.
   *
   * <p>The refused fill itself stays in the books' fill history and risk state (the engine has no
   * undo of a fill): the next restart of the books replays it too.
   *
   * @return how many of the two orders were still live and are cancelled now
   * @throws IOException when the order log cannot be synced
   */
  public int refuseFill(SignedOrderGate.SignedOrder maker, SignedOrderGate.SignedOrder taker)
      throws IOException {
    int n = 0;
    long mark;
    synchronized (lock) {
      for (SignedOrderGate.SignedOrder o : List.of(maker, taker)) {
        if (gate.cancel(o.message().accountId(), o.message().orderId(), now())) {
          n++;
        }
      }
      mark = log.written();
    }
    long synced = log.syncTo(mark);
    synchronized (lock) {
      publish(synced);
    }
    LOG.atWarn()
        .addKeyValue("maker", maker.message().accountId() + "/" + maker.message().orderId())
        .addKeyValue("taker", taker.message().accountId() + "/" + taker.message().orderId())
        .addKeyValue("cancelled", n)
        .log("trading.fill_refused_by_ledger");
    return n;
  }

  /** The signed form of an accepted order (also of one replayed from the log), or null. */
  public SignedOrderGate.SignedOrder signedOrder(long accountId, long orderId) {
    synchronized (lock) {
      return gate.signed(accountId, orderId);
    }
  }

  /** Order log records known to be on disk (tests: a trade is handed only after its fsync). */
  public long orderLogSynced() {
    return log.synced();
  }

  /** Order log records appended since open. */
  public long orderLogWritten() {
    synchronized (lock) {
      return log.written();
    }
  }

  /** Keeps a fill for the account's history and for the streams (under the lock). */
  private void record(Fill.Builder f) {
    Fill fill = f.setSequence(++sequence).build();
    ArrayDeque<Fill> q = fills.computeIfAbsent(fill.getAccountId(), k -> new ArrayDeque<>());
    if (q.size() == MAX_FILLS_KEPT) {
      q.removeFirst();
    }
    q.addLast(fill);
    pending.add(fill);
  }

  /**
   * Turns the engine's trades into fills of both sides (on the engine's thread, under the lock).
   */
  private final class Listener implements TradeListener {
    @Override
    public void onTrade(
        long makerAccount,
        long makerOrderId,
        long takerAccount,
        long takerOrderId,
        long units,
        long[] legPrice,
        int legs,
        long net) {
      Fill.Builder m =
          Fill.newBuilder()
              .setAccountId(makerAccount)
              .setOrderId(makerOrderId)
              .setCounterpartyAccountId(takerAccount)
              .setQuantity(units)
              .setNetPrice(net)
              .setMaker(true);
      Fill.Builder t =
          Fill.newBuilder()
              .setAccountId(takerAccount)
              .setOrderId(takerOrderId)
              .setCounterpartyAccountId(makerAccount)
              .setQuantity(units)
              .setNetPrice(-net);
      for (int l = 0; l < legs; l++) {
        m.addLegPrices(legPrice[l]);
        t.addLegPrices(legPrice[l]);
      }
      record(m);
      record(t);
      if (tradeSink != null) {
        long[] tr = new long[5 + TradingServiceImpl.this.legs];
        tr[0] = makerAccount;
        tr[1] = makerOrderId;
        tr[2] = takerAccount;
        tr[3] = takerOrderId;
        tr[4] = units;
        System.arraycopy(legPrice, 0, tr, 5, Math.min(legs, TradingServiceImpl.this.legs));
        pendingTrades.add(tr);
      }
    }

    @Override
    public void onImpliedTrade(
        long comboAccount,
        long comboOrderId,
        long units,
        long totalNet,
        int steps,
        int[] leg,
        long[] makerAccount,
        long[] makerOrderId,
        long[] lots,
        long[] price) {
      record(
          Fill.newBuilder()
              .setAccountId(comboAccount)
              .setOrderId(comboOrderId)
              .setCounterpartyAccountId(steps > 0 ? makerAccount[0] : comboAccount)
              .setQuantity(units)
              .setNetPrice(totalNet / units)
              .setImplied(true));
      for (int k = 0; k < steps; k++) {
        SignedOrderGate.SignedOrder s = gate.signed(makerAccount[k], makerOrderId[k]);
        long ratio = s == null ? 0 : s.message().ratio(0);
        record(
            Fill.newBuilder()
                .setAccountId(makerAccount[k])
                .setOrderId(makerOrderId[k])
                .setCounterpartyAccountId(comboAccount)
                .setQuantity(lots[k])
                .setNetPrice(ratio * price[k])
                .addLegPrices(price[k])
                .setMaker(true)
                .setImplied(true));
      }
    }

    @Override
    public void onCancel(long account, long orderId, long remaining, Reject reason) {}
  }

  /** Ends the streams and closes the order log. */
  @Override
  public void close() {
    synchronized (lock) {
      endStreams();
      try {
        log.close();
      } catch (IOException e) {
        LOG.atWarn().setCause(e).log("trading.log.close.failed");
      }
    }
  }

  /** Ends every open stream with UNAVAILABLE (the service is shutting down). */
  public void endStreams() {
    synchronized (lock) {
      for (List<ServerCallStreamObserver<Fill>> l : fillStreams.values()) {
        for (ServerCallStreamObserver<Fill> o : l) {
          end(o);
        }
      }
      fillStreams.clear();
      for (BookStream bs : bookStreams.values()) {
        for (ServerCallStreamObserver<BookSnapshot> o : bs.observers) {
          end(o);
        }
      }
      bookStreams.clear();
    }
  }

  private static void end(ServerCallStreamObserver<?> o) {
    try {
      if (!o.isCancelled()) {
        o.onError(Status.UNAVAILABLE.withDescription("the service is shutting down").asException());
      }
    } catch (RuntimeException e) {
      // the call is already closed
    }
  }
}
