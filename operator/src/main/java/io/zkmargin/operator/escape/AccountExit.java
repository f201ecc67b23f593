package io.zkmargin.operator.escape;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zkmargin.api.v1.GetAccountResponse;
import io.zkmargin.chain.EscapeHatchClient;
import io.zkmargin.chain.HealthClaim;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.dac.DacClient;
import io.zkmargin.prover.ExitProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.risk.account.AccountState;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.utils.Numeric;

/**
 * An account's exit from a frozen Settlement built from the committee's data alone (what {@code
 * ./zkm exit --dac} runs): the account's leaf and Merkle path from a committee member ({@code
 * GetAccount}), checked against the escape hatch's exit state root (the last finalized root); the
 * risk entries of its positions and the globals at the exit risk root (the last posted one) from
 * {@link RiskOpening} (the committee's batch rows at that root, or the oracle's published vector);
 * the payout {@code floor(max(0, E) / 10^9)} by the Java risk model; the exit proof by {@link
 * ExitProver} through JNI; then {@code EscapeHatch.exit}. Nothing the member or the vector says is
 * trusted: every part opens against the contract's roots before a proof is attempted.
 */
public final class AccountExit {

  /** Why an exit cannot be built or submitted (the message says what to do). */
  public enum Reason {
    NO_ESCAPE_HATCH,
    NOT_FROZEN,
    ALREADY_EXITED,
    ACCOUNT_UNKNOWN,
    ROOT_MISMATCH,
    NO_RISK_DATA,
    NO_L1_ADDRESS
  }

  /** An exit refused before any transaction, with its reason. */
  public static final class ExitRefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    ExitRefusedException(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  /**
   * A proven exit, ready to submit.
   *
   * @param l1Address the leaf's L1 address (the payee)
   * @param payout quote atoms, {@code floor(max(0, E) / 10^9)}
   * @param equityNano the account's equity E in nano quote atoms (signed)
   * @param dacBatch the committee member's batch the leaf was read at
   * @param riskSource where the risk entries came from
   */
  public record Prepared(
      long accountId,
      BigInteger l1Address,
      BigInteger payout,
      BigInteger equityNano,
      ProofFile proof,
      long dacBatch,
      String riskSource) {}

  private final Web3j web3;
  private final Credentials sender;
  private final long chainId;
  private final String settlement;
  private final ExitProver prover;

  /**
   * @param sender signs the exit transaction (anyone: the payout goes to the leaf's L1 address)
   * @param settlement the Settlement's address
   * @param keys key store holding the exit circuit's proving key
   */
  public AccountExit(
      Web3j web3, Credentials sender, long chainId, String settlement, KeyStore keys) {
    this.web3 = ArgChecker.notNull(web3, "web3");
    this.sender = ArgChecker.notNull(sender, "sender");
    this.chainId = chainId;
    this.settlement = ArgChecker.notNull(settlement, "settlement");
    this.prover = new ExitProver(ArgChecker.notNull(keys, "keys"));
  }

  /** The Settlement's escape hatch client, signed by the sender. */
  public EscapeHatchClient hatch() throws ExitRefusedException {
    SettlementClient s = new SettlementClient(web3, sender, chainId, settlement, "[]");
    String h = s.escapeHatch();
    if (Numeric.toBigInt(h).signum() == 0) {
      throw new ExitRefusedException(
          Reason.NO_ESCAPE_HATCH, "the Settlement at " + settlement + " has no escape hatch");
    }
    return new EscapeHatchClient(web3, sender, chainId, h, EscapeHatchClient.ESCAPE_HATCH_ERRORS);
  }

  /**
   * Builds and proves the account's exit from a committee member's data.
   *
   * @param dac a committee member
   * @param accountId the account
   * @param oracleVector the oracle's published risk vector, or null to use the committee's batch
   *     rows only
   * @throws ExitRefusedException not frozen yet, already exited, account unknown, the member's root
   *     is not the exit root, no risk entry for one of the account's instruments, no L1 address
   */
  public Prepared prepare(DacClient dac, long accountId, RiskCommitment oracleVector)
      throws ExitRefusedException {
    ArgChecker.notNull(dac, "dac");
    ArgChecker.notNegative(accountId, "accountId");
    EscapeHatchClient hatch = hatch();
    if (!hatch.isFrozen()) {
      throw new ExitRefusedException(
          Reason.NOT_FROZEN,
          "the Settlement is not frozen yet: exits open once anyone calls freeze(account) for a"
              + " forced-withdrawal or liquidation request past its deadline");
    }
    if (hatch.exited(accountId)) {
      throw new ExitRefusedException(
          Reason.ALREADY_EXITED, "account " + accountId + " has already exited");
    }
    BigInteger stateRoot = hatch.exitStateRoot();
    BigInteger riskRoot = hatch.exitRiskRoot();
    CircuitSizes sizes = sizes(dac);
    GetAccountResponse a;
    try {
      a = dac.account(accountId);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new ExitRefusedException(
            Reason.ACCOUNT_UNKNOWN,
            "account " + accountId + " is unknown to the committee (an empty leaf)");
      }
      throw e;
    }
    AccountLeaf leaf = leaf(a, sizes);
    BigInteger[] path = a.getPathList().stream().map(BigInteger::new).toArray(BigInteger[]::new);
    if (!new BigInteger(a.getRoot()).equals(stateRoot)) {
      throw new ExitRefusedException(
          Reason.ROOT_MISMATCH,
          "the committee member "
              + dac.endpoint()
              + " is at batch "
              + a.getBatchNumber()
              + " with root "
              + a.getRoot()
              + ", not the exit state root "
              + stateRoot
              + " (the last finalized batch): ask another member");
    }
    if (leaf.l1Address().signum() == 0) {
      throw new ExitRefusedException(
          Reason.NO_L1_ADDRESS,
          "account " + accountId + " has no L1 address in its leaf: the exit has no payee");
    }
    RiskOpening risk = riskAt(sizes, riskRoot, oracleVector, leaf, dac);
    MarginResult margin = risk.margin(leaf);
    BigInteger payout = ExitProver.payout(margin);
    ProofFile proof;
    try {
      proof =
          prover.prove(
              risk.witness(accountId, leaf, path, stateRoot, margin.maintenanceCore()),
              leaf.l1Address(),
              payout);
    } catch (IllegalArgumentException e) {
      throw new ExitRefusedException(
          Reason.ROOT_MISMATCH, "the committee's opening does not check: " + e.getMessage());
    }
    return new Prepared(
        accountId,
        leaf.l1Address(),
        payout,
        margin.equityNano(),
        proof,
        a.getBatchNumber(),
        risk.source());
  }

