package io.zkmargin.cli;

import io.zkmargin.store.Database;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code --db URL|embedded}: the venue's PostgreSQL database. {@code embedded} starts this
 * process's own server in {@code DIR/postgres} (initialized the first time; stopped when the
 * command ends); a {@code postgresql://USER:PASSWORD@HOST:PORT/DB} URL uses an existing server.
 */
final class DbOption {
  /** The word that selects the embedded server. */
  static final String EMBEDDED = "embedded";

  /** The word that selects no database (files only), where a command allows it. */
  static final String NONE = "none";

  private DbOption() {}

  /** The embedded server's folder inside a data directory. */
  static Path embeddedRoot(Path dataDir) {
    return dataDir.resolve("postgres");
  }

  /**
   * Opens the database {@code db} names ({@code null} or {@code embedded}: the embedded server of
   * {@code dataDir}).
   */
  static Database open(String db, Path dataDir, int poolSize) {
    if (NONE.equals(db)) {
      throw new IllegalArgumentException("--db none: this needs a database");
    }
    Optional<String> url = db == null || db.equals(EMBEDDED) ? Optional.empty() : Optional.of(db);
    return Database.open(url, embeddedRoot(dataDir), poolSize);
  }
}
