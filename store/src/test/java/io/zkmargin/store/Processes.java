package io.zkmargin.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real JVMs for the crash tests: tied to the test JVM (setpriv --pdeathsig KILL). */
final class Processes {
  private Processes() {}

  /** Starts {@code java -cp <this test's class path> MAIN ARGS}, output to {@code log}. */
  static Process java(Path log, String main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of("setpriv", "--pdeathsig", "KILL"));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of("-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
    // the test JVM's development-key policy (surefire allows them) holds for its child processes
    // too
    String allowDevKeys = System.getProperty(io.zkmargin.prover.KeyStore.ALLOW_DEV_KEYS_PROPERTY);
    if (allowDevKeys != null) {
      cmd.add("-D" + io.zkmargin.prover.KeyStore.ALLOW_DEV_KEYS_PROPERTY + "=" + allowDevKeys);
    }
    if (System.getProperty("zkm.root") != null) {
      cmd.add("-Dzkm.root=" + System.getProperty("zkm.root"));
    }
    cmd.add(main);
    cmd.addAll(List.of(args));
    try {
      return new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a worker process of the pool. */
  static Process worker(Path dir, String db, String name, String kinds, long leaseMs) {
    return java(
        dir.resolve(name + ".log"),
        WorkerMain.class.getName(),
        "--db",
        db,
        "--name",
        name,
        "--kinds",
        kinds,
        "--lease-ms",
        Long.toString(leaseMs),
        "--threads",
        "1");
  }

  /** SIGKILL and wait. */
  static void kill9(Process p) throws InterruptedException {
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** True when no process with this pid is alive (zombies reaped by their parent count as gone). */
  static boolean gone(long pid) {
    return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
  }

  /** Waits up to {@code seconds} for a pid to be gone. */
  static boolean awaitGone(long pid, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!gone(pid) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return gone(pid);
  }
}
