package io.zkmargin.chain;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Regenerates the chain vectors together, from one key pair of the default key store: the verifier
 * and key of the test-size health circuit in {@code verifier-contracts/} ({@link VerifierExport})
 * and a real proof of {@link TestVenues#small()}'s account 5 at 12500 bps in {@code
 * test-vectors/chain/health-proof.json}, which the forge tests verify with that verifier. Run after
 * a circuit change (CheckedInVerifierTest says when): {@code mvn -pl chain exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.zkmargin.chain.ChainVectorGenerator} (with
 * LD_PRELOAD of libjsig, as for every JVM that loads the native library). The default key store
 * refuses development keys: {@code tools/ceremony-keys.sh} runs this after installing ceremony
 * keys; to regenerate from development keys instead, set {@code ZKM_ALLOW_DEV_KEYS=true}.
 */
public final class ChainVectorGenerator {
  private ChainVectorGenerator() {}

  public static void main(String[] args) throws Exception {
    Path contracts = ChainToolchain.locate().contractsDir();
    String circuitId = CircuitSizes.TEST.healthCircuitId();
    try (KeyStore keys = KeyStore.openDefault()) {
      VerifierExport.Entry e = VerifierExport.export(keys, circuitId, contracts);
      ProofFile proof =
          new HealthProver(keys)
              .prove(new CommittedVenue(TestVenues.small()), TestVenues.HEALTHY_ACCOUNT, 12_500)
              .proof();
      Path out = contracts.getParent().resolve("test-vectors/chain/health-proof.json");
      Files.createDirectories(out.getParent());
      proof.write(out);
      System.out.println("wrote " + e.verifierFile() + ", " + e.verifyingKeyFile() + " and " + out);
    }
  }
}
