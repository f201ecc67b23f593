package io.zkmargin.chain;

import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * web3j client of a deployed {@code EscapeHatch} (verifier-contracts/src/EscapeHatch.sol): the
 * keeper path ({@code requestLiquidation}) and the escape hatch ({@code requestForcedWithdrawal},
 * {@code freeze}, {@code exit}) of a {@code Settlement}. Transactions are signed locally as {@link
 * SettlementClient} signs them; a revert becomes a {@link ChainException} naming the contract's
 * error (EscapeHatch's and Settlement's errors are both decoded). Calls are encoded by hand from
 * the contract's signatures (the hatch has no generated binding). Not thread-safe for sending.
 */
public final class EscapeHatchClient {

  /** An {@code Exited} event: what an exit paid. Amounts in quote atoms. */
  public record Exit(long accountId, String l1Address, BigInteger payout, BigInteger paid) {}

  /** A transaction's result and the {@code Exited} events it emitted (empty for other calls). */
  public record ExitResult(SettlementClient.TxResult tx, List<Exit> exits) {}

  private static final Event EXITED =
      new Event(
          "Exited",
          List.of(
              new TypeReference<Uint64>(true) {},
              new TypeReference<Address>(true) {},
              new TypeReference<Uint256>() {},
              new TypeReference<Uint256>() {}));

  /**
   * A {@code LiquidationRequested} event: a keeper's request (it may have been cleared since: see
   * {@link #liquidationDeadline}).
   *
   * @param keeper the keeper's L1 address, 0x and 40 hex digits (lower case)
   * @param deadline unix seconds
   */
  public record LiquidationRequest(long accountId, String keeper, long riskEpoch, long deadline) {}

  private static final Event LIQUIDATION_REQUESTED =
      new Event(
          "LiquidationRequested",
          List.of(
              new TypeReference<Uint64>(true) {},
              new TypeReference<Address>(true) {},
              new TypeReference<Uint64>() {},
              new TypeReference<Uint64>() {}));

  /**
   * A {@code ForcedWithdrawalRequested} event and whether that request is still pending (no batch
   * cleared it yet).
   *
   * @param requester the L1 address that asked (0x and 40 hex digits, lower case): paid only if it
   *     is the account leaf's L1 address
   * @param amount quote atoms asked, {@code >= 1}
   * @param deadline unix seconds (chain time): after it anyone may freeze while it is pending
   * @param blockNumber the block of the request
   * @param pending whether the hatch still holds exactly this request (deadline, requester and
   *     amount equal): false once a batch paid or refused it
   */
  public record ForcedWithdrawalRequest(
      long accountId,
      String requester,
      long amount,
      long deadline,
      long blockNumber,
      boolean pending) {}

  private static final Event FORCED_WITHDRAWAL_REQUESTED =
      new Event(
          "ForcedWithdrawalRequested",
          List.of(
              new TypeReference<Uint64>(true) {},
              new TypeReference<Address>(true) {},
              new TypeReference<Uint256>() {},
              new TypeReference<Uint64>() {}));

  /**
   * A request the hatch holds for an account (its public getters {@code liquidationRequest} and
   * {@code forcedWithdrawal}).
   *
   * @param deadline unix seconds (chain time)
   * @param batch Settlement's batch number when it was made
   * @param requester the keeper (liquidation) or the asking L1 address (forced withdrawal), lower
   *     case
   * @param amount quote atoms (forced withdrawal), 0 for a liquidation
   */
  public record PendingRequest(long deadline, long batch, String requester, long amount) {}

  private final Web3j web3;
  private final Credentials sender;
  private final long chainId;
  private final String address;
  private final RevertDecoder errors;

  /**
   * @param web3 connection to the node
   * @param sender signs the transactions
   * @param chainId chain id for transaction signatures (EIP-155), {@code > 0}
   * @param hatchAddress the deployed EscapeHatch
   * @param abiJsons ABI JSON of EscapeHatch (and of Settlement), to name reverts
   */
  public EscapeHatchClient(
      Web3j web3, Credentials sender, long chainId, String hatchAddress, String... abiJsons) {
    this.web3 = Objects.requireNonNull(web3, "web3");
    this.sender = Objects.requireNonNull(sender, "sender");
    if (chainId <= 0) {
      throw new IllegalArgumentException("chainId must be > 0");
    }
    this.chainId = chainId;
    this.address = Objects.requireNonNull(hatchAddress, "hatchAddress");
    this.errors = new RevertDecoder(abiJsons);
  }

