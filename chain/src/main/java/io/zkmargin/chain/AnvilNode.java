package io.zkmargin.chain;

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
import java.util.concurrent.TimeUnit;

/**
 * A local anvil node on a free loopback port. Either owned (stopped by {@link #close()}, for tests) or
 * detached (its own session, survives this JVM; stopped later by {@link #stop(long)} with its process id).
 *
 * <p>anvil's development accounts come from its default mnemonic; {@link #DEV_KEY_0} and {@link #DEV_KEY_1}
 * are the private keys of the first two (public knowledge: for local development chains only).
 */
public final class AnvilNode implements AutoCloseable {

  /** Private key of anvil's first default account (funded with 10000 ETH). */
  public static final String DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
  /** Private key of anvil's second default account. */
  public static final String DEV_KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
  /** The chain id anvil is started with. */
  public static final long CHAIN_ID = 31337;

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

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
   * @param detached true to start it in its own session so that it outlives this JVM (for {@code chain up});
   *     false to tie it to this object ({@link #close()} stops it)
   * @param startTimeout how long to wait for the node to answer
   * @throws IllegalStateException if it does not start (the message quotes the end of its log)
   */
  public static AnvilNode start(ChainToolchain toolchain, Path logFile, boolean detached, Duration startTimeout) {
    Objects.requireNonNull(logFile, "logFile");
    toolchain.ensureInstalled();
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken between probe and bind
      int port = freePort();
      List<String> cmd = new ArrayList<>();
      if (detached) {
        cmd.add("setsid"); // own session: no signal from this terminal or JVM reaches it
      }
      cmd.addAll(List.of(toolchain.anvil().toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
          "--chain-id", Long.toString(CHAIN_ID)));
      try {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        Process p = ChainToolchain.toolProcess(cmd).redirectErrorStream(true)
            .redirectOutput(logFile.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
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
        last = new IllegalStateException("anvil did not start on port " + port + ": " + tail(logFile));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + cmd, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting anvil", e);
      }
    }
    throw last;
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
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .flatMap(h -> h.info().command()).map(c -> c.endsWith("anvil")).orElse(false);
  }

  /**
   * The node's chain id, or empty if nothing answers JSON-RPC at {@code rpcUrl} within 2 s.
   */
  public static Optional<Long> chainId(String rpcUrl) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create(rpcUrl)).timeout(Duration.ofSeconds(2))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
          .build();
      HttpResponse<String> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        return Optional.empty();
      }
      int i = resp.body().indexOf("\"result\":\"0x");
      if (i < 0) {
        return Optional.empty();
      }
      int start = i + "\"result\":\"0x".length();
      int end = resp.body().indexOf('"', start);
      return Optional.of(Long.parseLong(resp.body().substring(start, end), 16));
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
