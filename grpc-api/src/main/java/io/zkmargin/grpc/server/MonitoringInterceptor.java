package io.zkmargin.grpc.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/** Counts every finished call by method and status code and writes one structured log line per call. */
final class MonitoringInterceptor implements ServerInterceptor {

  private final Metrics metrics;

  MonitoringInterceptor(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long t0 = System.nanoTime();
    String method = call.getMethodDescriptor().getFullMethodName();
    Object peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    AtomicBoolean recorded = new AtomicBoolean();
    ServerCall<Q, R> wrapped = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        record(status.getCode().name(), status.getDescription());
        super.close(status, trailers);
      }

      private void record(String code, String description) {
        if (recorded.compareAndSet(false, true)) {
          metrics.request(method, code);
          JsonLog.info("rpc", "method", method, "code", code, "ms", (System.nanoTime() - t0) / 1_000_000,
              "peer", String.valueOf(peer), "detail", description == null ? "" : description);
        }
      }
    };
    ServerCall.Listener<Q> delegate = next.startCall(wrapped, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onCancel() {
        if (recorded.compareAndSet(false, true)) {
          metrics.request(method, "CANCELLED");
          JsonLog.info("rpc", "method", method, "code", "CANCELLED", "ms", (System.nanoTime() - t0) / 1_000_000,
              "peer", String.valueOf(peer), "detail", "cancelled by the client or its deadline");
        }
        super.onCancel();
      }
    };
  }
}
