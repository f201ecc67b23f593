package io.zkmargin.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.utils.Numeric;

/**
 * gnark's exported Solidity verifier of any circuit on its own (no Settlement): compile, deploy,
 * and call {@code verifyProof(bytes, uint256[n])}, which reverts on a proof that does not verify.
 * Used to check a verifier exported from ceremony keys on a real node.
 */
public final class VerifierContract {
  private VerifierContract() {}

  /**
   * Compiles gnark's verifier source alone.
   *
   * @param circuitId names the source unit
   * @param source gnark's {@code ExportSolidity} output (with or without a provenance header)
   * @return the {@code Verifier} contract
   */
  public static SolidityCompiler.Contract compile(
      ChainToolchain toolchain, String circuitId, String source) {
    if (circuitId == null || !circuitId.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("bad circuit id: " + circuitId);
    }
    String unit = "src/verifiers/" + circuitId + ".sol";
    Map<String, SolidityCompiler.Contract> out =
        new SolidityCompiler(toolchain).compile(Map.of(unit, source));
    SolidityCompiler.Contract v = out.get(unit + ":Verifier");
    if (v == null) {
      throw new SolidityCompiler.CompilationException("no Verifier in " + out.keySet());
    }
    return v;
  }

  /**
   * Deploys a compiled verifier.
   *
   * @return its address
   */
  public static String deploy(
      Web3j web3, Credentials deployer, long chainId, SolidityCompiler.Contract verifier) {
    return SettlementClient.send(
            web3,
            deployer,
            chainId,
            null,
            Numeric.toHexString(verifier.bytecode()),
            new RevertDecoder(verifier.abiJson()))
        .getContractAddress();
  }

  /**
   * Calls {@code verifyProof} (eth_call, no transaction).
   *
   * @param gnarkRawProof gnark's proof bytes (the engine's encoding)
   * @param publicInputs the public inputs, each in {@code [0, r)}
   * @return true when the call returns, false when it reverts (the proof does not verify)
   */
  public static boolean verifyProof(
      Web3j web3, String verifier, byte[] gnarkRawProof, List<BigInteger> publicInputs) {
    Objects.requireNonNull(publicInputs, "publicInputs");
    // verifyProof(bytes proof, uint256[n] input): head = offset of proof, the n input words;
    // tail = proof length (256) and the 256 bytes of the points (EIP-197 order)
    byte[] points = HealthClaim.solidityProof(gnarkRawProof);
    StringBuilder data =
        new StringBuilder(
            Hash.sha3String("verifyProof(bytes,uint256[" + publicInputs.size() + "])")
                .substring(0, 10));
    data.append(
        Numeric.toHexStringNoPrefixZeroPadded(
            BigInteger.valueOf(32L * (1 + publicInputs.size())), 64));
    for (BigInteger x : publicInputs) {
      data.append(Numeric.toHexStringNoPrefixZeroPadded(x, 64));
    }
    data.append(Numeric.toHexStringNoPrefixZeroPadded(BigInteger.valueOf(points.length), 64));
    data.append(Numeric.toHexStringNoPrefix(points));
    try {
      EthCall r =
          web3.ethCall(
                  Transaction.createEthCallTransaction(null, verifier, data.toString()),
                  DefaultBlockParameterName.LATEST)
              .send();
      return !r.hasError() && !r.isReverted();
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }
}
