package io.zkmargin.cli;

import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainException;
import io.zkmargin.chain.EscapeHatchClient;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofFile.MalformedProofException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm exit --rpc URL --settlement ADDR --account ID --proof FILE --key-file KEY}: submits
 * a prepared exit proof to the escape hatch of a frozen Settlement ({@link
 * EscapeHatchClient#exitWithProof}); the contract pays the proven payout to the account's L1
 * address. Exit 0 when paid, 1 when the chain refuses (the contract's error is named), 2 on bad
 * usage. Building the proof from DAC data is not done here (it needs a Java exit prover).
 */
@Command(
    name = "exit",
    header = "submit an exit proof to a frozen Settlement's escape hatch",
    description = {
      "After the Settlement is frozen (a forced request left past its deadline), pays an account's",
      "proven equity to its L1 address: submits FILE, a proof file of the exit circuit (public",
      "inputs stateRoot, riskRoot, accountId, l1Address, payout), to the Settlement's escape hatch.",
      "The transaction is signed by the key in KEY (hex private key; anyone may submit, the payout",
      "goes to the address in the proof)."
    })
final class ExitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  @Option(names = "--rpc", paramLabel = "URL", required = true, description = "JSON-RPC endpoint")
  String rpc;

  @Option(
      names = "--settlement",
      paramLabel = "ADDR",
      required = true,
      description = "the Settlement contract's address")
  String settlement;

  @Option(names = "--account", paramLabel = "ID", required = true, description = "the account id")
  long accountId;

  @Option(names = "--proof", paramLabel = "FILE", required = true, description = "exit proof file")
  Path proofFile;

  @Option(
      names = "--key-file",
      paramLabel = "KEY",
      required = true,
      description = "file holding the sender's hex private key (it pays the gas)")
  Path keyFile;

  @Override
  public Integer call() {
    long account = Cli.range(spec, "account", accountId, 0, Long.MAX_VALUE);
    if (!settlement.matches("0x[0-9a-fA-F]{40}")) {
      System.err.println("zkm exit: --settlement must be a 0x-prefixed 20-byte address");
      return Cli.USAGE_ERROR;
    }
    ProofFile proof;
    Credentials sender;
    try {
      proof = ProofFile.read(proofFile);
      String key = Files.readString(keyFile, StandardCharsets.US_ASCII).strip();
      if (!key.matches("(0x)?[0-9a-fA-F]{64}")) {
        System.err.println("zkm exit: " + keyFile + " does not hold a 32-byte hex private key");
        return Cli.USAGE_ERROR;
      }
      sender = Credentials.create(key);
    } catch (IOException | MalformedProofException e) {
      System.err.println("zkm exit: " + e.getMessage());
      return Cli.USAGE_ERROR;
    }
    if (!proof.circuitId().startsWith("exit-") || proof.publicInputs().size() != 5) {
      System.err.println(
          "zkm exit: " + proofFile + " is not an exit proof (" + proof.circuitId() + ")");
      return Cli.USAGE_ERROR;
    }
    if (!proof.publicInputs().get(2).equals(java.math.BigInteger.valueOf(account))) {
      System.err.println(
          "zkm exit: "
              + proofFile
              + " exits account "
              + proof.publicInputs().get(2)
              + ", not "
              + account);
      return Cli.USAGE_ERROR;
    }
    Optional<Long> chainId = AnvilNode.chainId(rpc);
    if (chainId.isEmpty()) {
      System.err.println("zkm exit: no JSON-RPC node answers at " + rpc);
      return 1;
    }
    Web3j web3 = SettlementClient.connect(rpc);
    try {
      EscapeHatchClient.ExitResult r =
          EscapeHatchClient.exitWithProof(web3, sender, chainId.get(), settlement, proof, account);
      for (EscapeHatchClient.Exit e : r.exits()) {
        System.out.printf(
            "account %d exited: paid %s of %s quote atoms to %s (tx %s, gas %d)%n",
            e.accountId(), e.paid(), e.payout(), e.l1Address(), r.tx().hash(), r.tx().gasUsed());
      }
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("zkm exit: " + e.getMessage());
      return Cli.USAGE_ERROR;
    } catch (ChainException e) {
      System.err.println("zkm exit: " + e.getMessage());
      return 1;
    } finally {
      web3.shutdown();
    }
  }
}