  /**
   * Deploys the exit and liquidation verifiers and an EscapeHatch bound to {@code settlement}; the
   * Settlement's owner must then call {@link SettlementClient#setEscapeHatch}.
   *
   * @param gracePeriodSeconds seconds the operator has to honour a request, {@code >= 1}
   * @return the hatch's address
   */
  public static String deploy(
      Web3j web3,
      Credentials deployer,
      long chainId,
      Map<String, SolidityCompiler.Contract> contracts,
      String settlement,
      long gracePeriodSeconds) {
    ArgChecker.notNegativeOrZero(gracePeriodSeconds, "gracePeriodSeconds");
    SolidityCompiler.Contract hatch = contracts.get("hatch");
    RevertDecoder dec = new RevertDecoder(hatch.abiJson());
    String exitV = deployCode(web3, deployer, chainId, contracts.get("exitVerifier"), "", dec);
    String liqV =
        deployCode(web3, deployer, chainId, contracts.get("liquidationVerifier"), "", dec);
    String args =
        FunctionEncoder.encodeConstructor(
            List.of(
                new Address(settlement),
                new Address(exitV),
                new Address(liqV),
                new Uint64(gracePeriodSeconds)));
    return deployCode(web3, deployer, chainId, hatch, args, dec);
  }

  private static String deployCode(
      Web3j web3,
      Credentials from,
      long chainId,
      SolidityCompiler.Contract c,
      String args,
      RevertDecoder dec) {
    Objects.requireNonNull(c, "contract");
    return SettlementClient.send(
            web3, from, chainId, null, Numeric.toHexString(c.bytecode()) + args, dec)
        .getContractAddress();
  }

  public String address() {
    return address;
  }

  /**
   * Requests the liquidation of an account with a liquidation-eligibility proof whose keeper public
   * input is the sender's address.
   *
   * @param accountId the account (leaf index), {@code >= 0}
   * @param riskEpoch an oracle epoch whose root is posted and usable
   * @param solidityProof the proof's 256-byte Solidity layout
   */
  public SettlementClient.TxResult requestLiquidation(
      long accountId, long riskEpoch, byte[] solidityProof) {
    return send(
        "requestLiquidation",
        new Uint64(nonNegative(accountId, "accountId")),
        new Uint64(nonNegative(riskEpoch, "riskEpoch")),
        new DynamicBytes(proof(solidityProof)));
  }

  /**
   * Asks the operator to withdraw {@code amount} quote atoms of the account to the sender (the
   * account's L1 address) within the grace period.
   *
   * @param amount quote atoms, {@code >= 1}
   */
  public SettlementClient.TxResult requestForcedWithdrawal(long accountId, long amount) {
    ArgChecker.notNegativeOrZero(amount, "amount");
    return send(
        "requestForcedWithdrawal",
        new Uint64(nonNegative(accountId, "accountId")),
        new Uint256(amount));
  }

  /** Freezes the Settlement: a request of {@code accountId} must be past its deadline. */
  public SettlementClient.TxResult freeze(long accountId) {
    return send("freeze", new Uint64(nonNegative(accountId, "accountId")));
  }

