package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.api.v1.AccountMargin;
import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainToolchain;
import io.zkmargin.chain.LocalChain;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.chain.SolidityCompiler;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.ServiceLogging;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginSummary;
import io.zkmargin.store.VenueRepository;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import picocli.CommandLine;

/**
 * One state (issue 9): {@code ./zkm serve} on its embedded PostgreSQL, a real anvil and real
 * test-size proofs. A withdrawal is sequenced, proven and finalized by the operator; the database
 * then holds the batch, and {@code GetAccountMargin} and a health proof of the account are about
 * the new balance, at the Settlement's current state root, and the proof verifies on chain. After a
 * restart (serve's chain is a new one) the new Settlement's genesis root is that finalized state.
 */
class ServeOneStateTest {

  private static final long AMOUNT = 1_000; // quote atoms withdrawn

  @Test
  void aFinalizedBatchIsTheStateHealthProofsAreAbout(@TempDir Path dir) throws Exception {
    ServiceLogging.quiet(true);
    String[] argv = {
      "--data",
      dir.toString(),
      "--port",
      "0",
      "--metrics-port",
      "-1",
      "--dashboard-port",
      "-1",
      "--batch-interval",
      "1"
    };
    CommandLine cl = Cli.configure(new CommandLine(new ServeCommand()));
    cl.parseArgs(argv);
    ServeCommand serve = cl.getCommand();
    ZkmServer server = serve.start();
    boolean chain = false;
    String deployment;
    try {
      chain = serve.startChainAndOperator(server);
      assertTrue(chain, "the local chain and the operator start");
      PoolBackend pool = serve.pool;
      BigInteger genesisRoot = pool.stateRoot();
      assertEquals(genesisRoot, settlementRoot(dir), "the chain's genesis is the database's state");

      // the account with the most room above its initial margin (not the fee account 0)
      long account = -1;
      long room = Long.MIN_VALUE;
      for (Map.Entry<Long, AccountLeaf> e : pool.current().venue().accounts().entrySet()) {
        MarginSummary m = pool.margin(e.getKey()).margin();
        if (e.getKey() != 0 && m.equity() - m.initialMargin() > room) {
          room = m.equity() - m.initialMargin();
          account = e.getKey();
        }
      }
      long balanceBefore = pool.account(account).orElseThrow().balances()[0];
      String target = "localhost:" + server.port();
      ZkmClient client = ZkmClient.connectTls(target, dir.resolve("tls").resolve("server.crt"));
      RequestSigner signer =
          new RequestSigner(
              new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, account)), client.serviceId());
      AccountMargin before = client.getAccountMargin(account, signer, Duration.ofSeconds(60));

      Captured w =
          Captured.zkm(
              "operator",
              "submit",
              "withdraw",
              "--target",
              target,
              "--data",
              dir.toString(),
              "--account",
              String.valueOf(account),
              "--amount",
              String.valueOf(AMOUNT));
      assertEquals(0, w.exit(), w.out() + w.err());

      // the batch is cut after 1 s, proven, signed by the committee, finalized, written back
      long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
      while (pool.stateRoot().equals(genesisRoot)) {
        assertTrue(System.nanoTime() < deadline, "no finalized batch reached the database");
        Thread.sleep(500);
      }
      BigInteger root = pool.stateRoot();
      assertEquals(settlementRoot(dir), root, "the database holds the chain's current root");
      VenueRepository repo = new VenueRepository(pool.database().dataSource());
      assertEquals(1, repo.batchPosition().orElseThrow().batch(), "batch 1 recorded");

      AccountLeaf leaf = pool.account(account).orElseThrow();
      assertEquals(balanceBefore - AMOUNT, leaf.balances()[0], "the withdrawal is in the database");
      AccountMargin after = client.getAccountMargin(account, signer, Duration.ofSeconds(60));
      long expected =
          MarginCalculator.DEFAULT
              .evaluate(pool.current().venue().riskVector(), leaf)
              .summary()
              .equity();
      assertEquals(expected, after.getEquityQuoteAtoms(), "GetAccountMargin at the new balance");
      assertNotEquals(before.getEquityQuoteAtoms(), after.getEquityQuoteAtoms());
      assertEquals(root.toString(), after.getStateRoot());

      Path out = dir.resolve("p.json");
      Captured p =
          Captured.zkm(
              "client",
              "prove-health",
              "--target",
              target,
              "--data",
              dir.toString(),
              "--account",
              String.valueOf(account),
              "--threshold-bps",
              "10000",
              "--out",
              out.toString());
      assertEquals(0, p.exit(), p.out() + p.err());
      ProofFile proof = ProofFile.read(out);
      assertEquals(
          settlementRoot(dir), proof.publicInputs().get(0), "proven at the chain's current root");
      LocalChain.OnChainVerdict v = LocalChain.verify(dir, proof, -1, ChainToolchain.locate());
      assertTrue(v.valid(), v.message());
      client.close();
      deployment = repo.batchPosition().orElseThrow().deployment();
    } finally {
      server.close();
      if (chain) {
        ChainCommand.down(dir);
      }
    }

    // restart: serve's chain is new; its genesis, and the operator's, is the database's state
    CommandLine cl2 = Cli.configure(new CommandLine(new ServeCommand()));
    cl2.parseArgs(argv);
    ServeCommand again = cl2.getCommand();
    server = again.start();
    chain = false;
    try {
      BigInteger root = again.pool.stateRoot();
      chain = again.startChainAndOperator(server);
      assertTrue(chain);
      assertEquals(root, settlementRoot(dir), "the new Settlement starts at the finalized state");
      VenueRepository.BatchPosition at =
          new VenueRepository(again.pool.database().dataSource()).batchPosition().orElseThrow();
      assertEquals(0, at.batch(), "batch 0 of the new deployment");
      assertNotEquals(deployment, at.deployment());
    } finally {
      server.close();
      if (chain) {
        ChainCommand.down(dir);
      }
    }
  }

  /** The Settlement's current state root, read from the local chain. */
  private static BigInteger settlementRoot(Path dir) throws Exception {
    LocalChain.State s = LocalChain.readState(dir).orElseThrow();
    ChainToolchain tc = ChainToolchain.locate();
    String abi =
        new SolidityCompiler(tc)
            .compile(
                Map.of(
                    "src/Settlement.sol", tc.source("src/Settlement.sol"),
                    "src/IHealthVerifier.sol", tc.source("src/IHealthVerifier.sol")))
            .get("src/Settlement.sol:Settlement")
            .abiJson();
    Web3j web3 = SettlementClient.connect(s.rpcUrl());
    try {
      return new SettlementClient(
              web3, Credentials.create(AnvilNode.DEV_KEY_0), s.chainId(), s.settlement(), abi)
          .stateRoot();
    } finally {
      web3.shutdown();
    }
  }
}
