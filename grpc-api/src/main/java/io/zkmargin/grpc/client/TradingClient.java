package io.zkmargin.grpc.client;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.AccountRequest;
import io.zkmargin.api.v1.BookRequest;
import io.zkmargin.api.v1.BookSnapshot;
import io.zkmargin.api.v1.CancelAllRequest;
import io.zkmargin.api.v1.CancelOrderRequest;
import io.zkmargin.api.v1.Fill;
import io.zkmargin.api.v1.GetTradingInfoRequest;
import io.zkmargin.api.v1.OpenOrder;
import io.zkmargin.api.v1.OrderLeg;
import io.zkmargin.api.v1.PlaceOrderRequest;
import io.zkmargin.api.v1.PlaceOrderResponse;
import io.zkmargin.api.v1.SignedOrder;
import io.zkmargin.api.v1.TimeInForce;
import io.zkmargin.api.v1.TradingInfo;
import io.zkmargin.api.v1.TradingServiceGrpc;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.grpc.RequestSigner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Java client of the {@code TradingService}: signs orders (the BATCH.md order message, padded
 * to the service's leg count L) and the account requests with the owner's key. Thread-safe.
 */
public final class TradingClient {

  /** One used leg: instrument id and signed ratio (positive = buy the leg). */
  public record Leg(long instrumentId, long ratio) {}

  private static final AtomicLong LAST_ID = new AtomicLong();

  private final ZkmClient client;
  private final TradingServiceGrpc.TradingServiceBlockingStub blocking;
  private final TradingServiceGrpc.TradingServiceStub async;
  private TradingInfo info;

  /**
   * @param client the connection (its channel and the service id requests are signed for)
   */
  public TradingClient(ZkmClient client) {
    this.client = client;
    this.blocking = TradingServiceGrpc.newBlockingStub(client.channel());
    this.async = TradingServiceGrpc.newStub(client.channel());
  }

  private TradingServiceGrpc.TradingServiceBlockingStub stub(Duration deadline) {
    return blocking.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The service's leg count, fill-slot bits and instruments (fetched once, then cached). */
  public synchronized TradingInfo info(Duration deadline) {
    if (info == null) {
      info = stub(deadline).getTradingInfo(GetTradingInfoRequest.getDefaultInstance());
    }
    return info;
  }

  /**
   * A fresh order id: {@code (millis << K) | slot}, increasing over time (and within the process),
   * so that it is larger than any earlier id of the same fill slot made this way; {@code slot} is
   * chosen among those that hold no live order.
   *
   * @param slotBits K
   * @param open the account's live orders
   */
  public static long nextOrderId(int slotBits, List<OpenOrder> open) {
    long mask = (1L << slotBits) - 1;
    long base = LAST_ID.updateAndGet(prev -> Math.max(prev + 1, System.currentTimeMillis()));
    java.util.BitSet used = new java.util.BitSet();
    for (OpenOrder o : open) {
      used.set((int) (o.getOrderId() & mask));
    }
    int slot = (int) (base & mask);
    for (int i = 0; i <= mask && used.get(slot); i++) {
      slot = (int) ((slot + 1) & mask);
    }
    return (base << slotBits) | slot;
  }

  /**
   * The signed order message of the request (padded to {@code legs}).
   *
   * @param key the owner's key
   * @param legs L of the service
   */
  public static SignedOrder sign(
      EdwardsKeyPair key,
      int legs,
      long accountId,
      long orderId,
      long expiry,
      long quantity,
      long limitPrice,
      long feePerUnit,
      List<Leg> used) {
    if (used.isEmpty() || used.size() > legs) {
      throw new IllegalArgumentException("an order has 1 to " + legs + " legs");
    }
    long[] ids = new long[legs];
    long[] ratios = new long[legs];
    SignedOrder.Builder b =
        SignedOrder.newBuilder()
            .setAccountId(accountId)
            .setOrderId(orderId)
            .setExpiry(expiry)
            .setQuantity(quantity)
            .setLimitPrice(limitPrice)
            .setFeePerUnit(feePerUnit);
    for (int l = 0; l < used.size(); l++) {
      ids[l] = used.get(l).instrumentId();
      ratios[l] = used.get(l).ratio();
      b.addLegs(OrderLeg.newBuilder().setInstrumentId(ids[l]).setRatio(ratios[l]));
    }
    OrderMessage m =
        new OrderMessage(accountId, orderId, expiry, quantity, limitPrice, feePerUnit, ids, ratios);
    return b.setSignature(ByteString.copyFrom(RequestSigner.encode(m.sign(key)))).build();
  }

  /**
   * Signs and places an order.
   *
   * @param key the account owner's key
   * @param accountId the account
   * @param orderId the order id, {@code [1, 2^62)} (see {@link #nextOrderId})
   * @param expiry unix seconds
   * @param quantity combo units, {@code > 0}
   * @param limitPrice most paid net per unit, quote atoms, signed
   * @param legs the used legs
   * @param tif time in force
   * @param postOnly post-only
   * @param reduceOnly reduce-only
   * @param deadline call deadline
   * @return the service's answer (accepted or refused with its figures)
   */
  public PlaceOrderResponse place(
      EdwardsKeyPair key,
      long accountId,
      long orderId,
      long expiry,
      long quantity,
      long limitPrice,
      List<Leg> legs,
      TimeInForce tif,
      boolean postOnly,
      boolean reduceOnly,
      Duration deadline) {
    SignedOrder o =
        sign(
            key,
            (int) info(deadline).getLegs(),
            accountId,
            orderId,
            expiry,
            quantity,
            limitPrice,
            0,
            legs);
    return place(
        PlaceOrderRequest.newBuilder()
            .setOrder(o)
            .setTimeInForce(tif)
            .setPostOnly(postOnly)
            .setReduceOnly(reduceOnly)
            .build(),
        deadline);
  }

  /** Places a request signed before (benchmarks sign ahead). */
  public PlaceOrderResponse place(PlaceOrderRequest req, Duration deadline) {
    return stub(deadline).placeOrder(req);
  }

  private AccountRequest account(RequestSigner signer, String method, long accountId) {
    return AccountRequest.newBuilder()
        .setAccountId(accountId)
        .setAuth(signer.sign(method, accountId, 0, RequestSigner.DEFAULT_VALIDITY))
        .build();
  }

  /** A signer of account requests to this service. */
  public RequestSigner signer(EdwardsKeyPair key) {
    return new RequestSigner(key, client.serviceId());
  }

  /**
   * Cancels one order.
   *
   * @return true if it was live
   */
  public boolean cancel(RequestSigner signer, long accountId, long orderId, Duration deadline) {
    String method =
        TradingServiceGrpc.getCancelOrderMethod().getFullMethodName()
            + ":"
            + Long.toUnsignedString(orderId);
    return stub(deadline)
            .cancelOrder(
                CancelOrderRequest.newBuilder()
                    .setAccountId(accountId)
                    .setOrderId(orderId)
                    .setAuth(signer.sign(method, accountId, 0, RequestSigner.DEFAULT_VALIDITY))
                    .build())
            .getCancelled()
        > 0;
  }

  /**
   * Cancels every live order of the account.
   *
   * @return how many
   */
  public int cancelAll(RequestSigner signer, long accountId, Duration deadline) {
    return stub(deadline)
        .cancelAll(
            CancelAllRequest.newBuilder()
                .setAccountId(accountId)
                .setAuth(
                    signer.sign(
                        TradingServiceGrpc.getCancelAllMethod().getFullMethodName(),
                        accountId,
                        0,
                        RequestSigner.DEFAULT_VALIDITY))
                .build())
        .getCancelled();
  }

  /** The account's live orders. */
  public List<OpenOrder> openOrders(RequestSigner signer, long accountId, Duration deadline) {
    return stub(deadline)
        .openOrders(
            account(
                signer, TradingServiceGrpc.getOpenOrdersMethod().getFullMethodName(), accountId))
        .getOrdersList();
  }

  /** The account's fills, oldest first. */
  public List<Fill> fills(RequestSigner signer, long accountId, Duration deadline) {
    return stub(deadline)
        .fills(account(signer, TradingServiceGrpc.getFillsMethod().getFullMethodName(), accountId))
        .getFillsList();
  }

  /** A strategy's book request. */
  public static BookRequest bookRequest(List<Leg> legs, int depth) {
    BookRequest.Builder b = BookRequest.newBuilder().setDepth(depth);
    for (Leg l : legs) {
      b.addLegs(OrderLeg.newBuilder().setInstrumentId(l.instrumentId()).setRatio(l.ratio()));
    }
    return b.build();
  }

  /** A snapshot of a strategy's book. */
  public BookSnapshot book(List<Leg> legs, int depth, Duration deadline) {
    return stub(deadline).book(bookRequest(legs, depth));
  }

  /**
   * Streams a strategy's book (a snapshot now and after every change) until the returned context is
   * cancelled.
   */
  public Context.CancellableContext streamBook(
      List<Leg> legs, int depth, StreamObserver<BookSnapshot> observer) {
    Context.CancellableContext ctx = Context.current().withCancellation();
    ctx.run(() -> async.streamBook(bookRequest(legs, depth), observer));
    return ctx;
  }

  /** Streams the account's fills from now on until the returned context is cancelled. */
  public Context.CancellableContext streamFills(
      RequestSigner signer, long accountId, StreamObserver<Fill> observer) {
    Context.CancellableContext ctx = Context.current().withCancellation();
    AccountRequest req =
        account(signer, TradingServiceGrpc.getStreamFillsMethod().getFullMethodName(), accountId);
    ctx.run(() -> async.streamFills(req, observer));
    return ctx;
  }
}
