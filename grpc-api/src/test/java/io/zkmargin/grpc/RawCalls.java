package io.zkmargin.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends raw request bytes on any method (a generic call with a byte-array marshaller): fuzzing and
 * junk.
 */
final class RawCalls {

  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private RawCalls() {}

  /** A descriptor of {@code fullMethodName} that sends and receives raw bytes. */
  static MethodDescriptor<byte[], byte[]> method(
      String fullMethodName, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setFullMethodName(fullMethodName)
        .setType(type)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }

  /**
   * Starts one call with {@code request} as its only message; the future completes with the final
   * status.
   */
  static CompletableFuture<Status> send(
      Channel ch, MethodDescriptor<byte[], byte[]> m, byte[] request, long deadlineMillis) {
    CompletableFuture<Status> end = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call =
        ch.newCall(m, CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS));
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            end.complete(status);
          }
        },
        new Metadata());
    call.request(Integer.MAX_VALUE);
    call.sendMessage(request);
    call.halfClose();
    return end;
  }

  /** Sends and waits (at most 60 s) for the status. */
  static Status call(Channel ch, String fullMethodName, byte[] request) throws Exception {
    MethodDescriptor.MethodType t =
        fullMethodName.endsWith("/ProveHealth")
            ? MethodDescriptor.MethodType.SERVER_STREAMING
            : MethodDescriptor.MethodType.UNARY;
    return send(ch, method(fullMethodName, t), request, 60_000).get(60, TimeUnit.SECONDS);
  }
}
