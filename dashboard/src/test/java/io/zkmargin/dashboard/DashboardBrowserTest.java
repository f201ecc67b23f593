package io.zkmargin.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerdict;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.SettledRoots;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginSummary;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless chromium through chromedriver, installed by
 * {@code tools/browser.sh}) against a real service: a demo venue at the test circuit size, the gRPC
 * server with its proving queue and the native prover, and the dashboard next to it. Signs in with
 * a challenge signed by the account's key file (as {@code ./zkm sign-challenge} does), checks the
 * trader's figures against {@code ./zkm margin}'s report of the same account, requests one proof
 * and downloads it, verifies it in the auditor view, and is refused another account's data. Writes
 * a screenshot of each view to {@code target/screenshots/} and prints the page's load time.
 */
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "screenshots");

  @TempDir static Path dir;
  @TempDir static Path downloads;

  private static DemoVenue demo;
  private static ZkmServer server;
  private static DashboardServer dashboard;
  private static WebDriver driver;

  @BeforeAll
  static void start() throws Exception {
    boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!browser && System.getenv("CI") != null) {
      throw new IllegalStateException(
          "CI must run the browser tests: tools/browser.sh did not install chromium and chromedriver");
    }
    Assumptions.assumeTrue(
        browser, "no /usr/bin/chromium or /usr/bin/chromedriver (see dashboard/tools/browser.sh)");
    DemoVenues.write(dir, 8, 1, CircuitSizes.TEST);
    demo = DemoVenues.generate(8, 1, CircuitSizes.TEST);
    ServiceIdentity identity = ServiceIdentity.loadOrCreate(dir);
    VenueBackend backend = VenueBackend.open(dir, KeyStore.openDefault());
    server =
        new ZkmServer(backend, identity, new ZkmServer.Config("127.0.0.1", 0, true, 1, 4, -1, 1000))
            .start();
    dashboard = new DashboardServer(backend, server, dir, "127.0.0.1", 0);
    server.closeWith(dashboard);
    dashboard.start();
    Files.createDirectories(SHOTS);
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800");
    Map<String, Object> prefs = new HashMap<>();
    prefs.put("download.default_directory", downloads.toString());
    prefs.put("download.prompt_for_download", false);
    o.setExperimentalOption("prefs", prefs);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    driver = new ChromeDriver(service, o);
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void traderAndAuditorViews() throws Exception {
    int account = healthyAccountWithPositions();
    int other = (account + 1) % demo.accounts().size();
    String url = dashboard.url();
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));

    // sign-in page and its load time
    driver.get(url + "#trader");
    wait.until(d -> text("challenge").startsWith("zkm-"));
    Object loadMs =
        js(
            "const n = performance.getEntriesByType('navigation')[0];"
                + " return Math.round(n.loadEventEnd - n.startTime);");
    System.out.println(
        "dashboard: page load time "
            + loadMs
            + " ms (navigation start to load event, "
            + url
            + ")");
    shot("sign-in");

    // sign in as the trader: the challenge signed with the account's key file, as ./zkm
    // sign-challenge does
    String challenge = text("challenge");
    EdwardsKeyPair key = new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, account));
    String signature = SignIn.sign(key, server.identity().serviceId(), account, challenge);
    driver.findElement(By.id("signin-account")).clear();
    driver.findElement(By.id("signin-account")).sendKeys(Integer.toString(account));
    driver.findElement(By.id("signin-signature")).sendKeys(signature);
    driver.findElement(By.id("signin-button")).click();
    wait.until(d -> !text("t-equity").isEmpty());
    wait.until(d -> driver.findElements(By.cssSelector("#heatmap .worst")).size() == 1);

    // the figures equal ./zkm margin's report of the same account (the same Java computation)
    Map<String, String> report = reportLines(demo.marginReport(account));
    assertEquals(report.get("Equity"), text("t-equity"));
    assertEquals(report.get("Initial margin (IM)"), text("t-im"));
    assertEquals(report.get("Maintenance margin (MM)"), text("t-mm"));
    assertEquals(report.get("Health (E / MM)"), text("t-health"));
    assertEquals(report.get("Status"), text("t-status"));
    Matcher var =
        Pattern.compile("([-0-9,.]+) USDC \\(expected shortfall ([-0-9,.]+)\\)")
            .matcher(report.get("1-day VaR 99%"));
    assertTrue(var.matches(), report.get("1-day VaR 99%"));
    assertEquals(var.group(1) + " USDC", text("t-var"));
    assertEquals(var.group(2) + " USDC", text("t-es"));
    // net delta per underlying, as the report's Greeks table prints it (6 decimals)
    for (org.openqa.selenium.WebElement row :
        driver.findElements(By.cssSelector("#greeks tbody tr"))) {
      List<org.openqa.selenium.WebElement> cells = row.findElements(By.tagName("td"));
      Matcher g =
          Pattern.compile("(?m)^  " + Pattern.quote(cells.get(0).getText()) + " +(-?[0-9.]+) ")
              .matcher(demo.marginReport(account));
      assertTrue(g.find(), "the report has a Greeks line for " + cells.get(0).getText());
      assertEquals(
          g.group(1) + " " + cells.get(0).getText(), cells.get(1).getText().replace(",", ""));
    }
    MarginSummary m =
        MarginCalculator.DEFAULT
            .evaluate(demo.riskVector(), demo.accounts().get(account))
            .summary();
    assertEquals(
        Integer.toString(m.worstScenario()),
        driver.findElement(By.cssSelector("#heatmap .worst")).getAttribute("data-scenario"));
    assertTrue(
        (Boolean) js("return !!Chart.getChart(document.getElementById('pnl-chart'));"),
        "the P&L chart is drawn");

    // what-if: one more lot of the first instrument
    new Select(driver.findElement(By.id("w-instrument"))).selectByIndex(0);
    driver.findElement(By.id("w-button")).click();
    wait.until(d -> driver.findElement(By.id("w-result")).isDisplayed());
    assertEquals(text("t-equity"), text("w-eq0"));
    shot("trader");

    // a health proof with its progress, downloaded by the browser
    driver.findElement(By.id("p-threshold")).clear();
    driver.findElement(By.id("p-threshold")).sendKeys("10000");
    driver.findElement(By.id("p-button")).click();
    new WebDriverWait(driver, Duration.ofSeconds(180))
        .until(d -> driver.findElement(By.id("p-download")).isDisplayed());
    List<String> stages =
        driver.findElements(By.cssSelector("#p-progress li")).stream()
            .map(e -> e.getAttribute("data-stage"))
            .toList();
    assertEquals(List.of("queued", "witness", "proving", "done"), stages);
    driver.findElement(By.id("p-download")).click();
    Path proofFile = waitForDownload();
    ProofFile proof = ProofFile.read(proofFile);
    assertEquals(account, proof.healthAccountId());
    assertEquals(10000, proof.healthThresholdBps());
    shot("trader-proof");

    // the auditor view verifies the downloaded file with ./zkm verify --data DIR's verdict
    driver.get(url + "#auditor");
    wait.until(d -> text("o-state").startsWith("0x"));
    driver.findElement(By.id("verify-file")).sendKeys(proofFile.toAbsolutePath().toString());
    wait.until(
        d ->
            "VALID"
                .equals(driver.findElement(By.id("verify-verdict")).getAttribute("data-verdict")));
    ProofVerdict expected;
    try (KeyStore keys = KeyStore.openDefault();
        ProofVerifier verifier = new ProofVerifier(keys)) {
      expected = ProofVerdict.of(proof, verifier.verify(proof), SettledRoots.load(dir));
    }
    assertEquals(ProofVerdict.Kind.VALID, expected.kind());
    assertEquals(expected.line(), text("verify-verdict"));
    // a tampered copy is INVALID, as ./zkm verify says
    byte[] bad = proof.proof();
    bad[7] ^= 1;
    ProofFile tampered =
        new ProofFile(proof.circuitId(), proof.verifyingKeyHash(), proof.publicInputs(), bad);
    HttpResponse<String> invalid =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "api/verify"))
                    .header("X-ZKM", "1")
                    .POST(HttpRequest.BodyPublishers.ofString(tampered.toJson()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, invalid.statusCode());
    assertTrue(invalid.body().contains("\"verdict\":\"INVALID\""), invalid.body());
    assertTrue(invalid.body().contains("\"exitCode\":1"), invalid.body());
    driver.navigate().refresh(); // the proof time recorded by the queue shows in the chart
    wait.until(d -> text("o-times-summary").contains("1 proof"));
    assertEquals("0 jobs", text("o-queue"));
    shot("auditor");

    // another account's data is refused, in the browser and to a plain request with the cookie
    driver.get(url + "api/accounts/" + other + "/risk");
    String refused = driver.findElement(By.tagName("body")).getText();
    assertTrue(refused.contains("may not see account " + other), "refused: " + refused);
    shot("other-account-refused");
    String cookie = driver.manage().getCookieNamed(DashboardServer.COOKIE).getValue();
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("/risk", "/proofs/" + "0".repeat(32) + "/file")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "api/accounts/" + other + path))
                  .header("Cookie", DashboardServer.COOKIE + "=" + cookie)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(403, r.statusCode(), path + ": " + r.body());
    }
    HttpResponse<String> noSession =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "api/accounts/" + account + "/risk")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, noSession.statusCode());

    // the trader view on a narrow screen
    driver.get(url + "#trader");
    driver.manage().window().setSize(new Dimension(390, 844));
    wait.until(d -> !text("t-equity").isEmpty());
    shot("trader-narrow");
  }

  /** The first account above its maintenance margin with at least one position. */
  private static int healthyAccountWithPositions() {
    for (int i = 0; i < demo.accounts().size(); i++) {
      var leaf = demo.accounts().get(i);
      MarginSummary m = MarginCalculator.DEFAULT.evaluate(demo.riskVector(), leaf).summary();
      boolean positions = java.util.Arrays.stream(leaf.quantities()).anyMatch(q -> q != 0);
      if (positions && !m.liquidatable() && m.healthRatioBps() >= 10_000) {
        return i;
      }
    }
    throw new IllegalStateException("the demo venue has no healthy account with positions");
  }

  /** " Label: value" lines of a margin report, by label. */
  private static Map<String, String> reportLines(String report) {
    Map<String, String> out = new HashMap<>();
    for (String line : report.split("\n")) {
      Matcher x = Pattern.compile("^  ([^:]+):\\s+(.*)$").matcher(line);
      if (x.matches()) {
        out.put(x.group(1).strip(), x.group(2).strip());
      }
    }
    return out;
  }

  private static Path waitForDownload() throws InterruptedException, java.io.IOException {
    long end = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < end) {
      try (Stream<Path> s = Files.list(downloads)) {
        List<Path> done = s.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
        if (!done.isEmpty() && Files.size(done.get(0)) > 0) {
          return done.get(0);
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the browser did not download the proof file into " + downloads);
  }

  private static String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  /** A screenshot of the whole page: the window is made as tall as the page for it. */
  private static void shot(String name) throws java.io.IOException {
    Dimension size = driver.manage().window().getSize();
    long height = ((Number) js("return document.documentElement.scrollHeight;")).longValue();
    driver
        .manage()
        .window()
        .setSize(
            new Dimension(
                size.getWidth(), (int) Math.min(4000, Math.max(size.getHeight(), height + 120))));
    js("window.scrollTo(0, 0);");
    File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    driver.manage().window().setSize(size);
    Path to = SHOTS.resolve(name + ".png");
    Files.copy(f.toPath(), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    System.out.println("dashboard: screenshot " + to.toAbsolutePath());
  }
}
