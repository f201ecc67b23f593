package io.zkmargin.prover.ceremony;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.nativebridge.Ceremony;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.NativeException;
import io.zkmargin.prover.AtomicFiles;
import io.zkmargin.prover.KeyStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * File-based steps of the multi-party trusted setup ({@link Ceremony}) in one ceremony folder, the
 * steps a {@code ./zkm ceremony ...} command runs. Layout:
 *
 * <pre>
 * &lt;dir&gt;/phase1/power                       the phase-1 power K (domain 2^K), text
 * &lt;dir&gt;/phase1/contribution-0000.bin       the initial state (deterministic)
 * &lt;dir&gt;/phase1/contribution-NNNN.bin       contribution NNNN, built on NNNN-1
 * &lt;dir&gt;/phase1/final.bin                   the sealed phase 1 (gnark SrsCommons)
 * &lt;dir&gt;/phase1/final.json                  its beacon and contribution hashes
 * &lt;dir&gt;/phase2/&lt;circuit&gt;/contribution-NNNN.bin   as for phase 1, per circuit
 * &lt;dir&gt;/phase2/&lt;circuit&gt;/transcript.json        written by finalize: beacon, hashes, transcript hash
 * </pre>
 *
 * <p>Contribute always builds on the highest-numbered file and writes the next number; it does not
 * verify its input (run verify for that), so that a contributor on another machine needs only the
 * latest file. Every step prints what it read and wrote (hashes in hex) to the given stream.
 * Finalize writes the keys into the key store layout ({@code <store>/<circuit>/<digest>/}) with a
 * manifest whose {@code setup} is {@code ceremony} and which records the transcript hash.
 */
public final class CeremonyTool {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CONTRIBUTION = Pattern.compile("contribution-(\\d{4})\\.bin");
  private static final Pattern CIRCUIT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  /** The {@code setup} value of a manifest written by {@link #phase2Finalize}. */
  public static final String SETUP_CEREMONY = KeyStore.SETUP_CEREMONY;

  private final Path dir;
  private final PrintStream out;

