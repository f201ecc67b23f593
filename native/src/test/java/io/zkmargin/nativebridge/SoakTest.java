package io.zkmargin.nativebridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Soak: thousands of JNI calls from 4 threads at once, proofs of the TEST-size health circuit among
 * them, while another thread forces garbage collections and the Cleaner releases abandoned handles.
 * A broken signal setup (Go and the JVM both use signals: GC safepoints, Go preemption) or a memory
 * error in the glue shows up here as a JVM crash.
 */
class SoakTest {
  static final String ID = TestCircuits.HEALTH_TEST;
  static final int THREADS = 4;
  static final int PROOFS_PER_THREAD = 13; // 52 proofs
  static final int CHEAP_CALLS_PER_PROOF = 40;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void concurrentProofsUnderGcPressure() throws Exception {
    byte[] witness = TestCircuits.witnessResource("health-test-healthy.json");
    KeyPair keys = Gnark.setup(ID);
    byte[] digest = Gnark.circuitDigest(ID);
    long baseline = Gnark.liveHandles();
    // the statement every proof must be about, from one proof made before the soak: each concurrent
    // proof
    // is checked against it, not against the inputs it came back with (a mix-up between threads
    // would pass)
    List<String> expectedInputs;
    try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey())) {
      expectedInputs = Gnark.prove(pk, witness).publicInputs();
    }
    assertEquals(3, expectedInputs.size());
    // Counts of native calls that RETURNED the expected result, one counter per kind of call: a
    // counter
    // is only incremented after its result was compared with the expected value, so a wrong result,
    // a lost call or a crash shows up as a count below the exact expected total.
    AtomicLong proofsVerified = new AtomicLong(); // prove + verify(true) of a fresh proof
    AtomicLong digestsMatched =
        new AtomicLong(); // circuitDigest == the digest read before the soak
    AtomicLong compilesMatched = new AtomicLong(); // compile reports the circuit's 3 public inputs
    AtomicLong errorsReported = new AtomicLong(); // INVALID_ARGUMENT travelled back from Go
    AtomicLong abandonedLoaded = new AtomicLong(); // loadVerifyingKey returned an open handle
    AtomicLong wrongRejected = new AtomicLong(); // verify(false) for a changed public input
    AtomicLong reverified = new AtomicLong(); // verify(true) again after all the GCs
    ConcurrentLinkedQueue<ProofResult> proofs = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong gcs = new AtomicLong();

    Thread gc =
        new Thread(
            () -> {
              while (running.get()) {
                System.gc();
                gcs.incrementAndGet();
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "soak-gc");
    gc.setDaemon(true);
    gc.start();

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    long start = System.nanoTime();
    try {
      for (int t = 0; t < THREADS; t++) {
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey());
                      VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey())) {
                    for (int i = 0; i < PROOFS_PER_THREAD; i++) {
                      ProofResult r = Gnark.prove(pk, witness);
                      assertEquals(expectedInputs, r.publicInputs());
                      assertTrue(
                          Gnark.verify(vk, r.proof(), expectedInputs), "fresh proof must verify");
                      proofsVerified.incrementAndGet();
                      proofs.add(r);
                      for (int k = 0; k < CHEAP_CALLS_PER_PROOF; k++) {
                        switch (k % 5) {
                          case 0 -> {
                            assertArrayEquals(digest, Gnark.circuitDigest(ID));
                            digestsMatched.incrementAndGet();
                          }
                          case 1 -> {
                            assertEquals(3, Gnark.compile(ID).publicInputs());
                            compilesMatched.incrementAndGet();
                          }
                          case 2 -> {
                            // the error path: a Go error message travels back as an exception
                            NativeException e =
                                assertThrows(
                                    NativeException.class, () -> Gnark.compile("health-D0-bogus"));
                            assertEquals(NativeException.INVALID_ARGUMENT, e.code());
                            assertTrue(e.getMessage().contains("health-D0-bogus"), e.getMessage());
                            errorsReported.incrementAndGet();
                          }
                          case 3 -> {
                            // abandoned on purpose: the Cleaner must release it after a GC
                            assertFalse(Gnark.loadVerifyingKey(ID, keys.verifyingKey()).isClosed());
                            abandonedLoaded.incrementAndGet();
                          }
                          default -> {
                            List<String> wrong = new ArrayList<>(r.publicInputs());
                            wrong.set(0, "1");
                            assertFalse(Gnark.verify(vk, r.proof(), wrong));
                            wrongRejected.incrementAndGet();
                          }
                        }
                        byte[] garbage = new byte[64 * 1024]; // allocation pressure
                        garbage[k] = 1;
                      }
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      running.set(false);
      pool.shutdown();
      gc.join();
    }
    long soakNanos = System.nanoTime() - start;

    // every proof verifies again, after all the collections, with a newly loaded key
    try (VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey())) {
      for (ProofResult r : proofs) {
        assertTrue(Gnark.verify(vk, r.proof(), expectedInputs));
        reverified.incrementAndGet();
      }
    }
    // abandoned handles are released by the Cleaner once unreachable
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (Gnark.liveHandles() > baseline && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(50);
    }
    long proofsTotal = THREADS * PROOFS_PER_THREAD;
    long perKind = proofsTotal * CHEAP_CALLS_PER_PROOF / 5;
    long returned =
        2 * proofsVerified.get()
            + digestsMatched.get()
            + compilesMatched.get()
            + errorsReported.get()
            + abandonedLoaded.get()
            + wrongRejected.get()
            + reverified.get();
    System.out.printf(
        "soak: %d native calls returned the expected result, %d proofs, %d forced GCs, %.1f s%n",
        returned, proofs.size(), gcs.get(), soakNanos / 1e9);
    assertEquals(proofsTotal, proofs.size());
    assertEquals(proofsTotal, proofsVerified.get(), "fresh proofs that verified");
    assertEquals(proofsTotal, reverified.get(), "proofs that verified again after the GCs");
    assertEquals(perKind, digestsMatched.get(), "digests");
    assertEquals(perKind, compilesMatched.get(), "compiles");
    assertEquals(perKind, errorsReported.get(), "errors reported");
    assertEquals(perKind, abandonedLoaded.get(), "abandoned keys loaded");
    assertEquals(perKind, wrongRejected.get(), "wrong inputs rejected");
    assertTrue(returned >= 2000, "native calls that returned the expected result: " + returned);
    assertTrue(gcs.get() >= 10, "forced GCs " + gcs.get());
    assertEquals(baseline, Gnark.liveHandles(), "handles leaked");
  }
}
