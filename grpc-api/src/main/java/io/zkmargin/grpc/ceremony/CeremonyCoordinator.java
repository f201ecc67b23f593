package io.zkmargin.grpc.ceremony;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
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
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.nativebridge.NativeException;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ceremony.CeremonyTool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The ceremony coordinator ({@code ./zkm ceremony serve}): runs one phase of a ceremony folder
 * ({@link CeremonyTool}) as a queue over gRPC with TLS (the service's certificate code, {@link
 * ServiceIdentity}, in {@code <ceremony dir>/tls/}). A participant joins, waits for its turn,
 * downloads the latest state, contributes on its own machine and uploads the result; the upload's
 * size is capped at exactly the size a contribution of this phase has (checked chunk by chunk, so
 * an oversized upload is refused before it is read), then the chain with it is verified and, if it
 * verifies, stored as the next numbered file. A contribution that does not verify is refused and
 * the turn passes on; so does a turn that exceeds the timeout.
 *
 * <p>When it starts, the coordinator verifies the folder's whole chain once, from the recomputed
 * initial state ({@link CeremonyTool#receiver}: for phase 2 that is one phase-2 initialization).
 * From then on each upload is checked only against the last accepted file ({@link
 * CeremonyTool.Receiver#accept}: proofs of knowledge and update consistency against that
 * predecessor, its hash as the challenge), so a receipt costs one contribution's check whatever the
 * length of the chain; a tampered, skipped, replayed or wrongly based contribution is refused as by
 * the full check. Anyone re-verifies the whole transcript with {@code ./zkm ceremony ... verify},
 * and finalize verifies it in full again.
 */
public final class CeremonyCoordinator implements AutoCloseable {
  /** Largest chunk sent or accepted. */
  public static final int CHUNK = 1 << 20;

  private final CeremonyTool tool;
  private final CeremonyTool.Receiver receiver;
  private final String circuitId; // null: phase 1
  private final int power;
  private final Duration turnTimeout;
  private final Clock clock;
  private final PrintStream log;
  private final Server server;
  private final SecureRandom random = new SecureRandom();

  // queue state, guarded by this
  private final Deque<String> queue = new ArrayDeque<>();
  private final Map<String, String> names = new HashMap<>();
  private final Map<String, String> dropped = new HashMap<>();
  private final Map<String, Integer> done = new HashMap<>();
  private long turnStarted;
  private boolean uploading;

  private CeremonyCoordinator(
      CeremonyTool tool,
      CeremonyTool.Receiver receiver,
      String circuitId,
      int power,
      Duration turnTimeout,
      Clock clock,
      PrintStream log,
      String bind,
      int port,
      ServiceIdentity id)
      throws IOException {
    this.tool = tool;
    this.receiver = receiver;
    this.circuitId = circuitId;
    this.power = power;
    this.turnTimeout = turnTimeout;
    this.clock = clock;
    this.log = log;
    ServerCredentials creds =
        TlsServerCredentials.create(id.certificateFile().toFile(), id.privateKeyFile().toFile());
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress(bind, port), creds)
            .maxInboundMessageSize(CHUNK + 4096)
            .addService(new Service())
            .build()
            .start();
  }

  /**
   * Starts a coordinator for one phase of the ceremony in {@code dir}.
   *
   * @param dir the ceremony folder (phase 1 initialized; for phase 2, phase 2 of the circuit
   *     initialized); its {@code tls/} holds the certificate participants pin (made on first use);
   *     its chain is verified in full before the server starts
   * @throws io.zkmargin.nativebridge.NativeException when the folder's chain does not verify
   * @param circuitId null to coordinate phase 1, else the circuit whose phase 2 to coordinate
   * @param bind address to listen on
   * @param port port, 0 for any free port
   * @param turnTimeout how long a participant's turn lasts at most (download, contribute, upload)
   * @param log where accepted and refused contributions are reported
   */
  public static CeremonyCoordinator start(
      Path dir, String circuitId, String bind, int port, Duration turnTimeout, PrintStream log)
      throws IOException {
    Objects.requireNonNull(turnTimeout, "turnTimeout");
    if (turnTimeout.isNegative() || turnTimeout.isZero()) {
      throw new IllegalArgumentException("turnTimeout must be positive");
    }
    CeremonyTool tool = new CeremonyTool(dir, log);
    tool.latest(circuitId); // fails clearly when the phase was not initialized
    // the whole chain once; then each upload against the last accepted file only
    CeremonyTool.Receiver receiver = tool.receiver(circuitId);
    String powerText =
        Files.readString(dir.toAbsolutePath().resolve("phase1").resolve("power")).trim();
    int power = Integer.parseInt(powerText);
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
    return new CeremonyCoordinator(
        tool, receiver, circuitId, power, turnTimeout, Clock.systemUTC(), log, bind, port, id);
  }

  /**
   * @return the port listened on
   */
  public int port() {
    return server.getPort();
  }

  /**
   * @return the certificate participants pin
   */
  public static Path certificate(Path dir) {
    return ServiceIdentity.certificateFileIn(dir);
  }

  /** Waits until the server stops. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Moves the queue on when the head's turn timed out (not while its upload is verified). */
  private synchronized void expire() {
    String head = queue.peekFirst();
    if (head != null && !uploading && clock.millis() - turnStarted > turnTimeout.toMillis()) {
      drop(head, "turn timed out after " + turnTimeout.toSeconds() + " s");
    }
  }

  private synchronized void drop(String ticket, String reason) {
    boolean wasHead = ticket.equals(queue.peekFirst());
    queue.remove(ticket);
    dropped.put(ticket, reason);
    log.printf("ceremony: %s dropped: %s%n", names.get(ticket), reason);
    if (wasHead) {
      turnStarted = clock.millis();
    }
  }

  private synchronized void advance(String ticket) {
    queue.remove(ticket);
    turnStarted = clock.millis();
  }

  private synchronized boolean isTurn(String ticket) {
    return ticket.equals(queue.peekFirst());
  }

  private long downloadSize() throws IOException {
    return Files.size(tool.latest(circuitId));
  }

  /**
   * A contribution is the size of its predecessor, plus the 32-byte challenge after the initial
   * state.
   */
  private long uploadSize() throws IOException {
    Path latest = tool.latest(circuitId);
    long size = Files.size(latest);
    return latest.getFileName().toString().equals("contribution-0000.bin") ? size + 32 : size;
  }

  private int contributions() throws IOException {
    String name = tool.latest(circuitId).getFileName().toString();
    return Integer.parseInt(name.substring("contribution-".length(), name.length() - 4));
  }

  private final class Service extends CeremonyServiceGrpc.CeremonyServiceImplBase {
    @Override
    public void join(JoinRequest req, StreamObserver<JoinResponse> obs) {
      if (req.getName().length() > 64) {
        obs.onError(Status.INVALID_ARGUMENT.withDescription("name too long").asException());
        return;
      }
      expire();
      byte[] t = new byte[32];
      random.nextBytes(t);
      String ticket = HexFormat.of().formatHex(t);
      int position;
      synchronized (CeremonyCoordinator.this) {
        if (queue.isEmpty()) {
          turnStarted = clock.millis();
        }
        queue.addLast(ticket);
        names.put(ticket, req.getName().isEmpty() ? ticket.substring(0, 8) : req.getName());
        position = queue.size() - 1;
      }
      log.printf("ceremony: %s joined at position %d%n", names.get(ticket), position);
      obs.onNext(JoinResponse.newBuilder().setTicket(ticket).setPosition(position).build());
      obs.onCompleted();
    }

    @Override
    public void status(StatusRequest req, StreamObserver<StatusResponse> obs) {
      expire();
      String ticket = req.getTicket();
      StatusResponse.Builder b =
          StatusResponse.newBuilder()
              .setPhase(circuitId == null ? 1 : 2)
              .setPower(power)
              .setCircuitId(circuitId == null ? "" : circuitId);
      try {
        b.setDownloadSize(downloadSize())
            .setUploadSize(uploadSize())
            .setContributions(contributions());
      } catch (IOException e) {
        obs.onError(Status.INTERNAL.withDescription(e.getMessage()).asException());
        return;
      }
      synchronized (CeremonyCoordinator.this) {
        if (done.containsKey(ticket)) {
          b.setState(StatusResponse.State.STATE_DONE);
        } else if (dropped.containsKey(ticket)) {
          b.setState(StatusResponse.State.STATE_DROPPED).setReason(dropped.get(ticket));
        } else if (queue.contains(ticket)) {
          int pos = 0;
          for (String t : queue) {
            if (t.equals(ticket)) {
              break;
            }
            pos++;
          }
          b.setPosition(pos);
          if (pos == 0) {
            long left = turnTimeout.toMillis() - (clock.millis() - turnStarted);
            b.setState(StatusResponse.State.STATE_YOUR_TURN)
                .setTurnSecondsLeft((int) Math.max(0, left / 1000));
          } else {
            b.setState(StatusResponse.State.STATE_WAITING);
          }
        } else {
          b.setState(StatusResponse.State.STATE_UNKNOWN);
        }
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void download(DownloadRequest req, StreamObserver<Chunk> obs) {
      expire();
      if (!isTurn(req.getTicket())) {
        obs.onError(
            Status.FAILED_PRECONDITION.withDescription("not this ticket's turn").asException());
        return;
      }
      byte[] latest;
      try {
        latest = Files.readAllBytes(tool.latest(circuitId));
      } catch (IOException e) {
        obs.onError(Status.INTERNAL.withDescription(e.getMessage()).asException());
        return;
      }
      for (int off = 0; off < latest.length; off += CHUNK) {
        int n = Math.min(CHUNK, latest.length - off);
        obs.onNext(Chunk.newBuilder().setData(ByteString.copyFrom(latest, off, n)).build());
      }
      obs.onCompleted();
    }

    @Override
    public StreamObserver<UploadChunk> upload(StreamObserver<UploadResponse> obs) {
      return new StreamObserver<>() {
        private String ticket;
        private long cap;
        private ByteArrayOutputStream buf;
        private boolean failed;

        @Override
        public void onNext(UploadChunk c) {
          if (failed) {
            return;
          }
          if (ticket == null) {
            expire();
            ticket = c.getTicket();
            synchronized (CeremonyCoordinator.this) {
              if (!isTurn(ticket) || uploading) {
                fail(Status.FAILED_PRECONDITION.withDescription("not this ticket's turn"));
                return;
              }
              uploading = true;
            }
            try {
              cap = uploadSize();
            } catch (IOException e) {
              fail(Status.INTERNAL.withDescription(e.getMessage()));
              return;
            }
            buf = new ByteArrayOutputStream((int) Math.min(cap, Integer.MAX_VALUE - 8));
          }
          if (c.getData().size() > CHUNK || buf.size() + (long) c.getData().size() > cap) {
            fail(
                Status.RESOURCE_EXHAUSTED.withDescription(
                    "a contribution of this phase has exactly " + cap + " bytes; more were sent"));
            drop(ticket, "oversized upload");
            return;
          }
          buf.writeBytes(c.getData().toByteArray());
        }

        private void fail(Status s) {
          failed = true;
          synchronized (CeremonyCoordinator.this) {
            if (ticket != null && isTurn(ticket)) {
              uploading = false;
            }
          }
          obs.onError(s.asException());
        }

        @Override
        public void onError(Throwable t) {
          synchronized (CeremonyCoordinator.this) {
            if (ticket != null && isTurn(ticket)) {
              uploading = false;
            }
          }
        }

        @Override
        public void onCompleted() {
          if (failed) {
            return;
          }
          if (ticket == null) {
            obs.onError(Status.INVALID_ARGUMENT.withDescription("empty upload").asException());
            return;
          }
          byte[] next = buf.toByteArray();
          buf = null;
          String hash = KeyStore.sha256Hex(next);
          UploadResponse.Builder r = UploadResponse.newBuilder().setReceivedHash(hash);
          try {
            if (next.length != cap) {
              throw new NativeException(
                  NativeException.INVALID_ARGUMENT,
                  "a contribution of this phase has " + cap + " bytes, got " + next.length);
            }
            Path stored = receiver.accept(next);
            String name = stored.getFileName().toString();
            int number =
                Integer.parseInt(name.substring("contribution-".length(), name.length() - 4));
            synchronized (CeremonyCoordinator.this) {
              done.put(ticket, number);
              uploading = false;
              advance(ticket);
            }
            log.printf(
                "ceremony: %s contributed %s as number %d%n", names.get(ticket), hash, number);
            r.setAccepted(true).setNumber(number);
          } catch (NativeException | IllegalStateException | IOException e) {
            synchronized (CeremonyCoordinator.this) {
              uploading = false;
              drop(ticket, "contribution " + hash + " refused: " + e.getMessage());
            }
            r.setAccepted(false).setReason(e.getMessage());
          }
          obs.onNext(r.build());
          obs.onCompleted();
        }
      };
    }
  }
}
