package io.zkmargin.dac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.chain.OracleKeys;
import io.zkmargin.chain.OracleSigner;
import io.zkmargin.dac.BatchRefusedException.Check;
import io.zkmargin.prover.AtomicFiles;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.web3j.crypto.ECKeyPair;
import org.web3j.utils.Numeric;

/**
 * A data-availability committee member: its secp256k1 signing key, the EIP-712 domain it signs for
 * (chain id, Settlement address), the genesis it started from, its stored batches and its replayed
 * state ({@link ReplayState}). The gRPC service ({@link DacServer}) is a thin shell around it.
 *
 * <p>Data directory:
 *
 * <ul>
 *   <li>{@code member.key}: the private key, hex, owner-only (made on first start);
 *   <li>{@code member.json}: the domain ({@code chainId}, {@code settlement}), fixed on first
 *       start;
 *   <li>{@code genesis.json}: the {@link Genesis} document;
 *   <li>{@code batches/000001.json}, ...: each accepted batch's witness JSON, byte for byte,
 *       written atomically and fsynced ({@link AtomicFiles}) BEFORE the member signs it;
 *   <li>{@code state.json}: latest batch, root and deposit head after it (rewritten after each
 *       batch; on start the replay of the stored batches must reach that root).
 * </ul>
 *
 * <p>Thread-safe: every method is synchronized (one batch at a time; reads see a whole batch).
 */
public final class DacMember {
  /** Key file name in the data directory. */
  public static final String KEY_FILE = "member.key";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a member answers for an accepted batch. */
  public record Signed(
      long batchNumber,
      byte[] signature,
      String signer,
      BigInteger dataHash,
      BigInteger newRoot,
      long chainId,
      String settlement) {}

  private final Path dir;
  private final ECKeyPair key;
  private final String signer;
  private final long chainId;
  private final String settlement;
  private final Genesis genesis;
  private ReplayState state;
  // (dataHash, newRoot) of each stored batch, index = batch - 1
  private final List<BigInteger[]> stored = new ArrayList<>();

  private DacMember(Path dir, ECKeyPair key, long chainId, String settlement, Genesis genesis) {
    this.dir = dir;
    this.key = key;
    this.signer = OracleSigner.address(key);
    this.chainId = chainId;
    this.settlement = settlement;
    this.genesis = genesis;
    this.state = new ReplayState(genesis);
  }

  /**
   * Opens (or on first start creates) a member in {@code dir} and rebuilds its state by replaying
   * its stored batches.
   *
   * @param dir the data directory
   * @param genesis the genesis to start from on first start; null to use the stored one (required
   *     on first start); when both exist they must have the same root
   * @param chainId the chain the Settlement lives on (EIP-712 domain), {@code > 0}; 0 to use the
   *     stored one
   * @param settlement the Settlement address (EIP-712 domain); null to use the stored one
   * @param log progress lines (key address, replayed batches)
   * @throws IOException on a storage error
   * @throws IllegalArgumentException when the arguments contradict the stored member or a stored
   *     batch does not replay (the data directory is damaged)
   */
  public static DacMember open(
      Path dir, Genesis genesis, long chainId, String settlement, PrintStream log)
      throws IOException {
    ArgChecker.notNull(dir, "dir");
    ArgChecker.notNull(log, "log");
    Files.createDirectories(dir);
    ECKeyPair key = loadOrCreateKey(dir, log);

    Path conf = dir.resolve("member.json");
    if (Files.isRegularFile(conf)) {
      JsonNode c = JSON.readTree(conf.toFile());
      long storedChain = c.path("chainId").asLong();
      String storedSettlement = c.path("settlement").asText();
      ArgChecker.isTrue(
          chainId == 0 || chainId == storedChain,
          "this member signs for chain {} (member.json), not {}",
          storedChain,
          chainId);
      ArgChecker.isTrue(
          settlement == null || normalize(settlement).equals(storedSettlement),
          "this member signs for Settlement {} (member.json), not {}",
          storedSettlement,
          settlement);
      chainId = storedChain;
      settlement = storedSettlement;
    } else {
      ArgChecker.isTrue(chainId > 0, "first start: the chain id is needed (e.g. 31337 on anvil)");
      ArgChecker.notNull(settlement, "first start: the Settlement address is needed; settlement");
      settlement = normalize(settlement);
      ObjectNode c = JSON.createObjectNode();
      c.put("format", "zkmargin-dac-member-v1");
      c.put("chainId", chainId);
      c.put("settlement", settlement);
      AtomicFiles.write(
          conf,
          (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c) + "\n")
              .getBytes(StandardCharsets.UTF_8),
          "rw-r--r--");
    }

