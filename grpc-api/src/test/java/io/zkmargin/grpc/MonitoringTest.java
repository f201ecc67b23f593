package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.zkmargin.api.v1.AuditServiceGrpc;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the logs and metrics say about calls no service code saw, read back from the log stream and
 * the metrics of a real TLS server on loopback: every line is one JSON object, and each call is
 * counted under the status its caller really got.
 */
class MonitoringTest {

  static final String VERIFY = AuditServiceGrpc.getVerifyProofMethod().getFullMethodName();
  static final String STATE_ROOT = AuditServiceGrpc.getGetStateRootMethod().getFullMethodName();

  @Test
  void oversizedUnparseableAndUnknownCallsAreLoggedAndCountedWithTheirRealStatus(@TempDir Path dir)
      throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream logs = new PrintStream(sink, true, StandardCharsets.UTF_8);
    TestLogs.redirect(logs);
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
    ZkmServer server =
        new ZkmServer(
                VenueBackend.of(TestVenue.venue(), KeyStore.openDefault()),
                id,
                new ZkmServer.Config("127.0.0.1", 0, false, 1, 4, -1, 1000))
            .start();
    ManagedChannel ch =
        Grpc.newChannelBuilder(
                "localhost:" + server.port(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(id.certificateFile().toFile())
                    .build())
            .build();
    try {
      // over the 4 KiB cap: refused by the transport, the client sees RESOURCE_EXHAUSTED
      assertEquals(
          Status.Code.RESOURCE_EXHAUSTED, RawCalls.call(ch, VERIFY, new byte[10_000]).getCode());
      // not protobuf (field 1 of wire type 7 does not exist): INVALID_ARGUMENT, not UNKNOWN
      Status junk = RawCalls.call(ch, VERIFY, new byte[] {(byte) 0x0f, 1, 2, 3});
      assertEquals(Status.Code.INVALID_ARGUMENT, junk.getCode(), junk.toString());
      // a method nobody serves
      assertEquals(
          Status.Code.UNIMPLEMENTED,
          RawCalls.call(ch, "zkmargin.v1.AuditService/Nope", new byte[0]).getCode());
      assertEquals(Status.Code.OK, RawCalls.call(ch, STATE_ROOT, new byte[0]).getCode());
      // a library logging an exception through java.util.logging
      Logger.getLogger("io.grpc.zkmtest")
          .log(Level.WARNING, "something broke", new IllegalStateException("boom"));
    } finally {
      ch.shutdownNow();
      server.close();
      TestLogs.redirect(null);
    }
    assertEquals(
        1, server.metrics().requests(VERIFY, "RESOURCE_EXHAUSTED"), server.metrics().render());
    assertEquals(0, server.metrics().requests(VERIFY, "CANCELLED"), server.metrics().render());
    assertEquals(
        1, server.metrics().requests(VERIFY, "INVALID_ARGUMENT"), server.metrics().render());
    assertEquals(0, server.metrics().requests(VERIFY, "UNKNOWN"), server.metrics().render());
    assertEquals(
        1, server.metrics().requests("unknown", "UNIMPLEMENTED"), server.metrics().render());
    assertEquals(1, server.metrics().requests(STATE_ROOT, "OK"), server.metrics().render());

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : sink.toString(StandardCharsets.UTF_8).split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      JsonNode n = json.readTree(line); // throws on anything but one JSON object per line
      assertTrue(n.isObject(), line);
      assertTrue(n.has("ts") && n.has("level") && n.has("event"), line);
      lines.add(n);
    }
    List<String> rpcCodes =
        lines.stream()
            .filter(n -> n.get("event").asText().equals("rpc"))
            .map(n -> n.get("method").asText() + " " + n.get("code").asText())
            .toList();
    assertTrue(rpcCodes.contains(VERIFY + " RESOURCE_EXHAUSTED"), rpcCodes.toString());
    assertTrue(rpcCodes.contains(VERIFY + " INVALID_ARGUMENT"), rpcCodes.toString());
    assertTrue(
        rpcCodes.contains("zkmargin.v1.AuditService/Nope UNIMPLEMENTED"), rpcCodes.toString());
    assertFalse(
        rpcCodes.stream().anyMatch(c -> c.endsWith(" CANCELLED") || c.endsWith(" UNKNOWN")),
        rpcCodes.toString());
    JsonNode jul =
        lines.stream()
            .filter(
                n ->
                    n.get("event").asText().equals("jul")
                        && n.get("message").asText().equals("something broke"))
            .findFirst()
            .orElseThrow();
    assertEquals("warn", jul.get("level").asText());
    assertTrue(jul.get("stack").asText().contains("IllegalStateException: boom"), jul.toString());
    assertTrue(
        jul.get("stack").asText().contains("\n\tat "), "the stack trace is folded into one field");
  }
}
