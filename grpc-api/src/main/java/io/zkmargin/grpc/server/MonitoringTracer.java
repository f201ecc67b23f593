package io.zkmargin.grpc.server;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every finished call by method and status code and writes one structured log line per call.
 *
 * <p>A stream tracer, not an interceptor: it sees the status the caller really got for every call
 * the transport accepted, including those no service code saw (an oversized message refused by the
 * transport: RESOURCE_EXHAUSTED, where a listener only learns "cancelled"; an unknown method:
 * UNIMPLEMENTED). Method names that no service registered are counted under {@code "unknown"}, so
 * that callers cannot grow the metrics without bound.
 */
final class MonitoringTracer extends ServerStreamTracer.Factory {

  private static final Logger LOG = LoggerFactory.getLogger(MonitoringTracer.class);

  /** The metric label of a method no service registered. */
  static final String UNKNOWN_METHOD = "unknown";

  private final Metrics metrics;
  private final Set<String> knownMethods;

  MonitoringTracer(Metrics metrics, Set<String> knownMethods) {
    this.metrics = metrics;
    this.knownMethods = knownMethods;
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    long t0 = System.nanoTime();
    String method = knownMethods.contains(fullMethodName) ? fullMethodName : UNKNOWN_METHOD;
    String logged =
        fullMethodName.length() > 120 ? fullMethodName.substring(0, 120) + "..." : fullMethodName;
    return new ServerStreamTracer() {
      private final AtomicBoolean recorded = new AtomicBoolean();
      private volatile Object peer;

      @Override
      public void serverCallStarted(ServerCallInfo<?, ?> info) {
        peer = info.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      }

      @Override
      public void streamClosed(Status status) {
        if (!recorded.compareAndSet(false, true)) {
          return;
        }
        String code = status.getCode().name();
        metrics.request(method, code);
        LOG.atInfo()
            .addKeyValue("method", logged)
            .addKeyValue("code", code)
            .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000)
            .addKeyValue("peer", String.valueOf(peer))
            .addKeyValue("detail", status.getDescription() == null ? "" : status.getDescription())
            .log("rpc");
      }
    };
  }
}
