package io.zkmargin.ledger;

import java.math.BigInteger;

/**
 * A withdrawal the batch pays on chain (docs/BATCH.md section 3): {@code amount} quote atoms to
 * {@code l1Address}.
 *
 * @param accountId the account debited (for a liquidation's keeper share: the liquidated account)
 * @param l1Address the Ethereum address the signed request names (or the liquidation's keeper), in
 *     {@code [0, 2^160)}
 * @param amount quote atoms, {@code > 0} ({@code >= 0} for a keeper share)
 */
public record Withdrawal(long accountId, BigInteger l1Address, long amount) {}
