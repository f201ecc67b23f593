package io.zkmargin.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** A command run with its stdout and stderr captured: the exit code and what it printed. */
record Captured(int exit, String out, String err) {

  /** Runs {@code ./zkm args...} in this JVM and captures what it prints. */
  static Captured zkm(String... args) throws Exception {
    return run(() -> Main.run(args));
  }

  /** Runs a command and captures System.out and System.err while it runs. */
  static synchronized Captured run(Callable<Integer> command) throws Exception {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      exit = command.call();
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    Captured c =
        new Captured(
            exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    oldErr.print(c.out() + c.err()); // still visible in the test log
    return c;
  }
}