    Path gen = dir.resolve("genesis.json");
    if (Files.isRegularFile(gen)) {
      Genesis storedGenesis = Genesis.fromJson(Files.readAllBytes(gen));
      ArgChecker.isTrue(
          genesis == null || genesis.root().equals(storedGenesis.root()),
          "this member started from genesis root {} (genesis.json), not {}",
          storedGenesis.root(),
          genesis == null ? null : genesis.root());
      genesis = storedGenesis;
    } else {
      ArgChecker.notNull(genesis, "first start: a genesis is needed; genesis");
      AtomicFiles.write(gen, genesis.toJson(), "rw-r--r--");
    }

    DacMember m = new DacMember(dir, key, chainId, settlement, genesis);
    m.replayStored(log);
    return m;
  }

  private static ECKeyPair loadOrCreateKey(Path dir, PrintStream log) throws IOException {
    Path f = dir.resolve(KEY_FILE);
    boolean made = !Files.isRegularFile(f);
    ECKeyPair k = OracleKeys.loadOrCreate(f, new SecureRandom());
    if (made) {
      log.println("dac: made a new member key " + f + ", address " + OracleSigner.address(k));
    }
    return k;
  }

  private static String normalize(String address) {
    byte[] a = Numeric.hexStringToByteArray(address);
    ArgChecker.isTrue(a.length == 20, "not a 20-byte address: {}", address);
    return Numeric.toHexString(a).toLowerCase(Locale.ROOT);
  }

  /** The stored batch file of a batch number. */
  public Path batchFile(long batchNumber) {
    return dir.resolve("batches").resolve(String.format(Locale.ROOT, "%06d.json", batchNumber));
  }

  private void replayStored(PrintStream log) throws IOException {
    long b = 1;
    while (Files.isRegularFile(batchFile(b))) {
      byte[] bytes = Files.readAllBytes(batchFile(b));
      try {
        WitnessDocument doc = WitnessDocument.parse(bytes);
        final long at = b;
        state.apply(
            b,
            doc,
            () -> {
              throw new BatchRefusedException(Check.TRANSITION, "stored batch " + at);
            });
        stored.add(new BigInteger[] {doc.dataHash(), doc.newRoot()});
      } catch (BatchRefusedException e) {
        throw new IllegalArgumentException(
            "stored batch "
                + batchFile(b)
                + " does not replay (damaged data directory?): "
                + e.getMessage(),
            e);
      }
      b++;
    }
    // state.json is written after each batch file: after a crash between the two it lags by one
    // batch (the batch file is the durable record); ahead of the batches, or at another root, the
    // directory lost or changed a batch
    Path st = dir.resolve("state.json");
    if (Files.isRegularFile(st)) {
      JsonNode s = JSON.readTree(st.toFile());
      long latest = s.path("latestBatch").asLong();
      String root = s.path("root").asText();
      String replayedRoot =
          latest == 0
              ? genesis.root().toString()
              : latest <= stored.size() ? stored.get((int) latest - 1)[1].toString() : null;
      if (!root.equals(replayedRoot)) {
        throw new IllegalArgumentException(
            "state.json records batch "
                + latest
                + " root "
                + root
                + ", the stored batches replay to batch "
                + state.latestBatch()
                + " root "
                + state.root()
                + " (a batch file lost or changed?)");
      }
    }
    if (state.latestBatch() > 0) {
      writeState();
    }
    log.println(
        "dac: member "
            + signer
            + " at batch "
            + state.latestBatch()
            + " (replayed "
            + stored.size()
            + " stored batches), root "
            + state.root());
  }

  /**
   * Checks, stores and signs a batch (see {@link ReplayState#apply} for the checks).
   *
   * @param batchNumber the batch number Settlement will finalize it as, {@code >= 1}
   * @param witnessJson the batch witness JSON document (untrusted)
   * @return the signature over {@code BatchData(batchNumber, dataHash, newRoot)}
   * @throws BatchRefusedException naming the failed check; nothing changed
   * @throws IOException when the batch cannot be stored (nothing signed)
   */
  public synchronized Signed submit(long batchNumber, byte[] witnessJson)
      throws BatchRefusedException, IOException {
    WitnessDocument doc = WitnessDocument.parse(witnessJson);
    if (batchNumber >= 1 && batchNumber <= stored.size()) {
      BigInteger[] s = stored.get((int) batchNumber - 1);
      if (s[0].equals(doc.dataHash()) && s[1].equals(doc.newRoot())) {
        return sign(batchNumber, s[0], s[1]); // idempotent: RFC 6979 signatures are deterministic
      }
      throw new BatchRefusedException(
          Check.CONFLICT,
          "batch "
              + batchNumber
              + " is already stored with dataHash "
              + s[0]
              + " and newRoot "
              + s[1]);
    }
    state.apply(batchNumber, doc, this::rebuild);
    try {
      AtomicFiles.write(batchFile(batchNumber), witnessJson, "rw-r--r--");
      writeState();
    } catch (IOException e) {
      // not stored: not signed; go back to the stored state
      Files.deleteIfExists(batchFile(batchNumber));
      try {
        state = rebuild();
      } catch (BatchRefusedException r) {
        throw new IllegalStateException(r);
      }
      throw e;
    }
    stored.add(new BigInteger[] {doc.dataHash(), doc.newRoot()});
    return sign(batchNumber, doc.dataHash(), doc.newRoot());
  }

  private void writeState() throws IOException {
    ObjectNode s = JSON.createObjectNode();
    s.put("latestBatch", state.latestBatch());
    s.put("root", state.root().toString());
    s.put("depositHead", state.depositHead().toString());
    AtomicFiles.write(
        dir.resolve("state.json"),
        (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s) + "\n")
            .getBytes(StandardCharsets.UTF_8),
        "rw-r--r--");
  }

  /** The state after genesis and the stored batches, replayed afresh. */
  private ReplayState rebuild() throws BatchRefusedException {
    ReplayState s = new ReplayState(genesis);
    for (long b = 1; b <= stored.size(); b++) {
      final long at = b;
      try {
        s.apply(
            b,
            WitnessDocument.parse(Files.readAllBytes(batchFile(b))),
            () -> {
              throw new BatchRefusedException(Check.TRANSITION, "stored batch " + at);
            });
      } catch (IOException e) {
        throw new IllegalStateException("cannot read stored batch " + batchFile(b), e);
      }
    }
    return s;
  }

  private Signed sign(long batchNumber, BigInteger dataHash, BigInteger newRoot) {
    byte[] digest =
        OracleSigner.batchDataDigest(chainId, settlement, batchNumber, dataHash, newRoot);
    return new Signed(
        batchNumber,
        OracleSigner.signature(key, digest),
        signer,
        dataHash,
        newRoot,
        chainId,
        settlement);
  }

  /** The stored witness JSON of a batch, or null when not stored. */
  public synchronized byte[] batch(long batchNumber) throws IOException {
    if (batchNumber < 1 || batchNumber > stored.size()) {
      return null;
    }
    return Files.readAllBytes(batchFile(batchNumber));
  }

  /** An account's leaf and path at the latest batch. */
  public record AccountView(
      long accountId,
      io.zkmargin.commit.AccountLeaf leaf,
      BigInteger[] path,
      BigInteger root,
      long batchNumber) {}

  /**
   * An account's leaf (null for an empty leaf) and Merkle path at the latest batch.
   *
   * @param accountId in {@code [0, 2^D)}
   */
  public synchronized AccountView account(long accountId) {
    ArgChecker.inRangeExclusive(
        accountId, 0, 1L << genesis.config().sizes().stateDepth(), "accountId");
    return new AccountView(
        accountId, state.leaf(accountId), state.path(accountId), state.root(), state.latestBatch());
  }

  public Genesis genesis() {
    return genesis;
  }

  /** The member's 0x-prefixed lower-case signer address. */
  public String signer() {
    return signer;
  }

  public long chainId() {
    return chainId;
  }

  /** The Settlement address it signs for, 0x lower-case. */
  public String settlement() {
    return settlement;
  }

  public synchronized long latestBatch() {
    return state.latestBatch();
  }

  public synchronized BigInteger root() {
    return state.root();
  }

  public synchronized BigInteger depositHead() {
    return state.depositHead();
  }

  public Path dir() {
    return dir;
  }
}
