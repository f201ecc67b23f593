// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IHealthVerifier} from "./IHealthVerifier.sol";

/// @title zkmargin settlement (first part): settled state roots, oracle-signed risk roots, health proofs.
/// @notice Holds the venue's settled account-tree root (`stateRoot`) and batch number, set by the operator;
/// the oracle signer set with a k-of-n quorum; and the risk-vector roots (`riskRoot`) that a quorum of
/// oracle signers signed, by epoch. A counterparty checks a trader's health proof with `verifyHealth`:
/// it is true only for a valid Groth16 proof of `E * 10^4 >= MM * thresholdBps` for the account, against
/// the current or a recent settled state root and a recently posted risk root (docs/ENCODING.md).
/// @dev Roots are BN254 scalar-field elements (Poseidon2 outputs), carried as `uint256` in `[0, r)`.
/// Windows are counted in settlements: a state root stays valid for `stateRootWindow` batches (1 = only the
/// current one), a risk root for `riskRootWindow` postings (1 = only the latest one). A risk root also
/// expires by time, `riskRootMaxAge` seconds after it was last posted, so that stale prices stop being
/// usable when the oracles stop posting. Oracle epochs increase by at most `MAX_EPOCH_JUMP` per posting.
/// The admin role is OpenZeppelin's `Ownable2Step` owner: it moves in two steps (`transferOwnership`, then
/// `acceptOwnership` by the new owner) and cannot be renounced. Oracle signatures are EIP-712 typed data
/// (OpenZeppelin `EIP712`), recovered with OpenZeppelin `ECDSA` (low-s only, no zero address).
contract Settlement is EIP712, Ownable2Step {
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

    /// @notice Upper bound of the oracle signer set size.
    uint256 public constant MAX_SIGNERS = 32;

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
    error UnexpectedBatch(uint64 batch, uint64 expected);
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

    // ------------------------------------------------------------------ events

    event OperatorChanged(address indexed previousOperator, address indexed newOperator);
    event OracleSignersChanged(address[] signers, uint256 quorum);
    event StateRootSet(uint64 indexed batch, uint256 stateRoot, uint256 previousStateRoot);
    event RiskRootPosted(uint64 indexed epoch, uint256 riskRoot, uint256 signatures);

    // ------------------------------------------------------------------ state

    /// @notice The Groth16 verifier of the health circuit (gnark export).
    IHealthVerifier public immutable healthVerifier;
    /// @notice How many of the latest batches' state roots a health proof may refer to (>= 1).
    uint64 public immutable stateRootWindow;
    /// @notice How many of the latest risk-root postings a health proof may refer to (>= 1).
    uint64 public immutable riskRootWindow;
    /// @notice Seconds after its latest posting during which a risk root stays usable (>= 1).
    uint64 public immutable riskRootMaxAge;

    address public operator;

    /// @notice Current settled state root and its batch number (0 before the first settlement).
    uint256 public stateRoot;
    uint64 public batchNumber;
    /// @notice Batch in which a state root was last settled (0 = never).
    mapping(uint256 => uint64) public stateRootBatch;

    address[] private _signers;
    mapping(address => bool) public isOracleSigner;
    /// @notice Distinct registered signers needed for a risk root.
    uint256 public quorum;

    /// @notice Latest posted epoch and number of postings so far.
    uint64 public latestRiskEpoch;
    uint64 public riskRootCount;
    /// @notice Risk root posted for an epoch (0 = none).
    mapping(uint64 => uint256) public riskRootOfEpoch;
    mapping(uint256 => RiskRootInfo) private _riskRootInfo;

    // ------------------------------------------------------------------ construction and roles

    /// @param verifier the health circuit's exported Groth16 verifier
    /// @param operator_ the account allowed to settle state roots
    /// @param signers oracle signer addresses, strictly increasing, 1..MAX_SIGNERS of them
    /// @param quorum_ distinct signers needed per risk root, 1..signers.length
    /// @param stateRootWindow_ number of latest batches whose roots proofs may use, >= 1
    /// @param riskRootWindow_ number of latest risk-root postings proofs may use, >= 1
    /// @param riskRootMaxAge_ seconds after its latest posting during which a risk root stays usable, >= 1
    constructor(
        IHealthVerifier verifier,
        address operator_,
        address[] memory signers,
        uint256 quorum_,
        uint64 stateRootWindow_,
        uint64 riskRootWindow_,
        uint64 riskRootMaxAge_
    ) EIP712("zkmargin Settlement", "1") Ownable(msg.sender) {
        if (address(verifier) == address(0) || operator_ == address(0)) revert ZeroAddress();
        if (address(verifier).code.length == 0) revert VerifierHasNoCode(address(verifier));
        if (stateRootWindow_ == 0) revert InvalidWindow(stateRootWindow_);
        if (riskRootWindow_ == 0) revert InvalidWindow(riskRootWindow_);
        if (riskRootMaxAge_ == 0) revert InvalidMaxAge(riskRootMaxAge_);
        healthVerifier = verifier;
        stateRootWindow = stateRootWindow_;
        riskRootWindow = riskRootWindow_;
        riskRootMaxAge = riskRootMaxAge_;
        operator = operator_;
        emit OperatorChanged(address(0), operator_);
        _setSigners(signers, quorum_);
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
        _setSigners(signers, quorum_);
    }

    /// @notice The current oracle signer set, strictly increasing.
    function oracleSigners() external view returns (address[] memory) {
        return _signers;
    }

    function _setSigners(address[] memory signers, uint256 quorum_) private {
        uint256 n = signers.length;
        if (n == 0 || n > MAX_SIGNERS) revert InvalidSignerSet(n);
        if (quorum_ == 0 || quorum_ > n) revert InvalidQuorum(quorum_, n);
        for (uint256 i = 0; i < _signers.length; i++) {
            isOracleSigner[_signers[i]] = false;
        }
        address prev = address(0);
        for (uint256 i = 0; i < n; i++) {
            address s = signers[i];
            if (s <= prev) revert SignerSetNotSorted(i); // also refuses address(0) and duplicates
            isOracleSigner[s] = true;
            prev = s;
        }
        _signers = signers;
        quorum = quorum_;
        emit OracleSignersChanged(signers, quorum_);
    }

    // ------------------------------------------------------------------ state roots

    /// @notice Settles a new state root as batch `batch`. Operator only.
    /// @param batch must be exactly `batchNumber + 1` (refuses replays and races)
    /// @param root the account-tree root, a field element in [0, r)
    function setStateRoot(uint64 batch, uint256 root) external onlyOperator {
        if (batch != batchNumber + 1) revert UnexpectedBatch(batch, batchNumber + 1);
        if (root >= FIELD_MODULUS) revert NotAFieldElement(root);
        uint256 previous = stateRoot;
        stateRoot = root;
        batchNumber = batch;
        stateRootBatch[root] = batch;
        emit StateRootSet(batch, root, previous);
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
        if (riskRootCount != 0 && epoch <= latestRiskEpoch) revert StaleEpoch(epoch, latestRiskEpoch);
        // uint256: latestRiskEpoch + MAX_EPOCH_JUMP does not fit in uint64 near the top of the range
        if (uint256(epoch) > uint256(latestRiskEpoch) + MAX_EPOCH_JUMP) revert EpochJumpTooLarge(epoch, latestRiskEpoch);
        if (root >= FIELD_MODULUS) revert NotAFieldElement(root);
        uint256 len = signatures.length;
        if (len == 0 || len % 65 != 0) revert MalformedSignatures(len);
        uint256 n = len / 65;
        if (n < quorum) revert QuorumNotReached(n, quorum);

        bytes32 digest = riskRootDigest(epoch, root);
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
            if (!isOracleSigner[signer]) revert UnknownSigner(signer);
            prev = signer;
        }

        uint64 seq = riskRootCount + 1;
        riskRootCount = seq;
        latestRiskEpoch = epoch;
        riskRootOfEpoch[epoch] = root;
        _riskRootInfo[root] = RiskRootInfo({epoch: epoch, seq: seq, postedAt: uint64(block.timestamp)});
        emit RiskRootPosted(epoch, root, n);
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
        uint64 settled = stateRootBatch[stateRoot_];
        if (settled == 0) return HealthStatus.StateRootUnknown;
        if (batchNumber - settled >= stateRootWindow) return HealthStatus.StateRootExpired;
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
            revert StateRootExpired(stateRoot_, stateRootBatch[stateRoot_], batchNumber);
        }
        if (st == HealthStatus.RiskRootUnknown) revert RiskRootUnknown(riskRoot_);
        if (st == HealthStatus.RiskRootExpired) revert RiskRootExpired(riskRoot_, _riskRootInfo[riskRoot_].epoch);
        if (st == HealthStatus.RiskRootTooOld) {
            revert RiskRootTooOld(riskRoot_, _riskRootInfo[riskRoot_].postedAt, riskRootMaxAge);
        }
        revert HealthProofInvalid();
    }
}
