package io.zkmargin.chain;

import io.zkmargin.chain.contracts.Settlement;
import io.zkmargin.commit.Fr;
import io.zkmargin.ledger.RequestEntry;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthGetCode;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Numeric;

/**
 * web3j client of a deployed {@code Settlement} contract (verifier-contracts/src/Settlement.sol):
 * deploys it with its genesis root, queues deposits, finalizes proven batches, claims withdrawals,
 * posts oracle-signed risk roots, checks health proofs and reads the contract's state. Transactions
 * are signed locally by the sender's key (legacy transactions with the node's gas price, gas limit
 * from {@code eth_estimateGas} plus 20%); a revert becomes a {@link ChainException} naming the
 * contract's error. Calls are encoded and results decoded by {@link Settlement}, the binding
 * web3j's codegen generates from the contract's compiled ABI in this module's build (see
 * chain/pom.xml), so a changed contract breaks this client's compilation instead of its calls. Not
 * thread-safe for sending (nonces); reads are.
 */
public final class SettlementClient implements AutoCloseable {

  /** {@code Settlement.HealthStatus}, in the contract's order. */
  public enum HealthStatus {
    VALID,
    THRESHOLD_BELOW_MINIMUM,
    STATE_ROOT_UNKNOWN,
    STATE_ROOT_EXPIRED,
    RISK_ROOT_UNKNOWN,
    RISK_ROOT_EXPIRED,
    PROOF_INVALID,
    /** The risk root was posted more than the contract's {@code riskRootMaxAge} seconds ago. */
    RISK_ROOT_TOO_OLD
  }

  /** A mined transaction: its hash and the gas it used (including the 21000 intrinsic gas). */
  public record TxResult(String hash, long gasUsed) {}

  /**
   * Addresses of a fresh deployment and the gas of each creation transaction.
   *
   * @param quoteToken the quote token the deployment uses (deployed here when {@code quoteTokenGas
   *     > 0}, else given)
   */
  public record Deployment(
      String verifier,
      String settlement,
      String quoteToken,
      long verifierGas,
      long settlementGas,
      long quoteTokenGas) {}

  /**
   * The account tree before the first batch (batch 0).
   *
   * @param root the genesis state root, a field element in {@code [0, r)}
   * @param accounts accounts in the genesis tree: {@code registerAccount} assigns ids from here
   * @param accountLimit account ids are below this ({@code 2^D} for a tree of depth D), {@code >=
   *     max(accounts, 1)}, at most {@code 2^64 - 1}
   */
  public record Genesis(BigInteger root, long accounts, BigInteger accountLimit) {
    public Genesis {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(accountLimit, "accountLimit");
      if (root.signum() < 0 || root.compareTo(Fr.MODULUS) >= 0) {
        throw new IllegalArgumentException("genesis root must be in [0, r): " + root);
      }
      if (accounts < 0) {
        throw new IllegalArgumentException("genesis accounts must be >= 0, was " + accounts);
      }
      if (accountLimit.signum() <= 0
          || accountLimit.bitLength() > 64
          || accountLimit.compareTo(BigInteger.valueOf(accounts)) < 0) {
        throw new IllegalArgumentException(
            "accountLimit must be in [max(accounts, 1), 2^64), was " + accountLimit);
      }
    }

    /** Genesis of a tree of depth {@code depth} holding account ids {@code [0, accounts)}. */
    public static Genesis ofTree(BigInteger root, long accounts, int depth) {
      if (depth < 1) {
        throw new IllegalArgumentException("depth must be >= 1, was " + depth);
      }
      BigInteger limit = BigInteger.ONE.shiftLeft(depth);
      if (limit.bitLength() > 64) {
        limit = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
      }
      return new Genesis(root, accounts, limit);
    }
  }

  /**
   * One withdrawal of a batch: {@code amount} quote atoms credited to {@code to}.
   *
   * @param to the L1 address (0x-hex)
   * @param amount quote atoms, {@code > 0}
   */
  public record Withdrawal(String to, long amount) {}

