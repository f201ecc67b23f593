package io.zkmargin.cli;

import io.zkmargin.store.Database;
import io.zkmargin.store.VenueImport;
import io.zkmargin.store.VenueRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./zkm venue import}: a venue's inputs into its database. */
@Command(
    name = "venue",
    description = "a venue's inputs in its database (import)",
    subcommands = {VenueCommand.Import.class})
final class VenueCommand implements Callable<Integer> {
  @Mixin Cli.HelpOption help;

  @Override
  public Integer call() {
    System.err.println("zkm venue: a subcommand is required: import (see ./zkm venue --help)");
    return Cli.USAGE_ERROR;
  }

  /**
   * {@code ./zkm venue import --data DIR [--db URL] FILES...}: checks the files (format in
   * store/README.md, example set in examples/venue) and loads them in one transaction.
   */
  @Command(
      name = "import",
      description =
          "load venue files (config.json, instruments.csv, collateral.csv, tiers.csv, quotes.csv,"
              + " funding.csv, accounts.csv) into the database; a file with an error loads nothing")
  static final class Import implements Callable<Integer> {
    @Mixin Cli.HelpOption help;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        defaultValue = "demo",
        description = "the venue's data directory; its embedded database is DIR/postgres")
    Path dir;

    @Option(
        names = "--db",
        paramLabel = "URL",
        description = "an existing server instead: postgresql://USER:PASSWORD@HOST:PORT/DB")
    String db;

    @Parameters(paramLabel = "FILES", arity = "1..*", description = "the files to import")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
      for (Path f : files) {
        if (!Files.isRegularFile(f)) {
          System.err.println("zkm venue import: no file " + f);
          return 1;
        }
      }
      long t0 = System.nanoTime();
      try (Database database = DbOption.open(db, dir, 4)) {
        VenueImport.Result r = VenueImport.importFiles(database.dataSource(), files);
        double importS = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
            "imported in %.2f s: %d accounts, %d instruments, epoch %d (venue version %d)%n",
            importS, r.accounts(), r.instruments(), r.epoch(), r.version());
        var committed = new VenueRepository(database.dataSource()).openCommitted();
        System.out.printf(
            "  stateRoot %s%n  riskRoot  %s%n", committed.stateRoot(), committed.riskRoot());
        return 0;
      } catch (VenueImport.ImportException e) {
        System.err.println("zkm venue import: " + e.getMessage());
        return 1;
      }
    }
  }
}
