package io.zkmargin.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.grpc.server.HealthProofBackend;
import io.zkmargin.grpc.server.HealthServiceImpl;
import io.zkmargin.grpc.server.ProvingQueue;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerdict;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.SettledRoots;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard, served from the process of {@code ./zkm serve} on a loopback port next to gRPC
 * by the JDK's {@code com.sun.net.httpserver}: the page (HTML, script, style and the Chart.js
 * library packed in the jar; nothing is fetched at run time) and JSON endpoints over the same data
 * as the gRPC service: the same venue, risk model, proving queue, metrics and verifier.
 *
 * <p>Public (the data of {@code AuditService}): {@code GET /api/venue}, {@code GET /api/operator}
 * (roots and their on-chain status, queue depth, recent proof times), {@code POST /api/verify} (a
 * proof file; the verdicts of {@code ./zkm verify --data DIR}). Sign-in: {@code GET
 * /api/challenge}, {@code POST /api/signin} (see {@link SignIn}), {@code POST /api/signout}, {@code
 * GET /api/session}. Per account, only for a session of that account (403 otherwise): {@code GET
 * /api/accounts/ID/risk}, {@code POST /api/accounts/ID/whatif}, {@code POST
 * /api/accounts/ID/proofs}, {@code GET /api/accounts/ID/proofs/JOB/events} (server-sent events:
 * queued, witness, proving, done or failed) and {@code GET /api/accounts/ID/proofs/JOB/file}.
 *
 * <p>Hardening: the session cookie is HttpOnly and SameSite=Strict, every POST must carry {@code
 * X-ZKM: 1} (a cross-site form cannot), the Host header must name the loopback address the
 * dashboard listens on (no DNS rebinding), request bodies are capped at {@link #MAX_BODY_BYTES},
 * and a Content-Security-Policy allows scripts from the dashboard only.
 */
public final class DashboardServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Largest accepted request body (a proof file is about 1 KiB). */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /** Name of the session cookie. */
  static final String COOKIE = "zkm_session";

  private static final Map<String, String> STATIC =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/app.js", "app.js",
          "/app.css", "app.css",
          "/vendor/chart.umd.js", "vendor/chart.umd.js");

  private static final Pattern ACCOUNT_PATH =
      Pattern.compile(
          "^/api/accounts/(\\d{1,10})/(risk|whatif|proofs)(?:/([0-9a-f]{32})/(events|file))?$");

  private final VenueBackend backend;
  private final ProvingQueue queue;
  private final io.zkmargin.grpc.server.Metrics metrics;
  private final Path dataDir;
  private final SignIn signIn;
  private final Optional<RiskView> risk;
  private final ProofJobs jobs;
  private final ChainStatus chain;
  private final SettledRoots roots;
  private final HttpServer http;
  private final ExecutorService executor;
  private final long started = System.currentTimeMillis();

  /**
   * Binds the dashboard (call {@link #start()} to serve).
   *
   * @param backend the venue and prover the gRPC service serves
   * @param server the gRPC service (its proving queue, metrics and identity)
   * @param dataDir the venue's data directory (its local chain state)
   * @param bind listen address; must be a loopback address (the dashboard has no TLS)
   * @param port TCP port, 0 picks one
   * @throws IOException when the port cannot be bound
   * @throws IllegalArgumentException for a non-loopback address
   */
  public DashboardServer(
      VenueBackend backend, ZkmServer server, Path dataDir, String bind, int port)
      throws IOException {
    InetAddress address = InetAddress.getByName(bind);
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "the dashboard serves a loopback address only (it has no TLS), not " + bind);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("dashboard port must be in [0, 65535], was " + port);
    }
    this.backend = backend;
    this.queue = server.queue();
    this.metrics = server.metrics();
    this.dataDir = dataDir;
    this.signIn = new SignIn(server.identity().serviceId(), backend::account, Clock.systemUTC());
    this.risk = DemoVenues.market(backend.venue()).map(RiskView::new);
    this.jobs = new ProofJobs(queue);
    this.chain = new ChainStatus(dataDir);
    this.roots =
        SettledRoots.of(
            "the venue in " + dataDir, backend.stateRoot(), backend.riskRoot(), backend.epoch());
    this.http = HttpServer.create(new InetSocketAddress(address, port), 64);
    // event streams hold a thread each while a proof runs: a few threads more than the page needs
    this.executor =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "zkm-dashboard");
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(executor);
    http.createContext("/", this::handle);
  }

  /** Starts serving. */
  public DashboardServer start() {
    http.start();
    LOG.atInfo().addKeyValue("url", url()).log("dashboard.started");
    return this;
  }

  /** The bound port. */
  public int port() {
    return http.getAddress().getPort();
  }

  /** The page's address, e.g. {@code http://127.0.0.1:50053/}. */
  public String url() {
    InetAddress a = http.getAddress().getAddress();
    String host =
        a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    return "http://" + host + ":" + port() + "/";
  }

  /** Stops serving (open event streams end). */
  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** An answer with a status code and a JSON body. */
  private static final class HttpError extends Exception {
    final int code;

    HttpError(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        checkHost(ex);
        route(ex);
      } catch (HttpError e) {
        sendJson(ex, e.code, JSON.createObjectNode().put("error", e.getMessage()));
      } catch (RuntimeException e) {
        LOG.atWarn()
            .addKeyValue("path", ex.getRequestURI().getPath())
            .addKeyValue("error", e.toString())
            .log("dashboard.error");
        sendJson(ex, 500, JSON.createObjectNode().put("error", "internal error"));
      }
    } catch (IOException e) {
      // the browser went away
    }
  }

  private void checkHost(HttpExchange ex) throws HttpError {
    String host = ex.getRequestHeaders().getFirst("Host");
    if (host == null) {
      throw new HttpError(400, "no Host header");
    }
    String h = host.toLowerCase(Locale.ROOT);
    int p = port();
    if (!(h.equals("127.0.0.1:" + p) || h.equals("localhost:" + p) || h.equals("[::1]:" + p))) {
      throw new HttpError(421, "this dashboard answers to http://127.0.0.1:" + p + "/ only");
    }
  }

  private void route(HttpExchange ex) throws IOException, HttpError {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    if (method.equals("POST") && !"1".equals(ex.getRequestHeaders().getFirst("X-ZKM"))) {
      throw new HttpError(403, "POST requests must carry the header X-ZKM: 1");
    }
    if (STATIC.containsKey(path)) {
      requireMethod(method, "GET");
      sendResource(ex, STATIC.get(path));
      return;
    }
    switch (path) {
      case "/api/venue" -> {
        requireMethod(method, "GET");
        sendJson(ex, 200, venue());
        return;
      }
      case "/api/operator" -> {
        requireMethod(method, "GET");
        sendJson(ex, 200, operator());
        return;
      }
      case "/api/verify" -> {
        requireMethod(method, "POST");
        sendJson(ex, 200, verify(readBody(ex)));
        return;
      }
      case "/api/challenge" -> {
        requireMethod(method, "GET");
        String c = signIn.challenge();
        sendJson(
            ex,
            200,
            JSON.createObjectNode()
                .put("challenge", c)
                .put("expiresInSeconds", SignIn.CHALLENGE_MILLIS / 1000)
                .put(
                    "command",
                    "./zkm sign-challenge --data " + dataDir + " --account ACCOUNT " + c));
        return;
      }
      case "/api/signin" -> {
        requireMethod(method, "POST");
        signIn(ex);
        return;
      }
      case "/api/signout" -> {
        requireMethod(method, "POST");
        signIn.signOut(cookie(ex));
        ex.getResponseHeaders()
            .add("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        sendJson(ex, 200, JSON.createObjectNode().put("signedOut", true));
        return;
      }
      case "/api/session" -> {
        requireMethod(method, "GET");
        SignIn.Session s = session(ex);
        sendJson(
            ex,
            200,
            JSON.createObjectNode()
                .put("account", s.accountId())
                .put("expiresAtMillis", s.expiresAtMillis()));
        return;
      }
      default -> {}
    }
    Matcher m = ACCOUNT_PATH.matcher(path);
    if (!m.matches()) {
      throw new HttpError(404, "no such page: " + path);
    }
    long account = Long.parseLong(m.group(1));
    SignIn.Session s = session(ex);
    if (s.accountId() != account) {
      throw new HttpError(
          403,
          "this session is signed in as account "
              + s.accountId()
              + " and may not see account "
              + account);
    }
    AccountLeaf leaf =
        backend.account(account).orElseThrow(() -> new HttpError(404, "no account " + account));
    String what = m.group(2);
    if (m.group(3) != null) {
      requireMethod(method, "GET");
      if (!what.equals("proofs")) {
        throw new HttpError(404, "no such page: " + path);
      }
      ProofJobs.Job job =
          jobs.job(m.group(3), account).orElseThrow(() -> new HttpError(404, "no such proof job"));
      if (m.group(4).equals("events")) {
        streamEvents(ex, job);
      } else {
        ProofFile proof =
            job.proof().orElseThrow(() -> new HttpError(409, "the proof is not ready"));
        byte[] body = proof.toJson().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders()
            .set(
                "Content-Disposition",
                "attachment; filename=\"health-" + account + "-" + job.thresholdBps + "bps.json\"");
        send(ex, 200, body);
      }
      return;
    }
    RiskView view =
        risk.orElseThrow(
            () ->
                new HttpError(
                    409,
                    "the instruments' market data of this venue is unknown (not a demo venue, or"
                        + " its state was changed after ./zkm demo)"));
    switch (what) {
      case "risk" -> {
        requireMethod(method, "GET");
        ObjectNode out = view.account(account, leaf);
        out.set("venue", view.instruments());
        sendJson(ex, 200, out);
      }
      case "whatif" -> {
        requireMethod(method, "POST");
        JsonNode body = parse(readBody(ex));
        long instrument = longField(body, "instrumentId");
        long lots = longField(body, "lots");
        try {
          sendJson(ex, 200, view.whatIf(account, leaf, instrument, lots));
        } catch (IllegalArgumentException e) {
          throw new HttpError(400, e.getMessage());
        }
      }
      case "proofs" -> {
        requireMethod(method, "POST");
        JsonNode body = parse(readBody(ex));
        long threshold = longField(body, "thresholdBps");
        if (threshold < 1 || threshold > HealthServiceImpl.POLICY_MAX_THRESHOLD_BPS) {
          throw new HttpError(
              400,
              "thresholdBps must be in [1, " + HealthServiceImpl.POLICY_MAX_THRESHOLD_BPS + "]");
        }
        try {
          ProofJobs.Job job = jobs.submit(account, threshold);
          sendJson(
              ex,
              202,
              JSON.createObjectNode()
                  .put("job", job.id)
                  .put("events", "/api/accounts/" + account + "/proofs/" + job.id + "/events")
                  .put("file", "/api/accounts/" + account + "/proofs/" + job.id + "/file"));
        } catch (ProvingQueue.QueueFullException | ProvingQueue.AccountQuotaException e) {
          throw new HttpError(429, e.getMessage());
        } catch (ProvingQueue.ShuttingDownException e) {
          throw new HttpError(503, "the service is shutting down");
        }
      }
      default -> throw new HttpError(404, "no such page: " + path);
    }
  }

  private ObjectNode venue() {
    ObjectNode out = JSON.createObjectNode();
    out.put("circuit", backend.sizes().healthCircuitId());
    out.put("accounts", backend.accountCount());
    out.put("epoch", backend.epoch());
    out.put("data", dataDir.toString());
    out.put("marketKnown", risk.isPresent());
    risk.ifPresent(r -> out.set("market", r.instruments()));
    return out;
  }

  private ObjectNode operator() {
    ObjectNode out = JSON.createObjectNode();
    out.put("circuit", backend.sizes().healthCircuitId());
    backend
        .verifyingKeyByCircuitId(backend.sizes().healthCircuitId())
        .ifPresent(k -> out.put("verifyingKeyHash", k.verifyingKeyHash()));
    out.put("accounts", backend.accountCount());
    out.put("epoch", backend.epoch());
    out.put("stateRoot", backend.stateRoot().toString());
    out.put("riskRoot", backend.riskRoot().toString());
    out.put("stateRootHex", "0x" + backend.stateRoot().toString(16));
    out.put("riskRootHex", "0x" + backend.riskRoot().toString(16));
    out.set("onChain", chain.status(backend.stateRoot(), backend.riskRoot()));
    out.put("queueDepth", queue.queueDepth());
    out.put("running", queue.running());
    out.put("proofsDone", metrics.jobs("done"));
    out.put("uptimeSeconds", (System.currentTimeMillis() - started) / 1000);
    ArrayNode times = out.putArray("recentProofs");
    for (long[] t : metrics.recentProofTimes()) {
      times.addObject().put("atMillis", t[0]).put("ms", t[1] / 1e6);
    }
    return out;
  }

  /** The verdict of {@code ./zkm verify FILE --data DIR} on an uploaded proof file. */
  private ObjectNode verify(byte[] body) {
    ObjectNode out = JSON.createObjectNode();
    ProofFile proof;
    try {
      proof = ProofFile.parse(new String(body, StandardCharsets.UTF_8));
    } catch (ProofFile.MalformedProofException | RuntimeException e) {
      return verdict(
          out,
          new ProofVerdict(ProofVerdict.Kind.INVALID, "malformed proof file: " + e.getMessage()));
    }
    HealthProofBackend.Verdict v = backend.verify(proof);
    ProofVerifier.Verdict check = new ProofVerifier.Verdict(v.valid(), v.message());
    if (!v.valid() && backend.verifyingKeyByHash(proof.verifyingKeyHash()).isEmpty()) {
      // the verifier's message names the key directory: a server detail, not for the page
      check = new ProofVerifier.Verdict(false, "unknown verifying key " + proof.verifyingKeyHash());
    }
    verdict(out, ProofVerdict.of(proof, check, roots));
    if (proof.publicInputs().size() == 3 && proof.publicInputs().get(2).bitLength() <= 95) {
      out.put("account", proof.healthAccountId());
      out.put("thresholdBps", proof.healthThresholdBps());
    }
    out.put("circuit", proof.circuitId());
    return out;
  }

  private static ObjectNode verdict(ObjectNode out, ProofVerdict v) {
    return out.put("verdict", v.kind().word())
        .put("exitCode", v.exitCode())
        .put("message", v.message())
        .put("line", v.line());
  }

  private void signIn(HttpExchange ex) throws IOException, HttpError {
    JsonNode body = parse(readBody(ex));
    long account = longField(body, "account");
    String challenge = body.path("challenge").asText("");
    String signature = body.path("signature").asText("");
    Optional<String> token = signIn.signIn(account, challenge, signature);
    if (token.isEmpty()) {
      throw new HttpError(
          401,
          "sign-in refused: the signature does not match account "
              + account
              + "'s key, or the challenge is used or expired (get a new one)");
    }
    ex.getResponseHeaders()
        .add(
            "Set-Cookie",
            COOKIE
                + "="
                + token.get()
                + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + SignIn.SESSION_MILLIS / 1000);
    sendJson(ex, 200, JSON.createObjectNode().put("account", account));
  }

  private SignIn.Session session(HttpExchange ex) throws HttpError {
    return signIn.session(cookie(ex)).orElseThrow(() -> new HttpError(401, "not signed in"));
  }

  private static String cookie(HttpExchange ex) {
    List<String> headers = ex.getRequestHeaders().get("Cookie");
    if (headers == null) {
      return null;
    }
    for (String h : headers) {
      for (String part : h.split(";")) {
        String p = part.strip();
        if (p.startsWith(COOKIE + "=")) {
          return p.substring(COOKIE.length() + 1);
        }
      }
    }
    return null;
  }

  /** Streams a job's stages as server-sent events until it is done or failed. */
  private void streamEvents(HttpExchange ex, ProofJobs.Job job) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    int seen = 0;
    try {
      while (true) {
        List<ProofJobs.Event> events = job.eventsAfter(seen, 15_000);
        if (events.isEmpty()) {
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
        }
        for (ProofJobs.Event e : events) {
          ObjectNode n =
              JSON.createObjectNode()
                  .put("stage", e.stage())
                  .put("detail", e.detail())
                  .put("atMillis", e.atMillis());
          if (e.stage().equals("done")) {
            n.put("proveMs", job.proveNanos() / 1e6);
          }
          out.write(
              ("event: " + e.stage() + "\ndata: " + JSON.writeValueAsString(n) + "\n\n")
                  .getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        seen += events.size();
        if (job.finished() && !events.isEmpty() && isLast(events)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isLast(List<ProofJobs.Event> events) {
    String s = events.get(events.size() - 1).stage();
    return s.equals("done") || s.equals("failed");
  }

  private static void requireMethod(String method, String want) throws HttpError {
    if (!method.equals(want)) {
      throw new HttpError(405, "use " + want);
    }
  }

  private static byte[] readBody(HttpExchange ex) throws IOException, HttpError {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
      if (b.length > MAX_BODY_BYTES) {
        throw new HttpError(413, "the request is larger than " + MAX_BODY_BYTES + " bytes");
      }
      return b;
    }
  }

  private static JsonNode parse(byte[] body) throws HttpError {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new HttpError(400, "the body must be a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new HttpError(400, "the body is not JSON");
    }
  }

  private static long longField(JsonNode body, String name) throws HttpError {
    JsonNode n = body.get(name);
    if (n == null || !n.canConvertToExactIntegral() || !n.canConvertToLong()) {
      throw new HttpError(400, name + " must be an integer");
    }
    return n.asLong();
  }

  private static void sendJson(HttpExchange ex, int code, JsonNode body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    send(ex, code, JSON.writeValueAsBytes(body));
  }

  private void sendResource(HttpExchange ex, String name) throws IOException, HttpError {
    byte[] body;
    try (InputStream in = DashboardServer.class.getResourceAsStream("web/" + name)) {
      if (in == null) {
        throw new HttpError(404, "missing resource " + name + " (was the dashboard built?)");
      }
      body = in.readAllBytes();
    }
    String type =
        name.endsWith(".html")
            ? "text/html; charset=utf-8"
            : name.endsWith(".js")
                ? "text/javascript; charset=utf-8"
                : name.endsWith(".css") ? "text/css; charset=utf-8" : "application/octet-stream";
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders()
        .set(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
                + " frame-ancestors 'none'");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    send(ex, 200, body);
  }

  private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
    ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