  /**
   * A batch as {@code finalizeBatch} takes it (docs/BATCH.md section 4).
   *
   * @param oldRoot must be the contract's current state root
   * @param newRoot state root after the batch
   * @param riskRoot the posted risk root the batch was checked against
   * @param deposits queue entries the batch consumes
   * @param withdrawalsHash hash chain of the withdrawals (docs/BATCH.md section 3)
   * @param dataHash hash of the batch's transition data, signed by the committee
   * @param batchTime unix seconds, between the previous batch's time and the block's
   */
  public record BatchHeader(
      BigInteger oldRoot,
      BigInteger newRoot,
      BigInteger riskRoot,
      long deposits,
      BigInteger withdrawalsHash,
      BigInteger dataHash,
      long batchTime) {}

  private final Web3j web3;
  private final Credentials sender;
  private final long chainId;
  private final String address;
  private final RevertDecoder errors;

  /**
   * Generated binding, used only to encode calls and decode results (sending goes through {@link
   * #send}).
   */
  private final Settlement contract;

  /**
   * @param web3 connection (owned by the caller unless closed through {@link #close()})
   * @param sender key that signs transactions (the operator for {@link #finalizeBatch})
   * @param chainId chain id for transaction signatures (EIP-155)
   * @param settlementAddress deployed Settlement address
   * @param settlementAbi the Settlement ABI JSON, to name reverts (may be {@code "[]"})
   */
  public SettlementClient(
      Web3j web3,
      Credentials sender,
      long chainId,
      String settlementAddress,
      String settlementAbi) {
    this.web3 = Objects.requireNonNull(web3, "web3");
    this.sender = Objects.requireNonNull(sender, "sender");
    if (chainId <= 0) {
      throw new IllegalArgumentException("chainId must be > 0");
    }
    this.chainId = chainId;
    this.address = Objects.requireNonNull(settlementAddress, "settlementAddress");
    this.errors = new RevertDecoder(settlementAbi);
    this.contract = Settlement.load(address, web3, sender, new DefaultGasProvider());
  }

  /** A web3j connection to a JSON-RPC endpoint. */
  public static Web3j connect(String rpcUrl) {
    return Web3j.build(new HttpService(rpcUrl));
  }

