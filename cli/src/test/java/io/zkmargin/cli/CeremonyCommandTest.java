package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainToolchain;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.chain.VerifierContract;
import io.zkmargin.chain.VerifierExport;
import io.zkmargin.nativebridge.Ceremony;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.ProofResult;
import io.zkmargin.prover.KeyStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * A 3-party ceremony through the {@code ./zkm ceremony} commands (the self-test circuit: test size,
 * seconds): every contribute prints what it received and produced, verify prints every
 * contributor's hash; a tampered contribution, one built on the wrong predecessor, a skipped one
 * and a wrong beacon are refused; the finalized keys prove and verify; a store that requires
 * ceremony keys refuses development keys; the verifier exported from the ceremony keys names its
 * transcript hash and accepts a proof on a real anvil node.
 */
class CeremonyCommandTest {
  static final String ID = "selftest-N8";
  static final String WITNESS =
      "{\"circuitId\":\"selftest-N8\",\"x\":\"15\",\"y\":\"8\",\"a\":\"3\",\"b\":\"5\"}";
  static final Pattern PRODUCED = Pattern.compile("produced ([0-9a-f]{64})");
  static final Pattern RECEIVED = Pattern.compile("received ([0-9a-f]{64})");

  @Test
  void threePartyCeremonyThroughTheCommands(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ceremony");
    String d = dir.toString();
    assertEquals(
        0, Captured.zkm("ceremony", "phase1", "init", "--for-circuit", ID, "--dir", d).exit());
    String last = null;
    for (int i = 0; i < 3; i++) {
      // the second contributor brings their own entropy
      Captured c =
          i == 1
              ? Captured.zkm(
                  "ceremony", "phase1", "contribute", "--dir", d, "--entropy", "dice 3 5 1")
              : Captured.zkm("ceremony", "phase1", "contribute", "--dir", d);
      assertEquals(0, c.exit(), c.err());
      String received = group(RECEIVED, c.out());
      if (last != null) {
        assertEquals(last, received, "contribution " + (i + 1) + " was not built on the last one");
      }
      last = group(PRODUCED, c.out());
    }
    Captured v1 = Captured.zkm("ceremony", "phase1", "verify", "--dir", d);
    assertEquals(0, v1.exit(), v1.err());
    assertTrue(v1.out().contains("contribution 3 " + last + " ok"), v1.out());
    assertEquals(
        0, Captured.zkm("ceremony", "phase1", "seal", "--dir", d, "--beacon", "0a0b0c").exit());

    assertEquals(0, Captured.zkm("ceremony", "phase2", "init", "--circuit", ID, "--dir", d).exit());
    for (int i = 0; i < 3; i++) {
      Captured c = Captured.zkm("ceremony", "phase2", "contribute", "--circuit", ID, "--dir", d);
      assertEquals(0, c.exit(), c.err());
      last = group(PRODUCED, c.out());
    }
    Captured v2 = Captured.zkm("ceremony", "phase2", "verify", "--circuit", ID, "--dir", d);
    assertEquals(0, v2.exit(), v2.err());
    for (int i = 1; i <= 3; i++) {
      assertTrue(v2.out().contains("contribution " + i + " "), v2.out());
    }
    assertTrue(v2.out().contains("contribution 3 " + last + " ok"), v2.out());

    Path p2 = dir.resolve("phase2").resolve(ID);
    refusals(tmp, dir, p2);

    // finalize into a fresh key store
    Path keysRoot = tmp.resolve("keys");
    String k = keysRoot.toString();
    Captured fin =
        Captured.zkm(
            "ceremony",
            "phase2",
            "finalize",
            "--circuit",
            ID,
            "--dir",
            d,
            "--beacon",
            "beac07",
            "--keys",
            k);
    assertEquals(0, fin.exit(), fin.err());
    Captured okFinal =
        Captured.zkm(
            "ceremony",
            "phase2",
            "verify",
            "--circuit",
            ID,
            "--dir",
            d,
            "--beacon",
            "beac07",
            "--keys",
            k);
    assertEquals(0, okFinal.exit(), okFinal.err());
    Captured wrongBeacon =
        Captured.zkm(
            "ceremony",
            "phase2",
            "verify",
            "--circuit",
            ID,
            "--dir",
            d,
            "--beacon",
            "beac08",
            "--keys",
            k);
    assertEquals(1, wrongBeacon.exit());
    assertTrue(wrongBeacon.err().contains("REFUSED"), wrongBeacon.err());

    // the keys prove and verify, from a store that accepts ceremony keys only
    ProofResult proof;
    KeyStore.KeyEntry entry;
    try (KeyStore store = new KeyStore(keysRoot, false)) {
      entry = store.ensureKeys(ID);
      assertTrue(entry.fromCeremony());
      JsonNode m = new ObjectMapper().readTree(p2.resolve("transcript.json").toFile());
      assertEquals("ceremony:" + m.get("transcriptHash").asText(), entry.provenance());
      proof = Gnark.prove(store.provingKey(ID), WITNESS.getBytes(StandardCharsets.UTF_8));
      assertTrue(Gnark.verify(store.verifyingKey(ID), proof));

      // the exported verifier names its transcript, which recomputes to its hash
      Path contracts = tmp.resolve("contracts");
      VerifierExport.Entry e = VerifierExport.export(store, ID, contracts);
      assertEquals(entry.transcriptHash(), e.transcriptHash());
      VerifierExport.checkTranscript(contracts, VerifierExport.readManifest(contracts).get(0));
      String source = Files.readString(contracts.resolve(e.verifierFile()));
      assertTrue(source.contains(VerifierExport.TRANSCRIPT_TAG + entry.transcriptHash()));
      onAnvil(tmp, source, proof);
    }

    // development keys are refused where ceremony keys are required
    Path devRoot = tmp.resolve("dev-keys");
    try (KeyStore dev = new KeyStore(devRoot, true)) {
      assertFalse(dev.ensureKeys(ID).fromCeremony());
    }
    try (KeyStore strict = new KeyStore(devRoot, false)) {
      IllegalStateException ex =
          assertThrows(IllegalStateException.class, () -> strict.ensureKeys(ID));
      assertTrue(ex.getMessage().contains("development setup"), ex.getMessage());
    }
    try (KeyStore strict = new KeyStore(tmp.resolve("empty-keys"), false)) {
      IllegalStateException ex =
          assertThrows(IllegalStateException.class, () -> strict.ensureKeys(ID));
      assertTrue(ex.getMessage().contains("no ceremony keys"), ex.getMessage());
      assertFalse(Files.exists(tmp.resolve("empty-keys").resolve(ID)), "a strict store made keys");
    }
  }

