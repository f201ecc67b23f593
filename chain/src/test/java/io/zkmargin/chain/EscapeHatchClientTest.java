package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.utils.Numeric;

/**
 * EscapeHatchClient's checks at the door (nothing reaches the node) and the error fragment the CLI
 * names refusals with; the calls themselves run on anvil in {@link EscapeHatchOnChainTest}.
 */
class EscapeHatchClientTest {

  private final Web3j web3 = SettlementClient.connect("http://127.0.0.1:1");
  private final EscapeHatchClient c =
      new EscapeHatchClient(
          web3,
          Credentials.create(AnvilNode.DEV_KEY_0),
          AnvilNode.CHAIN_ID,
          "0x0000000000000000000000000000000000000001",
          EscapeHatchClient.ESCAPE_HATCH_ERRORS);

  @Test
  void argumentsAreCheckedBeforeAnyCall() {
    assertThrows(IllegalArgumentException.class, () -> c.requestForcedWithdrawal(0, 0));
    assertThrows(IllegalArgumentException.class, () -> c.requestForcedWithdrawal(-1, 5));
    assertThrows(IllegalArgumentException.class, () -> c.freeze(-1));
    assertThrows(IllegalArgumentException.class, () -> c.requestLiquidation(1, 1, new byte[255]));
    assertThrows(
        IllegalArgumentException.class,
        () -> c.exit(1, "0x0000000000000000000000000000000000000002", BigInteger.ONE, new byte[0]));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            c.exit(
                1,
                "0x0000000000000000000000000000000000000002",
                BigInteger.valueOf(-1),
                new byte[256]));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new EscapeHatchClient(web3, Credentials.create(AnvilNode.DEV_KEY_0), 0, "0x01", "[]"));
  }

  @Test
  void errorFragmentNamesTheHatchRefusals() {
    RevertDecoder d = new RevertDecoder(EscapeHatchClient.ESCAPE_HATCH_ERRORS);
    String already =
        Numeric.toHexString(Hash.sha3("AlreadyExited(uint64)".getBytes())).substring(0, 10)
            + FunctionEncoder.encodeConstructor(
                java.util.List.of(new org.web3j.abi.datatypes.generated.Uint64(7)));
    assertEquals("AlreadyExited", d.name(already));
    String notFrozen = Numeric.toHexString(Hash.sha3("NotFrozen()".getBytes())).substring(0, 10);
    assertEquals("NotFrozen", d.name(notFrozen));
    String invalid =
        Numeric.toHexString(Hash.sha3("ExitProofInvalid()".getBytes())).substring(0, 10);
    assertEquals("ExitProofInvalid", d.name(invalid));
  }
}