  /**
   * Deploys gnark's health verifier, a quote token (unless one is given) and a Settlement using
   * them, with its genesis root.
   *
   * @param deployer becomes the admin (and the quote token's minter when deployed here)
   * @param quoteToken {@code QuoteToken} to deploy, or null to use {@code quoteTokenAddress}
   * @param quoteTokenAddress an existing ERC-20 (6 decimals) when {@code quoteToken} is null
   * @param batchVerifier the batch circuit's verifier address, or null for none yet ({@code
   *     finalizeBatch} then reverts {@code BatchVerifierNotSet})
   * @param operator address allowed to submit batches
   * @param signers oracle signer addresses (any order; sorted here)
   * @param quorum distinct signers needed per risk root, in {@code [1, signers.size()]}
   * @param stateRootWindow batches whose roots stay usable, {@code >= 1}
   * @param riskRootWindow risk-root postings that stay usable, {@code >= 1}
   * @param riskRootMaxAgeSeconds seconds after its posting during which a risk root stays usable,
   *     {@code >= 1}
   * @param genesis the account tree before the first batch
   */
  public static Deployment deploy(
      Web3j web3,
      Credentials deployer,
      long chainId,
      SolidityCompiler.Contract verifier,
      SolidityCompiler.Contract settlement,
      SolidityCompiler.Contract quoteToken,
      String quoteTokenAddress,
      String batchVerifier,
      String operator,
      List<String> signers,
      int quorum,
      long stateRootWindow,
      long riskRootWindow,
      long riskRootMaxAgeSeconds,
      Genesis genesis) {
    Objects.requireNonNull(genesis, "genesis");
    if (quorum < 1 || quorum > signers.size()) {
      throw new IllegalArgumentException(
          "quorum must be in [1, " + signers.size() + "], was " + quorum);
    }
    if (stateRootWindow < 1 || riskRootWindow < 1) {
      throw new IllegalArgumentException("windows must be >= 1");
    }
    if (riskRootMaxAgeSeconds < 1) {
      throw new IllegalArgumentException(
          "riskRootMaxAgeSeconds must be >= 1, was " + riskRootMaxAgeSeconds);
    }
    if ((quoteToken == null) == (quoteTokenAddress == null)) {
      throw new IllegalArgumentException("give exactly one of quoteToken and quoteTokenAddress");
    }
    RevertDecoder dec = new RevertDecoder(settlement.abiJson());
    TransactionReceipt v =
        send(web3, deployer, chainId, null, Numeric.toHexString(verifier.bytecode()), dec);
    String token = quoteTokenAddress;
    long tokenGas = 0;
    if (quoteToken != null) {
      TransactionReceipt t =
          send(web3, deployer, chainId, null, Numeric.toHexString(quoteToken.bytecode()), dec);
      token = t.getContractAddress();
      tokenGas = t.getGasUsed().longValueExact();
    }
    List<Address> sorted = new ArrayList<>();
    signers.stream().map(Numeric::toBigInt).sorted().forEach(a -> sorted.add(new Address(a)));
    // constructor(Genesis g, address operator, address[] signers, uint256 quorum, uint64 x3);
    // Genesis = (healthVerifier, batchVerifier, quoteToken, genesisRoot, genesisAccounts,
    // accountLimit), a static tuple encoded in place
    String args =
        FunctionEncoder.encodeConstructor(
            List.of(
                new Settlement.Genesis(
                    new Address(v.getContractAddress()),
                    new Address(batchVerifier == null ? Address.DEFAULT.getValue() : batchVerifier),
                    new Address(token),
                    new Uint256(genesis.root()),
                    new Uint64(genesis.accounts()),
                    new Uint64(genesis.accountLimit())),
                new Address(operator),
                new DynamicArray<>(Address.class, sorted),
                new Uint256(quorum),
                new Uint64(stateRootWindow),
                new Uint64(riskRootWindow),
                new Uint64(riskRootMaxAgeSeconds)));
    TransactionReceipt s =
        send(web3, deployer, chainId, null, Numeric.toHexString(settlement.bytecode()) + args, dec);
    return new Deployment(
        v.getContractAddress(),
        s.getContractAddress(),
        token,
        v.getGasUsed().longValueExact(),
        s.getGasUsed().longValueExact(),
        tokenGas);
  }

  /**
   * Deploys a contract without constructor arguments (e.g. a gnark verifier).
   *
   * @return the new contract's address
   */
  public static String deployCode(
      Web3j web3, Credentials deployer, long chainId, SolidityCompiler.Contract contract) {
    return send(
            web3,
            deployer,
            chainId,
            null,
            Numeric.toHexString(contract.bytecode()),
            new RevertDecoder("[]"))
        .getContractAddress();
  }

  public String address() {
    return address;
  }

