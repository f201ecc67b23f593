// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Settlement} from "./Settlement.sol";
import {IExitVerifier, ILiquidationVerifier} from "./IEscapeVerifiers.sol";

/// @title zkmargin escape hatch: forced requests, their deadlines, freeze, and exits that need no operator.
/// @notice The keeper path and the freeze-and-exit path of docs/LIQUIDATION.md, next to a `Settlement` (a
/// separate contract because Settlement alone is close to the 24,576-byte code limit, verifier-contracts/README.md).
/// - `requestLiquidation`: anyone proves (liquidation-eligibility circuit) that an account is liquidatable at a
///   usable posted risk root and the current settled state root; the operator must liquidate it in a batch
///   within `gracePeriod` seconds.
/// - `requestForcedWithdrawal`: an account's L1 address asks the operator to withdraw `amount` quote atoms within
///   `gracePeriod`. The contract cannot read leaves: it records `msg.sender`; the operator honours the request
///   when the leaf's l1Address is that sender (the exit pays the leaf's l1Address anyway).
/// - A batch clears only the requests its proof binds (`Settlement.finalizeBatch` hashes its request list into the
///   proof's `requestsHash`, `clear` below): a liquidation clears the account's liquidation request (its keeper
///   must be the request's, who is paid a share of the penalty); a forced withdrawal paid (kind 8: the batch's
///   withdrawal list pays the requester) or refused (kind 9: the batch proves the requester is not the leaf's L1
///   address, or the account cannot afford it) clears the account's forced-withdrawal request, whose requester
///   and amount it must carry.
/// - `freeze(accountId)`: anyone, once a request of that account is past its deadline; Settlement then accepts
///   no batch and no risk root, and lets this contract pay out its quote token.
/// - `exit`: once frozen, each account once, with an exit proof against the last finalized state root and the
///   last posted risk root (both fixed at the freeze), pays `min(payout, exitPool)` quote atoms to the proof's
///   l1Address (the leaf's); `exitPool` is what Settlement held at the freeze less the credited, unclaimed
///   withdrawals (they stay claimable).
contract EscapeHatch {
    using SafeERC20 for IERC20;

    /// @notice Gas forwarded to a Groth16 verifier (as Settlement: a malformed point burns all it is given).
    uint256 public constant VERIFIER_GAS_LIMIT = 500_000;

    /// @notice Forced-withdrawal amounts are words of the leaf (non-negative signed 64-bit): below 2^63.
    uint256 public constant MAX_AMOUNT = 2 ** 63 - 1;

    /// @dev A pending request of one account (deadline 0 = none).
    struct Request {
        uint64 deadline; // unix seconds: after it anyone may freeze
        uint64 batch; // Settlement.batchNumber() when requested: only a later batch clears it
        address requester; // the keeper (liquidation) or the L1 address asking (forced withdrawal)
        uint64 amount; // forced withdrawal: quote atoms; liquidation: 0
    }

    error ZeroAddress();
    error VerifierHasNoCode(address verifier);
    error InvalidGracePeriod(uint64 gracePeriod);
    error IsFrozen();
    error NotFrozen();
    error NotSettlement(address caller);
    error RiskRootUnknown(uint64 epoch);
    error RiskRootNotUsable(uint256 riskRoot);
    error UnknownAccount(uint64 accountId, uint64 nextAccountId);
    error AmountOutOfRange(uint256 amount);
    error RequestPending(uint64 accountId, uint64 deadline);
    error RequestNotPending(uint64 accountId);
    error RequestNotOlderThanBatch(uint64 accountId, uint64 requestedAtBatch, uint64 batch);
    error KeeperMismatch(uint64 accountId, address requestKeeper, address batchKeeper);
    error ForcedWithdrawalMismatch(
        uint64 accountId, address requestRequester, uint64 requestAmount, address batchRequester, uint64 batchAmount
    );
    error NothingOverdue(uint64 accountId);
    error AlreadyExited(uint64 accountId);
    error LiquidationProofInvalid();
    error ExitProofInvalid();
    error InsufficientGasForVerifier(uint256 gasLeft);

    event LiquidationRequested(uint64 indexed accountId, address indexed keeper, uint64 riskEpoch, uint64 deadline);
    event LiquidationCleared(uint64 indexed accountId, uint64 indexed batch);
    event ForcedWithdrawalRequested(
        uint64 indexed accountId, address indexed requester, uint256 amount, uint64 deadline
    );
    /// @dev `paid`: the quote atoms the batch credited to the requester (the amount when the batch paid it, kind 8;
    /// 0 when it proved the refusal, kind 9)
    event ForcedWithdrawalCleared(uint64 indexed accountId, uint64 indexed batch, uint256 paid);
    event Frozen(uint64 indexed accountId, address indexed caller, uint256 stateRoot, uint256 riskRoot);
    event Exited(uint64 indexed accountId, address indexed l1Address, uint256 payout, uint256 paid);

    Settlement public immutable settlement;
    IExitVerifier public immutable exitVerifier;
    ILiquidationVerifier public immutable liquidationVerifier;
    IERC20 public immutable quoteToken;
    /// @notice Seconds the operator has to honour a request (constructor parameter).
    uint64 public immutable gracePeriod;

    /// @notice Pending liquidation requests, by account id.
    mapping(uint64 => Request) public liquidationRequest;
    /// @notice Pending forced-withdrawal requests, by account id.
    mapping(uint64 => Request) public forcedWithdrawal;

    /// @notice Roots exits are proven against: Settlement's state root and latest risk root at the freeze
    /// (nothing moves either afterwards). 0 before the freeze.
    uint256 public exitStateRoot;
    uint256 public exitRiskRoot;
    /// @notice Quote atoms left for exits: at the freeze, Settlement's token balance minus the withdrawals
    /// finalized batches credited and nobody claimed yet (those stay claimable with `claimWithdrawal`).
    uint256 public exitPool;
    /// @dev Accounts that have exited (each exits once), 256 to a word: after the first exit of a word the next
    /// ones write a non-zero slot (5k gas instead of 22k).
    mapping(uint256 => uint256) private _exitedBits;

    /// @param settlement_ the Settlement whose custody and roots this hatch serves (its owner then calls
    /// `Settlement.setEscapeHatch(this)`)
    /// @param exitVerifier_ gnark's exported verifier of the exit circuit
    /// @param liquidationVerifier_ gnark's exported verifier of the liquidation-eligibility circuit
    /// @param gracePeriod_ seconds the operator has to honour a request, >= 1
    constructor(
        Settlement settlement_,
        IExitVerifier exitVerifier_,
        ILiquidationVerifier liquidationVerifier_,
        uint64 gracePeriod_
    ) {
        if (address(settlement_) == address(0)) revert ZeroAddress();
        if (address(exitVerifier_).code.length == 0) revert VerifierHasNoCode(address(exitVerifier_));
        if (address(liquidationVerifier_).code.length == 0) revert VerifierHasNoCode(address(liquidationVerifier_));
        if (gracePeriod_ == 0) revert InvalidGracePeriod(gracePeriod_);
        settlement = settlement_;
        exitVerifier = exitVerifier_;
        liquidationVerifier = liquidationVerifier_;
        quoteToken = settlement_.quoteToken();
        gracePeriod = gracePeriod_;
    }

    modifier notFrozen() {
        if (settlement.frozen()) revert IsFrozen();
        _;
    }

    // ------------------------------------------------------------------ keeper path

    /// @notice Requests the liquidation of `accountId`: the proof shows `E * 10^6 < MM` for the account at
    /// Settlement's current state root and the risk root of `riskEpoch`, which must still be usable (posted
    /// within the window and not older than the maximum age). The caller is the keeper the proof names.
    /// @param accountId the account (leaf index)
    /// @param riskEpoch an oracle epoch whose root is posted and usable
    /// @param proof gnark `MarshalSolidity()` bytes (256) of the liquidation-eligibility proof
    function requestLiquidation(uint64 accountId, uint64 riskEpoch, bytes calldata proof) external notFrozen {
        Request storage r = liquidationRequest[accountId];
        if (r.deadline != 0) revert RequestPending(accountId, r.deadline);
        uint256 riskRoot = settlement.riskRootOfEpoch(riskEpoch);
        if (riskRoot == 0) revert RiskRootUnknown(riskEpoch);
        (, bool usable) = settlement.riskRootStatus(riskRoot);
        if (!usable) revert RiskRootNotUsable(riskRoot);
        uint256[4] memory input = [settlement.stateRoot(), riskRoot, uint256(accountId), uint256(uint160(msg.sender))];
        try liquidationVerifier.verifyProof{gas: VERIFIER_GAS_LIMIT}(proof, input) {}
        catch {
            _checkGas();
            revert LiquidationProofInvalid();
        }
        uint64 deadline = uint64(block.timestamp) + gracePeriod;
        liquidationRequest[accountId] =
            Request({deadline: deadline, batch: settlement.batchNumber(), requester: msg.sender, amount: 0});
        emit LiquidationRequested(accountId, msg.sender, riskEpoch, deadline);
    }

    // ------------------------------------------------------------------ escape hatch

    /// @notice Asks the operator to withdraw `amount` quote atoms of `accountId` to the caller within the grace
    /// period. Only the account's L1 address (the leaf's l1Address) is entitled to it; the contract cannot read
    /// the leaf, so the batch decides: it pays the request (kind 8) or proves why not (kind 9: another requester
    /// than the leaf's, an unregistered account, or effective IM broken by the amount), and either clears it.
    /// A pending request blocks another of the same account until a batch clears it.
    /// @param accountId a registered account, below Settlement.nextAccountId()
    /// @param amount quote atoms, 1 .. 2^63 - 1
    function requestForcedWithdrawal(uint64 accountId, uint256 amount) external notFrozen {
        uint64 next = settlement.nextAccountId();
        if (accountId >= next) revert UnknownAccount(accountId, next);
        if (amount == 0 || amount > MAX_AMOUNT) revert AmountOutOfRange(amount);
        Request storage r = forcedWithdrawal[accountId];
        if (r.deadline != 0) revert RequestPending(accountId, r.deadline);
        uint64 deadline = uint64(block.timestamp) + gracePeriod;
        forcedWithdrawal[accountId] = Request({
            deadline: deadline, batch: settlement.batchNumber(), requester: msg.sender, amount: uint64(amount)
        });
        emit ForcedWithdrawalRequested(accountId, msg.sender, amount, deadline);
    }

    /// @notice Clears the requests a just-finalized batch honours. Called by Settlement only, after the batch is
    /// settled, with the batch's request list, which Settlement hashed into the proof's `requestsHash` (and whose
    /// kinds it checked: 6, 8 or 9). Per entry, in slot order:
    /// - kind 6, a liquidation: the account's pending liquidation request, if any, whose keeper must be the
    ///   entry's (`KeeperMismatch`: the batch credits its keeper share to the address that asked); with no pending
    ///   request (the operator's own liquidation) nothing;
    /// - kind 8 (paid) or 9 (refused), a forced withdrawal: the account's pending forced-withdrawal request, which
    ///   must exist (`RequestNotPending`: a batch cannot pay a forced withdrawal nobody asked for) and carry the
    ///   entry's requester and amount (`ForcedWithdrawalMismatch`: the proof paid or refused another request).
    /// Any refusal reverts the whole batch.
    /// @param batch the batch number just finalized
    /// @param requests the batch's request entries, slot order
    function clear(uint64 batch, Settlement.Request[] calldata requests) external {
        if (msg.sender != address(settlement)) revert NotSettlement(msg.sender);
        for (uint256 i = 0; i < requests.length; i++) {
            Settlement.Request calldata q = requests[i];
            uint64 id = q.accountId;
            if (q.kind == 6) {
                Request storage r = liquidationRequest[id];
                if (r.deadline == 0) continue;
                if (r.requester != q.party) revert KeeperMismatch(id, r.requester, q.party);
                _clear(r, id, batch);
                emit LiquidationCleared(id, batch);
            } else {
                // kind 8 or 9 (Settlement's requestsHash refused every other kind)
                Request storage r = forcedWithdrawal[id];
                if (r.deadline == 0) revert RequestNotPending(id);
                if (r.requester != q.party || r.amount != q.amount) {
                    revert ForcedWithdrawalMismatch(id, r.requester, r.amount, q.party, q.amount);
                }
                _clear(r, id, batch);
                emit ForcedWithdrawalCleared(id, batch, q.kind == 8 ? q.amount : 0);
            }
        }
    }

    /// @dev `r` is pending (both callers checked)
    function _clear(Request storage r, uint64 accountId, uint64 batch) private {
        if (r.batch >= batch) revert RequestNotOlderThanBatch(accountId, r.batch, batch);
        delete r.deadline;
        delete r.batch;
        delete r.requester;
        delete r.amount;
    }

    /// @notice True if a request of `accountId` is pending past its deadline (then `freeze` is open).
    function overdue(uint64 accountId) public view returns (bool) {
        uint64 a = liquidationRequest[accountId].deadline;
        uint64 b = forcedWithdrawal[accountId].deadline;
        return (a != 0 && block.timestamp > a) || (b != 0 && block.timestamp > b);
    }

    /// @notice Freezes Settlement: anyone, once a request of `accountId` is past its deadline. Fixes the exit
    /// roots (Settlement's state root and latest posted risk root, which nothing moves afterwards).
    function freeze(uint64 accountId) external notFrozen {
        if (!overdue(accountId)) revert NothingOverdue(accountId);
        uint256 s = settlement.stateRoot();
        uint256 r = settlement.riskRootOfEpoch(settlement.latestRiskEpoch());
        exitStateRoot = s;
        exitRiskRoot = r;
        uint256 held = quoteToken.balanceOf(address(settlement));
        uint256 owed = settlement.pendingWithdrawalTotal();
        exitPool = held > owed ? held - owed : 0;
        settlement.freezeByEscapeHatch();
        emit Frozen(accountId, msg.sender, s, r);
    }

    /// @notice Whether `accountId` has exited.
    function exited(uint64 accountId) public view returns (bool) {
        return _exitedBits[accountId >> 8] & (1 << (accountId & 255)) != 0;
    }

    /// @notice Whether Settlement is frozen.
    function isFrozen() external view returns (bool) {
        return settlement.frozen();
    }

    /// @notice Pays `accountId`'s equity out after the freeze: the exit proof shows `payout = floor(max(0, E) /
    /// 10^9)` quote atoms for the account with L1 address `l1Address` at the exit roots. Each account once;
    /// pays `min(payout, exitPool)` to `l1Address` (anyone may submit; the address is the
    /// leaf's, bound by the proof).
    /// @param accountId the account (leaf index)
    /// @param l1Address the leaf's L1 address (not 0)
    /// @param payout quote atoms, as proven
    /// @param proof gnark `MarshalSolidity()` bytes (256) of the exit proof
    /// @return paid the quote atoms transferred
    function exit(uint64 accountId, address l1Address, uint256 payout, bytes calldata proof)
        external
        returns (uint256 paid)
    {
        uint256 s = exitStateRoot;
        if (s == 0) revert NotFrozen();
        uint256 word = _exitedBits[accountId >> 8];
        uint256 bit = 1 << (accountId & 255);
        if (word & bit != 0) revert AlreadyExited(accountId);
        if (l1Address == address(0)) revert ZeroAddress();
        // accountId * 2^160 + l1Address: the circuit packs the two (both range checked) into one public input
        uint256[4] memory input = [s, exitRiskRoot, (uint256(accountId) << 160) | uint256(uint160(l1Address)), payout];
        try exitVerifier.verifyProof{gas: VERIFIER_GAS_LIMIT}(proof, input) {}
        catch {
            _checkGas();
            revert ExitProofInvalid();
        }
        _exitedBits[accountId >> 8] = word | bit;
        uint256 pool = exitPool;
        paid = payout < pool ? payout : pool;
        exitPool = pool - paid;
        emit Exited(accountId, l1Address, payout, paid);
        if (paid != 0) quoteToken.safeTransferFrom(address(settlement), l1Address, paid);
    }

    /// @dev With too little gas left a valid proof may have failed for want of gas: say so rather than call
    /// the proof invalid (as Settlement does).
    function _checkGas() private view {
        if (gasleft() < VERIFIER_GAS_LIMIT / 63) revert InsufficientGasForVerifier(gasleft());
    }
}