  /** Tampered, wrong-predecessor and skipped contributions are each refused by phase2 verify. */
  private static void refusals(Path tmp, Path dir, Path p2) throws Exception {
    // tampered: one byte of the second contribution's delta changed
    Path t = copy(dir, tmp.resolve("tampered"));
    Path f = t.resolve("phase2").resolve(ID).resolve("contribution-0002.bin");
    byte[] b = Files.readAllBytes(f);
    b[3] ^= 1;
    Files.write(f, b);
    assertRefused(t);

    // wrong predecessor: contribution 3 replaced by one built on contribution 1
    Path w = copy(dir, tmp.resolve("wrong-predecessor"));
    Path wp2 = w.resolve("phase2").resolve(ID);
    Path fork = copy(dir, tmp.resolve("fork"));
    Path fp2 = fork.resolve("phase2").resolve(ID);
    Files.delete(fp2.resolve("contribution-0003.bin"));
    Files.delete(fp2.resolve("contribution-0002.bin"));
    byte[] onFirst =
        Ceremony.phase2Contribute(ID, Files.readAllBytes(fp2.resolve("contribution-0001.bin")))
            .next();
    Files.write(wp2.resolve("contribution-0003.bin"), onFirst);
    Captured c = assertRefused(w);
    assertTrue(c.err().contains("not built on contribution 2"), c.err());

    // skipped: contribution 2 left out, 3 renumbered
    Path s = copy(dir, tmp.resolve("skipped"));
    Path sp2 = s.resolve("phase2").resolve(ID);
    Files.move(
        sp2.resolve("contribution-0003.bin"),
        sp2.resolve("contribution-0002.bin"),
        StandardCopyOption.REPLACE_EXISTING);
    assertRefused(s);
  }

  private static Captured assertRefused(Path dir) throws Exception {
    Captured c =
        Captured.zkm("ceremony", "phase2", "verify", "--circuit", ID, "--dir", dir.toString());
    assertEquals(1, c.exit(), c.out());
    assertTrue(c.err().contains("REFUSED") || c.err().contains("does not decode"), c.err());
    return c;
  }

  /** The exported ceremony verifier accepts the proof on a real anvil node, not a changed input. */
  private static void onAnvil(Path tmp, String source, ProofResult proof) throws Exception {
    ChainToolchain tc = ChainToolchain.locate().ensureInstalled();
    var contract = VerifierContract.compile(tc, ID, source);
    try (AnvilNode node =
        AnvilNode.start(tc, tmp.resolve("anvil.log"), false, Duration.ofSeconds(30))) {
      Web3j web3 = SettlementClient.connect(node.rpcUrl());
      try {
        String address =
            VerifierContract.deploy(
                web3, Credentials.create(AnvilNode.DEV_KEY_0), AnvilNode.CHAIN_ID, contract);
        List<BigInteger> inputs = proof.publicInputs().stream().map(BigInteger::new).toList();
        assertTrue(VerifierContract.verifyProof(web3, address, proof.proof(), inputs));
        List<BigInteger> changed = new java.util.ArrayList<>(inputs);
        changed.set(0, changed.get(0).add(BigInteger.ONE));
        assertFalse(VerifierContract.verifyProof(web3, address, proof.proof(), changed));
      } finally {
        web3.shutdown();
      }
    }
  }

