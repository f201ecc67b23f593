package io.zkmargin.chain;

import java.util.Map;
import java.util.Objects;

/**
 * Compiles the settlement contract together with a gnark-exported health verifier and the local
 * chain's quote token.
 *
 * @param settlement {@code Settlement}
 * @param verifier gnark's {@code Verifier} for one verifying key
 * @param quoteToken {@code QuoteToken} (ERC-20, 6 decimals, deployer mints): the quote asset on a
 *     local chain
 */
public record ChainContracts(
    SolidityCompiler.Contract settlement,
    SolidityCompiler.Contract verifier,
    SolidityCompiler.Contract quoteToken) {

  public ChainContracts {
    Objects.requireNonNull(settlement, "settlement");
    Objects.requireNonNull(verifier, "verifier");
    Objects.requireNonNull(quoteToken, "quoteToken");
  }

  /**
   * @param toolchain the contracts' toolchain (sources are read from its directory)
   * @param circuitId the circuit the verifier belongs to (names its source unit)
   * @param verifierSource gnark's {@code ExportSolidity} output for the circuit's verifying key
   */
  public static ChainContracts compile(
      ChainToolchain toolchain, String circuitId, String verifierSource) {
    Objects.requireNonNull(verifierSource, "verifierSource");
    if (circuitId == null || !circuitId.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("bad circuit id: " + circuitId);
    }
    String unit = "src/verifiers/" + circuitId + ".sol";
    Map<String, SolidityCompiler.Contract> out =
        new SolidityCompiler(toolchain)
            .compile(
                Map.of(
                    "src/Settlement.sol",
                    toolchain.source("src/Settlement.sol"),
                    "src/IHealthVerifier.sol",
                    toolchain.source("src/IHealthVerifier.sol"),
                    "src/QuoteToken.sol",
                    toolchain.source("src/QuoteToken.sol"),
                    unit,
                    verifierSource));
    SolidityCompiler.Contract s = out.get("src/Settlement.sol:Settlement");
    SolidityCompiler.Contract v = out.get(unit + ":Verifier");
    SolidityCompiler.Contract t = out.get("src/QuoteToken.sol:QuoteToken");
    if (s == null || v == null || t == null) {
      throw new SolidityCompiler.CompilationException(
          "expected contracts Settlement, Verifier and QuoteToken, got " + out.keySet());
    }
    return new ChainContracts(s, v, t);
  }

  /**
   * Compiles one gnark-exported verifier alone (e.g. the batch circuit's, whose address the
   * Settlement's genesis names).
   *
   * @param circuitId the circuit (names the source unit)
   * @param verifierSource gnark's {@code ExportSolidity} output
   */
  public static SolidityCompiler.Contract compileVerifier(
      ChainToolchain toolchain, String circuitId, String verifierSource) {
    Objects.requireNonNull(verifierSource, "verifierSource");
    if (circuitId == null || !circuitId.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("bad circuit id: " + circuitId);
    }
    String unit = "src/verifiers/" + circuitId + ".sol";
    SolidityCompiler.Contract v =
        new SolidityCompiler(toolchain)
            .compile(Map.of(unit, verifierSource))
            .get(unit + ":Verifier");
    if (v == null) {
      throw new SolidityCompiler.CompilationException("no contract Verifier in " + unit);
    }
    return v;
  }
}