  /**
   * Exits an account after the freeze with an exit proof; the contract pays {@code min(payout,
   * held)} quote atoms to {@code l1Address}.
   *
   * @param l1Address the leaf's L1 address, as in the proof
   * @param payout quote atoms, as in the proof
   */
  public ExitResult exit(
      long accountId, String l1Address, BigInteger payout, byte[] solidityProof) {
    Objects.requireNonNull(payout, "payout");
    if (payout.signum() < 0) {
      throw new IllegalArgumentException("payout must be >= 0");
    }
    TransactionReceipt r =
        sendReceipt(
            "exit",
            new Uint64(nonNegative(accountId, "accountId")),
            new Address(l1Address),
            new Uint256(payout),
            new DynamicBytes(proof(solidityProof)));
    List<Exit> exits = new ArrayList<>();
    String topic = EventEncoder.encode(EXITED);
    for (Log l : r.getLogs()) {
      if (l.getTopics().isEmpty()
          || !l.getTopics().get(0).equals(topic)
          || !l.getAddress().equalsIgnoreCase(address)) {
        continue;
      }
      List<Type> data = FunctionReturnDecoder.decode(l.getData(), EXITED.getNonIndexedParameters());
      exits.add(
          new Exit(
              Numeric.toBigInt(l.getTopics().get(1)).longValueExact(),
              "0x" + l.getTopics().get(2).substring(26),
              (BigInteger) data.get(0).getValue(),
              (BigInteger) data.get(1).getValue()));
    }
    return new ExitResult(
        new SettlementClient.TxResult(r.getTransactionHash(), r.getGasUsed().longValueExact()),
        exits);
  }

  /**
   * Submits a prepared exit proof file (docs/ENCODING.md proof file of an {@code exit-…} circuit:
   * public inputs exitRoots(stateRoot, riskRoot), accountId * 2^160 + l1Address, payout) to the
   * escape hatch of the Settlement at {@code settlementAddress}: what {@code ./zkm exit} does.
   *
   * @param accountId the account the caller means to exit; must be the proof's
   * @return the transaction and its {@code Exited} event
   * @throws IllegalArgumentException if the file is not an exit proof of {@code accountId}
   * @throws ChainException if the Settlement has no escape hatch or the hatch refuses (named error)
   */
  public static ExitResult exitWithProof(
      Web3j web3,
      Credentials sender,
      long chainId,
      String settlementAddress,
      io.zkmargin.prover.ProofFile proof,
      long accountId) {
    Objects.requireNonNull(proof, "proof");
    if (!proof.circuitId().startsWith("exit-")
        || proof.publicInputs().size() != io.zkmargin.prover.ExitProver.PUBLIC_INPUTS) {
      throw new IllegalArgumentException(
          "not an exit proof (circuit "
              + proof.circuitId()
              + ", "
              + io.zkmargin.prover.ExitProver.PUBLIC_INPUTS
              + " public inputs expected)");
    }
    List<BigInteger> in = proof.publicInputs();
    BigInteger packed = in.get(1); // accountId * 2^160 + l1Address
    if (!io.zkmargin.prover.ExitProver.accountOf(packed).equals(BigInteger.valueOf(accountId))) {
      throw new IllegalArgumentException(
          "the proof exits account "
              + io.zkmargin.prover.ExitProver.accountOf(packed)
              + ", not "
              + accountId);
    }
    SettlementClient s = new SettlementClient(web3, sender, chainId, settlementAddress, "[]");
    String hatch = s.escapeHatch();
    if (Numeric.toBigInt(hatch).signum() == 0) {
      throw new ChainException(
          "the Settlement at " + settlementAddress + " has no escape hatch", (String) null);
    }
    EscapeHatchClient c = new EscapeHatchClient(web3, sender, chainId, hatch, ESCAPE_HATCH_ERRORS);
    return c.exit(
        accountId,
        String.format("0x%040x", io.zkmargin.prover.ExitProver.addressOf(packed)),
        in.get(2),
        Arrays.copyOf(proof.proof(), HealthClaim.SOLIDITY_PROOF_BYTES));
  }

