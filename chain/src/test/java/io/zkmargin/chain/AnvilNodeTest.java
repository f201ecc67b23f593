package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A node tied to its JVM (as {@code ./zkm serve} starts it) does not outlive that JVM, even when
 * the JVM is killed with SIGKILL (no shutdown hook runs); and it does not die early when the thread
 * that asked for it ends. Real processes and a real anvil.
 */
class AnvilNodeTest {

  /** Child JVM: starts a tied node, prints its pid and port, then waits to be killed. */
  public static void main(String[] args) throws Exception {
    AnvilNode node =
        AnvilNode.start(ChainToolchain.locate(), Path.of(args[0]), false, Duration.ofSeconds(30));
    System.out.println("anvil " + node.pid() + " " + node.port());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  @Test
  void tiedNodeDiesWhenItsJvmIsKilled() throws Exception {
    ChainToolchain.locate().ensureInstalled();
    Path log = Files.createTempDirectory("zkm-anvil-kill").resolve("anvil.log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    AnvilNodeTest.class.getName(),
                    log.toString()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    long anvilPid = -1;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertTrue(line != null && line.startsWith("anvil "), "child JVM started no node: " + line);
      String[] f = line.split(" ");
      anvilPid = Long.parseLong(f[1]);
      int port = Integer.parseInt(f[2]);
      assertTrue(AnvilNode.isAnvilProcess(anvilPid, port), "the child's anvil runs");
      assertTrue(AnvilNode.chainId("http://127.0.0.1:" + port).isPresent(), "and answers");

      new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).start().waitFor();
      assertTrue(child.waitFor(10, TimeUnit.SECONDS), "child JVM killed");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < deadline && AnvilNode.isAnvilProcess(anvilPid)) {
        Thread.sleep(50);
      }
      assertFalse(AnvilNode.isAnvilProcess(anvilPid), "anvil outlived its SIGKILLed JVM");
      assertTrue(
          AnvilNode.chainId("http://127.0.0.1:" + port).isEmpty(), "nothing listens on its port");
    } finally {
      child.destroyForcibly();
      if (anvilPid > 0) {
        AnvilNode.stop(anvilPid);
      }
    }
  }

  @Test
  void tiedNodeOutlivesTheThreadThatStartedIt() throws Exception {
    // the parent-death signal follows the thread that forked: nodes are forked from a long-lived
    // thread
    Path log = Files.createTempDirectory("zkm-anvil-thread").resolve("anvil.log");
    AtomicReference<AnvilNode> ref = new AtomicReference<>();
    Thread t =
        new Thread(
            () ->
                ref.set(
                    AnvilNode.start(ChainToolchain.locate(), log, false, Duration.ofSeconds(30))));
    t.start();
    t.join();
    try (AnvilNode node = ref.get()) {
      assertTrue(node != null, "started");
      Thread.sleep(500);
      assertTrue(
          AnvilNode.isAnvilProcess(node.pid(), node.port()),
          "alive after its starting thread ended");
      assertTrue(AnvilNode.chainId(node.rpcUrl()).isPresent(), "and answers");
      node.close();
      assertFalse(AnvilNode.isAnvilProcess(node.pid()), "close stops it");
    }
  }
}
