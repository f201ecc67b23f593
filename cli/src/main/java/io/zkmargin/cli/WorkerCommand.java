package io.zkmargin.cli;

import io.zkmargin.store.WorkerMain;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm worker --db URL [--threads N]}: joins the proving pool of a venue's database from
 * any machine that reaches it, and proves until stopped (SIGTERM/SIGINT: running jobs finish).
 */
@Command(
    name = "worker",
    description = "join the proving pool of a venue's PostgreSQL database and prove its jobs")
final class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;
  @Mixin Cli.DevKeysOption devKeys;

  @Option(
      names = "--db",
      paramLabel = "URL",
      required = true,
      description = "the venue's database: postgresql://USER:PASSWORD@HOST:PORT/DB")
  String db;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "1",
      description = "jobs proven at once (default 1; a proof uses every core)")
  long threads;

  @Option(
      names = "--kinds",
      paramLabel = "K,K",
      split = ",",
      defaultValue = "health,noop",
      description = "the job kinds to take (default health,noop)")
  List<String> kinds;

  @Option(
      names = "--lease-ms",
      paramLabel = "MS",
      defaultValue = "10000",
      description = "lease length; heartbeats renew it every third (default 10000)")
  long leaseMs;

  @Option(names = "--name", paramLabel = "NAME", description = "worker name (default host:pid)")
  String name;

  @Override
  public Integer call() throws InterruptedException {
    int t = (int) Cli.range(spec, "threads", threads, 1, 256);
    long lease = Cli.range(spec, "lease-ms", leaseMs, 300, 3_600_000);
    WorkerMain.Options o;
    try {
      o =
          new WorkerMain.Options(
              db,
              t,
              kinds,
              Duration.ofMillis(lease),
              name == null ? io.zkmargin.store.Worker.defaultName() : name);
    } catch (IllegalArgumentException e) {
      System.err.println("zkm worker: " + e.getMessage());
      return Cli.USAGE_ERROR;
    }
    if (devKeys.allowed(null)) {
      // the worker opens the default key store, which reads the development-key policy from here
      System.setProperty(io.zkmargin.prover.KeyStore.ALLOW_DEV_KEYS_PROPERTY, "true");
    }
    try {
      return WorkerMain.run(o);
    } catch (RuntimeException e) {
      System.err.println("zkm worker: " + e.getMessage());
      return 1;
    }
  }
}
