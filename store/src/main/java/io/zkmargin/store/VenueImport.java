package io.zkmargin.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.Venue;
import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.market.OracleEpoch;
import io.zkmargin.risk.market.UnderlyingQuote;
import io.zkmargin.risk.product.CollateralAsset;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.product.OptionType;
import io.zkmargin.risk.product.PerpetualFuture;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskModelConfig;
import io.zkmargin.risk.vector.RiskVector;
import io.zkmargin.risk.vector.RiskVectorBuilder;
import io.zkmargin.risk.vector.ScenarioGrid;
import io.zkmargin.risk.vector.UnderlyingRiskParameters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Loads a venue's inputs into the database: {@code ./zkm venue import} reads the documented files
 * (store/README.md), checks every field (an error names the file, the line and the field), builds
 * the risk vector with the risk model and writes everything in one transaction, so a failing import
 * loads nothing. {@code ./zkm demo} writes its venue through {@link #write} too.
 *
 * <p>Files, recognized by name: {@code config.json} (circuit, epoch, rounding quantum, risk
 * parameters preset per underlying), {@code instruments.csv}, {@code collateral.csv}, {@code
 * tiers.csv}, {@code quotes.csv}, {@code funding.csv} (the market: all together) and {@code
 * accounts.csv}. Without market files the stored market is kept; without {@code accounts.csv} the
 * stored accounts are kept (and checked against the new market).
 */
public final class VenueImport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The names of the market's files; {@code funding.csv} is optional among them. */
  public static final List<String> MARKET_FILES =
      List.of("config.json", "instruments.csv", "collateral.csv", "tiers.csv", "quotes.csv");

  /** The accounts file. */
  public static final String ACCOUNTS_FILE = "accounts.csv";

  /** The market's optional files (imported with the market's files). */
  public static final List<String> OPTIONAL_MARKET_FILES =
      List.of("funding.csv", "vols.csv", "settlements.csv");

  private VenueImport() {}

  /**
   * A venue's market inputs: what the risk vector is built from.
   *
   * @param sizes the circuit sizes
   * @param epoch the oracle epoch the risk vector is built at (the latest imported)
   * @param instruments the listed instruments
   * @param assets the collateral assets, index 0..A-1
   * @param roundingQuantum the per-lot rounding charge (quote atoms, {@code >= 2})
   * @param tierFactorPpm margin multiplier per tier (ppm)
   * @param presets risk parameter preset per underlying ({@code major} or {@code alt})
   */
  public record Market(
      CircuitSizes sizes,
      OracleEpoch epoch,
      List<Instrument> instruments,
      List<CollateralAsset> assets,
      long roundingQuantum,
      long[] tierFactorPpm,
      Map<String, String> presets,
      Map<Integer, Long> instrumentVols,
      Map<Expiry, Long> settlements) {

    /** A market whose options are all priced on their underlying's smile, none settled. */
    public Market(
        CircuitSizes sizes,
        OracleEpoch epoch,
        List<Instrument> instruments,
        List<CollateralAsset> assets,
        long roundingQuantum,
        long[] tierFactorPpm,
        Map<String, String> presets) {
      this(
          sizes,
          epoch,
          instruments,
          assets,
          roundingQuantum,
          tierFactorPpm,
          presets,
          Map.of(),
          Map.of());
    }

    public Market {
      instrumentVols = Map.copyOf(instrumentVols);
      settlements = Map.copyOf(settlements);
    }

    /** The risk model's configuration of this market. */
    public RiskModelConfig config() {
      Map<String, UnderlyingRiskParameters> p = new TreeMap<>();
      presets.forEach(
          (u, preset) ->
              p.put(
                  u,
                  preset.equals("major")
                      ? UnderlyingRiskParameters.majorDefaults()
                      : UnderlyingRiskParameters.altDefaults()));
      return new RiskModelConfig(
          ScenarioGrid.forSize(sizes.scenarios()), p, tierFactorPpm, roundingQuantum);
    }

    /**
     * The risk vector of this market at its epoch: the risk model's, with two venue inputs applied
     * per instrument. An option with its own implied vol ({@code vols.csv}) is priced on a flat
     * smile at that vol (its underlying's spot unchanged). An option expired at the epoch's time
     * whose expiry has a settlement price ({@code settlements.csv}) is settled (risk encoding v2):
     * settlementValue = mark = its intrinsic value at that price per lot, max(0, ±(settle -
     * strike)) x lot size rounded to nearest, floors and scenario arrays zero, so its positions are
     * closed at that value by a settle-expiry transition and it can no longer be traded.
     */
    public RiskVector riskVector() {
      RiskModelConfig cfg = config();
      RiskVector base = RiskVectorBuilder.DEFAULT.build(epoch, instruments, assets, cfg, sizes);
      if (instrumentVols.isEmpty() && settlements.isEmpty()) {
        return base;
      }
      TreeMap<Integer, InstrumentRiskEntry> entries = new TreeMap<>(base.entries());
      for (Instrument i : instruments) {
        if (!(i instanceof EuropeanOption o)) {
          continue;
        }
        Long settle = settlements.get(new Expiry(o.underlying(), o.expirySeconds()));
        if (settle != null && o.expirySeconds() <= epoch.timeSeconds()) {
          long perUnit =
              Math.max(0, o.type() == OptionType.CALL ? settle - o.strike() : o.strike() - settle);
          long mark =
              BigInteger.valueOf(perUnit)
                  .multiply(BigInteger.valueOf(o.lotSize()))
                  .add(BigInteger.valueOf(Fixed.ONE / 2))
                  .divide(BigInteger.valueOf(Fixed.ONE))
                  .longValueExact();
          int n = cfg.grid().size();
          entries.put(o.id(), InstrumentRiskEntry.settledAt(mark, 0, n));
        } else if (instrumentVols.containsKey(o.id())) {
          UnderlyingQuote q = epoch.quote(o.underlying());
          Map<String, UnderlyingQuote> flat = new TreeMap<>(epoch.quotes());
          flat.put(o.underlying(), new UnderlyingQuote(q.spot(), instrumentVols.get(o.id()), 0));
          entries.put(o.id(), RiskVectorBuilder.DEFAULT.entry(epoch.withQuotes(flat), o, cfg));
        }
      }
      return new RiskVector(base.epoch(), sizes, entries, base.globals());
    }
  }

  /**
   * An expiry of an underlying's options.
   *
   * @param underlying the underlying's symbol
   * @param expirySeconds the expiry, Unix seconds
   */
  public record Expiry(String underlying, long expirySeconds) {}

  /**
   * The market of a demo venue ({@code ./zkm demo}): its presets are those of {@link
   * RiskModelConfig#defaults} (BTC major, every other underlying alt).
   */
  public static Market ofDemo(io.zkmargin.prover.demo.DemoVenue d) {
    Map<String, String> presets = new TreeMap<>();
    d.config()
        .parameters()
        .keySet()
        .forEach(u -> presets.put(u, u.equals("BTC") ? "major" : "alt"));
    return new Market(
        d.sizes(),
        d.epoch(),
        List.copyOf(d.instruments()),
        d.assets(),
        d.config().roundingQuantum(),
        d.config().tierFactorPpm(),
        presets);
  }

  /** An import that failed: every error found, each naming its file, line and field. */
  public static final class ImportException extends Exception {
    private final List<String> errors;

    ImportException(List<String> errors) {
      super(
          errors.size()
              + " error(s), nothing imported:\n  "
              + String.join("\n  ", errors.subList(0, Math.min(50, errors.size())))
              + (errors.size() > 50 ? "\n  ..." : ""));
      this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
      return errors;
    }
  }

  /** What an import wrote. */
  public record Result(
      long version, int accounts, int instruments, long epoch, long checkNanos, long writeNanos) {}

  /**
   * Imports files into the database in one transaction.
   *
   * @throws ImportException when a file is malformed or inconsistent (nothing is written)
   */
  public static Result importFiles(DataSource db, List<Path> files)
      throws ImportException, IOException, SQLException {
    long t0 = System.nanoTime();
    Map<String, Path> byName = new TreeMap<>();
    List<String> errors = new ArrayList<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (!MARKET_FILES.contains(name)
          && !OPTIONAL_MARKET_FILES.contains(name)
          && !name.equals(ACCOUNTS_FILE)) {
        errors.add(
            f
                + ": unknown file name (expected one of "
                + MARKET_FILES
                + ", "
                + OPTIONAL_MARKET_FILES
                + ", "
                + ACCOUNTS_FILE
                + ")");
      } else if (byName.put(name, f) != null) {
        errors.add(f + ": " + name + " given twice");
      }
    }
    boolean anyMarket = byName.keySet().stream().anyMatch(n -> !n.equals(ACCOUNTS_FILE));
    Market market;
    if (anyMarket) {
      for (String m : MARKET_FILES) {
        if (!byName.containsKey(m)) {
          errors.add(m + ": missing (the market's files are imported together)");
        }
      }
      if (!errors.isEmpty()) {
        throw new ImportException(errors);
      }
      market = parseMarket(byName, errors);
    } else {
      market = loadMarket(db).orElse(null);
      if (market == null) {
        errors.add("the database holds no market yet: import " + MARKET_FILES + " first (or too)");
      }
    }
    if (!errors.isEmpty() || market == null) {
      throw new ImportException(errors);
    }
    RiskVector vector;
    try {
      vector = market.riskVector();
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ImportException(
          List.of("market: the risk vector cannot be built: " + e.getMessage()));
    }
    TreeMap<Long, AccountLeaf> accounts;
    Optional<Venue.DemoOrigin> demo = Optional.empty();
    if (byName.containsKey(ACCOUNTS_FILE)) {
      accounts = parseAccounts(byName.get(ACCOUNTS_FILE), market.sizes(), vector, errors);
    } else {
      Optional<VenueRepository.Versioned> stored = new VenueRepository(db).load();
      accounts = new TreeMap<>();
      if (stored.isPresent()) {
        accounts.putAll(stored.get().venue().accounts());
      }
    }
    if (!errors.isEmpty()) {
      throw new ImportException(errors);
    }
    Venue venue;
    try {
      venue = new Venue(market.sizes(), accounts, vector, demo);
    } catch (IllegalArgumentException e) {
      throw new ImportException(List.of("accounts: " + e.getMessage()));
    }
    long t1 = System.nanoTime();
    long version = write(db, market, venue);
    return new Result(
        version,
        accounts.size(),
        market.instruments().size(),
        market.epoch().epoch(),
        t1 - t0,
        System.nanoTime() - t1);
  }

  /**
   * Writes a market and a venue built on it in one transaction (the import's and {@code ./zkm
   * demo}'s one path). The state roots are recorded when the venue is next opened ({@link
   * VenueRepository#openCommitted}), so a bulk import does not wait for the tree's hashing.
   *
   * @return the venue state's new version
   */
  public static long write(DataSource db, Market market, Venue venue) throws SQLException {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        saveMarket(c, market);
        long version = VenueRepository.save(c, venue);
        c.commit();
        return version;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private static void saveMarket(Connection c, Market m) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String t :
          List.of(
              "instruments",
              "collateral_assets",
              "risk_tiers",
              "risk_config",
              "oracle_quotes",
              "funding_indexes",
              "instrument_vols",
              "settlement_prices")) {
        s.execute("DELETE FROM " + t);
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO instrument_vols (epoch, instrument_id, vol) VALUES (?, ?, ?)")) {
      for (Map.Entry<Integer, Long> v : m.instrumentVols().entrySet()) {
        ps.setLong(1, m.epoch().epoch());
        ps.setInt(2, v.getKey());
        ps.setLong(3, v.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO settlement_prices (underlying, expiry_seconds, price) VALUES (?, ?, ?)")) {
      for (Map.Entry<Expiry, Long> e : m.settlements().entrySet()) {
        ps.setString(1, e.getKey().underlying());
        ps.setLong(2, e.getKey().expirySeconds());
        ps.setLong(3, e.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO instruments (id, kind, underlying, lot_size, option_type, strike,"
                + " expiry_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (Instrument i : m.instruments()) {
        if (i instanceof PerpetualFuture p) {
          ps.setInt(1, p.id());
          ps.setString(2, "perp");
          ps.setString(3, p.underlying());
          ps.setLong(4, p.lotSize());
          ps.setNull(5, java.sql.Types.VARCHAR);
          ps.setNull(6, java.sql.Types.BIGINT);
          ps.setNull(7, java.sql.Types.BIGINT);
        } else if (i instanceof EuropeanOption o) {
          ps.setInt(1, o.id());
          ps.setString(2, "option");
          ps.setString(3, o.underlying());
          ps.setLong(4, o.lotSize());
          ps.setString(5, o.type().name().toLowerCase(Locale.ROOT));
          ps.setLong(6, o.strike());
          ps.setLong(7, o.expirySeconds());
        }
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO collateral_assets (idx, symbol, decimals, underlying, haircut_ppm)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      for (CollateralAsset a : m.assets()) {
        ps.setInt(1, a.index());
        ps.setString(2, a.symbol());
        ps.setInt(3, a.decimals());
        ps.setString(4, a.underlying());
        ps.setLong(5, a.haircutPpm());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO risk_tiers (tier, factor_ppm) VALUES (?, ?)")) {
      for (int t = 0; t < m.tierFactorPpm().length; t++) {
        ps.setInt(1, t);
        ps.setLong(2, m.tierFactorPpm()[t]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO risk_config (id, circuit_id, rounding_quantum, underlying_presets)"
                + " VALUES (1, ?, ?, ?::jsonb)")) {
      ps.setString(1, m.sizes().healthCircuitId());
      ps.setLong(2, m.roundingQuantum());
      ps.setString(3, JSON.valueToTree(m.presets()).toString());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO oracle_quotes (epoch, underlying, time_seconds, spot, atm_vol, skew)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Map.Entry<String, UnderlyingQuote> q : m.epoch().quotes().entrySet()) {
        ps.setLong(1, m.epoch().epoch());
        ps.setString(2, q.getKey());
        ps.setLong(3, m.epoch().timeSeconds());
        ps.setLong(4, q.getValue().spot());
        ps.setLong(5, q.getValue().atmVol());
        ps.setLong(6, q.getValue().skew());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO funding_indexes (epoch, instrument_id, funding_index) VALUES (?, ?, ?)")) {
      for (Map.Entry<Integer, Long> f : m.epoch().fundingIndex().entrySet()) {
        ps.setLong(1, m.epoch().epoch());
        ps.setInt(2, f.getKey());
        ps.setLong(3, f.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** The stored market, if one was imported. */
  public static Optional<Market> loadMarket(DataSource db) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      CircuitSizes sizes;
      long quantum;
      Map<String, String> presets = new TreeMap<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT circuit_id, rounding_quantum, underlying_presets::text FROM risk_config")) {
        if (!rs.next()) {
          return Optional.empty();
        }
        sizes = CircuitSizes.fromHealthCircuitId(rs.getString(1));
        quantum = rs.getLong(2);
        JSON.readTree(rs.getString(3))
            .fields()
            .forEachRemaining(e -> presets.put(e.getKey(), e.getValue().asText()));
      } catch (IOException e) {
        throw new SQLException("risk_config.underlying_presets is not JSON", e);
      }
      List<Instrument> instruments = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT id, kind, underlying, lot_size, option_type, strike, expiry_seconds"
                  + " FROM instruments ORDER BY id")) {
        while (rs.next()) {
          instruments.add(
              rs.getString(2).equals("perp")
                  ? new PerpetualFuture(rs.getInt(1), rs.getString(3), rs.getLong(4))
                  : new EuropeanOption(
                      rs.getInt(1),
                      rs.getString(3),
                      OptionType.valueOf(rs.getString(5).toUpperCase(Locale.ROOT)),
                      rs.getLong(6),
                      rs.getLong(7),
                      rs.getLong(4)));
        }
      }
      List<CollateralAsset> assets = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT idx, symbol, decimals, underlying, haircut_ppm FROM collateral_assets"
                  + " ORDER BY idx")) {
        while (rs.next()) {
          assets.add(
              new CollateralAsset(
                  rs.getInt(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getLong(5)));
        }
      }
      List<Long> tiers = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT factor_ppm FROM risk_tiers ORDER BY tier")) {
        while (rs.next()) {
          tiers.add(rs.getLong(1));
        }
      }
      long epoch = -1;
      long time = 0;
      Map<String, UnderlyingQuote> quotes = new TreeMap<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT epoch, underlying, time_seconds, spot, atm_vol, skew FROM oracle_quotes"
                  + " WHERE epoch = (SELECT max(epoch) FROM oracle_quotes)")) {
        while (rs.next()) {
          epoch = rs.getLong(1);
          time = rs.getLong(3);
          quotes.put(
              rs.getString(2), new UnderlyingQuote(rs.getLong(4), rs.getLong(5), rs.getLong(6)));
        }
      }
      Map<Integer, Long> funding = new TreeMap<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT instrument_id, funding_index FROM funding_indexes WHERE epoch = ?")) {
        ps.setLong(1, epoch);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            funding.put(rs.getInt(1), rs.getLong(2));
          }
        }
      }
      Map<Integer, Long> vols = new TreeMap<>();
      try (PreparedStatement ps =
          c.prepareStatement("SELECT instrument_id, vol FROM instrument_vols WHERE epoch = ?")) {
        ps.setLong(1, epoch);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            vols.put(rs.getInt(1), rs.getLong(2));
          }
        }
      }
      Map<Expiry, Long> settlements = new java.util.HashMap<>();
      try (ResultSet rs =
          s.executeQuery("SELECT underlying, expiry_seconds, price FROM settlement_prices")) {
        while (rs.next()) {
          settlements.put(new Expiry(rs.getString(1), rs.getLong(2)), rs.getLong(3));
        }
      }
      return Optional.of(
          new Market(
              sizes,
              new OracleEpoch(epoch, time, quotes, funding),
              instruments,
              assets,
              quantum,
              tiers.stream().mapToLong(Long::longValue).toArray(),
              presets,
              vols,
              settlements));
    }
  }

  // ---- parsing ----

  /** One CSV file's rows: a header naming the columns, then comma-separated values. */
  private static final class Csv {
    final Path file;
    final List<String> columns;
    final List<String[]> rows = new ArrayList<>();
    final List<Integer> lines = new ArrayList<>();

    Csv(Path file, List<String> expected, List<String> errors) throws IOException {
      this.file = file;
      this.columns = expected;
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String header = r.readLine();
        if (header == null || !List.of(header.trim().split(",", -1)).equals(expected)) {
          errors.add(file + ":1: header must be " + String.join(",", expected) + ", was " + header);
          return;
        }
        String line;
        int n = 1;
        while ((line = r.readLine()) != null) {
          n++;
          if (line.isBlank() || line.startsWith("#")) {
            continue;
          }
          String[] v = line.split(",", -1);
          if (v.length != expected.size()) {
            errors.add(
                file
                    + ":"
                    + n
                    + ": "
                    + v.length
                    + " fields, expected "
                    + expected.size()
                    + " ("
                    + String.join(",", expected)
                    + ")");
            continue;
          }
          rows.add(v);
          lines.add(n);
        }
      }
    }

    String where(int row, String field) {
      return file + ":" + lines.get(row) + ": field " + field;
    }
  }

  /** Parses a long field, recording an error (and returning null) when it is not one in range. */
  private static Long num(Csv csv, int row, String field, long min, long max, List<String> errors) {
    String v = csv.rows.get(row)[csv.columns.indexOf(field)].trim();
    try {
      long x = Long.parseLong(v);
      if (x < min || x > max) {
        errors.add(csv.where(row, field) + ": " + x + " outside [" + min + ", " + max + "]");
        return null;
      }
      return x;
    } catch (NumberFormatException e) {
      errors.add(csv.where(row, field) + ": '" + v + "' is not an integer");
      return null;
    }
  }

  private static String text(Csv csv, int row, String field, List<String> errors) {
    String v = csv.rows.get(row)[csv.columns.indexOf(field)].trim();
    if (!v.matches("[A-Za-z0-9_.-]{1,32}")) {
      errors.add(csv.where(row, field) + ": '" + v + "' is not a symbol ([A-Za-z0-9_.-], 1 to 32)");
      return null;
    }
    return v;
  }

  private static Market parseMarket(Map<String, Path> files, List<String> errors)
      throws IOException, ImportException {
    Path cfgFile = files.get("config.json");
    JsonNode cfg;
    try {
      cfg = JSON.readTree(cfgFile.toFile());
    } catch (IOException e) {
      throw new ImportException(List.of(cfgFile + ": not JSON: " + e.getMessage()));
    }
    CircuitSizes sizes = null;
    try {
      sizes = CircuitSizes.fromHealthCircuitId(cfg.path("circuit").asText());
    } catch (RuntimeException e) {
      errors.add(cfgFile + ": field circuit: " + e.getMessage());
    }
    long epoch = cfg.path("epoch").asLong(-1);
    if (!cfg.path("epoch").canConvertToLong() || epoch < 0) {
      errors.add(cfgFile + ": field epoch: a non-negative integer is required");
    }
    long quantum = cfg.path("roundingQuantum").asLong(2);
    if (quantum < 2) {
      errors.add(cfgFile + ": field roundingQuantum: must be >= 2, was " + quantum);
    }
    Map<String, String> presets = new TreeMap<>();
    cfg.path("underlyings")
        .fields()
        .forEachRemaining(
            e -> {
              String p = e.getValue().asText();
              if (!p.equals("major") && !p.equals("alt")) {
                errors.add(
                    cfgFile
                        + ": field underlyings."
                        + e.getKey()
                        + ": preset must be major or alt, was "
                        + p);
              }
              presets.put(e.getKey(), p);
            });
    if (sizes == null) {
      throw new ImportException(errors);
    }
    long maxInstrument = (1L << sizes.instrumentDepth()) - 1;

    Csv ins =
        new Csv(
            files.get("instruments.csv"),
            List.of("id", "kind", "underlying", "lot_size", "option_type", "strike", "expiry"),
            errors);
    List<Instrument> instruments = new ArrayList<>();
    java.util.Set<Long> ids = new java.util.HashSet<>();
    for (int r = 0; r < ins.rows.size(); r++) {
      Long id = num(ins, r, "id", 0, maxInstrument, errors);
      String kind = ins.rows.get(r)[1].trim();
      String u = text(ins, r, "underlying", errors);
      Long lot = num(ins, r, "lot_size", 1, Long.MAX_VALUE, errors);
      if (u != null && !presets.containsKey(u)) {
        errors.add(
            ins.where(r, "underlying") + ": " + u + " has no preset in config.json underlyings");
      }
      if (id != null && !ids.add(id)) {
        errors.add(ins.where(r, "id") + ": instrument " + id + " listed twice");
      }
      if (kind.equals("perp")) {
        for (String f : List.of("option_type", "strike", "expiry")) {
          if (!ins.rows.get(r)[ins.columns.indexOf(f)].isBlank()) {
            errors.add(ins.where(r, f) + ": must be empty for a perp");
          }
        }
        if (id != null && u != null && lot != null) {
          instruments.add(new PerpetualFuture(id.intValue(), u, lot));
        }
      } else if (kind.equals("option")) {
        String t = ins.rows.get(r)[4].trim();
        if (!t.equals("call") && !t.equals("put")) {
          errors.add(ins.where(r, "option_type") + ": must be call or put, was '" + t + "'");
        }
        Long strike = num(ins, r, "strike", 1, Long.MAX_VALUE, errors);
        Long expiry = num(ins, r, "expiry", 1, Long.MAX_VALUE, errors);
        if (id != null
            && u != null
            && lot != null
            && strike != null
            && expiry != null
            && (t.equals("call") || t.equals("put"))) {
          instruments.add(
              new EuropeanOption(
                  id.intValue(),
                  u,
                  OptionType.valueOf(t.toUpperCase(Locale.ROOT)),
                  strike,
                  expiry,
                  lot));
        }
      } else {
        errors.add(ins.where(r, "kind") + ": must be perp or option, was '" + kind + "'");
      }
    }

    Csv col =
        new Csv(
            files.get("collateral.csv"),
            List.of("index", "symbol", "decimals", "underlying", "haircut_ppm"),
            errors);
    List<CollateralAsset> assets = new ArrayList<>();
    if (col.rows.size() != sizes.collateralAssets()) {
      errors.add(
          col.file
              + ": "
              + col.rows.size()
              + " assets, the circuit "
              + sizes.healthCircuitId()
              + " has "
              + sizes.collateralAssets());
    }
    for (int r = 0; r < col.rows.size(); r++) {
      Long idx = num(col, r, "index", r, r, errors); // 0..A-1 in order
      String sym = text(col, r, "symbol", errors);
      Long dec = num(col, r, "decimals", 0, 9, errors);
      String u = col.rows.get(r)[3].trim();
      Long hc = num(col, r, "haircut_ppm", 0, 1_000_000, errors);
      if (r == 0 && !u.isEmpty()) {
        errors.add(col.where(r, "underlying") + ": asset 0 is the quote asset: leave it empty");
      } else if (r > 0 && !presets.containsKey(u)) {
        errors.add(
            col.where(r, "underlying") + ": '" + u + "' has no preset in config.json underlyings");
      }
      if (idx != null && sym != null && dec != null && hc != null) {
        assets.add(
            new CollateralAsset(idx.intValue(), sym, dec.intValue(), u.isEmpty() ? null : u, hc));
      }
    }

    Csv tiers = new Csv(files.get("tiers.csv"), List.of("tier", "factor_ppm"), errors);
    long[] factors = new long[tiers.rows.size()];
    if (tiers.rows.size() != sizes.tiers()) {
      errors.add(
          tiers.file + ": " + tiers.rows.size() + " tiers, the circuit has " + sizes.tiers());
    }
    for (int r = 0; r < tiers.rows.size(); r++) {
      num(tiers, r, "tier", r, r, errors);
      Long f = num(tiers, r, "factor_ppm", 1_000_000, (1L << 32) - 1, errors);
      factors[r] = f == null ? 0 : f;
    }

    Csv q =
        new Csv(
            files.get("quotes.csv"),
            List.of("epoch", "time_seconds", "underlying", "spot", "atm_vol", "skew"),
            errors);
    Map<String, UnderlyingQuote> quotes = new TreeMap<>();
    long time = -1;
    for (int r = 0; r < q.rows.size(); r++) {
      Long e = num(q, r, "epoch", 0, Long.MAX_VALUE, errors);
      Long t = num(q, r, "time_seconds", 1, Long.MAX_VALUE, errors);
      String u = text(q, r, "underlying", errors);
      Long spot = num(q, r, "spot", 1, Long.MAX_VALUE, errors);
      Long vol = num(q, r, "atm_vol", 1, 5_000_000_000_000_000_000L, errors);
      Long skew = num(q, r, "skew", Long.MIN_VALUE, Long.MAX_VALUE, errors);
      if (e == null || e != epoch) {
        continue; // malformed (reported) or another epoch's quote (not in this risk vector)
      }
      if (t != null && time >= 0 && t != time) {
        errors.add(
            q.where(r, "time_seconds")
                + ": epoch "
                + epoch
                + " has two times, "
                + time
                + " and "
                + t);
      }
      if (t != null) {
        time = t;
      }
      if (u != null && quotes.containsKey(u)) {
        errors.add(q.where(r, "underlying") + ": " + u + " quoted twice in epoch " + epoch);
      }
      if (u != null && spot != null && vol != null && skew != null) {
        quotes.put(u, new UnderlyingQuote(spot, vol, skew));
      }
    }
    if (time < 0) {
      errors.add(q.file + ": no quote of epoch " + epoch + " (config.json epoch)");
    }
    Map<Integer, Long> funding = new TreeMap<>();
    if (files.containsKey("funding.csv")) {
      Csv f =
          new Csv(
              files.get("funding.csv"), List.of("epoch", "instrument_id", "funding_index"), errors);
      for (int r = 0; r < f.rows.size(); r++) {
        Long e = num(f, r, "epoch", 0, Long.MAX_VALUE, errors);
        Long id = num(f, r, "instrument_id", 0, maxInstrument, errors);
        Long v = num(f, r, "funding_index", Long.MIN_VALUE, Long.MAX_VALUE, errors);
        if (id != null && !ids.contains(id)) {
          errors.add(
              f.where(r, "instrument_id") + ": instrument " + id + " is not in instruments.csv");
        }
        if (e != null && e == epoch && id != null && v != null) {
          if (funding.put(id.intValue(), v) != null) {
            errors.add(f.where(r, "instrument_id") + ": funding of " + id + " given twice");
          }
        }
      }
    }
    Map<Integer, Long> vols = new TreeMap<>();
    if (files.containsKey("vols.csv")) {
      Csv v = new Csv(files.get("vols.csv"), List.of("epoch", "instrument_id", "vol"), errors);
      for (int r = 0; r < v.rows.size(); r++) {
        Long e = num(v, r, "epoch", 0, Long.MAX_VALUE, errors);
        Long id = num(v, r, "instrument_id", 0, maxInstrument, errors);
        Long vol = num(v, r, "vol", 1, 5_000_000_000_000_000_000L, errors);
        Instrument listed =
            id == null
                ? null
                : instruments.stream().filter(i -> i.id() == id).findFirst().orElse(null);
        if (id != null && !(listed instanceof EuropeanOption)) {
          errors.add(
              v.where(r, "instrument_id")
                  + ": instrument "
                  + id
                  + (ids.contains(id) ? " is not an option" : " is not in instruments.csv"));
        }
        if (e != null && e == epoch && id != null && vol != null) {
          if (vols.put(id.intValue(), vol) != null) {
            errors.add(v.where(r, "instrument_id") + ": vol of " + id + " given twice");
          }
        }
      }
    }
    Map<Expiry, Long> settlements =
        new TreeMap<>(
            java.util.Comparator.comparing(Expiry::underlying)
                .thenComparingLong(Expiry::expirySeconds));
    if (files.containsKey("settlements.csv")) {
      Csv st =
          new Csv(files.get("settlements.csv"), List.of("underlying", "expiry", "price"), errors);
      for (int r = 0; r < st.rows.size(); r++) {
        String u = text(st, r, "underlying", errors);
        Long exp = num(st, r, "expiry", 1, Long.MAX_VALUE, errors);
        Long price = num(st, r, "price", 1, Long.MAX_VALUE, errors);
        if (u == null || exp == null || price == null) {
          continue;
        }
        Expiry key = new Expiry(u, exp);
        if (time >= 0 && exp > time) {
          errors.add(
              st.where(r, "expiry")
                  + ": "
                  + exp
                  + " is after the epoch's time "
                  + time
                  + " (a settlement price is known once the expiry passed)");
        } else if (instruments.stream()
            .noneMatch(
                i ->
                    i instanceof EuropeanOption o
                        && o.underlying().equals(u)
                        && o.expirySeconds() == exp)) {
          errors.add(st.where(r, "expiry") + ": no option of " + u + " expires at " + exp);
        } else if (settlements.put(key, price) != null) {
          errors.add(st.where(r, "expiry") + ": " + u + " at " + exp + " settled twice");
        }
      }
    }
    // an option expired at the epoch's time is worth its value at the settlement price, which the
    // venue must give: valuing it at today's spot would be wrong
    for (int r = 0; r < ins.rows.size(); r++) {
      for (Instrument i : instruments) {
        if (i instanceof EuropeanOption o
            && String.valueOf(o.id()).equals(ins.rows.get(r)[0].trim())
            && time >= 0
            && o.expirySeconds() <= time
            && !settlements.containsKey(new Expiry(o.underlying(), o.expirySeconds()))) {
          errors.add(
              ins.where(r, "expiry")
                  + ": option "
                  + o.id()
                  + " expired at "
                  + o.expirySeconds()
                  + ", before the epoch's time "
                  + time
                  + ": settlements.csv needs the line "
                  + o.underlying()
                  + ","
                  + o.expirySeconds()
                  + ",PRICE");
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ImportException(errors);
    }
    return new Market(
        sizes,
        new OracleEpoch(epoch, time, quotes, funding),
        instruments,
        assets,
        quantum,
        factors,
        presets,
        vols,
        settlements);
  }

  /**
   * The header of {@code accounts.csv}; files of the earlier format without the last column ({@link
   * #ACCOUNTS_HEADER_V1}) still import, their accounts without an L1 address.
   */
  public static final String ACCOUNTS_HEADER =
      "id,owner_pk_x,owner_pk_y,nonce,tier,balances,positions,l1_address";

  /** The header of {@code accounts.csv} before the {@code l1_address} column. */
  public static final String ACCOUNTS_HEADER_V1 =
      "id,owner_pk_x,owner_pk_y,nonce,tier,balances,positions";

  /**
   * Parses {@code accounts.csv}: {@code
   * id,owner_pk_x,owner_pk_y,nonce,tier,balances,positions,l1_address}, balances {@code b0;b1;...}
   * (exactly A, venue atoms), positions {@code instrument:quantity:fundingSnapshot;...} (at most P;
   * empty for none), l1_address {@code 0x} and 40 hex digits (the account's L1 address, bound in
   * its leaf: the escape hatch pays it on exit), empty for none.
   */
  static TreeMap<Long, AccountLeaf> parseAccounts(
      Path file, CircuitSizes sizes, RiskVector vector, List<String> errors) throws IOException {
    TreeMap<Long, AccountLeaf> out = new TreeMap<>();
    int a = sizes.collateralAssets();
    int p = sizes.positionSlots();
    long maxId = sizes.stateDepth() >= 63 ? Long.MAX_VALUE : (1L << sizes.stateDepth()) - 1;
    String expected = ACCOUNTS_HEADER;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      boolean v1 = header != null && header.trim().equals(ACCOUNTS_HEADER_V1);
      if (header == null || !(v1 || header.trim().equals(expected))) {
        errors.add(file + ":1: header must be " + expected + ", was " + header);
        return out;
      }
      if (v1) {
        expected = ACCOUNTS_HEADER_V1;
      }
      int columns = expected.split(",").length;
      String line;
      int n = 1;
      while ((line = r.readLine()) != null && errors.size() < 1000) {
        n++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] v = line.split(",", -1);
        String at = file + ":" + n + ": field ";
        if (v.length != columns) {
          errors.add(
              file
                  + ":"
                  + n
                  + ": "
                  + v.length
                  + " fields, expected "
                  + columns
                  + " ("
                  + expected
                  + ")");
          continue;
        }
        int before = errors.size();
        long id = parse(v[0], 0, maxId, at + "id", errors);
        BigInteger x = field(v[1], at + "owner_pk_x", errors);
        BigInteger y = field(v[2], at + "owner_pk_y", errors);
        long nonce = parse(v[3], 0, Long.MAX_VALUE, at + "nonce", errors);
        long tier = parse(v[4], 0, sizes.tiers() - 1, at + "tier", errors);
        String[] bs = v[5].isEmpty() ? new String[0] : v[5].split(";", -1);
        long[] balances = new long[a];
        if (bs.length != a) {
          errors.add(at + "balances: " + bs.length + " balances, the circuit has " + a + " assets");
        } else {
          for (int i = 0; i < a; i++) {
            balances[i] =
                parse(bs[i], Long.MIN_VALUE, Long.MAX_VALUE, at + "balances[" + i + "]", errors);
          }
        }
        String[] ps = v[6].isEmpty() ? new String[0] : v[6].split(";", -1);
        long[] ids = new long[p];
        long[] qty = new long[p];
        long[] snaps = new long[p];
        if (ps.length > p) {
          errors.add(
              at + "positions: " + ps.length + " positions, the circuit has " + p + " slots");
        } else {
          for (int j = 0; j < ps.length; j++) {
            String[] t = ps[j].split(":", -1);
            String f = at + "positions[" + j + "]";
            if (t.length != 3) {
              errors.add(f + ": '" + ps[j] + "' is not instrument:quantity:fundingSnapshot");
              continue;
            }
            ids[j] = parse(t[0], 0, Integer.MAX_VALUE, f + ".instrument", errors);
            qty[j] = parse(t[1], Long.MIN_VALUE, Long.MAX_VALUE, f + ".quantity", errors);
            snaps[j] = parse(t[2], Long.MIN_VALUE, Long.MAX_VALUE, f + ".fundingSnapshot", errors);
            if (qty[j] != 0 && !vector.has(ids[j])) {
              errors.add(f + ".instrument: instrument " + ids[j] + " is not listed");
            }
          }
        }
        BigInteger l1 = v1 ? BigInteger.ZERO : l1Address(v[7], at + "l1_address", errors);
        if (errors.size() > before) {
          continue;
        }
        try {
          AccountLeaf leaf =
              new AccountLeaf(x, y, nonce, tier, balances, ids, qty, snaps)
                  .withL1AddressAndOrdersRoot(l1, BigInteger.ZERO);
          if (out.put(id, leaf) != null) {
            errors.add(at + "id: account " + id + " given twice");
          }
        } catch (IllegalArgumentException e) {
          errors.add(file + ":" + n + ": " + e.getMessage());
        }
      }
    }
    return out;
  }

  private static long parse(String s, long min, long max, String where, List<String> errors) {
    try {
      long x = Long.parseLong(s.trim());
      if (x < min || x > max) {
        errors.add(where + ": " + x + " outside [" + min + ", " + max + "]");
      }
      return x;
    } catch (NumberFormatException e) {
      errors.add(where + ": '" + s + "' is not an integer");
      return 0;
    }
  }

  /** An L1 address: {@code 0x} and 40 hex digits, or empty for none (0). */
  private static BigInteger l1Address(String s, String where, List<String> errors) {
    String t = s.trim();
    if (t.isEmpty()) {
      return BigInteger.ZERO;
    }
    if (!t.matches("0[xX][0-9a-fA-F]{40}")) {
      errors.add(where + ": '" + s + "' is not 0x and 40 hex digits (or empty for none)");
      return BigInteger.ZERO;
    }
    return new BigInteger(t.substring(2), 16);
  }

  private static BigInteger field(String s, String where, List<String> errors) {
    try {
      BigInteger x = new BigInteger(s.trim());
      if (x.signum() < 0 || x.compareTo(io.zkmargin.commit.Fr.MODULUS) >= 0) {
        errors.add(where + ": not a field element in [0, r)");
        return BigInteger.ZERO;
      }
      return x;
    } catch (NumberFormatException e) {
      errors.add(where + ": '" + s + "' is not a decimal integer");
      return BigInteger.ZERO;
    }
  }

  // ---- export (the same format) ----

  /** Writes a market and a venue's accounts as import files into {@code dir}. */
  public static void export(Path dir, Market m, Venue venue) throws IOException {
    Files.createDirectories(dir);
    var cfg = JSON.createObjectNode();
    cfg.put("circuit", m.sizes().healthCircuitId());
    cfg.put("epoch", m.epoch().epoch());
    cfg.put("roundingQuantum", m.roundingQuantum());
    cfg.set("underlyings", JSON.valueToTree(m.presets()));
    Files.writeString(
        dir.resolve("config.json"),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(cfg) + "\n");
    StringBuilder b = new StringBuilder("id,kind,underlying,lot_size,option_type,strike,expiry\n");
    for (Instrument i : m.instruments()) {
      if (i instanceof PerpetualFuture p) {
        b.append(p.id())
            .append(",perp,")
            .append(p.underlying())
            .append(',')
            .append(p.lotSize())
            .append(",,,\n");
      } else if (i instanceof EuropeanOption o) {
        b.append(o.id())
            .append(",option,")
            .append(o.underlying())
            .append(',')
            .append(o.lotSize())
            .append(',')
            .append(o.type().name().toLowerCase(Locale.ROOT))
            .append(',')
            .append(o.strike())
            .append(',')
            .append(o.expirySeconds())
            .append('\n');
      }
    }
    Files.writeString(dir.resolve("instruments.csv"), b);
    b = new StringBuilder("index,symbol,decimals,underlying,haircut_ppm\n");
    for (CollateralAsset a : m.assets()) {
      b.append(a.index())
          .append(',')
          .append(a.symbol())
          .append(',')
          .append(a.decimals())
          .append(',')
          .append(a.underlying() == null ? "" : a.underlying())
          .append(',')
          .append(a.haircutPpm())
          .append('\n');
    }
    Files.writeString(dir.resolve("collateral.csv"), b);
    b = new StringBuilder("tier,factor_ppm\n");
    for (int t = 0; t < m.tierFactorPpm().length; t++) {
      b.append(t).append(',').append(m.tierFactorPpm()[t]).append('\n');
    }
    Files.writeString(dir.resolve("tiers.csv"), b);
    b = new StringBuilder("epoch,time_seconds,underlying,spot,atm_vol,skew\n");
    for (Map.Entry<String, UnderlyingQuote> q : m.epoch().quotes().entrySet()) {
      b.append(m.epoch().epoch())
          .append(',')
          .append(m.epoch().timeSeconds())
          .append(',')
          .append(q.getKey())
          .append(',')
          .append(q.getValue().spot())
          .append(',')
          .append(q.getValue().atmVol())
          .append(',')
          .append(q.getValue().skew())
          .append('\n');
    }
    Files.writeString(dir.resolve("quotes.csv"), b);
    b = new StringBuilder("epoch,instrument_id,funding_index\n");
    for (Map.Entry<Integer, Long> f : m.epoch().fundingIndex().entrySet()) {
      b.append(m.epoch().epoch())
          .append(',')
          .append(f.getKey())
          .append(',')
          .append(f.getValue())
          .append('\n');
    }
    Files.writeString(dir.resolve("funding.csv"), b);
    if (!m.instrumentVols().isEmpty()) {
      b = new StringBuilder("epoch,instrument_id,vol\n");
      for (Map.Entry<Integer, Long> v : new TreeMap<>(m.instrumentVols()).entrySet()) {
        b.append(m.epoch().epoch()).append(',').append(v.getKey()).append(',');
        b.append(v.getValue()).append('\n');
      }
      Files.writeString(dir.resolve("vols.csv"), b);
    }
    if (!m.settlements().isEmpty()) {
      b = new StringBuilder("underlying,expiry,price\n");
      for (Map.Entry<Expiry, Long> e : m.settlements().entrySet()) {
        b.append(e.getKey().underlying()).append(',').append(e.getKey().expirySeconds());
        b.append(',').append(e.getValue()).append('\n');
      }
      Files.writeString(dir.resolve("settlements.csv"), b);
    }
    try (Writer w = Files.newBufferedWriter(dir.resolve(ACCOUNTS_FILE), StandardCharsets.UTF_8)) {
      w.write(ACCOUNTS_HEADER + "\n");
      StringBuilder line = new StringBuilder();
      for (Map.Entry<Long, AccountLeaf> e : venue.accounts().entrySet()) {
        accountLine(line, e.getKey(), e.getValue());
        w.append(line);
      }
    }
  }

  /** One line of {@code accounts.csv} (ending in a newline) into {@code b} (cleared first). */
  public static void accountLine(StringBuilder b, long id, AccountLeaf a) {
    b.setLength(0);
    b.append(id)
        .append(',')
        .append(a.ownerPkX())
        .append(',')
        .append(a.ownerPkY())
        .append(',')
        .append(a.nonce())
        .append(',')
        .append(a.tier())
        .append(',');
    for (int i = 0; i < a.balances().length; i++) {
      b.append(i == 0 ? "" : ";").append(a.balances()[i]);
    }
    b.append(',');
    // slots up to the last used one, empty ones in between as 0:0:0: the leaf (and its hash) keeps
    // every slot where it was
    int last = -1;
    for (int j = 0; j < a.quantities().length; j++) {
      if (a.quantities()[j] != 0 || a.instrumentIds()[j] != 0 || a.fundingSnapshots()[j] != 0) {
        last = j;
      }
    }
    boolean first = true;
    for (int j = 0; j <= last; j++) {
      b.append(first ? "" : ";")
          .append(a.instrumentIds()[j])
          .append(':')
          .append(a.quantities()[j])
          .append(':')
          .append(a.fundingSnapshots()[j]);
      first = false;
    }
    b.append(',');
    if (a.l1Address().signum() != 0) {
      b.append(String.format("0x%040x", a.l1Address()));
    }
    b.append('\n');
  }
}
