package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofStore;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./zkm serve} killed with SIGKILL, as a real process on the embedded PostgreSQL (issue 11):
 *
 * <ol>
 *   <li>between accepting a request and answering it (no in-process prover, so the request waits as
 *       a committed job): after a restart the job is proven, once;
 *   <li>during a health prove (the in-process worker holds the lease): after a restart the lease
 *       expires and the job is proven, once;
 *   <li>a clean SIGTERM leaves no postgres process; a tampered account row makes the next start
 *       refuse, naming the root mismatch.
 * </ol>
 *
 * <p>Each acknowledged request has exactly one job row, done, whose result verifies and whose
 * recorded SHA-256 is its content's; the state root is the same across restarts; no job is left
 * queued or leased. Test circuit size, one proof per scenario.
 */
class ServeCrashTest {

  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern ROOT =
      Pattern.compile("venue from the database \\(state root (\\d+)");

  @Test
  void killedServiceLosesNoAcknowledgedRequestAndProvesEachOnce() throws Exception {
    Path base = Files.createTempDirectory("zkm-serve-crash-");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dir = base.resolve("venue");
    List<Process> all = new ArrayList<>();
    try {
      // 1. accepted, not answered: no in-process worker, the job waits in the database
      Serve s1 = Serve.start(dir, "s1", all, "--pool-workers", "0");
      Thread c1 = client(dir, s1.port, 1, base.resolve("c1.log"));
      long job1 = awaitJob(dir, 1, "queued");
      String key1 = requestKey(dir, job1);
      s1.kill9();
      c1.join(60_000);
      assertFalse(c1.isAlive());

      // restart: the in-process worker proves it; then 2. killed during the prove
      Serve s2 = Serve.start(dir, "s2", all);
      assertEquals(s1.stateRoot, s2.stateRoot, "the rebuilt tree has the recorded root");
      awaitJob(dir, job1, "done");
      Thread c2 = client(dir, s2.port, 2, base.resolve("c2.log"));
      long job2 = awaitNewJob(dir, job1, "leased");
      String key2 = requestKey(dir, job2);
      s2.kill9();
      c2.join(60_000);

      Serve s3 = Serve.start(dir, "s3", all);
      assertEquals(s1.stateRoot, s3.stateRoot);
      awaitJob(dir, job2, "done"); // after its lease (10 s) expired
      try (Database db = Database.embedded(DbOption.embeddedRoot(dir), 1);
          Connection c = db.dataSource().getConnection();
          ProofVerifier verifier = new ProofVerifier(KeyStore.openDefault())) {
        for (String key : List.of(key1, key2)) {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT state, result, result_sha256, attempts FROM proving_jobs"
                      + " WHERE request_key = ?")) {
            ps.setString(1, key);
            ResultSet rs = ps.executeQuery();
            assertTrue(rs.next(), key);
            assertEquals("done", rs.getString(1), key);
            byte[] result = rs.getBytes(2);
            assertEquals(ProofStore.sha256Hex(result), rs.getString(3));
            ProofFile proof = ProofFile.parse(new String(result, StandardCharsets.UTF_8));
            assertTrue(verifier.verify(proof).valid(), key);
            assertTrue(proof.publicInputs().contains(s1.stateRoot), "proven at the state root");
            assertFalse(rs.next(), "one job per request");
          }
        }
        try (Statement st = c.createStatement()) {
          ResultSet rs =
              st.executeQuery(
                  "SELECT count(*) FROM proving_jobs WHERE state IN ('queued', 'leased')");
          rs.next();
          assertEquals(0, rs.getInt(1), "no job stuck");
          rs = st.executeQuery("SELECT count(*) FROM proving_jobs");
          rs.next();
          assertEquals(2, rs.getInt(1), "each request proven once");
        }
      }
      long postmaster = postmasterPid(dir);
      s3.terminate(); // SIGTERM: a graceful stop
      assertTrue(awaitGone(postmaster, 60), "the embedded server stops with the service");

