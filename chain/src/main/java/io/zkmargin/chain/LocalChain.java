package io.zkmargin.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.prover.AtomicFiles;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.ExitProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.LiquidationProver;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;

/**
 * A local development chain for a venue data directory: {@code ./zkm chain up|down} and {@code
 * ./zkm verify --on-chain}. {@code up} starts (or reuses) an anvil node, deploys gnark's verifier
 * for the venue circuit's current verifying key, a quote token and a Settlement contract whose
 * genesis root is the venue's state root (no operator can set a root afterwards: only proven
 * batches move it), and posts the venue's risk root signed by a quorum of the venue's oracle keys
 * ({@code DIR/keys/oracle-*.key}, made on first use). Everything needed later is saved in {@code
 * DIR/chain.json}, addresses EIP-55 checksummed.
 *
 * <p>The node is either detached ({@code ./zkm chain up}: it outlives the command until {@code
 * chain down}) or tied to the calling JVM ({@code ./zkm serve}: it dies with the service, even on
 * SIGKILL, see {@link AnvilNode}). A node recorded in {@code chain.json} is reused only by the kind
 * of caller that started it: a detached node by {@code chain up}, a tied node by its own JVM. Any
 * other live anvil recorded there (left by an earlier run) is stopped, with a message, before a new
 * one starts; a node tied to another running process is never touched.
 *
 * <p>Roles on the development chain: anvil's first default account is the admin and deployer, its
 * second the operator; 2-of-3 oracle quorum; state roots usable for {@value #STATE_ROOT_WINDOW}
 * batches, risk roots for {@value #RISK_ROOT_WINDOW} postings.
 */
public final class LocalChain {

  /** File in the data directory that records the node and the deployment. */
  public static final String STATE_FILE = "chain.json";

  public static final String FORMAT = "zkmargin-chain-v1";
  public static final int ORACLES = 3;
  public static final int QUORUM = 2;
  public static final long STATE_ROOT_WINDOW = 16;
  public static final long RISK_ROOT_WINDOW = 4;

  /**
   * Risk roots expire this many seconds after their posting (a day: the demo's prices do not move).
   */
  public static final long RISK_ROOT_MAX_AGE_SECONDS = 86_400;

  /**
   * The default grace period of the local escape hatch: two minutes, so that a demo can walk
   * through a forced withdrawal, the freeze and the exits (a real venue uses days).
   */
  public static final long DEFAULT_GRACE_PERIOD_SECONDS = 120;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What {@code chain.json} holds.
   *
   * @param rpcUrl node JSON-RPC address
   * @param pid node process id
   * @param settlement Settlement address
   * @param verifier verifier address
   * @param circuitId circuit whose verifier is deployed
   * @param verifyingKeyHash SHA-256 hex of that verifying key
   * @param oracles oracle signer addresses registered in the contract, in increasing order
   * @param ownerPid process id of the JVM the node is tied to (dies with), 0 for a detached node
   */
  public record State(
      String rpcUrl,
      long chainId,
      long pid,
      String settlement,
      String verifier,
      String circuitId,
      String verifyingKeyHash,
      List<String> oracles,
      long ownerPid) {

    /** The node's JSON-RPC port, from {@link #rpcUrl()}; -1 if it has none. */
    public int port() {
      try {
        return java.net.URI.create(rpcUrl).getPort();
      } catch (IllegalArgumentException e) {
        return -1;
      }
    }
  }

  /**
   * Outcome of {@code up}.
   *
   * @param riskRootGas gas of the risk-root posting, or -1 when the root was already posted and
   *     usable
   */
  public record UpReport(
      State state,
      boolean startedNode,
      boolean deployed,
      long batch,
      long epoch,
      BigInteger stateRoot,
      BigInteger riskRoot,
      long riskRootGas,
      long verifierDeployGas,
      long settlementDeployGas) {}

  /**
   * Outcome of an on-chain check.
   *
   * @param gas {@code eth_estimateGas} of a {@code verifyHealth} transaction (includes 21000
   *     intrinsic gas)
   */
  public record OnChainVerdict(
      boolean valid, SettlementClient.HealthStatus status, long gas, String message) {}