  @Test
  void badCeremonyCommandLinesAreUsageErrors() throws Exception {
    String[][] bad = {
      {"ceremony", "phase1", "init"}, // neither --power nor --for-circuit
      {"ceremony", "phase1", "init", "--power", "29"},
      {"ceremony", "phase1", "seal", "--beacon", "xyz"},
      {"ceremony", "phase2", "finalize", "--circuit", ID, "--beacon", ""},
      {"ceremony", "phase2", "contribute"}, // no --circuit
      {"ceremony", "contribute", "--coordinator", "nohostport", "--cert", "x"},
      {"ceremony", "serve", "--port", "70000"}
    };
    for (String[] args : bad) {
      Captured c = Captured.zkm(args);
      assertEquals(2, c.exit(), String.join(" ", args) + ": " + c.err());
      assertTrue(c.err().contains("(see ./zkm ceremony"), c.err());
    }
    // a folder without phase 1: a clear error, exit 1
    Captured none = Captured.zkm("ceremony", "phase1", "verify", "--dir", "/nonexistent-zkm");
    assertEquals(1, none.exit());
    assertTrue(none.err().contains("no phase 1"), none.err());
  }

  private static String group(Pattern p, String text) {
    Matcher m = p.matcher(text);
    assertTrue(m.find(), "no " + p + " in " + text);
    return m.group(1);
  }

  private static Path copy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path src : files.toList()) {
        Path dst = to.resolve(from.relativize(src).toString());
        if (Files.isDirectory(src)) {
          Files.createDirectories(dst);
        } else {
          Files.copy(src, dst);
        }
      }
    }
    assertNotNull(to);
    return to;
  }

  /**
   * {@code phase1 import} of the real snarkjs fixture, then {@code phase2 verify --from N}: checks
   * only the newer contributions and refuses a tampered one; a truncated .ptau is exit 1 with the
   * reason.
   */
  @Test
  void importPtauAndVerifyFrom(@TempDir Path tmp) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(root.resolve("test-vectors"))) {
      root = root.getParent();
    }
    Path ptau = root.resolve("test-vectors").resolve("ceremony").resolve("pot4_final.ptau");
    Path dir = tmp.resolve("c");
    Path cut = tmp.resolve("cut.ptau");
    byte[] whole = Files.readAllBytes(ptau);
    Files.write(cut, java.util.Arrays.copyOf(whole, 1000));
    Captured t =
        Captured.zkm(
            "ceremony",
            "phase1",
            "import",
            "--ptau",
            cut.toString(),
            "--for-circuit",
            ID,
            "--dir",
            dir.toString());
    assertEquals(1, t.exit(), t.out());
    assertTrue(t.err().contains("truncated"), t.err());

    Captured i =
        Captured.zkm(
            "ceremony",
            "phase1",
            "import",
            "--ptau",
            ptau.toString(),
            "--for-circuit",
            ID,
            "--dir",
            dir.toString());
    assertEquals(0, i.exit(), i.err());
    assertTrue(i.out().contains("phase 1 imported"), i.out());
    for (String[] args :
        new String[][] {
          {"phase2", "init", "--circuit", ID},
          {"phase2", "contribute", "--circuit", ID},
          {"phase2", "contribute", "--circuit", ID}
        }) {
      String[] full = new String[args.length + 3];
      full[0] = "ceremony";
      System.arraycopy(args, 0, full, 1, args.length);
      full[args.length + 1] = "--dir";
      full[args.length + 2] = dir.toString();
      Captured c = Captured.zkm(full);
      assertEquals(0, c.exit(), String.join(" ", args) + ": " + c.err());
    }
    Captured v =
        Captured.zkm(
            "ceremony",
            "phase2",
            "verify",
            "--circuit",
            ID,
            "--from",
            "1",
            "--dir",
            dir.toString());
    assertEquals(0, v.exit(), v.err());
    assertTrue(v.out().contains("contribution 2 "), v.out());
    assertFalse(v.out().contains("contribution 1 "), v.out());

    Path f = dir.resolve("phase2").resolve(ID).resolve("contribution-0002.bin");
    byte[] b = Files.readAllBytes(f);
    b[3] ^= 1;
    Files.write(f, b);
    Captured r =
        Captured.zkm(
            "ceremony",
            "phase2",
            "verify",
            "--circuit",
            ID,
            "--from",
            "1",
            "--dir",
            dir.toString());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.err().contains("REFUSED") || r.err().contains("does not decode"), r.err());
  }
}
