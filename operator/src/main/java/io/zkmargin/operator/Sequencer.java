package io.zkmargin.operator;

import io.zkmargin.chain.ChainException;
import io.zkmargin.chain.HealthClaim;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.RequestEntry;
import io.zkmargin.ledger.Rule;
import io.zkmargin.ledger.SignatureVerifier;
import io.zkmargin.ledger.Withdrawal;
import io.zkmargin.prover.BatchProver;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's sequencer: applies each transition to the Java {@link Ledger} at once, through a
 * {@link BatchWitness.Builder} that records the batch circuit's witness as it goes, and refuses an
 * invalid one immediately with the {@link Rule} it breaks (nothing changes); logs every accepted
 * transition durably ({@link TransitionLog}) before it answers; takes the chain's deposit queue
 * entries into the open batch in queue order; cuts a batch when its N slots are used or the batch
 * interval has passed; then, on one pipeline thread, batch after batch in order: proves it ({@link
 * BatchProver}), collects the committee's signatures ({@link BatchCommittee}), submits {@code
 * finalizeBatch} ({@link SettlementClient}) and recovers from a refusal (see {@link #submit}).
 *
 * <p>Transitions and the ledger are guarded by this object's lock; the chain is written only from
 * the pipeline thread.
 */
public final class Sequencer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sequencer.class);

  /** Attempts to finalize one batch before it stays failed. */
  public static final int MAX_ATTEMPTS = 6;

  /** Contract errors a new set of committee signatures fixes. */
  private static final Set<String> SIGNATURE_ERRORS =
      Set.of(
          "QuorumNotReached",
          "InvalidSignature",
          "UnknownSigner",
          "DuplicateSigner",
          "SignersNotSorted",
          "MalformedSignatures");

  /** Where a batch is (the proto's BatchState). */
  public enum State {
    OPEN,
    SEQUENCED,
    PROVING,
    DA_SIGNED,
    SUBMITTED,
    FINALIZED,
    FAILED
  }

  /**
   * A snapshot of one batch.
   *
   * @param reason why the last attempt failed and what the sequencer does about it ("" if none)
   */
  public record BatchView(
      long number,
      State state,
      String reason,
      List<String> transitions,
      BigInteger oldRoot,
      BigInteger newRoot,
      List<BigInteger> publicInputs,
      long batchTime,
      String txHash,
      long gasUsed,
      int attempts) {}

  /** A request the escape hatch holds, answered in a request slot before its deadline. */
  public sealed interface HatchRequest permits LiquidationRequest, ForcedWithdrawalRequest {
    /** The account the request names. */
    long accountId();

    /** Unix seconds: after it, anyone may freeze the venue while the request is pending. */
    long deadline();
  }

  /**
   * A keeper's pending liquidation request (the hatch's {@code LiquidationRequested}).
   *
   * @param keeper the keeper's L1 address (its share is paid to it)
   * @param deadline unix seconds; with the account, names the request
   */
  public record LiquidationRequest(long accountId, BigInteger keeper, long deadline)
      implements HatchRequest {
    public LiquidationRequest {
      ArgChecker.notNegative(accountId, "accountId");
      ArgChecker.notNull(keeper, "keeper");
    }
  }

  /**
   * A forced withdrawal pending in the escape hatch (its {@code ForcedWithdrawalRequested}).
   *
   * @param requester the L1 address that asked (paid to it when it is the account's)
   * @param amount quote atoms, {@code >= 1}
   * @param deadline unix seconds; with the account, names the request
   */
  public record ForcedWithdrawalRequest(
      long accountId, BigInteger requester, long amount, long deadline) implements HatchRequest {
    public ForcedWithdrawalRequest {
      ArgChecker.notNegative(accountId, "accountId");
      ArgChecker.notNull(requester, "requester");
      ArgChecker.notNegativeOrZero(amount, "amount");
    }
  }

  /** The answer to a submitted transition: the rule (OK when accepted) and where it went. */
  public record Result(Rule rule, long batch, int slot, long sequence) {}

  /** A fault put into the next finalizeBatch call (tests of the recovery paths). */
  public enum Fault {
    /** The proof's bytes are changed: the verifier refuses it ({@code BatchProofInvalid}). */
    TAMPER_PROOF,
    /** Only one committee signature is sent ({@code QuorumNotReached} with quorum 2). */
    DROP_QUORUM,
    /** The header names the previous batch's old root ({@code StaleOldRoot}). */
    STALE_ROOT
  }

  /**
   * Sizes and timing.
   *
   * @param slots N, transition slots of the batch circuit
   * @param riskRows R, risk table rows of the batch circuit
   * @param batchInterval an open batch is cut this long after its first transition
   * @param pollInterval how often the chain's deposit queue is read and the interval checked
   * @param verifier the EdDSA verifier of withdrawals, transfers and orders (gives {@link
   *     io.zkmargin.commit.EdDSA#verify}'s verdicts; a benchmark of the ledger alone plugs in one
   *     that accepts all, the signatures being checked apart)
   * @param riskHistory the risk commitment of a root the log names (a batch begun at a root the
   *     sequencer followed, {@link #useRisk}), when the log is replayed; empty when unknown (the
   *     replay then stops, naming the root)
   */
  public record Config(
      int slots,
      int riskRows,
      Duration batchInterval,
      Duration pollInterval,
      SignatureVerifier verifier,
      java.util.function.Function<BigInteger, java.util.Optional<RiskCommitment>> riskHistory) {
    public Config {
      ArgChecker.notNull(verifier, "verifier");
      ArgChecker.notNull(riskHistory, "riskHistory");
    }

    /** Without a risk history (only the constructor's commitment replays). */
    public Config(
        int slots,
        int riskRows,
        Duration batchInterval,
        Duration pollInterval,
        SignatureVerifier verifier) {
      this(
          slots,
          riskRows,
          batchInterval,
          pollInterval,
          verifier,
          root -> java.util.Optional.empty());
    }

    /** With the fast EdDSA verifier ({@link SignatureVerifier#FAST}). */
    public Config(int slots, int riskRows, Duration batchInterval, Duration pollInterval) {
      this(slots, riskRows, batchInterval, pollInterval, SignatureVerifier.FAST);
    }

    /** This config with a risk history. */
    public Config withRiskHistory(
        java.util.function.Function<BigInteger, java.util.Optional<RiskCommitment>> history) {
      return new Config(slots, riskRows, batchInterval, pollInterval, verifier, history);
    }
  }

  private final Object lock = new Object();
  private final Ledger ledger;
  private RiskCommitment risk; // the open batch's
  private volatile RiskCommitment nextRisk; // the next batch begins at it (a newer posted root)
  // the operator's liquidator (-1: none) and the keepers' requests waiting for a batch: account ->
  // request; a request is liquidated once (its deadline names it), then forgotten
  // the liquidators in order of preference (account -> owner key); a take goes to the first the
  // ledger accepts (a liquidator must meet IM after, and is never the liquidated account itself)
  private final Map<Long, io.zkmargin.commit.EdwardsKeyPair> liquidators =
      new java.util.LinkedHashMap<>();
  private final Map<Long, LiquidationRequest> liquidationRequests = new TreeMap<>();
  private final Set<String> liquidated = new java.util.HashSet<>();
  private final Map<Long, Rule> refusalLogged = new TreeMap<>(); // logged once per rule
  // the operator's own liquidations (keeper 0): scanning on or off, and the accounts to try in the
  // open batch (the scan at its start, plus accounts a take left liquidatable); an account is
  // tried once a batch: a refused one waits for the next scan
  private boolean ownLiquidations;
  // the hatch's forced withdrawals waiting for a batch (account -> request) and those answered
  private final Map<Long, ForcedWithdrawalRequest> forcedRequests = new TreeMap<>();
  private final Set<String> forcedAnswered = new java.util.HashSet<>();
  private final java.util.SortedSet<Long> ownCandidates = new java.util.TreeSet<>();
  // the open batch's risk vector for the auto-deleveraging check (needsDeleverage), and its root
  private io.zkmargin.risk.vector.RiskVector adlVector;
  private BigInteger adlVectorRoot;
  private BigInteger openHeadBefore = BigInteger.ZERO; // the open batch's deposit head before
  private boolean replaying;
  private final TransitionLog log;
  private final Config config;
  private final Clock clock;
  private final BatchProver prover; // null: batches are only sequenced
  private final BatchCommittee committee;
  private final SettlementClient chain; // null: no chain
  private final String circuitId;

  private final Map<Long, Batch> batches = new TreeMap<>();
  private Batch open;
  private BatchWitness.Builder builder;
  private long sequence;
  private long depositsTaken;
  private BigInteger depositHead = BigInteger.ZERO;
  private volatile String depositProblem = "";
  private volatile Fault fault;
  private final List<Consumer<BatchView>> listeners = new CopyOnWriteArrayList<>();
  private final Resume resume; // the finalized state the ledger starts from (genesis: batch 0)
  private volatile FinalizedSink finalizedSink;
  private long sinkWritten; // the last batch handed to the sink (pipeline thread, then start())
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "zkm-sequencer-tick"));
  private final ExecutorService pipeline =
      Executors.newSingleThreadExecutor(r -> daemon(r, "zkm-batch-pipeline"));

  private static final class Batch {
    final long number;
    final long batchTime;
    final List<Transition> transitions = new ArrayList<>();
    State state = State.OPEN;
    String reason = "";
    BatchWitness witness;
    String json;
    List<Withdrawal> withdrawals = List.of();
    List<RequestEntry> requests = List.of(); // the request slots' entries: finalizeBatch names them
    int deposits;
    ProofFile proof;
    BatchCommittee.Signatures signatures;
    String txHash = "";
    long gasUsed;
    int attempts;
    long firstAt; // System.nanoTime() of its first transition
    FinalState finalState; // the changed accounts after it, taken when it is sealed

    Batch(long number, long batchTime) {
      this.number = number;
      this.batchTime = batchTime;
    }
  }

  /**
   * Builds the sequencer and replays the log: the ledger must be the genesis state the log's first
   * batch started from (the chain's genesis root).
   *
   * @param ledger the genesis ledger (owned from now on)
   * @param risk the risk commitment every batch is judged at (its root posted on chain)
   * @param log the transition log (replayed now)
   * @param prover the batch prover, or null to only sequence
   * @param committee the DA committee (with a chain)
   * @param chain the Settlement contract (the operator's key), or null for none
   * @param config sizes and timing
   * @param clock batch times
   * @throws IOException when the log cannot be written
   * @throws IllegalStateException when the log does not replay on this genesis
   */
  public Sequencer(
      Ledger ledger,
      RiskCommitment risk,
      TransitionLog log,
      BatchProver prover,
      BatchCommittee committee,
      SettlementClient chain,
      Config config,
      Clock clock)
      throws IOException {
    this(ledger, risk, log, prover, committee, chain, config, clock, Resume.GENESIS);
  }

  /**
   * A sequencer whose ledger holds the state at a finalized batch (the venue's database), not the
   * genesis: the log's batches up to {@code resume.batch()} are already in the ledger and skipped;
   * the later ones are replayed.
   *
   * @param resume the batch the ledger's state is at, with the deposit queue consumed up to it
   * @see #Sequencer(Ledger, RiskCommitment, TransitionLog, BatchProver, BatchCommittee,
   *     SettlementClient, Config, Clock)
   */
  public Sequencer(
      Ledger ledger,
      RiskCommitment risk,
      TransitionLog log,
      BatchProver prover,
      BatchCommittee committee,
      SettlementClient chain,
      Config config,
      Clock clock,
      Resume resume)
      throws IOException {
    this.resume = ArgChecker.notNull(resume, "resume");
    this.sinkWritten = resume.batch();
    this.depositsTaken = resume.depositsTaken();
    this.depositHead = resume.depositHead();
    this.ledger = ArgChecker.notNull(ledger, "ledger");
    this.risk = ArgChecker.notNull(risk, "risk");
    this.log = ArgChecker.notNull(log, "log");
    this.config = ArgChecker.notNull(config, "config");
    this.clock = ArgChecker.notNull(clock, "clock");
    this.prover = prover;
    this.committee = committee;
    this.chain = chain;
    ArgChecker.isTrue(chain == null || committee != null, "a chain needs a committee");
    this.circuitId = BatchWitness.circuitId(ledger.config(), config.slots(), config.riskRows());
    replay();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  // ------------------------------------------------------------------ start, replay

  private void replay() throws IOException {
    List<TransitionLog.Entry> entries = log.entries();
    synchronized (lock) {
      replaying = true;
      boolean skipping = false; // in a batch the ledger's resumed state already holds
      for (TransitionLog.Entry e : entries) {
        if (e instanceof TransitionLog.BatchStart s && s.batch() <= resume.batch()) {
          skipping = true;
          continue;
        } else if (e instanceof TransitionLog.BatchStart) {
          skipping = false;
        } else if (skipping) {
          continue;
        }
        if (e instanceof TransitionLog.BatchStart s) {
          if (open != null) {
            seal(open);
          }
          begin(s.batch(), s.batchTime());
        } else {
          Transition t = ((TransitionLog.Accepted) e).transition();
          if (open == null) {
            throw new IllegalStateException("the transition log starts without a batch start");
          }
          if (t instanceof Transition.RiskRoot rr) {
            RiskCommitment c =
                rr.root().equals(risk.riskRoot())
                    ? risk
                    : config
                        .riskHistory()
                        .apply(rr.root())
                        .filter(x -> x.riskRoot().equals(rr.root()))
                        .orElseThrow(
                            () ->
                                new IllegalStateException(
                                    "the transition log's batch "
                                        + open.number
                                        + " begins at risk root "
                                        + rr.root()
                                        + ", whose entries the risk history does not give"));
            switchOpenBatch(c);
            continue;
          }
          Rule r = apply(t);
          if (!r.isOk()) {
            throw new IllegalStateException(
                "the transition log does not replay: " + t.describe() + " is refused (" + r + ")");
          }
          sequence++;
        }
      }
      replaying = false;
      if (open == null) {
        long time = clock.instant().getEpochSecond();
        log.appendBatchStart(resume.batch() + 1, time);
        begin(resume.batch() + 1, time);
      } else {
        scanOwn(); // the scans of a replay are skipped: the log holds what they led to
      }
    }
    LOG.atInfo()
        .addKeyValue("transitions", sequence)
        .addKeyValue("openBatch", open.number)
        .log("sequencer.replayed");
  }

  /**
   * Starts following the chain (finalized batches, deposits), the batch timer and the pipeline of
   * the batches cut but not finalized yet.
   */
  public void start() {
    if (chain != null) {
      long onChain = chain.batchNumber();
      synchronized (lock) {
        for (Batch b : batches.values()) {
          if (b.state != State.OPEN && b.number <= onChain) {
            b.state = State.FINALIZED;
          }
        }
        for (Batch b : batches.values()) {
          if (b.state == State.FINALIZED) {
            handFinalized(b); // finalized on chain before a crash, not yet written
          }
        }
        for (Batch b : batches.values()) {
          if (b.state == State.SEQUENCED) {
            schedule(b);
          }
        }
      }
    }
    long ms = config.pollInterval().toMillis();
    ticker.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      if (chain != null) {
        pullDeposits();
      }
      synchronized (lock) {
        if (open.transitions.isEmpty()
            && (!forcedRequests.isEmpty()
                || (!liquidators.isEmpty()
                    && (!liquidationRequests.isEmpty() || !ownCandidates.isEmpty())))) {
          cut(); // a batch of liquidations alone goes at once
        } else if (!open.transitions.isEmpty()
            && System.nanoTime() - open.firstAt >= config.batchInterval().toNanos()) {
          cut();
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.atWarn().setCause(e).log("sequencer.tick_failed");
    }
  }

  // ------------------------------------------------------------------ transitions

  /**
   * Applies one signed transition (not a deposit: those come from the chain) to the open batch.
   *
   * <p>A transition the open batch cannot take (its risk table would need more than R rows, or a
   * withdrawal or transfer from the fee account while the batch's trading fees are pending: the
   * circuit credits them only after the last slot) cuts the open batch and goes into the next.
   *
   * @return the rule (OK when accepted: durable in the log) and its batch and slot
   * @throws IllegalArgumentException when a trade names the fee account as maker or taker (it
   *     cannot trade in a recorded batch: docs/BATCH.md section 2 "Fees"), or a single transition
   *     needs more risk table rows than R
   * @throws IOException when the log cannot be written (the sequencer is then unusable)
   */
  public Result submit(Transition t) throws IOException {
    ArgChecker.notNull(t, "transition");
    ArgChecker.isFalse(t instanceof Transition.Deposit, "deposits come from the chain's queue");
    ArgChecker.isFalse(
        t instanceof Transition.RiskRoot, "a risk root is followed with useRisk, not submitted");
    if (t instanceof Transition.Trade tr) {
      long fee = ledger.config().feeAccountId();
      ArgChecker.isTrue(
          tr.maker().accountId() != fee && tr.taker().accountId() != fee,
          "the fee account {} cannot be the maker or the taker of a trade: the batch circuit"
              + " credits it with the batch's fees only after the last slot",
          fee);
    }
    synchronized (lock) {
      Rule r;
      try {
        r = apply(t);
      } catch (IllegalStateException full) {
        // the open batch cannot take it (risk rows, or the fee account with fees pending): a new
        // batch can; nothing was applied
        cut();
        try {
          r = apply(t);
        } catch (IllegalStateException stillFull) {
          throw new IllegalArgumentException(stillFull.getMessage(), stillFull);
        }
      }
      if (!r.isOk()) {
        return new Result(r, open.number, -1, -1);
      }
      return accepted(t);
    }
  }

  private Result accepted(Transition t) throws IOException {
    log.append(t);
    Result res = new Result(Rule.OK, open.number, open.transitions.size() - 1, sequence++);
    notify(open);
    if (builder.isFull()) {
      cut();
    }
    return res;
  }

  /** Applies a transition to the ledger through the builder; records it in the open batch. */
  private Rule apply(Transition t) {
    Rule r;
    if (t instanceof Transition.Deposit d) {
      r = builder.deposit(d.accountId(), d.amount(), d.pkX(), d.pkY(), d.depositor());
      if (r.isOk()) {
        open.deposits++;
        depositsTaken = d.index() + 1;
        depositHead = d.head();
      }
    } else if (t instanceof Transition.Withdraw w) {
      r = builder.withdraw(w.message(), w.signature());
    } else if (t instanceof Transition.Transfer x) {
      r = builder.transfer(x.message(), x.signature());
    } else if (t instanceof Transition.SettleExpiry se) {
      r = builder.settleExpiry(se.accountId(), se.positionSlot());
    } else if (t instanceof Transition.Liquidate lq) {
      r = builder.liquidate(lq.message(), lq.signature());
    } else if (t instanceof Transition.AbsorbLoss al) {
      r = builder.absorbLoss(al.accountId());
    } else if (t instanceof Transition.Deleverage dl) {
      r = builder.deleverage(dl.bankruptId(), dl.counterpartyId(), dl.instrumentId(), dl.lots());
    } else if (t instanceof Transition.ForcedWithdrawal fw) {
      Rule outcome = builder.forcedWithdrawal(fw.accountId(), fw.requester(), fw.amount());
      if (outcome == Rule.UNKNOWN_INSTRUMENT || outcome == Rule.OVERFLOW) {
        r = outcome; // not included: the batch's root cannot judge it
      } else if (outcome.isOk() != fw.paid()) {
        throw new IllegalStateException(
            "forced withdrawal of account "
                + fw.accountId()
                + ": the ledger's outcome "
                + outcome
                + " is not the recorded one ("
                + (fw.paid() ? "paid" : "refused")
                + ")");
      } else {
        r = Rule.OK; // included, paid or refused
        // answered (also when replayed: a restarted follower hands the request again while the
        // batch answering it is not finalized, and a second answer would make finalizeBatch revert)
        forcedAnswered.add(fw.accountId() + ":" + fw.deadline());
      }
    } else {
      Transition.Trade tr = (Transition.Trade) t;
      r =
          builder.trade(
              tr.maker(),
              tr.makerSignature(),
              tr.taker(),
              tr.takerSignature(),
              tr.fill(),
              tr.legPrices());
    }
    if (r.isOk()) {
      if (open.transitions.isEmpty()) {
        open.firstAt = System.nanoTime();
      }
      open.transitions.add(t);
    }
    return r;
  }

  /** Reads the chain's deposit queue and takes every new entry into the batches, in order. */
  private void pullDeposits() throws IOException {
    long queued = chain.depositCount();
    long taken;
    synchronized (lock) {
      taken = depositsTaken;
    }
    if (queued <= taken) {
      return;
    }
    for (SettlementClient.DepositEntry e : chain.depositEntries(taken)) {
      synchronized (lock) {
        if (e.index() != depositsTaken) {
          continue;
        }
        Transition.Deposit d =
            new Transition.Deposit(
                e.index(), e.accountId(), e.amount(), e.pkX(), e.pkY(), e.depositor(), e.head());
        Rule r = apply(d);
        if (!r.isOk()) {
          // the queue is consumed in order: an entry the ledger refuses blocks it
          depositProblem = "deposit #" + e.index() + " is refused by the ledger: " + r;
          LOG.atError().addKeyValue("deposit", e.index()).log("sequencer.deposit_refused " + r);
          return;
        }
        if (!builderHead().equals(e.head())) {
          throw new IllegalStateException(
              "the deposit queue head after entry "
                  + e.index()
                  + " is "
                  + e.head()
                  + " on chain, "
                  + builderHead()
                  + " here");
        }
        accepted(d);
      }
    }
  }

  private BigInteger builderHead() {
    return depositHead;
  }

  // ------------------------------------------------------------------ batches

  private void begin(long number, long batchTime) throws IOException {
    RiskCommitment next = nextRisk;
    boolean switched = false;
    if (next != null && !next.riskRoot().equals(risk.riskRoot())) {
      risk = next;
      switched = true;
      LOG.atInfo()
          .addKeyValue("batch", number)
          .addKeyValue("riskRoot", next.riskRoot())
          .log("sequencer.risk_root");
    }
    if (switched && !replaying) {
      log.append(new Transition.RiskRoot(risk.riskRoot())); // right after the batch's start
    }
    ledger.beginBatch(risk, batchTime);
    BigInteger headBefore = open == null ? resume.depositHead() : open.witness.depositHeadAfter();
    openHeadBefore = headBefore;
    // the previous batch's tree (and leaf hashes) are the ledger's: no rebuild at each cut
    builder =
        (builder == null
                ? BatchWitness.builder(ledger, config.slots(), config.riskRows(), headBefore)
                : BatchWitness.builder(
                    ledger, config.slots(), config.riskRows(), headBefore, builder))
            .verifier(config.verifier());
    open = new Batch(number, batchTime);
    batches.put(number, open);
    scanOwn();
  }

  /**
   * Cuts the open batch (if it holds anything) and starts the next. Its request slots are filled
   * first: the batch takes no generic transition after a liquidation (its slots come after the
   * generic ones in the circuit), so they are added just before the cut.
   */
  private void cut() throws IOException {
    fillRequestSlots();
    if (open.transitions.isEmpty()) {
      return;
    }
    Batch b = open;
    seal(b);
    long time = Math.max(clock.instant().getEpochSecond(), b.batchTime);
    log.appendBatchStart(b.number + 1, time);
    begin(b.number + 1, time);
    notify(b);
    schedule(b);
  }

  private void seal(Batch b) {
    b.witness = builder.finish();
    b.withdrawals = ledger.withdrawals();
    b.requests = ledger.requests();
    b.state = State.SEQUENCED;
    b.finalState = finalState(b);
  }

  // ------------------------------------------------------------------ risk roots, liquidations

  /**
   * The risk commitment the next batch begins at (the newest usable root the oracle quorum posted):
   * the open batch keeps its own (its transitions were judged at it). Its sizes must be the
   * ledger's.
   *
   * <p>The log records the switch ({@link Transition.RiskRoot}, right after the batch's start); a
   * replay takes the commitment of that root from {@link Config#riskHistory}.
   *
   * @throws IOException when the log cannot be written
   */
  public void useRisk(RiskCommitment next) throws IOException {
    ArgChecker.notNull(next, "risk commitment");
    ArgChecker.isTrue(
        next.sizes().equals(risk.sizes()),
        "risk commitment sizes {} are not the venue's {}",
        next.sizes(),
        risk.sizes());
    synchronized (lock) {
      nextRisk = next;
      if (open != null && open.transitions.isEmpty() && !next.riskRoot().equals(risk.riskRoot())) {
        // nothing was judged at the open batch's root yet: it begins at the new one now
        log.append(new Transition.RiskRoot(next.riskRoot()));
        switchOpenBatch(next);
      }
    }
  }

  /** The open batch, empty so far, begins at {@code next} instead (under the lock). */
  private void switchOpenBatch(RiskCommitment next) {
    risk = next;
    ledger.beginBatch(risk, open.batchTime);
    builder =
        BatchWitness.builder(ledger, config.slots(), config.riskRows(), openHeadBefore, builder)
            .verifier(config.verifier());
    LOG.atInfo()
        .addKeyValue("batch", open.number)
        .addKeyValue("riskRoot", next.riskRoot())
        .log("sequencer.risk_root");
    scanOwn();
  }

  /** The risk root of the open batch. */
  public BigInteger riskRoot() {
    synchronized (lock) {
      return risk.riskRoot();
    }
  }

  /**
   * Sets the operator's liquidator: the account that takes over liquidated positions, signing each
   * liquidation (tag 4) with its owner key. Without one, requests wait. Replaces the liquidators
   * set before ({@link #setLiquidators}).
   */
  public void setLiquidator(long accountId, io.zkmargin.commit.EdwardsKeyPair key) {
    ArgChecker.notNegative(accountId, "accountId");
    ArgChecker.notNull(key, "key");
    setLiquidators(Map.of(accountId, key));
  }

  /**
   * Sets the operator's liquidators in order of preference (account id -> owner key; iterated in
   * the map's order): each take goes to the first of them the ledger accepts for it (not the
   * liquidated account itself, meeting effective IM after the take: {@code
   * Ledger#checkLiquidation}), so one liquidator short of margin, or under water itself, does not
   * leave a request waiting for its deadline. Empty: requests wait.
   */
  public void setLiquidators(Map<Long, io.zkmargin.commit.EdwardsKeyPair> byPreference) {
    ArgChecker.notNull(byPreference, "byPreference");
    byPreference.forEach(
        (id, key) -> {
          ArgChecker.notNegative(id, "liquidator account id");
          ArgChecker.notNull(key, "liquidator key");
        });
    synchronized (lock) {
      liquidators.clear();
      liquidators.putAll(byPreference);
      if (open != null) {
        scanOwn();
      }
    }
  }

  /**
   * A keeper's pending request: the account is liquidated (keeper named, its share paid as a
   * withdrawal) in the next batch cut, just before the cut. A request already liquidated (same
   * account and deadline) is ignored; one the ledger refuses stays and is tried again at every cut,
   * its refusal logged with the rule.
   *
   * @return whether it was new
   */
  public boolean requestLiquidation(LiquidationRequest r) {
    ArgChecker.notNull(r, "request");
    synchronized (lock) {
      if (liquidated.contains(r.accountId() + ":" + r.deadline())
          || liquidationRequests.containsKey(r.accountId())) {
        return false;
      }
      liquidationRequests.put(r.accountId(), r);
      return true;
    }
  }

  /**
   * Forgets the waiting requests whose account is not in {@code pending} (cleared on chain since,
   * e.g. by another batch, or the hatch frozen): they are not liquidated.
   */
  public void retainLiquidations(Set<Long> pending) {
    ArgChecker.notNull(pending, "pending");
    synchronized (lock) {
      liquidationRequests.keySet().retainAll(pending);
    }
  }

  /** The requests waiting for a batch. */
  public List<LiquidationRequest> pendingLiquidations() {
    synchronized (lock) {
      return List.copyOf(liquidationRequests.values());
    }
  }

  /**
   * Whether the operator liquidates the accounts nobody requested (keeper 0): at the start of every
   * batch (after each cut and at each risk root the sequencer uses) it scans every account ({@link
   * Ledger#liquidatableAccounts}) and liquidates the liquidatable ones in the request slots left
   * after the keepers' requests. Off by default; needs a liquidator ({@link #setLiquidator}).
   */
  public void setOwnLiquidations(boolean on) {
    synchronized (lock) {
      ownLiquidations = on;
      if (open != null) {
        scanOwn();
      }
    }
  }

  /** The accounts the operator will try to liquidate of its own in the open batch (a copy). */
  public List<Long> ownLiquidationCandidates() {
    synchronized (lock) {
      return List.copyOf(ownCandidates);
    }
  }

  /**
   * The scan at the open batch's start (under the lock): every liquidatable account but the fund,
   * the fee account and the liquidator. Skipped in a replay (the log holds what it led to).
   */
  private void scanOwn() {
    if (replaying || !ownLiquidations || liquidators.isEmpty()) {
      return;
    }
    long fund = risk.globals().liquidation().insuranceFundId();
    long fee = ledger.config().feeAccountId();
    long[] found = ledger.liquidatableAccounts(Runtime.getRuntime().availableProcessors());
    for (long id : found) {
      if (id != fund && id != fee) {
        ownCandidates.add(id);
      }
    }
    // the scan lists only accounts with something to take: the closed-out ones in debt are the
    // fund's
    for (long id : ledger.closedOutInDebtAccounts()) {
      if (id != fund && id != fee) {
        ownCandidates.add(id);
      }
    }
    if (found.length > 0) {
      LOG.atInfo()
          .addKeyValue("batch", open.number)
          .addKeyValue("riskRoot", risk.riskRoot())
          .addKeyValue("liquidatable", found.length)
          .log("liquidation.scan");
    }
  }

  /**
   * Fills the open batch's request slots (under the lock, just before the cut): first the hatch's
   * requests by deadline: forced withdrawals answered, keepers' requests liquidated with the keeper
   * named (waiting without a liquidator); then the accounts of the operator's own scan, ascending,
   * with keeper 0 (never an account whose request is waiting: the hatch would refuse a keeper-0
   * entry for it). An account still liquidatable after a take has its next position taken in the
   * next slot with keeper 0 (the request's entry comes first in the batch, so the hatch has cleared
   * the request when it reaches it), or in the next batch when the slots are used. What the slots
   * cannot take waits for the next batch. A bankrupt account the insurance fund cannot cover
   * ({@link #needsDeleverage}) is deleveraged position by position instead of taken over; a
   * keeper's request for it is answered by a one-lot takeover at penalty 0 first
   * (docs/LIQUIDATION.md section 11).
   */
  private void fillRequestSlots() throws IOException {
    List<HatchRequest> byDeadline = new ArrayList<>(forcedRequests.values());
    if (!liquidators.isEmpty()) {
      byDeadline.addAll(liquidationRequests.values());
    }
    byDeadline.sort(
        java.util.Comparator.comparingLong(HatchRequest::deadline)
            .thenComparingLong(HatchRequest::accountId));
    for (HatchRequest x : byDeadline) {
      if (builder.isLiquidationFull()) {
        return; // the next batch takes the rest
      }
      if (x instanceof ForcedWithdrawalRequest fw) {
        answerForcedWithdrawal(fw);
        continue;
      }
      LiquidationRequest req = (LiquidationRequest) x;
      boolean adl = needsDeleverage(req.accountId());
      // a bankrupt account the fund cannot cover: the request is answered by a one-lot takeover at
      // penalty 0 (its keeper named), the rest is deleveraged in the next slots
      Rule r =
          adl
              ? takeOneLot(req.accountId(), req.keeper())
              : liquidateOnce(req.accountId(), req.keeper());
      if (r == null) {
        continue; // deferred to the next batch
      }
      if (!r.isOk()) {
        logRefusal(req.accountId(), req.keeper(), r, true);
        if (adl) {
          // nothing the liquidator can take: the deficit is deleveraged all the same; the request
          // stays and is tried again at every cut (docs/LIQUIDATION.md section 11)
          Rule d = deleverageOnce(req.accountId());
          if (d != null && !d.isOk()) {
            logRefusal(req.accountId(), BigInteger.ZERO, d, false);
          }
        }
        continue;
      }
      liquidationRequests.remove(req.accountId());
      liquidated.add(req.accountId() + ":" + req.deadline());
      ownCandidates.add(req.accountId()); // its next position, if it is still liquidatable
    }
    if (liquidators.isEmpty()) {
      return;
    }
    for (Long id : List.copyOf(ownCandidates)) {
      if (liquidationRequests.containsKey(id)) {
        continue; // the request's keeper is named first, in its own turn
      }
      while (true) {
        if (builder.isLiquidationFull()) {
          return; // the candidate stays for the next batch
        }
        boolean bankrupt = closedOutInDebt(id);
        Rule r =
            bankrupt
                ? absorbLoss(id)
                : needsDeleverage(id) ? deleverageOnce(id) : liquidateOnce(id, BigInteger.ZERO);
        if (r == null || !r.isOk() || bankrupt) {
          ownCandidates.remove(id); // done, or tried in this batch: the next scan finds it again
          if (r != null && !r.isOk() && r != Rule.NOT_LIQUIDATABLE) {
            logRefusal(id, BigInteger.ZERO, r, false);
          }
          break;
        }
      }
    }
  }

  /**
   * Plans, signs and applies one take of {@code accountId} (under the lock) and logs it.
   *
   * @return OK (applied, durable), the rule refusing it, or null when the open batch cannot take it
   *     (its risk rows, or the fee account or the fund with credits pending): the next batch can
   */
  private Rule liquidateOnce(long accountId, BigInteger keeper) throws IOException {
    Rule refused = Rule.SAME_ACCOUNT; // no liquidator but the account itself
    for (Map.Entry<Long, io.zkmargin.commit.EdwardsKeyPair> l : liquidators.entrySet()) {
      if (l.getKey() == accountId) {
        continue;
      }
      LiquidationPlanner.Plan plan = LiquidationPlanner.plan(ledger, accountId, l.getKey(), keeper);
      if (plan.rule().isOk()) {
        Transition.Liquidate t =
            new Transition.Liquidate(plan.message(), plan.message().sign(l.getValue()));
        return applyRequestSlot(t, accountId);
      }
      refused = plan.rule();
      if (!liquidatorDependent(refused)) {
        return refused; // no other liquidator changes it
      }
    }
    return refused;
  }

  /** Whether another liquidator could be accepted where this one was refused with {@code r}. */
  private static boolean liquidatorDependent(Rule r) {
    return r == Rule.LIQUIDATOR_IM_BROKEN
        || r == Rule.NO_FREE_SLOT // the liquidator's position slots are full
        || r == Rule.SAME_ACCOUNT
        || r == Rule.UNKNOWN_ACCOUNT;
  }

  /** Applies a request slot's transition and logs it (see {@link #liquidateOnce}). */
  private Rule applyRequestSlot(Transition t, long accountId) throws IOException {
    Rule r;
    try {
      r = apply(t);
    } catch (IllegalStateException notNow) {
      LOG.atInfo()
          .addKeyValue("account", accountId)
          .log("liquidation.deferred " + notNow.getMessage());
      return null;
    }
    if (r.isOk()) {
      refusalLogged.remove(accountId);
      log.append(t);
      sequence++;
      LOG.atInfo()
          .addKeyValue("batch", open.number)
          .addKeyValue("account", accountId)
          .log("request_slot.accepted " + t.describe());
      notify(open);
    }
    return r;
  }

  /**
   * Answers one forced withdrawal in the next request slot (under the lock): paid or refused, it is
   * included and logged; only a root that cannot margin the account (UNKNOWN_INSTRUMENT, OVERFLOW)
   * or a batch that cannot take it now (the fee account or the fund with credits pending, risk
   * rows) leaves it for the next batch.
   */
  private void answerForcedWithdrawal(ForcedWithdrawalRequest fw) throws IOException {
    Rule expected;
    try {
      expected = ledger.checkForcedWithdrawal(fw.accountId(), fw.requester(), fw.amount());
    } catch (IllegalArgumentException outOfRange) { // e.g. an account id beyond the tree
      forcedRequests.remove(fw.accountId());
      LOG.atError()
          .addKeyValue("account", fw.accountId())
          .log("forced_withdrawal.unanswerable " + outOfRange.getMessage());
      return;
    }
    Transition.ForcedWithdrawal t =
        new Transition.ForcedWithdrawal(
            fw.accountId(), fw.requester(), fw.amount(), fw.deadline(), expected.isOk());
    Rule r = applyRequestSlot(t, fw.accountId());
    if (r == null) {
      return;
    }
    if (!r.isOk()) {
      logRefusal(fw.accountId(), fw.requester(), r, true);
      return;
    }
    forcedRequests.remove(fw.accountId());
    LOG.atInfo()
        .addKeyValue("account", fw.accountId())
        .addKeyValue("requester", hexAddress(fw.requester()))
        .addKeyValue("amount", fw.amount())
        .addKeyValue("outcome", expected)
        .log("forced_withdrawal.included");
  }

  /**
   * A forced withdrawal pending in the escape hatch: answered (paid when the requester is the
   * account's L1 address and the account meets effective IM after, else refused with the reason) in
   * a request slot of the next batch cut, in deadline order with the liquidation requests. A
   * request already answered (same account and deadline) is ignored.
   *
   * @return whether it was new
   */
  public boolean requestForcedWithdrawal(ForcedWithdrawalRequest r) {
    ArgChecker.notNull(r, "request");
    synchronized (lock) {
      if (forcedAnswered.contains(r.accountId() + ":" + r.deadline())
          || forcedRequests.containsKey(r.accountId())) {
        return false;
      }
      forcedRequests.put(r.accountId(), r);
      return true;
    }
  }

  /** Forgets the waiting forced withdrawals whose account is not in {@code pending}. */
  public void retainForcedWithdrawals(Set<Long> pending) {
    ArgChecker.notNull(pending, "pending");
    synchronized (lock) {
      forcedRequests.keySet().retainAll(pending);
    }
  }

  /** The forced withdrawals waiting for a batch. */
  public List<ForcedWithdrawalRequest> pendingForcedWithdrawals() {
    synchronized (lock) {
      return List.copyOf(forcedRequests.values());
    }
  }

  /**
   * A registered account with no position, no asset but quote and a negative quote balance: what a
   * penalty-0 takeover leaves of a bankrupt account, for the insurance fund.
   */
  private boolean closedOutInDebt(long id) {
    if (!ledger.isRegistered(id) || ledger.balance(id, 0) >= 0) {
      return false;
    }
    for (int j = 0; j < ledger.config().sizes().positionSlots(); j++) {
      if (ledger.quantity(id, j) != 0) {
        return false;
      }
    }
    for (int k = 1; k < ledger.config().sizes().collateralAssets(); k++) {
      if (ledger.balance(id, k) != 0) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ auto-deleveraging

  /**
   * Whether {@code id} is for auto-deleveraging rather than a takeover and the fund's cover (under
   * the lock): it holds a position, its equity at the batch's marks is negative and the insurance
   * fund's quote balance is below the deficit {@code ceil(-E / N)}, exactly the ledger's {@code
   * INSURANCE_AVAILABLE} rule. The fund's balance is the ledger's, with the batch's pending fund
   * shares: when only those shares cover the deficit, the ledger refuses a deleverage and the
   * builder an absorbLoss in this batch, so the account takes today's path (takeover now, the
   * fund's cover in the next batch, once the shares are credited). The circuit checks the fund
   * without the shares, at most the ledger's figure, so every deleverage the ledger accepts proves.
   */
  private boolean needsDeleverage(long id) {
    var params = ledger.liquidationParams();
    if (params == null
        || !ledger.isRegistered(id)
        || !ledger.isRegistered(params.insuranceFundId())
        || id == params.insuranceFundId()
        || LiquidationPlanner.largestPosition(ledger, id) < 0) {
      return false;
    }
    BigInteger deficitNano;
    try {
      deficitNano =
          io.zkmargin.risk.margin.MarginCalculator.DEFAULT
              .evaluate(adlVector(), ledger.accountState(id))
              .equityNano()
              .negate();
    } catch (RuntimeException cannotMargin) {
      return false; // the ledger refuses whatever is tried (UNKNOWN_INSTRUMENT, OVERFLOW)
    }
    if (deficitNano.signum() <= 0) {
      return false;
    }
    BigInteger n = BigInteger.valueOf(io.zkmargin.risk.margin.MarginCalculator.N);
    BigInteger deficit = deficitNano.add(n).subtract(BigInteger.ONE).divide(n); // ceil
    return BigInteger.valueOf(ledger.balance(params.insuranceFundId(), 0)).compareTo(deficit) < 0;
  }

  /** The risk model's vector of the open batch's commitment (the ledger's marks), cached. */
  private io.zkmargin.risk.vector.RiskVector adlVector() {
    if (adlVector == null || !risk.riskRoot().equals(adlVectorRoot)) {
      Map<Integer, io.zkmargin.risk.vector.InstrumentRiskEntry> entries = new TreeMap<>();
      risk.entries().forEach((k, v) -> entries.put(k.intValue(), v));
      adlVector =
          new io.zkmargin.risk.vector.RiskVector(
              0, ledger.config().sizes(), entries, risk.globals());
      adlVectorRoot = risk.riskRoot();
    }
    return adlVector;
  }

  /**
   * Deleverages the largest position (by notional at the marks) of {@code id} in the next request
   * slot (under the lock), logged: against the ledger's most profitable holder of the opposite
   * position ({@link Ledger#mostProfitableOpposite}, the ranking the committee's replay checks), as
   * many lots as both hold; when that counterparty cannot pay its share of the deficit
   * (COUNTERPARTY_BANKRUPT) the lots are halved until it can.
   *
   * @return OK (applied, durable), the rule refusing it (NOT_OPPOSITE: nobody holds the opposite
   *     position), or null when the open batch cannot take it (its risk rows, the fee account with
   *     fees pending, or the fund as the counterparty: not provable in a batch)
   */
  private Rule deleverageOnce(long id) throws IOException {
    int slot = LiquidationPlanner.largestPosition(ledger, id);
    long q = ledger.quantity(id, slot);
    long instrument = ledger.instrumentId(id, slot);
    long cp = ledger.mostProfitableOpposite(instrument, Long.signum(q), id);
    if (cp < 0) {
      return Rule.NOT_OPPOSITE;
    }
    long held = Math.abs(ledger.quantity(cp, ledger.positionSlot(cp, instrument)));
    long size = Math.min(Math.abs(q), held);
    while (true) {
      Rule r =
          applyRequestSlot(
              new Transition.Deleverage(id, cp, instrument, Long.signum(q) * size), id);
      if (r != Rule.COUNTERPARTY_BANKRUPT || size == 1) {
        return r;
      }
      size /= 2;
    }
  }

  /**
   * Answers a keeper's request on an account for auto-deleveraging (under the lock): a takeover of
   * one lot of its largest position at penalty 0 with the keeper named, so that the batch clears
   * the request (a deleverage adds nothing to requestsHash) and as much as possible of the account
   * is left to deleverage; the lot is taken at the mark, which leaves the deficit whole.
   *
   * @return OK (applied, durable), the ledger's rule refusing it, or null when the open batch
   *     cannot take it
   */
  private Rule takeOneLot(long accountId, BigInteger keeper) throws IOException {
    int slot = LiquidationPlanner.largestPosition(ledger, accountId);
    long[] lots = new long[ledger.config().sizes().positionSlots()];
    long[] atoms = new long[ledger.config().sizes().collateralAssets()];
    lots[slot] = Long.signum(ledger.quantity(accountId, slot));
    Rule refused = Rule.SAME_ACCOUNT; // no liquidator but the account itself
    for (Map.Entry<Long, io.zkmargin.commit.EdwardsKeyPair> l : liquidators.entrySet()) {
      long liquidatorId = l.getKey();
      if (liquidatorId == accountId) {
        continue;
      }
      Rule c = ledger.checkLiquidation(accountId, liquidatorId, keeper, lots, atoms, 0);
      if (!c.isOk()) {
        refused = c;
        if (!liquidatorDependent(c)) {
          return c;
        }
        continue;
      }
      var m =
          new io.zkmargin.commit.msg.LiquidationMessage(
              risk.riskRoot(),
              keeper,
              accountId,
              liquidatorId,
              ledger.nonce(liquidatorId),
              0,
              lots,
              atoms);
      return applyRequestSlot(new Transition.Liquidate(m, m.sign(l.getValue())), accountId);
    }
    return refused;
  }

  /**
   * The insurance fund covers a closed-out account's debt in the next request slot (under the
   * lock), logged.
   *
   * @return OK (applied, durable), the rule refusing it (e.g. INSURANCE_INSUFFICIENT: the debt
   *     stays in the leaf), or null when the open batch cannot take it (its risk rows): the next
   *     can
   */
  private Rule absorbLoss(long accountId) throws IOException {
    Transition.AbsorbLoss t = new Transition.AbsorbLoss(accountId);
    return applyRequestSlot(t, accountId);
  }

  private void logRefusal(long accountId, BigInteger keeper, Rule r, boolean requested) {
    if (refusalLogged.put(accountId, r) != r) { // tried at every cut: logged once a rule
      LOG.atWarn()
          .addKeyValue("account", accountId)
          .addKeyValue("keeper", hexAddress(keeper))
          .addKeyValue("requested", requested)
          .addKeyValue("riskRoot", risk.riskRoot())
          .addKeyValue("rule", r)
          .log("liquidation.refused " + r);
    }
  }

  /** Cuts the open batch now if it holds anything (e.g. at shutdown or from a test). */
  public void cutNow() throws IOException {
    synchronized (lock) {
      cut();
    }
  }

  private void schedule(Batch b) {
    if (chain != null && prover != null) {
      pipeline.execute(() -> process(b));
    }
  }

  /** Puts a fault into the next finalizeBatch call (tests of the recovery paths). */
  public void injectFault(Fault f) {
    this.fault = f;
  }

  /**
   * Proves, signs and finalizes one batch, recovering from the contract's refusals: {@code
   * BatchProofInvalid} proves the batch again; a committee signature error collects the signatures
   * again; {@code StaleOldRoot} reads the chain: its root is the batch's new root (the batch is
   * already finalized: done), or its old root (the header is rebuilt from the witness and sent
   * again), else the ledger and the chain diverged (failed, not retried); any other error is
   * retried after a pause, up to {@value #MAX_ATTEMPTS} attempts.
   */
  private void process(Batch b) {
    while (b.attempts < MAX_ATTEMPTS) {
      try {
        if (b.json == null) {
          b.json = b.witness.toJson();
        }
        if (b.proof == null) {
          set(b, State.PROVING, b.reason);
          b.proof =
              prover
                  .prove(
                      circuitId,
                      b.json.getBytes(StandardCharsets.UTF_8),
                      Arrays.asList(b.witness.publicInputs()))
                  .proof();
        }
        if (b.signatures == null) {
          b.signatures =
              committee.sign(b.number, b.witness.dataHash(), b.witness.newRoot(), b.json);
          set(b, State.DA_SIGNED, b.reason);
        }
        submit(b);
        return;
      } catch (ChainException e) {
        String name = e.errorName() == null ? "" : e.errorName();
        if (SIGNATURE_ERRORS.contains(name)) {
          b.signatures = null;
          set(b, State.FAILED, e.getMessage() + "; collecting the committee's signatures again");
        } else if (name.equals("BatchProofInvalid")) {
          b.proof = null;
          set(b, State.FAILED, e.getMessage() + "; proving the batch again");
        } else if (name.equals("StaleOldRoot")) {
          BigInteger root = chain.stateRoot();
          if (root.equals(b.witness.newRoot()) && chain.batchNumber() >= b.number) {
            set(b, State.FINALIZED, e.getMessage() + "; the chain already holds this batch");
            handFinalized(b);
            return;
          } else if (!root.equals(b.witness.oldRoot())) {
            set(
                b,
                State.FAILED,
                e.getMessage()
                    + "; the chain's root "
                    + root
                    + " is neither this batch's old nor new root: the ledger and the chain"
                    + " diverged, not retried");
            return;
          }
          set(b, State.FAILED, e.getMessage() + "; sending the header of the witness again");
        } else {
          set(b, State.FAILED, e.getMessage() + "; retrying");
          pause(2000);
        }
      } catch (RuntimeException e) {
        LOG.atWarn().setCause(e).addKeyValue("batch", b.number).log("batch.attempt_failed");
        set(b, State.FAILED, e.toString() + "; retrying");
        pause(2000);
      }
    }
  }

  private void submit(Batch b) {
    Fault f = fault;
    fault = null;
    BatchWitness w = b.witness;
    BigInteger oldRoot = w.oldRoot();
    byte[] proof = HealthClaim.solidityProof(b.proof.proof());
    byte[] sigs = b.signatures.packed();
    if (f == Fault.TAMPER_PROOF) {
      proof[40] ^= 1; // A.y changes: not a curve point any more, or another proof
    } else if (f == Fault.DROP_QUORUM) {
      sigs = Arrays.copyOf(sigs, 65);
    } else if (f == Fault.STALE_ROOT) {
      Batch prev = batches.get(b.number - 1);
      oldRoot = prev != null ? prev.witness.oldRoot() : oldRoot.add(BigInteger.ONE);
    }
    List<SettlementClient.Withdrawal> ws = new ArrayList<>();
    for (Withdrawal x : b.withdrawals) {
      ws.add(new SettlementClient.Withdrawal(hexAddress(x.l1Address()), x.amount()));
    }
    SettlementClient.BatchHeader h =
        new SettlementClient.BatchHeader(
            oldRoot,
            w.newRoot(),
            w.riskRoot(),
            b.deposits,
            w.withdrawalsHash(),
            w.dataHash(),
            b.batchTime);
    b.attempts++;
    set(b, State.SUBMITTED, b.reason);
    SettlementClient.TxResult tx = chain.finalizeBatch(h, ws, b.requests, sigs, proof);
    b.txHash = tx.hash();
    b.gasUsed = tx.gasUsed();
    set(b, State.FINALIZED, "");
    handFinalized(b);
    LOG.atInfo()
        .addKeyValue("batch", b.number)
        .addKeyValue("gas", tx.gasUsed())
        .addKeyValue("attempts", b.attempts)
        .log("batch.finalized");
  }

  /** An address integer as 0x and 40 hex digits. */
  static String hexAddress(BigInteger a) {
    String hex = a.toString(16);
    return "0x" + "0".repeat(40 - hex.length()) + hex.toLowerCase(Locale.ROOT);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void set(Batch b, State s, String reason) {
    synchronized (lock) {
      b.state = s;
      b.reason = reason;
    }
    if (s == State.FAILED) {
      LOG.atWarn().addKeyValue("batch", b.number).log("batch.refused " + reason);
    }
    notify(b);
  }

  // ------------------------------------------------------------------ the finalized state

  /**
   * Where the ledger's state starts: batch 0 (the deployment's genesis) or a finalized batch whose
   * state was saved (the venue's database), with the deposit queue consumed up to it.
   *
   * @param depositHead the deposit queue's hash-chain head after the consumed entries (0: none)
   */
  public record Resume(long batch, long depositsTaken, BigInteger depositHead) {
    /** The deployment's genesis: batch 0, no deposit consumed. */
    public static final Resume GENESIS = new Resume(0, 0, BigInteger.ZERO);

    public Resume {
      ArgChecker.notNegative(batch, "batch");
      ArgChecker.notNegative(depositsTaken, "depositsTaken");
      ArgChecker.notNull(depositHead, "depositHead");
    }
  }

  /**
   * The state after one batch, as far as the batch changed it: the leaf of every account it touched
   * (the fee account included) with its order-fill slots ({@code [ids, filled]}, absent while the
   * account never filled), the deposit queue position and the roots.
   */
  public record FinalState(
      long batch,
      Map<Long, AccountLeaf> leaves,
      Map<Long, long[][]> orderSlots,
      long depositsTaken,
      BigInteger depositHead,
      BigInteger stateRoot,
      BigInteger riskRoot) {}

  /** Receives each finalized batch's {@link FinalState}, in batch order, on one thread. */
  public interface FinalizedSink {
    /**
     * Makes the state durable (e.g. one database transaction).
     *
     * @throws Exception when it could not: the next finalized batch hands this one again first
     */
    void finalized(FinalState state) throws Exception;
  }

  /**
   * Sets the receiver of finalized batches (one state: the venue's database follows the chain).
   * Batches finalized before it was set are handed at {@link #start}.
   */
  public void setFinalizedSink(FinalizedSink sink) {
    this.finalizedSink = sink;
  }

  /** The state a sealed batch left (what the sink will be handed at its finalization), or null. */
  FinalState sealedState(long number) {
    synchronized (lock) {
      Batch b = batches.get(number);
      return b == null ? null : b.finalState;
    }
  }

  /** The last batch the sink took (the resumed batch before any). */
  public long lastWrittenBatch() {
    synchronized (lock) {
      return sinkWritten;
    }
  }

  /** The leaves a sealed batch changed, taken under the lock right after {@link #seal}. */
  private FinalState finalState(Batch b) {
    java.util.SortedSet<Long> touched = new java.util.TreeSet<>();
    touched.add(ledger.config().feeAccountId()); // the batch's fees are credited to it at the end
    for (Transition t : b.transitions) {
      if (t instanceof Transition.Deposit d) {
        touched.add(d.accountId());
      } else if (t instanceof Transition.Withdraw w) {
        touched.add(w.message().accountId());
      } else if (t instanceof Transition.Transfer x) {
        touched.add(x.message().fromAccountId());
        touched.add(x.message().toAccountId());
      } else if (t instanceof Transition.Trade tr) {
        touched.add(tr.maker().accountId());
        touched.add(tr.taker().accountId());
      } else if (t instanceof Transition.SettleExpiry se) {
        touched.add(se.accountId());
      } else if (t instanceof Transition.Liquidate lq) {
        touched.add(lq.message().accountId());
        touched.add(lq.message().liquidatorId());
        touched.add(risk.globals().liquidation().insuranceFundId()); // its share of the penalty
      } else if (t instanceof Transition.ForcedWithdrawal fw) {
        touched.add(fw.accountId());
      } else if (t instanceof Transition.AbsorbLoss al) {
        touched.add(al.accountId());
        touched.add(risk.globals().liquidation().insuranceFundId());
      } else if (t instanceof Transition.Deleverage dl) {
        touched.add(dl.bankruptId());
        touched.add(dl.counterpartyId());
      } else { // a kind this method does not know the accounts of: every account, to be safe
        for (long id = 0; id < ledger.accountLimit(); id++) {
          touched.add(id);
        }
      }
    }
    Map<Long, AccountLeaf> leaves = new TreeMap<>();
    Map<Long, long[][]> slots = new TreeMap<>();
    int k = 1 << ledger.config().orderDepth();
    for (long id : touched) {
      if (!ledger.isRegistered(id)) {
        continue;
      }
      leaves.put(id, ledger.leaf(id));
      if (ledger.ordersRoot(id).signum() != 0) {
        long[] ids = new long[k];
        long[] filled = new long[k];
        for (int s = 0; s < k; s++) {
          BigInteger v = ledger.orderSlotValue(id, s);
          ids[s] = v.shiftRight(64).longValue();
          filled[s] = v.longValue();
        }
        slots.put(id, new long[][] {ids, filled});
      }
    }
    return new FinalState(
        b.number,
        leaves,
        slots,
        depositsTaken,
        depositHead,
        b.witness.newRoot(),
        b.witness.riskRoot());
  }

  /**
   * Hands every finalized batch not yet handed, up to {@code b}, to the sink in order; a sink
   * failure is logged and the batches are handed again with the next finalized one.
   */
  private void handFinalized(Batch b) {
    FinalizedSink sink = finalizedSink;
    if (sink == null) {
      return;
    }
    List<Batch> due = new ArrayList<>();
    synchronized (lock) {
      for (long n = sinkWritten + 1; n <= b.number; n++) {
        Batch x = batches.get(n);
        if (x == null || x.state != State.FINALIZED || x.finalState == null) {
          break;
        }
        due.add(x);
      }
    }
    for (Batch x : due) {
      try {
        sink.finalized(x.finalState);
        synchronized (lock) {
          sinkWritten = x.number;
        }
      } catch (Exception e) {
        LOG.atError()
            .setCause(e)
            .addKeyValue("batch", x.number)
            .log("batch.state_not_written " + e.getMessage());
        return;
      }
    }
  }

  // ------------------------------------------------------------------ views

  private void notify(Batch b) {
    BatchView v = view(b);
    for (Consumer<BatchView> l : listeners) {
      try {
        l.accept(v);
      } catch (RuntimeException e) {
        listeners.remove(l);
      }
    }
  }

  private BatchView view(Batch b) {
    synchronized (lock) {
      BatchWitness w = b.witness;
      return new BatchView(
          b.number,
          b.state,
          b.reason,
          b.transitions.stream().map(Transition::describe).toList(),
          w == null ? null : w.oldRoot(),
          w == null ? null : w.newRoot(),
          w == null ? List.of() : Arrays.asList(w.publicInputs()),
          b.batchTime,
          b.txHash,
          b.gasUsed,
          b.attempts);
    }
  }

  /** Registers a listener of every batch change (called on the changing thread). */
  public void addListener(Consumer<BatchView> l) {
    listeners.add(l);
  }

  /** Removes a listener. */
  public void removeListener(Consumer<BatchView> l) {
    listeners.remove(l);
  }

  /** Every batch known, from {@code from} on, in order. */
  public List<BatchView> batches(long from) {
    synchronized (lock) {
      return batches.values().stream().filter(b -> b.number >= from).map(this::view).toList();
    }
  }

  /** One batch, or null. */
  public BatchView batch(long number) {
    synchronized (lock) {
      Batch b = batches.get(number);
      return b == null ? null : view(b);
    }
  }

  /** A sealed batch's witness (null while open or unknown): for tests of its slots. */
  BatchWitness witness(long number) {
    synchronized (lock) {
      Batch b = batches.get(number);
      return b == null ? null : b.witness;
    }
  }

  /** The open batch's number. */
  public long openBatch() {
    synchronized (lock) {
      return open.number;
    }
  }

  /** Transitions in the open batch. */
  public int openTransitions() {
    synchronized (lock) {
      return open.transitions.size();
    }
  }

  /** Deposit queue entries taken in. */
  public long depositsTaken() {
    synchronized (lock) {
      return depositsTaken;
    }
  }

  /** Why deposits stopped being taken in ("" when they are not). */
  public String depositProblem() {
    return depositProblem;
  }

  /** The batch circuit id. */
  public String circuitId() {
    return circuitId;
  }

  /** N. */
  public int slots() {
    return config.slots();
  }

  /** The chain client, or null. */
  public SettlementClient chain() {
    return chain;
  }

  /**
   * Runs {@code f} on the ledger under the sequencer's lock (reads: balances, nonces; tests).
   *
   * @param <T> the result type
   */
  public <T> T withLedger(java.util.function.Function<Ledger, T> f) {
    synchronized (lock) {
      return f.apply(ledger);
    }
  }

  @Override
  public void close() throws IOException {
    ticker.shutdownNow();
    pipeline.shutdownNow();
    try {
      pipeline.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.close();
  }
}
