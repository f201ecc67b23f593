package io.zkmargin.store;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A test JVM that starts the embedded server in {@code args[0]}, prints {@code READY pid url} and
 * waits to be killed (the crash test kills it with SIGKILL).
 */
public final class HoldServer {
  private HoldServer() {}

  public static void main(String[] args) throws Exception {
    EmbeddedPostgres pg = EmbeddedPostgres.start(Path.of(args[0]), Duration.ofSeconds(120));
    System.out.println("READY " + pg.pid() + " " + pg.url());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
