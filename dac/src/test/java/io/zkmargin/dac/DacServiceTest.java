package io.zkmargin.dac;

import static io.zkmargin.dac.DacFixtures.CHAIN_ID;
import static io.zkmargin.dac.DacFixtures.SETTLEMENT;
import static io.zkmargin.dac.DacFixtures.bytes;
import static io.zkmargin.dac.DacFixtures.edit;
import static io.zkmargin.dac.DacFixtures.liqArray;
import static io.zkmargin.dac.DacFixtures.liqField;
import static io.zkmargin.dac.DacFixtures.orderField;
import static io.zkmargin.dac.DacFixtures.slotArray;
import static io.zkmargin.dac.DacFixtures.slotField;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zkmargin.api.v1.GetAccountResponse;
import io.zkmargin.api.v1.GetStatusResponse;
import io.zkmargin.chain.OracleSigner;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.risk.account.AccountState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Committee members on real gRPC servers (loopback, plaintext) with real files: a member accepts,
 * stores and signs real ledger batches (idempotently), rebuilds the same root on restart, refuses
 * each broken batch naming the check and changing nothing, serves an account's leaf with a path
 * that verifies; a 2-of-3 collection succeeds with one member down and fails clearly with two.
 */
class DacServiceTest {
  private static DacFixtures fx;
  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  @BeforeAll
  static void fixtures() {
    fx = new DacFixtures();
  }

  private static DacServer member(Path dir) throws Exception {
    return DacServer.start(dir, fx.genesis, CHAIN_ID, SETTLEMENT, 0, QUIET);
  }

  private static BigInteger recover(byte[] sig, long batch, BigInteger dataHash, BigInteger root)
      throws Exception {
    byte[] digest = OracleSigner.batchDataDigest(CHAIN_ID, SETTLEMENT, batch, dataHash, root);
    return Sign.signedMessageHashToKey(
        digest,
        new Sign.SignatureData(
            sig[64], Arrays.copyOfRange(sig, 0, 32), Arrays.copyOfRange(sig, 32, 64)));
  }