  private LocalChain() {}

  /**
   * Brings the chain of {@code dir} up with a detached node ({@code ./zkm chain up}); see {@link
   * #up(Path, KeyStore, ChainToolchain, PrintStream, boolean)}.
   */
  public static UpReport up(Path dir, KeyStore keys, ChainToolchain toolchain, PrintStream log)
      throws IOException {
    return up(dir, keys, toolchain, log, false);
  }

  /**
   * Brings the chain of {@code dir} up (see the class comment). A second call of the same kind
   * reuses a live node and its contracts; it redeploys when the venue's verifying key changed or
   * the venue's epoch is not newer than the chain's latest posted epoch for a different root (a
   * re-generated demo).
   *
   * @param dir venue data directory ({@code ./zkm demo} output)
   * @param keys key store with (or able to make) the venue circuit's keys
   * @param log progress lines (including any leftover node stopped)
   * @param tiedToThisProcess true to tie a new node to this JVM (it dies with it), false for a
   *     detached node
   * @throws IllegalStateException if {@code chain.json} records a live node tied to another running
   *     process
   */
  public static UpReport up(
      Path dir, KeyStore keys, ChainToolchain toolchain, PrintStream log, boolean tiedToThisProcess)
      throws IOException {
    return up(dir, keys, toolchain, log, tiedToThisProcess, null);
  }

  /**
   * {@link #up(Path, KeyStore, ChainToolchain, PrintStream, boolean)} with the batch circuit's
   * verifier in the Settlement's genesis (its keys made by the key store when missing), so that
   * {@code finalizeBatch} accepts proven batches; a deployment with another (or no) batch verifying
   * key is replaced. The batch verifier is recorded in {@code chain.json} ({@link
   * #readBatchVerifier}).
   *
   * @param batchCircuitId the batch circuit id ({@code batch-...}), or null for no batch verifier
   */
  public static UpReport up(
      Path dir,
      KeyStore keys,
      ChainToolchain toolchain,
      PrintStream log,
      boolean tiedToThisProcess,
      String batchCircuitId)
      throws IOException {
    return up(dir, keys, toolchain, log, tiedToThisProcess, batchCircuitId, 0);
  }

