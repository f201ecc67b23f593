package io.zkmargin.operator;

import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainToolchain;
import io.zkmargin.chain.EscapeHatchClient;
import io.zkmargin.chain.LocalChain;
import io.zkmargin.chain.OracleSigner;
import io.zkmargin.chain.QuoteTokenClient;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.chain.SolidityCompiler;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.dac.Genesis;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.LedgerConfig;
import io.zkmargin.prover.BatchProver;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.ExitProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.LiquidationProver;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * The operator of a venue data folder on its local chain ({@code ./zkm serve}): the Settlement that
 * {@code LocalChain.up} deployed with the batch verifier, a committee of 3 data-availability
 * members run in this process (quorum 2, data under {@code DIR/operator/dac}) set on the
 * Settlement, the demo accounts' L1 addresses ({@link DemoL1Keys}) given gas and quote tokens so
 * that they can deposit, and the {@link Sequencer} (log {@code DIR/operator/transitions.log}) from
 * the venue as genesis.
 */
public final class LocalOperator implements AutoCloseable {
  /** Quote tokens minted to each demo account's L1 address (10^6 USDC of 6 decimals). */
  public static final long DEMO_MINT = 1_000_000L * 1_000_000L;

  private final Sequencer sequencer;
  private final LocalCommittee committee;
  private final Web3j web3;
  private final OperatorServiceImpl service;
  private ChainFollower follower; // null until started

  private LocalOperator(
      Sequencer sequencer, LocalCommittee committee, Web3j web3, OperatorServiceImpl service) {
    this.sequencer = sequencer;
    this.committee = committee;
    this.web3 = web3;
    this.service = service;
  }

  /** N of the batch circuit for a venue size: 2 at the test size, 16 at production. */
  public static int slots(CircuitSizes sizes) {
    return sizes.equals(CircuitSizes.TEST) ? 2 : 16;
  }

  /** R of the batch circuit for a venue size: 4 at the test size, 16 at production. */
  public static int riskRows(CircuitSizes sizes) {
    return sizes.equals(CircuitSizes.TEST) ? 4 : 16;
  }

  /** The batch circuit id the local chain verifies for a venue size. */
  public static String batchCircuitId(CircuitSizes sizes) {
    return BatchWitness.circuitId(Genesis.configFor(sizes), slots(sizes), riskRows(sizes));
  }

  /**
   * The batch circuit the local chain of a venue should verify: the test size's always (its keys
   * take seconds to make), the production size's only when the key store already holds a key for it
   * (a development setup of N = 16 takes minutes: make it once, or install ceremony keys), else
   * null (no batches).
   */
  public static String batchCircuitIdFor(CircuitSizes sizes, KeyStore keys) {
    String id = batchCircuitId(sizes);
    return sizes.equals(CircuitSizes.TEST) || Files.isDirectory(keys.root().resolve(id))
        ? id
        : null;
  }

  /**
   * Whether the local chain of a venue size gets an escape hatch: at the test size always (the exit
   * and liquidation keys take seconds), at other sizes only when the key store already holds both
   * keys (a development setup takes minutes: make them once, or install ceremony keys).
   */
  public static boolean escapeKeysFor(CircuitSizes sizes, KeyStore keys) {
    return sizes.equals(CircuitSizes.TEST)
        || (Files.isDirectory(keys.root().resolve(ExitProver.circuitId(sizes)))
            && Files.isDirectory(keys.root().resolve(LiquidationProver.circuitId(sizes))));
  }

  /**
   * Starts the operator of {@code dir} on the chain {@code LocalChain.up} brought up there (with
   * the batch verifier of {@link #batchCircuitId}).
   *
   * @param batchInterval an open batch is cut this long after its first transition
   */
  public static LocalOperator start(
      Path dir, KeyStore keys, Duration batchInterval, PrintStream log) throws IOException {
    return start(dir, keys, batchInterval, log, null);
  }

