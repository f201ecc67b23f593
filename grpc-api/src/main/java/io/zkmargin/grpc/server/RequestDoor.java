package io.zkmargin.grpc.server;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.zkmargin.api.v1.VerifyProofRequest;
import io.zkmargin.nativebridge.ProofEncoding;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

/**
 * The door of every service: sees each request as the raw bytes that came in (the services are
 * registered with a byte-array marshaller, see {@link ZkmServer#services()}) and refuses, before
 * any service code runs and with a status the monitoring records:
 *
 * <ul>
 *   <li>a caller address over its rate limit (RESOURCE_EXHAUSTED; only where a limiter is given);
 *   <li>a message over the size limit (RESOURCE_EXHAUSTED; the socket transport refuses those
 *       already, the in-process transport does not);
 *   <li>bytes that are not a valid protobuf message of the method's request type (INVALID_ARGUMENT,
 *       where gRPC itself would answer UNKNOWN);
 *   <li>a {@code VerifyProof} whose proof is not the one canonical encoding ({@link ProofEncoding}:
 *       exactly {@value ProofEncoding#PROOF_BYTES} bytes, zero tail) (INVALID_ARGUMENT): such bytes
 *       never reach the native library.
 * </ul>
 */
final class RequestDoor implements ServerInterceptor {

  private final int maxBytes;
  private final Map<String, MethodDescriptor<?, ?>> originals;
  private final RateLimiter peerLimiter;

  /**
   * @param maxBytes largest accepted request message, bytes
   * @param originals the methods with their own (protobuf) marshallers, by full method name
   * @param peerLimiter requests per caller address, or null for none
   */
  RequestDoor(
      int maxBytes, Map<String, MethodDescriptor<?, ?>> originals, RateLimiter peerLimiter) {
    this.maxBytes = maxBytes;
    this.originals = originals;
    this.peerLimiter = peerLimiter;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String name = call.getMethodDescriptor().getFullMethodName();
    if (peerLimiter != null) {
      SocketAddress a = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      Object peer =
          a instanceof InetSocketAddress i && i.getAddress() != null
              ? i.getAddress()
              : String.valueOf(a);
      if (!peerLimiter.tryAcquire(peer)) {
        call.close(
            Status.RESOURCE_EXHAUSTED.withDescription(
                "too many requests from this address; retry later"),
            new Metadata());
        return new ServerCall.Listener<>() {};
      }
    }
    MethodDescriptor<?, ?> original = originals.get(name);
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean rejected;

      @Override
      public void onMessage(Q message) {
        if (rejected) {
          return;
        }
        String why = check(original, (byte[]) message);
        if (why != null) {
          rejected = true;
          Status s =
              why.startsWith("!")
                  ? Status.RESOURCE_EXHAUSTED.withDescription(why.substring(1))
                  : Status.INVALID_ARGUMENT.withDescription(why);
          call.close(s, new Metadata());
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

  /**
   * Null when the request may pass; else why not ("!" first: RESOURCE_EXHAUSTED, else
   * INVALID_ARGUMENT).
   */
  private String check(MethodDescriptor<?, ?> original, byte[] bytes) {
    if (bytes.length > maxBytes) {
      return "!request message of "
          + bytes.length
          + " bytes exceeds the limit of "
          + maxBytes
          + " bytes";
    }
    if (original == null) {
      return null;
    }
    Object parsed;
    try {
      parsed = original.parseRequest(new ByteArrayInputStream(bytes));
    } catch (RuntimeException e) {
      return "the request is not a valid protobuf message of the method's request type";
    }
    if (parsed instanceof VerifyProofRequest r && r.hasProof()) {
      String bad = ProofEncoding.whyNotCanonical(r.getProof().getProof().toByteArray());
      if (bad != null) {
        return "proof.proof is not a canonical proof: " + bad;
      }
    }
    return null;
  }
}