  /**
   * EscapeHatch's custom errors as an ABI fragment, so that a client without the compiled ABI (the
   * CLI) still names the refusals.
   */
  public static final String ESCAPE_HATCH_ERRORS =
      "["
          + String.join(
              ",",
              List.of(
                      "IsFrozen",
                      "NotFrozen",
                      "LiquidationProofInvalid",
                      "ExitProofInvalid",
                      "ZeroAddress")
                  .stream()
                  .map(n -> "{\"type\":\"error\",\"name\":\"" + n + "\",\"inputs\":[]}")
                  .toList())
          + ",{\"type\":\"error\",\"name\":\"AlreadyExited\",\"inputs\":[{\"name\":\"accountId\",\"type\":\"uint64\"}]}"
          + ",{\"type\":\"error\",\"name\":\"NothingOverdue\",\"inputs\":[{\"name\":\"accountId\",\"type\":\"uint64\"}]}"
          + ",{\"type\":\"error\",\"name\":\"InsufficientGasForVerifier\",\"inputs\":[{\"name\":\"gasLeft\",\"type\":\"uint256\"}]}"
          + ",{\"type\":\"error\",\"name\":\"RequestPending\",\"inputs\":[{\"name\":\"accountId\",\"type\":\"uint64\"},{\"name\":\"deadline\",\"type\":\"uint64\"}]}"
          + ",{\"type\":\"error\",\"name\":\"RiskRootUnknown\",\"inputs\":[{\"name\":\"epoch\",\"type\":\"uint64\"}]}"
          + ",{\"type\":\"error\",\"name\":\"RiskRootNotUsable\",\"inputs\":[{\"name\":\"riskRoot\",\"type\":\"uint256\"}]}"
          + ",{\"type\":\"error\",\"name\":\"UnknownAccount\",\"inputs\":[{\"name\":\"accountId\",\"type\":\"uint64\"},{\"name\":\"nextAccountId\",\"type\":\"uint64\"}]}"
          + ",{\"type\":\"error\",\"name\":\"AmountOutOfRange\",\"inputs\":[{\"name\":\"amount\",\"type\":\"uint256\"}]}"
          + ",{\"type\":\"error\",\"name\":\"RequestNotPending\",\"inputs\":[{\"name\":\"accountId\",\"type\":\"uint64\"}]}"
          + ",{\"type\":\"error\",\"name\":\"KeeperMismatch\",\"inputs\":[{\"name\":\"accountId\",\"type\":\"uint64\"},{\"name\":\"requestKeeper\",\"type\":\"address\"},{\"name\":\"batchKeeper\",\"type\":\"address\"}]}"
          + ",{\"type\":\"error\",\"name\":\"ForcedWithdrawalMismatch\",\"inputs\":[{\"name\":\"accountId\",\"type\":\"uint64\"},{\"name\":\"requestRequester\",\"type\":\"address\"},{\"name\":\"requestAmount\",\"type\":\"uint64\"},{\"name\":\"batchRequester\",\"type\":\"address\"},{\"name\":\"batchAmount\",\"type\":\"uint64\"}]}"
          + "]";

  /** Whether the Settlement is frozen. */
  public boolean isFrozen() {
    return (Boolean) view("isFrozen", new TypeReference<Bool>() {}).getValue();
  }

  /** Whether {@code accountId} has exited. */
  public boolean exited(long accountId) {
    return (Boolean)
        view(
                "exited",
                new TypeReference<Bool>() {},
                new Uint64(nonNegative(accountId, "accountId")))
            .getValue();
  }

  /** Whether a request of {@code accountId} is past its deadline ({@code freeze} is open). */
  public boolean overdue(long accountId) {
    return (Boolean)
        view(
                "overdue",
                new TypeReference<Bool>() {},
                new Uint64(nonNegative(accountId, "accountId")))
            .getValue();
  }

  /**
   * {@code compress(exitStateRoot, exitRiskRoot)}, the exit proofs' first public input (0 before
   * the freeze).
   */
  public BigInteger exitRoots() {
    return (BigInteger) view("exitRoots", new TypeReference<Uint256>() {}).getValue();
  }

  /** The state root exits are proven against (0 before the freeze). */
  public BigInteger exitStateRoot() {
    return (BigInteger) view("exitStateRoot", new TypeReference<Uint256>() {}).getValue();
  }

  /** The risk root exits are proven against (0 before the freeze). */
  public BigInteger exitRiskRoot() {
    return (BigInteger) view("exitRiskRoot", new TypeReference<Uint256>() {}).getValue();
  }

  /**
   * The quote atoms left for exits: the hatch's token balance (moved from Settlement at the freeze,
   * lowered by each exit; 0 before).
   */
  public BigInteger exitPool() {
    return (BigInteger) view("exitPool", new TypeReference<Uint256>() {}).getValue();
  }

