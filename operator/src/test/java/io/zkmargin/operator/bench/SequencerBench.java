package io.zkmargin.operator.bench;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.LedgerConfig;
import io.zkmargin.ledger.Rule;
import io.zkmargin.operator.FileTransitionLog;
import io.zkmargin.operator.Sequencer;
import io.zkmargin.operator.Transition;
import io.zkmargin.risk.vector.RiskGlobals;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sequencer throughput (not a test): transitions per second through {@link Sequencer#submit} at the
 * production sizes (D32 .. K8 L4, batches of N = 16, R = 16), each one applied by the Java ledger,
 * recorded in the batch witness (old leaf, Merkle path, tree update: Poseidon2) and appended to the
 * fsynced transition log, a batch cut every 16 (the witness finished, the next batch's tree built);
 * signatures checked apart (the sequencer's verifier accepts all; a real one runs them before, on
 * other cores). No prover, no chain. Prints the figure with and without the fsync of each record
 * (the log on a tmpfs-like folder is the second).
 *
 * <pre>
 *   mvn -B -q -pl operator -am test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.zkmargin.operator.bench.SequencerBench [-Dexec.args="ACCOUNTS SECONDS"]
 * </pre>
 */
public final class SequencerBench {
  private SequencerBench() {}

  /** Entry point: arguments accounts (default 1000) and seconds per run (default 10). */
  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path dir = Files.createTempDirectory("zkm-seq-bench");
    run(dir.resolve("warmup.log"), accounts, Math.max(2, seconds / 3));
    double[] tps = run(dir.resolve("transitions.log"), accounts, seconds);
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm)) {
      Path d = Files.createTempDirectory(shm, "zkm-seq-bench");
      double[] mem = run(d.resolve("transitions.log"), accounts, seconds);
      System.out.printf(
          "zkm: sequencer %.0f transitions/s (log in memory, /dev/shm: fsync costs nothing);"
              + " %.0f per second of the submitting thread's CPU time%n",
          mem[0], mem[1]);
    }
    System.out.printf(
        "zkm: ledger alone %.0f transitions/s (the same transfers and withdrawals through"
            + " Ledger.transfer/withdraw: no witness, no log)%n",
        ledgerOnly(accounts, seconds));
    System.out.printf(
        "zkm: sequencer %.0f transitions/s (production sizes, N=16 R=16, %d accounts, witness"
            + " recorded, log fsynced per transition on %s, signatures apart); %.0f per second of"
            + " the submitting thread's CPU time%n",
        tps[0], accounts, dir, tps[1]);
  }

  private static double ledgerOnly(int accounts, int seconds) {
    Ledger l = genesis(accounts);
    l.beginBatch(risk(), 1_767_225_600L);
    long[] nonce = new long[accounts];
    long t0 = System.nanoTime();
    long end = t0 + seconds * 1_000_000_000L;
    long n = 0;
    while (System.nanoTime() < end) {
      for (int k = 0; k < 1000; k++, n++) {
        int from = (int) ((n * 7919L) % accounts);
        Rule r =
            n % 4 == 3
                ? l.withdraw(from, nonce[from]++, 1, BigInteger.TEN)
                : l.transfer(
                    new TransferMessage(from, (from + 1) % accounts, nonce[from]++, 0, 1_000));
        if (!r.isOk()) {
          throw new IllegalStateException("refused: " + r);
        }
      }
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private static Ledger genesis(int accounts) {
    Ledger l = new Ledger(LedgerConfig.PRODUCTION);
    EdwardsKeyPair k = new EdwardsKeyPair(BigInteger.valueOf(123_456_789L));
    for (int i = 0; i < accounts; i++) {
      l.registerGenesis(i, k.publicKey().x(), k.publicKey().y(), BigInteger.ONE, 0);
      l.deposit(i, 1_000_000_000_000L, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ONE);
    }
    return l;
  }

  private static RiskCommitment risk() {
    LedgerConfig cfg = LedgerConfig.PRODUCTION;
    return new RiskCommitment(
        cfg.sizes(),
        Map.of(),
        new RiskGlobals(
            new long[] {1_000_000, 1_000_000, 1_000_000, 1_000_000},
            new long[4],
            new long[4],
            new long[4][cfg.sizes().scenarios()]));
  }

  /** Transitions per second of wall-clock time and per second of the submitting thread's CPU. */
  private static double[] run(Path log, int accounts, int seconds) throws IOException {
    LedgerConfig cfg = LedgerConfig.PRODUCTION;
    Ledger l = new Ledger(cfg);
    EdwardsKeyPair k = new EdwardsKeyPair(BigInteger.valueOf(123_456_789L));
    for (int i = 0; i < accounts; i++) {
      l.registerGenesis(i, k.publicKey().x(), k.publicKey().y(), BigInteger.ONE, 0);
    }
    // fund every account by a genesis deposit (not timed)
    for (int i = 0; i < accounts; i++) {
      l.deposit(i, 1_000_000_000_000L, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ONE);
    }
    RiskCommitment risk =
        new RiskCommitment(
            cfg.sizes(),
            Map.of(),
            new RiskGlobals(
                new long[] {1_000_000, 1_000_000, 1_000_000, 1_000_000},
                new long[4],
                new long[4],
                new long[4][cfg.sizes().scenarios()]));
    // the signature is a placeholder: the verifier accepts all (signatures are checked apart)
    EdDSA.Signature sig = EdDSA.sign(k, BigInteger.ONE);
    long[] nonce = new long[accounts];
    List<Transition> work = new ArrayList<>();
    for (int i = 0; i < 400_000; i++) {
      int from = (int) ((i * 7919L) % accounts);
      int to = (from + 1) % accounts;
      work.add(
          i % 4 == 3
              ? new Transition.Withdraw(
                  new WithdrawalMessage(from, nonce[from]++, 1, BigInteger.TEN), sig)
              : new Transition.Transfer(
                  new TransferMessage(from, to, nonce[from]++, 0, 1_000), sig));
    }
    try (Sequencer s =
        new Sequencer(
            l,
            risk,
            new FileTransitionLog(log),
            null,
            null,
            null,
            new Sequencer.Config(
                16, 16, Duration.ofHours(1), Duration.ofHours(1), (pk, m, sg) -> true),
            Clock.systemUTC())) {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long c0 = mx.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long end = t0 + seconds * 1_000_000_000L;
      int n = 0;
      while (n < work.size() && System.nanoTime() < end) {
        Rule r = s.submit(work.get(n)).rule();
        if (!r.isOk()) {
          throw new IllegalStateException("transition " + n + " refused: " + r);
        }
        n++;
      }
      return new double[] {
        n / ((System.nanoTime() - t0) / 1e9), n / ((mx.getCurrentThreadCpuTime() - c0) / 1e9)
      };
    }
  }
}
