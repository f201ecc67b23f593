// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IHealthVerifier} from "./IHealthVerifier.sol";
import {IBatchVerifier} from "./IBatchVerifier.sol";
import {Poseidon2} from "./Poseidon2.sol";

/// @dev What Settlement calls on its escape hatch (src/EscapeHatch.sol) when a batch clears requests.
interface IEscapeHatchClearing {
    function clear(uint64 batch, Settlement.Request[] calldata requests) external;
}

/// @title zkmargin settlement: proven batches, the deposit queue, withdrawals, oracle-signed risk roots, health proofs.
/// @notice Holds the venue's settled account-tree root (`stateRoot`) and batch number: the genesis root is
/// given to the constructor, and every later root only by `finalizeBatch` with a Groth16 proof of the batch
/// circuit, a data-availability committee quorum and the checks of docs/BATCH.md section 4. Deposits of the
/// quote token (ERC-20) enter an on-chain queue kept as a Poseidon2 hash chain (section 3) that batches consume
/// in order; withdrawals proven by a batch are credited to their L1 addresses and claimed with
/// `claimWithdrawal`. The oracle signer set (k-of-n) posts the risk-vector roots (`riskRoot`) by epoch.
/// A counterparty checks a trader's health proof with `verifyHealth`: it is true only for a valid Groth16
/// proof of `E * 10^4 >= MM * thresholdBps` for the account, against the current or a recent settled state
/// root and a recently posted risk root (docs/ENCODING.md).
/// @dev Roots are BN254 scalar-field elements (Poseidon2 outputs), carried as `uint256` in `[0, r)`.
/// Windows are counted in settlements: a state root stays valid for `stateRootWindow` batches (1 = only the
/// current one), a risk root for `riskRootWindow` postings (1 = only the latest one). A risk root also
/// expires by time, `riskRootMaxAge` seconds after it was last posted, so that stale prices stop being
/// usable when the oracles stop posting. Oracle epochs increase by at most `MAX_EPOCH_JUMP` per posting.
/// The admin role is OpenZeppelin's `Ownable2Step` owner: it moves in two steps (`transferOwnership`, then
/// `acceptOwnership` by the new owner) and cannot be renounced. Oracle signatures are EIP-712 typed data
/// (OpenZeppelin `EIP712`), recovered with OpenZeppelin `ECDSA` (low-s only, no zero address); the
/// committee's batch signatures go through the same sorted k-of-n loop (`_requireQuorum`).
contract Settlement is EIP712, Ownable2Step {
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------ constants

    /// @notice BN254 scalar field modulus r: every root and public input is below it.
    uint256 public constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice EIP-712 type of the message every oracle signer signs.
    bytes32 public constant RISK_ROOT_TYPEHASH = keccak256("RiskRoot(uint64 epoch,uint256 root)");

    /// @notice Gas forwarded to the Groth16 verifier. gnark's verifier passes all its gas to the BN254
    /// precompiles, which burn it on a malformed point; the cap bounds what a bad proof costs. A valid
    /// proof with 3 public inputs needs about 205k (EIP-1108 prices).
    uint256 public constant VERIFIER_GAS_LIMIT = 500_000;

    /// @notice EIP-712 type of the message every data-availability committee member signs for a batch.
    bytes32 public constant BATCH_DATA_TYPEHASH =
        keccak256("BatchData(uint64 batchNumber,uint256 dataHash,uint256 newRoot)");

    /// @notice Gas forwarded to the batch circuit's verifier (9 public inputs: about 260k for a valid proof;
    /// the cap bounds what a malformed proof burns, as for the health verifier).
    uint256 public constant BATCH_VERIFIER_GAS_LIMIT = 600_000;

    /// @notice Deposit amounts are words of the leaf (non-negative signed 64-bit): below 2^63.
    uint256 public constant MAX_AMOUNT = 2 ** 63 - 1;

    /// @notice `batchTime` is below 2^40 (the circuit's range check, docs/BATCH.md section 4).
    uint64 public constant MAX_BATCH_TIME = 2 ** 40 - 1;

    /// @notice Upper bound of the oracle signer set size.
    uint256 public constant MAX_SIGNERS = 32;

    /// @notice Kinds of the batch's request entries (`Request`).
    uint8 public constant KIND_LIQUIDATION = 6;
    uint8 public constant KIND_FORCED_PAID = 8;
    uint8 public constant KIND_FORCED_REFUSED = 9;

    /// @notice Largest step of the oracle epoch from one posting to the next (the first posting counts from 0).
    /// Without it one quorum-signed epoch of 2^64 - 1 would block `postRiskRoot` forever; with it the 2^64
    /// epochs last at least 2^32 postings (136 years at one posting per second).
    uint64 public constant MAX_EPOCH_JUMP = 2 ** 32;

    // ------------------------------------------------------------------ types

    /// @notice Outcome of a health-proof check; `Valid` is the only accepting one.
    enum HealthStatus {
        Valid,
        ThresholdBelowMinimum,
        StateRootUnknown,
        StateRootExpired,
        RiskRootUnknown,
        RiskRootExpired,
        ProofInvalid,
        RiskRootTooOld // appended last so that the earlier values keep their numbers
    }

    /// @notice What `finalizeBatch` is told about a batch: the public inputs that the contract does not
    /// compute itself (the deposit heads come from the stored queue), plus the number of deposits consumed.
    struct BatchHeader {
        uint256 oldRoot; // must equal stateRoot
        uint256 newRoot; // the account-tree root after the batch
        uint256 riskRoot; // the oracle risk root the batch was checked against (posted and usable)
        uint64 deposits; // queue entries the batch consumes, from depositsConsumed on
        uint256 withdrawalsHash; // docs/BATCH.md 3: hash chain of the batch's withdrawals
        uint256 dataHash; // hashMD of the batch's transition data, signed by the committee
        uint64 batchTime; // unix seconds, lastBatchTime <= batchTime <= block.timestamp
    }

    /// @notice One withdrawal of a batch: quote atoms (asset 0) credited to an L1 address.
    struct Withdrawal {
        address to;
        uint64 amount;
    }

    /// @notice One entry of a batch's request slots (docs/LIQUIDATION.md section 8), in slot order; only
    /// the slots of kinds 6, 8 and 9 have one (absorbLoss and deleverage add none):
    /// - kind 6 (`KIND_LIQUIDATION`), a liquidation: `party` the keeper credited with its share of the penalty
    ///   (address(0): none, an operator-initiated liquidation), `amount` 0;
    /// - kind 8 (`KIND_FORCED_PAID`), a forced withdrawal paid: `party` the requester (the leaf's L1 address) and
    ///   `amount` the quote atoms the batch's withdrawal list pays it;
    /// - kind 9 (`KIND_FORCED_REFUSED`), a forced withdrawal refused (another requester than the leaf's L1 address,
    ///   an unregistered account, or an amount the account's effective IM does not allow): the request's
    ///   `party` and `amount`, nothing paid.
    struct Request {
        uint8 kind;
        uint64 accountId;
        address party;
        uint64 amount;
    }

    /// @dev A k-of-n signer set (the oracles, the data-availability committee).
    struct SignerSet {
        address[] members; // strictly increasing
        mapping(address => bool) isMember;
        uint256 quorum; // 0 = no set yet
    }

    struct RiskRootInfo {
        uint64 epoch; // oracle epoch of the latest posting of this root
        uint64 seq; // 1-based posting number of that posting (0 = never posted)
        uint64 postedAt; // block timestamp of that posting, seconds
    }

    // ------------------------------------------------------------------ errors

    error RenounceOwnershipDisabled();
    error InvalidMaxAge(uint64 maxAgeSeconds);
    error NotOperator(address caller);
    error ZeroAddress();
    error VerifierHasNoCode(address verifier);
    error InvalidWindow(uint64 window);
    error NotAFieldElement(uint256 value);
    error InvalidAccountLimit(uint64 genesisAccounts, uint64 accountLimit);
    error BatchVerifierNotSet();
    error NoSignerSet();
    error AmountOutOfRange(uint256 amount);
    error InvalidPublicKey(uint256 pkX, uint256 pkY);
    error AccountLimitReached(uint64 accountLimit);
    error UnknownAccount(uint64 accountId, uint64 nextAccountId);
    error StaleOldRoot(uint256 oldRoot, uint256 stateRoot);
    error DepositsNotQueued(uint256 consumedAfter, uint256 queued);
    error WithdrawalsHashMismatch(uint256 computed, uint256 given);
    error BatchTimeOutOfRange(uint64 batchTime, uint64 lastBatchTime, uint256 blockTime);
    error BatchProofInvalid();
    error NothingToClaim(address account);
    error InvalidSignerSet(uint256 size);
    error InvalidQuorum(uint256 quorum, uint256 signers);
    error SignerSetNotSorted(uint256 index);
    error StaleEpoch(uint64 epoch, uint64 latestEpoch);
    error EpochJumpTooLarge(uint64 epoch, uint64 latestEpoch);
    error MalformedSignatures(uint256 length);
    error QuorumNotReached(uint256 signatures, uint256 quorum);
    error InvalidSignature(uint256 index);
    error DuplicateSigner(address signer);
    error SignersNotSorted(uint256 index);
    error UnknownSigner(address signer);
    error ThresholdBelowMinimum(uint32 thresholdBps, uint32 minThresholdBps);
    error StateRootUnknown(uint256 stateRoot);
    error StateRootExpired(uint256 stateRoot, uint64 settledInBatch, uint64 currentBatch);
    error RiskRootUnknown(uint256 riskRoot);
    error RiskRootExpired(uint256 riskRoot, uint64 epoch);
    error RiskRootTooOld(uint256 riskRoot, uint64 postedAt, uint64 maxAgeSeconds);
    error HealthProofInvalid();
    error InsufficientGasForVerifier(uint256 gasLeft);
    error SettlementFrozen();
    error EscapeHatchAlreadySet(address escapeHatch);
    error NotEscapeHatch(address caller);
    error InvalidRequest(uint256 index, uint8 kind);

    // ------------------------------------------------------------------ events

    event OperatorChanged(address indexed previousOperator, address indexed newOperator);
    event OracleSignersChanged(address[] signers, uint256 quorum);
    event CommitteeChanged(address[] members, uint256 quorum);
    event AccountRegistered(uint64 indexed accountId, uint256 pkX, uint256 pkY, address indexed depositor);
    event DepositQueued(
        uint64 indexed index, uint64 indexed accountId, address indexed depositor, uint256 amount, uint256 head
    );
    event BatchFinalized(
        uint64 indexed batch,
        uint256 oldRoot,
        uint256 newRoot,
        uint256 riskRoot,
        uint256 dataHash,
        uint64 depositsConsumed,
        uint256 withdrawals
    );
    event WithdrawalCredited(uint64 indexed batch, address indexed to, uint256 amount);
    event WithdrawalClaimed(address indexed to, uint256 amount);
    event RiskRootPosted(uint64 indexed epoch, uint256 riskRoot, uint256 signatures);
    event EscapeHatchSet(address indexed escapeHatch);
    event SettlementFrozenBy(address indexed escapeHatch);

    // ------------------------------------------------------------------ state

    /// @notice The Groth16 verifier of the health circuit (gnark export).
    IHealthVerifier public immutable healthVerifier;
    /// @notice The Groth16 verifier of the batch circuit (gnark export); address(0) until the batch circuit's
    /// key exists (then `finalizeBatch` reverts `BatchVerifierNotSet`).
    IBatchVerifier public immutable batchVerifier;
    /// @notice The venue's quote asset (asset 0), an ERC-20 with 6 decimals.
    IERC20 public immutable quoteToken;
    /// @notice Account ids are below this (2^D for a state tree of depth D): a queued deposit to an id the
    /// tree cannot hold could never be consumed and would block the queue.
    uint64 public immutable accountLimit;
    /// @notice How many of the latest batches' state roots a health proof may refer to (>= 1).
    uint64 public immutable stateRootWindow;
    /// @notice How many of the latest risk-root postings a health proof may refer to (>= 1).
    uint64 public immutable riskRootWindow;
    /// @notice Seconds after its latest posting during which a risk root stays usable (>= 1).
    uint64 public immutable riskRootMaxAge;

    address public operator;

    /// @notice Current settled state root and its batch number (0 = the genesis root of the constructor).
    uint256 public stateRoot;
    uint64 public batchNumber;
    /// @notice Timestamp of the latest finalized batch (0 before the first).
    uint64 public lastBatchTime;
    /// @dev 1 + the batch in which a state root was last settled (0 = never; genesis is batch 0).
    mapping(uint256 => uint64) private _rootSeq;

    SignerSet private _oracles;
    SignerSet private _committee;

    /// @dev Deposit queue heads: _depositHeads[k] = head_k, head_0 = 0 (docs/BATCH.md section 3).
    uint256[] private _depositHeads;
    /// @notice Queue entries consumed by finalized batches.
    uint64 public depositsConsumed;
    /// @notice The id `registerAccount` assigns next (starts at the genesis account count).
    uint64 public nextAccountId;
    /// @notice Quote atoms credited by finalized batches and not yet claimed, by L1 address.
    mapping(address => uint256) public pendingWithdrawal;
    /// @notice Sum of `pendingWithdrawal` over every address: owed to claimants, never paid to exits.
    uint256 public pendingWithdrawalTotal;

    /// @notice Latest posted epoch and number of postings so far.
    uint64 public latestRiskEpoch;
    uint64 public riskRootCount;
    /// @notice Risk root posted for an epoch (0 = none).
    mapping(uint64 => uint256) public riskRootOfEpoch;
    mapping(uint256 => RiskRootInfo) private _riskRootInfo;

    /// @notice The escape hatch (src/EscapeHatch.sol): set once by the owner; it alone may freeze this contract.
    address public escapeHatch;
    /// @notice Set by the escape hatch when a forced request is overdue: no batch and no risk root afterwards;
    /// the hatch pays exits out of this contract's quote token.
    bool public frozen;

    // ------------------------------------------------------------------ construction and roles

    /// @notice Verifiers, token and genesis of a deployment (a struct: the constructor's arguments would not
    /// fit the stack one by one).
    /// @param healthVerifier the health circuit's exported Groth16 verifier
    /// @param batchVerifier the batch circuit's exported Groth16 verifier, or address(0) for none yet
    /// @param quoteToken the quote asset's ERC-20 (6 decimals)
    /// @param genesisRoot the account-tree root before the first batch (batch 0), a field element
    /// @param genesisAccounts accounts in the genesis tree: `registerAccount` assigns ids from here
    /// @param accountLimit account ids are below this (2^D), >= max(genesisAccounts, 1)
    struct Genesis {
        IHealthVerifier healthVerifier;
        IBatchVerifier batchVerifier;
        IERC20 quoteToken;
        uint256 genesisRoot;
        uint64 genesisAccounts;
        uint64 accountLimit;
    }

    /// @param g verifiers, token and genesis (see `Genesis`)
    /// @param operator_ the account allowed to submit batches
    /// @param signers oracle signer addresses, strictly increasing, 1..MAX_SIGNERS of them
    /// @param quorum_ distinct signers needed per risk root, 1..signers.length
    /// @param stateRootWindow_ number of latest batches whose roots proofs may use, >= 1
    /// @param riskRootWindow_ number of latest risk-root postings proofs may use, >= 1
    /// @param riskRootMaxAge_ seconds after its latest posting during which a risk root stays usable, >= 1
    /// @dev The data-availability committee is set afterwards by the owner (`setCommittee`); until then
    /// `finalizeBatch` reverts `NoSignerSet`.
    constructor(
        Genesis memory g,
        address operator_,
        address[] memory signers,
        uint256 quorum_,
        uint64 stateRootWindow_,
        uint64 riskRootWindow_,
        uint64 riskRootMaxAge_
    ) EIP712("zkmargin Settlement", "1") Ownable(msg.sender) {
        if (address(g.healthVerifier) == address(0) || operator_ == address(0)) {
            revert ZeroAddress();
        }
        if (address(g.quoteToken) == address(0)) revert ZeroAddress();
        if (address(g.healthVerifier).code.length == 0) revert VerifierHasNoCode(address(g.healthVerifier));
        if (address(g.batchVerifier) != address(0) && address(g.batchVerifier).code.length == 0) {
            revert VerifierHasNoCode(address(g.batchVerifier));
        }
        if (stateRootWindow_ == 0) revert InvalidWindow(stateRootWindow_);
        if (riskRootWindow_ == 0) revert InvalidWindow(riskRootWindow_);
        if (riskRootMaxAge_ == 0) revert InvalidMaxAge(riskRootMaxAge_);
        if (g.genesisRoot >= FIELD_MODULUS) revert NotAFieldElement(g.genesisRoot);
        if (g.accountLimit == 0 || g.genesisAccounts > g.accountLimit) {
            revert InvalidAccountLimit(g.genesisAccounts, g.accountLimit);
        }
        healthVerifier = g.healthVerifier;
        batchVerifier = g.batchVerifier;
        quoteToken = g.quoteToken;
        accountLimit = g.accountLimit;
        stateRootWindow = stateRootWindow_;
        riskRootWindow = riskRootWindow_;
        riskRootMaxAge = riskRootMaxAge_;
        operator = operator_;
        emit OperatorChanged(address(0), operator_);
        _replaceSet(_oracles, signers, quorum_);
        emit OracleSignersChanged(signers, quorum_);
        stateRoot = g.genesisRoot;
        _rootSeq[g.genesisRoot] = 1; // batch 0
        nextAccountId = g.genesisAccounts;
        _depositHeads.push(0);
    }

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        _;
    }

    /// @notice Refused: without an owner the oracle signer set and the operator could never be replaced.
    /// The owner role moves with `transferOwnership` + `acceptOwnership` (`transferOwnership(address(0))`
    /// cancels a pending transfer).
    function renounceOwnership() public view override onlyOwner {
        revert RenounceOwnershipDisabled();
    }

    /// @notice Second step of the owner transfer: the pending owner takes the role. Also refuses
    /// `address(0)` when nothing is pending (OpenZeppelin's check alone would let it "accept" then).
    function acceptOwnership() public override {
        if (msg.sender == address(0)) revert OwnableUnauthorizedAccount(msg.sender);
        super.acceptOwnership();
    }

    /// @notice Names the escape hatch, once. Admin only. The hatch must have code (it is constructed with this
    /// contract's address first).
    function setEscapeHatch(address hatch) external onlyOwner {
        if (escapeHatch != address(0)) revert EscapeHatchAlreadySet(escapeHatch);
        if (hatch.code.length == 0) revert VerifierHasNoCode(hatch);
        escapeHatch = hatch;
        emit EscapeHatchSet(hatch);
    }

    /// @notice Freezes this contract for good and lets the escape hatch move its quote token (exits). Escape
    /// hatch only (it checks that a forced request is overdue).
    function freezeByEscapeHatch() external {
        if (msg.sender != escapeHatch) revert NotEscapeHatch(msg.sender);
        frozen = true;
        emit SettlementFrozenBy(msg.sender);
        quoteToken.forceApprove(msg.sender, type(uint256).max);
    }

    /// @notice Replaces the operator. Admin only.
    function setOperator(address newOperator) external onlyOwner {
        if (newOperator == address(0)) revert ZeroAddress();
        emit OperatorChanged(operator, newOperator);
        operator = newOperator;
    }

    /// @notice Replaces the oracle signer set and quorum. Admin only. Posted roots stay posted.
    /// @param signers strictly increasing addresses (no zero, no duplicates), 1..MAX_SIGNERS
    /// @param quorum_ 1..signers.length
    function setOracleSigners(address[] calldata signers, uint256 quorum_) external onlyOwner {
        _replaceSet(_oracles, signers, quorum_);
        emit OracleSignersChanged(signers, quorum_);
    }

    /// @notice Replaces the data-availability committee and its quorum. Admin only. Finalized batches stay.
    /// @param members strictly increasing addresses (no zero, no duplicates), 1..MAX_SIGNERS
    /// @param quorum_ 1..members.length
    function setCommittee(address[] calldata members, uint256 quorum_) external onlyOwner {
        _replaceSet(_committee, members, quorum_);
        emit CommitteeChanged(members, quorum_);
    }

    /// @notice The current oracle signer set, strictly increasing.
    function oracleSigners() external view returns (address[] memory) {
        return _oracles.members;
    }

    /// @notice True if `a` is a registered oracle signer.
    function isOracleSigner(address a) external view returns (bool) {
        return _oracles.isMember[a];
    }

    /// @notice Distinct registered oracle signers needed for a risk root.
    function quorum() external view returns (uint256) {
        return _oracles.quorum;
    }

    /// @notice The current data-availability committee, strictly increasing (empty before `setCommittee`).
    function committee() external view returns (address[] memory) {
        return _committee.members;
    }

    /// @notice True if `a` is a committee member.
    function isCommitteeMember(address a) external view returns (bool) {
        return _committee.isMember[a];
    }

    /// @notice Distinct committee members whose signatures a batch needs (0 = no committee yet).
    function committeeQuorum() external view returns (uint256) {
        return _committee.quorum;
    }

    function _replaceSet(SignerSet storage set, address[] memory members, uint256 quorum_) private {
        uint256 n = members.length;
        if (n == 0 || n > MAX_SIGNERS) revert InvalidSignerSet(n);
        if (quorum_ == 0 || quorum_ > n) revert InvalidQuorum(quorum_, n);
        for (uint256 i = 0; i < set.members.length; i++) {
            set.isMember[set.members[i]] = false;
        }
        address prev = address(0);
        for (uint256 i = 0; i < n; i++) {
            address a = members[i];
            if (a <= prev) revert SignerSetNotSorted(i); // also refuses address(0) and duplicates
            set.isMember[a] = true;
            prev = a;
        }
        set.members = members;
        set.quorum = quorum_;
    }

    /// @dev The k-of-n check of the oracle quorum and the committee quorum: `signatures` = concatenated
    /// 65-byte `r | s | v` over `digest`, recovered signers strictly increasing (so distinct), every one a
    /// member of `set`, at least `set.quorum` of them. Reverts with the named reason.
    function _requireQuorum(SignerSet storage set, bytes32 digest, bytes calldata signatures) private view {
        uint256 k = set.quorum;
        if (k == 0) revert NoSignerSet();
        uint256 len = signatures.length;
        if (len == 0 || len % 65 != 0) revert MalformedSignatures(len);
        uint256 n = len / 65;
        if (n < k) revert QuorumNotReached(n, k);
        address prev = address(0);
        for (uint256 i = 0; i < n; i++) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                let p := add(signatures.offset, mul(i, 65))
                r := calldataload(p)
                s := calldataload(add(p, 32))
                v := byte(0, calldataload(add(p, 64)))
            }
            // ECDSA refuses a high s (a malleated copy) and a failed recovery; v other than 27/28 fails recovery
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, v, r, s);
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            if (signer <= prev) {
                if (signer == prev) revert DuplicateSigner(signer);
                revert SignersNotSorted(i);
            }
            if (!set.isMember[signer]) revert UnknownSigner(signer);
            prev = signer;
        }
    }

    // ------------------------------------------------------------------ state roots

    /// @notice The batch in which `root` was last settled (0 for the genesis root) and whether it ever was.
    function stateRootBatch(uint256 root) external view returns (uint64 batch, bool settled) {
        uint64 seq = _rootSeq[root];
        return (seq == 0 ? 0 : seq - 1, seq != 0);
    }

    // ------------------------------------------------------------------ deposit queue

    /// @notice Registers a new account with the BN254 twisted-Edwards key (pkX, pkY) and deposits `amount`
    /// quote atoms into it (may be 0): pulls the tokens (ERC-20 allowance) and appends the queue entry
    /// `hashMD(accountId, amount, pkX, pkY, depositor)` (docs/BATCH.md section 3). The account exists in the
    /// tree once a batch consumes the entry (the deposit registers it: leaf owner key, l1Address = sender).
    /// @param pkX public key x, a field element; (pkX, pkY) != (0, 0) (0, 0 marks a plain deposit)
    /// @param pkY public key y, a field element
    /// @param amount quote atoms, < 2^63
    /// @return accountId the id assigned (the next free one, counting from the genesis account count)
    function registerAccount(uint256 pkX, uint256 pkY, uint256 amount) external returns (uint64 accountId) {
        if (pkX >= FIELD_MODULUS) revert NotAFieldElement(pkX);
        if (pkY >= FIELD_MODULUS) revert NotAFieldElement(pkY);
        if (pkX == 0 && pkY == 0) revert InvalidPublicKey(pkX, pkY);
        accountId = nextAccountId;
        if (accountId >= accountLimit) revert AccountLimitReached(accountLimit);
        nextAccountId = accountId + 1;
        emit AccountRegistered(accountId, pkX, pkY, msg.sender);
        _enqueue(accountId, amount, pkX, pkY);
    }

    /// @notice Deposits `amount` quote atoms into an account already registered (in genesis or by
    /// `registerAccount`): pulls the tokens and appends `hashMD(accountId, amount, 0, 0, depositor)`.
    /// @param accountId below `nextAccountId`
    /// @param amount quote atoms, 1 .. 2^63 - 1
    function deposit(uint64 accountId, uint256 amount) external {
        if (accountId >= nextAccountId) revert UnknownAccount(accountId, nextAccountId);
        if (amount == 0) revert AmountOutOfRange(amount);
        _enqueue(accountId, amount, 0, 0);
    }

    /// @notice Entries ever queued (consumed or not).
    function depositCount() external view returns (uint256) {
        return _depositHeads.length - 1;
    }

    /// @notice The queue head after `k` entries (`head_0 = 0`), k <= depositCount().
    function depositHead(uint256 k) external view returns (uint256) {
        return _depositHeads[k];
    }

    function _enqueue(uint64 accountId, uint256 amount, uint256 pkX, uint256 pkY) private {
        if (amount > MAX_AMOUNT) revert AmountOutOfRange(amount);
        uint256 e = Poseidon2.compress(0, accountId);
        e = Poseidon2.compress(e, amount);
        e = Poseidon2.compress(e, pkX);
        e = Poseidon2.compress(e, pkY);
        e = Poseidon2.compress(e, uint160(msg.sender));
        uint256 index = _depositHeads.length - 1;
        uint256 head = Poseidon2.compress(_depositHeads[index], e);
        _depositHeads.push(head);
        emit DepositQueued(uint64(index), accountId, msg.sender, amount, head);
        if (amount != 0) quoteToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    // ------------------------------------------------------------------ batches

    /// @notice The EIP-712 digest a committee member signs for batch `batch` (the next batch is
    /// `batchNumber + 1`): `BatchData(uint64 batchNumber,uint256 dataHash,uint256 newRoot)`.
    function batchDataDigest(uint64 batch, uint256 dataHash, uint256 newRoot) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(BATCH_DATA_TYPEHASH, batch, dataHash, newRoot)));
    }

    /// @notice The withdrawal list hash of docs/BATCH.md section 3:
    /// `w_0 = 0, w_{j+1} = compress(w_j, compress(l1Address_j, amount_j))`.
    function withdrawalsHash(Withdrawal[] calldata withdrawals) public pure returns (uint256 w) {
        for (uint256 j = 0; j < withdrawals.length; j++) {
            w = Poseidon2.compress(w, Poseidon2.compress(uint160(withdrawals[j].to), withdrawals[j].amount));
        }
    }

    /// @notice The request list hash, the batch circuit's 9th public input `requestsHash` (docs/LIQUIDATION.md
    /// section 8): `q_0 = 0, q_{j+1} = compress(q_j, e_j)` over the batch's request entries in slot order (the
    /// withdrawal list's chain, docs/BATCH.md section 3), with `e = compress(accountId, keeper)` for a liquidation
    /// (kind 6) and `e = compress(accountId + 2^64 * (kind - 7), compress(requester, amount))` for a forced
    /// withdrawal paid (8) or refused (9): account ids are below 2^32, so the first argument tells the kinds apart.
    /// Reverts `InvalidRequest` on any other kind and on a liquidation entry with an amount (its hash does not
    /// bind one: the list handed to the hatch is exactly the proven one).
    function requestsHash(Request[] calldata requests) public pure returns (uint256 q) {
        for (uint256 j = 0; j < requests.length; j++) {
            Request calldata r = requests[j];
            uint8 kind = r.kind;
            uint256 e;
            if (kind == KIND_LIQUIDATION && r.amount == 0) {
                e = Poseidon2.compress(r.accountId, uint160(r.party));
            } else if (kind == KIND_FORCED_PAID || kind == KIND_FORCED_REFUSED) {
                e = Poseidon2.compress(
                    uint256(r.accountId) + (uint256(kind - 7) << 64), Poseidon2.compress(uint160(r.party), r.amount)
                );
            } else {
                revert InvalidRequest(j, kind);
            }
            q = Poseidon2.compress(q, e);
        }
    }

    /// @notice Finalizes the next batch: moves `stateRoot` from `h.oldRoot` to `h.newRoot`, consumes
    /// `h.deposits` queue entries, credits the withdrawals (a liquidation's keeper share and a paid forced
    /// withdrawal among them), and has the escape hatch clear the requests the batch honoured. Operator only.
    /// Checks, in order (docs/BATCH.md 4): `oldRoot == stateRoot`; the roots and hashes are field elements;
    /// `riskRoot` posted, within the window and not older than `riskRootMaxAge`; `lastBatchTime <= batchTime <=
    /// block.timestamp`, `< 2^40`; the deposits are queued; `withdrawals` hash to `withdrawalsHash`; a committee
    /// quorum signed `batchDataDigest(batchNumber + 1, dataHash, newRoot)`; the proof verifies against the 9 public
    /// inputs (oldRoot, newRoot, riskRoot, depositHeadBefore, depositHeadAfter, withdrawalsHash, dataHash,
    /// batchTime, requestsHash), the deposit heads taken from the stored queue and `requestsHash =
    /// requestsHash(requests)` computed here, so the proof binds the list. Then the hatch clears, per entry
    /// (`EscapeHatch.clear`): a liquidation clears the account's pending liquidation request, whose keeper must be
    /// the entry's (`KeeperMismatch`); a forced withdrawal paid or refused clears the account's pending
    /// forced-withdrawal request, which must exist (`RequestNotPending`) with the entry's requester and amount
    /// (`ForcedWithdrawalMismatch`). Any of them refuses the whole batch.
    /// @param h the batch header
    /// @param withdrawals the batch's withdrawals in slot order (quote atoms to L1 addresses)
    /// @param requests the batch's request entries (liquidations, forced withdrawals) in slot order
    /// @param dacSignatures committee signatures, 65 bytes each, signers strictly increasing
    /// @param proof gnark `MarshalSolidity()` bytes of the batch proof
    function finalizeBatch(
        BatchHeader calldata h,
        Withdrawal[] calldata withdrawals,
        Request[] calldata requests,
        bytes calldata dacSignatures,
        bytes calldata proof
    ) external onlyOperator {
        _finalizeBatch(h, withdrawals, requestsHash(requests), dacSignatures, proof);
        if (requests.length != 0 && escapeHatch != address(0)) {
            IEscapeHatchClearing(escapeHatch).clear(batchNumber, requests);
        }
    }

    /// @dev `q`: `requestsHash` of the batch's request list, the 9th public input
    function _finalizeBatch(
        BatchHeader calldata h,
        Withdrawal[] calldata withdrawals,
        uint256 q,
        bytes calldata dacSignatures,
        bytes calldata proof
    ) private {
        if (frozen) revert SettlementFrozen();
        if (h.oldRoot != stateRoot) revert StaleOldRoot(h.oldRoot, stateRoot);
        if (h.newRoot >= FIELD_MODULUS) revert NotAFieldElement(h.newRoot);
        if (h.dataHash >= FIELD_MODULUS) revert NotAFieldElement(h.dataHash);
        _requireUsableRiskRoot(h.riskRoot);
        if (h.batchTime > MAX_BATCH_TIME || h.batchTime < lastBatchTime || h.batchTime > block.timestamp) {
            revert BatchTimeOutOfRange(h.batchTime, lastBatchTime, block.timestamp);
        }
        uint256 consumed = depositsConsumed;
        uint256 after_ = consumed + h.deposits;
        if (after_ >= _depositHeads.length) revert DepositsNotQueued(after_, _depositHeads.length - 1);
        uint64 batch = batchNumber + 1;
        {
            uint256 w = _creditWithdrawals(batch, withdrawals);
            if (w != h.withdrawalsHash) revert WithdrawalsHashMismatch(w, h.withdrawalsHash);
        }
        _requireQuorum(_committee, batchDataDigest(batch, h.dataHash, h.newRoot), dacSignatures);
        _verifyBatch(proof, _batchInputs(h, consumed, after_, q));
        _settle(h, batch, uint64(after_), withdrawals.length);
    }

    /// @dev the 9 public inputs of docs/BATCH.md section 4, once `h.withdrawalsHash` is checked to be the list's (a
    /// function of its own: stack depth)
    function _batchInputs(BatchHeader calldata h, uint256 consumed, uint256 after_, uint256 q)
        private
        view
        returns (uint256[9] memory)
    {
        return [
            h.oldRoot,
            h.newRoot,
            h.riskRoot,
            _depositHeads[consumed],
            _depositHeads[after_],
            h.withdrawalsHash,
            h.dataHash,
            h.batchTime,
            q
        ];
    }

    function _settle(BatchHeader calldata h, uint64 batch, uint64 consumedAfter, uint256 withdrawals) private {
        stateRoot = h.newRoot;
        batchNumber = batch;
        _rootSeq[h.newRoot] = batch + 1;
        depositsConsumed = consumedAfter;
        lastBatchTime = h.batchTime;
        emit BatchFinalized(batch, h.oldRoot, h.newRoot, h.riskRoot, h.dataHash, consumedAfter, withdrawals);
    }

    /// @dev Hashes the withdrawal list (docs/BATCH.md 3) and credits it; a later revert of finalizeBatch undoes
    /// the credits (the verifier call after it is a staticcall: no reentrancy).
    function _creditWithdrawals(uint64 batch, Withdrawal[] calldata withdrawals) private returns (uint256 w) {
        uint256 total;
        for (uint256 j = 0; j < withdrawals.length; j++) {
            address to = withdrawals[j].to;
            uint64 amount = withdrawals[j].amount;
            w = Poseidon2.compress(w, Poseidon2.compress(uint160(to), amount));
            pendingWithdrawal[to] += amount;
            total += amount;
            emit WithdrawalCredited(batch, to, amount);
        }
        if (total != 0) pendingWithdrawalTotal += total;
    }

    /// @notice Sends the caller every quote atom credited to it by finalized batches.
    function claimWithdrawal() external returns (uint256 amount) {
        amount = pendingWithdrawal[msg.sender];
        if (amount == 0) revert NothingToClaim(msg.sender);
        pendingWithdrawal[msg.sender] = 0;
        pendingWithdrawalTotal -= amount;
        emit WithdrawalClaimed(msg.sender, amount);
        quoteToken.safeTransfer(msg.sender, amount);
    }

    function _requireUsableRiskRoot(uint256 root) private view {
        RiskRootInfo memory info = _riskRootInfo[root];
        if (info.seq == 0) revert RiskRootUnknown(root);
        if (riskRootCount - info.seq >= riskRootWindow) revert RiskRootExpired(root, info.epoch);
        if (_tooOld(info)) revert RiskRootTooOld(root, info.postedAt, riskRootMaxAge);
    }

    function _verifyBatch(bytes calldata proof, uint256[9] memory input) private view {
        IBatchVerifier v = batchVerifier;
        if (address(v) == address(0)) revert BatchVerifierNotSet();
        try v.verifyProof{gas: BATCH_VERIFIER_GAS_LIMIT}(proof, input) {}
        catch {
            // as in healthStatus: with too little gas left a valid proof may have failed for want of gas
            if (gasleft() < BATCH_VERIFIER_GAS_LIMIT / 63) revert InsufficientGasForVerifier(gasleft());
            revert BatchProofInvalid();
        }
    }

    // ------------------------------------------------------------------ risk roots

    /// @notice EIP-712 domain separator (name "zkmargin Settlement", version "1", this chain, this contract).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The EIP-712 digest an oracle signer signs for (epoch, root).
    function riskRootDigest(uint64 epoch, uint256 root) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(RISK_ROOT_TYPEHASH, epoch, root)));
    }

    /// @notice Posts the risk root of oracle epoch `epoch`. Anyone may relay it; the signatures authorize it.
    /// @param epoch must be greater than every posted epoch and at most `MAX_EPOCH_JUMP` above the latest one
    /// (above 0 for the first posting)
    /// @param root the risk-vector root, a field element in [0, r)
    /// @param signatures concatenated 65-byte ECDSA signatures `r | s | v` (v in {27, 28}, low s) over
    /// `riskRootDigest(epoch, root)`, ordered by recovered signer address strictly increasing; every signer
    /// registered; at least `quorum` of them.
    function postRiskRoot(uint64 epoch, uint256 root, bytes calldata signatures) external {
        if (frozen) revert SettlementFrozen();
        if (riskRootCount != 0 && epoch <= latestRiskEpoch) revert StaleEpoch(epoch, latestRiskEpoch);
        // uint256: latestRiskEpoch + MAX_EPOCH_JUMP does not fit in uint64 near the top of the range
        if (uint256(epoch) > uint256(latestRiskEpoch) + MAX_EPOCH_JUMP) {
            revert EpochJumpTooLarge(epoch, latestRiskEpoch);
        }
        if (root >= FIELD_MODULUS) revert NotAFieldElement(root);
        _requireQuorum(_oracles, riskRootDigest(epoch, root), signatures);

        uint64 seq = riskRootCount + 1;
        riskRootCount = seq;
        latestRiskEpoch = epoch;
        riskRootOfEpoch[epoch] = root;
        _riskRootInfo[root] = RiskRootInfo({epoch: epoch, seq: seq, postedAt: uint64(block.timestamp)});
        emit RiskRootPosted(epoch, root, signatures.length / 65);
    }

    /// @notice Epoch of the latest posting of `root` and whether proofs may still use it (posted, within
    /// the window of postings and not older than `riskRootMaxAge`).
    function riskRootStatus(uint256 root) external view returns (uint64 epoch, bool usable) {
        RiskRootInfo memory info = _riskRootInfo[root];
        return (info.epoch, info.seq != 0 && riskRootCount - info.seq < riskRootWindow && !_tooOld(info));
    }

    /// @notice Block timestamp (seconds) of the latest posting of `root`, 0 if never posted.
    function riskRootPostedAt(uint256 root) external view returns (uint64) {
        return _riskRootInfo[root].postedAt;
    }

    /// @dev Older than the maximum age: usable up to and including postedAt + riskRootMaxAge.
    function _tooOld(RiskRootInfo memory info) private view returns (bool) {
        return block.timestamp - info.postedAt > riskRootMaxAge;
    }

    // ------------------------------------------------------------------ health proofs

    /// @notice Checks a health proof and says why it fails, without reverting.
    /// @param proof gnark `MarshalSolidity()` bytes (256), see IHealthVerifier
    /// @param stateRoot_ the state root the proof was made against
    /// @param riskRoot_ the risk root the proof was made against
    /// @param accountId the account (leaf index), as in the proof
    /// @param thresholdBps the proven threshold: equity * 10^4 >= MM * thresholdBps (basis points, 10000 = 1x MM)
    /// @param minThresholdBps the least threshold the caller accepts (basis points)
    /// @dev Needs about VERIFIER_GAS_LIMIT * 64/63 gas left at the verifier call, else it reverts with
    /// InsufficientGasForVerifier rather than report a valid proof as invalid.
    function healthStatus(
        bytes calldata proof,
        uint256 stateRoot_,
        uint256 riskRoot_,
        uint64 accountId,
        uint32 thresholdBps,
        uint32 minThresholdBps
    ) public view returns (HealthStatus) {
        if (thresholdBps < minThresholdBps) return HealthStatus.ThresholdBelowMinimum;
        uint64 seq = _rootSeq[stateRoot_];
        if (seq == 0) return HealthStatus.StateRootUnknown;
        if (batchNumber - (seq - 1) >= stateRootWindow) return HealthStatus.StateRootExpired;
        RiskRootInfo memory info = _riskRootInfo[riskRoot_];
        if (info.seq == 0) return HealthStatus.RiskRootUnknown;
        if (riskRootCount - info.seq >= riskRootWindow) return HealthStatus.RiskRootExpired;
        if (_tooOld(info)) return HealthStatus.RiskRootTooOld;
        // Roots are field elements (checked when set); accountId < 2^64 keeps the packed input below r.
        uint256[3] memory input = [stateRoot_, riskRoot_, (uint256(accountId) << 32) | uint256(thresholdBps)];
        try healthVerifier.verifyProof{gas: VERIFIER_GAS_LIMIT}(proof, input) {
            return HealthStatus.Valid;
        } catch {
            // With less than VERIFIER_GAS_LIMIT * 64/63 available the verifier may have run out of gas
            // on a valid proof: refuse to call that an invalid proof (the caller keeps < 1/63 of the cap).
            if (gasleft() < VERIFIER_GAS_LIMIT / 63) revert InsufficientGasForVerifier(gasleft());
            return HealthStatus.ProofInvalid;
        }
    }

    /// @notice True only if `proof` proves account `accountId` healthy at `thresholdBps` >= `minThresholdBps`,
    /// against a state root within the window and a posted risk root within the window and its maximum age.
    /// Same parameters as `healthStatus`.
    function verifyHealth(
        bytes calldata proof,
        uint256 stateRoot_,
        uint256 riskRoot_,
        uint64 accountId,
        uint32 thresholdBps,
        uint32 minThresholdBps
    ) external view returns (bool) {
        return healthStatus(proof, stateRoot_, riskRoot_, accountId, thresholdBps, minThresholdBps)
            == HealthStatus.Valid;
    }

    /// @notice Like `verifyHealth`, but reverts with the named reason instead of returning false.
    function requireHealth(
        bytes calldata proof,
        uint256 stateRoot_,
        uint256 riskRoot_,
        uint64 accountId,
        uint32 thresholdBps,
        uint32 minThresholdBps
    ) external view {
        HealthStatus st = healthStatus(proof, stateRoot_, riskRoot_, accountId, thresholdBps, minThresholdBps);
        if (st == HealthStatus.Valid) return;
        if (st == HealthStatus.ThresholdBelowMinimum) revert ThresholdBelowMinimum(thresholdBps, minThresholdBps);
        if (st == HealthStatus.StateRootUnknown) revert StateRootUnknown(stateRoot_);
        if (st == HealthStatus.StateRootExpired) {
            revert StateRootExpired(stateRoot_, _rootSeq[stateRoot_] - 1, batchNumber);
        }
        if (st == HealthStatus.RiskRootUnknown) revert RiskRootUnknown(riskRoot_);
        if (st == HealthStatus.RiskRootExpired) revert RiskRootExpired(riskRoot_, _riskRootInfo[riskRoot_].epoch);
        if (st == HealthStatus.RiskRootTooOld) {
            revert RiskRootTooOld(riskRoot_, _riskRootInfo[riskRoot_].postedAt, riskRootMaxAge);
        }
        revert HealthProofInvalid();
    }
}