  /**
   * {@link #up(Path, KeyStore, ChainToolchain, PrintStream, boolean, String)} with the escape hatch
   * (verifier-contracts/README.md "Escape hatch and keeper path") when {@code gracePeriodSeconds >
   * 0}: the exit and liquidation verifiers of the venue's sizes (gnark's export of the key store's
   * verifying keys, made when missing), {@code EscapeHatch(settlement, exitVerifier,
   * liquidationVerifier, gracePeriod)} and {@code Settlement.setEscapeHatch}. The hatch is recorded
   * in {@code chain.json} ({@link #readEscapeHatch}); another grace period or verifying key
   * redeploys the whole chain (the Settlement takes its hatch once).
   *
   * @param gracePeriodSeconds seconds the operator has to honour a request; 0 for no hatch
   */
  public static UpReport up(
      Path dir,
      KeyStore keys,
      ChainToolchain toolchain,
      PrintStream log,
      boolean tiedToThisProcess,
      String batchCircuitId,
      long gracePeriodSeconds)
      throws IOException {
    Objects.requireNonNull(dir, "dir");
    ArgChecker.notNegative(gracePeriodSeconds, "gracePeriodSeconds");
    String batchVkHash =
        batchCircuitId == null ? "" : keys.ensureKeys(batchCircuitId).verifyingKeyHash();
    String previousBatchVkHash =
        readBatchVerifier(dir).map(BatchVerifier::verifyingKeyHash).orElse("");
    Venue venue = VenueStore.load(dir);
    EscapeHatch wantedHatch = null;
    if (gracePeriodSeconds > 0) {
      String exitId = ExitProver.circuitId(venue.sizes());
      String liqId = LiquidationProver.circuitId(venue.sizes());
      wantedHatch =
          new EscapeHatch(
              null,
              gracePeriodSeconds,
              exitId,
              keys.ensureKeys(exitId).verifyingKeyHash(),
              liqId,
              keys.ensureKeys(liqId).verifyingKeyHash());
    }
    Optional<EscapeHatch> previousHatch = readEscapeHatch(dir);
    boolean hatchChanged =
        wantedHatch == null
            ? previousHatch.isPresent()
            : previousHatch.isEmpty() || !previousHatch.get().sameDeployment(wantedHatch);
    CommittedVenue committed = new CommittedVenue(venue);
    String circuitId = venue.sizes().healthCircuitId();
    KeyStore.KeyEntry key = keys.ensureKeys(circuitId);
    List<ECKeyPair> oracles = OracleKeys.loadOrCreate(dir, ORACLES, new SecureRandom());
    // sorted by numeric value (lower-case hex sorts like the numbers), then written EIP-55
    // checksummed
    List<String> oracleAddrs =
        oracles.stream()
            .map(OracleSigner::address)
            .map(a -> a.toLowerCase(Locale.ROOT))
            .sorted()
            .map(LocalChain::checksumAddress)
            .toList();
    long self = ProcessHandle.current().pid();
    long owner = tiedToThisProcess ? self : 0;

    Optional<State> previous = readState(dir);
    boolean nodeAlive = false;
    if (previous.isPresent()) {
      State p = previous.get();
      boolean recordedNodeRuns = AnvilNode.isAnvilProcess(p.pid(), p.port());
      boolean ownerRuns =
          p.ownerPid() != 0
              && ProcessHandle.of(p.ownerPid()).map(ProcessHandle::isAlive).orElse(false);
      if (recordedNodeRuns && ownerRuns && p.ownerPid() != self) {
        throw new IllegalStateException(
            "the chain of "
                + dir
                + " (anvil pid "
                + p.pid()
                + ", "
                + p.rpcUrl()
                + ") belongs to the running process "
                + p.ownerPid()
                + " (a ./zkm serve?): stop that process first");
      }
      boolean sameKind =
          p.ownerPid() == owner; // a detached node for chain up, or this JVM's own tied node
      if (recordedNodeRuns && sameKind && AnvilNode.chainId(p.rpcUrl()).isPresent()) {
        nodeAlive = true;
      } else if (recordedNodeRuns) {
        log.println(
            "chain: stopping anvil pid "
                + p.pid()
                + " on port "
                + p.port()
                + ", left running by an earlier "
                + (p.ownerPid() == 0 ? "./zkm chain up" : "run of process " + p.ownerPid())
                + " ("
                + dir.resolve(STATE_FILE)
                + "); it is not reused");
        AnvilNode.stop(p.pid());
      }
    }
    String rpcUrl;
    long pid;
    boolean started = false;
    if (nodeAlive) {
      rpcUrl = previous.get().rpcUrl();
      pid = previous.get().pid();
      log.println("chain: reusing the node at " + rpcUrl + " (pid " + pid + ")");
    } else {
      AnvilNode node =
          AnvilNode.start(
              toolchain, dir.resolve("anvil.log"), !tiedToThisProcess, Duration.ofSeconds(30));
      rpcUrl = node.rpcUrl();
      pid = node.pid();
      started = true;
      log.println(
          "chain: started anvil at "
              + rpcUrl
              + " (pid "
              + pid
              + (tiedToThisProcess ? ", stops with this process" : "")
              + ", log "
              + dir.resolve("anvil.log")
              + ")");
    }

    Credentials admin = Credentials.create(AnvilNode.DEV_KEY_0);
    Credentials operator = Credentials.create(AnvilNode.DEV_KEY_1);
    Web3j web3 = SettlementClient.connect(rpcUrl);
    try {
      ChainContracts contracts = null;
      String settlementAddr = null;
      String verifierAddr = null;
      boolean deploy =
          !nodeAlive
              || !key.verifyingKeyHash().equals(previous.get().verifyingKeyHash())
              || !oracleAddrs.equals(previous.get().oracles())
              || !batchVkHash.equals(previousBatchVkHash)
              || hatchChanged;
      if (!deploy) {
        settlementAddr = previous.get().settlement();
        verifierAddr = previous.get().verifier();
        contracts = compile(toolchain, keys, circuitId);
        SettlementClient probe =
            new SettlementClient(
                web3,
                operator,
                AnvilNode.CHAIN_ID,
                settlementAddr,
                contracts.settlement().abiJson());
        if (!probe.isDeployed()) {
          deploy = true;
        } else if (probe.batchNumber() == 0 && !probe.stateRoot().equals(committed.stateRoot())) {
          // the genesis root is fixed at deployment and only proven batches move it; with no
          // batch finalized yet, a different venue root is a new demo
          log.println(
              "chain: the venue's state root is not the chain's genesis root (a new demo?):"
                  + " deploying a fresh settlement contract with it as genesis");
          deploy = true;
        } else if (probe.riskRootCount() > 0
            && !probe.riskRootUsable(committed.riskRoot())
            && Long.compareUnsigned(venue.epoch(), probe.latestRiskEpoch()) <= 0) {
          log.println(
              "chain: the venue's epoch "
                  + venue.epoch()
                  + " is not newer than the chain's latest posted epoch "
                  + probe.latestRiskEpoch()
                  + " (a new demo?): deploying a fresh settlement contract");
          deploy = true;
        }
      }
      long verifierGas = -1;
      long settlementGas = -1;
      String batchVerifierAddr =
          deploy ? null : readBatchVerifier(dir).map(BatchVerifier::address).orElse(null);
      if (deploy) {
        if (contracts == null) {
          contracts = compile(toolchain, keys, circuitId);
        }
        if (batchCircuitId != null) {
          batchVerifierAddr =
              checksumAddress(deployBatchVerifier(web3, admin, toolchain, keys, batchCircuitId));
          log.println("chain: deployed Verifier(" + batchCircuitId + ") at " + batchVerifierAddr);
        }
        SettlementClient.Deployment d =
            SettlementClient.deploy(
                web3,
                admin,
                AnvilNode.CHAIN_ID,
                contracts.verifier(),
                contracts.settlement(),
                contracts.quoteToken(),
                null,
                batchVerifierAddr, // null: finalizeBatch refuses BatchVerifierNotSet
                operator.getAddress(),
                oracleAddrs,
                QUORUM,
                STATE_ROOT_WINDOW,
                RISK_ROOT_WINDOW,
                RISK_ROOT_MAX_AGE_SECONDS,
                SettlementClient.Genesis.ofTree(
                    committed.stateRoot(),
                    venue.accounts().isEmpty() ? 0 : venue.accounts().lastKey() + 1,
                    venue.sizes().stateDepth()));
        settlementAddr = checksumAddress(d.settlement());
        verifierAddr = checksumAddress(d.verifier());
        if (wantedHatch != null) {
          wantedHatch = deployEscapeHatch(web3, admin, toolchain, keys, contracts, d, wantedHatch);
          log.println(
              "chain: deployed EscapeHatch at "
                  + wantedHatch.address()
                  + " (grace period "
                  + wantedHatch.gracePeriodSeconds()
                  + " s, verifiers "
                  + wantedHatch.exitCircuitId()
                  + ", "
                  + wantedHatch.liquidationCircuitId()
                  + ")");
        }
        verifierGas = d.verifierGas();
        settlementGas = d.settlementGas();
        log.println(
            "chain: deployed Verifier("
                + circuitId
                + ") at "
                + verifierAddr
                + " (gas "
                + verifierGas
                + "), QuoteToken at "
                + checksumAddress(d.quoteToken())
                + " (gas "
                + d.quoteTokenGas()
                + ") and Settlement at "
                + settlementAddr
                + " (gas "
                + settlementGas
                + ", genesis root "
                + committed.stateRoot()
                + ")");
      }

      SettlementClient client =
          new SettlementClient(
              web3, operator, AnvilNode.CHAIN_ID, settlementAddr, contracts.settlement().abiJson());
      BigInteger stateRoot = client.stateRoot();
      long riskGas = -1;
      BigInteger riskRoot = committed.riskRoot();
      if (!client.riskRootUsable(riskRoot)) {
        byte[] digest =
            OracleSigner.riskRootDigest(
                AnvilNode.CHAIN_ID, settlementAddr, venue.epoch(), riskRoot);
        byte[] sigs = OracleSigner.signSorted(oracles.subList(0, QUORUM), digest);
        riskGas = client.postRiskRoot(venue.epoch(), riskRoot, sigs).gasUsed();
        log.println(
            "chain: posted risk root "
                + riskRoot
                + " of epoch "
                + venue.epoch()
                + " signed by "
                + QUORUM
                + " of "
                + ORACLES
                + " oracles (gas "
                + riskGas
                + ")");
      }
      State state =
          new State(
              rpcUrl,
              AnvilNode.CHAIN_ID,
              pid,
              settlementAddr,
              verifierAddr,
              circuitId,
              key.verifyingKeyHash(),
              oracleAddrs,
              owner);
      writeState(dir, state);
      if (batchCircuitId != null) {
        writeBatchVerifier(
            dir,
            new BatchVerifier(batchCircuitId, batchVerifierAddr, batchVkHash, client.quoteToken()));
      }
      if (wantedHatch != null) {
        writeEscapeHatch(dir, deploy ? wantedHatch : previousHatch.get());
      }
      return new UpReport(
          state,
          started,
          deploy,
          client.batchNumber(),
          venue.epoch(),
          stateRoot,
          riskRoot,
          riskGas,
          verifierGas,
          settlementGas);
    } finally {
      web3.shutdown();
    }
  }

