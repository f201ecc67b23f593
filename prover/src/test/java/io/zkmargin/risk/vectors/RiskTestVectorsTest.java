package io.zkmargin.risk.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.RepoRoot;
import io.zkmargin.commit.RiskEncoding;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskVector;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RiskTestVectorsTest {

  @Test
  void checkedInVectorsAreRegeneratedByteIdentically() throws Exception {
    SortedMap<String, String> first = RiskTestVectors.generate();
    assertEquals(first, RiskTestVectors.generate(), "generation is deterministic within a run");
    Path dir = RepoRoot.vectorDir();
    boolean regenerate = Boolean.getBoolean("zkm.regenerate");
    for (Map.Entry<String, String> e : first.entrySet()) {
      Path f = dir.resolve(e.getKey());
      if (regenerate) {
        Files.createDirectories(dir);
        Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
      }
      // a missing file is a failure, never a silent regeneration (that would make the test pass
      // vacuously)
      assertTrue(Files.exists(f), f + " is missing; regenerate with -Dzkm.regenerate=true");
      assertEquals(
          Files.readString(f, StandardCharsets.UTF_8),
          e.getValue(),
          f
              + " differs from the generator's output (re-run with -Dzkm.regenerate=true if the change is intended)");
    }
  }

  /**
   * Reads the JSON back (as another language would) and recomputes the margins from the words
   * alone.
   */
  @Test
  void vectorsRoundTripThroughTheirWords() throws Exception {
    ObjectMapper om = new ObjectMapper();
    for (Map.Entry<String, String> e : RiskTestVectors.generate().entrySet()) {
      if (!e.getKey().startsWith("venue-")) {
        continue;
      }
      JsonNode root = om.readTree(e.getValue());
      CircuitSizes sizes = CircuitSizes.fromHealthCircuitId(root.get("circuitId").asText());
      int sc = sizes.scenarios();
      Map<Integer, InstrumentRiskEntry> entries = new TreeMap<>();
      for (JsonNode n : root.get("riskVector").get("entries")) {
        long[] w = words(n.get("words"));
        assertEquals(sizes.instrumentEntryWordCount(), w.length);
        entries.put(n.get("id").asInt(), RiskEncoding.entry(w, sc));
      }
      long[] g = words(root.get("riskVector").get("globalsWords"));
      assertEquals(sizes.globalsWordCount(), g.length);
      int a = sizes.collateralAssets();
      RiskVector v =
          new RiskVector(
              root.get("epoch").get("epoch").asLong(),
              sizes,
              entries,
              RiskEncoding.globals(g, sizes));
      MarginResult r = new MarginResult(sc);
      int liquidatable = 0;
      for (JsonNode acc : root.get("accounts")) {
        long[] w = words(acc.get("leafWords"));
        assertEquals(sizes.leafWordCount(), w.length);
        int p = sizes.positionSlots();
        long[] b = new long[a];
        System.arraycopy(w, 2, b, 0, a);
        long[] ids = new long[p];
        long[] q = new long[p];
        long[] s = new long[p];
        for (int j = 0; j < p; j++) {
          ids[j] = w[2 + a + 3 * j];
          q[j] = w[3 + a + 3 * j];
          s[j] = w[4 + a + 3 * j];
        }
        AccountLeaf leaf =
            new AccountLeaf(BigInteger.ZERO, BigInteger.ONE, w[0], w[1], b, ids, q, s);
        MarginCalculator.DEFAULT.evaluate(v, leaf, r);
        JsonNode x = acc.get("expected");
        assertEquals(x.get("equityNano").asText(), r.equityNano().toString());
        assertEquals(x.get("mm").asText(), r.maintenanceScaled().toString());
        assertEquals(x.get("im").asText(), r.initialScaled().toString());
        assertEquals(x.get("mmCore").asText(), r.maintenanceCore().toString());
        assertEquals(x.get("liquidatable").asBoolean(), r.isLiquidatable());
        liquidatable += r.isLiquidatable() ? 1 : 0;
      }
      assertTrue(liquidatable > 0, e.getKey() + " has liquidatable accounts");
    }
  }

  private static long[] words(JsonNode arr) {
    long[] w = new long[arr.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = Long.parseLong(arr.get(i).asText());
    }
    return w;
  }
}
