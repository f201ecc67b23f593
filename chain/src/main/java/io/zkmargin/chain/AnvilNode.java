package io.zkmargin.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local anvil node on a free loopback port. Either tied to this JVM (stopped by {@link #close()},
 * and killed by the kernel when this JVM dies, even by SIGKILL) or detached (its own session,
 * survives this JVM; stopped later by {@link #stop(long)} with its process id).
 *
 * <p>A tied node is started as {@code setpriv --pdeathsig KILL anvil ...} (util-linux): {@code
 * setpriv} sets {@code PR_SET_PDEATHSIG} and executes anvil in the same process, so the kernel
 * sends anvil SIGKILL when its parent dies. The kernel ties that signal to the parent
 * <em>thread</em> that started the child, not the process, so tied nodes are started from one
 * long-lived daemon thread of this class, which ends only with the JVM.
 *
 * <p>anvil's development accounts come from its default mnemonic; {@link #DEV_KEY_0} and {@link
 * #DEV_KEY_1} are the private keys of the first two (public knowledge: for local development chains
 * only).
 */
public final class AnvilNode implements AutoCloseable {

  /** Private key of anvil's first default account (funded with 10000 ETH). */
  public static final String DEV_KEY_0 =
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

  /** Private key of anvil's second default account. */
  public static final String DEV_KEY_1 =
      "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

  /** The chain id anvil is started with. */
  public static final long CHAIN_ID = 31337;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The thread that starts tied nodes: it lives as long as the JVM (see the class comment). */
  private static final ExecutorService SPAWNER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "zkm-anvil-spawner");
            t.setDaemon(true);
            return t;
          });

  private final Process process;
  private final int port;
  private final boolean detached;

  private AnvilNode(Process process, int port, boolean detached) {
    this.process = process;
    this.port = port;
    this.detached = detached;
  }

  /**
   * Starts anvil on a free loopback port and waits until it answers JSON-RPC.
   *
   * @param toolchain the installed toolchain
   * @param logFile where anvil's output goes (created or truncated)
   * @param detached true to start it in its own session so that it outlives this JVM (for {@code
   *     chain up}); false to tie it to this object and this JVM ({@link #close()} stops it, and it
   *     dies with the JVM)
   * @param startTimeout how long to wait for the node to answer
   * @throws IllegalStateException if it does not start (the message quotes the end of its log)
   */
  public static AnvilNode start(
      ChainToolchain toolchain, Path logFile, boolean detached, Duration startTimeout) {
    Objects.requireNonNull(logFile, "logFile");
    toolchain.ensureInstalled();
    IllegalStateException last = null;
    for (int attempt = 0;
        attempt < 3;
        attempt++) { // a free port can be taken between probe and bind
      int port = freePort();
      List<String> cmd = new ArrayList<>();
      if (detached) {
        cmd.add("setsid"); // own session: no signal from this terminal or JVM reaches it
      } else {
        cmd.addAll(
            List.of(setpriv(), "--pdeathsig", "KILL")); // dies with this JVM, even on SIGKILL
      }
      cmd.addAll(
          List.of(
              toolchain.anvil().toString(),
              "--host",
              "127.0.0.1",
              "--port",
              Integer.toString(port),
              "--chain-id",
              Long.toString(CHAIN_ID)));
      try {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        ProcessBuilder pb =
            ChainToolchain.toolProcess(cmd)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = detached ? pb.start() : spawnTied(pb);
        AnvilNode node = new AnvilNode(p, port, detached);
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
          if (chainId(node.rpcUrl()).isPresent()) {
            return node;
          }
          Thread.sleep(50);
        }
        p.destroy();
        p.waitFor(5, TimeUnit.SECONDS);
        last =
            new IllegalStateException("anvil did not start on port " + port + ": " + tail(logFile));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + cmd, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting anvil", e);
      }
    }
    throw last;
  }

  /**
   * Starts {@code pb} from the long-lived spawner thread (the parent-death signal follows that
   * thread).
   */
  private static Process spawnTied(ProcessBuilder pb) throws IOException, InterruptedException {
    try {
      return SPAWNER.submit(pb::start).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException("cannot start anvil: " + e.getCause(), e.getCause());
    }
  }

  /** util-linux {@code setpriv}, which a tied node needs; a clear error when it is missing. */
  private static String setpriv() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path p = Path.of(dir, "setpriv");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException(
        "setpriv (util-linux) is needed to tie anvil to this process: "
            + "install util-linux (apt-get install util-linux)");
  }

  /** JSON-RPC address, {@code http://127.0.0.1:PORT}. */
  public String rpcUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Operating-system process id of the node. */
  public long pid() {
    return process.pid();
  }

  /** Stops the node if this object owns it (not detached); a detached node keeps running. */
  @Override
  public void close() {
    if (!detached) {
      stop(process.pid());
    }
  }

  /**
   * Stops a node by process id: SIGTERM, then SIGKILL after 5 s.
   *
   * @return true if a live process was stopped, false if none was running with that id
   */
  public static boolean stop(long pid) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    ProcessHandle ph = h.get();
    ph.destroy();
    try {
      ph.onExit().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      ph.destroyForcibly();
    }
    return true;
  }

  /** True if a process with this id is running and is an anvil. */
  public static boolean isAnvilProcess(long pid) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .flatMap(h -> h.info().command())
        .map(c -> c.endsWith("anvil"))
        .orElse(false);
  }

  /**
   * True if a process with this id is running, is an anvil and was started with {@code --port port}
   * (so that a recycled process id of another anvil is not taken for it).
   *
   * @param port the JSON-RPC port recorded for it, 1..65535
   */
  public static boolean isAnvilProcess(long pid, int port) {
    if (!isAnvilProcess(pid)) {
      return false;
    }
    String[] args = ProcessHandle.of(pid).flatMap(h -> h.info().arguments()).orElse(new String[0]);
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--port") && args[i + 1].equals(Integer.toString(port))) {
        return true;
      }
    }
    return false;
  }

  /** The node's chain id, or empty if nothing answers JSON-RPC at {@code rpcUrl} within 2 s. */
  public static Optional<Long> chainId(String rpcUrl) {
    try {
      ObjectNode call =
          JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", "eth_chainId");
      call.putArray("params");
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(rpcUrl))
              .timeout(Duration.ofSeconds(2))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(call)))
              .build();
      HttpResponse<String> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        return Optional.empty();
      }
      // {"jsonrpc":"2.0","id":1,"result":"0x7a69"}; anything else (an error object, not JSON) is no
      // answer
      JsonNode result = JSON.readTree(resp.body()).path("result");
      if (!result.isTextual() || !result.asText().startsWith("0x")) {
        return Optional.empty();
      }
      return Optional.of(Long.parseLong(result.asText().substring(2), 16));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
