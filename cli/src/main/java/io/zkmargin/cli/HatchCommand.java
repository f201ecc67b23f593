package io.zkmargin.cli;

import io.zkmargin.chain.ChainException;
import io.zkmargin.chain.EscapeHatchClient;
import io.zkmargin.chain.SettlementClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm hatch request-withdrawal | freeze | status}: a user's side of the escape hatch
 * (verifier-contracts/src/EscapeHatch.sol) without the operator. {@code request-withdrawal} asks
 * the operator, on chain, to withdraw quote atoms of an account to the sender (the account's L1
 * address); a batch must pay it or prove why not within the grace period. {@code freeze} freezes
 * the Settlement once a request is overdue. {@code status} lists the hatch's state and pending
 * requests. Exit 0 when done, 1 when refused (the contract's named error, nothing overdue, already
 * frozen) or the node cannot be reached, 2 on bad usage.
 */
@Command(
    name = "hatch",
    header = "escape hatch: request a forced withdrawal, freeze when a request is overdue, status",
    description = {
      "The escape hatch of a Settlement, for a user who cannot rely on the operator. A forced",
      "withdrawal request names an account and an amount of quote atoms; the operator's next",
      "batches must pay it to the requester (only when the requester is the account's L1 address",
      "and the account meets its initial margin after it) or prove why they refuse it, within the",
      "grace period; the batch proof binds either answer. A request (or a keeper's liquidation",
      "request) left past its deadline lets anyone freeze the Settlement: no batch is accepted any",
      "more and every account exits with ./zkm exit."
    },
    subcommands = {
      HatchCommand.RequestWithdrawal.class,
      HatchCommand.Freeze.class,
      HatchCommand.Status.class
    })
