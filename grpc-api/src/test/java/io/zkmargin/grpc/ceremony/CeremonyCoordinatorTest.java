package io.zkmargin.grpc.ceremony;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zkmargin.api.v1.StatusResponse;
import io.zkmargin.api.v1.UploadResponse;
import io.zkmargin.nativebridge.Ceremony;
import io.zkmargin.prover.ceremony.CeremonyTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real coordinator on a loopback port (TLS, its own certificate pinned by the clients) for phase
 * 1 of a self-test ceremony: two clients contribute in turn and both contributions are in the
 * verified chain; a contribution that does not verify is refused and the queue moves on; an upload
 * larger than a contribution is refused at the door; a turn that times out passes to the next.
 */
class CeremonyCoordinatorTest {
  static final String ID = "selftest-N8";

  @Test
  void twoClientsContributeInTurnAndBadUploadsAreRefused(@TempDir Path tmp) throws Exception {
    PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Path dir = tmp.resolve("ceremony");
    CeremonyTool tool = new CeremonyTool(dir, log);
    tool.phase1Init(Ceremony.circuitPower(ID));
    try (CeremonyCoordinator c =
        CeremonyCoordinator.start(dir, null, "127.0.0.1", 0, Duration.ofMinutes(10), System.out)) {
      String target = "127.0.0.1:" + c.port();
      Path cert = CeremonyCoordinator.certificate(dir);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try (CeremonyClient a = CeremonyClient.connect(target, cert);
          CeremonyClient b = CeremonyClient.connect(target, cert)) {
        Future<CeremonyClient.Result> ra =
            pool.submit(() -> a.contribute("alice", null, Duration.ofMillis(200), System.out));
        Future<CeremonyClient.Result> rb =
            pool.submit(
                () ->
                    b.contribute(
                        "bob",
                        "bob's dice".getBytes(StandardCharsets.UTF_8),
                        Duration.ofMillis(200),
                        System.out));
        CeremonyClient.Result x = ra.get();
        CeremonyClient.Result y = rb.get();
        assertTrue(x.response().getAccepted(), x.response().getReason());
        assertTrue(y.response().getAccepted(), y.response().getReason());
        assertEquals(
            List.of(1, 2),
            List.of(x.response().getNumber(), y.response().getNumber()).stream().sorted().toList());
        // the second built on the first
        CeremonyClient.Result first = x.response().getNumber() == 1 ? x : y;
        CeremonyClient.Result second = first == x ? y : x;
        assertArrayEquals(first.contribution().produced(), second.contribution().received());
        assertEquals(
            Ceremony.hex(second.contribution().produced()), second.response().getReceivedHash());

        // a contribution of the right size that does not verify: refused, the queue moves on
        String bad = a.join("mallory");
        String next = b.join("carol");
        assertEquals(StatusResponse.State.STATE_YOUR_TURN, a.status(bad).getState());
        byte[] latest = a.downloadLatest(bad);
        byte[] forged = Ceremony.phase1Contribute(Ceremony.circuitPower(ID), latest).next();
        forged[forged.length - 40] ^= 1; // inside the vectors: decodes or verifies wrongly
        UploadResponse refused = a.upload(bad, forged);
        assertFalse(refused.getAccepted());
        assertEquals(StatusResponse.State.STATE_DROPPED, a.status(bad).getState());
        assertEquals(StatusResponse.State.STATE_YOUR_TURN, b.status(next).getState());

        // more bytes than a contribution has: refused at the door
        byte[] big = new byte[(int) b.status(next).getUploadSize() + CeremonyCoordinator.CHUNK];
        StatusRuntimeException e =
            assertThrows(StatusRuntimeException.class, () -> b.upload(next, big));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals(StatusResponse.State.STATE_DROPPED, b.status(next).getState());
      } finally {
        pool.shutdownNow();
      }
      // the chain on disk is the two accepted contributions, and it verifies
      assertEquals(2, tool.phase1Verify().size());
      assertFalse(Files.exists(dir.resolve("phase1").resolve("contribution-0003.bin")));
    }
  }

