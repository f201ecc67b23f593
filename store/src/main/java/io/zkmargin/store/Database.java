package io.zkmargin.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The venue's database: a HikariCP pool on PostgreSQL, migrated by Flyway ({@code
 * db/migration/V*__*.sql} on the class path) when opened, either on an existing server ({@code --db
 * postgresql://USER:PASSWORD@HOST:PORT/DB}) or on an {@link EmbeddedPostgres} server of this
 * process. Several processes may open the same database at once (Flyway takes an advisory lock).
 */
public final class Database implements AutoCloseable {

  private final HikariDataSource pool;
  private final Optional<EmbeddedPostgres> embedded;
  private final String url;

  private Database(HikariDataSource pool, Optional<EmbeddedPostgres> embedded, String url) {
    this.pool = pool;
    this.embedded = embedded;
    this.url = url;
  }

  /**
   * Opens the database named by {@code url} when given, else an embedded server in {@code
   * embeddedRoot} (started, and initialized the first time).
   *
   * @param url a {@code postgresql://} or {@code jdbc:postgresql://} URL, or empty for the embedded
   *     server
   * @param embeddedRoot the embedded server's folder (used only without {@code url})
   * @param poolSize connections in the pool, {@code >= 1}
   */
  public static Database open(Optional<String> url, Path embeddedRoot, int poolSize) {
    if (url.isPresent()) {
      return connect(url.get(), poolSize);
    }
    return embedded(embeddedRoot, poolSize);
  }

  /** Opens an existing server's database; see {@link #open}. */
  public static Database connect(String url, int poolSize) {
    Jdbc jdbc = parse(url);
    return new Database(pool(jdbc, poolSize), Optional.empty(), url);
  }

  /** Starts the embedded server in {@code root} and opens its database. */
  public static Database embedded(Path root, int poolSize) {
    EmbeddedPostgres pg = EmbeddedPostgres.start(root, Duration.ofSeconds(120));
    try {
      Jdbc jdbc = new Jdbc(pg.jdbcUrl(), pg.user(), pg.password());
      return new Database(pool(jdbc, poolSize), Optional.of(pg), pg.url());
    } catch (RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  /** The connection pool. */
  public DataSource dataSource() {
    return pool;
  }

  /**
   * The database as a {@code postgresql://} URL with credentials, for {@code --db} of another
   * process (a worker) on a machine that reaches it.
   */
  public String url() {
    return url;
  }

  /** The embedded server, when this process runs it. */
  public Optional<EmbeddedPostgres> embedded() {
    return embedded;
  }

  /** Closes the pool, then stops the embedded server if any. */
  @Override
  public void close() {
    pool.close();
    embedded.ifPresent(EmbeddedPostgres::close);
  }

  private static HikariDataSource pool(Jdbc jdbc, int poolSize) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be >= 1, was " + poolSize);
    }
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbc.url());
    cfg.setUsername(jdbc.user());
    cfg.setPassword(jdbc.password());
    cfg.setMaximumPoolSize(poolSize);
    cfg.setMinimumIdle(Math.min(2, poolSize));
    cfg.setPoolName("zkm-db");
    cfg.setConnectionTimeout(30_000);
    // fail at once (with the server's reason) when the database is unreachable
    cfg.setInitializationFailTimeout(10_000);
    // migrate on connections of Flyway's own (it holds one for its lock while migrating on another,
    // which a pool of one would deadlock on)
    Flyway.configure()
        .dataSource(jdbc.url(), jdbc.user(), jdbc.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    return new HikariDataSource(cfg);
  }

  record Jdbc(String url, String user, String password) {}

  /**
   * Splits {@code postgresql://USER:PASSWORD@HOST[:PORT]/DB[?PARAMS]} (or the same after {@code
   * jdbc:}) into a JDBC URL and credentials; the JDBC driver does not read credentials from the
   * authority part.
   */
  static Jdbc parse(String url) {
    Objects.requireNonNull(url, "url");
    String u = url.startsWith("jdbc:") ? url.substring(5) : url;
    if (!u.startsWith("postgresql://") && !u.startsWith("postgres://")) {
      throw new IllegalArgumentException(
          "a database URL is postgresql://USER:PASSWORD@HOST:PORT/DB, was " + redact(url));
    }
    URI uri = URI.create(u);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in database URL " + redact(url));
    }
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String jdbc =
        "jdbc:postgresql://"
            + uri.getHost()
            + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
            + path
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return new Jdbc(jdbc, user, password);
  }

  /** A URL without its password, for messages. */
  public static String redact(String url) {
    return url.replaceAll("(://[^:/@]*):[^@/]*@", "$1:***@");
  }
}
