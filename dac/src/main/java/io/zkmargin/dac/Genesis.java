package io.zkmargin.dac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.Commitments;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.LedgerConfig;
import io.zkmargin.prover.Venue;
import io.zkmargin.risk.account.AccountState;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The account tree a Settlement contract starts from (its genesis root, batch 0): the ledger sizes
 * and every genesis account's leaf. A committee member starts from it; an auditor checks that its
 * root is the contract's genesis root before replaying.
 *
 * <p>JSON ({@value #FORMAT}): {@code {"format", "sizes": "batch-D..-K..-L..", "feeAccount", "root",
 * "accounts": [{"id", "pkX", "pkY", "l1Address", "ordersRoot", "words": [...]}]}}, field elements
 * as decimal strings, words as JSON numbers (docs/ENCODING.md leaf words). Genesis leaves must have
 * {@code ordersRoot = 0} (see {@link Ledger#registerGenesis(long, AccountLeaf)}).
 */
public final class Genesis {
  /** Format tag of the JSON document. */
  public static final String FORMAT = "zkmargin-dac-genesis-v1";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LedgerConfig config;
  private final SortedMap<Long, AccountLeaf> accounts;
  private final SortedMap<Long, long[][]> orderSlots;
  private final BigInteger root;

  /**
   * @param config the ledger sizes (D..T, K, L, fee account)
   * @param accounts genesis leaves by account id in {@code [0, 2^D)}, each fitting the sizes with
   *     {@code ordersRoot = 0}
   */
  public Genesis(LedgerConfig config, Map<Long, AccountLeaf> accounts) {
    this(config, accounts, Map.of());
  }

  /**
   * A genesis that continues a saved state (the venue's database at a finalized batch of an earlier
   * deployment): accounts that filled orders carry their order-fill slots.
   *
   * @param orderSlots by account id, {@code [orderIds, filled]} of the 2^K slots; each must hash to
   *     the account's {@code ordersRoot} (an account absent here must have {@code ordersRoot = 0})
   */
  public Genesis(
      LedgerConfig config, Map<Long, AccountLeaf> accounts, Map<Long, long[][]> orderSlots) {
    this.config = ArgChecker.notNull(config, "config");
    ArgChecker.notNull(accounts, "accounts");
    ArgChecker.notNull(orderSlots, "orderSlots");
    TreeMap<Long, AccountLeaf> copy = new TreeMap<>(accounts);
    this.accounts = Collections.unmodifiableSortedMap(copy);
    TreeMap<Long, long[][]> slots = new TreeMap<>();
    orderSlots.forEach((id, v) -> slots.put(id, new long[][] {v[0].clone(), v[1].clone()}));
    this.orderSlots = Collections.unmodifiableSortedMap(slots);
    this.root = ledger().stateTree().root(); // checks every leaf on the way
  }

  /**
   * The genesis of a venue (e.g. the demo venue of {@code ./zkm serve}, whose committed state root
   * {@code LocalChain} deploys as the Settlement's genesis root), with the ledger config of its
   * sizes ({@link #configFor}).
   */
  public static Genesis of(Venue venue) {
    ArgChecker.notNull(venue, "venue");
    return new Genesis(configFor(venue.sizes()), venue.accounts());
  }

  /**
   * The ledger config of circuit sizes: {@link LedgerConfig#TEST} or {@link
   * LedgerConfig#PRODUCTION} for those sizes, else K = 2, L = 2 and fees to account 0.
   */
  public static LedgerConfig configFor(CircuitSizes sizes) {
    if (sizes.equals(LedgerConfig.TEST.sizes())) {
      return LedgerConfig.TEST;
    }
    if (sizes.equals(LedgerConfig.PRODUCTION.sizes())) {
      return LedgerConfig.PRODUCTION;
    }
    return new LedgerConfig(sizes, 2, 2, 0);
  }

  /** The ledger sizes as a batch circuit id without N, R and Q, e.g. {@code batch-D6-..-K2-L2}. */
  public static String sizesId(LedgerConfig config) {
    return BatchWitness.circuitId(config, 1, 1, 0).replaceFirst("-N1-R1-Q0$", "");
  }

  public LedgerConfig config() {
    return config;
  }

  /** The genesis leaves by account id (unmodifiable). */
  public SortedMap<Long, AccountLeaf> accounts() {
    return accounts;
  }

  /** The genesis state root. */
  public BigInteger root() {
    return root;
  }

  /** Accounts in the genesis tree as Settlement counts them: 1 + the largest id (0 if none). */
  public long accountCount() {
    return accounts.isEmpty() ? 0 : accounts.lastKey() + 1;
  }

  /** A new ledger holding exactly the genesis accounts. */
  public Ledger ledger() {
    Ledger l = new Ledger(config);
    for (Map.Entry<Long, AccountLeaf> e : accounts.entrySet()) {
      long[][] slots = orderSlots.get(e.getKey());
      if (slots == null) {
        l.registerGenesis(e.getKey(), e.getValue());
      } else {
        l.registerGenesis(e.getKey(), e.getValue(), slots[0], slots[1]);
      }
    }
    return l;
  }

  /** A new state tree of the genesis accounts (depth D). */
  public SparseMerkleTree tree() {
    SparseMerkleTree t = new SparseMerkleTree(config.sizes().stateDepth());
    for (Map.Entry<Long, AccountLeaf> e : accounts.entrySet()) {
      Commitments.putAccount(t, e.getKey(), e.getValue());
    }
    return t;
  }

  /** The JSON document, UTF-8, with a trailing newline. */
  public byte[] toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("sizes", sizesId(config));
    o.put("feeAccount", config.feeAccountId());
    o.put("root", root.toString());
    ArrayNode a = o.putArray("accounts");
    for (Map.Entry<Long, AccountLeaf> e : accounts.entrySet()) {
      AccountLeaf l = e.getValue();
      ObjectNode n = a.addObject();
      n.put("id", e.getKey());
      n.put("pkX", l.ownerPkX().toString());
      n.put("pkY", l.ownerPkY().toString());
      n.put("l1Address", l.l1Address().toString());
      n.put("ordersRoot", l.ordersRoot().toString());
      ArrayNode w = n.putArray("words");
      for (long v : l.words()) {
        w.add(v);
      }
      long[][] slots = orderSlots.get(e.getKey());
      if (slots != null) {
        ArrayNode ids = n.putArray("orderIds");
        ArrayNode filled = n.putArray("orderFilled");
        for (int k = 0; k < slots[0].length; k++) {
          ids.add(slots[0][k]);
          filled.add(slots[1][k]);
        }
      }
    }
    try {
      return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses a genesis document and checks its recorded root.
   *
   * @throws IllegalArgumentException naming what is malformed, or when the accounts do not hash to
   *     the recorded root
   */
  public static Genesis fromJson(byte[] bytes) {
    ArgChecker.notNull(bytes, "bytes");
    JsonNode o;
    try {
      o = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("genesis is not JSON: " + e.getMessage(), e);
    }
    ArgChecker.isTrue(
        o != null && FORMAT.equals(o.path("format").asText()), "genesis format must be {}", FORMAT);
    LedgerConfig config = parseSizes(o.path("sizes").asText(), o.path("feeAccount").asLong(0));
    CircuitSizes s = config.sizes();
    int a = s.collateralAssets();
    int p = s.positionSlots();
    Map<Long, AccountLeaf> accounts = new TreeMap<>();
    Map<Long, long[][]> orderSlots = new TreeMap<>();
    int k = 1 << config.orderDepth();
    for (JsonNode n : o.path("accounts")) {
      long id = n.path("id").asLong(-1);
      JsonNode w = n.path("words");
      ArgChecker.isTrue(
          w.isArray() && w.size() == s.leafWordCount(),
          "genesis account {}: {} words expected",
          id,
          s.leafWordCount());
      long[] words = new long[w.size()];
      for (int i = 0; i < words.length; i++) {
        ArgChecker.isTrue(w.get(i).canConvertToLong(), "genesis account {}: word {}", id, i);
        words[i] = w.get(i).asLong();
      }
      long[] ids = new long[p];
      long[] qty = new long[p];
      long[] snap = new long[p];
      for (int j = 0; j < p; j++) {
        ids[j] = words[2 + a + 3 * j];
        qty[j] = words[3 + a + 3 * j];
        snap[j] = words[4 + a + 3 * j];
      }
      AccountLeaf leaf =
          new AccountLeaf(
              new BigInteger(n.path("pkX").asText()),
              new BigInteger(n.path("pkY").asText()),
              new BigInteger(n.path("l1Address").asText()),
              new BigInteger(n.path("ordersRoot").asText()),
              words[0],
              new AccountState(words[1], Arrays.copyOfRange(words, 2, 2 + a), ids, qty, snap));
      ArgChecker.isTrue(accounts.put(id, leaf) == null, "genesis account {} twice", id);
      if (n.has("orderIds")) {
        JsonNode oIds = n.path("orderIds");
        JsonNode oFilled = n.path("orderFilled");
        ArgChecker.isTrue(
            oIds.isArray() && oFilled.isArray() && oIds.size() == k && oFilled.size() == k,
            "genesis account {}: {} order slots expected",
            id,
            k);
        long[][] slots = new long[2][k];
        for (int i = 0; i < k; i++) {
          ArgChecker.isTrue(
              oIds.get(i).canConvertToLong() && oFilled.get(i).canConvertToLong(),
              "genesis account {}: order slot {}",
              id,
              i);
          slots[0][i] = oIds.get(i).asLong();
          slots[1][i] = oFilled.get(i).asLong();
        }
        orderSlots.put(id, slots);
      }
    }
    Genesis g = new Genesis(config, accounts, orderSlots);
    String recorded = o.path("root").asText();
    ArgChecker.isTrue(
        g.root().toString().equals(recorded),
        "genesis accounts hash to root {}, the document records {}",
        g.root(),
        recorded);
    return g;
  }

  /** Parses {@code batch-D..-I..-P..-A..-S..-T..-K..-L..}. */
  static LedgerConfig parseSizes(String id, long feeAccount) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "^batch-(D\\d+-I\\d+-P\\d+-A\\d+-S\\d+-T\\d+)-K(\\d+)-L(\\d+)$")
            .matcher(id);
    ArgChecker.isTrue(m.matches(), "not ledger sizes (batch-D..-K..-L..): {}", id);
    CircuitSizes sizes = CircuitSizes.fromHealthCircuitId("health-" + m.group(1));
    return new LedgerConfig(
        sizes, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), feeAccount);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Genesis g
        && g.config.equals(config)
        && g.root.equals(root)
        && g.accounts.keySet().equals(accounts.keySet());
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }
}
