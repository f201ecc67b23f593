package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.VerifyingKeyHandle;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checked-in verifiers of {@code verifier-contracts/} (listed in {@code verifiers.json}) still
 * match: each key was made for the circuit as it compiles today (same constraint-system digest),
 * each verifier is exactly gnark's export of its key, and the forge test vectors
 * (test-vectors/chain/health-proof.json, batch-proof.json) verify natively against the checked-in
 * key of their circuit. A circuit change without re-running {@link VerifierExport} fails here, so a
 * stale verifier cannot ship.
 */
class CheckedInVerifierTest {

  private final Path contracts = ChainToolchain.locate().contractsDir();

  @Test
  void everyCheckedInVerifierIsTheExportOfItsKeyForTheCurrentCircuit() throws Exception {
    List<VerifierExport.Entry> entries = VerifierExport.readManifest(contracts);
    assertFalse(entries.isEmpty(), "verifier-contracts/verifiers.json lists no verifier");
    for (VerifierExport.Entry e : entries) {
      byte[] vk = Files.readAllBytes(contracts.resolve(e.verifyingKeyFile()));
      assertEquals(
          e.verifyingKeyHash(),
          KeyStore.sha256Hex(vk),
          e.verifyingKeyFile() + " does not match its hash");
      assertEquals(
          e.circuitDigest(),
          VerifierExport.currentCircuitDigest(e.circuitId()),
          "circuit "
              + e.circuitId()
              + " changed since its checked-in key was made: re-run "
              + "VerifierExport (and regenerate test-vectors/chain) so that the verifier is not stale");
      String expected = VerifierExport.exportSolidity(e.circuitId(), vk, e.transcriptHash());
      String actual = Files.readString(contracts.resolve(e.verifierFile()));
      assertEquals(
          expected, actual, e.verifierFile() + " is not gnark's export of " + e.verifyingKeyFile());
      if (e.transcriptHash() != null) {
        VerifierExport.checkTranscript(contracts, e);
      }
    }
  }

  @Test
  void aChangedTranscriptNoLongerMatchesItsVerifier(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    VerifierExport.Entry e =
        VerifierExport.readManifest(contracts).stream()
            .filter(x -> x.transcriptHash() != null)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ceremony verifier is checked in"));
    for (String f : new String[] {e.verifierFile(), e.transcriptFile()}) {
      Files.createDirectories(tmp.resolve(f).getParent());
      Files.copy(contracts.resolve(f), tmp.resolve(f));
    }
    VerifierExport.checkTranscript(tmp, e);
    // one contribution hash changed: the transcript no longer hashes to the recorded hash
    Path t = tmp.resolve(e.transcriptFile());
    String json = Files.readString(t);
    String first =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(json)
            .get("contributions")
            .get(0)
            .asText();
    Files.writeString(t, json.replace(first, "00" + first.substring(2)));
    IllegalStateException ex =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> VerifierExport.checkTranscript(tmp, e));
    assertTrue(ex.getMessage().contains("hash of its contents"), ex.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "health-proof.json",
        "batch-proof.json",
        "exit-proof-0.json",
        "exit-proof-1.json",
        "exit-proof-2.json",
        "liquidation-proof.json"
      })
  void forgeVectorVerifiesAgainstItsCheckedInKey(String name) throws Exception {
    Path vector = contracts.getParent().resolve("test-vectors/chain").resolve(name);
    assertTrue(Files.isRegularFile(vector), vector + " is missing");
    ProofFile proof = ProofFile.read(vector);
    VerifierExport.Entry e =
        VerifierExport.readManifest(contracts).stream()
            .filter(x -> x.circuitId().equals(proof.circuitId()))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no checked-in verifier for " + proof.circuitId()));
    assertEquals(
        e.verifyingKeyHash(), proof.verifyingKeyHash(), "the vector was made with another key");
    byte[] vk = Files.readAllBytes(contracts.resolve(e.verifyingKeyFile()));
    try (VerifyingKeyHandle h = Gnark.loadVerifyingKey(e.circuitId(), vk)) {
      assertTrue(
          Gnark.verify(
              h, proof.proof(), proof.publicInputs().stream().map(Object::toString).toList()));
    }
  }
}
