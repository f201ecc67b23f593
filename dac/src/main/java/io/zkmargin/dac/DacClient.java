package io.zkmargin.dac;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.zkmargin.api.v1.DataAvailabilityServiceGrpc;
import io.zkmargin.api.v1.GetAccountRequest;
import io.zkmargin.api.v1.GetAccountResponse;
import io.zkmargin.api.v1.GetBatchRequest;
import io.zkmargin.api.v1.GetGenesisRequest;
import io.zkmargin.api.v1.GetStatusRequest;
import io.zkmargin.api.v1.GetStatusResponse;
import io.zkmargin.api.v1.SubmitBatchRequest;
import io.zkmargin.api.v1.SubmitBatchResponse;
import io.zkmargin.chain.OracleSigner;
import io.zkmargin.risk.util.ArgChecker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Client of data-availability committee members ({@link DacServer}).
 *
 * <p>The sequencer's one call: {@link #collect(List, int, long, String)} submits a batch's witness
 * JSON to every member in parallel and returns, as soon as {@code quorum} members have checked,
 * stored and signed it, their signatures concatenated in strictly increasing signer address order:
 * the {@code dacSignatures} argument of {@code SettlementClient.finalizeBatch} ({@code
 * Settlement._requireQuorum} wants recovered signers strictly increasing). Each answer is checked
 * before it counts: the signature must recover, over {@code BatchData(batchNumber, dataHash,
 * newRoot)} in the member's domain, to the member's address, and every member must sign the same
 * domain, dataHash and newRoot as the document's.
 *
 * <p>Readers (traders, auditors): {@link #connect(Endpoint)} then {@link #status}, {@link #batch},
 * {@link #account}, {@link #genesis}.
 */
public final class DacClient implements AutoCloseable {
  /** Default time a member has to answer a batch. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /**
   * A member's address: {@code host:port} and, for TLS, the member's certificate to pin (its {@code
   * <data>/tls/server.crt}); null for plaintext (loopback members).
   */
  public record Endpoint(String target, Path certificate) {
    public Endpoint {
      ArgChecker.notNull(target, "target");
      ArgChecker.isTrue(
          target.matches("^[^\\s@]+:\\d{1,5}$"), "a member endpoint is HOST:PORT, got {}", target);
    }

    /** A plaintext member at {@code host:port}. */
    public static Endpoint plaintext(String target) {
      return new Endpoint(target, null);
    }

    /** A TLS member at {@code host:port} whose certificate is {@code certificate}. */
    public static Endpoint tls(String target, Path certificate) {
      return new Endpoint(target, ArgChecker.notNull(certificate, "certificate"));
    }

    /**
     * Parses {@code HOST:PORT} (plaintext) or {@code HOST:PORT@CERTFILE} (TLS, pinning the member's
     * certificate).
     */
    public static Endpoint parse(String spec) {
      ArgChecker.notNull(spec, "spec");
      int at = spec.indexOf('@');
      return at < 0 ? plaintext(spec) : tls(spec.substring(0, at), Path.of(spec.substring(at + 1)));
    }

    @Override
    public String toString() {
      return certificate == null ? target : target + "@" + certificate;
    }
  }

  /**
   * Signatures of a quorum.
   *
   * @param signatures 65-byte signatures {@code r | s | v}, concatenated in strictly increasing
   *     signer order: {@code finalizeBatch}'s {@code dacSignatures}
   * @param signers the signer addresses in that order (0x lower-case)
   */
  public record Collected(byte[] signatures, List<String> signers) {}

  /** Fewer than the quorum of members signed; the message lists each member's answer. */
  public static final class QuorumNotReachedException extends Exception {
    private static final long serialVersionUID = 1L;

    QuorumNotReachedException(String message) {
      super(message);
    }
  }

  private final Endpoint endpoint;
  private final ManagedChannel channel;
  private final DataAvailabilityServiceGrpc.DataAvailabilityServiceBlockingStub stub;

  private DacClient(Endpoint endpoint, ManagedChannel channel) {
    this.endpoint = endpoint;
    this.channel = channel;
    this.stub = DataAvailabilityServiceGrpc.newBlockingStub(channel);
  }

  /** Connects to one member (the connection is made lazily, at the first call). */
  public static DacClient connect(Endpoint endpoint) throws IOException {
    ArgChecker.notNull(endpoint, "endpoint");
    ChannelCredentials creds =
        endpoint.certificate() == null
            ? InsecureChannelCredentials.create()
            : TlsChannelCredentials.newBuilder()
                .trustManager(endpoint.certificate().toFile())
                .build();
    return new DacClient(
        endpoint,
        Grpc.newChannelBuilder(endpoint.target(), creds)
            .maxInboundMessageSize(DacServer.MAX_INBOUND_MESSAGE_BYTES)
            .build());
  }

  /**
   * {@link #collect(List, int, long, byte[], Duration)} of {@code HOST:PORT[@CERT]} strings, a
   * UTF-8 document and the default timeout.
   */
  public static Collected collect(
      List<String> endpoints, int quorum, long batchNumber, String witnessJson)
      throws QuorumNotReachedException {
    ArgChecker.notNull(endpoints, "endpoints");
    ArgChecker.notNull(witnessJson, "witnessJson");
    return collect(
        endpoints.stream().map(Endpoint::parse).toList(),
        quorum,
        batchNumber,
        witnessJson.getBytes(StandardCharsets.UTF_8),
        DEFAULT_TIMEOUT);
  }

  /**
   * Submits a batch to every member in parallel and collects signatures until {@code quorum}
   * members signed (the others' calls are cancelled).
   *
   * @param endpoints the committee's members, at most 32
   * @param quorum signatures needed, in {@code [1, endpoints.size()]} (Settlement's committee
   *     quorum)
   * @param batchNumber the batch number it will be finalized as (Settlement's {@code batchNumber +
   *     1})
   * @param witnessJson the batch witness JSON (docs/BATCH.md 4a)
   * @param timeout how long each member has to answer
   * @return {@code quorum} signatures in increasing signer order
   * @throws QuorumNotReachedException when fewer than {@code quorum} members signed, naming each
   *     member's refusal or failure
   */
  public static Collected collect(
      List<Endpoint> endpoints, int quorum, long batchNumber, byte[] witnessJson, Duration timeout)
      throws QuorumNotReachedException {
    ArgChecker.notNull(endpoints, "endpoints");
    ArgChecker.inRange(endpoints.size(), 1, 32, "number of members");
    ArgChecker.inRange(quorum, 1, endpoints.size(), "quorum");
    ArgChecker.isTrue(batchNumber >= 1, "batchNumber must be >= 1, was {}", batchNumber);
    ArgChecker.notNull(witnessJson, "witnessJson");
    ArgChecker.notNull(timeout, "timeout");
    WitnessDocument doc;
    try {
      doc = WitnessDocument.parse(witnessJson);
    } catch (BatchRefusedException e) {
      throw new IllegalArgumentException("not a batch document: " + e.getMessage(), e);
    }
    ExecutorService pool = Executors.newFixedThreadPool(endpoints.size());
    CompletionService<SubmitBatchResponse> cs = new ExecutorCompletionService<>(pool);
    List<Future<SubmitBatchResponse>> futures = new ArrayList<>();
    List<DacClient> clients = new ArrayList<>();
    String[] outcome = new String[endpoints.size()];
    List<SubmitBatchResponse> ok = new ArrayList<>();
    try {
      for (Endpoint e : endpoints) {
        DacClient c = connect(e);
        clients.add(c);
        futures.add(
            cs.submit(
                () ->
                    c.stub
                        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .submitBatch(
                            SubmitBatchRequest.newBuilder()
                                .setBatchNumber(batchNumber)
                                .setWitnessJson(ByteString.copyFrom(witnessJson))
                                .build())));
      }
      for (int done = 0; done < endpoints.size() && ok.size() < quorum; done++) {
        Future<SubmitBatchResponse> f = cs.take();
        int i = futures.indexOf(f);
        try {
          SubmitBatchResponse r = f.get();
          String bad = check(r, batchNumber, doc);
          if (bad == null && ok.stream().anyMatch(o -> o.getSigner().equals(r.getSigner()))) {
            bad = "signer " + r.getSigner() + " answered twice (two endpoints of one member?)";
          }
          if (bad == null) {
            ok.add(r);
            outcome[i] = "signed as " + r.getSigner();
          } else {
            outcome[i] = "bad answer: " + bad;
          }
        } catch (ExecutionException ex) {
          Throwable t = ex.getCause();
          outcome[i] =
              t instanceof StatusRuntimeException s
                  ? s.getStatus().getCode() + ": " + s.getStatus().getDescription()
                  : String.valueOf(t);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while collecting DAC signatures", e);
    } finally {
      pool.shutdownNow();
      clients.forEach(DacClient::close);
    }
    if (ok.size() < quorum) {
      StringBuilder sb =
          new StringBuilder(
              "DAC quorum not reached for batch "
                  + batchNumber
                  + ": "
                  + ok.size()
                  + " of "
                  + quorum
                  + " signatures");
      for (int i = 0; i < endpoints.size(); i++) {
        sb.append("; ")
            .append(endpoints.get(i).target())
            .append(": ")
            .append(outcome[i] == null ? "no answer" : outcome[i]);
      }
      throw new QuorumNotReachedException(sb.toString());
    }
    ok.sort(Comparator.comparing(r -> Numeric.toBigInt(r.getSigner())));
    ByteArrayOutputStream sigs = new ByteArrayOutputStream();
    List<String> signers = new ArrayList<>();
    for (SubmitBatchResponse r : ok) {
      sigs.writeBytes(r.getSignature().toByteArray());
      signers.add(r.getSigner());
    }
    return new Collected(sigs.toByteArray(), List.copyOf(signers));
  }

  /** Why a member's answer does not count, or null when it does. */
  private static String check(SubmitBatchResponse r, long batchNumber, WitnessDocument doc) {
    if (r.getBatchNumber() != batchNumber) {
      return "answered for batch " + r.getBatchNumber();
    }
    if (!doc.dataHash().toString().equals(r.getDataHash())
        || !doc.newRoot().toString().equals(r.getNewRoot())) {
      return "signed other data (dataHash " + r.getDataHash() + ", newRoot " + r.getNewRoot() + ")";
    }
    byte[] sig = r.getSignature().toByteArray();
    if (sig.length != 65) {
      return "a signature of " + sig.length + " bytes";
    }
    try {
      byte[] digest =
          OracleSigner.batchDataDigest(
              r.getChainId(), r.getSettlement(), batchNumber, doc.dataHash(), doc.newRoot());
      BigInteger pub =
          Sign.signedMessageHashToKey(
              digest,
              new Sign.SignatureData(
                  sig[64], Arrays.copyOfRange(sig, 0, 32), Arrays.copyOfRange(sig, 32, 64)));
      String recovered = "0x" + Keys.getAddress(pub);
      if (!recovered.equalsIgnoreCase(r.getSigner())) {
        return "the signature recovers to " + recovered + ", not " + r.getSigner();
      }
    } catch (RuntimeException | java.security.SignatureException e) {
      return "unrecoverable signature: " + e.getMessage();
    }
    return null;
  }

  /** The member's signer, domain, latest batch and root. */
  public GetStatusResponse status() {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance());
  }

  /**
   * The stored witness JSON of a batch.
   *
   * @throws StatusRuntimeException NOT_FOUND when the member has not stored it
   */
  public byte[] batch(long batchNumber) {
    return stub.withDeadlineAfter(60, TimeUnit.SECONDS)
        .getBatch(GetBatchRequest.newBuilder().setBatchNumber(batchNumber).build())
        .getWitnessJson()
        .toByteArray();
  }

  /**
   * An account's leaf and path at the member's latest batch.
   *
   * @throws StatusRuntimeException NOT_FOUND for an empty leaf
   */
  public GetAccountResponse account(long accountId) {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS)
        .getAccount(GetAccountRequest.newBuilder().setAccountId(accountId).build());
  }

  /** The genesis the member started from (its document's root checked on parsing). */
  public Genesis genesis() {
    return Genesis.fromJson(
        stub.withDeadlineAfter(60, TimeUnit.SECONDS)
            .getGenesis(GetGenesisRequest.getDefaultInstance())
            .getGenesisJson()
            .toByteArray());
  }

  public Endpoint endpoint() {
    return endpoint;
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

  @Override
  public String toString() {
    return "DacClient(" + endpoint.target().toLowerCase(Locale.ROOT) + ")";
  }
}
