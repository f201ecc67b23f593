package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad command lines: a value of the wrong type, a value out of range, an unknown option or command,
 * a missing option. Each gives exit 2, nothing on stdout and exactly one line on stderr that names
 * the command, says what is wrong and points at the command's help; nothing is written.
 */
class UsageErrorTest {

  @Test
  void badValuesGiveOneLineAndExit2(@TempDir Path dir) throws Exception {
    String data = dir.toString();
    assertUsageError(
        "zkm margin: Invalid value for option '--account': 'x' is not an integer"
            + " (see ./zkm margin --help)",
        "margin",
        "--data",
        data,
        "--account",
        "x");
    assertUsageError(
        "zkm demo: Invalid value for option '--size': expected one of [test, production]"
            + " (case-sensitive) but was 'huge' (see ./zkm demo --help)",
        "demo",
        "--data",
        data,
        "--size",
        "huge");
    assertUsageError(
        "zkm demo: option --accounts must be in [1, 1000000], was 0 (see ./zkm demo --help)",
        "demo",
        "--data",
        data,
        "--accounts",
        "0");
    assertUsageError(
        "zkm demo: --accounts must be at most 2^",
        "demo",
        "--data",
        data,
        "--accounts",
        "1_000_000");
    assertUsageError(
        "zkm prove-health: Missing required options: '--account=ID', '--threshold-bps=B', '--out=FILE'"
            + " (see ./zkm prove-health --help)",
        "prove-health",
        "--data",
        data);
    assertUsageError(
        "zkm serve: option --port must be in [0, 65535], was 70000 (see ./zkm serve --help)",
        "serve",
        "--data",
        data,
        "--port",
        "70000",
        "--no-chain");
    assertUsageError(
        "zkm serve: Invalid value for option '--workers': '2x' is not an integer"
            + " (see ./zkm serve --help)",
        "serve",
        "--data",
        data,
        "--workers",
        "2x");
    assertUsageError(
        "zkm bench-grpc: option --clients must be in [1, 256], was 1000 (see ./zkm bench-grpc --help)",
        "bench-grpc",
        "--data",
        data,
        "--clients",
        "1000");
    assertUsageError(
        "zkm client margin: Invalid value for option '--account': '-' is not an integer"
            + " (see ./zkm client margin --help)",
        "client",
        "margin",
        "--data",
        data,
        "--account",
        "-");
    assertUsageError(
        "zkm verify: option --min-threshold-bps must be in [0, 4294967295], was -5"
            + " (see ./zkm verify --help)",
        "verify",
        "p.json",
        "--on-chain",
        "--data",
        data,
        "--min-threshold-bps",
        "-5");
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "nothing written on a usage error");
    }
  }

  @Test
  void unknownOptionsCommandsAndArgumentsGiveOneLineAndExit2() throws Exception {
    assertUsageError(
        "zkm demo: Unknown options: '--acounts', '3'; did you mean --accounts? (see ./zkm demo --help)",
        "demo",
        "--acounts",
        "3");
    assertUsageError("zkm verify: Unknown option: '--bogus'", "verify", "p.json", "--bogus");
    assertUsageError(
        "zkm margin: Unknown options: '--acount', '3'; did you mean --account? (see ./zkm margin --help)",
        "margin",
        "--acount",
        "3"); // not only "missing --account"
    assertUsageError(
        "zkm verify: Missing required parameter: 'FILE' (see ./zkm verify --help)", "verify");
    assertUsageError(
        "zkm verify: Unmatched argument at index 2: 'q.json'", "verify", "p.json", "q.json");
    assertUsageError(
        "zkm client prove-health: Unknown option: '--bogus'", "client", "prove-health", "--bogus");
    assertUsageError("zkm chain: Unmatched argument at index 1: 'sideways'", "chain", "sideways");
    assertUsageError("zkm: unknown command 'frobnicate'; run ./zkm help", "frobnicate");
    assertUsageError(
        "zkm exit: --settlement must be a 0x-prefixed 20-byte address",
        "exit",
        "--rpc",
        "http://127.0.0.1:1",
        "--settlement",
        "0x12",
        "--account",
        "0",
        "--proof",
        "p.json",
        "--key-file",
        "k");
    assertUsageError(
        "zkm exit: give exactly one of --dac HOST:PORT and --proof FILE",
        "exit",
        "--rpc",
        "u",
        "--settlement",
        "0x0000000000000000000000000000000000000001",
        "--account",
        "0",
        "--key-file",
        "k");
    assertUsageError(
        "zkm keeper: Missing required option: '--dac=HOST:PORT'",
        "keeper",
        "--rpc",
        "u",
        "--settlement",
        "0x0000000000000000000000000000000000000001");
  }

  /**
   * {@code ./zkm args...} exits 2, prints nothing on stdout and one line on stderr that starts with
   * {@code line}.
   */
  private static void assertUsageError(String line, String... args) throws Exception {
    Captured c = Captured.zkm(args);
    String cmd = String.join(" ", args);
    assertEquals(2, c.exit(), cmd);
    assertEquals("", c.out(), cmd);
    assertTrue(c.err().startsWith(line), cmd + ": " + c.err());
    assertTrue(
        c.err().endsWith("\n") && c.err().indexOf('\n') == c.err().length() - 1,
        cmd + ": one line: " + c.err());
  }
}
