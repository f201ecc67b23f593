package io.zkmargin.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.demo.DemoVenue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code ./zkm venue import}: the files of examples/venue, and each malformed field's error. */
class VenueImportTest {
  private static Database db;

  @BeforeAll
  static void start() {
    db = Database.embedded(TestDb.freshRoot("import"), 4);
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  static Venue demoVenue(DemoVenue d) {
    TreeMap<Long, AccountLeaf> leaves = new TreeMap<>();
    for (int i = 0; i < d.accounts().size(); i++) {
      leaves.put((long) i, d.accounts().get(i));
    }
    return new Venue(d.sizes(), leaves, d.riskVector(), Optional.empty());
  }

  static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().endsWith(".md")).sorted().toList();
    }
  }

  @Test
  void theExampleSetImportsToTheDemoVenueItWasExportedFrom() throws Exception {
    // examples/venue is ./zkm demo --accounts 8 --seed 7 exported (kept in sync by this test)
    DemoVenue demo = DemoVenues.generate(8, 7, CircuitSizes.TEST);
    Venue venue = demoVenue(demo);
    Path examples = Path.of(System.getProperty("zkm.root", "..")).resolve("examples/venue");
    Path fresh = TestDb.freshRoot("export");
    VenueImport.export(fresh, VenueImport.ofDemo(demo), venue);
    if (Boolean.getBoolean("zkm.updateExamples")) { // regenerate: -Dzkm.updateExamples=true
      for (Path f : files(fresh)) {
        Files.copy(
            f,
            examples.resolve(f.getFileName()),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (Path f : files(fresh)) {
      assertEquals(
          Files.readString(f),
          Files.readString(examples.resolve(f.getFileName())),
          "examples/venue/"
              + f.getFileName()
              + " is stale: regenerate it with this test and -Dzkm.updateExamples=true");
    }
    VenueImport.Result r = VenueImport.importFiles(db.dataSource(), files(examples));
    assertEquals(8, r.accounts());
    CommittedVenue expected = new CommittedVenue(venue);
    CommittedVenue stored = new VenueRepository(db.dataSource()).openCommitted();
    assertEquals(expected.stateRoot(), stored.stateRoot());
    assertEquals(expected.riskRoot(), stored.riskRoot());
    // reopening checks the rebuilt roots against the recorded ones
    assertEquals(
        expected.stateRoot(), new VenueRepository(db.dataSource()).openCommitted().stateRoot());
    VenueImport.Market m = VenueImport.loadMarket(db.dataSource()).orElseThrow();
    assertEquals(demo.instruments(), m.instruments());
    assertEquals(demo.epoch(), m.epoch());
  }

  /** examples/venue with the files of examples/venue-expiry (settlements, vols) laid over it. */
  static Path withExpiryInputs() throws Exception {
    Path root = Path.of(System.getProperty("zkm.root", ".."));
    Path dir = TestDb.freshRoot("expiry");
    Files.createDirectories(dir);
    for (Path f : files(root.resolve("examples/venue"))) {
      Files.copy(f, dir.resolve(f.getFileName()));
    }
    for (Path f : files(root.resolve("examples/venue-expiry"))) {
      Files.copy(
          f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }

  @Test
  void settlementPricesAndPerInstrumentVolsEnterTheRiskVector() throws Exception {
    VenueImport.importFiles(db.dataSource(), files(withExpiryInputs()));
    VenueImport.Market m = VenueImport.loadMarket(db.dataSource()).orElseThrow();
    assertEquals(3_450_000_000L, m.settlements().get(new VenueImport.Expiry("ETH", 1766620800L)));
    assertEquals(800_000_000_000_000_000L, m.instrumentVols().get(6));
    var stored = new VenueRepository(db.dataSource()).load().orElseThrow().venue().riskVector();
    // option 7, an ETH call struck at 3,400 settled at 3,450: 50 per ETH x 0.1 ETH a lot, no risk
    var settled = stored.entries().get(7);
    assertEquals(5_000_000L, settled.mark());
    assertTrue(settled.settled());
    assertEquals(5_000_000L, settled.settlementValue());
    assertEquals(0L, settled.floorMm() + settled.floorIm());
    assertTrue(java.util.Arrays.stream(settled.rmm()).allMatch(v -> v == 0));
    assertTrue(java.util.Arrays.stream(settled.rim()).allMatch(v -> v == 0));
    // option 6 at its own 80% vol: the risk model's entry on a flat smile at 80%, not BTC's smile
    var demo = DemoVenues.generate(8, 7, CircuitSizes.TEST).riskVector();
    var o6 =
        (io.zkmargin.risk.product.EuropeanOption)
            m.instruments().stream().filter(i -> i.id() == 6).findFirst().orElseThrow();
    var q = m.epoch().quote("BTC");
    var flat = new TreeMap<>(m.epoch().quotes());
    flat.put(
        "BTC", new io.zkmargin.risk.market.UnderlyingQuote(q.spot(), 800_000_000_000_000_000L, 0));
    var expected =
        io.zkmargin.risk.vector.RiskVectorBuilder.DEFAULT.entry(
            m.epoch().withQuotes(flat), o6, m.config());
    assertEquals(expected.mark(), stored.entries().get(6).mark());
    assertTrue(java.util.Arrays.equals(expected.rmm(), stored.entries().get(6).rmm()));
    assertTrue(stored.entries().get(6).mark() > demo.entries().get(6).mark(), "80% > BTC's smile");
    // the instruments without such inputs keep the risk model's entries
    assertEquals(demo.entries().get(0).mark(), stored.entries().get(0).mark());
    assertEquals(demo.entries().get(5).mark(), stored.entries().get(5).mark());
  }

  @Test
  void eachMalformedFieldNamesItsFileLineAndFieldAndNothingIsLoaded() throws Exception {
    Path examples = withExpiryInputs();
    VenueImport.importFiles(db.dataSource(), files(examples));
    VenueRepository repo = new VenueRepository(db.dataSource());
    long version = repo.version();
    // {file, line number (1 = header), column, bad value, expected error fragment}
    String[][] cases = {
      {"instruments.csv", "2", "1", "future", "instruments.csv:2: field kind"},
      {"instruments.csv", "2", "0", "99999", "instruments.csv:2: field id"},
      {"instruments.csv", "3", "3", "0", "instruments.csv:3: field lot_size"},
      {"instruments.csv", "4", "4", "straddle", "instruments.csv:4: field option_type"},
      {"collateral.csv", "3", "4", "2000000", "collateral.csv:3: field haircut_ppm"},
      {"collateral.csv", "2", "2", "12", "collateral.csv:2: field decimals"},
      {"tiers.csv", "2", "1", "5", "tiers.csv:2: field factor_ppm"},
      {"quotes.csv", "2", "3", "-1", "quotes.csv:2: field spot"},
      {"quotes.csv", "2", "4", "x", "quotes.csv:2: field atm_vol"},
      {"funding.csv", "2", "1", "77", "funding.csv:2: field instrument_id"},
      {"accounts.csv", "3", "4", "9", "accounts.csv:3: field tier"},
      {"accounts.csv", "3", "3", "-5", "accounts.csv:3: field nonce"},
      {"accounts.csv", "4", "5", "1;x", "accounts.csv:4: field balances[1]"},
      {"accounts.csv", "5", "1", "-1", "accounts.csv:5: field owner_pk_x"},
      {"accounts.csv", "6", "6", "9:1:0", "accounts.csv:6: field positions[0].instrument"},
      {"accounts.csv", "3", "7", "0xB0B0", "accounts.csv:3: field l1_address"}, // not 40 digits
      {"accounts.csv", "4", "7", "12345", "accounts.csv:4: field l1_address"}, // not hex
      {"vols.csv", "2", "1", "0", "vols.csv:2: field instrument_id"}, // a perp
      {"vols.csv", "3", "2", "0", "vols.csv:3: field vol"},
      {"settlements.csv", "2", "2", "0", "settlements.csv:2: field price"},
      {"settlements.csv", "2", "1", "1769817600", "settlements.csv:2: field expiry"}, // future
      {"settlements.csv", "2", "0", "BTC", "settlements.csv:2: field expiry"}, // no BTC option then
      {"instruments.csv", "8", "6", "1766620800", "instruments.csv:8: field expiry"}, // unsettled
    };
    for (String[] c : cases) {
      Path dir = TestDb.freshRoot("bad");
      Files.createDirectories(dir);
      for (Path f : files(examples)) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
      Path f = dir.resolve(c[0]);
      List<String> lines = new ArrayList<>(Files.readAllLines(f));
      int line = Integer.parseInt(c[1]) - 1;
      String[] cells = lines.get(line).split(",", -1);
      cells[Integer.parseInt(c[2])] = c[3];
      lines.set(line, String.join(",", cells));
      Files.write(f, lines);
      VenueImport.ImportException e =
          assertThrows(
              VenueImport.ImportException.class,
              () -> VenueImport.importFiles(db.dataSource(), files(dir)),
              String.join(" ", c));
      assertTrue(
          e.errors().stream()
              .anyMatch(s -> s.contains(dir.resolve(c[0]) + c[4].substring(c[0].length()))),
          c[4] + " in " + e.errors());
      assertEquals(version, repo.version(), "a failed import changes nothing");
    }
  }
}
