package io.zkmargin.grpc.ceremony;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.CeremonyServiceGrpc;
import io.zkmargin.api.v1.Chunk;
import io.zkmargin.api.v1.DownloadRequest;
import io.zkmargin.api.v1.JoinRequest;
import io.zkmargin.api.v1.JoinResponse;
import io.zkmargin.api.v1.StatusRequest;
import io.zkmargin.api.v1.StatusResponse;
import io.zkmargin.api.v1.UploadChunk;
import io.zkmargin.api.v1.UploadResponse;
import io.zkmargin.nativebridge.Ceremony;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A participant of a coordinated ceremony ({@code ./zkm ceremony contribute --coordinator
 * HOST:PORT}): joins the coordinator's queue over TLS (pinning its certificate), waits for its
 * turn, downloads the latest state, contributes locally (the secret never leaves this process) and
 * uploads the result in chunks.
 */
public final class CeremonyClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final CeremonyServiceGrpc.CeremonyServiceBlockingStub blocking;
  private final CeremonyServiceGrpc.CeremonyServiceStub async;

  /**
   * The outcome of one turn.
   *
   * @param contribution what this participant computed (hashes of what it received and produced)
   * @param response the coordinator's answer
   */
  public record Result(Ceremony.Contribution contribution, UploadResponse response) {}

  private CeremonyClient(ManagedChannel channel) {
    this.channel = channel;
    this.blocking = CeremonyServiceGrpc.newBlockingStub(channel);
    this.async = CeremonyServiceGrpc.newStub(channel);
  }

  /**
   * @param target {@code HOST:PORT}
   * @param certificate the coordinator's certificate ({@code <ceremony dir>/tls/server.crt}),
   *     obtained out of band
   */
  public static CeremonyClient connect(String target, Path certificate) throws IOException {
    ChannelCredentials creds =
        TlsChannelCredentials.newBuilder().trustManager(certificate.toFile()).build();
    return new CeremonyClient(
        Grpc.newChannelBuilder(target, creds)
            .maxInboundMessageSize(CeremonyCoordinator.CHUNK + 4096)
            .build());
  }

  /**
   * Joins, waits for the turn, contributes and uploads.
   *
   * @param name shown in the coordinator's log
   * @param entropy the contributor's own entropy, or null
   * @param poll how often to ask for the queue position
   * @param out progress lines and the hashes
   * @return the contribution and the coordinator's answer (accepted or refused with a reason)
   * @throws IllegalStateException when the turn is lost (timed out, dropped)
   */
  public Result contribute(String name, byte[] entropy, Duration poll, PrintStream out)
      throws InterruptedException {
    Objects.requireNonNull(poll, "poll");
    JoinResponse j = blocking.join(JoinRequest.newBuilder().setName(name).build());
    String ticket = j.getTicket();
    out.printf("ceremony: joined the queue at position %d%n", j.getPosition());
    StatusResponse s;
    int lastPos = j.getPosition();
    while (true) {
      s = blocking.status(StatusRequest.newBuilder().setTicket(ticket).build());
      switch (s.getState()) {
        case STATE_YOUR_TURN -> {}
        case STATE_WAITING -> {
          if (s.getPosition() != lastPos) {
            lastPos = s.getPosition();
            out.printf("ceremony: position %d%n", lastPos);
          }
          Thread.sleep(poll.toMillis());
          continue;
        }
        default ->
            throw new IllegalStateException(
                "the coordinator dropped this participant: " + s.getState() + " " + s.getReason());
      }
      break;
    }
    String what =
        s.getPhase() == 1 ? "phase 1 (2^" + s.getPower() + ")" : "phase 2 of " + s.getCircuitId();
    out.printf(
        "ceremony: your turn (%d s): downloading %s, %d bytes%n",
        s.getTurnSecondsLeft(), what, s.getDownloadSize());
    byte[] prev = download(ticket, s.getDownloadSize());
    out.printf("ceremony: contributing to %s...%n", what);
    Ceremony.Contribution c =
        s.getPhase() == 1
            ? Ceremony.phase1Contribute((int) s.getPower(), prev, entropy)
            : Ceremony.phase2Contribute(s.getCircuitId(), prev, entropy);
    out.printf(
        "ceremony: received %s%nceremony: produced %s (%d bytes); uploading%n",
        Ceremony.hex(c.received()), Ceremony.hex(c.produced()), c.next().length);
    UploadResponse r = upload(ticket, c.next());
    if (r.getAccepted()) {
      out.printf("ceremony: accepted as contribution %d%n", r.getNumber());
    } else {
      out.printf("ceremony: REFUSED: %s%n", r.getReason());
    }
    return new Result(c, r);
  }

  private byte[] download(String ticket, long size) {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("the coordinator announces a " + size + "-byte file");
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream((int) size);
    Iterator<Chunk> it = blocking.download(DownloadRequest.newBuilder().setTicket(ticket).build());
    while (it.hasNext()) {
      ByteString d = it.next().getData();
      if (buf.size() + (long) d.size() > size) {
        throw new IllegalStateException(
            "the coordinator sent more than the announced " + size + " bytes");
      }
      buf.writeBytes(d.toByteArray());
    }
    return buf.toByteArray();
  }

  /**
   * Uploads a file in chunks of at most {@link CeremonyCoordinator#CHUNK} bytes (the first names
   * the ticket); package-visible so a test can upload any bytes.
   */
  UploadResponse upload(String ticket, byte[] next) throws InterruptedException {
    CompletableFuture<UploadResponse> done = new CompletableFuture<>();
    StreamObserver<UploadChunk> up =
        async.upload(
            new StreamObserver<>() {
              @Override
              public void onNext(UploadResponse r) {
                done.complete(r);
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    int off = 0;
    do {
      int n = Math.min(CeremonyCoordinator.CHUNK, next.length - off);
      UploadChunk.Builder b = UploadChunk.newBuilder().setData(ByteString.copyFrom(next, off, n));
      if (off == 0) {
        b.setTicket(ticket);
      }
      up.onNext(b.build());
      off += n;
    } while (off < next.length && !done.isDone());
    up.onCompleted();
    try {
      return done.get(1, TimeUnit.HOURS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException sre) {
        throw sre;
      }
      throw new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no answer to the upload within an hour", e);
    }
  }

  /**
   * Joins and returns the ticket; for tests that upload by hand.
   *
   * @return the ticket
   */
  String join(String name) {
    return blocking.join(JoinRequest.newBuilder().setName(name).build()).getTicket();
  }

  /**
   * @return the coordinator's status for a ticket
   */
  StatusResponse status(String ticket) {
    return blocking.status(StatusRequest.newBuilder().setTicket(ticket).build());
  }

  /**
   * @return the latest state, for a ticket whose turn it is
   */
  byte[] downloadLatest(String ticket) {
    return download(ticket, status(ticket).getDownloadSize());
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