  /**
   * Stops the node of {@code dir} and forgets the deployment.
   *
   * @return true if a running node was stopped
   */
  public static boolean down(Path dir) throws IOException {
    Optional<State> s = readState(dir);
    if (s.isEmpty()) {
      return false;
    }
    boolean stopped =
        AnvilNode.isAnvilProcess(s.get().pid(), s.get().port()) && AnvilNode.stop(s.get().pid());
    Files.deleteIfExists(dir.resolve(STATE_FILE));
    return stopped;
  }

  /**
   * Checks a health proof through the deployed contract ({@code healthStatus}, {@code verifyHealth}
   * and the gas of a {@code verifyHealth} transaction).
   *
   * @param minThresholdBps least threshold accepted, basis points; the proof's own threshold when
   *     negative
   * @throws IllegalStateException if no chain is up for {@code dir}
   */
  public static OnChainVerdict verify(
      Path dir, ProofFile proof, long minThresholdBps, ChainToolchain toolchain)
      throws IOException {
    State s =
        readState(dir)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no chain for " + dir + ": run ./zkm chain up --data " + dir));
    if (AnvilNode.chainId(s.rpcUrl()).isEmpty()) {
      throw new IllegalStateException(
          "the chain node at " + s.rpcUrl() + " is not running: run ./zkm chain up --data " + dir);
    }
    HealthClaim claim0 = HealthClaim.of(proof, 0);
    HealthClaim claim =
        HealthClaim.of(proof, minThresholdBps < 0 ? claim0.thresholdBps() : minThresholdBps);
    String abi =
        new SolidityCompiler(toolchain)
            .compile(
                java.util.Map.of(
                    "src/Settlement.sol", toolchain.source("src/Settlement.sol"),
                    "src/IHealthVerifier.sol", toolchain.source("src/IHealthVerifier.sol")))
            .get("src/Settlement.sol:Settlement")
            .abiJson();
    Web3j web3 = SettlementClient.connect(s.rpcUrl());
    try {
      SettlementClient client =
          new SettlementClient(
              web3, Credentials.create(AnvilNode.DEV_KEY_0), s.chainId(), s.settlement(), abi);
      SettlementClient.HealthStatus status = client.healthStatus(claim);
      boolean valid = client.verifyHealth(claim);
      long gas = client.estimateVerifyHealthGas(claim);
      String msg;
      if (valid) {
        msg =
            "account "
                + claim.accountId()
                + " has equity >= "
                + claim.thresholdBps() / 100.0
                + "% of maintenance margin, accepted by Settlement "
                + s.settlement();
      } else {
        msg =
            switch (status) {
              case THRESHOLD_BELOW_MINIMUM ->
                  "the proven threshold "
                      + claim.thresholdBps()
                      + " bps is below the minimum "
                      + claim.minThresholdBps()
                      + " bps";
              case STATE_ROOT_UNKNOWN -> "the proof's state root was never settled on this chain";
              case STATE_ROOT_EXPIRED ->
                  "the proof's state root is older than the contract's window";
              case RISK_ROOT_UNKNOWN ->
                  "the proof's risk root was never posted by the oracles on this chain";
              case RISK_ROOT_EXPIRED -> "the proof's risk root is older than the contract's window";
              case RISK_ROOT_TOO_OLD ->
                  "the proof's risk root was posted more than the contract's maximum age ago (stale prices)";
              case PROOF_INVALID ->
                  proof.verifyingKeyHash().equals(s.verifyingKeyHash())
                      ? "the Groth16 verifier rejects the proof (tampered proof or changed public input)"
                      : "the proof was made for verifying key "
                          + proof.verifyingKeyHash()
                          + ", the deployed verifier is for "
                          + s.verifyingKeyHash()
                          + " ("
                          + s.circuitId()
                          + ")";
              case VALID -> "inconsistent answer from the contract";
            };
      }
      return new OnChainVerdict(valid, status, gas, msg);
    } finally {
      web3.shutdown();
    }
  }

