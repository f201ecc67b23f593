package io.zkmargin.grpc.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.zkmargin.api.v1.AuditServiceGrpc;
import io.zkmargin.api.v1.HealthServiceGrpc;
import io.zkmargin.grpc.ServiceIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The zkmargin gRPC service process: HealthService, AuditService, the standard health checking service
 * ({@code grpc.health.v1.Health}) and server reflection, over TLS with the service's own certificate (or
 * plaintext, on a loopback address only), with a bounded proving queue and Prometheus metrics.
 */
public final class ZkmServer implements AutoCloseable {

  /** Largest accepted request message: 1 MiB (larger ones fail with RESOURCE_EXHAUSTED). */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 1 << 20;

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
   */
  public record Config(String bindAddress, int port, boolean plaintext, int workers, int queueCapacity,
      int metricsPort, long shutdownGraceMillis) {
    public Config {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
      }
      if (metricsPort < -1 || metricsPort > 65535) {
        throw new IllegalArgumentException("metrics port must be in [-1, 65535], was " + metricsPort);
      }
      if (workers < 1 || workers > 64) {
        throw new IllegalArgumentException("workers must be in [1, 64], was " + workers);
      }
      if (queueCapacity < 1 || queueCapacity > 100_000) {
        throw new IllegalArgumentException("queue capacity must be in [1, 100000], was " + queueCapacity);
      }
      if (shutdownGraceMillis < 0) {
        throw new IllegalArgumentException("shutdown grace must be >= 0 ms");
      }
    }

    /** Defaults: all interfaces, TLS, one prover thread, 64 waiting jobs, metrics on port+1, 30 s grace. */
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
  private final HealthStatusManager health = new HealthStatusManager();
  private Server server;
  private int metricsBoundPort = -1;
  private boolean closed;

  /**
   * @param backend venue and prover (closed by {@link #close()})
   * @param identity the TLS identity and service id (see {@link ServiceIdentity#loadOrCreate})
   * @param config listening and queue settings
   */
  public ZkmServer(HealthProofBackend backend, ServiceIdentity identity, Config config) {
    this.backend = backend;
    this.identity = identity;
    this.config = config;
    this.queue = new ProvingQueue(backend, config.workers(), config.queueCapacity(), metrics);
    this.authenticator = new RequestAuthenticator(identity.serviceId(), Clock.systemUTC());
  }

  /** The services this server hosts, with the monitoring interceptor applied (also used in-process). */
  public List<io.grpc.ServerServiceDefinition> services() {
    MonitoringInterceptor mon = new MonitoringInterceptor(metrics);
    MessageSizeInterceptor size = new MessageSizeInterceptor(MAX_INBOUND_MESSAGE_BYTES);
    // the last interceptor runs first: monitoring sees every call, including those refused for their size
    return List.of(
        ServerInterceptors.intercept(new HealthServiceImpl(backend, queue, authenticator), size, mon),
        ServerInterceptors.intercept(new AuditServiceImpl(backend), size, mon),
        ServerInterceptors.intercept(health.getHealthService(), mon),
        ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), mon));
  }

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
      throw new IllegalArgumentException("plaintext is allowed only on a loopback address (e.g. --bind 127.0.0.1), not "
          + config.bindAddress());
    }
    ServerCredentials creds = config.plaintext() ? InsecureServerCredentials.create()
        : TlsServerCredentials.create(identity.certificateFile().toFile(), identity.privateKeyFile().toFile());
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(bind, config.port()), creds)
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .maxInboundMetadataSize(16 * 1024)
        .handshakeTimeout(10, TimeUnit.SECONDS)
        .permitKeepAliveTime(10, TimeUnit.SECONDS);
    services().forEach(b::addService);
    server = b.build().start();
    markServing();
    if (config.metricsPort() >= 0) {
      metricsBoundPort = metrics.serveHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.metricsPort()));
    }
    JsonLog.info("server.started", "address", config.bindAddress(), "port", server.getPort(),
        "tls", !config.plaintext(), "serviceId", identity.serviceId(), "circuit", backend.sizes().healthCircuitId(),
        "workers", config.workers(), "queueCapacity", config.queueCapacity(), "metricsPort", metricsBoundPort);
    return this;
  }

  /** Starts an in-process server with these services under {@code name} (tests; no TLS, no metrics). */
  public synchronized ZkmServer startInProcess(String name) throws IOException {
    if (closed || server != null) {
      throw new IllegalStateException("a server starts once");
    }
    InProcessServerBuilder b = InProcessServerBuilder.forName(name).maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
    services().forEach(b::addService);
    server = b.build().start();
    markServing();
    return this;
  }

  private void markServing() {
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(HealthServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(AuditServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
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

  /** Blocks until the server terminates. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Graceful shutdown: reports NOT_SERVING, refuses new calls, lets accepted proofs finish for the grace
   * period (then cancels the rest: their callers get UNAVAILABLE), then stops the transport and closes
   * the backend.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (server == null) {
      backend.close();
      return;
    }
    long t0 = System.nanoTime();
    health.enterTerminalState();
    server.shutdown();
    boolean clean = queue.shutdown(config.shutdownGraceMillis());
    try {
      if (!server.awaitTermination(Math.max(1000, config.shutdownGraceMillis()), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    metrics.stopHttp();
    backend.close();
    JsonLog.info("server.stopped", "ms", (System.nanoTime() - t0) / 1_000_000, "allJobsFinished", clean);
    server = null;
  }

}
