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
 * <p>A verifier exported from ceremony keys carries its provenance: its first lines name the
 * transcript hash ({@link #exportSolidity(String, byte[], String)}), {@code verifiers.json} records
 * it, and the key's ceremony manifest (beacon, phase-1 final hash, every contribution's hash) is
 * checked in next to the key as {@code keys/<circuitId>.transcript.json}, from which the transcript
 * hash is recomputed ({@link #transcriptHash}).
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
      String verifyingKeyFile,
      String transcriptHash,
      String transcriptFile) {
    /**
     * @return the key's provenance: {@code ceremony:<transcript hash>} or {@code development}
     */
    public String setup() {
      return transcriptHash == null
          ? KeyStore.PROVENANCE_DEVELOPMENT
          : KeyStore.SETUP_CEREMONY + ":" + transcriptHash;
    }
  }

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
   * gnark's Solidity verifier for a verifying key, headed (for ceremony keys) by comment lines that
   * name the circuit and the ceremony's transcript hash, so the deployed source says which ceremony
   * its key came from.
   *
   * @param transcriptHash lower-case hex transcript hash, or null for a development key (no header:
   *     gnark's export as is)
   */
  public static String exportSolidity(
      String circuitId, byte[] verifyingKey, String transcriptHash) {
    String source = exportSolidity(circuitId, verifyingKey);
    if (transcriptHash == null) {
      return source;
    }
    if (!transcriptHash.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("transcript hash must be 64 lower-case hex characters");
    }
    return "// zkmargin verifier of circuit "
        + circuitId
        + "\n// keys: multi-party ceremony, "
        + TRANSCRIPT_TAG
        + transcriptHash
        + "\n// (transcript: keys/"
        + circuitId
        + ".transcript.json; verify with ./zkm ceremony phase2 verify)\n"
        + source;
  }

  /**
   * Checks a ceremony verifier in {@code contractsDir}: its transcript file names its key, circuit
   * and transcript hash, the transcript hash recomputed from the transcript's contents ({@link
   * #transcriptHash}) is the one recorded, and the verifier's header carries it.
   *
   * @throws IllegalStateException saying what does not match
   */
  public static void checkTranscript(Path contractsDir, Entry e) throws IOException {
    if (e.transcriptHash() == null || e.transcriptFile() == null) {
      throw new IllegalStateException(e.circuitId() + ": not a ceremony verifier");
    }
    Path t = contractsDir.resolve(e.transcriptFile());
    if (!Files.isRegularFile(t)) {
      throw new IllegalStateException(t + " is missing");
    }
    JsonNode m = JSON.readTree(t.toFile());
    String[][] expect = {
      {"setup", KeyStore.SETUP_CEREMONY},
      {"circuitId", e.circuitId()},
      {"circuitDigest", e.circuitDigest()},
      {"verifyingKeyHash", e.verifyingKeyHash()},
      {"transcriptHash", e.transcriptHash()}
    };
    for (String[] x : expect) {
      if (!x[1].equals(m.path(x[0]).asText())) {
        throw new IllegalStateException(
            t + ": " + x[0] + " is " + m.path(x[0]).asText() + ", expected " + x[1]);
      }
    }
    String recomputed = transcriptHash(m);
    if (!recomputed.equals(e.transcriptHash())) {
      throw new IllegalStateException(
          t + ": the hash of its contents is " + recomputed + ", not " + e.transcriptHash());
    }
    if (!Files.readString(contractsDir.resolve(e.verifierFile()))
        .contains(TRANSCRIPT_TAG + e.transcriptHash())) {
      throw new IllegalStateException(e.verifierFile() + " does not name its transcript hash");
    }
  }

  /** What precedes the transcript hash in a ceremony verifier's header. */
  public static final String TRANSCRIPT_TAG = "transcript hash ";

  /**
   * Recomputes a ceremony's transcript hash from its manifest (as written by the ceremony's
   * finalize): native/go/ceremony's TranscriptHash over circuit id, circuit digest, phase-1 final
   * hash, the ordered contribution hashes and the beacon.
   *
   * @param manifest the parsed {@code transcript.json} / key manifest
   * @return lower-case hex transcript hash
   */
  public static String transcriptHash(JsonNode manifest) {
    HexFormat hex = HexFormat.of();
    try {
      java.security.MessageDigest h = java.security.MessageDigest.getInstance("SHA-256");
      h.update("zkmargin-ceremony-transcript-v1".getBytes(StandardCharsets.US_ASCII));
      h.update((byte) 0);
      byte[] id = manifest.path("circuitId").asText().getBytes(StandardCharsets.UTF_8);
      h.update(java.nio.ByteBuffer.allocate(2).putShort((short) id.length).array());
      h.update(id);
      h.update(hex.parseHex(manifest.path("circuitDigest").asText()));
      h.update(hex.parseHex(manifest.path("phase1Final").asText()));
      JsonNode cs = manifest.path("contributions");
      h.update(java.nio.ByteBuffer.allocate(4).putInt(cs.size()).array());
      for (JsonNode c : cs) {
        h.update(hex.parseHex(c.asText()));
      }
      byte[] beacon = hex.parseHex(manifest.path("beacon").asText());
      h.update(java.nio.ByteBuffer.allocate(2).putShort((short) beacon.length).array());
      h.update(beacon);
      return hex.formatHex(h.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
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
    String source = exportSolidity(circuitId, vk, key.transcriptHash());
    Entry e =
        new Entry(
            circuitId,
            key.circuitDigest(),
            key.verifyingKeyHash(),
            "src/verifiers/" + circuitId + ".sol",
            "keys/" + circuitId + ".vk",
            key.transcriptHash(),
            key.fromCeremony() ? "keys/" + circuitId + ".transcript.json" : null);
    write(contractsDir.resolve(e.verifierFile()), source.getBytes(StandardCharsets.UTF_8));
    write(contractsDir.resolve(e.verifyingKeyFile()), vk);
    if (e.transcriptFile() != null) {
      write(
          contractsDir.resolve(e.transcriptFile()),
          Files.readAllBytes(key.directory().resolve("manifest.json")));
    } else {
      Files.deleteIfExists(contractsDir.resolve("keys/" + circuitId + ".transcript.json"));
    }
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
      n.put("setup", x.setup());
      if (x.transcriptFile() != null) {
        n.put("transcriptFile", x.transcriptFile());
      }
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
              n.path("verifyingKeyFile").asText(),
              n.path("setup").asText("").startsWith(KeyStore.SETUP_CEREMONY + ":")
                  ? n.path("setup").asText().substring(KeyStore.SETUP_CEREMONY.length() + 1)
                  : null,
              n.hasNonNull("transcriptFile") ? n.path("transcriptFile").asText() : null));
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
