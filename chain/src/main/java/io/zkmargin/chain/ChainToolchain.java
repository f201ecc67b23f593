package io.zkmargin.chain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The contract toolchain of {@code verifier-contracts/}: solcjs (behind the {@code tools/solc}
 * wrapper) and anvil, installed from npm with the project's lockfile by {@code tools/setup.sh}
 * (idempotent, offline once installed), and the Solidity sources of the settlement contract.
 */
public final class ChainToolchain {

  private final Path contractsDir;
  private volatile boolean installed;

  private ChainToolchain(Path contractsDir) {
    this.contractsDir = contractsDir.toAbsolutePath().normalize();
  }

  /**
   * The toolchain of a given {@code verifier-contracts} directory.
   *
   * @throws IllegalArgumentException if the directory holds no {@code package.json} and {@code
   *     tools/setup.sh}
   */
  public static ChainToolchain of(Path contractsDir) {
    if (!Files.isRegularFile(contractsDir.resolve("package.json"))
        || !Files.isRegularFile(contractsDir.resolve("tools/setup.sh"))) {
      throw new IllegalArgumentException(contractsDir + " is not the verifier-contracts directory");
    }
    return new ChainToolchain(contractsDir);
  }

  /**
   * Finds {@code verifier-contracts/} under the repository root: the system property {@code
   * zkm.root}, else the environment variable {@code ZKM_ROOT}, else the first parent of the working
   * directory that has it.
   *
   * @throws IllegalStateException if none is found
   */
  public static ChainToolchain locate() {
    for (String root : new String[] {System.getProperty("zkm.root"), System.getenv("ZKM_ROOT")}) {
      if (root != null
          && !root.isBlank()
          && Files.isDirectory(Path.of(root, "verifier-contracts"))) {
        return of(Path.of(root, "verifier-contracts"));
      }
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("verifier-contracts/package.json"))) {
        return of(p.resolve("verifier-contracts"));
      }
    }
    throw new IllegalStateException(
        "cannot find verifier-contracts/: set -Dzkm.root or ZKM_ROOT to the repository root");
  }

  /** The {@code verifier-contracts} directory (absolute). */
  public Path contractsDir() {
    return contractsDir;
  }

  /**
   * Installs the pinned toolchain if it is not yet installed ({@code tools/setup.sh}, whose
   * progress goes to this process's stderr). Safe to call often: a no-op after the first success in
   * this JVM.
   *
   * @return this
   * @throws IllegalStateException if the installation fails or takes more than 10 minutes
   */
  public ChainToolchain ensureInstalled() {
    if (installed) {
      return this;
    }
    synchronized (this) {
      if (!installed) {
        run(List.of(contractsDir.resolve("tools/setup.sh").toString()), 600);
        installed = true;
      }
    }
    return this;
  }

  /** The anvil binary (call {@link #ensureInstalled()} first). */
  public Path anvil() {
    return contractsDir.resolve("node_modules/.bin/anvil");
  }

  /** The solc wrapper that runs solcjs in {@code --standard-json} mode. */
  public Path solc() {
    return contractsDir.resolve("tools/solc");
  }

  /**
   * A Solidity source of the contracts directory.
   *
   * @param relativePath path under {@code verifier-contracts/}, e.g. {@code src/Settlement.sol}
   */
  public String source(String relativePath) {
    try {
      return Files.readString(contractsDir.resolve(relativePath));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + contractsDir.resolve(relativePath), e);
    }
  }

  /**
   * A process builder for a tool (anvil, forge, solc, npm) without this JVM's {@code LD_PRELOAD}:
   * libjsig is for the JVM only, and in a non-JVM child it intercepts {@code signal()} and prints
   * JVM warnings.
   */
  static ProcessBuilder toolProcess(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("LD_PRELOAD");
    return pb;
  }

  private void run(List<String> command, long timeoutSeconds) {
    try {
      Process p =
          toolProcess(command)
              .directory(contractsDir.toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " took more than " + timeoutSeconds + " s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed with exit code " + p.exitValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }
}
