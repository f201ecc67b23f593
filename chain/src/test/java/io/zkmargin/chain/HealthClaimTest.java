package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.prover.ProofFile;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Claims from proof files, the Solidity proof layout, oracle signature order and revert decoding
 * (no chain).
 */
class HealthClaimTest {

  @Test
  void claimUnpacksAccountAndThresholdAndKeepsTheFirst256ProofBytes() {
    byte[] raw = new byte[324]; // WriteRawTo of a commitment-free proof: 256 + 4 + 64 (zero tail)
    for (int i = 0; i < 256; i++) {
      raw[i] = (byte) i;
    }
    BigInteger packed = BigInteger.valueOf(77).shiftLeft(32).add(BigInteger.valueOf(12_500));
    ProofFile f =
        new ProofFile(
            "health-D6-I3-P2-A2-S4-T2",
            "ab".repeat(32),
            List.of(BigInteger.ONE, BigInteger.TWO, packed),
            raw);
    HealthClaim c = HealthClaim.of(f, 10_000);
    assertEquals(77, c.accountId());
    assertEquals(12_500, c.thresholdBps());
    assertEquals(10_000, c.minThresholdBps());
    assertEquals(packed, c.accountAndThreshold());
    assertArrayEquals(Arrays.copyOf(raw, 256), c.solidityProof());
  }

  /**
   * The chain path refuses what the offline verifier refuses: the 68 tail bytes never reach the
   * contract.
   */
  @Test
  void nonCanonicalProofIsRefusedByTheChainPath() {
    BigInteger packed = BigInteger.valueOf(77).shiftLeft(32).add(BigInteger.valueOf(12_500));
    byte[] raw = new byte[324];
    raw[0] = 1;
    raw[323] =
        1; // last byte changed: INVALID offline, and was VALID on chain (only the first 256 bytes
    // were sent)
    ProofFile lastByte =
        new ProofFile(
            "health-D6-I3-P2-A2-S4-T2",
            "ab".repeat(32),
            List.of(BigInteger.ONE, BigInteger.TWO, packed),
            raw);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HealthClaim.of(lastByte, 0));
    assertTrue(e.getMessage().contains("byte 323"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> HealthClaim.solidityProof(raw));
    assertThrows(IllegalArgumentException.class, () -> HealthClaim.solidityProof(new byte[325]));
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthClaim.solidityProof(new byte[256]),
        "points only");
    assertThrows(
        IllegalArgumentException.class,
        () -> new HealthClaim(new byte[257], BigInteger.ONE, BigInteger.ONE, 0, 0, 0),
        "Solidity layout is 256 bytes");
    raw[323] = 0;
    assertEquals(256, HealthClaim.solidityProof(raw).length, "canonical accepted");
  }

  @Test
  void argumentsAreCheckedAtTheDoor() {
    assertThrows(IllegalArgumentException.class, () -> HealthClaim.solidityProof(new byte[255]));
    assertThrows(
        IllegalArgumentException.class,
        () -> new HealthClaim(new byte[256], BigInteger.ONE, BigInteger.ONE, 1L << 32, 0, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new HealthClaim(new byte[256], BigInteger.ONE, BigInteger.ONE, 0, -1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new HealthClaim(new byte[256], BigInteger.ONE, BigInteger.ONE, 0, 0, 1L << 32));
    assertThrows(
        IllegalArgumentException.class, () -> OracleSigner.signSorted(List.of(), new byte[32]));
    assertThrows(
        IllegalArgumentException.class,
        () -> OracleSigner.domainSeparator(0, "0x" + "00".repeat(20)));
    assertThrows(IllegalArgumentException.class, () -> OracleSigner.domainSeparator(1, "0x1234"));
  }

  @Test
  void signaturesAreSortedBySignerAndRecoverToThem() throws Exception {
    List<ECKeyPair> keys =
        List.of(
            ECKeyPair.create(BigInteger.valueOf(0xA11CE)),
            ECKeyPair.create(BigInteger.valueOf(0xB0B)),
            ECKeyPair.create(BigInteger.valueOf(0xCA401)));
    byte[] digest = OracleSigner.riskRootDigest(31337, "0x" + "11".repeat(20), 9, BigInteger.TEN);
    byte[] sigs = OracleSigner.signSorted(keys, digest);
    assertEquals(3 * 65, sigs.length);
    BigInteger prev = BigInteger.valueOf(-1);
    for (int i = 0; i < 3; i++) {
      byte[] s = Arrays.copyOfRange(sigs, 65 * i, 65 * (i + 1));
      Sign.SignatureData sd =
          new Sign.SignatureData(
              s[64], Arrays.copyOfRange(s, 0, 32), Arrays.copyOfRange(s, 32, 64));
      BigInteger signer =
          Numeric.toBigInt(Keys.getAddress(Sign.signedMessageHashToKey(digest, sd)));
      assertTrue(signer.compareTo(prev) > 0, "strictly increasing signer addresses");
      assertTrue(
          new BigInteger(1, sd.getS())
                  .compareTo(
                      new BigInteger(
                          "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", 16))
              <= 0,
          "low s");
      prev = signer;
    }
  }

  @Test
  void revertDataIsNamed() {
    String abi =
        "[{\"type\":\"error\",\"name\":\"StaleEpoch\",\"inputs\":[{\"type\":\"uint64\"},{\"type\":\"uint64\"}]},"
            + "{\"type\":\"error\",\"name\":\"UnknownSigner\",\"inputs\":[{\"type\":\"address\"}]}]";
    RevertDecoder d = new RevertDecoder(abi);
    String data =
        RevertDecoder.selector("StaleEpoch(uint64,uint64)")
            + "0".repeat(63)
            + "4"
            + "0".repeat(63)
            + "5";
    assertEquals("StaleEpoch", d.name(data));
    assertEquals("StaleEpoch(4, 5)", d.describe(data));
    String who =
        RevertDecoder.selector("UnknownSigner(address)") + "0".repeat(24) + "ab".repeat(20);
    assertEquals("UnknownSigner(0x" + "ab".repeat(20) + ")", d.describe(who));
    assertEquals("unknown error 0xdeadbeef", d.describe("0xdeadbeef"));
    assertEquals("reverted without reason", d.describe("0x"));
  }
}