  @Test
  void aTurnThatTimesOutPassesToTheNext(@TempDir Path tmp) throws Exception {
    PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Path dir = tmp.resolve("ceremony");
    new CeremonyTool(dir, log).phase1Init(Ceremony.circuitPower(ID));
    try (CeremonyCoordinator c =
            CeremonyCoordinator.start(dir, null, "127.0.0.1", 0, Duration.ofSeconds(1), log);
        CeremonyClient idle =
            CeremonyClient.connect("127.0.0.1:" + c.port(), CeremonyCoordinator.certificate(dir));
        CeremonyClient busy =
            CeremonyClient.connect("127.0.0.1:" + c.port(), CeremonyCoordinator.certificate(dir))) {
      String sleeper = idle.join("sleeper");
      CeremonyClient.Result r = busy.contribute("busy", null, Duration.ofMillis(300), log);
      assertTrue(r.response().getAccepted(), r.response().getReason());
      StatusResponse s = idle.status(sleeper);
      assertEquals(StatusResponse.State.STATE_DROPPED, s.getState());
      assertTrue(s.getReason().contains("timed out"), s.getReason());
    }
  }

  /**
   * Phase 2 through the coordinator: it verifies the folder in full once when it starts (and
   * refuses to start on a tampered one), then checks each upload against the last accepted
   * contribution only: an honest one is accepted, one built on an older state (skipped / wrong
   * predecessor) and a tampered one are refused and the queue moves on; the chain on disk verifies
   * in full.
   */
  @Test
  void phase2UploadsAreCheckedAgainstTheLastAcceptedContribution(@TempDir Path tmp)
      throws Exception {
    PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Path dir = tmp.resolve("ceremony");
    CeremonyTool tool = new CeremonyTool(dir, log);
    tool.phase1Init(Ceremony.circuitPower(ID));
    tool.phase1Contribute();
    tool.phase1Seal(new byte[] {7});
    tool.phase2Init(ID);
    Path p2 = dir.resolve("phase2").resolve(ID);
    byte[] init = Files.readAllBytes(p2.resolve("contribution-0000.bin"));
    try (CeremonyCoordinator c =
            CeremonyCoordinator.start(dir, ID, "127.0.0.1", 0, Duration.ofMinutes(10), log);
        CeremonyClient a =
            CeremonyClient.connect("127.0.0.1:" + c.port(), CeremonyCoordinator.certificate(dir))) {
      CeremonyClient.Result r = a.contribute("alice", null, Duration.ofMillis(100), log);
      assertTrue(r.response().getAccepted(), r.response().getReason());
      assertEquals(1, r.response().getNumber());

      // built on the initial state, not on alice's: refused (the right size, the wrong predecessor)
      String skip = a.join("skipper");
      byte[] onInit = Ceremony.phase2Contribute(ID, init).next();
      UploadResponse refused = a.upload(skip, onInit);
      assertFalse(refused.getAccepted());
      assertTrue(refused.getReason().contains("not built on"), refused.getReason());
      assertEquals(StatusResponse.State.STATE_DROPPED, a.status(skip).getState());

      // built on alice's but tampered
      String tamper = a.join("mallory");
      byte[] forged = Ceremony.phase2Contribute(ID, a.downloadLatest(tamper)).next();
      forged[40] ^= 1;
      assertFalse(a.upload(tamper, forged).getAccepted());

      CeremonyClient.Result r2 = a.contribute("bob", null, Duration.ofMillis(100), log);
      assertTrue(r2.response().getAccepted(), r2.response().getReason());
      assertEquals(2, r2.response().getNumber());
    }
    assertEquals(2, tool.phase2Verify(ID).size());

    // a tampered folder: the coordinator does not start on it
    Path second = p2.resolve("contribution-0002.bin");
    byte[] b = Files.readAllBytes(second);
    b[b.length - 40] ^= 1;
    Files.write(second, b);
    assertThrows(
        io.zkmargin.nativebridge.NativeException.class,
        () -> CeremonyCoordinator.start(dir, ID, "127.0.0.1", 0, Duration.ofMinutes(1), log));
  }
}
