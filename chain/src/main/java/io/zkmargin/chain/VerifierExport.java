package io.zkmargin.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.VerifyingKeyHandle;
import io.zkmargin.prover.AtomicFiles;
import io.zkmargin.prover.KeyStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The checked-in Solidity verifiers of {@code verifier-contracts/}: for each circuit, gnark's
 * exported verifier {@code src/verifiers/<circuitId>.sol}, the verifying key it was exported from
 * {@code keys/<circuitId>.vk} (gnark WriteRawTo bytes) and a line in {@code verifiers.json} with
 * the circuit digest (SHA-256 of the compiled constraint system) and the key's SHA-256. A test
 * re-exports every verifier from its key and compares, and checks that the circuit still has the
 * digest the key was made for, so a circuit change cannot ship with a stale verifier.
 *
 * <p>{@code main(circuitId...)} (re)writes the files from the key store's current keys.
 */
public final class VerifierExport {

  /** Manifest file under {@code verifier-contracts/}. */
  public static final String MANIFEST = "verifiers.json";

  public static final String FORMAT = "zkmargin-verifiers-v1";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One checked-in verifier.
   *
   * @param circuitDigest lower-case hex SHA-256 of the circuit's compiled constraint system
   * @param verifyingKeyHash lower-case hex SHA-256 of the verifying key bytes
   * @param verifierFile path under {@code verifier-contracts/}
   * @param verifyingKeyFile path under {@code verifier-contracts/}
   */
  public record Entry(
      String circuitId,
      String circuitDigest,
      String verifyingKeyHash,
      String verifierFile,
      String verifyingKeyFile) {}

  private VerifierExport() {}

  /**
   * gnark's Solidity verifier for a verifying key (loaded with gnark's checked reader, then
   * released).
   */
  public static String exportSolidity(String circuitId, byte[] verifyingKey) {
    try (VerifyingKeyHandle vk = Gnark.loadVerifyingKey(circuitId, verifyingKey)) {
      return Gnark.exportSolidity(vk);
    }
  }

  /**
   * Writes the verifier and verifying key of {@code circuitId} from the key store into {@code
   * contractsDir} and records them in the manifest (replacing an older entry of the circuit).
   */
  public static Entry export(KeyStore keys, String circuitId, Path contractsDir)
      throws IOException {
    KeyStore.KeyEntry key = keys.ensureKeys(circuitId);
    byte[] vk = keys.verifyingKeyBytes(key);
    String source = exportSolidity(circuitId, vk);
    Entry e =
        new Entry(
            circuitId,
            key.circuitDigest(),
            key.verifyingKeyHash(),
            "src/verifiers/" + circuitId + ".sol",
            "keys/" + circuitId + ".vk");
    write(contractsDir.resolve(e.verifierFile()), source.getBytes(StandardCharsets.UTF_8));
    write(contractsDir.resolve(e.verifyingKeyFile()), vk);
    List<Entry> entries = new ArrayList<>(readManifest(contractsDir));
    entries.removeIf(x -> x.circuitId().equals(circuitId));
    entries.add(e);
    entries.sort(Comparator.comparing(Entry::circuitId));
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put(
        "note", "written by io.zkmargin.chain.VerifierExport; checked by CheckedInVerifierTest");
    ArrayNode arr = root.putArray("verifiers");
    for (Entry x : entries) {
      ObjectNode n = arr.addObject();
      n.put("circuitId", x.circuitId());
      n.put("circuitDigest", x.circuitDigest());
      n.put("verifyingKeyHash", x.verifyingKeyHash());
      n.put("verifierFile", x.verifierFile());
      n.put("verifyingKeyFile", x.verifyingKeyFile());
    }
    write(
        contractsDir.resolve(MANIFEST),
        (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
            .getBytes(StandardCharsets.UTF_8));
    return e;
  }

  /** The manifest's entries (empty if there is no manifest yet). */
  public static List<Entry> readManifest(Path contractsDir) throws IOException {
    Path f = contractsDir.resolve(MANIFEST);
    if (!Files.isRegularFile(f)) {
      return List.of();
    }
    JsonNode root = JSON.readTree(f.toFile());
    if (!FORMAT.equals(root.path("format").asText())) {
      throw new IOException(f + " is not a " + FORMAT + " file");
    }
    List<Entry> out = new ArrayList<>();
    for (JsonNode n : root.path("verifiers")) {
      out.add(
          new Entry(
              n.path("circuitId").asText(),
              n.path("circuitDigest").asText(),
              n.path("verifyingKeyHash").asText(),
              n.path("verifierFile").asText(),
              n.path("verifyingKeyFile").asText()));
    }
    return out;
  }

  /** Lower-case hex of the circuit's current digest. */
  public static String currentCircuitDigest(String circuitId) {
    return HexFormat.of()
        .formatHex(Gnark.circuitDigest(Objects.requireNonNull(circuitId, "circuitId")));
  }

  /**
   * Exports the verifiers of the given circuits from the default key store into {@code
   * verifier-contracts/}. Usage: {@code VerifierExport circuitId...}
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: VerifierExport circuitId... (e.g. health-D6-I3-P2-A2-S4-T2)");
      System.exit(2);
    }
    Path dir = ChainToolchain.locate().contractsDir();
    try (KeyStore keys = KeyStore.openDefault()) {
      for (String id : args) {
        Entry e = export(keys, id, dir);
        System.out.println(
            "exported " + e.verifierFile() + " (verifying key " + e.verifyingKeyHash() + ")");
      }
    }
  }

  private static void write(Path f, byte[] bytes) throws IOException {
    AtomicFiles.write(f, bytes, "rw-r--r--"); // checked-in files
  }
}