  /**
   * {@link #start(Path, KeyStore, Duration, PrintStream)} on the venue's durable state (one state:
   * the database the health service proves against) instead of {@code DIR/venue.json}: the
   * operator's genesis is that state, and every finalized batch is written back to it; see {@link
   * #resumeFrom}.
   *
   * @param durable the durable state, or null for {@code DIR/venue.json} as genesis and no
   *     write-back
   * @throws IllegalStateException when the state, its log and the chain disagree (named)
   */
  public static LocalOperator start(
      Path dir, KeyStore keys, Duration batchInterval, PrintStream log, VenueState durable)
      throws IOException {
    Venue venue = durable == null ? VenueStore.load(dir) : durable.venue();
    CommittedVenue committed = new CommittedVenue(venue);
    LocalChain.State state =
        LocalChain.readState(dir)
            .orElseThrow(() -> new IllegalStateException("no local chain in " + dir));
    LocalChain.BatchVerifier bv =
        LocalChain.readBatchVerifier(dir)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the local chain of " + dir + " has no batch verifier"));
    ChainToolchain tc = ChainToolchain.locate();
    String abi =
        new SolidityCompiler(tc)
            .compile(
                Map.of(
                    "src/Settlement.sol", tc.source("src/Settlement.sol"),
                    "src/IHealthVerifier.sol", tc.source("src/IHealthVerifier.sol")))
            .get("src/Settlement.sol:Settlement")
            .abiJson();
    Web3j web3 = SettlementClient.connect(state.rpcUrl());
    Credentials admin = Credentials.create(AnvilNode.DEV_KEY_0);
    SettlementClient asAdmin =
        new SettlementClient(web3, admin, state.chainId(), state.settlement(), abi);
    SettlementClient asOperator =
        new SettlementClient(
            web3,
            Credentials.create(AnvilNode.DEV_KEY_1),
            state.chainId(),
            state.settlement(),
            abi);
    Genesis genesis =
        durable == null
            ? Genesis.of(venue)
            : new Genesis(Genesis.configFor(venue.sizes()), venue.accounts(), durable.orderSlots());
    LedgerConfig config = genesis.config();

    // the log belongs to one deployment: a new Settlement (a new genesis) starts a new log. A
    // fresh anvil deploys at the same address again, so the deployment is named by the address and
    // the hash of the chain's first block (its timestamp differs from run to run)
    String deploymentId =
        state.settlement()
            + " "
            + web3.ethGetBlockByNumber(
                    org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.ONE), false)
                .send()
                .getBlock()
                .getHash();
    Path opDir = dir.resolve("operator");
    Files.createDirectories(opDir);
    Path logFile = opDir.resolve("transitions.log");
    Path deployment = opDir.resolve("settlement.txt");
    if (Files.isRegularFile(logFile)
        && (!Files.isRegularFile(deployment)
            || !Files.readString(deployment).trim().equalsIgnoreCase(deploymentId))) {
      long now = System.currentTimeMillis();
      Path old = opDir.resolve("transitions.log." + now + ".old");
      Files.move(logFile, old, StandardCopyOption.ATOMIC_MOVE);
      if (Files.isDirectory(opDir.resolve("dac"))) { // the members' batches are that chain's too
        Files.move(
            opDir.resolve("dac"),
            opDir.resolve("dac." + now + ".old"),
            StandardCopyOption.ATOMIC_MOVE);
      }
      log.println(
          "operator: a new Settlement deployment: the previous transition log is kept as " + old);
    }
    Files.writeString(deployment, deploymentId + "\n");
    Sequencer.Resume resume =
        resumeFrom(durable, deploymentId, opDir, asOperator, committed.stateRoot(), log);

