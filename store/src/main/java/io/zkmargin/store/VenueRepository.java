package io.zkmargin.store;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.Venue;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskGlobals;
import io.zkmargin.risk.vector.RiskVector;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * The venue's committed state in the database (tables {@code venue}, {@code accounts}, {@code
 * risk_entries}, {@code risk_globals}, {@code state_roots}): written in one transaction, read back
 * as the {@link Venue} the prover and the service use. Accounts are written with {@code COPY} (a
 * million rows in seconds).
 */
public final class VenueRepository {

  /** The roots of one committed state. */
  public record Roots(long version, long epoch, BigInteger stateRoot, BigInteger riskRoot) {}

  private final DataSource db;

  public VenueRepository(DataSource db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /**
   * Replaces the venue's state with {@code venue} and records its roots, in one transaction: a
   * reader sees the old state or the new one, never a mix, and nothing is acknowledged before it is
   * committed.
   *
   * @param roots the venue's committed roots (computed by the caller, e.g. from a {@link
   *     CommittedVenue}); empty to skip recording them (bulk imports whose tree is built later by
   *     {@link #openCommitted})
   * @return the new state's version
   */
  public long save(Venue venue, Optional<CommittedVenue> roots) throws SQLException {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        long version = save(c, venue);
        if (roots.isPresent()) {
          recordRoots(c, version, venue.epoch(), roots.get());
        }
        c.commit();
        return version;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Writes {@code venue} on {@code c} (in the caller's transaction); returns the new version. */
  /** Whether a big load builds the accounts' primary key after the COPY (bench switch). */
  static final boolean INDEX_AFTER_LOAD =
      !"false".equals(System.getProperty("zkm.import.indexAfterLoad"));

  /** From this many accounts on, the primary key is built after the load. */
  static final int INDEX_AFTER_LOAD_ROWS = 100_000;

  static long save(Connection c, Venue venue) throws SQLException {
    long version;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO venue (id, circuit_id, epoch, version, demo_accounts, demo_seed)"
                + " VALUES (1, ?, ?, 1, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                + " circuit_id = EXCLUDED.circuit_id, epoch = EXCLUDED.epoch,"
                + " version = venue.version + 1, demo_accounts = EXCLUDED.demo_accounts,"
                + " demo_seed = EXCLUDED.demo_seed, batch = 0, deployment = '',"
                + " deposits_taken = 0, deposit_head = '0' RETURNING version")) {
      ps.setString(1, venue.sizes().healthCircuitId());
      ps.setLong(2, venue.epoch());
      if (venue.demo().isPresent()) {
        ps.setInt(3, venue.demo().get().accounts());
        ps.setLong(4, venue.demo().get().seed());
      } else {
        ps.setNull(3, java.sql.Types.INTEGER);
        ps.setNull(4, java.sql.Types.BIGINT);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        version = rs.getLong(1);
      }
    }
    try (Statement s = c.createStatement()) {
      // TRUNCATE: a replaced state is dropped whole (a DELETE of a million rows leaves a million
      // dead
      // tuples); it is transactional and takes an exclusive lock until commit, so readers see the
      // old state or the new one
      s.execute("TRUNCATE accounts, risk_entries, risk_globals");
      if (INDEX_AFTER_LOAD && venue.accounts().size() >= INDEX_AFTER_LOAD_ROWS) {
        // a big load: the primary key is built once, by one sort, after the COPY, instead of row by
        // row during it; both in this transaction (a duplicate id fails the whole import)
        s.execute("ALTER TABLE accounts DROP CONSTRAINT accounts_pkey");
        copyAccounts(c, venue.accounts());
        s.execute("ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id)");
      } else {
        copyAccounts(c, venue.accounts());
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO risk_entries (instrument_id, mark, funding_index, floor_mm, floor_im,"
                + " rmm, rim, settled, settlement_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Map.Entry<Integer, InstrumentRiskEntry> e : venue.riskVector().entries().entrySet()) {
        InstrumentRiskEntry r = e.getValue();
        ps.setInt(1, e.getKey());
        ps.setLong(2, r.mark());
        ps.setLong(3, r.fundingIndex());
        ps.setLong(4, r.floorMm());
        ps.setLong(5, r.floorIm());
        ps.setArray(6, longs(c, r.rmm()));
        ps.setArray(7, longs(c, r.rim()));
        ps.setBoolean(8, r.settled());
        ps.setLong(9, r.settlementValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    RiskGlobals g = venue.riskVector().globals();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO risk_globals (id, tier_factor_ppm, collateral_price, debt_price,"
                + " collateral_scenario, penalty_ppm, insurance_share_ppm, keeper_share_ppm,"
                + " close_target_ppm, insurance_fund_id) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setArray(1, longs(c, g.tierFactorPpm()));
      ps.setArray(2, longs(c, g.collateralPrice()));
      ps.setArray(3, longs(c, g.debtPrice()));
      int s = g.collateralScenario().length == 0 ? 0 : g.collateralScenario()[0].length;
      long[] flat = new long[g.collateralScenario().length * s];
      for (int a = 0; a < g.collateralScenario().length; a++) {
        System.arraycopy(g.collateralScenario()[a], 0, flat, a * s, s);
      }
      ps.setArray(4, longs(c, flat));
      LiquidationParams lp = g.liquidation();
      ps.setLong(5, lp.penaltyPpm());
      ps.setLong(6, lp.insuranceSharePpm());
      ps.setLong(7, lp.keeperSharePpm());
      ps.setLong(8, lp.closeTargetPpm());
      ps.setLong(9, lp.insuranceFundId());
      ps.executeUpdate();
    }
    return version;
  }

  /** Streams the accounts into {@code accounts} with COPY (text format). */
  static void copyAccounts(Connection c, Map<Long, AccountLeaf> accounts) throws SQLException {
    Iterator<Map.Entry<Long, AccountLeaf>> it = accounts.entrySet().iterator();
    Reader rows =
        new Reader() {
          private final StringBuilder buf = new StringBuilder();
          private int pos;

          @Override
          public int read(char[] cbuf, int off, int len) {
            while (pos >= buf.length()) {
              if (!it.hasNext()) {
                return -1;
              }
              buf.setLength(0);
              pos = 0;
              for (int n = 0; n < 256 && it.hasNext(); n++) {
                Map.Entry<Long, AccountLeaf> e = it.next();
                appendRow(buf, e.getKey(), e.getValue());
              }
            }
            int k = Math.min(len, buf.length() - pos);
            buf.getChars(pos, pos + k, cbuf, off);
            pos += k;
            return k;
          }

          @Override
          public void close() {}
        };
    try {
      c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(
              "COPY accounts (id, owner_pk_x, owner_pk_y, nonce, tier, balances, instrument_ids,"
                  + " quantities, funding_snapshots, l1_address, orders_root) FROM STDIN",
              rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void appendRow(StringBuilder b, long id, AccountLeaf a) {
    b.append(id)
        .append('\t')
        .append(a.ownerPkX())
        .append('\t')
        .append(a.ownerPkY())
        .append('\t')
        .append(a.nonce())
        .append('\t')
        .append(a.tier())
        .append('\t');
    array(b, a.balances()).append('\t');
    array(b, a.instrumentIds()).append('\t');
    array(b, a.quantities()).append('\t');
    array(b, a.fundingSnapshots()).append('\t');
    b.append(a.l1Address()).append('\t').append(a.ordersRoot()).append('\n');
  }

  private static StringBuilder array(StringBuilder b, long[] v) {
    b.append('{');
    for (int i = 0; i < v.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(v[i]);
    }
    return b.append('}');
  }

  /** Records the roots of the state at {@code version}, in the caller's transaction. */
  static void recordRoots(Connection c, long version, long epoch, CommittedVenue v)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO state_roots (version, epoch, state_root, risk_root) VALUES (?, ?, ?, ?)")) {
      ps.setLong(1, version);
      ps.setLong(2, epoch);
      ps.setString(3, v.stateRoot().toString());
      ps.setString(4, v.riskRoot().toString());
      ps.executeUpdate();
    }
  }

  /** The version of the stored state (0 when there is none): a cheap check for caches. */
  public long version() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version FROM venue WHERE id = 1")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The last recorded roots, if any. */
  public Optional<Roots> lastRoots() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version, epoch, state_root, risk_root FROM state_roots"
                    + " ORDER BY seq DESC LIMIT 1")) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Roots(
              rs.getLong(1),
              rs.getLong(2),
              new BigInteger(rs.getString(3)),
              new BigInteger(rs.getString(4))));
    }
  }

  /** The stored venue with its version, read in one snapshot; empty when none was stored. */
  public Optional<Versioned> load() throws SQLException {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        return load(c);
      } finally {
        c.rollback();
        c.setReadOnly(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        c.setAutoCommit(true);
      }
    }
  }

