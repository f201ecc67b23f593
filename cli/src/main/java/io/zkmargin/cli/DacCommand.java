package io.zkmargin.cli;

import io.grpc.StatusRuntimeException;
import io.zkmargin.api.v1.GetAccountResponse;
import io.zkmargin.api.v1.GetStatusResponse;
import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.LocalChain;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.dac.DacClient;
import io.zkmargin.dac.DacMember;
import io.zkmargin.dac.DacServer;
import io.zkmargin.dac.Genesis;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm dac serve|account|status}: a data-availability committee member and its readers (see
 * {@link io.zkmargin.dac.DacServer}). Exit 0 on success, 1 on a failed task, 2 on bad usage.
 */
@Command(
    name = "dac",
    description = "data-availability committee: run a member, read an account or a member's status",
    subcommands = {DacCommand.Serve.class, DacCommand.Account.class, DacCommand.Status.class},
    footer = {
      "",
      "A member endpoint is HOST:PORT (plaintext, loopback members) or HOST:PORT@CERT (TLS, pinning the",
      "member's certificate, its DIR/tls/server.crt)."
    })
public final class DacCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return Cli.USAGE_ERROR;
  }

  @Command(
      name = "serve",
      header = "run a committee member: check, replay, store and sign batches",
      description = {
        "run a data-availability committee member on its data directory: it checks every batch the",
        "operator submits against its own copy of the account tree (old root, data hash, risk rows,",
        "every transition replayed with the Java ledger, new root, withdrawals and deposit hashes),",
        "stores it durably (DIR/batches/NNNNNN.json) and only then signs BatchData for Settlement.",
        "First start: --genesis (a venue directory, e.g. ./demo, or a genesis JSON file) and the",
        "Settlement it signs for (--settlement, --chain-id; taken from the venue's chain.json when",
        "there is one). The key DIR/member.key is made on first start (its address is printed: put it",
        "in the Settlement's committee). Later starts replay DIR/batches and check the root. Stop with",
        "Ctrl-C or SIGTERM"
      })
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        required = true,
        description = "the member's data directory")
    Path data;

    @Option(
        names = "--genesis",
        paramLabel = "PATH",
        description = "first start: a venue directory (its accounts) or a genesis JSON file")
    Path genesis;

    @Option(
        names = "--settlement",
        paramLabel = "ADDR",
        description = "first start: the Settlement address whose EIP-712 domain it signs in")
    String settlement;

    @Option(
        names = "--chain-id",
        paramLabel = "N",
        description = "first start: the chain id (default: the venue's chain.json, else 31337)")
    Long chainId;

    @Option(
        names = "--bind",
        paramLabel = "ADDR",
        defaultValue = "127.0.0.1",
        description = "address to listen on (default 127.0.0.1)")
    String bind;

    @Option(
        names = "--port",
        paramLabel = "PORT",
        defaultValue = "50071",
        description = "port (default 50071; 0: any free port, printed)")
    long port;

    @Option(
        names = "--plaintext",
        description = "no TLS (only on a loopback --bind); default: TLS with DIR/tls/server.crt")
    boolean plaintext;

    @Override
    public Integer call() throws InterruptedException {
      Cli.range(spec, "port", port, 0, 65535);
      DacServer server;
      try {
        Genesis g = null;
        String addr = settlement;
        long chain = chainId == null ? 0 : chainId;
        if (genesis != null) {
          if (Files.isDirectory(genesis)) {
            g = Genesis.of(VenueStore.load(genesis));
            Optional<LocalChain.State> st = LocalChain.readState(genesis);
            if (st.isPresent()) {
              addr = addr == null ? st.get().settlement() : addr;
              chain = chain == 0 ? st.get().chainId() : chain;
            }
          } else {
            g = Genesis.fromJson(Files.readAllBytes(genesis));
          }
        }
        if (!Files.isRegularFile(data.resolve("member.json")) && chain == 0) {
          chain = AnvilNode.CHAIN_ID;
        }
        DacMember m = DacMember.open(data, g, chain, addr, System.out);
        server = DacServer.start(m, bind, (int) port, plaintext, System.out);
      } catch (IOException | RuntimeException e) {
        System.err.println("zkm dac serve: " + e.getMessage());
        return 1;
      }
      System.out.println(
          "dac: member address "
              + server.member().signer()
              + " at batch "
              + server.member().latestBatch()
              + "; endpoint "
              + server.endpoint());
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    System.out.println("dac: stopping");
                    server.close();
                    stop.countDown();
                  }));
      stop.await();
      return 0;
    }
  }

  /** {@code --dac HOST:PORT[@CERT]}. */
  static final class DacOption {
    @Option(
        names = "--dac",
        paramLabel = "HOST:PORT[@CERT]",
        required = true,
        description = "a committee member (HOST:PORT plaintext, HOST:PORT@CERT TLS)")
    String dac;

    DacClient connect() throws IOException {
      return DacClient.connect(DacClient.Endpoint.parse(dac));
    }
  }

  @Command(
      name = "account",
      header = "an account's leaf and Merkle path at a member's latest batch (checked)",
      description = {
        "fetch an account's leaf (owner key, L1 address, orders root, words) and Merkle path from a",
        "committee member, check that the path leads from the leaf to the member's root, and print them"
      })
  static final class Account implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin DacOption dac;

    @Option(names = "--account", paramLabel = "N", required = true, description = "the account id")
    long account;

    @Override
    public Integer call() {
      Cli.range(spec, "account", account, 0, Long.MAX_VALUE);
      try (DacClient c = dac.connect()) {
        GetAccountResponse a = c.account(account);
        BigInteger leaf = new BigInteger(a.getLeafHash());
        BigInteger[] path =
            a.getPathList().stream().map(BigInteger::new).toArray(BigInteger[]::new);
        boolean ok = SparseMerkleTree.verify(new BigInteger(a.getRoot()), leaf, account, path);
        System.out.println("account " + account + " at batch " + a.getBatchNumber());
        System.out.println("  ownerPk     (" + a.getOwnerPkX() + ", " + a.getOwnerPkY() + ")");
        System.out.println("  l1Address   0x" + new BigInteger(a.getL1Address()).toString(16));
        System.out.println("  ordersRoot  " + a.getOrdersRoot());
        System.out.println("  words       " + a.getWordsList());
        System.out.println("  leaf        " + a.getLeafHash());
        for (int i = 0; i < path.length; i++) {
          System.out.println("  path[" + i + "]     " + path[i]);
        }
        System.out.println("  root        " + a.getRoot());
        System.out.println(
            ok
                ? "path verifies: the leaf is in the member's tree at root " + a.getRoot()
                : "PATH DOES NOT VERIFY against the member's root");
        return ok ? 0 : 1;
      } catch (StatusRuntimeException e) {
        System.err.println(
            "zkm dac account: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
        return 1;
      } catch (IOException | RuntimeException e) {
        System.err.println("zkm dac account: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "status", description = "a member's address, domain, latest batch and root")
  static final class Status implements Callable<Integer> {
    @Mixin Cli.HelpOption help;
    @Mixin DacOption dac;

    @Override
    public Integer call() {
      try (DacClient c = dac.connect()) {
        GetStatusResponse s = c.status();
        System.out.println("member      " + s.getSigner());
        System.out.println(
            "signs for   Settlement " + s.getSettlement() + " on chain " + s.getChainId());
        System.out.println("sizes       " + s.getSizes());
        System.out.println("latest      batch " + s.getLatestBatch());
        System.out.println("root        " + s.getRoot());
        System.out.println("depositHead " + s.getDepositHead());
        return 0;
      } catch (StatusRuntimeException e) {
        System.err.println(
            "zkm dac status: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
        return 1;
      } catch (IOException | RuntimeException e) {
        System.err.println("zkm dac status: " + e.getMessage());
        return 1;
      }
    }
  }
}
