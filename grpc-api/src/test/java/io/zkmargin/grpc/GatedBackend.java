package io.zkmargin.grpc;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.grpc.server.HealthProofBackend;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.ProofFile;
import java.math.BigInteger;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real backend with a gate in front of the prover: while the gate is closed, a job that reached
 * the PROVING stage waits until the test opens it, and then runs the real Groth16 prover. Lets
 * tests keep a prover thread busy (full queue, cancellation mid-proof, shutdown with a running
 * proof) deterministically instead of guessing timings. Everything else passes through unchanged;
 * closing this wrapper does not close the real backend (tests share it).
 */
public final class GatedBackend implements HealthProofBackend {

  private final HealthProofBackend real;
  private volatile CountDownLatch gate;
  private final Semaphore atGate = new Semaphore(0);
  private final AtomicInteger proofsMade = new AtomicInteger();

  public GatedBackend(HealthProofBackend real) {
    this.real = real;
  }

  /** Closes the gate: jobs that reach PROVING wait at it. */
  public void closeGate() {
    gate = new CountDownLatch(1);
  }

  /** Opens the gate and lets every waiting job prove. */
  public void openGate() {
    CountDownLatch g = gate;
    gate = null;
    if (g != null) {
      g.countDown();
    }
  }

  /** Waits until {@code n} more jobs reached the gate; false on timeout. */
  public boolean awaitAtGate(int n, long timeoutMillis) throws InterruptedException {
    return atGate.tryAcquire(n, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Proofs the real prover returned so far. */
  public int proofsMade() {
    return proofsMade.get();
  }

  @Override
  public ProofFile prove(long accountId, long thresholdBps, Progress progress)
      throws NotHealthyException {
    ProofFile p =
        real.prove(
            accountId,
            thresholdBps,
            new Progress() {
              @Override
              public void witness() {
                progress.witness();
              }

              @Override
              public void proving() {
                progress.proving();
                CountDownLatch g = gate;
                atGate.release();
                if (g != null) {
                  try {
                    if (!g.await(120, TimeUnit.SECONDS)) {
                      throw new IllegalStateException("test gate was never opened");
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted at the test gate", e);
                  }
                }
              }
            });
    proofsMade.incrementAndGet();
    return p;
  }

  @Override
  public CircuitSizes sizes() {
    return real.sizes();
  }

  @Override
  public Optional<AccountLeaf> account(long accountId) {
    return real.account(accountId);
  }

  @Override
  public long accountCount() {
    return real.accountCount();
  }

  @Override
  public BigInteger stateRoot() {
    return real.stateRoot();
  }

  @Override
  public BigInteger riskRoot() {
    return real.riskRoot();
  }

  @Override
  public long epoch() {
    return real.epoch();
  }

  @Override
  public Verdict verify(ProofFile proof) {
    return real.verify(proof);
  }

  @Override
  public Optional<VerifyingKeyData> verifyingKeyByCircuitId(String circuitId) {
    return real.verifyingKeyByCircuitId(circuitId);
  }

  @Override
  public Optional<VerifyingKeyData> verifyingKeyByHash(String verifyingKeyHash) {
    return real.verifyingKeyByHash(verifyingKeyHash);
  }

  @Override
  public MarginFigures margin(long accountId) {
    return real.margin(accountId);
  }

  @Override
  public void close() {
    openGate();
  }
}