  /** A venue and the version it was read at. */
  public record Versioned(long version, Venue venue) {}

  private static Optional<Versioned> load(Connection c) throws SQLException {
    CircuitSizes sizes;
    long epoch;
    long version;
    Optional<Venue.DemoOrigin> demo;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT circuit_id, epoch, version, demo_accounts, demo_seed FROM venue"
                    + " WHERE id = 1")) {
      if (!rs.next()) {
        return Optional.empty();
      }
      sizes = CircuitSizes.fromHealthCircuitId(rs.getString(1));
      epoch = rs.getLong(2);
      version = rs.getLong(3);
      int demoAccounts = rs.getInt(4);
      demo =
          rs.wasNull()
              ? Optional.empty()
              : Optional.of(new Venue.DemoOrigin(demoAccounts, rs.getLong(5)));
    }
    TreeMap<Long, AccountLeaf> accounts = new TreeMap<>();
    try (Statement s = c.createStatement()) {
      s.setFetchSize(10_000); // stream: a million accounts do not sit in the driver's buffer
      try (ResultSet rs =
          s.executeQuery(
              "SELECT id, owner_pk_x, owner_pk_y, nonce, tier, balances, instrument_ids,"
                  + " quantities, funding_snapshots, l1_address, orders_root FROM accounts"
                  + " ORDER BY id")) {
        while (rs.next()) {
          accounts.put(
              rs.getLong(1),
              new AccountLeaf(
                      new BigInteger(rs.getString(2)),
                      new BigInteger(rs.getString(3)),
                      rs.getLong(4),
                      rs.getLong(5),
                      longs(rs.getArray(6)),
                      longs(rs.getArray(7)),
                      longs(rs.getArray(8)),
                      longs(rs.getArray(9)))
                  .withL1AddressAndOrdersRoot(
                      new BigInteger(rs.getString(10)), new BigInteger(rs.getString(11))));
        }
      }
    }
    TreeMap<Integer, InstrumentRiskEntry> entries = new TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT instrument_id, mark, funding_index, floor_mm, floor_im, rmm, rim,"
                    + " settled, settlement_value FROM risk_entries ORDER BY instrument_id")) {
      while (rs.next()) {
        entries.put(
            rs.getInt(1),
            new InstrumentRiskEntry(
                rs.getLong(2),
                rs.getLong(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getBoolean(8),
                rs.getLong(9),
                longs(rs.getArray(6)),
                longs(rs.getArray(7))));
      }
    }
    RiskGlobals globals;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT tier_factor_ppm, collateral_price, debt_price, collateral_scenario,"
                    + " penalty_ppm, insurance_share_ppm, keeper_share_ppm, close_target_ppm,"
                    + " insurance_fund_id FROM risk_globals WHERE id = 1")) {
      if (!rs.next()) {
        throw new IllegalStateException("the venue has no risk globals");
      }
      long[] prices = longs(rs.getArray(2));
      long[] flat = longs(rs.getArray(4));
      int a = prices.length;
      int sN = a == 0 ? 0 : flat.length / a;
      long[][] scen = new long[a][];
      for (int i = 0; i < a; i++) {
        scen[i] = java.util.Arrays.copyOfRange(flat, i * sN, (i + 1) * sN);
      }
      LiquidationParams lp =
          new LiquidationParams(
              rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9));
      globals = new RiskGlobals(longs(rs.getArray(1)), lp, prices, longs(rs.getArray(3)), scen);
    }
    Venue venue = new Venue(sizes, accounts, new RiskVector(epoch, sizes, entries, globals), demo);
    return Optional.of(new Versioned(version, venue));
  }

  /**
   * The stored venue committed (its trees built), checked against the last recorded roots: when the
   * last record is of this version, the rebuilt state root and risk root must equal it; when no
   * root of this version was recorded yet (a bulk import), they are recorded now.
   *
   * @throws IllegalStateException when the rebuilt roots differ from the recorded ones (the tables
   *     do not hold the state last acknowledged), or no venue is stored
   */
  public CommittedVenue openCommitted() throws SQLException {
    Versioned v =
        load()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no venue in the database (import one with ./zkm venue import, or run"
                            + " ./zkm demo)"));
    CommittedVenue committed = new CommittedVenue(v.venue());
    Optional<Roots> last = lastRoots();
    if (last.isPresent() && last.get().version() == v.version()) {
      if (!last.get().stateRoot().equals(committed.stateRoot())
          || !last.get().riskRoot().equals(committed.riskRoot())) {
        throw new IllegalStateException(
            "the venue's tables give state root "
                + committed.stateRoot()
                + " and risk root "
                + committed.riskRoot()
                + ", but the last recorded roots (version "
                + v.version()
                + ") are "
                + last.get().stateRoot()
                + " and "
                + last.get().riskRoot());
      }
    } else {
      try (Connection c = db.getConnection()) {
        recordRoots(c, v.version(), v.venue().epoch(), committed);
      }
    }
    return committed;
  }

  // ------------------------------------------------------------ the operator's finalized state

  /**
   * Where the stored state stands in the operator's history: the finalized batch of the Settlement
   * deployment it is (0: the deployment's genesis, or a venue no operator ran on yet), the deposit
   * queue entries consumed up to it and the queue's head after them.
   *
   * @param deployment the Settlement deployment ("" before any operator ran on the venue)
   */
  public record BatchPosition(
      long batch, String deployment, long depositsTaken, BigInteger depositHead) {}

  /**
   * The order-fill slots of one account (docs/BATCH.md section 1), each of length {@code 2^K}: slot
   * {@code orderId mod 2^K} holds the order id (0 = unused) and the combo units filled.
   */
  public record OrderSlots(long[] orderIds, long[] filled) {
    public OrderSlots {
      Objects.requireNonNull(orderIds, "orderIds");
      Objects.requireNonNull(filled, "filled");
      if (orderIds.length != filled.length) {
        throw new IllegalArgumentException(
            "order ids and fills differ in length: " + orderIds.length + " and " + filled.length);
      }
    }
  }

  /**
   * One finalized batch's effect on the state: the leaves of every account it changed (or created),
   * with their order-fill slots (absent for an account that never filled an order), and the roots
   * after it.
   */
  public record BatchUpdate(
      String deployment,
      long batch,
      Map<Long, io.zkmargin.commit.AccountLeaf> leaves,
      Map<Long, OrderSlots> orderSlots,
      long depositsTaken,
      BigInteger depositHead,
      BigInteger stateRoot,
      BigInteger riskRoot) {}

  /** The stored state's batch position; empty when no venue is stored. */
  public Optional<BatchPosition> batchPosition() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT batch, deployment, deposits_taken, deposit_head FROM venue WHERE id = 1")) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new BatchPosition(
              rs.getLong(1), rs.getString(2), rs.getLong(3), new BigInteger(rs.getString(4))));
    }
  }

  /** The order-fill slots of every account that has filled an order, by account id. */
  public Map<Long, OrderSlots> orderSlots() throws SQLException {
    Map<Long, OrderSlots> out = new TreeMap<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT id, order_ids, order_filled FROM accounts"
                    + " WHERE cardinality(order_ids) > 0 ORDER BY id")) {
      while (rs.next()) {
        out.put(rs.getLong(1), new OrderSlots(longs(rs.getArray(2)), longs(rs.getArray(3))));
      }
    }
    return out;
  }

  /**
   * Makes the stored state the genesis (batch 0) of a new Settlement deployment: the chain deployed
   * with its root as genesis; its deposit queue is empty.
   */
  public void startDeployment(String deployment) throws SQLException {
    Objects.requireNonNull(deployment, "deployment");
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE venue SET deployment = ?, batch = 0, deposits_taken = 0,"
                    + " deposit_head = '0' WHERE id = 1")) {
      ps.setString(1, deployment);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("no venue in the database");
      }
    }
  }

  /**
   * Writes one finalized batch in one transaction: the changed accounts (inserted when new), the
   * batch number and deposit position, a new version and the batch's roots. A reader sees the state
   * before the batch or after it, never a mix.
   *
   * @throws IllegalStateException when the stored state is not the one the batch follows (another
   *     deployment, or not batch {@code batch - 1}): nothing is written
   */
  public long applyBatch(BatchUpdate u) throws SQLException {
    Objects.requireNonNull(u, "update");
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        long epoch;
        try (Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT batch, deployment, epoch FROM venue WHERE id = 1 FOR UPDATE")) {
          if (!rs.next()) {
            throw new IllegalStateException("no venue in the database");
          }
          long batch = rs.getLong(1);
          String deployment = rs.getString(2);
          epoch = rs.getLong(3);
          if (!deployment.equals(u.deployment()) || batch != u.batch() - 1) {
            throw new IllegalStateException(
                "the database holds batch "
                    + batch
                    + " of deployment '"
                    + deployment
                    + "', not the state batch "
                    + u.batch()
                    + " of '"
                    + u.deployment()
                    + "' follows");
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO accounts (id, owner_pk_x, owner_pk_y, nonce, tier, balances,"
                    + " instrument_ids, quantities, funding_snapshots, l1_address, orders_root,"
                    + " order_ids, order_filled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET owner_pk_x = EXCLUDED.owner_pk_x,"
                    + " owner_pk_y = EXCLUDED.owner_pk_y, nonce = EXCLUDED.nonce, tier ="
                    + " EXCLUDED.tier, balances = EXCLUDED.balances, instrument_ids ="
                    + " EXCLUDED.instrument_ids, quantities = EXCLUDED.quantities,"
                    + " funding_snapshots = EXCLUDED.funding_snapshots, l1_address ="
                    + " EXCLUDED.l1_address, orders_root = EXCLUDED.orders_root, order_ids ="
                    + " EXCLUDED.order_ids, order_filled = EXCLUDED.order_filled")) {
          for (Map.Entry<Long, io.zkmargin.commit.AccountLeaf> e : u.leaves().entrySet()) {
            io.zkmargin.commit.AccountLeaf a = e.getValue();
            OrderSlots slots = u.orderSlots().get(e.getKey());
            ps.setLong(1, e.getKey());
            ps.setString(2, a.ownerPkX().toString());
            ps.setString(3, a.ownerPkY().toString());
            ps.setLong(4, a.nonce());
            ps.setLong(5, a.tier());
            ps.setArray(6, longs(c, a.balances()));
            ps.setArray(7, longs(c, a.instrumentIds()));
            ps.setArray(8, longs(c, a.quantities()));
            ps.setArray(9, longs(c, a.fundingSnapshots()));
            ps.setString(10, a.l1Address().toString());
            ps.setString(11, a.ordersRoot().toString());
            ps.setArray(12, longs(c, slots == null ? new long[0] : slots.orderIds()));
            ps.setArray(13, longs(c, slots == null ? new long[0] : slots.filled()));
            ps.addBatch();
          }
          ps.executeBatch();
        }
        long version;
        try (PreparedStatement ps =
            c.prepareStatement(
                "UPDATE venue SET version = version + 1, batch = ?, deposits_taken = ?,"
                    + " deposit_head = ? WHERE id = 1 RETURNING version")) {
          ps.setLong(1, u.batch());
          ps.setLong(2, u.depositsTaken());
          ps.setString(3, u.depositHead().toString());
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            version = rs.getLong(1);
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO state_roots (version, epoch, state_root, risk_root, batch)"
                    + " VALUES (?, ?, ?, ?, ?)")) {
          ps.setLong(1, version);
          ps.setLong(2, epoch);
          ps.setString(3, u.stateRoot().toString());
          ps.setString(4, u.riskRoot().toString());
          ps.setLong(5, u.batch());
          ps.executeUpdate();
        }
        c.commit();
        return version;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static Array longs(Connection c, long[] v) throws SQLException {
    Long[] boxed = new Long[v.length];
    for (int i = 0; i < v.length; i++) {
      boxed[i] = v[i];
    }
    return c.createArrayOf("bigint", boxed);
  }

  private static long[] longs(Array a) throws SQLException {
    Object[] o = (Object[]) a.getArray();
    long[] out = new long[o.length];
    for (int i = 0; i < o.length; i++) {
      out[i] = ((Number) o[i]).longValue();
    }
    return out;
  }
}
