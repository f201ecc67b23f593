package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.zkmargin.api.v1.AuditServiceGrpc;
import io.zkmargin.api.v1.HealthProof;
import io.zkmargin.api.v1.HealthServiceGrpc;
import io.zkmargin.api.v1.ProveHealthRequest;
import io.zkmargin.api.v1.RequestAuth;
import io.zkmargin.api.v1.VerifyProofRequest;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.nativebridge.ProofEncoding;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@code VerifyProof} and {@code ProveHealth} of a real server on a loopback port with
 * random bytes, mutated valid messages (bit flips, overwritten, inserted and deleted bytes,
 * truncation) and structurally valid messages with hostile field values (proofs of every length
 * around the canonical one, the review's 260-byte attack, huge public inputs, random accounts and
 * auth), all sent raw through a generic call with a byte-array marshaller so that unparseable
 * protobuf is included. The service must answer each with a well-defined status (never UNKNOWN or
 * INTERNAL), stay up, and afterwards prove and verify a valid request correctly.
 *
 * <p>Reproduce a run with {@code -Dzkm.fuzz.seed=N}; {@code -Dzkm.fuzz.count=N} sends more
 * messages.
 */
class FuzzTest {

  static final String VERIFY = AuditServiceGrpc.getVerifyProofMethod().getFullMethodName();
  static final String PROVE = HealthServiceGrpc.getProveHealthMethod().getFullMethodName();
  static final Set<Status.Code> WELL_DEFINED =
      Set.of(
          Status.Code.OK,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.UNAUTHENTICATED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.NOT_FOUND);

