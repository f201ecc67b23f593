package io.zkmargin.grpc.server;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Refuses a request message larger than the limit with RESOURCE_EXHAUSTED on every transport. The
 * Netty transport enforces the limit on the wire already ({@code maxInboundMessageSize}); the in-process
 * transport passes objects without serializing them, so this check makes both behave alike.
 */
final class MessageSizeInterceptor implements ServerInterceptor {

  private final int maxBytes;

  MessageSizeInterceptor(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean rejected;

      @Override
      public void onMessage(Q message) {
        if (rejected) {
          return;
        }
        if (message instanceof MessageLite m && m.getSerializedSize() > maxBytes) {
          rejected = true;
          call.close(Status.RESOURCE_EXHAUSTED.withDescription("request message of " + m.getSerializedSize()
              + " bytes exceeds the limit of " + maxBytes + " bytes"), new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!rejected) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!rejected) {
          super.onReady();
        }
      }
    };
  }
}