  /** True if the node has contract code at the settlement address. */
  public boolean isDeployed() {
    try {
      EthGetCode code = web3.ethGetCode(address, DefaultBlockParameterName.LATEST).send();
      return !code.hasError() && code.getCode() != null && code.getCode().length() > 2;
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  /**
   * Replaces the data-availability committee (sender must be the admin).
   *
   * @param members member addresses (any order; sorted here), 1..32
   * @param quorum members whose signatures a batch needs, in {@code [1, members.size()]}
   */
  public TxResult setCommittee(List<String> members, int quorum) {
    List<String> sorted =
        members.stream()
            .map(Numeric::toBigInt)
            .sorted()
            .map(a -> new Address(a).getValue())
            .toList();
    return tx(contract.setCommittee(sorted, BigInteger.valueOf(quorum)));
  }

  /**
   * Names the escape hatch (src/EscapeHatch.sol), once; the sender must be the admin. The hatch
   * alone may then freeze the contract and pay exits out of its quote token.
   *
   * @param hatch the deployed EscapeHatch bound to this Settlement
   */
  public TxResult setEscapeHatch(String hatch) {
    Objects.requireNonNull(hatch, "hatch");
    return tx(contract.setEscapeHatch(hatch));
  }

  /** True once the escape hatch has frozen the contract (no batch, no risk root afterwards). */
  public boolean isFrozen() {
    return value(contract.frozen());
  }

  /** The escape hatch's address, or the zero address when none is set. */
  public String escapeHatch() {
    return value(contract.escapeHatch());
  }

  /**
   * Registers an account with the twisted-Edwards key {@code (pkX, pkY)} and deposits {@code
   * amount} quote atoms into it (the sender must have approved the tokens). The new account's id is
   * {@link #nextAccountId()} read before the call.
   *
   * @param amount quote atoms, {@code [0, 2^63)}
   */
  public TxResult registerAccount(BigInteger pkX, BigInteger pkY, long amount) {
    ArgChecker.notNegative(amount, "amount");
    return tx(contract.registerAccount(pkX, pkY, BigInteger.valueOf(amount)));
  }

  /**
   * Deposits {@code amount} quote atoms into a registered account (the sender must have approved
   * the tokens): appends an entry to the deposit queue.
   *
   * @param amount quote atoms, {@code > 0}
   */
  public TxResult deposit(long accountId, long amount) {
    ArgChecker.notNegative(accountId, "accountId");
    ArgChecker.isTrue(amount > 0, "amount must be > 0, was {}", amount);
    return tx(contract.deposit(BigInteger.valueOf(accountId), BigInteger.valueOf(amount)));
  }

  /**
   * {@link #finalizeBatch(BatchHeader, List, List, byte[], byte[])} of a batch without request
   * entries (no liquidation, no forced withdrawal).
   */
  public TxResult finalizeBatch(
      BatchHeader h, List<Withdrawal> withdrawals, byte[] dacSignatures, byte[] proof) {
    return finalizeBatch(h, withdrawals, List.of(), dacSignatures, proof);
  }

  /**
   * Finalizes the next batch (sender must be the operator); the contract hashes {@code requests}
   * into the proof's 9th public input and has the escape hatch clear the requests they name: a
   * liquidation the keeper's pending liquidation request, a forced withdrawal paid or refused the
   * account's pending forced-withdrawal request (which must carry the entry's requester and amount,
   * else the whole batch reverts {@code ForcedWithdrawalMismatch} or {@code RequestNotPending}).
   *
   * @param withdrawals the batch's withdrawals in slot order (the request slots' after the generic
   *     slots')
   * @param requests the batch's request entries in request-slot order ({@code Ledger.requests()}:
   *     kind 6 liquidation, 8 forced withdrawal paid, 9 refused)
   * @param dacSignatures committee signatures over {@link #batchDataDigest}, signers increasing
   * @param proof gnark {@code MarshalSolidity()} bytes of the batch proof
   */
  public TxResult finalizeBatch(
      BatchHeader h,
      List<Withdrawal> withdrawals,
      List<RequestEntry> requests,
      byte[] dacSignatures,
      byte[] proof) {
    Settlement.BatchHeader header =
        new Settlement.BatchHeader(
            h.oldRoot(),
            h.newRoot(),
            h.riskRoot(),
            BigInteger.valueOf(h.deposits()),
            h.withdrawalsHash(),
            h.dataHash(),
            BigInteger.valueOf(h.batchTime()));
    List<Settlement.Withdrawal> ws =
        withdrawals.stream()
            .map(w -> new Settlement.Withdrawal(w.to(), BigInteger.valueOf(w.amount())))
            .toList();
    List<Settlement.Request> rs =
        requests.stream()
            .map(
                r ->
                    new Settlement.Request(
                        BigInteger.valueOf(r.kind()),
                        BigInteger.valueOf(r.accountId()),
                        Numeric.toHexStringWithPrefixZeroPadded(r.party(), 40),
                        BigInteger.valueOf(r.amount())))
            .toList();
    return tx(contract.finalizeBatch(header, ws, rs, dacSignatures, proof));
  }

  /** Sends the sender every quote atom finalized batches credited to it. */
  public TxResult claimWithdrawal() {
    return tx(contract.claimWithdrawal());
  }

  private TxResult tx(RemoteFunctionCall<TransactionReceipt> f) {
    TransactionReceipt r = send(web3, sender, chainId, address, f.encodeFunctionCall(), errors);
    return new TxResult(r.getTransactionHash(), r.getGasUsed().longValueExact());
  }

  /**
   * Posts the risk root of {@code epoch} with oracle signatures ({@link OracleSigner#signSorted}).
   *
   * @param signatures concatenated 65-byte signatures in increasing signer order
   */
  public TxResult postRiskRoot(long epoch, BigInteger root, byte[] signatures) {
    TransactionReceipt r =
        send(
            web3,
            sender,
            chainId,
            address,
            contract.postRiskRoot(BigInteger.valueOf(epoch), root, signatures).encodeFunctionCall(),
            errors);
    return new TxResult(r.getTransactionHash(), r.getGasUsed().longValueExact());
  }

  /** The current settled state root. */
  public BigInteger stateRoot() {
    return value(contract.stateRoot());
  }

  /** The current batch number (0 before the first settlement). */
  public long batchNumber() {
    return value(contract.batchNumber()).longValueExact();
  }

  /** The latest posted oracle epoch (meaningful when {@link #riskRootCount()} > 0). */
  public long latestRiskEpoch() {
    return value(contract.latestRiskEpoch()).longValue();
  }

  /** The risk root the oracles posted for {@code epoch} (0 when none). */
  public BigInteger riskRootOfEpoch(long epoch) {
    return value(contract.riskRootOfEpoch(BigInteger.valueOf(epoch)));
  }

  /** Number of risk-root postings so far. */
  public long riskRootCount() {
    return value(contract.riskRootCount()).longValueExact();
  }

  /**
   * True if a health proof may use this risk root now (posted, within the window and the maximum
   * age).
   */
  public boolean riskRootUsable(BigInteger root) {
    RemoteFunctionCall<?> f = contract.riskRootStatus(root);
    List<Type> vals = f.decodeFunctionResponse(call(f.encodeFunctionCall()));
    return (Boolean) vals.get(1).getValue();
  }

  /** Block timestamp (seconds) of the latest posting of {@code root}, 0 if never posted. */
  public long riskRootPostedAt(BigInteger root) {
    return value(contract.riskRootPostedAt(root)).longValueExact();
  }

  /** The batch in which {@code root} was last settled (0 = genesis), -1 if never. */
  public long stateRootBatch(BigInteger root) {
    RemoteFunctionCall<?> f = contract.stateRootBatch(root);
    List<Type> vals = f.decodeFunctionResponse(call(f.encodeFunctionCall()));
    return (Boolean) vals.get(1).getValue()
        ? ((BigInteger) vals.get(0).getValue()).longValueExact()
        : -1;
  }

  /** Deposit queue entries ever queued. */
  public long depositCount() {
    return value(contract.depositCount()).longValueExact();
  }

  /** The deposit queue head after {@code k} entries ({@code head_0 = 0}). */
  public BigInteger depositHead(long k) {
    return value(contract.depositHead(BigInteger.valueOf(k)));
  }

  /** Queue entries consumed by finalized batches. */
  public long depositsConsumed() {
    return value(contract.depositsConsumed()).longValueExact();
  }

  /** The id {@code registerAccount} assigns next. */
  public long nextAccountId() {
    return value(contract.nextAccountId()).longValueExact();
  }

  /** Quote atoms credited to {@code l1Address} and not yet claimed. */
  public BigInteger pendingWithdrawal(String l1Address) {
    return value(contract.pendingWithdrawal(l1Address));
  }

  /**
   * One entry of the deposit queue (docs/BATCH.md section 3), as the contract's events tell it.
   *
   * @param index its position in the queue (0-based)
   * @param accountId the account credited
   * @param amount quote atoms
   * @param pkX the owner key x of a registration ({@code registerAccount}), 0 for a plain deposit
   * @param pkY the owner key y, 0 for a plain deposit
   * @param depositor the sender's address as an integer {@code < 2^160}
   * @param head the queue head after this entry
   */
  public record DepositEntry(
      long index,
      long accountId,
      long amount,
      BigInteger pkX,
      BigInteger pkY,
      BigInteger depositor,
      BigInteger head) {}

  /**
   * The deposit queue entries from index {@code from} on, in queue order, read from the contract's
   * {@code DepositQueued} events (a registration's key from the {@code AccountRegistered} event
   * just before it in the same transaction).
   *
   * @param from the first queue index wanted, {@code >= 0}
   */
  public List<DepositEntry> depositEntries(long from) {
    ArgChecker.notNegative(from, "from");
    try {
      org.web3j.protocol.core.methods.request.EthFilter filter =
          new org.web3j.protocol.core.methods.request.EthFilter(
              DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST, address);
      List<org.web3j.protocol.core.methods.response.EthLog.LogResult> logs =
          web3.ethGetLogs(filter).send().getLogs();
      String queued = org.web3j.abi.EventEncoder.encode(Settlement.DEPOSITQUEUED_EVENT);
      String registered = org.web3j.abi.EventEncoder.encode(Settlement.ACCOUNTREGISTERED_EVENT);
      List<DepositEntry> out = new ArrayList<>();
      org.web3j.protocol.core.methods.response.Log previous = null;
      for (org.web3j.protocol.core.methods.response.EthLog.LogResult<?> r : logs) {
        org.web3j.protocol.core.methods.response.Log log =
            (org.web3j.protocol.core.methods.response.Log) r.get();
        String topic = log.getTopics().isEmpty() ? "" : log.getTopics().get(0);
        if (topic.equals(queued)) {
          Settlement.DepositQueuedEventResponse e = Settlement.getDepositQueuedEventFromLog(log);
          BigInteger pkX = BigInteger.ZERO;
          BigInteger pkY = BigInteger.ZERO;
          if (previous != null
              && previous.getTopics().get(0).equals(registered)
              && previous.getTransactionHash().equals(log.getTransactionHash())) {
            Settlement.AccountRegisteredEventResponse a =
                Settlement.getAccountRegisteredEventFromLog(previous);
            if (a.accountId.equals(e.accountId)) {
              pkX = a.pkX;
              pkY = a.pkY;
            }
          }
          if (e.index.longValueExact() >= from) {
            out.add(
                new DepositEntry(
                    e.index.longValueExact(),
                    e.accountId.longValueExact(),
                    e.amount.longValueExact(),
                    pkX,
                    pkY,
                    Numeric.toBigInt(e.depositor),
                    e.head));
          }
        }
        previous = log;
      }
      out.sort(java.util.Comparator.comparingLong(DepositEntry::index));
      return out;
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  /** The quote token's address. */
  public String quoteToken() {
    return value(contract.quoteToken());
  }

  /** The EIP-712 digest a committee member signs for batch {@code batch}. */
  public byte[] batchDataDigest(long batch, BigInteger dataHash, BigInteger newRoot) {
    return value(contract.batchDataDigest(BigInteger.valueOf(batch), dataHash, newRoot));
  }

  /**
   * The contract's EIP-712 digest for {@code (epoch, root)} (equal to {@link
   * OracleSigner#riskRootDigest}).
   */
  public byte[] riskRootDigest(long epoch, BigInteger root) {
    return value(contract.riskRootDigest(BigInteger.valueOf(epoch), root));
  }

  /** Why a claim is accepted or not ({@code healthStatus}, an {@code eth_call}). */
  public HealthStatus healthStatus(HealthClaim c) {
    BigInteger status =
        value(
            contract.healthStatus(
                c.solidityProof(),
                c.stateRoot(),
                c.riskRoot(),
                BigInteger.valueOf(c.accountId()),
                BigInteger.valueOf(c.thresholdBps()),
                BigInteger.valueOf(c.minThresholdBps())));
    return HealthStatus.values()[status.intValueExact()];
  }

  /** {@code verifyHealth}: true only for a valid proof of the claim against usable roots. */
  public boolean verifyHealth(HealthClaim c) {
    return value(verifyHealthCall(c));
  }

  /**
   * Gas of a {@code verifyHealth} transaction ({@code eth_estimateGas}): includes the 21000
   * intrinsic gas and the calldata; a contract calling {@code verifyHealth} pays about this minus
   * 21000 minus calldata.
   */
  public long estimateVerifyHealthGas(HealthClaim c) {
    try {
      EthEstimateGas g =
          web3.ethEstimateGas(
                  Transaction.createEthCallTransaction(
                      sender.getAddress(), address, verifyHealthCall(c).encodeFunctionCall()))
              .send();
      if (g.hasError()) {
        throw revert("estimateGas verifyHealth", g.getError(), errors);
      }
      return g.getAmountUsed().longValueExact();
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  /** Closes the web3j connection. */
  @Override
  public void close() {
    web3.shutdown();
  }

  private RemoteFunctionCall<Boolean> verifyHealthCall(HealthClaim c) {
    return contract.verifyHealth(
        c.solidityProof(),
        c.stateRoot(),
        c.riskRoot(),
        BigInteger.valueOf(c.accountId()),
        BigInteger.valueOf(c.thresholdBps()),
        BigInteger.valueOf(c.minThresholdBps()));
  }

  /**
   * Runs a view of the binding through {@link #call} (reverts named by {@link RevertDecoder}) and
   * decodes its single result with the binding's output type.
   */
  @SuppressWarnings("unchecked")
  private <T> T value(RemoteFunctionCall<T> f) {
    List<Type> out = f.decodeFunctionResponse(call(f.encodeFunctionCall()));
    if (out.isEmpty()) {
      throw new ChainException("undecodable result from " + address, (String) null);
    }
    return (T) out.get(0).getValue();
  }

  private String call(String data) {
    try {
      EthCall r =
          web3.ethCall(
                  Transaction.createEthCallTransaction(sender.getAddress(), address, data),
                  DefaultBlockParameterName.LATEST)
              .send();
      if (r.hasError()) {
        throw revert("call", r.getError(), errors);
      }
      if (r.getValue() == null || r.getValue().length() < 3) {
        throw new ChainException(
            "empty result from " + address + " (no contract there?)", (String) null);
      }
      return r.getValue();
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  static TransactionReceipt send(
      Web3j web3, Credentials from, long chainId, String to, String data, RevertDecoder dec) {
    try {
      EthEstimateGas est =
          web3.ethEstimateGas(new Transaction(from.getAddress(), null, null, null, to, null, data))
              .send();
      if (est.hasError()) {
        throw revert(to == null ? "deploy" : "transaction", est.getError(), dec);
      }
      BigInteger gasLimit =
          est.getAmountUsed()
              .multiply(BigInteger.valueOf(12))
              .divide(BigInteger.TEN)
              .add(BigInteger.valueOf(10_000));
      BigInteger gasPrice = web3.ethGasPrice().send().getGasPrice();
      RawTransactionManager tm = new RawTransactionManager(web3, from, chainId);
      EthSendTransaction sent =
          tm.sendTransaction(gasPrice, gasLimit, to, data, BigInteger.ZERO, to == null);
      if (sent.hasError()) {
        throw revert("send", sent.getError(), dec);
      }
      TransactionReceipt receipt =
          new PollingTransactionReceiptProcessor(web3, 50, 2400)
              .waitForTransactionReceipt(sent.getTransactionHash());
      if (!receipt.isStatusOK()) {
        throw new ChainException(
            "transaction "
                + receipt.getTransactionHash()
                + " reverted"
                + (receipt.getRevertReason() != null ? ": " + receipt.getRevertReason() : ""),
            (String) null);
      }
      return receipt;
    } catch (IOException | TransactionException e) {
      throw new ChainException("chain request failed: " + e.getMessage(), e);
    }
  }

  private static ChainException revert(String what, Response.Error err, RevertDecoder dec) {
    String data = err.getData();
    if (data != null && data.startsWith("\"")) {
      data = data.substring(1, data.length() - 1);
    }
    if (data != null && data.startsWith("0x") && data.length() >= 10) {
      return new ChainException(what + " reverted: " + dec.describe(data), dec.name(data));
    }
    return new ChainException(what + " failed: " + err.getMessage(), (String) null);
  }
}