      // 3. a tampered state refuses to start, with the reason
      try (Database db = Database.embedded(DbOption.embeddedRoot(dir), 1);
          Connection c = db.dataSource().getConnection();
          Statement st = c.createStatement()) {
        st.executeUpdate("UPDATE accounts SET nonce = nonce + 1 WHERE id = 1");
      }
      Serve refused = Serve.launch(dir, "s4", all);
      assertTrue(refused.process.waitFor(180, TimeUnit.SECONDS));
      assertNotEquals(0, refused.process.exitValue());
      String log = Files.readString(refused.log);
      assertTrue(log.contains("refusing to start"), log);
      assertTrue(log.contains("last recorded roots"), log);
    } finally {
      for (Process p : all) {
        p.destroyForcibly();
      }
    }
    assertTrue(postgresProcessesOf(dir).isEmpty(), "no postgres process is left");
    try (var walk = Files.walk(base)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }

  /** A serve process and what its log said. */
  private static final class Serve {
    final Process process;
    final Path log;
    int port;
    BigInteger stateRoot;

    private Serve(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static Serve launch(Path dir, String name, List<Process> all, String... extra) {
      List<String> cmd = new ArrayList<>();
      cmd.addAll(List.of("setpriv", "--pdeathsig", "KILL")); // dies with the test JVM
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(List.of("-Xmx768m", "-cp", System.getProperty("java.class.path")));
      cmd.add("-D" + KeyStore.ALLOW_DEV_KEYS_PROPERTY + "=true");
      if (System.getProperty("zkm.root") != null) {
        cmd.add("-Dzkm.root=" + System.getProperty("zkm.root"));
      }
      cmd.addAll(
          List.of(
              Main.class.getName(),
              "serve",
              "--data",
              dir.toString(),
              "--port",
              "0",
              "--plaintext",
              "--no-chain",
              "--metrics-port",
              "-1",
              "--dashboard-port",
              "-1",
              "--demo-accounts",
              "4"));
      cmd.addAll(List.of(extra));
      Path log = dir.getParent().resolve(name + ".log");
      try {
        Process p =
            new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        all.add(p);
        return new Serve(p, log);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static Serve start(Path dir, String name, List<Process> all, String... extra) throws Exception {
      Serve s = launch(dir, name, all, extra);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (System.nanoTime() < deadline) {
        String text = Files.exists(s.log) ? Files.readString(s.log) : "";
        Matcher m = LISTENING.matcher(text);
        Matcher r = ROOT.matcher(text);
        if (m.find() && r.find()) {
          s.port = Integer.parseInt(m.group(1));
          s.stateRoot = new BigInteger(r.group(1));
          return s;
        }
        if (!s.process.isAlive()) {
          throw new AssertionError("serve " + name + " ended: " + text);
        }
        Thread.sleep(200);
      }
      throw new AssertionError("serve " + name + " did not start: " + Files.readString(s.log));
    }

    void kill9() throws InterruptedException {
      process.destroyForcibly();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }

    void terminate() throws InterruptedException {
      process.destroy();
      assertTrue(process.waitFor(120, TimeUnit.SECONDS));
      // the JVM's exit status after SIGTERM is 143 once its shutdown hooks ran
      assertTrue(process.exitValue() == 0 || process.exitValue() == 143, "" + process.exitValue());
    }
  }

  /** {@code ./zkm client prove-health} in a thread of this JVM (it fails when serve is killed). */
  private static Thread client(Path dir, int port, long account, Path log) {
    Thread t =
        new Thread(
            () -> {
              int rc =
                  ClientCommand.run(
                      new String[] {
                        "prove-health",
                        "--target",
                        "127.0.0.1:" + port,
                        "--plaintext",
                        "--data",
                        dir.toString(),
                        "--account",
                        Long.toString(account),
                        "--threshold-bps",
                        "1",
                        "--out",
                        log.resolveSibling(log.getFileName() + ".proof.json").toString()
                      });
              try {
                Files.writeString(log, "exit " + rc + "\n");
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "client-" + account);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits for the job (by id) to reach a state; the database is shared with the running serve. */
  private static long awaitJob(Path dir, long id, String state) throws Exception {
    return poll(
        dir, "SELECT id FROM proving_jobs WHERE id = " + id + " AND state = '" + state + "'");
  }

  private static long awaitNewJob(Path dir, long after, String state) throws Exception {
    return poll(
        dir,
        "SELECT id FROM proving_jobs WHERE id > "
            + after
            + " AND state IN ('"
            + state
            + "', 'done') ORDER BY id LIMIT 1");
  }

  private static long poll(Path dir, String sql) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    try (Database db = Database.embedded(DbOption.embeddedRoot(dir), 1)) {
      while (System.nanoTime() < deadline) {
        try (Connection c = db.dataSource().getConnection();
            Statement st = c.createStatement()) {
          ResultSet rs = st.executeQuery(sql);
          if (rs.next()) {
            return rs.getLong(1);
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("timed out: " + sql);
  }

  private static String requestKey(Path dir, long id) throws SQLException {
    try (Database db = Database.embedded(DbOption.embeddedRoot(dir), 1);
        Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT request_key FROM proving_jobs WHERE id = " + id);
      assertTrue(rs.next());
      String key = rs.getString(1);
      assertTrue(key != null && key.startsWith("health/"), key);
      return key;
    }
  }

  private static long postmasterPid(Path dir) throws IOException {
    Path root = DbOption.embeddedRoot(dir);
    Path pointer = root.resolve("cluster");
    Path data =
        Files.isRegularFile(pointer)
            ? Path.of(Files.readString(pointer).trim())
            : root.resolve("data");
    return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
  }

  private static boolean awaitGone(long pid, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  /** Live postgres processes whose command line names this data folder's cluster. */
  private static List<Long> postgresProcessesOf(Path dir) throws IOException {
    Path root = DbOption.embeddedRoot(dir);
    Path pointer = root.resolve("cluster");
    String data =
        Files.isRegularFile(pointer)
            ? Files.readString(pointer).trim()
            : root.resolve("data").toString();
    return ProcessHandle.allProcesses()
        .filter(
            h ->
                h.info()
                    .commandLine()
                    .map(c -> c.contains("postgres") && c.contains(data))
                    .orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }
}
