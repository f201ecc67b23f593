package io.zkmargin.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.prover.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles Solidity with the project's pinned solcjs (standard JSON through {@code tools/solc}),
 * with the same settings as {@code foundry.toml} (optimizer on, 200 runs, EVM cancun). Outputs are
 * cached on disk by the SHA-256 of the compiler input, under {@code
 * verifier-contracts/cache/zkm-solc/}, so a second run is instant. Imports the given sources do not
 * include are read from disk like forge's remapping does: {@code @scope/...} from the contracts'
 * {@code node_modules/} (OpenZeppelin, pinned in package.json), other paths from the contracts
 * directory.
 */
public final class SolidityCompiler {

  /** A compiled contract: its ABI (JSON array text) and creation bytecode. */
  public record Contract(String name, String abiJson, byte[] bytecode) {
    public Contract {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(abiJson, "abiJson");
      Objects.requireNonNull(bytecode, "bytecode");
      bytecode = bytecode.clone();
    }

    @Override
    public byte[] bytecode() {
      return bytecode.clone();
    }
  }

  /** Compilation failed; the message holds solc's formatted errors. */
  public static final class CompilationException extends RuntimeException {
    public CompilationException(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 300;

  /** The path of an {@code import "path";} or {@code import {A} from "path";} directive. */
  private static final Pattern IMPORT =
      Pattern.compile("(?m)^\\s*import\\s+[^;\"']*[\"']([^\"']+)[\"']");

  private final ChainToolchain toolchain;

  public SolidityCompiler(ChainToolchain toolchain) {
    this.toolchain = Objects.requireNonNull(toolchain, "toolchain");
  }

  /**
   * Compiles the sources together.
   *
   * @param sources source unit name (e.g. {@code src/Settlement.sol}) to source text; imports
   *     between them resolve by these names, relative imports included; missing imports are read
   *     from disk (class comment)
   * @return every contract with bytecode, by {@code unitName:ContractName}
   * @throws CompilationException if solc reports an error
   */
  public Map<String, Contract> compile(Map<String, String> sources) {
    if (sources == null || sources.isEmpty()) {
      throw new IllegalArgumentException("no sources to compile");
    }
    ObjectNode input = JSON.createObjectNode();
    input.put("language", "Solidity");
    ObjectNode src = input.putObject("sources");
    withImports(sources).forEach((unit, text) -> src.putObject(unit).put("content", text));
    ObjectNode settings = input.putObject("settings");
    settings.putObject("optimizer").put("enabled", true).put("runs", 200);
    settings.put("evmVersion", "cancun");
    settings
        .putObject("outputSelection")
        .putObject("*")
        .putArray("*")
        .add("abi")
        .add("evm.bytecode.object");
    byte[] in;
    try {
      in = JSON.writeValueAsBytes(input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonNode out = cachedOrRun(in);
    List<String> errors = new ArrayList<>();
    for (JsonNode err : out.path("errors")) {
      if ("error".equals(err.path("severity").asText())) {
        errors.add(err.path("formattedMessage").asText(err.path("message").asText()));
      }
    }
    if (!errors.isEmpty()) {
      throw new CompilationException("solc: " + String.join("\n", errors));
    }
    Map<String, Contract> result = new LinkedHashMap<>();
    out.path("contracts")
        .fields()
        .forEachRemaining(
            unit ->
                unit.getValue()
                    .fields()
                    .forEachRemaining(
                        c -> {
                          String hex =
                              c.getValue().path("evm").path("bytecode").path("object").asText("");
                          if (!hex.isEmpty()) {
                            result.put(
                                unit.getKey() + ":" + c.getKey(),
                                new Contract(
                                    c.getKey(),
                                    c.getValue().path("abi").toString(),
                                    HexFormat.of().parseHex(hex)));
                          }
                        }));
    return result;
  }

  /** The sources plus every unit they import, transitively, by source unit name (sorted). */
  private Map<String, String> withImports(Map<String, String> sources) {
    Map<String, String> all = new TreeMap<>(sources);
    Deque<String> todo = new ArrayDeque<>(all.keySet());
    while (!todo.isEmpty()) {
      String unit = todo.pop();
      Matcher m = IMPORT.matcher(all.get(unit));
      while (m.find()) {
        String name = unitName(unit, m.group(1));
        if (!all.containsKey(name)) {
          Path file =
              name.startsWith("@")
                  ? toolchain.contractsDir().resolve("node_modules").resolve(name)
                  : toolchain.contractsDir().resolve(name);
          if (!Files.isRegularFile(file)) {
            throw new CompilationException(
                unit
                    + " imports "
                    + m.group(1)
                    + ": no file "
                    + file
                    + (name.startsWith("@") ? " (run verifier-contracts/tools/setup.sh)" : ""));
          }
          try {
            all.put(name, Files.readString(file));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
          }
          todo.push(name);
        }
      }
    }
    return all;
  }

  /**
   * solc's source unit name of {@code path} imported from unit {@code from}: relative paths are
   * joined.
   */
  static String unitName(String from, String path) {
    if (!path.startsWith("./") && !path.startsWith("../")) {
      return path;
    }
    Deque<String> parts = new ArrayDeque<>();
    String[] dir = from.split("/");
    for (int i = 0; i < dir.length - 1; i++) {
      parts.addLast(dir[i]);
    }
    for (String p : path.split("/")) {
      if (p.equals("..")) {
        if (parts.isEmpty()) {
          throw new CompilationException(from + " imports " + path + ": above the source root");
        }
        parts.removeLast();
      } else if (!p.equals(".") && !p.isEmpty()) {
        parts.addLast(p);
      }
    }
    return String.join("/", parts);
  }

  private JsonNode cachedOrRun(byte[] input) {
    Path cacheDir = toolchain.contractsDir().resolve("cache").resolve("zkm-solc");
    Path cached = cacheDir.resolve(sha256(input) + ".json");
    try {
      if (Files.isRegularFile(cached)) {
        return JSON.readTree(cached.toFile());
      }
      byte[] output = runSolc(input);
      JsonNode tree = JSON.readTree(output);
      boolean failed = false;
      for (JsonNode err : tree.path("errors")) {
        failed |= "error".equals(err.path("severity").asText());
      }
      if (!failed) {
        AtomicFiles.write(cached, output);
      }
      return tree;
    } catch (IOException e) {
      throw new UncheckedIOException("solc output unreadable", e);
    }
  }

  private byte[] runSolc(byte[] input) throws IOException {
    toolchain.ensureInstalled();
    Path inFile = Files.createTempFile("zkm-solc-in", ".json");
    Path outFile = Files.createTempFile("zkm-solc-out", ".json");
    Path errFile = Files.createTempFile("zkm-solc-err", ".txt");
    try {
      Files.write(inFile, input);
      Process p =
          ChainToolchain.toolProcess(List.of(toolchain.solc().toString(), "--standard-json"))
              .redirectInput(inFile.toFile())
              .redirectOutput(outFile.toFile())
              .redirectError(errFile.toFile())
              .start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new CompilationException("solc took more than " + TIMEOUT_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        throw new CompilationException(
            "solc exited with " + p.exitValue() + ": " + Files.readString(errFile));
      }
      return Files.readAllBytes(outFile);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompilationException("interrupted while compiling");
    } finally {
      Files.deleteIfExists(inFile);
      Files.deleteIfExists(outFile);
      Files.deleteIfExists(errFile);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
