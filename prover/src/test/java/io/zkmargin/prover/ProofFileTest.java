package io.zkmargin.prover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.Fr;
import io.zkmargin.nativebridge.ProofEncoding;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proof file parsing of untrusted text: one canonical form for public inputs and proof bytes. */
class ProofFileTest {
  private static final String ID = "health-D6-I3-P2-A2-S4-T2";

  private static ProofFile sample() {
    byte[] proof = new byte[ProofEncoding.PROOF_BYTES];
    for (int i = 0; i < ProofEncoding.POINTS_BYTES; i++) {
      proof[i] = (byte) (i % 61); // top two bits 00: the shape of uncompressed points
    }
    return new ProofFile(
        ID,
        "ab".repeat(32),
        List.of(BigInteger.valueOf(5), BigInteger.ZERO, BigInteger.valueOf(77)),
        proof);
  }

  @Test
  void canonicalFileRoundTrips() throws Exception {
    ProofFile f = sample();
    ProofFile back = ProofFile.parse(f.toJson());
    assertEquals(f.publicInputs(), back.publicInputs());
    assertEquals(HexFormat.of().formatHex(f.proof()), HexFormat.of().formatHex(back.proof()));
  }

  /** Item 10: "05" was accepted as 5 (regex [0-9]{1,80}); one value, one string. */
  @Test
  void setupProvenanceRoundTripsAndIsChecked() throws Exception {
    String t = "ab".repeat(32);
    ProofFile f = sample().withSetup("ceremony:" + t);
    assertEquals("ceremony:" + t, ProofFile.parse(f.toJson()).setup());
    assertEquals(
        "development", ProofFile.parse(sample().withSetup("development").toJson()).setup());
    assertEquals(null, ProofFile.parse(sample().toJson()).setup());
    String bad = f.toJson().replace("ceremony:" + t, "ceremony:xyz");
    ProofFile.MalformedProofException e =
        assertThrows(ProofFile.MalformedProofException.class, () -> ProofFile.parse(bad));
    assertTrue(e.getMessage().contains("setup"), e.getMessage());
  }

  @Test
  void nonCanonicalDecimalsAreRefused() {
    String json = sample().toJson();
    String r = Fr.MODULUS.toString();
    for (String bad :
        List.of(
            "05",
            "00",
            "0005",
            "+5",
            "-5",
            " 5",
            "5.0",
            "",
            "1e3",
            r,
            Fr.MODULUS.add(BigInteger.TEN).toString(),
            "1".repeat(90))) {
      String text = json.replace("\"5\"", "\"" + bad + "\"");
      ProofFile.MalformedProofException e =
          assertThrows(ProofFile.MalformedProofException.class, () -> ProofFile.parse(text), bad);
      assertTrue(e.getMessage().contains("public input"), e.getMessage());
    }
    assertThrows(
        ProofFile.MalformedProofException.class, () -> ProofFile.parse(json.replace("\"5\"", "5")));
  }

  /** Items 1 and 9: only the exact 324-byte encoding with its zero tail is a proof. */
  @Test
  void nonCanonicalProofBytesAreRefused() {
    ProofFile f = sample();
    String hex = HexFormat.of().formatHex(f.proof());
    String json = f.toJson();
    byte[] attack = new byte[260];
    attack[256] = attack[257] = attack[258] = attack[259] = (byte) 0xff;
    byte[] lastByte = f.proof();
    lastByte[ProofEncoding.PROOF_BYTES - 1] = 1;
    for (byte[] bad :
        List.of(
            attack,
            lastByte,
            java.util.Arrays.copyOf(f.proof(), 256),
            java.util.Arrays.copyOf(f.proof(), 388))) {
      String text = json.replace(hex, HexFormat.of().formatHex(bad));
      ProofFile.MalformedProofException e =
          assertThrows(ProofFile.MalformedProofException.class, () -> ProofFile.parse(text));
      assertTrue(e.getMessage().contains("proof"), e.getMessage());
    }
  }
}