  /**
   * Reads {@code DIR/chain.json}, empty if absent. Addresses may be EIP-55 checksummed or all one
   * case; they are returned checksummed.
   *
   * @throws IOException if the file is not a chain state file or an address is malformed or
   *     mixed-case with a wrong checksum
   */
  public static Optional<State> readState(Path dir) throws IOException {
    Path f = dir.resolve(STATE_FILE);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    JsonNode n = JSON.readTree(f.toFile());
    if (!FORMAT.equals(n.path("format").asText())) {
      throw new IOException(f + " is not a " + FORMAT + " file");
    }
    try {
      List<String> oracles = new ArrayList<>();
      n.path("oracles").forEach(o -> oracles.add(checksumAddress(o.asText())));
      return Optional.of(
          new State(
              n.path("rpcUrl").asText(),
              n.path("chainId").asLong(),
              n.path("pid").asLong(),
              checksumAddress(n.path("settlement").asText()),
              checksumAddress(n.path("verifier").asText()),
              n.path("circuitId").asText(),
              n.path("verifyingKeyHash").asText(),
              oracles,
              n.path("ownerPid").asLong(0)));
    } catch (IllegalArgumentException e) {
      throw new IOException(f + ": " + e.getMessage(), e);
    }
  }

  /**
   * The EIP-55 checksummed form of an address.
   *
   * @param address {@code 0x} and 40 hex digits, all lower-case, all upper-case, or mixed-case with
   *     a valid EIP-55 checksum
   * @throws IllegalArgumentException otherwise
   */
  public static String checksumAddress(String address) {
    if (address == null || !address.matches("0x[0-9a-fA-F]{40}")) {
      throw new IllegalArgumentException("not an address (0x and 40 hex digits): " + address);
    }
    String hex = address.substring(2);
    String checksummed = Keys.toChecksumAddress(hex.toLowerCase(Locale.ROOT));
    boolean oneCase =
        hex.equals(hex.toLowerCase(Locale.ROOT)) || hex.equals(hex.toUpperCase(Locale.ROOT));
    if (!oneCase && !checksummed.equals(address)) {
      throw new IllegalArgumentException(
          "address " + address + " has a wrong EIP-55 checksum (expected " + checksummed + ")");
    }
    return checksummed;
  }

