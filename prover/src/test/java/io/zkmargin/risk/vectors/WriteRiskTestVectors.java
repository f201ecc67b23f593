package io.zkmargin.risk.vectors;

import io.zkmargin.commit.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes test-vectors/risk/*.json. Run: {@code mvn -B -q -pl prover test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.zkmargin.risk.vectors.WriteRiskTestVectors}.
 */
public final class WriteRiskTestVectors {
  private WriteRiskTestVectors() {}

  /** Writes every vector file; prints the paths. */
  public static void main(String[] args) throws IOException {
    Path dir = RepoRoot.vectorDir();
    Files.createDirectories(dir);
    for (Map.Entry<String, String> e : RiskTestVectors.generate().entrySet()) {
      Path f = dir.resolve(e.getKey());
      Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
      System.out.println("wrote " + f);
    }
  }
}
