package io.zkmargin.dac;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.DataAvailabilityServiceGrpc;
import io.zkmargin.api.v1.GetAccountRequest;
import io.zkmargin.api.v1.GetAccountResponse;
import io.zkmargin.api.v1.GetBatchRequest;
import io.zkmargin.api.v1.GetBatchResponse;
import io.zkmargin.api.v1.GetGenesisRequest;
import io.zkmargin.api.v1.GetGenesisResponse;
import io.zkmargin.api.v1.GetStatusRequest;
import io.zkmargin.api.v1.GetStatusResponse;
import io.zkmargin.api.v1.SubmitBatchRequest;
import io.zkmargin.api.v1.SubmitBatchResponse;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC {@code DataAvailabilityService} of one committee member
 * (grpc-api/src/main/proto/zkmargin/v1/dac_service.proto) around a {@link DacMember}: TLS with the
 * member's self-signed certificate ({@code <data>/tls/server.crt}, made on first start; clients pin
 * it), or plaintext on a loopback address only.
 *
 * <p>In-process: {@code DacServer s = DacServer.start(dir, genesis, chainId, settlement, 0, log)}
 * (plaintext on 127.0.0.1, any free port: {@code s.port()}, {@code s.target()}), then {@code
 * s.close()}.
 */
public final class DacServer implements AutoCloseable {
  /** Largest request accepted: a witness document plus framing. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = WitnessDocument.MAX_BYTES + 4096;

  private final DacMember member;
  private final Server server;
  private final String host;
  private final boolean tls;
  private final PrintStream log;

  private DacServer(DacMember member, Server server, String host, boolean tls, PrintStream log) {
    this.member = member;
    this.server = server;
    this.host = host;
    this.tls = tls;
    this.log = log;
  }

  /**
   * Starts a member in plaintext on 127.0.0.1 (tests, the sequencer's local committee).
   *
   * @param dir the member's data directory (see {@link DacMember})
   * @param genesis the genesis (null to use the one stored in {@code dir})
   * @param chainId EIP-712 domain chain id (0 to use the stored one)
   * @param settlement EIP-712 domain Settlement address (null to use the stored one)
   * @param port the port, 0 for any free port
   * @param log progress lines
   */
  public static DacServer start(
      Path dir, Genesis genesis, long chainId, String settlement, int port, PrintStream log)
      throws IOException {
    return start(
        DacMember.open(dir, genesis, chainId, settlement, log), "127.0.0.1", port, true, log);
  }