  /** The grace period in seconds (constructor parameter). */
  public long gracePeriod() {
    return ((BigInteger) view("gracePeriod", new TypeReference<Uint64>() {}).getValue())
        .longValueExact();
  }

  /**
   * Every {@code LiquidationRequested} event of the hatch from block {@code fromBlock} on, in chain
   * order (what the operator watches; a request cleared since is still listed).
   *
   * @param fromBlock the first block read, {@code >= 0}
   */
  @SuppressWarnings("rawtypes")
  public List<LiquidationRequest> liquidationRequests(long fromBlock) {
    return liquidationRequests(fromBlock, -1);
  }

  /**
   * The {@code LiquidationRequested} events of blocks {@code [fromBlock, toBlock]}, in chain order
   * (a follower's cursor reads each block once).
   *
   * @param toBlock the last block read, or -1 for the latest
   */
  @SuppressWarnings("rawtypes")
  public List<LiquidationRequest> liquidationRequests(long fromBlock, long toBlock) {
    List<LiquidationRequest> out = new ArrayList<>();
    for (Log l : logs(LIQUIDATION_REQUESTED, fromBlock, toBlock)) {
      List<Type> data =
          FunctionReturnDecoder.decode(
              l.getData(), LIQUIDATION_REQUESTED.getNonIndexedParameters());
      out.add(
          new LiquidationRequest(
              Numeric.toBigInt(l.getTopics().get(1)).longValueExact(),
              topicAddress(l.getTopics().get(2)),
              ((BigInteger) data.get(0).getValue()).longValueExact(),
              ((BigInteger) data.get(1).getValue()).longValueExact()));
    }
    return out;
  }

  /**
   * Every {@code ForcedWithdrawalRequested} event of the hatch in blocks {@code [fromBlock,
   * toBlock]}, in chain order, each with whether it is still pending (what the operator honours and
   * {@code ./zkm hatch status} lists).
   *
   * @param fromBlock the first block read, {@code >= 0}
   * @param toBlock the last block read, {@code >= fromBlock}, or {@code -1} for the latest
   */
  @SuppressWarnings("rawtypes")
  public List<ForcedWithdrawalRequest> forcedWithdrawalRequests(long fromBlock, long toBlock) {
    ArgChecker.isTrue(
        toBlock == -1 || toBlock >= fromBlock,
        "toBlock must be -1 (latest) or >= fromBlock, was {}",
        toBlock);
    List<ForcedWithdrawalRequest> out = new ArrayList<>();
    for (Log l : logs(FORCED_WITHDRAWAL_REQUESTED, fromBlock, toBlock)) {
      List<Type> data =
          FunctionReturnDecoder.decode(
              l.getData(), FORCED_WITHDRAWAL_REQUESTED.getNonIndexedParameters());
      long id = Numeric.toBigInt(l.getTopics().get(1)).longValueExact();
      String requester = topicAddress(l.getTopics().get(2));
      long amount = ((BigInteger) data.get(0).getValue()).longValueExact();
      long deadline = ((BigInteger) data.get(1).getValue()).longValueExact();
      PendingRequest now = pendingForcedWithdrawal(id).orElse(null);
      boolean pending =
          now != null
              && now.deadline() == deadline
              && now.requester().equals(requester)
              && now.amount() == amount;
      out.add(
          new ForcedWithdrawalRequest(
              id, requester, amount, deadline, l.getBlockNumber().longValueExact(), pending));
    }
    return out;
  }