  /** Submits a prepared exit; the contract pays {@code min(payout, exitPool)}. */
  public EscapeHatchClient.ExitResult submit(Prepared p) throws ExitRefusedException {
    ArgChecker.notNull(p, "p");
    return hatch()
        .exit(
            p.accountId(),
            String.format("0x%040x", p.l1Address()),
            p.payout(),
            Arrays.copyOf(p.proof().proof(), HealthClaim.SOLIDITY_PROOF_BYTES));
  }

  /**
   * The risk opening at {@code riskRoot} holding every instrument of {@code leaf}: the oracle's
   * vector when it commits to that root, else the committee's batch rows.
   */
  static RiskOpening riskAt(
      CircuitSizes sizes,
      BigInteger riskRoot,
      RiskCommitment oracleVector,
      AccountLeaf leaf,
      DacClient dac)
      throws ExitRefusedException {
    if (oracleVector != null) {
      var v = RiskOpening.ofVector(oracleVector, riskRoot);
      if (v.isPresent()) {
        return v.get();
      }
    }
    Set<Long> wanted = new java.util.TreeSet<>();
    for (int j = 0; j < leaf.quantities().length; j++) {
      if (leaf.quantities()[j] != 0) {
        wanted.add(leaf.instrumentIds()[j]);
      }
    }
    long last = dac.status().getLatestBatch();
    RiskOpening r =
        RiskOpening.fromBatches(sizes, riskRoot, last, dac::batch, wanted)
            .orElseThrow(
                () ->
                    new ExitRefusedException(
                        Reason.NO_RISK_DATA,
                        "no batch of the committee was proven at risk root "
                            + riskRoot
                            + (oracleVector == null
                                ? ""
                                : ", and the given risk vector commits to "
                                    + oracleVector.riskRoot())
                            + ": give the oracle's published risk vector of that root"));
    Set<Long> missing = r.missing(leaf);
    if (!missing.isEmpty()) {
      throw new ExitRefusedException(
          Reason.NO_RISK_DATA,
          "no batch of the committee at risk root "
              + riskRoot
              + " carries the entries of instruments "
              + missing
              + ": give the oracle's published risk vector of that root");
    }
    return r;
  }

  /** The health circuit sizes a member replays ({@code batch-D..-T..-K..-L..} in its status). */
  public static CircuitSizes sizes(DacClient dac) {
    String s = dac.status().getSizes();
    int k = s.indexOf("-K");
    ArgChecker.isTrue(s.startsWith("batch-") && k > 0, "the member reports unknown sizes {}", s);
    return CircuitSizes.fromHealthCircuitId("health-" + s.substring("batch-".length(), k));
  }

  /** The leaf a member answered, checked against its leaf hash. */
  static AccountLeaf leaf(GetAccountResponse a, CircuitSizes sizes) throws ExitRefusedException {
    List<Long> w = a.getWordsList();
    int assets = sizes.collateralAssets();
    int p = sizes.positionSlots();
    if (w.size() != 2 + assets + 3 * p) {
      throw new ExitRefusedException(
          Reason.ROOT_MISMATCH, "the member's leaf has " + w.size() + " words, not the sizes'");
    }
    long[] bal = new long[assets];
    long[] ids = new long[p];
    long[] qty = new long[p];
    long[] snap = new long[p];
    for (int i = 0; i < assets; i++) {
      bal[i] = w.get(2 + i);
    }
    for (int j = 0; j < p; j++) {
      ids[j] = w.get(2 + assets + 3 * j);
      qty[j] = w.get(3 + assets + 3 * j);
      snap[j] = w.get(4 + assets + 3 * j);
    }
    AccountLeaf leaf =
        new AccountLeaf(
            new BigInteger(a.getOwnerPkX()),
            new BigInteger(a.getOwnerPkY()),
            new BigInteger(a.getL1Address()),
            new BigInteger(a.getOrdersRoot()),
            w.get(0),
            new AccountState(w.get(1), bal, ids, qty, snap));
    if (!leaf.hash().toString().equals(a.getLeafHash())) {
      throw new ExitRefusedException(
          Reason.ROOT_MISMATCH, "the member's leaf fields do not hash to its leaf hash");
    }
    return leaf;
  }
}