final class HatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return Cli.USAGE_ERROR;
  }

  /** The sender's key option of the commands that send a transaction. */
  static final class FromKey {
    @Option(
        names = {"--from-key", "--key-file"},
        paramLabel = "FILE",
        description =
            "file holding the sender's hex L1 private key (it signs and pays the gas; default:"
                + " anvil's second development account, local chains only)")
    Path keyFile;
  }

  @Command(
      name = "request-withdrawal",
      header = "ask the operator, on chain, for a forced withdrawal of an account's quote atoms",
      description = {
        "Posts requestForcedWithdrawal(account, amount) signed by --from-key: the operator must pay",
        "the amount to the sender within the grace period (if the sender is the account's L1",
        "address and the account keeps its initial margin) or prove in a batch that it may not.",
        "Prints the deadline after which anyone may freeze the Settlement, and the gas."
      })
  static final class RequestWithdrawal implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin ChainOptions chain;
    @Mixin FromKey from;

    @Option(names = "--account", paramLabel = "ID", required = true, description = "the account")
    long accountId;

    @Option(
        names = "--amount",
        paramLabel = "ATOMS",
        required = true,
        description = "quote atoms to withdraw (1 .. 2^63 - 1; USDC: 6 decimals)")
    long amount;

    @Override
    public Integer call() {
      long account = Cli.range(spec, "account", accountId, 0, Long.MAX_VALUE);
      long atoms = Cli.range(spec, "amount", amount, 1, Long.MAX_VALUE);
      Credentials sender = key(from.keyFile, "request-withdrawal");
      if (sender == null) {
        return Cli.USAGE_ERROR;
      }
      try (ChainOptions.Connected c = chain.connectToHatch(sender)) {
        SettlementClient.TxResult tx = c.hatch().requestForcedWithdrawal(account, atoms);
        EscapeHatchClient.PendingRequest r =
            c.hatch().pendingForcedWithdrawal(account).orElseThrow();
        System.out.printf(
            "forced withdrawal of %d quote atoms from account %d requested by %s (tx %s, gas %d)%n",
            atoms, account, r.requester(), tx.hash(), tx.gasUsed());
        System.out.printf(
            "deadline %s (unix %d, grace period %d s): by then a batch must pay it (only to the"
                + " account's L1 address) or prove why not; after it anyone may freeze:"
                + " ./zkm hatch freeze --rpc %s --settlement %s%n",
            Instant.ofEpochSecond(r.deadline()),
            r.deadline(),
            c.hatch().gracePeriod(),
            chain.rpc,
            chain.settlement);
        return 0;
      } catch (ChainException e) {
        System.err.println("zkm hatch request-withdrawal: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "freeze",
      header = "freeze the Settlement with an overdue request (then every account exits)",
      description = {
        "Looks for a pending liquidation or forced-withdrawal request past its deadline (the",
        "hatch's events and state) and calls freeze(account) with the first one found, signed by",
        "--from-key. Names the request it used; says when the first pending request becomes",
        "overdue when none is yet (exit 1). Afterwards accounts exit with ./zkm exit."
      })
  static final class Freeze implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin ChainOptions chain;
    @Mixin FromKey from;

    @Option(
        names = "--from-block",
        paramLabel = "N",
        defaultValue = "0",
        description = "first block searched for requests (default ${DEFAULT-VALUE})")
    long fromBlock;

    @Override
    public Integer call() {
      long first = Cli.range(spec, "from-block", fromBlock, 0, Long.MAX_VALUE);
      Credentials sender = key(from.keyFile, "freeze");
      if (sender == null) {
        return Cli.USAGE_ERROR;
      }
      try (ChainOptions.Connected c = chain.connectToHatch(sender)) {
        EscapeHatchClient h = c.hatch();
        if (h.isFrozen()) {
          System.err.println(
              "zkm hatch freeze: the Settlement is already frozen (exit state root "
                  + h.exitStateRoot()
                  + ")");
          return 1;
        }
        List<Pending> pending = pending(h, first);
        Optional<Pending> overdue =
            pending.stream().filter(p -> h.overdue(p.accountId())).findFirst();
        if (overdue.isEmpty()) {
          long now = h.chainTime();
          if (pending.isEmpty()) {
            System.err.println("zkm hatch freeze: no request is pending, none is overdue");
          } else {
            Pending next = pending.get(0);
            System.err.printf(
                "zkm hatch freeze: none is overdue; the first, %s, is overdue after %s (in %d s)%n",
                next, Instant.ofEpochSecond(next.deadline()), Math.max(0, next.deadline() - now));
          }
          return 1;
        }
        Pending p = overdue.get();
        SettlementClient.TxResult tx = h.freeze(p.accountId());
        System.out.printf(
            "frozen with %s, overdue since %s (tx %s, gas %d)%n",
            p, Instant.ofEpochSecond(p.deadline()), tx.hash(), tx.gasUsed());
        System.out.printf(
            "exit state root %s, exit risk root %s, exit pool %s quote atoms: each account exits"
                + " once with ./zkm exit%n",
            h.exitStateRoot(), h.exitRiskRoot(), h.exitPool());
        return 0;
      } catch (ChainException e) {
        System.err.println("zkm hatch freeze: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "status",
      header = "the escape hatch: frozen or not, grace period, pending requests and deadlines",
      description = {
        "Prints whether the Settlement is frozen (then the exit roots and pool), the grace period,",
        "the chain's time, and every pending liquidation and forced-withdrawal request with its",
        "deadline (overdue or in how long). With --account, that account only, with the requests",
        "batches have already cleared."
      })
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin ChainOptions chain;

    @Option(names = "--account", paramLabel = "ID", description = "one account only")
    Long accountId;

    @Option(
        names = "--from-block",
        paramLabel = "N",
        defaultValue = "0",
        description = "first block searched for requests (default ${DEFAULT-VALUE})")
    long fromBlock;

    @Override
    public Integer call() {
      long first = Cli.range(spec, "from-block", fromBlock, 0, Long.MAX_VALUE);
      if (accountId != null) {
        Cli.range(spec, "account", accountId, 0, Long.MAX_VALUE);
      }
      Credentials reader;
      try {
        reader = Cli.loadL1Key(null); // calls only: any address
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      try (ChainOptions.Connected c = chain.connectToHatch(reader)) {
        EscapeHatchClient h = c.hatch();
        long now = h.chainTime();
        System.out.printf(
            "escape hatch %s of Settlement %s: %s; grace period %d s; chain time %s (unix %d);"
                + " batch %d%n",
            h.address(),
            chain.settlement,
            h.isFrozen() ? "FROZEN" : "not frozen",
            h.gracePeriod(),
            Instant.ofEpochSecond(now),
            now,
            c.settlement().batchNumber());
        if (h.isFrozen()) {
          System.out.printf(
              "exit state root %s, exit risk root %s, exit pool %s quote atoms%n",
              h.exitStateRoot(), h.exitRiskRoot(), h.exitPool());
        }
        List<Pending> pending = pending(h, first);
        int shown = 0;
        for (Pending p : pending) {
          if (accountId == null || p.accountId() == accountId) {
            System.out.printf("pending %s: %s%n", p, due(p.deadline(), now, h.isFrozen()));
            shown++;
          }
        }
        if (shown == 0) {
          System.out.println(
              accountId == null
                  ? "no pending request"
                  : "no pending request of account " + accountId);
        }
        if (accountId != null) {
          for (EscapeHatchClient.ForcedWithdrawalRequest r :
              h.forcedWithdrawalRequests(first, -1)) {
            if (r.accountId() == accountId && !r.pending()) {
              System.out.printf(
                  "cleared forced withdrawal of account %d: %d quote atoms by %s (requested in"
                      + " block %d): a batch paid or refused it%n",
                  r.accountId(), r.amount(), r.requester(), r.blockNumber());
            }
          }
        }
        return 0;
      } catch (ChainException e) {
        System.err.println("zkm hatch status: " + e.getMessage());
        return 1;
      }
    }
  }

  /**
   * A pending request.
   *
   * @param kind "liquidation" or "forced withdrawal"
   * @param party the keeper or the requester
   * @param amount quote atoms (forced withdrawal), 0 for a liquidation
   * @param deadline unix seconds
   */
  record Pending(String kind, long accountId, String party, long amount, long deadline) {
    @Override
    public String toString() {
      return kind.equals("liquidation")
          ? "liquidation request of account " + accountId + " by keeper " + party
          : "forced withdrawal of account "
              + accountId
              + ": "
              + amount
              + " quote atoms to "
              + party;
    }
  }

  /**
   * The hatch's pending requests (liquidations and forced withdrawals requested from block {@code
   * fromBlock} on and not cleared), earliest deadline first.
   */
  static List<Pending> pending(EscapeHatchClient h, long fromBlock) {
    List<Pending> out = new ArrayList<>();
    Map<Long, EscapeHatchClient.LiquidationRequest> latest = new LinkedHashMap<>();
    for (EscapeHatchClient.LiquidationRequest r : h.liquidationRequests(fromBlock)) {
      latest.put(r.accountId(), r); // a later request of the account replaces a cleared one
    }
    for (EscapeHatchClient.LiquidationRequest r : latest.values()) {
      Optional<EscapeHatchClient.PendingRequest> now = h.pendingLiquidation(r.accountId());
      if (now.isPresent()
          && now.get().deadline() == r.deadline()
          && now.get().requester().equals(r.keeper())) {
        out.add(new Pending("liquidation", r.accountId(), r.keeper(), 0, r.deadline()));
      }
    }
    for (EscapeHatchClient.ForcedWithdrawalRequest r : h.forcedWithdrawalRequests(fromBlock, -1)) {
      if (r.pending()) {
        out.add(
            new Pending(
                "forced withdrawal", r.accountId(), r.requester(), r.amount(), r.deadline()));
      }
    }
    out.sort(Comparator.comparingLong(Pending::deadline));
    return out;
  }

  private static String due(long deadline, long now, boolean frozen) {
    return now > deadline
        ? "deadline "
            + Instant.ofEpochSecond(deadline)
            + (frozen ? ", passed" : ", OVERDUE: anyone may freeze")
        : "deadline " + Instant.ofEpochSecond(deadline) + " (in " + (deadline - now) + " s)";
  }

  /** The sender's key, or null after printing why it cannot be read. */
  private static Credentials key(Path file, String command) {
    try {
      return Cli.loadL1Key(file);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("zkm hatch " + command + ": " + e.getMessage());
      return null;
    }
  }
}