    LocalCommittee committee =
        LocalCommittee.start(
            opDir.resolve("dac"),
            resume.batch() > 0 ? null : genesis, // resumed: the members keep their genesis
            state.chainId(),
            state.settlement(),
            3,
            2,
            log);
    Sequencer seq = null;
    try {
      asAdmin.setCommittee(committee.signers(), committee.quorum());
      for (long id : venue.accounts().keySet()) {
        String l1 = OracleSigner.address(DemoL1Keys.loadOrCreate(dir, id));
        QuoteTokenClient token =
            new QuoteTokenClient(web3, admin, state.chainId(), bv.quoteToken(), "[]");
        if (token.balanceOf(l1).signum() == 0) {
          LocalChain.fundDevAccount(
              state.rpcUrl(), admin, bv.quoteToken(), l1, BigInteger.valueOf(DEMO_MINT));
        }
      }
      seq =
          new Sequencer(
              genesis.ledger(),
              committed.risk(),
              new FileTransitionLog(logFile),
              new BatchProver(keys),
              committee.committee(),
              asOperator,
              new Sequencer.Config(
                      slots(venue.sizes()),
                      riskRows(venue.sizes()),
                      batchInterval,
                      Duration.ofSeconds(1))
                  .withRiskHistory(
                      root -> oracleVector(dir).filter(c -> c.riskRoot().equals(root))),
              Clock.systemUTC(),
              resume);
      if (durable != null) {
        seq.setFinalizedSink(f -> durable.finalized(deploymentId, f));
      }
      List<Liquidator> liq = demoLiquidators(venue, committed.risk());
      if (!liq.isEmpty()) {
        Map<Long, EdwardsKeyPair> pool = new LinkedHashMap<>();
        liq.forEach(l -> pool.put(l.accountId(), l.key()));
        seq.setLiquidators(pool);
        log.println(
            "operator: liquidation requests are honoured with the demo accounts as liquidators, the"
                + " largest genesis quote balance first (account "
                + liq.get(0).accountId()
                + "), each take going to the first that meets IM after it");
      } else {
        log.println(
            "operator: no liquidator (not a demo venue, or no demo account's key matches its leaf):"
                + " liquidation requests wait");
      }
      seq.start();
    } catch (IOException | RuntimeException e) {
      committee.close();
      web3.shutdown();
      throw e;
    }
    log.println(
        "operator: sequencing "
            + seq.circuitId()
            + " batches (cut at "
            + seq.slots()
            + " transitions or "
            + batchInterval.toSeconds()
            + " s) for Settlement "
            + state.settlement()
            + ", committee "
            + committee.signers()
            + " (quorum "
            + committee.quorum()
            + "), demo accounts' L1 keys in "
            + dir.resolve("keys")
            + " (l1-N.key)");
    LocalOperator op =
        new LocalOperator(seq, committee, web3, new OperatorServiceImpl(seq, config.legs()));
    // the oracle quorum's risk roots (entries from the oracle's vector, DIR/venue.json, which the
    // demo's oracle keys sign) and the keepers' liquidation requests
    Optional<LocalChain.EscapeHatch> h = LocalChain.readEscapeHatch(dir);
    EscapeHatchClient hatch =
        h.isEmpty()
            ? null
            : new EscapeHatchClient(
                web3,
                Credentials.create(AnvilNode.DEV_KEY_1),
                state.chainId(),
                h.get().address(),
                EscapeHatchClient.ESCAPE_HATCH_ERRORS,
                abi);
    op.follower =
        new ChainFollower(seq, asOperator, hatch, (epoch, root) -> oracleVector(dir))
            .start(Duration.ofSeconds(1));
    return op;
  }

  /**
   * The oracle's published vector: the risk commitment of {@code DIR/venue.json} (what the demo's
   * oracle keys sign), empty when it cannot be read.
   */
  static Optional<RiskCommitment> oracleVector(Path dir) {
    try {
      return Optional.of(new CommittedVenue(VenueStore.load(dir)).risk());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The operator's liquidator: an account and its owner key. */
  record Liquidator(long accountId, EdwardsKeyPair key) {}

  /**
   * The liquidators of a demo venue, in order of preference: every account but the fee account and
   * the insurance fund, the largest quote balance at genesis first (a liquidator takes positions
   * over and must meet IM after: the richest can take the most), each with its demo owner key
   * (regenerated from the venue's demo seed; an account whose leaf holds another key is left out).
   * Empty for a venue that is not a demo.
   */
  static List<Liquidator> demoLiquidators(Venue venue, RiskCommitment risk) {
    if (venue.demo().isEmpty()) {
      return List.of();
    }
    long fee = Genesis.configFor(venue.sizes()).feeAccountId();
    long fund = risk.globals().liquidation().insuranceFundId();
    Venue.DemoOrigin o = venue.demo().get();
    var demo = DemoVenues.generate(o.accounts(), o.seed(), venue.sizes());
    List<Liquidator> out = new ArrayList<>();
    venue.accounts().entrySet().stream()
        .filter(e -> e.getKey() != fee && e.getKey() != fund && e.getKey() < o.accounts())
        .sorted(
            Comparator.comparingLong(
                    (Map.Entry<Long, AccountLeaf> e) -> -e.getValue().account().balances()[0])
                .thenComparingLong(Map.Entry::getKey))
        .forEach(
            e -> {
              EdwardsKeyPair k = DemoVenues.ownerKeyPair(demo.ownerSecret((int) (long) e.getKey()));
              AccountLeaf leaf = e.getValue();
              if (k.publicKey().x().equals(leaf.ownerPkX())
                  && k.publicKey().y().equals(leaf.ownerPkY())) {
                out.add(new Liquidator(e.getKey(), k));
              }
            });
    return List.copyOf(out);
  }

  /**
   * Where the operator's ledger starts on a durable state: a state of another deployment (the local
   * chain is new: its genesis root is the state's root) becomes this deployment's genesis, and a
   * transition log of an earlier deployment is set aside; a state of this deployment at finalized
   * batch F is resumed (the log's batches after F are replayed on it) after checking the chain: it
   * must hold batch F or later, and at F exactly the state's root.
   *
   * @throws IllegalStateException naming the roots or batches when the state and the chain disagree
   */
  static Sequencer.Resume resumeFrom(
      VenueState state,
      String deploymentId,
      Path opDir,
      SettlementClient chain,
      BigInteger stateRoot,
      PrintStream log)
      throws IOException {
    if (state == null) {
      return Sequencer.Resume.GENESIS;
    }
    if (!state.deployment().equalsIgnoreCase(deploymentId)) {
      BigInteger genesisRoot = chain.stateRoot();
      if (chain.batchNumber() != 0 || !genesisRoot.equals(stateRoot)) {
        throw new IllegalStateException(
            "refusing to start the operator: the Settlement's root is "
                + genesisRoot
                + " at batch "
                + chain.batchNumber()
                + ", the venue's state (the database) has root "
                + stateRoot);
      }
      Path logFile = opDir.resolve("transitions.log");
      if (Files.isRegularFile(logFile)) { // the log (and the members' batches) of another genesis
        long now = System.currentTimeMillis();
        Path old = opDir.resolve("transitions.log." + now + ".old");
        Files.move(logFile, old, StandardCopyOption.ATOMIC_MOVE);
        if (Files.isDirectory(opDir.resolve("dac"))) {
          Files.move(
              opDir.resolve("dac"),
              opDir.resolve("dac." + now + ".old"),
              StandardCopyOption.ATOMIC_MOVE);
        }
        log.println("operator: a new genesis: the previous transition log is kept as " + old);
      }
      state.startDeployment(deploymentId);
      return Sequencer.Resume.GENESIS;
    }
    Sequencer.Resume at = state.position();
    long onChain = chain.batchNumber();
    if (onChain < at.batch()) {
      throw new IllegalStateException(
          "refusing to start the operator: the venue's state (the database) is at batch "
              + at.batch()
              + " but the Settlement only at batch "
              + onChain);
    }
    if (onChain == at.batch() && !chain.stateRoot().equals(stateRoot)) {
      throw new IllegalStateException(
          "refusing to start the operator: at batch "
              + onChain
              + " the Settlement's root is "
              + chain.stateRoot()
              + ", the venue's state (the database) has root "
              + stateRoot);
    }
    return at;
  }

  /** The gRPC OperatorService. */
  public OperatorServiceImpl service() {
    return service;
  }

  /** The sequencer. */
  public Sequencer sequencer() {
    return sequencer;
  }

  @Override
  public void close() throws IOException {
    if (follower != null) {
      follower.close();
    }
    sequencer.close();
    committee.close();
    web3.shutdown();
  }
}
