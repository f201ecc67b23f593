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
                + " demo_seed = EXCLUDED.demo_seed RETURNING version")) {
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
                  + " quantities, funding_snapshots) FROM STDIN",
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
    array(b, a.fundingSnapshots()).append('\n');
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
                  + " quantities, funding_snapshots FROM accounts ORDER BY id")) {
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
                  longs(rs.getArray(9))));
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