  @Test
  void acceptsStoresSignsIdempotentlyAndRebuildsOnRestart(@TempDir Path dir) throws Exception {
    String signer;
    byte[] sig1;
    try (DacServer s = member(dir)) {
      signer = s.member().signer();
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(dir.resolve(DacMember.KEY_FILE))));
      List<String> eps = List.of(s.target());
      DacClient.Collected c = DacClient.collect(eps, 1, 1, fx.json1);
      assertEquals(List.of(signer), c.signers());
      sig1 = c.signatures();
      assertEquals(65, sig1.length);
      assertEquals(
          signer,
          "0x" + Keys.getAddress(recover(sig1, 1, fx.batch1.dataHash(), fx.batch1.newRoot())));
      // stored byte for byte before signing
      assertArrayEquals(bytes(fx.json1), Files.readAllBytes(dir.resolve("batches/000001.json")));
      // the same batch again: the same signature, nothing new
      assertArrayEquals(sig1, DacClient.collect(eps, 1, 1, fx.json1).signatures());
      assertEquals(1, s.member().latestBatch());
      DacClient.collect(eps, 1, 2, fx.json2);
      try (DacClient c2 = DacClient.connect(s.endpoint())) {
        GetStatusResponse st = c2.status();
        assertEquals(2, st.getLatestBatch());
        assertEquals(fx.batch2.newRoot().toString(), st.getRoot());
        assertEquals(fx.batch2.depositHeadAfter().toString(), st.getDepositHead());
        assertArrayEquals(bytes(fx.json2), c2.batch(2));
        assertEquals(fx.genesis.root(), c2.genesis().root());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c2.batch(3));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
      }
    }
    // restart: no genesis, no domain given; the stored batches replay to the same root
    try (DacServer s = DacServer.start(dir, null, 0, null, 0, QUIET)) {
      assertEquals(signer, s.member().signer());
      assertEquals(2, s.member().latestBatch());
      assertEquals(fx.batch2.newRoot(), s.member().root());
      assertArrayEquals(sig1, DacClient.collect(List.of(s.target()), 1, 1, fx.json1).signatures());
    }
    // a crash between the batch file and state.json: state.json lags one batch, the start goes on
    Path state = dir.resolve("state.json");
    Files.writeString(state, "{\"latestBatch\": 1, \"root\": \"" + fx.batch1.newRoot() + "\"}\n");
    assertEquals(2, DacMember.open(dir, null, 0, null, QUIET).latestBatch());
    assertTrue(Files.readString(state).contains(fx.batch2.newRoot().toString()));
    // a lost batch file under state.json: refused
    Path b2 = dir.resolve("batches/000002.json");
    byte[] kept = Files.readAllBytes(b2);
    Files.delete(b2);
    IllegalArgumentException lost =
        assertThrows(
            IllegalArgumentException.class, () -> DacMember.open(dir, null, 0, null, QUIET));
    assertTrue(lost.getMessage().contains("lost or changed"), lost.getMessage());
    Files.write(b2, kept);
    // a member refuses to switch domain or genesis under its stored batches
    assertThrows(
        IllegalArgumentException.class, () -> DacMember.open(dir, null, CHAIN_ID + 1, null, QUIET));
  }

  @Test
  void refusesEachBrokenBatchNamingTheCheckAndChangingNothing(@TempDir Path dir) throws Exception {
    try (DacServer s = member(dir);
        DacClient c = DacClient.connect(s.endpoint())) {
      // batch 1 submitted as batch 2; batch 2 before batch 1
      refused(s, 2, bytes(fx.json1), Status.Code.FAILED_PRECONDITION, "BATCH_NUMBER");
      refused(s, 1, bytes(fx.json2), Status.Code.FAILED_PRECONDITION, "OLD_ROOT");
      // a forged dataHash
      refused(
          s,
          1,
          edit(fx.json1, o -> o.put("dataHash", "12345"), false),
          Status.Code.ABORTED,
          "DATA_HASH");
      // a tampered slot (dataHash recomputed): the replay reaches another root
      refused(
          s,
          1,
          edit(fx.json1, slotField(1, "amount", "10000001"), true),
          Status.Code.ABORTED,
          "NEW_ROOT");
      // a deposit slot turned into a trade with the fee account (toAccountId 0) as taker
      refused(
          s,
          1,
          edit(fx.json1, slotField(1, "kind", "3"), true),
          Status.Code.ABORTED,
          "cannot trade");
      // a malformed document
      // a malformed document (DacClient would not send it: straight through the stub)
      io.grpc.ManagedChannel ch =
          io.grpc.ManagedChannelBuilder.forTarget(s.target()).usePlaintext().build();
      try {
        StatusRuntimeException bad =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    io.zkmargin.api.v1.DataAvailabilityServiceGrpc.newBlockingStub(ch)
                        .submitBatch(
                            io.zkmargin.api.v1.SubmitBatchRequest.newBuilder()
                                .setBatchNumber(1)
                                .setWitnessJson(
                                    com.google.protobuf.ByteString.copyFromUtf8(
                                        "{\"circuitId\": 1}"))
                                .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertTrue(bad.getStatus().getDescription().startsWith("DOCUMENT: circuitId"));
      } finally {
        ch.shutdownNow();
      }
      assertEquals(0, s.member().latestBatch());
      assertEquals(fx.genesis.root(), s.member().root());
      assertFalse(Files.exists(dir.resolve("batches/000001.json")));

      DacClient.collect(List.of(s.target()), 1, 1, fx.json1);
      BigInteger root1 = s.member().root();
      // batch 2's ETH-PERP row with a changed mark: not in the instrument tree of riskRoot
      byte[] badRow =
          edit(
              fx.json2,
              o -> {
                for (var row : o.get("rows")) {
                  if (row.get("used").asText().equals("1")) {
                    ArrayNode entry = (ArrayNode) row.get("entry");
                    entry.set(
                        0, new BigInteger(entry.get(0).asText()).add(BigInteger.ONE).toString());
                  }
                }
              },
              false);
      refused(s, 2, badRow, Status.Code.ABORTED, "RISK_ROW");
      refused(
          s,
          2,
          edit(fx.json2, o -> o.put("withdrawalsHash", "7"), false),
          Status.Code.ABORTED,
          "WITHDRAWALS_HASH");
      // a transfer with a changed amount (dataHash recomputed) no longer has a valid signature;
      // refused after the withdrawal of slot 0 was applied: the member goes back to batch 1
      refused(
          s,
          2,
          edit(fx.json2, slotField(1, "amount", "4000000"), true),
          Status.Code.ABORTED,
          "BAD_SIGNATURE");
      // batch 1 again with other data
      refused(s, 1, edit(fx.json2, o -> {}, false), Status.Code.FAILED_PRECONDITION, "CONFLICT");
      assertEquals(1, s.member().latestBatch());
      assertEquals(root1, s.member().root());
      assertFalse(Files.exists(dir.resolve("batches/000002.json")));
      // and the real batch 2 is still accepted
      DacClient.collect(List.of(s.target()), 1, 2, fx.json2);
      assertEquals(fx.batch2.newRoot(), s.member().root());
      assertEquals(2, c.status().getLatestBatch());

      // batch 3's trade (slot 0), tampered: a field in dataHash without rehashing
      refused(
          s, 3, edit(fx.json3, slotArray(0, "price", 0, "31000000"), false), ABORTED, "DATA_HASH");
      // rehashed: another leg price within both limits replays to another root
      refused(
          s, 3, edit(fx.json3, slotArray(0, "price", 0, "31000000"), true), ABORTED, "NEW_ROOT");
      // beyond the maker's limit of 31 USDC a lot
      refused(
          s, 3, edit(fx.json3, slotArray(0, "price", 0, "32000000"), true), ABORTED, "PRICE_LIMIT");
      // a fill of 2 units: the taker's order is for 1
      refused(s, 3, edit(fx.json3, slotField(0, "amount", "2"), true), ABORTED, "OVERFILL");
      // a leg changed: the maker's and the taker's signatures no longer hold
      refused(s, 3, edit(fx.json3, slotArray(0, "ratio", 0, "2"), true), ABORTED, "BAD_SIGNATURE");
      refused(
          s,
          3,
          edit(fx.json3, slotArray(0, "instrumentId", 0, "4"), true),
          ABORTED,
          "BAD_SIGNATURE");
      // the taker's order id (signed by the taker only)
      refused(
          s,
          3,
          edit(fx.json3, orderField(0, "taker", "orderId", "10"), true),
          ABORTED,
          "BAD_SIGNATURE");
      // the leg in another position slot of the maker than the ledger's
      refused(
          s,
          3,
          edit(fx.json3, slotArray(0, "makerPos", 0, "1"), true),
          ABORTED,
          "moves position slots");
      // a price on the unused leg 1 (the ledger ignores it)
      refused(
          s, 3, edit(fx.json3, slotArray(0, "price", 1, "5"), true), ABORTED, "leg 1 is unused");
      // the leg's risk row pointing at an unused row (not in dataHash)
      refused(s, 3, edit(fx.json3, slotArray(0, "legRow", 0, "3"), false), ABORTED, "RISK_ROW");
      assertEquals(2, s.member().latestBatch());
      assertEquals(fx.batch2.newRoot(), s.member().root());
      // the real trade: accepted, signed, account 0 credited with the fees at the end
      DacClient.collect(List.of(s.target()), 1, 3, fx.json3);
      assertEquals(fx.batch3.newRoot(), s.member().root());
      assertEquals(3_000, s.member().account(0).leaf().balances()[0]);

      // batch 4's liquidation slot (after the no-op generic slots), tampered (dataHash recomputed
      // where it says so): each refusal names its check, and the member stays at batch 3
      refused(s, 4, edit(fx.json4, liqField(0, "penalty", "1"), false), ABORTED, "DATA_HASH");
      refused(s, 4, edit(fx.json4, liqField(0, "penalty", "1"), true), ABORTED, "BAD_SIGNATURE");
      refused(s, 4, edit(fx.json4, liqField(0, "keeper", "7"), true), ABORTED, "BAD_SIGNATURE");
      refused(s, 4, edit(fx.json4, liqArray(0, "liqPos", 0, "1"), true), ABORTED, "LIQUIDATION");
      refused(s, 4, edit(fx.json4, liqField(0, "scenario", "5"), true), ABORTED, "LIQUIDATION");
      refused(
          s, 4, edit(fx.json4, liqField(0, "kind", "0"), true), ABORTED, "no-op liquidation slot");
      refused(
          s, 4, edit(fx.json4, o -> o.put("requestsHash", "7"), false), ABORTED, "REQUESTS_HASH");
      refused(
          s,
          4,
          edit(fx.json4, o -> o.put("withdrawalsHash", "7"), false),
          ABORTED,
          "WITHDRAWALS_HASH");
      assertEquals(3, s.member().latestBatch());
      assertEquals(fx.batch3.newRoot(), s.member().root());
      // the real liquidation: replayed, the fund (account 0) credited its share at the end
      long before = s.member().account(0).leaf().balances()[0];
      DacClient.collect(List.of(s.target()), 1, 4, fx.json4);
      assertEquals(fx.batch4.newRoot(), s.member().root());
      assertTrue(s.member().account(0).leaf().balances()[0] > before, "the fund's share");
    }
  }

  private static final Status.Code ABORTED = Status.Code.ABORTED;

  private static void refused(DacServer s, long batch, byte[] doc, Status.Code code, String why) {
    DacClient.QuorumNotReachedException e =
        assertThrows(
            DacClient.QuorumNotReachedException.class,
            () -> DacClient.collect(List.of(s.endpoint()), 1, batch, doc, Duration.ofSeconds(30)),
            why);
    assertTrue(e.getMessage().contains(code.name()), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }

  @Test
  void accountLeafAndPathVerifyAgainstTheRoot(@TempDir Path dir) throws Exception {
    try (DacServer s = member(dir);
        DacClient c = DacClient.connect(s.endpoint())) {
      DacClient.collect(List.of(s.target()), 1, 1, fx.json1);
      DacClient.collect(List.of(s.target()), 1, 2, fx.json2);
      for (long id : new long[] {0, 1, 3}) {
        GetAccountResponse a = c.account(id);
        long[] w = a.getWordsList().stream().mapToLong(Long::longValue).toArray();
        AccountLeaf leaf =
            new AccountLeaf(
                new BigInteger(a.getOwnerPkX()),
                new BigInteger(a.getOwnerPkY()),
                new BigInteger(a.getL1Address()),
                new BigInteger(a.getOrdersRoot()),
                w[0],
                new AccountState(
                    w[1],
                    new long[] {w[2], w[3]},
                    new long[] {w[4], w[7]},
                    new long[] {w[5], w[8]},
                    new long[] {w[6], w[9]}));
        assertEquals(a.getLeafHash(), leaf.hash().toString());
        BigInteger[] path =
            a.getPathList().stream().map(BigInteger::new).toArray(BigInteger[]::new);
        assertEquals(fx.batch2.newRoot().toString(), a.getRoot());
        assertTrue(SparseMerkleTree.verify(fx.batch2.newRoot(), leaf.hash(), id, path));
        assertEquals(2, a.getBatchNumber());
      }
      // account 3 got 5 USDC by deposit and 5 by transfer; account 1 withdrew 20 and sent 5
      assertEquals(10 * DacFixtures.USDC, c.account(3).getWords(2));
      assertEquals(85 * DacFixtures.USDC, c.account(1).getWords(2));
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.account(9));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }
  }

  @Test
  void twoOfThreeWithOneMemberDownSucceedsAndWithTwoDownFails(@TempDir Path dir) throws Exception {
    List<DacServer> members = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        members.add(member(dir.resolve("m" + i)));
      }
      List<String> eps = members.stream().map(DacServer::target).toList();
      members.get(0).close();
      DacClient.Collected c = DacClient.collect(eps, 2, 1, fx.json1);
      assertEquals(2, c.signers().size());
      assertEquals(130, c.signatures().length);
      // strictly increasing signers, each recovered from its signature (Settlement._requireQuorum)
      BigInteger prev = BigInteger.ZERO;
      for (int i = 0; i < 2; i++) {
        byte[] sig = Arrays.copyOfRange(c.signatures(), 65 * i, 65 * (i + 1));
        String rec =
            "0x" + Keys.getAddress(recover(sig, 1, fx.batch1.dataHash(), fx.batch1.newRoot()));
        assertEquals(c.signers().get(i), rec);
        assertTrue(Numeric.toBigInt(rec).compareTo(prev) > 0);
        prev = Numeric.toBigInt(rec);
      }
      members.get(1).close();
      DacClient.QuorumNotReachedException e =
          assertThrows(
              DacClient.QuorumNotReachedException.class,
              () -> DacClient.collect(eps, 2, 2, fx.json2));
      assertTrue(e.getMessage().contains("quorum not reached for batch 2: 1 of 2"), e.getMessage());
      assertTrue(e.getMessage().contains("UNAVAILABLE"), e.getMessage());
    } finally {
      members.forEach(DacServer::close);
    }
  }
}
