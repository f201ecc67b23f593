package io.zkmargin.cli;

import io.grpc.StatusRuntimeException;
import io.zkmargin.grpc.ceremony.CeremonyClient;
import io.zkmargin.grpc.ceremony.CeremonyCoordinator;
import io.zkmargin.nativebridge.NativeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./zkm ceremony serve} and {@code ./zkm ceremony contribute --coordinator HOST:PORT}. */
final class CeremonyNetwork {
  private CeremonyNetwork() {}

  @Command(
      name = "serve",
      header = "coordinate one phase over gRPC/TLS: queue, turn timeout, verify on receipt",
      description = {
        "coordinate one phase of the ceremony in --dir over gRPC with TLS: participants queue, each",
        "in turn downloads the latest state and uploads its contribution (size capped at the door),",
        "which is verified on receipt and stored as the next file; one that does not verify is",
        "refused and the queue moves on, as does a turn that times out. Participants pin DIR/tls/server.crt",
        "(made on first use; hand it to them out of band). Without --circuit: phase 1. Stop with Ctrl-C"
      })
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin CeremonyCommand.DirOption dir;

    @Option(
        names = "--circuit",
        paramLabel = "ID",
        description = "coordinate phase 2 of this circuit (default: phase 1)")
    String circuitId;

    @Option(
        names = "--bind",
        paramLabel = "ADDR",
        defaultValue = "127.0.0.1",
        description = "address to listen on (default 127.0.0.1)")
    String bind;

    @Option(
        names = "--port",
        paramLabel = "PORT",
        defaultValue = "50061",
        description = "port (default 50061; 0: any free port, printed)")
    long port;

    @Option(
        names = "--turn-timeout",
        paramLabel = "SECONDS",
        defaultValue = "900",
        description = "how long one participant's turn lasts at most (default 900)")
    long turnTimeout;

    @Override
    public Integer call() throws InterruptedException {
      Cli.range(spec, "port", port, 0, 65535);
      Cli.range(spec, "turn-timeout", turnTimeout, 1, 7 * 24 * 3600);
      CeremonyCoordinator c;
      System.err.println(
          "zkm ceremony serve: verifying the folder's chain once in full (for phase 2 this runs"
              + " the phase-2 initialization: minutes at production size); uploads are then"
              + " checked against the last accepted contribution only");
      try {
        c =
            CeremonyCoordinator.start(
                dir.dir, circuitId, bind, (int) port, Duration.ofSeconds(turnTimeout), System.out);
      } catch (NativeException e) {
        System.err.println(
            (e.code() == NativeException.VERIFICATION_FAILED ? "REFUSED: " : "zkm ceremony serve: ")
                + e.getMessage());
        return 1;
      } catch (IOException | IllegalStateException | IllegalArgumentException e) {
        System.err.println("zkm ceremony serve: " + e.getMessage());
        return 1;
      }
      System.out.printf(
          "ceremony coordinator for %s listening on %s:%d (TLS); participants pin %s%n",
          circuitId == null ? "phase 1" : "phase 2 of " + circuitId,
          bind,
          c.port(),
          CeremonyCoordinator.certificate(dir.dir).toAbsolutePath());
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    c.close();
                    stop.countDown();
                  }));
      stop.await();
      return 0;
    }
  }

  @Command(
      name = "contribute",
      header = "contribute through a coordinator (./zkm ceremony serve) from this machine",
      description = {
        "join the coordinator's queue, wait for your turn, download the latest state, contribute",
        "here (your secret never leaves this process and is erased) and upload the result. Prints",
        "the hash of what you received and produced. Exit 0 accepted, 1 refused or dropped"
      })
  static final class Contribute implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin CeremonyCommand.EntropyOption entropy;

    @Option(
        names = "--coordinator",
        paramLabel = "HOST:PORT",
        required = true,
        description = "the coordinator")
    String target;

    @Option(
        names = "--cert",
        paramLabel = "FILE",
        required = true,
        description =
            "the coordinator's certificate (its DIR/tls/server.crt), obtained out of band")
    Path cert;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        defaultValue = "",
        description = "a name for the coordinator's log")
    String name;

    @Override
    public Integer call() throws InterruptedException {
      if (!target.matches("[^:\\s]+:\\d{1,5}")) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--coordinator must be HOST:PORT, was " + target);
      }
      try (CeremonyClient client = CeremonyClient.connect(target, cert)) {
        CeremonyClient.Result r =
            client.contribute(name, entropy.bytes(), Duration.ofSeconds(1), System.out);
        if (!r.response().getAccepted()) {
          System.err.println("REFUSED: " + r.response().getReason());
          return 1;
        }
        return 0;
      } catch (IOException
          | IllegalStateException
          | IllegalArgumentException
          | NativeException
          | StatusRuntimeException e) {
        System.err.println("zkm ceremony contribute: " + e.getMessage());
        return 1;
      }
    }
  }
}