  /** The hatch's logs of {@code event} in {@code [fromBlock, toBlock]} ({@code -1}: latest). */
  private List<Log> logs(Event event, long fromBlock, long toBlock) {
    ArgChecker.notNegative(fromBlock, "fromBlock");
    String topic = EventEncoder.encode(event);
    org.web3j.protocol.core.methods.request.EthFilter filter =
        new org.web3j.protocol.core.methods.request.EthFilter(
            org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock)),
            toBlock < 0
                ? DefaultBlockParameterName.LATEST
                : org.web3j.protocol.core.DefaultBlockParameter.valueOf(
                    BigInteger.valueOf(toBlock)),
            address);
    filter.addSingleTopic(topic);
    try {
      org.web3j.protocol.core.methods.response.EthLog r = web3.ethGetLogs(filter).send();
      if (r.hasError()) {
        throw new ChainException("eth_getLogs failed: " + r.getError().getMessage(), (String) null);
      }
      List<Log> out = new ArrayList<>();
      for (org.web3j.protocol.core.methods.response.EthLog.LogResult<?> lr : r.getLogs()) {
        Log l = (Log) lr.get();
        if (l.getTopics().size() >= 3 && l.getTopics().get(0).equals(topic)) {
          out.add(l);
        }
      }
      return out;
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  /** The number of the chain's latest block. */
  public long latestBlock() {
    try {
      return web3.ethBlockNumber().send().getBlockNumber().longValueExact();
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  private static String topicAddress(String topic) {
    return "0x" + topic.substring(26).toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The deadline (unix seconds) of the account's pending liquidation request, 0 when none is
   * pending.
   */
  public long liquidationDeadline(long accountId) {
    return pendingLiquidation(accountId).map(PendingRequest::deadline).orElse(0L);
  }

  /**
   * The deadline (unix seconds) of the account's pending forced-withdrawal request, 0 when none is
   * pending.
   */
  public long forcedWithdrawalDeadline(long accountId) {
    return pendingForcedWithdrawal(accountId).map(PendingRequest::deadline).orElse(0L);
  }

  /** The account's pending liquidation request, empty when none is pending. */
  public Optional<PendingRequest> pendingLiquidation(long accountId) {
    return request("liquidationRequest", accountId);
  }

  /** The account's pending forced-withdrawal request, empty when none is pending. */
  public Optional<PendingRequest> pendingForcedWithdrawal(long accountId) {
    return request("forcedWithdrawal", accountId);
  }

  @SuppressWarnings("rawtypes")
  private Optional<PendingRequest> request(String getter, long accountId) {
    // the public getter of a Request struct returns (deadline, batch, requester, amount)
    Function f =
        new Function(
            getter,
            List.of(new Uint64(nonNegative(accountId, "accountId"))),
            List.of(
                new TypeReference<Uint64>() {},
                new TypeReference<Uint64>() {},
                new TypeReference<Address>() {},
                new TypeReference<Uint64>() {}));
    List<Type> v = call(f);
    long deadline = ((BigInteger) v.get(0).getValue()).longValueExact();
    if (deadline == 0) {
      return Optional.empty();
    }
    return Optional.of(
        new PendingRequest(
            deadline,
            ((BigInteger) v.get(1).getValue()).longValueExact(),
            ((String) v.get(2).getValue()).toLowerCase(java.util.Locale.ROOT),
            ((BigInteger) v.get(3).getValue()).longValueExact()));
  }

  /**
   * The timestamp of the chain's latest block (unix seconds): the clock the hatch's deadlines are
   * compared with ({@code freeze} needs a later block than the deadline).
   */
  public long chainTime() {
    try {
      org.web3j.protocol.core.methods.response.EthBlock b =
          web3.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send();
      if (b.hasError() || b.getBlock() == null) {
        throw new ChainException("eth_getBlockByNumber failed", (String) null);
      }
      return b.getBlock().getTimestamp().longValueExact();
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  private static long nonNegative(long v, String what) {
    return ArgChecker.notNegative(v, what);
  }

  private static byte[] proof(byte[] p) {
    Objects.requireNonNull(p, "solidityProof");
    if (p.length != HealthClaim.SOLIDITY_PROOF_BYTES) {
      throw new IllegalArgumentException(
          "a Solidity proof has " + HealthClaim.SOLIDITY_PROOF_BYTES + " bytes, got " + p.length);
    }
    return p.clone();
  }

  @SuppressWarnings("rawtypes")
  private SettlementClient.TxResult send(String name, Type... args) {
    TransactionReceipt r = sendReceipt(name, args);
    return new SettlementClient.TxResult(r.getTransactionHash(), r.getGasUsed().longValueExact());
  }

  @SuppressWarnings("rawtypes")
  private TransactionReceipt sendReceipt(String name, Type... args) {
    String data = FunctionEncoder.encode(new Function(name, Arrays.asList(args), List.of()));
    return SettlementClient.send(web3, sender, chainId, address, data, errors);
  }

  @SuppressWarnings("rawtypes")
  private Type view(String name, TypeReference<?> out, Type... args) {
    return call(new Function(name, Arrays.asList(args), List.of(out))).get(0);
  }

  @SuppressWarnings("rawtypes")
  private List<Type> call(Function f) {
    String name = f.getName();
    try {
      EthCall r =
          web3.ethCall(
                  Transaction.createEthCallTransaction(
                      sender.getAddress(), address, FunctionEncoder.encode(f)),
                  DefaultBlockParameterName.LATEST)
              .send();
      if (r.hasError()) {
        throw new ChainException(name + " failed: " + r.getError().getMessage(), (String) null);
      }
      List<Type> v = FunctionReturnDecoder.decode(r.getValue(), f.getOutputParameters());
      if (v.isEmpty()) {
        throw new ChainException("empty result of " + name + " from " + address, (String) null);
      }
      return v;
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  /**
   * Compiles EscapeHatch and the checked-in exit and liquidation verifiers of the test size from
   * the toolchain's directory.
   *
   * @param exitCircuitId e.g. {@code exit-D6-I3-P2-A2-S4-T2} (its verifier is {@code
   *     src/verifiers/<id>.sol})
   * @param liquidationCircuitId e.g. {@code liquidation-D6-I3-P2-A2-S4-T2}
   * @return {@code hatch}, {@code exitVerifier}, {@code liquidationVerifier}
   */
  public static Map<String, SolidityCompiler.Contract> compile(
      ChainToolchain toolchain, String exitCircuitId, String liquidationCircuitId) {
    for (String id : List.of(exitCircuitId, liquidationCircuitId)) {
      if (id == null || !id.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException("bad circuit id: " + id);
      }
    }
    return compile(
        toolchain,
        exitCircuitId,
        toolchain.source("src/verifiers/" + exitCircuitId + ".sol"),
        liquidationCircuitId,
        toolchain.source("src/verifiers/" + liquidationCircuitId + ".sol"));
  }

  /**
   * Compiles EscapeHatch with the given verifier sources (e.g. gnark's export of a key store's
   * verifying keys, as the local chain deploys them).
   *
   * @return {@code hatch}, {@code exitVerifier}, {@code liquidationVerifier}
   */
  public static Map<String, SolidityCompiler.Contract> compile(
      ChainToolchain toolchain,
      String exitCircuitId,
      String exitVerifierSource,
      String liquidationCircuitId,
      String liquidationVerifierSource) {
    for (String id : List.of(exitCircuitId, liquidationCircuitId)) {
      if (id == null || !id.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException("bad circuit id: " + id);
      }
    }
    Objects.requireNonNull(exitVerifierSource, "exitVerifierSource");
    Objects.requireNonNull(liquidationVerifierSource, "liquidationVerifierSource");
    String eu = "src/verifiers/" + exitCircuitId + ".sol";
    String lu = "src/verifiers/" + liquidationCircuitId + ".sol";
    Map<String, SolidityCompiler.Contract> out =
        new SolidityCompiler(toolchain)
            .compile(
                Map.of(
                    "src/EscapeHatch.sol",
                    toolchain.source("src/EscapeHatch.sol"),
                    eu,
                    exitVerifierSource,
                    lu,
                    liquidationVerifierSource));
    SolidityCompiler.Contract h = out.get("src/EscapeHatch.sol:EscapeHatch");
    SolidityCompiler.Contract e = out.get(eu + ":Verifier");
    SolidityCompiler.Contract l = out.get(lu + ":Verifier");
    if (h == null || e == null || l == null) {
      throw new SolidityCompiler.CompilationException(
          "expected EscapeHatch and two Verifier contracts, got " + out.keySet());
    }
    return Map.of("hatch", h, "exitVerifier", e, "liquidationVerifier", l);
  }
}
