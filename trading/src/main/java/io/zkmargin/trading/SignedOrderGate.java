package io.zkmargin.trading;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.risk.account.Account;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The way in: checks an order's EdDSA signature against its account's owner key (the leaf's key),
 * then hands the order to the engine, which refuses replayed order ids (REPLAYED, ORDER_SLOT_TAKEN)
 * and expired orders. Signatures are checked here, apart from matching, so the engine only ever
 * sees signed orders. Keeps the signed message and signature of every accepted order: a trade is
 * handed to the sequencer with both signed orders.
 */
public final class SignedOrderGate {
  /** An accepted order as its owner signed it. */
  public record SignedOrder(OrderMessage message, EdDSA.Signature signature) {}

  private final MatchingEngine engine;
  private final Map<Long, EdwardsPoint> keys = new HashMap<>();
  private final Map<String, SignedOrder> accepted = new HashMap<>();
  private final Order scratch = new Order();
  private final PlaceResult badSignature = new PlaceResult();
  private OrderLog log;

  /**
   * @param engine the engine orders go to
   */
  public SignedOrderGate(MatchingEngine engine) {
    if (engine == null) {
      throw new IllegalArgumentException("engine must not be null");
    }
    this.engine = engine;
    badSignature.reject = Reject.BAD_SIGNATURE;
    badSignature.detail = "the signature does not verify with the account's key";
  }

  /**
   * Logs every accepted order and cancel to {@code log} from now on (call after {@link
   * OrderLog#replay}).
   */
  public void attachLog(OrderLog log) {
    this.log = log;
  }

  /** The engine behind the gate. */
  public MatchingEngine engine() {
    return engine;
  }

  /**
   * Registers an account with the engine and its owner key with the gate.
   *
   * @param accountId account id
   * @param ownerKey the leaf's owner public key
   * @param leaf the account's state
   */
  public void registerAccount(long accountId, EdwardsPoint ownerKey, Account leaf) {
    if (ownerKey == null) {
      throw new IllegalArgumentException("owner key must not be null");
    }
    engine.registerAccount(accountId, leaf);
    keys.put(accountId, ownerKey);
  }

  /**
   * Verifies and places an order.
   *
   * @param message the signed order message
   * @param signature its signature by the account's owner
   * @param tif time in force (not signed: an instruction to the engine)
   * @param postOnly post-only instruction
   * @param reduceOnly reduce-only instruction
   * @param now unix seconds
   * @return the engine's answer ({@link Reject#BAD_SIGNATURE} if the signature does not verify)
   * @throws UncheckedIOException if the order was accepted but could not be logged
   */
  public PlaceResult place(
      OrderMessage message,
      EdDSA.Signature signature,
      Order.TimeInForce tif,
      boolean postOnly,
      boolean reduceOnly,
      long now) {
    PlaceResult r = placeUnlogged(message, signature, tif, postOnly, reduceOnly, now);
    if (r.accepted() && log != null) {
      try {
        log.appendPlace(message, signature, tif, postOnly, reduceOnly, now);
      } catch (IOException e) {
        throw new UncheckedIOException("order accepted but not logged", e);
      }
    }
    return r;
  }

  /**
   * Cancels a live order (the caller has authenticated the account) and logs it.
   *
   * @return true if it was live
   */
  public boolean cancel(long accountId, long orderId, long now) {
    boolean done = engine.cancel(accountId, orderId);
    if (done && log != null) {
      try {
        log.appendCancel(accountId, orderId, now);
      } catch (IOException e) {
        throw new UncheckedIOException("cancel not logged", e);
      }
    }
    return done;
  }

  /**
   * Cancels every live order of the account and logs it.
   *
   * @return how many
   */
  public int cancelAll(long accountId, long now) {
    int n = engine.cancelAll(accountId);
    if (n > 0 && log != null) {
      try {
        log.appendCancelAll(accountId, now);
      } catch (IOException e) {
        throw new UncheckedIOException("cancel-all not logged", e);
      }
    }
    return n;
  }

  /**
   * An order whose signature this gate checked, made only by {@link #verify}: lets a server check
   * signatures (the expensive part) on many threads, outside the engine's lock, and still hand the
   * engine only signed orders.
   */
  public static final class Verified {
    private final SignedOrderGate gate;
    private final OrderMessage message;
    private final EdDSA.Signature signature;

    private Verified(SignedOrderGate gate, OrderMessage message, EdDSA.Signature signature) {
      this.gate = gate;
      this.message = message;
      this.signature = signature;
    }

    /** The signed message. */
    public OrderMessage message() {
      return message;
    }
  }

  /**
   * Checks an order's signature with its account's owner key. Thread-safe once every account is
   * registered (the key map is only read), so it may run concurrently with {@link #place}.
   *
   * @return the verified order, or null when the signature does not verify or the account is
   *     unknown
   */
  public Verified verify(OrderMessage message, EdDSA.Signature signature) {
    return signedByItsAccount(message, signature) ? new Verified(this, message, signature) : null;
  }

  /**
   * Places an order verified by {@link #verify} of this gate, and logs it as {@link #place} does.
   *
   * @throws IllegalArgumentException if {@code v} was verified by another gate
   */
  public PlaceResult place(
      Verified v, Order.TimeInForce tif, boolean postOnly, boolean reduceOnly, long now) {
    if (v == null || v.gate != this) {
      throw new IllegalArgumentException("the order was not verified by this gate");
    }
    PlaceResult r = placeChecked(v.message, v.signature, tif, postOnly, reduceOnly, now);
    if (r.accepted() && log != null) {
      try {
        log.appendPlace(v.message, v.signature, tif, postOnly, reduceOnly, now);
      } catch (IOException e) {
        throw new UncheckedIOException("order accepted but not logged", e);
      }
    }
    return r;
  }

  PlaceResult placeUnlogged(
      OrderMessage message,
      EdDSA.Signature signature,
      Order.TimeInForce tif,
      boolean postOnly,
      boolean reduceOnly,
      long now) {
    if (!signedByItsAccount(message, signature)) {
      return badSignature;
    }
    return placeChecked(message, signature, tif, postOnly, reduceOnly, now);
  }

  /**
   * True iff the order's account is known and {@code signature} is its owner key's over the order.
   */
  private boolean signedByItsAccount(OrderMessage message, EdDSA.Signature signature) {
    EdwardsPoint key = keys.get(message.accountId());
    return key != null && signature != null && message.verify(key, signature);
  }

  /** Places an order whose signature was checked. */
  private PlaceResult placeChecked(
      OrderMessage message,
      EdDSA.Signature signature,
      Order.TimeInForce tif,
      boolean postOnly,
      boolean reduceOnly,
      long now) {
    int used = message.usedLegs();
    if (used > Order.MAX_LEGS) {
      PlaceResult r = new PlaceResult();
      r.reject = Reject.BAD_ORDER;
      r.detail = "more than " + Order.MAX_LEGS + " legs";
      return r;
    }
    Order o = scratch;
    o.clear();
    o.accountId = message.accountId();
    o.orderId = message.orderId();
    o.expiry = message.expiry();
    o.quantity = message.quantity();
    o.limitPrice = message.limitPrice();
    o.feePerUnit = message.feePerUnit();
    o.legs = used;
    for (int l = 0; l < used; l++) {
      o.instrumentId[l] = message.instrumentId(l);
      o.ratio[l] = message.ratio(l);
    }
    o.timeInForce = tif;
    o.postOnly = postOnly;
    o.reduceOnly = reduceOnly;
    PlaceResult r = engine.place(o, now);
    if (r.accepted()) {
      accepted.put(
          message.accountId() + "/" + message.orderId(), new SignedOrder(message, signature));
    }
    return r;
  }

  /** The signed form of an accepted order, or null. */
  public SignedOrder signed(long accountId, long orderId) {
    return accepted.get(accountId + "/" + orderId);
  }
}
