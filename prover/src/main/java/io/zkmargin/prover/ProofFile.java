package io.zkmargin.prover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.commit.Fr;
import io.zkmargin.nativebridge.ProofEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A proof as it travels between prover, verifier, auditor and chain: JSON with the circuit id, the
 * hash of the verifying key it was made for, its public inputs and gnark's proof bytes
 * (docs/ENCODING.md).
 *
 * @param circuitId the circuit id, e.g. {@code health-D32-I12-P8-A4-S16-T4}
 * @param verifyingKeyHash lower-case hex SHA-256 of the verifying key bytes
 * @param publicInputs the public inputs in circuit order, each in {@code [0, r)}
 * @param proof gnark's Groth16 BN254 proof bytes ({@code WriteRawTo} encoding)
 * @param setup where the prover's key came from ({@link KeyStore.KeyEntry#provenance()}: {@code
 *     ceremony:<transcript hash>} or {@code development}), or null when not recorded. Informative
 *     only: a verifier trusts its own key store's provenance of the key, never the file's
 */
public record ProofFile(
    String circuitId,
    String verifyingKeyHash,
    List<BigInteger> publicInputs,
    byte[] proof,
    String setup) {

  /** A proof file that records no setup provenance. */
  public ProofFile(
      String circuitId, String verifyingKeyHash, List<BigInteger> publicInputs, byte[] proof) {
    this(circuitId, verifyingKeyHash, publicInputs, proof, null);
  }

  /** What a {@code setup} field may hold. */
  private static final java.util.regex.Pattern SETUP =
      java.util.regex.Pattern.compile(
          KeyStore.PROVENANCE_DEVELOPMENT + "|" + KeyStore.SETUP_CEREMONY + ":[0-9a-f]{64}");

  /** The format tag written into every proof file. */
  public static final String FORMAT = "zkmargin-proof-v1";

  private static final ObjectMapper JSON = new ObjectMapper();

  public ProofFile {
    if (circuitId == null || circuitId.isBlank()) {
      throw new IllegalArgumentException("circuitId is missing");
    }
    if (verifyingKeyHash == null || !verifyingKeyHash.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("verifyingKeyHash must be 64 lower-case hex characters");
    }
    publicInputs = List.copyOf(publicInputs);
    for (BigInteger x : publicInputs) {
      if (x.signum() < 0 || x.compareTo(Fr.MODULUS) >= 0) {
        throw new IllegalArgumentException("public input outside the BN254 scalar field: " + x);
      }
    }
    if (proof == null || proof.length == 0) {
      throw new IllegalArgumentException("proof bytes are missing");
    }
    proof = proof.clone();
    if (setup != null && !SETUP.matcher(setup).matches()) {
      throw new IllegalArgumentException(
          "setup must be 'development' or 'ceremony:' and 64 lower-case hex characters");
    }
  }

  /**
   * @param setup the provenance to record (see the record's {@code setup})
   * @return this proof file with that setup
   */
  public ProofFile withSetup(String setup) {
    return new ProofFile(circuitId, verifyingKeyHash, publicInputs, proof, setup);
  }

  @Override
  public byte[] proof() {
    return proof.clone();
  }

  /** The health statement's account id: the high bits of the third public input. */
  public long healthAccountId() {
    return publicInputs.get(2).shiftRight(32).longValueExact();
  }

  /**
   * The health statement's threshold in basis points: the low 32 bits of the third public input.
   */
  public long healthThresholdBps() {
    return publicInputs.get(2).longValue() & 0xFFFF_FFFFL;
  }

  /** Serializes to the pretty-printed JSON proof file format. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("circuitId", circuitId);
    root.put("verifyingKeyHash", verifyingKeyHash);
    ArrayNode inputs = root.putArray("publicInputs");
    publicInputs.forEach(x -> inputs.add(x.toString()));
    root.put("proof", HexFormat.of().formatHex(proof));
    if (setup != null) {
      root.put("setup", setup);
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the JSON file atomically (temp file + rename), so a crash never leaves half a proof. */
  public void write(Path file) throws IOException {
    AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses a proof file. The text is untrusted: public inputs must be canonical decimal strings (no
   * sign, no leading zero, below r) and the proof the one canonical encoding of {@link
   * ProofEncoding} (exactly 324 bytes, zero tail), so that one statement and proof have exactly one
   * file form and no length prefix from the file ever reaches a decoder.
   *
   * @throws MalformedProofException with the reason when the text is not a well-formed proof file
   */
  public static ProofFile parse(String text) throws MalformedProofException {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new MalformedProofException("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new MalformedProofException("not a JSON object");
    }
    String format = text(root, "format");
    if (!FORMAT.equals(format)) {
      throw new MalformedProofException("unknown format '" + format + "', expected " + FORMAT);
    }
    JsonNode inputs = root.get("publicInputs");
    if (inputs == null || !inputs.isArray()) {
      throw new MalformedProofException("publicInputs must be an array of decimal strings");
    }
    List<BigInteger> values = new ArrayList<>();
    for (JsonNode n : inputs) {
      if (!n.isTextual()) {
        throw new MalformedProofException("public input is not a decimal string: " + n);
      }
      String why = ProofEncoding.whyNotCanonicalInput(n.asText());
      if (why != null) {
        throw new MalformedProofException(why);
      }
      values.add(new BigInteger(n.asText()));
    }
    byte[] proof;
    try {
      proof = HexFormat.of().parseHex(text(root, "proof"));
    } catch (IllegalArgumentException e) {
      throw new MalformedProofException("proof is not hex: " + e.getMessage());
    }
    String notCanonical = ProofEncoding.whyNotCanonical(proof);
    if (notCanonical != null) {
      throw new MalformedProofException(notCanonical);
    }
    String setup = null;
    if (root.has("setup")) {
      setup = text(root, "setup");
    }
    try {
      return new ProofFile(
          text(root, "circuitId"), text(root, "verifyingKeyHash"), values, proof, setup);
    } catch (IllegalArgumentException e) {
      throw new MalformedProofException(e.getMessage());
    }
  }

  /** Reads and parses a proof file from disk. */
  public static ProofFile read(Path file) throws IOException, MalformedProofException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  private static String text(JsonNode root, String field) throws MalformedProofException {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual()) {
      throw new MalformedProofException("field '" + field + "' is missing or not a string");
    }
    return n.asText();
  }

  /** A proof file that cannot be parsed; the message says why. */
  public static final class MalformedProofException extends Exception {
    public MalformedProofException(String message) {
      super(message);
    }
  }
}