  @Test
  void verifyProofAndProveHealthSurviveRandomAndMutatedMessages(@TempDir Path dir)
      throws Exception {
    long seed = Long.getLong("zkm.fuzz.seed", 0x5eed_2025L);
    int count = Integer.getInteger("zkm.fuzz.count", 2000);
    System.out.println(
        "FuzzTest: seed "
            + seed
            + " (-Dzkm.fuzz.seed="
            + seed
            + " reproduces), "
            + count
            + " messages");
    Random rnd = new Random(seed);
    TestLogs.redirect(null);
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
    ZkmServer.Limits open = new ZkmServer.Limits(1e6, 1_000_000, 1e6, 1_000_000, 8, 100_000);
    try (ZkmServer server =
            new ZkmServer(
                    VenueBackend.of(TestVenue.venue(), KeyStore.openDefault()),
                    id,
                    new ZkmServer.Config("127.0.0.1", 0, true, 1, 4, -1, 5_000, open))
                .start();
        ProofVerifier offline = new ProofVerifier(KeyStore.openDefault())) {
      ManagedChannel ch =
          Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
              .build();
      ZkmClient client = new ZkmClient(ch, id.serviceId());
      try {
        ProofFile proof =
            client.proveHealth(2, 10_000, signer(id, 2), Duration.ofSeconds(120), null);
        byte[] verifySeed =
            VerifyProofRequest.newBuilder()
                .setProof(ProtoConvert.toProto(proof))
                .build()
                .toByteArray();
        byte[] proveSeed =
            ProveHealthRequest.newBuilder()
                .setAccountId(3)
                .setThresholdBps(10_000)
                .setAuth(signer(id, 3).sign(PROVE, 3, 10_000, RequestSigner.DEFAULT_VALIDITY))
                .build()
                .toByteArray();

        MethodDescriptor<byte[], byte[]> verify =
            RawCalls.method(VERIFY, MethodDescriptor.MethodType.UNARY);
        MethodDescriptor<byte[], byte[]> prove =
            RawCalls.method(PROVE, MethodDescriptor.MethodType.SERVER_STREAMING);
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<Status>> answers = new ArrayList<>();
        List<String> what = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          boolean isVerify = rnd.nextBoolean();
          int kind = rnd.nextInt(3);
          byte[] msg =
              switch (kind) {
                case 0 -> randomBytes(rnd, rnd.nextInt(700));
                case 1 -> mutate(rnd, isVerify ? verifySeed : proveSeed);
                default ->
                    isVerify
                        ? hostileVerify(rnd, ProtoConvert.toProto(proof))
                        : hostileProve(rnd, id);
              };
          inFlight.acquire();
          CompletableFuture<Status> f = RawCalls.send(ch, isVerify ? verify : prove, msg, 30_000);
          f.whenComplete((s, e) -> inFlight.release());
          answers.add(f);
          what.add((isVerify ? "VerifyProof" : "ProveHealth") + " kind " + kind + " #" + i);
        }
        Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
        for (int i = 0; i < answers.size(); i++) {
          Status s = answers.get(i).get(60, TimeUnit.SECONDS);
          codes.merge(s.getCode(), 1, Integer::sum);
          assertTrue(
              WELL_DEFINED.contains(s.getCode()), what.get(i) + " (seed " + seed + "): " + s);
        }
        System.out.printf(
            "FuzzTest: %d messages in %.1f s, answers %s%n",
            count, (System.nanoTime() - t0) / 1e9, codes);
        assertTrue(
            codes.getOrDefault(Status.Code.INVALID_ARGUMENT, 0) > count / 10, codes.toString());

        // still up and still right: a fresh valid request is proven and verified, a tampered one is
        // not
        ProofFile after =
            client.proveHealth(4, 12_000, signer(id, 4), Duration.ofSeconds(120), null);
        assertEquals(4, after.healthAccountId());
        assertTrue(offline.verify(after).valid());
        assertTrue(client.verifyProof(after, Duration.ofSeconds(30)).getValid());
        assertTrue(client.verifyProof(proof, Duration.ofSeconds(30)).getValid());
      } finally {
        ch.shutdownNow();
      }
    }
  }

  static RequestSigner signer(ServiceIdentity id, long account) {
    return new RequestSigner(TestVenue.ownerKey(account), id.serviceId());
  }

  static byte[] randomBytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  /** 1 to 8 random edits of a valid message. */
  static byte[] mutate(Random rnd, byte[] seed) {
    byte[] b = seed.clone();
    int edits = 1 + rnd.nextInt(8);
    for (int e = 0; e < edits; e++) {
      int op = rnd.nextInt(6);
      if (b.length == 0) {
        op = 2;
      }
      switch (op) {
        case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        case 1 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        case 2 -> {
          int at = rnd.nextInt(b.length + 1);
          byte[] ins = randomBytes(rnd, 1 + rnd.nextInt(8));
          byte[] nb = new byte[b.length + ins.length];
          System.arraycopy(b, 0, nb, 0, at);
          System.arraycopy(ins, 0, nb, at, ins.length);
          System.arraycopy(b, at, nb, at + ins.length, b.length - at);
          b = nb;
        }
        case 3 -> {
          int at = rnd.nextInt(b.length);
          int n = Math.min(b.length - at, 1 + rnd.nextInt(16));
          byte[] nb = new byte[b.length - n];
          System.arraycopy(b, 0, nb, 0, at);
          System.arraycopy(b, at + n, nb, at, b.length - at - n);
          b = nb;
        }
        case 4 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
        default -> b[rnd.nextInt(b.length)] = (byte) (rnd.nextBoolean() ? 0xff : 0x80);
      }
    }
    return b;
  }

  /** A VerifyProof that parses, with one hostile field. */
  static byte[] hostileVerify(Random rnd, HealthProof good) {
    HealthProof.Builder p = good.toBuilder();
    switch (rnd.nextInt(6)) {
      case 0 -> { // every length around the canonical one, random content
        p.setProof(
            ByteString.copyFrom(
                randomBytes(rnd, ProofEncoding.PROOF_BYTES - 70 + rnd.nextInt(140))));
      }
      case 1 -> { // the review's attack: 256 zero bytes and a commitment count of 0xffffffff (and
        // variants)
        byte[] a = new byte[256 + 4 * (1 + rnd.nextInt(17))];
        Arrays.fill(a, 256, 260, (byte) 0xff);
        p.setProof(ByteString.copyFrom(a));
      }
      case 2 -> { // canonical length, random points (off the curve or not in the subgroup)
        byte[] a = new byte[ProofEncoding.PROOF_BYTES];
        System.arraycopy(randomBytes(rnd, 256), 0, a, 0, 256);
        p.setProof(ByteString.copyFrom(a));
      }
      case 3 -> { // public inputs: random count and text
        p.clearPublicInputs();
        for (int k = rnd.nextInt(20); k > 0; k--) {
          p.addPublicInputs(
              rnd.nextBoolean()
                  ? Long.toString(rnd.nextLong())
                  : new String(
                      randomBytes(rnd, rnd.nextInt(90)),
                      java.nio.charset.StandardCharsets.ISO_8859_1));
        }
      }
      case 4 ->
          p.setCircuitId(rnd.nextBoolean() ? "" : "health-" + rnd.nextInt())
              .setFormat(rnd.nextBoolean() ? p.getFormat() : "x");
      default ->
          p.setVerifyingKeyHash(
              rnd.nextBoolean() ? "ab".repeat(32) : Long.toHexString(rnd.nextLong()));
    }
    return VerifyProofRequest.newBuilder().setProof(p).build().toByteArray();
  }

  /**
   * A ProveHealth that parses, with random ids, thresholds and auth fields (never a valid
   * signature).
   */
  static byte[] hostileProve(Random rnd, ServiceIdentity unused) {
    RequestAuth.Builder a =
        RequestAuth.newBuilder()
            .setNonce(ByteString.copyFrom(randomBytes(rnd, rnd.nextInt(80))))
            .setSignature(
                ByteString.copyFrom(randomBytes(rnd, rnd.nextBoolean() ? 96 : rnd.nextInt(200))));
    if (rnd.nextBoolean()) {
      a.setExpireTime(
          com.google.protobuf.Timestamp.newBuilder()
              .setSeconds(System.currentTimeMillis() / 1000 + rnd.nextInt(600) - 100)
              .setNanos(rnd.nextInt(1_000_000_000)));
    }
    ProveHealthRequest.Builder r =
        ProveHealthRequest.newBuilder()
            .setAccountId(rnd.nextBoolean() ? rnd.nextInt(70) : rnd.nextLong())
            .setThresholdBps(rnd.nextBoolean() ? rnd.nextInt(2_000_000) : rnd.nextInt());
    if (rnd.nextInt(10) > 0) {
      r.setAuth(a);
    }
    return r.build().toByteArray();
  }
}