  private static void writeState(Path dir, State s) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("format", FORMAT);
    n.put("rpcUrl", s.rpcUrl());
    n.put("chainId", s.chainId());
    n.put("pid", s.pid());
    n.put("ownerPid", s.ownerPid());
    n.put("settlement", checksumAddress(s.settlement()));
    n.put("verifier", checksumAddress(s.verifier()));
    n.put("circuitId", s.circuitId());
    n.put("verifyingKeyHash", s.verifyingKeyHash());
    s.oracles().stream().map(LocalChain::checksumAddress).forEach(n.putArray("oracles")::add);
    AtomicFiles.write(
        dir.resolve(STATE_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
  }

  /**
   * Deploys gnark's verifier of a batch circuit (its key made by the key store when missing), for
   * the Settlement's genesis {@code batchVerifier}.
   *
   * @return the verifier's address
   */
  public static String deployBatchVerifier(
      Web3j web3, Credentials deployer, ChainToolchain toolchain, KeyStore keys, String circuitId) {
    keys.ensureKeys(circuitId);
    String source = Gnark.exportSolidity(keys.verifyingKey(circuitId));
    return SettlementClient.deployCode(
        web3,
        deployer,
        AnvilNode.CHAIN_ID,
        ChainContracts.compileVerifier(toolchain, circuitId, source));
  }

  /**
   * Gives a development L1 address gas money (anvil's {@code anvil_setBalance}, 100 ETH) and {@code
   * quoteAtoms} quote tokens minted by the token's minter (the local deployer), so that it can
   * deposit. Local chains only.
   *
   * @param rpcUrl the anvil node
   * @param minter the quote token's minter (anvil's first account on a local deployment)
   * @param token the quote token's address
   * @param to the L1 address (0x hex)
   * @param quoteAtoms tokens to mint, {@code >= 0}
   */
  public static void fundDevAccount(
      String rpcUrl, Credentials minter, String token, String to, BigInteger quoteAtoms)
      throws IOException {
    org.web3j.protocol.http.HttpService http = new org.web3j.protocol.http.HttpService(rpcUrl);
    Web3j web3 = Web3j.build(http);
    try {
      org.web3j.protocol.core.methods.response.VoidResponse r =
          new org.web3j.protocol.core.Request<>(
                  "anvil_setBalance",
                  List.of(to, "0x56bc75e2d63100000"),
                  http,
                  org.web3j.protocol.core.methods.response.VoidResponse.class)
              .send();
      if (r.hasError()) {
        throw new IOException("anvil_setBalance failed: " + r.getError().getMessage());
      }
      if (quoteAtoms.signum() > 0) {
        new QuoteTokenClient(web3, minter, AnvilNode.CHAIN_ID, token, "[]").mint(to, quoteAtoms);
      }
    } finally {
      web3.shutdown();
    }
  }

  /**
   * The batch verifier of a local deployment, as {@code chain.json} records it.
   *
   * @param address the verifier's address, EIP-55
   * @param verifyingKeyHash SHA-256 hex of its verifying key
   * @param quoteToken the Settlement's quote token, EIP-55
   */
  public record BatchVerifier(
      String circuitId, String address, String verifyingKeyHash, String quoteToken) {}

  /** The batch verifier recorded in {@code DIR/chain.json}, empty if none. */
  public static Optional<BatchVerifier> readBatchVerifier(Path dir) throws IOException {
    Path f = dir.resolve(STATE_FILE);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    JsonNode n = JSON.readTree(f.toFile()).path("batchVerifier");
    if (!n.isObject()) {
      return Optional.empty();
    }
    return Optional.of(
        new BatchVerifier(
            n.path("circuitId").asText(),
            checksumAddress(n.path("address").asText()),
            n.path("verifyingKeyHash").asText(),
            checksumAddress(n.path("quoteToken").asText())));
  }

  private static void writeBatchVerifier(Path dir, BatchVerifier b) throws IOException {
    Path f = dir.resolve(STATE_FILE);
    ObjectNode n = (ObjectNode) JSON.readTree(f.toFile());
    ObjectNode v = n.putObject("batchVerifier");
    v.put("circuitId", b.circuitId());
    v.put("address", checksumAddress(b.address()));
    v.put("verifyingKeyHash", b.verifyingKeyHash());
    v.put("quoteToken", checksumAddress(b.quoteToken()));
    AtomicFiles.write(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
  }

  /**
   * The escape hatch of a local deployment, as {@code chain.json} records it.
   *
   * @param address the EscapeHatch's address, EIP-55 (null before deployment)
   * @param gracePeriodSeconds its grace period
   * @param exitVerifyingKeyHash SHA-256 hex of the exit circuit's verifying key
   * @param liquidationVerifyingKeyHash SHA-256 hex of the liquidation circuit's verifying key
   */
  public record EscapeHatch(
      String address,
      long gracePeriodSeconds,
      String exitCircuitId,
      String exitVerifyingKeyHash,
      String liquidationCircuitId,
      String liquidationVerifyingKeyHash) {

    /** Same grace period, circuits and keys (the address aside). */
    boolean sameDeployment(EscapeHatch o) {
      return gracePeriodSeconds == o.gracePeriodSeconds
          && exitCircuitId.equals(o.exitCircuitId)
          && exitVerifyingKeyHash.equals(o.exitVerifyingKeyHash)
          && liquidationCircuitId.equals(o.liquidationCircuitId)
          && liquidationVerifyingKeyHash.equals(o.liquidationVerifyingKeyHash);
    }
  }

  /** The escape hatch recorded in {@code DIR/chain.json}, empty if none. */
  public static Optional<EscapeHatch> readEscapeHatch(Path dir) throws IOException {
    Path f = dir.resolve(STATE_FILE);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    JsonNode n = JSON.readTree(f.toFile()).path("escapeHatch");
    if (!n.isObject()) {
      return Optional.empty();
    }
    return Optional.of(
        new EscapeHatch(
            checksumAddress(n.path("address").asText()),
            n.path("gracePeriodSeconds").asLong(),
            n.path("exitCircuitId").asText(),
            n.path("exitVerifyingKeyHash").asText(),
            n.path("liquidationCircuitId").asText(),
            n.path("liquidationVerifyingKeyHash").asText()));
  }

  private static void writeEscapeHatch(Path dir, EscapeHatch h) throws IOException {
    Path f = dir.resolve(STATE_FILE);
    ObjectNode n = (ObjectNode) JSON.readTree(f.toFile());
    ObjectNode v = n.putObject("escapeHatch");
    v.put("address", checksumAddress(h.address()));
    v.put("gracePeriodSeconds", h.gracePeriodSeconds());
    v.put("exitCircuitId", h.exitCircuitId());
    v.put("exitVerifyingKeyHash", h.exitVerifyingKeyHash());
    v.put("liquidationCircuitId", h.liquidationCircuitId());
    v.put("liquidationVerifyingKeyHash", h.liquidationVerifyingKeyHash());
    AtomicFiles.write(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
  }

  /**
   * Deploys the exit and liquidation verifiers of the key store's verifying keys and an EscapeHatch
   * bound to the Settlement {@code d}, and sets it on the Settlement (as its owner).
   *
   * @return {@code hatch} with its address
   */
  private static EscapeHatch deployEscapeHatch(
      Web3j web3,
      Credentials admin,
      ChainToolchain toolchain,
      KeyStore keys,
      ChainContracts contracts,
      SettlementClient.Deployment d,
      EscapeHatch hatch) {
    java.util.Map<String, SolidityCompiler.Contract> c =
        EscapeHatchClient.compile(
            toolchain,
            hatch.exitCircuitId(),
            Gnark.exportSolidity(keys.verifyingKey(hatch.exitCircuitId())),
            hatch.liquidationCircuitId(),
            Gnark.exportSolidity(keys.verifyingKey(hatch.liquidationCircuitId())));
    String address =
        checksumAddress(
            EscapeHatchClient.deploy(
                web3, admin, AnvilNode.CHAIN_ID, c, d.settlement(), hatch.gracePeriodSeconds()));
    new SettlementClient(
            web3, admin, AnvilNode.CHAIN_ID, d.settlement(), contracts.settlement().abiJson())
        .setEscapeHatch(address);
    return new EscapeHatch(
        address,
        hatch.gracePeriodSeconds(),
        hatch.exitCircuitId(),
        hatch.exitVerifyingKeyHash(),
        hatch.liquidationCircuitId(),
        hatch.liquidationVerifyingKeyHash());
  }

  private static ChainContracts compile(ChainToolchain toolchain, KeyStore keys, String circuitId) {
    String source = Gnark.exportSolidity(keys.verifyingKey(circuitId));
    return ChainContracts.compile(toolchain, circuitId, source);
  }
}
