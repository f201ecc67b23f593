package io.zkmargin.grpc.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.zkmargin.api.v1.AuditServiceGrpc;
import io.zkmargin.api.v1.HealthServiceGrpc;
import io.zkmargin.grpc.ServiceIdentity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zkmargin gRPC service process: HealthService, AuditService, the standard health checking
 * service ({@code grpc.health.v1.Health}) and server reflection, over TLS with the service's own
 * certificate (or plaintext, on a loopback address only), with a bounded proving queue and
 * Prometheus metrics.
 */
public final class ZkmServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ZkmServer.class);

  /**
   * Largest accepted request message, bytes (larger ones fail with RESOURCE_EXHAUSTED before they
   * are parsed): 4 KiB. The largest legitimate request is a {@code VerifyProof} of a proof of
   * exactly {@link io.zkmargin.nativebridge.ProofEncoding#PROOF_BYTES} bytes with at most {@link
   * io.zkmargin.grpc.ProtoConvert#MAX_PUBLIC_INPUTS} decimal public inputs below r and a circuit id
   * of at most 64 characters: under 2 KiB (the health circuit's own proofs: about 600 bytes); a
   * signed {@code ProveHealth} is under 200 bytes.
   */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4096;

  /**
   * The name of the nonce log in the service's TLS folder (next to the identity requests are signed
   * for).
   */
  public static final String NONCE_LOG = "nonces.log";

  /**
   * Abuse limits. Rate limits are token buckets: {@code burst} requests at once, refilled at {@code
   * ratePerSecond}; beyond them RESOURCE_EXHAUSTED ("retry later").
   *
   * @param peerRatePerSecond requests per second from one caller IP address (HealthService and
   *     AuditService)
   * @param peerBurst requests at once from one caller IP address
   * @param accountRatePerSecond trader requests per second for one account id, taken before the
   *     signature check (so junk signatures for one account cost at most this many EdDSA checks per
   *     second)
   * @param accountBurst trader requests at once for one account id
   * @param maxJobsPerAccount proving jobs one account may have queued or running at once
   * @param maxNoncesPerAccount live (unexpired) accepted requests one account may have in the
   *     replay table
   */
  public record Limits(
      double peerRatePerSecond,
      int peerBurst,
      double accountRatePerSecond,
      int accountBurst,
      int maxJobsPerAccount,
      int maxNoncesPerAccount) {
    /**
     * The defaults: 100 requests/s (burst 200) per address, 10/s (burst 20) per account, 8 proving
     * jobs and 1000 live nonces per account.
     */
    public static final Limits DEFAULTS = new Limits(100, 200, 10, 20, 8, 1_000);

    public Limits {
      if (!(peerRatePerSecond > 0) || !(accountRatePerSecond > 0)) {
        throw new IllegalArgumentException("rates must be > 0 per second");
      }
      if (peerBurst < 1 || accountBurst < 1 || maxJobsPerAccount < 1 || maxNoncesPerAccount < 1) {
        throw new IllegalArgumentException("bursts and quotas must be >= 1");
      }
    }
  }

  /**
   * How the server runs.
   *
   * @param bindAddress address to listen on, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port TCP port, 0 picks a free one
   * @param plaintext no TLS; allowed only when {@code bindAddress} is a loopback address
   * @param workers prover threads, {@code >= 1}
   * @param queueCapacity jobs that may wait for a prover thread, {@code >= 1}
   * @param metricsPort HTTP port of {@code /metrics} on loopback; 0 picks one; -1 serves no metrics
   * @param shutdownGraceMillis how long shutdown lets accepted proofs finish before cancelling them
   * @param limits rate limits and per-account quotas
   */
  public record Config(
      String bindAddress,
      int port,
      boolean plaintext,
      int workers,
      int queueCapacity,
      int metricsPort,
      long shutdownGraceMillis,
      Limits limits) {
    /** A configuration with the default {@link Limits}. */
    public Config(
        String bindAddress,
        int port,
        boolean plaintext,
        int workers,
        int queueCapacity,
        int metricsPort,
        long shutdownGraceMillis) {
      this(
          bindAddress,
          port,
          plaintext,
          workers,
          queueCapacity,
          metricsPort,
          shutdownGraceMillis,
          Limits.DEFAULTS);
    }

    /** This configuration with other limits. */
    public Config withLimits(Limits l) {
      return new Config(
          bindAddress,
          port,
          plaintext,
          workers,
          queueCapacity,
          metricsPort,
          shutdownGraceMillis,
          l);
    }

    public Config {
      if (limits == null) {
        throw new IllegalArgumentException("limits must not be null");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
      }
      if (metricsPort < -1 || metricsPort > 65535) {
        throw new IllegalArgumentException(
            "metrics port must be in [-1, 65535], was " + metricsPort);
      }
      if (workers < 1 || workers > 64) {
        throw new IllegalArgumentException("workers must be in [1, 64], was " + workers);
      }
      if (queueCapacity < 1 || queueCapacity > 100_000) {
        throw new IllegalArgumentException(
            "queue capacity must be in [1, 100000], was " + queueCapacity);
      }
      if (shutdownGraceMillis < 0) {
        throw new IllegalArgumentException("shutdown grace must be >= 0 ms");
      }
    }

    /**
     * Defaults: all interfaces, TLS, one prover thread, 64 waiting jobs, metrics on port+1, 30 s
     * grace.
     */
    public static Config defaults(int port) {
      return new Config("0.0.0.0", port, false, 1, 64, port == 0 ? 0 : port + 1, 30_000);
    }
  }

  private final HealthProofBackend backend;
  private final ServiceIdentity identity;
  private final Config config;
  private final Metrics metrics = new Metrics();
  private final ProvingQueue queue;
  private final RequestAuthenticator authenticator;
  private final RateLimiter peerLimiter;
  private final RateLimiter accountLimiter;
  private final HealthStatusManager health = new HealthStatusManager();
  private TradingServiceImpl trading;
  private RateLimiter tradingPeerLimiter;
  private Server server;
  private int metricsBoundPort = -1;
  private boolean closed;
  private final List<AutoCloseable> closeFirst = new ArrayList<>();

  /**
   * @param backend venue and prover (closed by {@link #close()})
   * @param identity the TLS identity and service id (see {@link ServiceIdentity#loadOrCreate})
   * @param config listening and queue settings
   * @throws IOException when the nonce log ({@value #NONCE_LOG} next to the certificate) cannot be
   *     read
   */
  public ZkmServer(HealthProofBackend backend, ServiceIdentity identity, Config config)
      throws IOException {
    this.backend = backend;
    this.identity = identity;
    this.config = config;
    Limits l = config.limits();
    this.queue =
        new ProvingQueue(
            backend, config.workers(), config.queueCapacity(), l.maxJobsPerAccount(), metrics);
    // the nonces live with the identity they are signed for: a new certificate voids every old
    // request anyway
    this.authenticator =
        new RequestAuthenticator(
            identity.serviceId(),
            Clock.systemUTC(),
            identity.certificateFile().resolveSibling(NONCE_LOG),
            l.maxNoncesPerAccount());
    this.peerLimiter = new RateLimiter(l.peerRatePerSecond(), l.peerBurst(), System::nanoTime);
    this.accountLimiter =
        new RateLimiter(l.accountRatePerSecond(), l.accountBurst(), System::nanoTime);
  }

  /**
   * The services this server hosts (also used in-process). Each is registered with a byte-array
   * marshaller behind the {@link RequestDoor}, which checks size, protobuf validity and (for the
   * zkmargin services) the caller's rate limit before any service code runs; calls are counted and
   * logged by a {@link MonitoringTracer} on the transport.
   */
  public List<ServerServiceDefinition> services() {
    List<ServerServiceDefinition> zkm =
        List.of(
            new HealthServiceImpl(backend, queue, authenticator, accountLimiter).bindService(),
            new AuditServiceImpl(backend).bindService());
    List<ServerServiceDefinition> std =
        List.of(
            health.getHealthService().bindService(),
            ProtoReflectionServiceV1.newInstance().bindService(),
            legacyReflection().bindService());
    List<ServerServiceDefinition> out = new ArrayList<>();
    for (ServerServiceDefinition d : zkm) {
      out.add(door(d, peerLimiter));
    }
    if (trading != null) {
      out.add(door(trading.bindService(), tradingPeerLimiter));
    }
    for (ServerServiceDefinition d : std) {
      out.add(door(d, null));
    }
    return out;
  }

  /**
   * Requests per second from one caller address to the TradingService (and its burst): a trading
   * client sends many small orders, each an EdDSA check, so its own bucket, larger than the proving
   * services'.
   */
  public static final int TRADING_PEER_RATE = 5_000;

  /**
   * Also hosts the {@code TradingService} over the venue's accounts, its books kept in {@code
   * orderLog} (replayed now: the books survive a restart). Call before {@link #start()}.
   *
   * @param venue the served venue (accounts and owner keys, risk vector)
   * @param orderLog the order log file
   * @throws IOException when the order log cannot be read or replayed
   */
  public synchronized ZkmServer enableTrading(
      io.zkmargin.prover.Venue venue, java.nio.file.Path orderLog) throws IOException {
    if (server != null || trading != null) {
      throw new IllegalStateException("enable trading once, before start");
    }
    trading = new TradingServiceImpl(venue, orderLog, authenticator, Clock.systemUTC());
    tradingPeerLimiter =
        new RateLimiter(TRADING_PEER_RATE, 2 * TRADING_PEER_RATE, System::nanoTime);
    return this;
  }

  /** Methods of the services added by {@link #addService}, by full method name. */
  private final Map<String, ServerMethodDefinition<?, ?>> addedMethods =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Serves {@link #addedMethods} after the built-in services (also once started). */
  private final io.grpc.HandlerRegistry added =
      new io.grpc.HandlerRegistry() {
        @Override
        public ServerMethodDefinition<?, ?> lookupMethod(String method, String authority) {
          return addedMethods.get(method);
        }
      };

  /**
   * Also hosts {@code service} (e.g. the operator's), behind the same request door and caller rate
   * limit as the proving services. May be called before or after {@link #start()}.
   */
  public ZkmServer addService(io.grpc.BindableService service) {
    ServerServiceDefinition d = service.bindService();
    for (ServerMethodDefinition<?, ?> m : door(d, peerLimiter).getMethods()) {
      addedMethods.put(m.getMethodDescriptor().getFullMethodName(), m);
    }
    health.setStatus(d.getServiceDescriptor().getName(), ServingStatus.SERVING);
    return this;
  }

  /** The trading service, or null when trading is not enabled. */
  public TradingServiceImpl trading() {
    return trading;
  }

  /** Reflection v1alpha, which older tools (grpcurl before 1.9, some IDEs) still ask for. */
  @SuppressWarnings("deprecation")
  private static io.grpc.BindableService legacyReflection() {
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }

  private static ServerServiceDefinition door(ServerServiceDefinition d, RateLimiter peers) {
    Map<String, MethodDescriptor<?, ?>> originals = new HashMap<>();
    for (ServerMethodDefinition<?, ?> m : d.getMethods()) {
      originals.put(m.getMethodDescriptor().getFullMethodName(), m.getMethodDescriptor());
    }
    ServerServiceDefinition raw = ServerInterceptors.useMarshalledMessages(d, BYTES);
    return ServerInterceptors.intercept(
        raw, new RequestDoor(MAX_INBOUND_MESSAGE_BYTES, Map.copyOf(originals), peers));
  }

  /**
   * The monitoring of every call (metrics and one log line each), as a stream tracer for the
   * transport.
   */
  private MonitoringTracer monitoring(List<ServerServiceDefinition> services) {
    Set<String> known = new HashSet<>();
    for (ServerServiceDefinition d : services) {
      for (ServerMethodDefinition<?, ?> m : d.getMethods()) {
        known.add(m.getMethodDescriptor().getFullMethodName());
      }
    }
    return new MonitoringTracer(metrics, Set.copyOf(known));
  }

  /** Passes request and response bytes through unparsed; the {@link RequestDoor} parses them. */
  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            // the socket transport has refused messages over the limit already; read one byte more
            // than the
            // limit at most, so that the door sees an oversized in-process message as oversized
            return stream.readNBytes(MAX_INBOUND_MESSAGE_BYTES + 1);
          } catch (IOException e) {
            throw Status.INTERNAL
                .withDescription("cannot read the request")
                .withCause(e)
                .asRuntimeException();
          }
        }
      };

  /**
   * Starts listening on the configured address (TLS unless plaintext), and the metrics endpoint.
   *
   * @throws IOException when the port cannot be bound
   * @throws IllegalArgumentException when plaintext is asked for on a non-loopback address
   */
  public synchronized ZkmServer start() throws IOException {
    if (closed || server != null) {
      throw new IllegalStateException("a server starts once");
    }
    InetAddress bind = InetAddress.getByName(config.bindAddress());
    if (config.plaintext() && !bind.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "plaintext is allowed only on a loopback address (e.g. --bind 127.0.0.1), not "
              + config.bindAddress());
    }
    ServerCredentials creds =
        config.plaintext()
            ? InsecureServerCredentials.create()
            : TlsServerCredentials.create(
                identity.certificateFile().toFile(), identity.privateKeyFile().toFile());
    ServiceLogging.install();
    NettyServerBuilder b =
        NettyServerBuilder.forAddress(new InetSocketAddress(bind, config.port()), creds)
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
            .maxInboundMetadataSize(16 * 1024)
            .handshakeTimeout(10, TimeUnit.SECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS);
    List<ServerServiceDefinition> services = services();
    services.forEach(b::addService);
    b.fallbackHandlerRegistry(added);
    b.addStreamTracerFactory(monitoring(services));
    server = b.build().start();
    markServing();
    if (config.metricsPort() >= 0) {
      metricsBoundPort =
          metrics.serveHttp(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), config.metricsPort()));
    }
    LOG.atInfo()
        .addKeyValue("address", config.bindAddress())
        .addKeyValue("port", server.getPort())
        .addKeyValue("tls", !config.plaintext())
        .addKeyValue("serviceId", identity.serviceId())
        .addKeyValue("circuit", backend.sizes().healthCircuitId())
        .addKeyValue("workers", config.workers())
        .addKeyValue("queueCapacity", config.queueCapacity())
        .addKeyValue("metricsPort", metricsBoundPort)
        .log("server.started");
    return this;
  }

  /**
   * Starts an in-process server with these services under {@code name} (tests; no TLS, no metrics).
   */
  public synchronized ZkmServer startInProcess(String name) throws IOException {
    if (closed || server != null) {
      throw new IllegalStateException("a server starts once");
    }
    InProcessServerBuilder b =
        InProcessServerBuilder.forName(name).maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
    List<ServerServiceDefinition> services = services();
    services.forEach(b::addService);
    b.fallbackHandlerRegistry(added);
    b.addStreamTracerFactory(monitoring(services));
    server = b.build().start();
    markServing();
    return this;
  }

  private void markServing() {
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(HealthServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(AuditServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    if (trading != null) {
      health.setStatus(io.zkmargin.api.v1.TradingServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    }
  }

  /** The bound gRPC port (-1 in-process). */
  public int port() {
    return server == null ? -1 : server.getPort();
  }

  /** The bound metrics port, or -1 when metrics are not served. */
  public int metricsPort() {
    return metricsBoundPort;
  }

  public Metrics metrics() {
    return metrics;
  }

  public ProvingQueue queue() {
    return queue;
  }

  public ServiceIdentity identity() {
    return identity;
  }

  public RequestAuthenticator authenticator() {
    return authenticator;
  }

  /**
   * Closes {@code c} when this server closes, before the gRPC transport stops (e.g. the dashboard
   * served next to it); its failure is logged, not thrown.
   */
  public synchronized void closeWith(AutoCloseable c) {
    closeFirst.add(java.util.Objects.requireNonNull(c, "c"));
  }

  /** Blocks until the server terminates. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Graceful shutdown: reports NOT_SERVING, refuses new calls, lets accepted proofs finish for the
   * grace period (then cancels the rest: their callers get UNAVAILABLE), then stops the transport
   * and closes the backend.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable c : closeFirst) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.atWarn().addKeyValue("error", e.toString()).log("server.close_with_failed");
      }
    }
    if (server == null) {
      if (trading != null) {
        trading.close();
      }
      authenticator.close();
      backend.close();
      return;
    }
    long t0 = System.nanoTime();
    health.enterTerminalState();
    server.shutdown();
    if (trading != null) {
      trading.endStreams(); // open streams would hold the shutdown for the whole grace period
    }
    boolean clean = queue.shutdown(config.shutdownGraceMillis());
    try {
      if (!server.awaitTermination(
          Math.max(1000, config.shutdownGraceMillis()), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    metrics.stopHttp();
    if (trading != null) {
      trading.close();
    }
    authenticator.close();
    backend.close();
    LOG.atInfo()
        .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000)
        .addKeyValue("allJobsFinished", clean)
        .log("server.stopped");
    server = null;
  }
}
