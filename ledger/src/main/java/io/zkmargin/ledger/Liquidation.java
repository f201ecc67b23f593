package io.zkmargin.ledger;

import java.math.BigInteger;

/**
 * A liquidation the batch applied (docs/LIQUIDATION.md section 2): what {@code finalizeBatch} names
 * on chain, {@code (accountId, keeper)}, to clear the keeper's pending request, plus the keeper's
 * share the batch's withdrawal list pays.
 *
 * @param accountId the liquidated account
 * @param liquidatorId the account that took over
 * @param keeper the keeper's L1 address, in {@code [0, 2^160)}, 0 for none
 * @param keeperShare quote atoms paid to the keeper, {@code floor(penalty * keeperSharePpm / 10^6)}
 *     (0 when there is no keeper)
 */
public record Liquidation(long accountId, long liquidatorId, BigInteger keeper, long keeperShare) {}