  /**
   * @param dir the ceremony folder (created on demand)
   * @param out where each step prints its hashes
   */
  public CeremonyTool(Path dir, PrintStream out) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
    this.out = Objects.requireNonNull(out, "out");
  }

  /**
   * @return the ceremony folder
   */
  public Path dir() {
    return dir;
  }

  /**
   * Starts phase 1 at domain size 2^power: writes the power and the initial state.
   *
   * @param power log2 of the domain size; must equal {@link Ceremony#circuitPower} of the circuits
   *     that use it
   * @return the initial state file
   */
  public Path phase1Init(int power) throws IOException {
    Path p1 = dir.resolve("phase1");
    if (Files.exists(p1.resolve("power"))) {
      throw new IllegalStateException("phase 1 already started in " + p1);
    }
    byte[] init = Ceremony.phase1Init(power);
    Files.createDirectories(p1);
    AtomicFiles.write(
        p1.resolve("power"), Integer.toString(power).getBytes(StandardCharsets.US_ASCII));
    Path f = p1.resolve(name(0));
    AtomicFiles.write(f, init);
    out.printf(
        "phase 1 initialized: power %d, %s (%d bytes, sha256 %s)%n",
        power, f, init.length, KeyStore.sha256Hex(init));
    return f;
  }

  /**
   * Adds a phase-1 contribution on the latest file.
   *
   * @return the contribution (its hashes are also printed)
   */
  public Ceremony.Contribution phase1Contribute() throws IOException {
    return phase1Contribute(null);
  }

  /**
   * Adds a phase-1 contribution on the latest file, with the contributor's own entropy mixed in.
   *
   * @param entropy the contributor's entropy (null or empty: the OS randomness only)
   * @return the contribution (its hashes are also printed)
   */
  public Ceremony.Contribution phase1Contribute(byte[] entropy) throws IOException {
    Path p1 = dir.resolve("phase1");
    int power = power();
    List<Path> files = numbered(p1);
    int last = files.size() - 1;
    Ceremony.Contribution c =
        Ceremony.phase1Contribute(power, Files.readAllBytes(files.get(last)), entropy);
    return write("phase 1", p1.resolve(name(last + 1)), c);
  }

  /**
   * Verifies the whole phase-1 chain from the initial state and prints every contribution's hash.
   *
   * @return the contribution hashes in order
   */
  public List<byte[]> phase1Verify() throws IOException {
    List<byte[]> hashes = Ceremony.phase1Verify(power(), contributions(dir.resolve("phase1")));
    print("phase 1", hashes);
    return hashes;
  }

  /**
   * Verifies phase 1, applies the public beacon and writes {@code phase1/final.bin}.
   *
   * @param beacon the public random beacon (1..65535 bytes), e.g. a drand round's randomness
   * @return the phase-1 final file
   */
  public Path phase1Seal(byte[] beacon) throws IOException {
    Path p1 = dir.resolve("phase1");
    Ceremony.Phase1Result r = Ceremony.phase1Seal(power(), contributions(p1), beacon);
    print("phase 1", r.contributions());
    Path f = p1.resolve("final.bin");
    AtomicFiles.write(f, r.commons());
    ObjectNode m = JSON.createObjectNode();
    m.put("power", power());
    m.put("beacon", HexFormat.of().formatHex(beacon));
    m.put("finalHash", KeyStore.sha256Hex(r.commons()));
    hashes(m.putArray("contributions"), r.contributions());
    AtomicFiles.write(
        p1.resolve("final.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
    out.printf(
        "phase 1 sealed: %s (%d bytes, sha256 %s)%n",
        f, r.commons().length, KeyStore.sha256Hex(r.commons()));
    return f;
  }

  /**
   * Starts phase 2 of a circuit from the sealed phase 1 (whose power must be the circuit's).
   *
   * @param circuitId circuit id
   * @return the initial phase-2 state file
   */
  public Path phase2Init(String circuitId) throws IOException {
    Path p2 = phase2Dir(circuitId);
    if (Files.exists(p2.resolve(name(0)))) {
      throw new IllegalStateException("phase 2 of " + circuitId + " already started in " + p2);
    }
    int need = Ceremony.circuitPower(circuitId);
    if (need != power()) {
      throw new IllegalStateException(
          "circuit "
              + circuitId
              + " needs a phase 1 of power "
              + need
              + ", this ceremony has "
              + power());
    }
    byte[] init = Ceremony.phase2Init(circuitId, commons());
    Files.createDirectories(p2);
    Path f = p2.resolve(name(0));
    AtomicFiles.write(f, init);
    out.printf(
        "phase 2 of %s initialized: %s (%d bytes, sha256 %s)%n",
        circuitId, f, init.length, KeyStore.sha256Hex(init));
    return f;
  }

  /**
   * Adds a phase-2 contribution on the latest file of the circuit.
   *
   * @param circuitId circuit id
   * @return the contribution (its hashes are also printed)
   */
  public Ceremony.Contribution phase2Contribute(String circuitId) throws IOException {
    return phase2Contribute(circuitId, null);
  }

  /**
   * Adds a phase-2 contribution on the latest file of the circuit, with the contributor's own
   * entropy mixed in.
   *
   * @param circuitId circuit id
   * @param entropy the contributor's entropy (null or empty: the OS randomness only)
   * @return the contribution (its hashes are also printed)
   */
  public Ceremony.Contribution phase2Contribute(String circuitId, byte[] entropy)
      throws IOException {
    Path p2 = phase2Dir(circuitId);
    List<Path> files = numbered(p2);
    int last = files.size() - 1;
    Ceremony.Contribution c =
        Ceremony.phase2Contribute(circuitId, Files.readAllBytes(files.get(last)), entropy);
    return write("phase 2 of " + circuitId, p2.resolve(name(last + 1)), c);
  }

  /**
   * Verifies the whole phase-2 chain of the circuit and prints every contribution's hash.
   *
   * @param circuitId circuit id
   * @return the contribution hashes in order
   */
  public List<byte[]> phase2Verify(String circuitId) throws IOException {
    List<byte[]> hashes =
        Ceremony.phase2Verify(circuitId, commons(), contributions(phase2Dir(circuitId)));
    print("phase 2 of " + circuitId, hashes);
    return hashes;
  }

  /**
   * Verifies phase 2 of the circuit, applies the public beacon, writes the keys into the key store
   * with a ceremony manifest, and writes {@code transcript.json} next to the contributions.
   * Installing replaces development keys of the same circuit digest; it refuses to replace keys of
   * another ceremony.
   *
   * @param circuitId circuit id
   * @param beacon the public random beacon (1..65535 bytes), published after the last contribution
   * @param store the key store to install the keys in
   * @return the directory the keys were written to
   */
  public Path phase2Finalize(String circuitId, byte[] beacon, KeyStore store) throws IOException {
    Objects.requireNonNull(store, "store");
    Path p2 = phase2Dir(circuitId);
    byte[] commons = commons();
    Ceremony.Final f = Ceremony.phase2Finalize(circuitId, commons, contributions(p2), beacon);
    print("phase 2 of " + circuitId, f.contributions());
    String digest = HexFormat.of().formatHex(Gnark.circuitDigest(circuitId));
    Path keys = store.root().resolve(circuitId).resolve(digest);
    Path manifest = keys.resolve("manifest.json");
    if (Files.isRegularFile(manifest)) {
      JsonNode old = JSON.readTree(manifest.toFile());
      boolean ceremony = SETUP_CEREMONY.equals(old.path("setup").asText());
      if (ceremony && !f.transcriptHex().equals(old.path("transcriptHash").asText())) {
        throw new IllegalStateException(
            "keys of another ceremony (transcript "
                + old.path("transcriptHash").asText()
                + ") are installed in "
                + keys
                + "; remove them first");
      }
    }
    ObjectNode m = JSON.createObjectNode();
    m.put("circuitId", circuitId);
    m.put("circuitDigest", digest);
    m.put("verifyingKeyHash", KeyStore.sha256Hex(f.verifyingKey()));
    m.put("provingKeyHash", KeyStore.sha256Hex(f.provingKey()));
    m.put("setup", SETUP_CEREMONY);
    m.put("transcriptHash", f.transcriptHex());
    m.put("phase1Final", KeyStore.sha256Hex(commons));
    Path p1json = dir.resolve("phase1").resolve("final.json");
    if (Files.isRegularFile(p1json)) {
      JsonNode imported = JSON.readTree(p1json.toFile()).path("imported");
      if (imported.isObject()) {
        // phase 1 came from a public .ptau: name the file, so phase1Final traces back to it
        m.set("phase1Import", imported);
      }
    }
    m.put("beacon", HexFormat.of().formatHex(beacon));
    hashes(m.putArray("contributions"), f.contributions());
    byte[] manifestBytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
    Files.createDirectories(keys);
    // keys first, manifest last: a reader never sees a manifest whose keys are not there yet
    AtomicFiles.write(keys.resolve("proving.key"), f.provingKey());
    AtomicFiles.write(keys.resolve("verifying.key"), f.verifyingKey());
    AtomicFiles.write(manifest, manifestBytes);
    AtomicFiles.write(p2.resolve("transcript.json"), manifestBytes);
    out.printf(
        "phase 2 of %s finalized: transcript %s, keys in %s%n", circuitId, f.transcriptHex(), keys);
    return keys;
  }

  /**
   * Verifies a finalized phase 2: recomputes the keys from the chain and the public beacon and
   * checks that the keys installed in the store (and the transcript hash in their manifest) are
   * exactly that result. A wrong beacon, keys of another chain or a modified key are refused.
   *
   * @param circuitId circuit id
   * @param beacon the beacon the finalize claims to have used
   * @param store the key store holding the finalized keys
   * @return the transcript hash (hex)
   * @throws NativeException with code {@link NativeException#VERIFICATION_FAILED} when the keys are
   *     not the result of this transcript and beacon
   */
  public String phase2VerifyFinal(String circuitId, byte[] beacon, KeyStore store)
      throws IOException {
    Objects.requireNonNull(store, "store");
    Ceremony.Final f =
        Ceremony.phase2Finalize(circuitId, commons(), contributions(phase2Dir(circuitId)), beacon);
    print("phase 2 of " + circuitId, f.contributions());
    String digest = HexFormat.of().formatHex(Gnark.circuitDigest(circuitId));
    Path keys = store.root().resolve(circuitId).resolve(digest);
    if (!Files.isRegularFile(keys.resolve("manifest.json"))) {
      throw new IllegalStateException("no finalized keys of " + circuitId + " in " + keys);
    }
    JsonNode m = JSON.readTree(keys.resolve("manifest.json").toFile());
    if (!java.util.Arrays.equals(
            f.verifyingKey(), Files.readAllBytes(keys.resolve("verifying.key")))
        || !java.util.Arrays.equals(f.provingKey(), Files.readAllBytes(keys.resolve("proving.key")))
        || !f.transcriptHex().equals(m.path("transcriptHash").asText())) {
      throw new NativeException(
          NativeException.VERIFICATION_FAILED,
          "the keys in "
              + keys
              + " are not the result of this transcript and beacon (wrong beacon, keys of another"
              + " chain, or a modified key)");
    }
    out.printf(
        "phase 2 of %s: keys in %s are the result of transcript %s%n",
        circuitId, keys, f.transcriptHex());
    return f.transcriptHex();
  }

  /**
   * The latest file of a phase (the initial state or the last contribution), as the coordinator
   * hands it out.
   *
   * @param circuitId null for phase 1, else the circuit of phase 2
   * @return the file
   */
  public Path latest(String circuitId) throws IOException {
    List<Path> files = numbered(circuitId == null ? dir.resolve("phase1") : phase2Dir(circuitId));
    return files.get(files.size() - 1);
  }

  /**
   * Verifies the whole chain of a phase once, from the recomputed initial state, and returns a
   * {@link Receiver} that from then on checks each new contribution only against the last one it
   * accepted: how the coordinator verifies on receipt. The full check costs one phase-2
   * initialization (for phase 2) plus one check per contribution; each receipt then costs one
   * contribution's check, whatever the length of the chain.
   *
   * @param circuitId null for phase 1, else the circuit of phase 2
   * @return the receiver
   * @throws NativeException with code {@link NativeException#VERIFICATION_FAILED} when the folder's
   *     chain (or its initial state) does not verify
   */
  public Receiver receiver(String circuitId) throws IOException {
    Path folder = circuitId == null ? dir.resolve("phase1") : phase2Dir(circuitId);
    List<Path> files = numbered(folder);
    String what = circuitId == null ? "phase 1" : "phase 2 of " + circuitId;
    if (files.size() > 1) {
      List<byte[]> hashes =
          circuitId == null
              ? Ceremony.phase1Verify(power(), contributions(folder))
              : Ceremony.phase2Verify(circuitId, commons(), contributions(folder));
      print(what, hashes);
    } else {
      // no contribution yet: the initial state handed out must be the one anybody recomputes
      byte[] init =
          circuitId == null
              ? Ceremony.phase1Init(power())
              : Ceremony.phase2Init(circuitId, commons());
      if (!java.util.Arrays.equals(init, Files.readAllBytes(files.get(0)))) {
        throw new NativeException(
            NativeException.VERIFICATION_FAILED,
            files.get(0) + " is not the initial state of " + what + " (recomputed)");
      }
    }
    byte[] last = Files.readAllBytes(files.get(files.size() - 1));
    out.printf(
        "%s: chain of %d contributions verified; accepting contributions on %s%n",
        what, files.size() - 1, KeyStore.sha256Hex(last));
    return new Receiver(circuitId, folder, what, KeyStore.sha256Hex(last));
  }

  /**
   * Accepts contributions to one phase, each checked against the last accepted file only ({@link
   * Ceremony#phase1VerifyNext}, {@link Ceremony#phase2VerifyNext}). Sound because the chain up to
   * that file was verified in full when the receiver was made, and the file is re-read and its hash
   * compared with the one accepted before each check (a folder changed behind the receiver's back
   * is refused, not trusted).
   */
  public final class Receiver {
    private final String circuitId;
    private final Path folder;
    private final String what;
    private String lastHash;

    private Receiver(String circuitId, Path folder, String what, String lastHash) {
      this.circuitId = circuitId;
      this.folder = folder;
      this.what = what;
      this.lastHash = lastHash;
    }

    /**
     * @return the SHA-256 (hex) of the last accepted file (the initial state before any)
     */
    public synchronized String lastHash() {
      return lastHash;
    }

    /**
     * Checks {@code next} against the last accepted file and, when it verifies, stores it as the
     * next numbered file.
     *
     * @param next the received contribution
     * @return the file written
     * @throws NativeException when {@code next} is not a valid contribution on the last accepted
     *     file (nothing is written)
     * @throws IllegalStateException when the folder's latest file is not the last accepted one
     */
    public synchronized Path accept(byte[] next) throws IOException {
      Objects.requireNonNull(next, "next");
      List<Path> files = numbered(folder);
      byte[] prev = Files.readAllBytes(files.get(files.size() - 1));
      if (!KeyStore.sha256Hex(prev).equals(lastHash)) {
        throw new IllegalStateException(
            "the latest file in "
                + folder
                + " is not the last accepted contribution "
                + lastHash
                + " (changed behind the coordinator)");
      }
      byte[] hash =
          circuitId == null
              ? Ceremony.phase1VerifyNext(power(), prev, next)
              : Ceremony.phase2VerifyNext(circuitId, prev, next);
      Path f = folder.resolve(name(files.size()));
      AtomicFiles.write(f, next);
      lastHash = Ceremony.hex(hash);
      out.printf(
          "%s: contribution %d %s verified against %s and stored as %s%n",
          what, files.size(), lastHash, KeyStore.sha256Hex(prev), f);
      return f;
    }
  }

  /**
   * Verifies the contributions after number {@code from} of a phase, each against its predecessor
   * only, TRUSTING file {@code from} (whose hash is printed: compare it with the one you verified
   * before). Phase 2 thus skips the initialization a full {@link #phase2Verify} runs; use it to
   * check new contributions on top of a chain you verified in full.
   *
   * @param circuitId null for phase 1, else the circuit of phase 2
   * @param from the last contribution already verified (0: the initial state, trusted as is)
   * @return the hashes of contributions {@code from+1} to the latest, in order
   */
  public List<byte[]> verifyFrom(String circuitId, int from) throws IOException {
    Path folder = circuitId == null ? dir.resolve("phase1") : phase2Dir(circuitId);
    List<Path> files = numbered(folder);
    if (from < 0 || from >= files.size() - 1) {
      throw new IllegalArgumentException(
          "--from "
              + from
              + ": the folder has contributions 1.."
              + (files.size() - 1)
              + ", so from must be in 0.."
              + (files.size() - 2));
    }
    String what = circuitId == null ? "phase 1" : "phase 2 of " + circuitId;
    byte[] prev = Files.readAllBytes(files.get(from));
    out.printf(
        "%s: trusting %s %s (verified before), checking %d contributions against their"
            + " predecessors%n",
        what, files.get(from).getFileName(), KeyStore.sha256Hex(prev), files.size() - 1 - from);
    int power = power();
    List<byte[]> hashes = new ArrayList<>();
    for (int i = from + 1; i < files.size(); i++) {
      byte[] next = Files.readAllBytes(files.get(i));
      byte[] h;
      try {
        h =
            circuitId == null
                ? Ceremony.phase1VerifyNext(power, prev, next)
                : Ceremony.phase2VerifyNext(circuitId, prev, next);
      } catch (NativeException e) {
        throw new NativeException(e.code(), what + " contribution " + i + ": " + e.getMessage());
      }
      out.printf("%s: contribution %d %s ok%n", what, i, Ceremony.hex(h));
      hashes.add(h);
      prev = next;
    }
    return hashes;
  }

  /**
   * Starts phase 1 from a public ceremony instead of running one: converts a snarkjs / Perpetual
   * Powers of Tau {@code .ptau} file into {@code phase1/final.bin} at domain 2^power (a prefix of
   * the file's powers) and records the file's SHA-256 in {@code phase1/final.json}, so the
   * transcript's {@code phase1Final} hash traces back to a published file. Phase 1 has no
   * contributions of its own then (nothing to contribute, verify or seal); phase 2 starts from it.
   *
   * @param ptau the .ptau file (e.g. powersOfTau28_hez_final_17.ptau)
   * @param power log2 of the domain, the power of the circuits that will use it
   * @return the phase-1 final file
   */
  public Path phase1Import(Path ptau, int power) throws IOException {
    Objects.requireNonNull(ptau, "ptau");
    Path p1 = dir.resolve("phase1");
    if (Files.exists(p1.resolve("power"))) {
      throw new IllegalStateException("phase 1 already started in " + p1);
    }
    if (!Files.isRegularFile(ptau)) {
      throw new IllegalArgumentException("no .ptau file at " + ptau);
    }
    Ceremony.Imported r = Ceremony.importPtau(ptau, power);
    String fileHash = sha256File(ptau);
    Files.createDirectories(p1);
    Path f = p1.resolve("final.bin");
    AtomicFiles.write(f, r.commons());
    ObjectNode m = JSON.createObjectNode();
    m.put("power", power);
    ObjectNode src = m.putObject("imported");
    src.put("file", ptau.getFileName().toString());
    src.put("sha256", fileHash);
    src.put("filePower", r.filePower());
    src.put("ceremonyPower", r.ceremonyPower());
    m.put("finalHash", KeyStore.sha256Hex(r.commons()));
    AtomicFiles.write(
        p1.resolve("final.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
    // power last: phase 1 counts as started once it is there
    AtomicFiles.write(
        p1.resolve("power"), Integer.toString(power).getBytes(StandardCharsets.US_ASCII));
    out.printf(
        "phase 1 imported from %s (sha256 %s, power %d of a 2^%d ceremony) at power %d: %s (%d"
            + " bytes, sha256 %s)%n",
        ptau,
        fileHash,
        r.filePower(),
        r.ceremonyPower(),
        power,
        f,
        r.commons().length,
        KeyStore.sha256Hex(r.commons()));
    return f;
  }

  private static String sha256File(Path f) throws IOException {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (java.io.InputStream in = Files.newInputStream(f)) {
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private Ceremony.Contribution write(String what, Path file, Ceremony.Contribution c)
      throws IOException {
    AtomicFiles.write(file, c.next());
    out.printf(
        "%s: received %s%n%s: produced %s -> %s (%d bytes)%n",
        what, Ceremony.hex(c.received()), what, Ceremony.hex(c.produced()), file, c.next().length);
    return c;
  }

  private void print(String what, List<byte[]> hashes) {
    for (int i = 0; i < hashes.size(); i++) {
      out.printf("%s: contribution %d %s ok%n", what, i + 1, Ceremony.hex(hashes.get(i)));
    }
  }

  private static void hashes(ArrayNode a, List<byte[]> hashes) {
    hashes.forEach(h -> a.add(HexFormat.of().formatHex(h)));
  }

  private int power() throws IOException {
    Path f = dir.resolve("phase1").resolve("power");
    if (!Files.isRegularFile(f)) {
      throw new IllegalStateException("no phase 1 in " + dir + " (run phase 1 init first)");
    }
    String s = Files.readString(f, StandardCharsets.US_ASCII).trim();
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("bad phase-1 power in " + f + ": " + s, e);
    }
  }

  private byte[] commons() throws IOException {
    Path f = dir.resolve("phase1").resolve("final.bin");
    if (!Files.isRegularFile(f)) {
      throw new IllegalStateException(
          "phase 1 is not sealed in " + dir + " (run phase 1 seal first)");
    }
    return Files.readAllBytes(f);
  }

  private Path phase2Dir(String circuitId) {
    if (circuitId == null || !CIRCUIT_ID.matcher(circuitId).matches()) {
      throw new IllegalArgumentException("not a circuit id: " + circuitId);
    }
    return dir.resolve("phase2").resolve(circuitId);
  }

  private static String name(int n) {
    if (n < 0 || n > 9999) {
      throw new IllegalStateException("contribution number " + n + " is outside 0..9999");
    }
    return String.format("contribution-%04d.bin", n);
  }

  /** The numbered files of a phase folder, 0000 first, checked to have no gap. */
  private static List<Path> numbered(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new IllegalStateException("no ceremony files in " + folder + " (run init first)");
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(folder)) {
      s.filter(p -> CONTRIBUTION.matcher(p.getFileName().toString()).matches())
          .sorted()
          .forEach(files::add);
    }
    for (int i = 0; i < files.size(); i++) {
      Matcher m = CONTRIBUTION.matcher(files.get(i).getFileName().toString());
      if (!m.matches() || Integer.parseInt(m.group(1)) != i) {
        throw new IllegalStateException("missing " + name(i) + " in " + folder);
      }
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no " + name(0) + " in " + folder + " (run init first)");
    }
    return files;
  }

  /** The contributions (without the initial state, which verify recomputes). */
  private static List<byte[]> contributions(Path folder) throws IOException {
    List<Path> files = numbered(folder);
    if (files.size() < 2) {
      throw new IllegalStateException("no contribution yet in " + folder);
    }
    List<byte[]> out = new ArrayList<>();
    for (Path f : files.subList(1, files.size())) {
      out.add(Files.readAllBytes(f));
    }
    return out;
  }
}
