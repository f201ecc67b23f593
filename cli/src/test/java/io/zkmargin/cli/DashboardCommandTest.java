package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.dashboard.SignIn;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.server.ServiceLogging;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./zkm sign-challenge} signs the dashboard's challenge with the account's key file (the
 * dashboard accepts it for that account only), and {@code ./zkm serve} prints the dashboard's
 * address, which serves the page.
 */
class DashboardCommandTest {

  @Test
  void signChallengeSignsForTheAccountOfItsKeyFile(@TempDir Path dir) throws Exception {
    Venue venue = DemoVenues.write(dir, 4, 1, CircuitSizes.TEST);
    String serviceId = ServiceIdentity.loadOrCreate(dir).serviceId();
    SignIn signIn =
        new SignIn(
            serviceId, id -> Optional.ofNullable(venue.accounts().get(id)), Clock.systemUTC());
    String c = signIn.challenge();
    Captured signed = Captured.zkm("sign-challenge", "--data", dir.toString(), "--account", "1", c);
    assertEquals(0, signed.exit(), signed.err());
    String sig = signed.out().strip();
    assertTrue(sig.matches("[0-9a-f]{192}"), sig);
    assertTrue(signIn.signIn(1, c, sig).isPresent());
    String c2 = signIn.challenge();
    String sig2 =
        Captured.zkm("sign-challenge", "--data", dir.toString(), "--account", "1", c2)
            .out()
            .strip();
    assertTrue(
        signIn.signIn(2, c2, sig2).isEmpty(), "account 1's signature does not open account 2");
    Captured bad =
        Captured.zkm("sign-challenge", "--data", dir.toString(), "--account", "1", "hello");
    assertEquals(2, bad.exit());
    Captured noKey = Captured.zkm("sign-challenge", "--data", dir.toString(), "--account", "9", c);
    assertEquals(1, noKey.exit());
  }

  @Test
  void servePrintsTheDashboardAddress(@TempDir Path dir) throws Exception {
    ServiceLogging.quiet(true);
    DemoVenues.write(dir, 4, 1, CircuitSizes.TEST);
    ZkmServer[] server = new ZkmServer[1];
    Captured started =
        Captured.run(
            () -> {
              server[0] =
                  ServeCommand.start(
                      new String[] {
                        "--data",
                        dir.toString(),
                        "--port",
                        "0",
                        "--metrics-port",
                        "-1",
                        "--no-chain"
                      });
              return 0;
            });
    try (ZkmServer s = server[0]) {
      Matcher m =
          Pattern.compile("zkm serve: dashboard (http://127\\.0\\.0\\.1:\\d+/)")
              .matcher(started.err());
      assertTrue(m.find(), started.err());
      HttpResponse<String> page =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(m.group(1))).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("<title>zkmargin dashboard</title>"), page.body());
    }
  }
}