  /**
   * Starts serving a member.
   *
   * @param member the opened member
   * @param bind the address to listen on
   * @param port the port, 0 for any free port
   * @param plaintext no TLS: only on a loopback address
   * @param log one line per batch accepted or refused
   */
  public static DacServer start(
      DacMember member, String bind, int port, boolean plaintext, PrintStream log)
      throws IOException {
    ArgChecker.notNull(member, "member");
    ArgChecker.notNull(log, "log");
    InetAddress addr = InetAddress.getByName(bind);
    if (plaintext && !addr.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "plaintext is allowed only on a loopback address (e.g. 127.0.0.1), not " + bind);
    }
    NettyServerBuilder b;
    if (plaintext) {
      b = NettyServerBuilder.forAddress(new InetSocketAddress(addr, port));
    } else {
      ServiceIdentity id = ServiceIdentity.loadOrCreate(member.dir());
      ServerCredentials creds =
          TlsServerCredentials.create(id.certificateFile().toFile(), id.privateKeyFile().toFile());
      b = NettyServerBuilder.forAddress(new InetSocketAddress(addr, port), creds);
    }
    Server server =
        b.maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
            .addService(new Service(member, log))
            .build()
            .start();
    String host = addr.getHostAddress().contains(":") ? "[" + addr.getHostAddress() + "]" : bind;
    log.println(
        "dac: member "
            + member.signer()
            + " serving "
            + (plaintext
                ? "plaintext"
                : "TLS (certificate " + ServiceIdentity.certificateFileIn(member.dir()) + ")")
            + " on "
            + host
            + ":"
            + server.getPort()
            + ", signs for Settlement "
            + member.settlement()
            + " on chain "
            + member.chainId());
    return new DacServer(member, server, host, !plaintext, log);
  }

  public int port() {
    return server.getPort();
  }

  /** {@code host:port} to connect to. */
  public String target() {
    return host + ":" + port();
  }

  /** The endpoint a {@link DacClient} connects to (with the certificate to pin under TLS). */
  public DacClient.Endpoint endpoint() {
    return tls
        ? DacClient.Endpoint.tls(target(), ServiceIdentity.certificateFileIn(member.dir()))
        : DacClient.Endpoint.plaintext(target());
  }

  public DacMember member() {
    return member;
  }

  /** Waits until the server stops. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops serving (batches in flight finish or fail; what is stored stays). */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static final class Service
      extends DataAvailabilityServiceGrpc.DataAvailabilityServiceImplBase {
    private final DacMember member;
    private final PrintStream log;

    Service(DacMember member, PrintStream log) {
      this.member = member;
      this.log = log;
    }

    @Override
    public void submitBatch(SubmitBatchRequest req, StreamObserver<SubmitBatchResponse> out) {
      long b = req.getBatchNumber();
      try {
        DacMember.Signed s = member.submit(b, req.getWitnessJson().toByteArray());
        log.println(
            "dac: batch " + b + " accepted and stored, new root " + s.newRoot() + ", signed");
        out.onNext(
            SubmitBatchResponse.newBuilder()
                .setBatchNumber(b)
                .setSignature(ByteString.copyFrom(s.signature()))
                .setSigner(s.signer())
                .setDataHash(s.dataHash().toString())
                .setNewRoot(s.newRoot().toString())
                .setChainId(s.chainId())
                .setSettlement(s.settlement())
                .build());
        out.onCompleted();
      } catch (BatchRefusedException e) {
        log.println("dac: batch " + b + " refused: " + e.getMessage());
        out.onError(
            Status.fromCode(e.check().code()).withDescription(e.getMessage()).asRuntimeException());
      } catch (IOException | RuntimeException e) {
        log.println("dac: batch " + b + " not stored: " + e);
        out.onError(
            Status.INTERNAL
                .withDescription("the member could not store the batch: " + e.getMessage())
                .asRuntimeException());
      }
    }

    @Override
    public void getBatch(GetBatchRequest req, StreamObserver<GetBatchResponse> out) {
      try {
        byte[] bytes = member.batch(req.getBatchNumber());
        if (bytes == null) {
          out.onError(
              Status.NOT_FOUND
                  .withDescription(
                      "batch "
                          + req.getBatchNumber()
                          + " is not stored (latest "
                          + member.latestBatch()
                          + ")")
                  .asRuntimeException());
          return;
        }
        out.onNext(
            GetBatchResponse.newBuilder()
                .setBatchNumber(req.getBatchNumber())
                .setWitnessJson(ByteString.copyFrom(bytes))
                .build());
        out.onCompleted();
      } catch (IOException e) {
        out.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
      }
    }

    @Override
    public void getAccount(GetAccountRequest req, StreamObserver<GetAccountResponse> out) {
      DacMember.AccountView v;
      try {
        v = member.account(req.getAccountId());
      } catch (IllegalArgumentException e) {
        out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        return;
      }
      if (v.leaf() == null) {
        out.onError(
            Status.NOT_FOUND
                .withDescription("account " + req.getAccountId() + " is an empty leaf")
                .asRuntimeException());
        return;
      }
      AccountLeaf l = v.leaf();
      GetAccountResponse.Builder r =
          GetAccountResponse.newBuilder()
              .setAccountId(v.accountId())
              .setOwnerPkX(l.ownerPkX().toString())
              .setOwnerPkY(l.ownerPkY().toString())
              .setL1Address(l.l1Address().toString())
              .setOrdersRoot(l.ordersRoot().toString())
              .setLeafHash(l.hash().toString())
              .setRoot(v.root().toString())
              .setBatchNumber(v.batchNumber());
      for (long w : l.words()) {
        r.addWords(w);
      }
      for (BigInteger p : v.path()) {
        r.addPath(p.toString());
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void getGenesis(GetGenesisRequest req, StreamObserver<GetGenesisResponse> out) {
      out.onNext(
          GetGenesisResponse.newBuilder()
              .setGenesisJson(ByteString.copyFrom(member.genesis().toJson()))
              .setRoot(member.genesis().root().toString())
              .build());
      out.onCompleted();
    }

    @Override
    public void getStatus(GetStatusRequest req, StreamObserver<GetStatusResponse> out) {
      long latest;
      BigInteger root;
      BigInteger head;
      synchronized (member) {
        latest = member.latestBatch();
        root = member.root();
        head = member.depositHead();
      }
      out.onNext(
          GetStatusResponse.newBuilder()
              .setSigner(member.signer())
              .setChainId(member.chainId())
              .setSettlement(member.settlement())
              .setLatestBatch(latest)
              .setRoot(root.toString())
              .setDepositHead(head.toString())
              .setSizes(Genesis.sizesId(member.genesis().config()))
              .build());
      out.onCompleted();
    }
  }
}
