package io.zkmargin.prover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskGlobals;
import io.zkmargin.risk.vector.RiskVector;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads and writes a {@link Venue} as {@code DIR/venue.json}, and the owners' demo keys as {@code
 * DIR/keys/account-ID.key}. Writes go to a temporary file and are renamed into place, so a crash
 * leaves either the old or the new state, never half of one.
 */
public final class VenueStore {

  /** File name of the venue state inside a data directory. */
  public static final String VENUE_FILE = "venue.json";

  /** Format tag of the venue file. */
  public static final String FORMAT = "zkmargin-venue-v1";

  private static final ObjectMapper JSON = new ObjectMapper();

  private VenueStore() {}

  /**
   * Loads the venue of a data directory.
   *
   * @throws IOException when the directory holds no venue (the message says how to make one) or it
   *     is unreadable
   */
  public static Venue load(Path dir) throws IOException {
    Path file = dir.resolve(VENUE_FILE);
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new NoSuchFileException(
          file.toString(),
          null,
          "no venue in " + dir + " (create one with: ./zkm demo --data " + dir + ")");
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new IOException(file + " is not a " + FORMAT + " file");
    }
    try {
      CircuitSizes sizes = CircuitSizes.fromHealthCircuitId(root.get("circuitId").asText());
      long epoch = root.get("epoch").asLong();
      JsonNode demoNode = root.get("demo");
      Optional<Venue.DemoOrigin> demo =
          demoNode == null || demoNode.isNull()
              ? Optional.empty()
              : Optional.of(
                  new Venue.DemoOrigin(
                      demoNode.get("accounts").asInt(), demoNode.get("seed").asLong()));
      TreeMap<Long, AccountLeaf> accounts = new TreeMap<>();
      for (JsonNode a : root.get("accounts")) {
        JsonNode positions = a.get("positions");
        int p = positions.size();
        long[] ids = new long[p];
        long[] qty = new long[p];
        long[] snaps = new long[p];
        for (int j = 0; j < p; j++) {
          JsonNode pos = positions.get(j);
          ids[j] = pos.get("instrumentId").asLong();
          qty[j] = pos.get("quantity").asLong();
          snaps[j] = pos.get("fundingSnapshot").asLong();
        }
        accounts.put(
            a.get("id").asLong(),
            new AccountLeaf(
                    new BigInteger(a.get("ownerPkX").asText()),
                    new BigInteger(a.get("ownerPkY").asText()),
                    a.get("nonce").asLong(),
                    a.get("tier").asLong(),
                    longs(a.get("balances")),
                    ids,
                    qty,
                    snaps)
                // absent in venues written before the demo's L1 addresses: 0 (no L1 address)
                .withL1AddressAndOrdersRoot(
                    new BigInteger(a.path("l1Address").asText("0")),
                    new BigInteger(a.path("ordersRoot").asText("0"))));
      }
      JsonNode risk = root.get("riskVector");
      TreeMap<Integer, InstrumentRiskEntry> instruments = new TreeMap<>();
      for (JsonNode i : risk.get("instruments")) {
        instruments.put(
            i.get("id").asInt(),
            new InstrumentRiskEntry(
                i.get("mark").asLong(),
                i.get("fundingIndex").asLong(),
                i.get("floorMm").asLong(),
                i.get("floorIm").asLong(),
                // absent in venues written before encoding v2: no instrument had settled
                i.path("settled").asBoolean(false),
                i.path("settlementValue").asLong(0),
                longs(i.get("rmm")),
                longs(i.get("rim"))));
      }
      JsonNode g = risk.get("globals");
      JsonNode scen = g.get("collateralScenario");
      long[][] scenarios = new long[scen.size()][];
      for (int a = 0; a < scenarios.length; a++) {
        scenarios[a] = longs(scen.get(a));
      }
      if (!g.has("debtPrice")) { // venues written before debts were valued at the debt price
        throw new IllegalArgumentException("globals.debtPrice is missing: re-create the venue");
      }
      JsonNode lp = g.get("liquidation");
      // absent in venues written before encoding v2: the venue defaults
      LiquidationParams liquidation =
          lp == null
              ? LiquidationParams.DEFAULT
              : new LiquidationParams(
                  lp.get("penaltyPpm").asLong(),
                  lp.get("insuranceSharePpm").asLong(),
                  lp.get("keeperSharePpm").asLong(),
                  lp.get("closeTargetPpm").asLong(),
                  lp.get("insuranceFundId").asLong());
      RiskGlobals globals =
          new RiskGlobals(
              longs(g.get("tierFactorPpm")),
              liquidation,
              longs(g.get("collateralPrice")),
              longs(g.get("debtPrice")),
              scenarios);
      return new Venue(sizes, accounts, new RiskVector(epoch, sizes, instruments, globals), demo);
    } catch (RuntimeException e) {
      throw new IOException(file + " is malformed: " + e.getMessage(), e);
    }
  }

  /** Writes the venue to {@code DIR/venue.json}, creating the directory. */
  public static void save(Path dir, Venue venue) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("circuitId", venue.sizes().healthCircuitId());
    root.put("epoch", venue.epoch());
    venue
        .demo()
        .ifPresent(
            d -> {
              ObjectNode demo = root.putObject("demo");
              demo.put("accounts", d.accounts());
              demo.put("seed", d.seed());
            });
    ArrayNode accounts = root.putArray("accounts");
    for (Map.Entry<Long, AccountLeaf> e : venue.accounts().entrySet()) {
      AccountLeaf leaf = e.getValue();
      ObjectNode a = accounts.addObject();
      a.put("id", e.getKey());
      a.put("ownerPkX", leaf.ownerPkX().toString());
      a.put("ownerPkY", leaf.ownerPkY().toString());
      a.put("l1Address", leaf.l1Address().toString());
      a.put("ordersRoot", leaf.ordersRoot().toString());
      a.put("nonce", leaf.nonce());
      a.put("tier", leaf.tier());
      putLongs(a.putArray("balances"), leaf.balances());
      ArrayNode positions = a.putArray("positions");
      for (int j = 0; j < leaf.quantities().length; j++) {
        ObjectNode pos = positions.addObject();
        pos.put("instrumentId", leaf.instrumentIds()[j]);
        pos.put("quantity", leaf.quantities()[j]);
        pos.put("fundingSnapshot", leaf.fundingSnapshots()[j]);
      }
    }
    ObjectNode risk = root.putObject("riskVector");
    ArrayNode instruments = risk.putArray("instruments");
    for (Map.Entry<Integer, InstrumentRiskEntry> e : venue.riskVector().entries().entrySet()) {
      InstrumentRiskEntry r = e.getValue();
      ObjectNode i = instruments.addObject();
      i.put("id", e.getKey());
      i.put("mark", r.mark());
      i.put("fundingIndex", r.fundingIndex());
      i.put("floorMm", r.floorMm());
      i.put("floorIm", r.floorIm());
      i.put("settled", r.settled());
      i.put("settlementValue", r.settlementValue());
      putLongs(i.putArray("rmm"), r.rmm());
      putLongs(i.putArray("rim"), r.rim());
    }
    ObjectNode g = risk.putObject("globals");
    putLongs(g.putArray("tierFactorPpm"), venue.riskVector().globals().tierFactorPpm());
    LiquidationParams lp = venue.riskVector().globals().liquidation();
    ObjectNode liq = g.putObject("liquidation");
    liq.put("penaltyPpm", lp.penaltyPpm());
    liq.put("insuranceSharePpm", lp.insuranceSharePpm());
    liq.put("keeperSharePpm", lp.keeperSharePpm());
    liq.put("closeTargetPpm", lp.closeTargetPpm());
    liq.put("insuranceFundId", lp.insuranceFundId());
    putLongs(g.putArray("collateralPrice"), venue.riskVector().globals().collateralPrice());
    putLongs(g.putArray("debtPrice"), venue.riskVector().globals().debtPrice());
    ArrayNode scen = g.putArray("collateralScenario");
    for (long[] s : venue.riskVector().globals().collateralScenario()) {
      putLongs(scen.addArray(), s);
    }
    AtomicFiles.write(
        dir.resolve(VENUE_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }

  /** Stores an account owner's demo secret key (hex) under {@code DIR/keys/}. */
  public static void saveOwnerSecret(Path dir, long accountId, BigInteger secret)
      throws IOException {
    AtomicFiles.write(ownerKeyFile(dir, accountId), (secret.toString(16) + "\n").getBytes());
  }

  /** Reads an account owner's demo secret key. */
  public static BigInteger loadOwnerSecret(Path dir, long accountId) throws IOException {
    Path f = ownerKeyFile(dir, accountId);
    if (!Files.isRegularFile(f)) {
      throw new NoSuchFileException(
          f.toString(), null, "no key for account " + accountId + " in " + dir);
    }
    return new BigInteger(Files.readString(f).trim(), 16);
  }

  /** The path of an account owner's demo key file. */
  public static Path ownerKeyFile(Path dir, long accountId) {
    return dir.resolve("keys").resolve("account-" + accountId + ".key");
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode n = array.get(i);
      if (!n.canConvertToExactIntegral() || !n.canConvertToLong()) {
        throw new IllegalArgumentException("not a 64-bit integer: " + n);
      }
      out[i] = n.asLong();
    }
    return out;
  }

  private static void putLongs(ArrayNode array, long[] values) {
    for (long v : values) {
      array.add(v);
    }
  }
}
