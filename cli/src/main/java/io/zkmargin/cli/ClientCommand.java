package io.zkmargin.cli;

import io.grpc.StatusRuntimeException;
import io.zkmargin.api.v1.AccountMargin;
import io.zkmargin.api.v1.ProveHealthResponse;
import io.zkmargin.api.v1.RiskRoot;
import io.zkmargin.api.v1.StateRoot;
import io.zkmargin.api.v1.UnderlyingGreeks;
import io.zkmargin.api.v1.VerifyProofResponse;
import io.zkmargin.api.v1.VerifyingKey;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.VerifyingKeyHandle;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerdict;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm client ...}: talks to a running service. Trader commands sign with the account
 * owner's key that {@code ./zkm demo} wrote under DIR; the connection trusts only the certificate
 * the service made in DIR ({@code DIR/tls/server.crt}).
 */
@Command(
    name = "client",
    description = "talk to a running service (./zkm serve)",
    subcommands = {
      ClientCommand.ProveHealth.class,
      ClientCommand.Verify.class,
      ClientCommand.Margin.class
    })
public final class ClientCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  /** {@code ./zkm client} alone: its help, as a usage error (exit 2). */
  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return Cli.USAGE_ERROR;
  }

  /**
   * Runs {@code ./zkm client argv...}.
   *
   * @return the exit code (0 ok, 1 refused or failed, 2 usage, 3 unsettled roots)
   */
  public static int run(String[] argv) {
    return Main.run("client", argv);
  }

  /** The connection options every client command takes, and the connection they describe. */
  static final class Connection {
    @Option(
        names = "--target",
        paramLabel = "HOST:PORT",
        defaultValue = "localhost:50051",
        description = "the service (default localhost:50051)")
    String target;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        defaultValue = "demo",
        description = {
          "the service's data directory: its certificate DIR/tls/server.crt and the",
          "demo owner keys DIR/keys/ (default ./demo)"
        })
    Path dir;

    @Option(
        names = "--plaintext",
        description = "no TLS (only for a service started with --plaintext on loopback)")
    boolean plaintext;

    /** A request of one client command over the connection. */
    interface Request {
      int send(ZkmClient client) throws IOException;
    }

    /** Connects, sends, and turns connection and service failures into a message and exit 1. */
    int run(String cmd, Request request) {
      Path cert = ServiceIdentity.certificateFileIn(dir);
      try (ZkmClient client =
          plaintext
              ? ZkmClient.connectPlaintext(target, cert)
              : ZkmClient.connectTls(target, cert)) {
        return request.send(client);
      } catch (IOException e) {
        System.err.println("zkm client: " + e.getMessage());
        return 1;
      } catch (StatusRuntimeException e) {
        System.err.println(
            "zkm client "
                + cmd
                + ": the service answered "
                + e.getStatus().getCode()
                + (e.getStatus().getDescription() == null
                    ? ""
                    : ": " + e.getStatus().getDescription()));
        return 1;
      }
    }
  }

  @Command(
      name = "prove-health",
      header =
          "ask the service for a proof that the account's equity >= B/10000 x maintenance margin",
      description = {
        "ask the service for a proof that the account's equity >= B/10000 x maintenance margin;",
        "progress goes to stderr, the proof file to FILE"
      })
  static final class ProveHealth implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin Connection connection;

    @Option(
        names = "--account",
        paramLabel = "ID",
        required = true,
        description = "the account's id")
    long account;

    @Option(
        names = "--threshold-bps",
        paramLabel = "B",
        required = true,
        description =
            "the proven threshold in basis points of maintenance margin, 1 to 1000000 (10000 = 1x MM)")
    long threshold;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        required = true,
        description = "the proof file written")
    Path out;

    @Option(
        names = "--timeout-seconds",
        paramLabel = "S",
        defaultValue = "600",
        description = "how long to wait for the proof (default 600)")
    long timeoutSeconds;

    @Override
    public Integer call() {
      Cli.range(spec, "account", account, 0, Long.MAX_VALUE);
      Cli.range(spec, "threshold-bps", threshold, 1, 1_000_000);
      Cli.range(spec, "timeout-seconds", timeoutSeconds, 1, 86_400);
      return connection.run(
          "prove-health",
          client -> proveHealth(client, connection.dir, account, threshold, out, timeoutSeconds));
    }
  }

  @Command(
      name = "verify",
      header =
          "have the service verify a proof; check it offline too, and its roots against the service's",
      description = {
        "have the service verify the proof, fetch the verifying key and the roots, and check the",
        "proof offline with that key too. One verdict line and its exit code:"
      },
      footer = {
        "Verdicts:",
        "  VALID            0  the proof verifies (service and offline) over the venue's current",
        "                      state root and the oracles' current risk root",
        "  INVALID          1  the proof does not verify (tampered, wrong key, malformed file)",
        "  UNSETTLED ROOTS  3  the proof verifies, but over a state or risk root the venue never",
        "                      settled or posted: a statement about another tree, not the venue's"
      })
  static final class Verify implements Callable<Integer> {
    @Mixin Cli.HelpOption help;
    @Mixin Connection connection;

    @Parameters(paramLabel = "FILE", description = "the proof file")
    Path file;

    @Override
    public Integer call() {
      return connection.run("verify", client -> verify(client, file));
    }
  }

  @Command(
      name = "margin",
      description = "the account's own equity, IM, MM, health and Greeks (signed request)")
  static final class Margin implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin Connection connection;

    @Option(
        names = "--account",
        paramLabel = "ID",
        required = true,
        description = "the account's id")
    long account;

    @Override
    public Integer call() {
      Cli.range(spec, "account", account, 0, Long.MAX_VALUE);
      return connection.run("margin", client -> margin(client, account, connection.dir));
    }
  }

  private static int proveHealth(
      ZkmClient client, Path dir, long account, long threshold, Path out, long timeout)
      throws IOException {
    RequestSigner signer =
        new RequestSigner(
            new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, account)), client.serviceId());
    long t0 = System.nanoTime();
    ProofFile proof =
        client.proveHealth(
            account,
            threshold,
            signer,
            Duration.ofSeconds(timeout),
            r -> System.err.println("  " + describe(r)));
    proof.write(out);
    System.out.printf(
        "proof written to %s in %.3f s (account %d, threshold %d bps, %s)%n",
        out, (System.nanoTime() - t0) / 1e9, account, threshold, proof.circuitId());
    return 0;
  }

  private static String describe(ProveHealthResponse r) {
    double elapsed = r.getElapsed().getSeconds() + r.getElapsed().getNanos() / 1e9;
    return switch (r.getStage()) {
      case STAGE_QUEUED ->
          String.format("queued (%d ahead)  %.3f s", r.getQueuePosition(), elapsed);
      case STAGE_WITNESS -> String.format("building witness  %.3f s", elapsed);
      case STAGE_PROVING -> String.format("proving           %.3f s", elapsed);
      case STAGE_DONE ->
          String.format(
              "done              %.3f s (prover %.3f s)",
              elapsed, r.getProveDuration().getSeconds() + r.getProveDuration().getNanos() / 1e9);
      default -> r.getStage().name();
    };
  }

  private static int verify(ZkmClient client, Path file) throws IOException {
    ProofFile proof;
    try {
      proof = ProofFile.read(file);
    } catch (ProofFile.MalformedProofException e) {
      System.out.println("INVALID: " + file + " is not a proof file: " + e.getMessage());
      return 1;
    }
    Duration d = Duration.ofSeconds(60);
    VerifyProofResponse remote = client.verifyProof(proof, d);
    StateRoot state = client.getStateRoot(d);
    RiskRoot risk = client.getRiskRoot(d);
    String local = verifyOffline(client, proof, d);
    VerifyProofResponse.Verdict rv = remote.getVerdict();
    // the proof itself: the service (a service from before the verdict field says valid) and the
    // offline check
    boolean proofOk =
        local == null
            && (rv == VerifyProofResponse.Verdict.VERDICT_VALID
                || rv == VerifyProofResponse.Verdict.VERDICT_VALID_PROOF_UNKNOWN_ROOTS
                || (rv == VerifyProofResponse.Verdict.VERDICT_UNSPECIFIED && remote.getValid()));
    if (!proofOk) {
      System.out.println(
          "INVALID: "
              + (!remote.getValid() ? "service: " + remote.getReason() : "")
              + (local != null ? (!remote.getValid() ? "; " : "") + "offline: " + local : ""));
      return ProofVerdict.Kind.INVALID.exitCode();
    }
    // its roots: checked here against the roots the service publishes, and by the service itself
    boolean stateOk = proof.publicInputs().get(0).toString().equals(state.getRoot());
    boolean riskOk = proof.publicInputs().get(1).toString().equals(risk.getRoot());
    String statement =
        String.format(
            "account %d has equity >= %d.%04d x maintenance margin (%s, setup %s)",
            remote.getAccountId(),
            remote.getThresholdBps() / 10_000,
            remote.getThresholdBps() % 10_000,
            remote.getCircuitId(),
            remote.getSetup().isEmpty() ? "not reported" : remote.getSetup());
    if (stateOk && riskOk && rv != VerifyProofResponse.Verdict.VERDICT_VALID_PROOF_UNKNOWN_ROOTS) {
      System.out.printf(
          "VALID: %s; state root current, risk root current (epoch %d); checked by the service and"
              + " offline%n",
          statement, risk.getEpoch());
      return ProofVerdict.Kind.VALID.exitCode();
    }
    System.out.printf(
        "%s: the proof verifies (checked by the service and offline), but its state root %s and its"
            + " risk root %s: it is about another tree, not the service's venue (%s)%n",
        ProofVerdict.Kind.UNSETTLED_ROOTS.word(),
        stateOk
            ? "is the venue's"
            : "was never settled by the venue (" + abbrev(state.getRoot()) + " now)",
        riskOk
            ? "is the oracles' (epoch " + risk.getEpoch() + ")"
            : "was never posted by its oracles ("
                + abbrev(risk.getRoot())
                + " now, epoch "
                + risk.getEpoch()
                + ")",
        statement);
    return ProofVerdict.Kind.UNSETTLED_ROOTS.exitCode();
  }

  /**
   * Verifies with the key the service hands out, after checking its hash; null when valid, else why
   * not.
   */
  private static String verifyOffline(ZkmClient client, ProofFile proof, Duration d) {
    VerifyingKey vk;
    try {
      vk = client.getVerifyingKeyByHash(proof.verifyingKeyHash(), d);
    } catch (StatusRuntimeException e) {
      return "the service has no verifying key "
          + proof.verifyingKeyHash()
          + " ("
          + e.getStatus().getCode()
          + ")";
    }
    byte[] key = vk.getKeyData().toByteArray();
    if (!KeyStore.sha256Hex(key).equals(proof.verifyingKeyHash())) {
      return "the verifying key the service sent does not hash to " + proof.verifyingKeyHash();
    }
    if (!vk.getCircuitId().equals(proof.circuitId())) {
      return "the verifying key belongs to "
          + vk.getCircuitId()
          + ", the proof claims "
          + proof.circuitId();
    }
    try (VerifyingKeyHandle h = Gnark.loadVerifyingKey(vk.getCircuitId(), key)) {
      boolean ok =
          Gnark.verify(
              h, proof.proof(), proof.publicInputs().stream().map(BigInteger::toString).toList());
      return ok
          ? null
          : "the proof does not verify against the verifying key (tampered proof or public input)";
    } catch (RuntimeException e) {
      return "the proof is malformed: " + e.getMessage();
    }
  }

  private static int margin(ZkmClient client, long account, Path dir) throws IOException {
    RequestSigner signer =
        new RequestSigner(
            new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, account)), client.serviceId());
    AccountMargin m = client.getAccountMargin(account, signer, Duration.ofSeconds(60));
    System.out.printf(
        "account %d: equity %s, IM %s, MM %s, health %s, %s%n",
        account,
        quote(m.getEquityQuoteAtoms()),
        quote(m.getInitialMarginQuoteAtoms()),
        quote(m.getMaintenanceMarginQuoteAtoms()),
        m.getMaintenanceMarginZero()
            ? "unbounded (no margin)"
            : String.format(
                "%d.%04d x MM", m.getHealthRatioBps() / 10_000, m.getHealthRatioBps() % 10_000),
        m.getLiquidatable() ? "LIQUIDATABLE" : "not liquidatable");
    for (UnderlyingGreeks g : m.getGreeksList()) {
      System.out.printf(
          "  %-6s delta %.4f gamma %.6f vega %.4f theta %.4f vanna %.6f charm %.6f%n",
          g.getUnderlying(),
          g.getDelta(),
          g.getGamma(),
          g.getVega(),
          g.getTheta(),
          g.getVanna(),
          g.getCharm());
    }
    System.out.println(
        "  state root " + abbrev(m.getStateRoot()) + ", risk root " + abbrev(m.getRiskRoot()));
    return 0;
  }

  private static String quote(long atoms) {
    return String.format(
        "%s%d.%06d",
        atoms < 0 ? "-" : "", Math.abs(atoms / 1_000_000), Math.abs(atoms % 1_000_000));
  }

  private static String abbrev(String decimal) {
    return decimal.length() <= 16 ? decimal : decimal.substring(0, 16) + "...";
  }
}
