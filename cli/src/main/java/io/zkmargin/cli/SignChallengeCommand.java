package io.zkmargin.cli;

import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.dashboard.SignIn;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm sign-challenge --data DIR --account N CHALLENGE}: signs the dashboard's sign-in
 * challenge with the account's key ({@code DIR/keys/account-N.key}) for the service of DIR (its
 * certificate in {@code DIR/tls/}) and prints the signature to paste into the page (see {@link
 * SignIn}).
 */
@Command(
    name = "sign-challenge",
    header = "sign the dashboard's sign-in challenge with an account's key",
    description = {
      "Signs the challenge the dashboard shows with the account's EdDSA key (DIR/keys/account-N.key),",
      "bound to the service of DIR (DIR/tls/server.crt); prints the signature to paste into the page."
    })
final class SignChallengeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "demo",
      description = "the served venue's data directory (default ./demo)")
  Path dir;

  @Option(names = "--account", paramLabel = "ID", required = true, description = "the account's id")
  long accountId;

  @Parameters(paramLabel = "CHALLENGE", description = "the challenge the page shows (zkm-...)")
  String challenge;

  @Override
  public Integer call() {
    long account = Cli.range(spec, "account", accountId, 0, Integer.MAX_VALUE);
    if (!challenge.matches("zkm-[0-9a-f]{48}")) {
      System.err.println(
          "zkm sign-challenge: '"
              + challenge
              + "' is not a dashboard challenge (zkm- and 48 hex digits)");
      return Cli.USAGE_ERROR;
    }
    try {
      String serviceId = ServiceIdentity.serviceIdOf(ServiceIdentity.certificateFileIn(dir));
      EdwardsKeyPair key = new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, account));
      System.out.println(SignIn.sign(key, serviceId, account, challenge));
      return 0;
    } catch (IOException e) {
      System.err.println("zkm sign-challenge: " + e.getMessage());
      return 1;
    }
  }
}
