package io.zkmargin.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The embedded server: starts (as nobody when root), migrates, stops, restarts on its data. */
class DatabaseTest {

  @Test
  void embeddedServerKeepsDataAcrossRestartsAndLeavesNoProcess() throws Exception {
    Path root = TestDb.freshRoot("restart");
    long pid;
    try (Database db = Database.embedded(root, 2)) {
      pid = db.embedded().orElseThrow().pid();
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept (v int)");
        s.execute("INSERT INTO kept VALUES (42)");
        ResultSet rs = s.executeQuery("SELECT current_user");
        rs.next();
        assertEquals(EmbeddedPostgres.USER, rs.getString(1));
      }
      if (EmbeddedPostgres.isRoot()) {
        assertEquals(65534, Files.getAttribute(root.resolve("data"), "unix:uid"));
      }
    }
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    try (Database db = Database.open(Optional.empty(), root, 1)) {
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement()) {
        ResultSet rs = s.executeQuery("SELECT v FROM kept");
        assertTrue(rs.next());
        assertEquals(42, rs.getInt(1));
        // the migrations ran once
        rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success");
        rs.next();
        assertTrue(rs.getInt(1) >= 1);
      }
      // another process's view: the same server through its postgresql:// URL
      try (Database other = Database.connect(db.url(), 1);
          Connection c = other.dataSource().getConnection();
          Statement s = c.createStatement()) {
        ResultSet rs = s.executeQuery("SELECT v FROM kept");
        assertTrue(rs.next());
      }
    }
  }

  /**
   * A data folder user nobody cannot reach (a clone under /root, mode 0700): as root the cluster is
   * kept in /var/lib/zkm/postgres-HASH, named by the folder's pointer file; a second process on the
   * same folder shares the running server instead of stopping it; a deleted folder's cluster is
   * replaced by a fresh one.
   */
  @Test
  void unreachableFolderGetsItsClusterElsewhereAndIsShared() throws Exception {
    Path base = TestDb.freshRoot("private").getParent();
    Path closed = Files.createDirectory(base.resolve("home"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    Path root = closed.resolve("clone").resolve("demo").resolve("postgres");
    Path pointer = root.resolve(EmbeddedPostgres.POINTER_FILE);
    try (Database db = Database.embedded(root, 2)) {
      EmbeddedPostgres pg = db.embedded().orElseThrow();
      if (EmbeddedPostgres.isRoot()) {
        Path data = Path.of(Files.readString(pointer).trim());
        assertTrue(data.startsWith(EmbeddedPostgres.CLUSTERS), data.toString());
        assertEquals(65534, Files.getAttribute(data, "unix:uid"));
        assertFalse(Files.exists(root.resolve("data")));
      } else {
        assertFalse(Files.exists(pointer)); // a normal user's server runs as that user: in place
      }
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept (v int)");
      }
      // a second opener of the same folder (./zkm margin while serve runs): the same server
      try (Database second = Database.embedded(root, 1)) {
        assertTrue(second.embedded().orElseThrow().isShared());
        assertEquals(pg.pid(), second.embedded().orElseThrow().pid());
      }
      assertTrue(pg.isRunning()); // the sharer did not stop it
    }
    if (EmbeddedPostgres.isRoot()) {
      Path home = Path.of(Files.readString(pointer).trim()).getParent();
      TestDb.deleteTree(root); // the data folder is deleted: its next server starts afresh
      try (Database db = Database.embedded(root, 1);
          Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement()) {
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'kept'");
        rs.next();
        assertEquals(0, rs.getInt(1));
      }
      TestDb.deleteTree(home);
    }
  }

  @Test
  void urlsAreParsedWithTheirCredentials() {
    Database.Jdbc j =
        Database.parse("postgresql://u%40x:p%3Aw@db.example:6543/venue?sslmode=require");
    assertEquals("jdbc:postgresql://db.example:6543/venue?sslmode=require", j.url());
    assertEquals("u@x", j.user());
    assertEquals("p:w", j.password());
    assertEquals("postgresql://u:***@h:1/d", Database.redact("postgresql://u:secret@h:1/d"));
  }
}
