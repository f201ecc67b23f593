package io.zkmargin.ledger;

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
 *       deposits and withdrawals are the net flow). For the quote asset the conserved sum also
 *       counts {@code sum(quantity * fundingSnapshot)} over every position: funding settles between
 *       accounts that opened at different snapshots, so only balances plus that term are conserved
 *       ({@code sum q = 0} per instrument makes it {@code -sum(unsettled funding)} up to a
 *       constant);
 *   <li>per instrument, the sum of quantities over all accounts is 0;
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
        perInstrument.merge(ledger.instrumentId(i, j), BigInteger.valueOf(q), BigInteger::add);
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
        s[0] =
            s[0].add(
                BigInteger.valueOf(ledger.quantity(i, j))
                    .multiply(BigInteger.valueOf(ledger.fundingSnapshot(i, j))));
      }
    }
    for (int a = 0; a < assets; a++) {
      s[a] = s[a].subtract(BigInteger.valueOf(ledger.netFlow(a)));
    }
    return s;
  }

  private long[] nonces() {
    long[] out = new long[(int) ledger.accountLimit()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ledger.isRegistered(i) ? ledger.nonce(i) : 0;
    }
    return out;
  }
}
