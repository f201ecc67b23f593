package io.zkmargin.ledger;

import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The invariants of docs/BATCH.md, checked against the state a ledger had when the checker was
 * created:
 *
 * <ul>
 *   <li>per asset a, {@code sum(balance[a]) - netFlow[a]} is constant (fees move between accounts;
 *       deposits and withdrawals are the net flow: signed withdrawals, liquidations' keeper shares
 *       and paid forced withdrawals leave the venue, a refused forced withdrawal moves nothing).
 *       For the quote asset the conserved sum also counts {@code sum(quantity * fundingSnapshot)}
 *       over every position: funding settles between accounts that opened at different snapshots,
 *       so only balances plus that term are conserved ({@code sum q = 0} per instrument makes it
 *       {@code -sum(unsettled funding)} up to a constant);
 *   <li>per instrument that has not settled, the sum of quantities over all accounts is 0 ("the sum
 *       of unsettled quantities is 0"); a settled instrument's holders are closed one by one by
 *       settle-expiry, each moving the quote sum by {@code q * (settlementValue - fundingIndex)},
 *       so for a position in a settled instrument the conserved quote sum counts {@code q *
 *       (snapshot - fundingIndex + settlementValue)} instead of {@code q * snapshot}: what its
 *       settlement will credit, which sums to {@code sum(q * snapshot)} when the instrument settles
 *       (then {@code sum q = 0});
 *   <li>no account's nonce ever decreases.
 * </ul>
 *
 * A full scan of the ledger (for tests and audits, not the hot path); exact BigInteger sums.
 */
public final class InvariantChecker {
  private final Ledger ledger;
  private final BigInteger[] conserved;
  private long[] nonces;

  /** Records the ledger's current sums and nonces as the reference. */
  public InvariantChecker(Ledger ledger) {
    this.ledger = ledger;
    this.conserved = sums();
    this.nonces = nonces();
  }

  /**
   * Checks the invariants and advances the nonce reference.
   *
   * @throws IllegalStateException naming the invariant broken
   */
  public void check() {
    BigInteger[] now = sums();
    for (int a = 0; a < now.length; a++) {
      if (!now[a].equals(conserved[a])) {
        throw new IllegalStateException(
            "conservation broken for asset "
                + a
                + ": sum of balances - net deposits moved from "
                + conserved[a]
                + " to "
                + now[a]);
      }
    }
    Map<Long, BigInteger> perInstrument = new HashMap<>();
    long n = ledger.accountLimit();
    for (long i = 0; i < n; i++) {
      if (!ledger.isRegistered(i)) {
        continue;
      }
      for (int j = 0; j < ledger.slots(); j++) {
        long q = ledger.quantity(i, j);
        if (q == 0) {
          if (ledger.instrumentId(i, j) != 0 || ledger.fundingSnapshot(i, j) != 0) {
            throw new IllegalStateException("account " + i + " slot " + j + " is empty but not 0");
          }
          continue;
        }
        if (settled(ledger.instrumentId(i, j)) == null) {
          perInstrument.merge(ledger.instrumentId(i, j), BigInteger.valueOf(q), BigInteger::add);
        }
      }
    }
    for (Map.Entry<Long, BigInteger> e : perInstrument.entrySet()) {
      if (e.getValue().signum() != 0) {
        throw new IllegalStateException(
            "instrument " + e.getKey() + ": the quantities sum to " + e.getValue() + ", not 0");
      }
    }
    long[] current = nonces();
    for (int i = 0; i < nonces.length; i++) {
      if (current[i] < nonces[i]) {
        throw new IllegalStateException(
            "account " + i + ": nonce decreased from " + nonces[i] + " to " + current[i]);
      }
    }
    nonces = current;
  }

  private BigInteger[] sums() {
    int assets = ledger.assets();
    BigInteger[] s = new BigInteger[assets];
    Arrays.fill(s, BigInteger.ZERO);
    long n = ledger.accountLimit();
    for (long i = 0; i < n; i++) {
      if (!ledger.isRegistered(i)) {
        continue;
      }
      for (int a = 0; a < assets; a++) {
        s[a] = s[a].add(BigInteger.valueOf(ledger.balance(i, a)));
      }
      for (int j = 0; j < ledger.slots(); j++) {
        BigInteger perLot = BigInteger.valueOf(ledger.fundingSnapshot(i, j));
        InstrumentRiskEntry e = settled(ledger.instrumentId(i, j));
        if (ledger.quantity(i, j) != 0 && e != null) {
          perLot =
              perLot
                  .subtract(BigInteger.valueOf(e.fundingIndex()))
                  .add(BigInteger.valueOf(e.settlementValue()));
        }
        s[0] = s[0].add(BigInteger.valueOf(ledger.quantity(i, j)).multiply(perLot));
      }
    }
    for (int a = 0; a < assets; a++) {
      s[a] = s[a].subtract(BigInteger.valueOf(ledger.netFlow(a)));
    }
    return s;
  }

  /** The instrument's entry if it has settled at the ledger's current batch, else null. */
  private InstrumentRiskEntry settled(long instrumentId) {
    RiskCommitment risk = ledger.riskCommitment();
    InstrumentRiskEntry e = risk == null ? null : risk.entry(instrumentId);
    return e != null && e.settled() ? e : null;
  }

  private long[] nonces() {
    long[] out = new long[(int) ledger.accountLimit()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ledger.isRegistered(i) ? ledger.nonce(i) : 0;
    }
    return out;
  }
}
