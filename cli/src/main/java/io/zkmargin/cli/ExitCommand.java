package io.zkmargin.cli;

import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainException;
import io.zkmargin.chain.EscapeHatchClient;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.dac.DacClient;
import io.zkmargin.operator.escape.AccountExit;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.ExitProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofFile.MalformedProofException;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
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
 * {@code ./zkm exit --rpc URL --settlement ADDR --account ID (--dac HOST:PORT | --proof FILE)
 * [--from-key FILE]}: exits an account from a frozen Settlement's escape hatch. With {@code --dac}
 * it builds the exit proof from the committee's data ({@link AccountExit}: the leaf and path from a
 * member, checked against the hatch's exit state root; the risk entries at the exit risk root from
 * the committee's batch rows or {@code --oracle-vector}; proven through JNI); with {@code --proof}
 * it submits a prepared proof file. The contract pays the proven payout to the account's L1
 * address. Exit 0 when paid, 1 when refused (not frozen, already exited, root mismatch, unknown
 * account, or the contract's named error), 2 on bad usage.
 */
@Command(
    name = "exit",
    header = "exit an account from a frozen Settlement's escape hatch (proof built from DAC data)",
    description = {
      "After the Settlement is frozen (a forced request left past its deadline), pays an account's",
      "proven equity floor(max(0, E) / 10^9) quote atoms to its L1 address. With --dac the exit",
      "proof is built from a committee member's data: the account's leaf and Merkle path at the",
      "last finalized batch (checked against the contract's exit state root), the risk entries of",
      "its positions and the globals at the last posted risk root (from the committee's batch data",
      "at that root, or --oracle-vector when no batch carries them), proven through the native",
      "library. With --proof FILE a prepared exit proof is submitted. The transaction is signed by",
      "the key in --from-key (anyone may submit: the payout goes to the leaf's address)."
    })
final class ExitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;
  @Mixin Cli.DevKeysOption devKeys;

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

  @Option(
      names = "--dac",
      paramLabel = "HOST:PORT",
      description =
          "a committee member (HOST:PORT, or HOST:PORT@CERT for TLS): build the proof from its data")
  String dac;

  @Option(
      names = "--proof",
      paramLabel = "FILE",
      description = "a prepared exit proof file to submit instead")
  Path proofFile;

  @Option(
      names = "--oracle-vector",
      paramLabel = "DIR",
      description = {
        "a folder holding the oracle's published risk vector (venue.json, e.g. the demo folder):",
        "used when it commits to the exit risk root (else the committee's batch rows are used)"
      })
  Path oracleVector;

  @Option(
      names = {"--from-key", "--key-file"},
      paramLabel = "FILE",
      description =
          "file holding the sender's hex private key (it pays the gas; default: anvil's second"
              + " development account, local chains only)")
  Path keyFile;

  @Option(
      names = "--keys",
      paramLabel = "KEYDIR",
      description = "proving key cache (default $ZKM_KEYS, else <repo>/target/zkm-keys)")
  String keysDir;

  @Override
  public Integer call() {
    long account = Cli.range(spec, "account", accountId, 0, Long.MAX_VALUE);
    if (!settlement.matches("0x[0-9a-fA-F]{40}")) {
      System.err.println("zkm exit: --settlement must be a 0x-prefixed 20-byte address");
      return Cli.USAGE_ERROR;
    }
    if ((dac == null) == (proofFile == null)) {
      System.err.println("zkm exit: give exactly one of --dac HOST:PORT and --proof FILE");
      return Cli.USAGE_ERROR;
    }
    Credentials sender;
    try {
      sender = Cli.loadL1Key(keyFile);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("zkm exit: " + e.getMessage());
      return Cli.USAGE_ERROR;
    }
    Optional<Long> chainId = AnvilNode.chainId(rpc);
    if (chainId.isEmpty()) {
      System.err.println("zkm exit: no JSON-RPC node answers at " + rpc);
      return 1;
    }
    Web3j web3 = SettlementClient.connect(rpc);
    try {
      return proofFile != null
          ? submitFile(web3, sender, chainId.get(), account)
          : fromDac(web3, sender, chainId.get(), account);
    } finally {
      web3.shutdown();
    }
  }

  private int fromDac(Web3j web3, Credentials sender, long chainId, long account) {
    RiskCommitment vector = null;
    if (oracleVector != null) {
      try {
        vector = new CommittedVenue(VenueStore.load(oracleVector)).risk();
      } catch (IOException e) {
        System.err.println("zkm exit: --oracle-vector: " + e.getMessage());
        return Cli.USAGE_ERROR;
      }
    }
    DacClient.Endpoint endpoint;
    try {
      endpoint = DacClient.Endpoint.parse(dac);
    } catch (IllegalArgumentException e) {
      System.err.println("zkm exit: --dac: " + e.getMessage());
      return Cli.USAGE_ERROR;
    }
    long t0 = System.nanoTime();
    try (KeyStore keys = devKeys.open(keysDir, oracleVector);
        DacClient member = DacClient.connect(endpoint)) {
      AccountExit exit = new AccountExit(web3, sender, chainId, settlement, keys);
      AccountExit.Prepared p = exit.prepare(member, account, vector);
      System.out.printf(
          "account %d: leaf at batch %d from %s, risk entries from %s; equity %s nano quote atoms,"
              + " payout %s quote atoms to 0x%040x; proven in %.1f s%n",
          account,
          p.dacBatch(),
          endpoint,
          p.riskSource(),
          p.equityNano(),
          p.payout(),
          p.l1Address(),
          (System.nanoTime() - t0) / 1e9);
      return printed(exit.submit(p));
    } catch (AccountExit.ExitRefusedException e) {
      System.err.println("zkm exit: " + e.reason() + ": " + e.getMessage());
      return 1;
    } catch (ChainException e) {
      System.err.println("zkm exit: " + e.getMessage());
      return 1;
    } catch (IOException | RuntimeException e) {
      System.err.println("zkm exit: " + e.getMessage());
      return 1;
    }
  }

  private int submitFile(Web3j web3, Credentials sender, long chainId, long account) {
    ProofFile proof;
    try {
      proof = ProofFile.read(proofFile);
    } catch (IOException | MalformedProofException e) {
      System.err.println("zkm exit: " + e.getMessage());
      return Cli.USAGE_ERROR;
    }
    if (!proof.circuitId().startsWith("exit-")
        || proof.publicInputs().size() != ExitProver.PUBLIC_INPUTS) {
      System.err.println(
          "zkm exit: " + proofFile + " is not an exit proof (" + proof.circuitId() + ")");
      return Cli.USAGE_ERROR;
    }
    try {
      return printed(
          EscapeHatchClient.exitWithProof(web3, sender, chainId, settlement, proof, account));
    } catch (IllegalArgumentException e) {
      System.err.println("zkm exit: " + e.getMessage());
      return Cli.USAGE_ERROR;
    } catch (ChainException e) {
      System.err.println("zkm exit: " + e.getMessage());
      return 1;
    }
  }

  private static int printed(EscapeHatchClient.ExitResult r) {
    for (EscapeHatchClient.Exit e : r.exits()) {
      System.out.printf(
          "account %d exited: paid %s of %s quote atoms to %s (tx %s, gas %d)%n",
          e.accountId(), e.paid(), e.payout(), e.l1Address(), r.tx().hash(), r.tx().gasUsed());
    }
    return 0;
  }
}
