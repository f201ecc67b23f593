package io.zkmargin.dac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.chain.ChainException;
import io.zkmargin.chain.contracts.Settlement;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.ledger.RequestEntry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.utils.Numeric;

/**
 * The auditor's decoder of {@code finalizeBatch} calldata ({@link ChainBatches#decode}), fed
 * calldata encoded by web3j from the contract's generated binding (so the selector and layout are
 * the ABI's, request list included) and then mutated (seeded, reproducible): a well-formed call
 * decodes to exactly what was encoded; a mutated one decodes or is refused with a {@link
 * ChainException}, never another exception.
 */
class ChainBatchesDecoderTest {

  private record Call(
      BigInteger[] header,
      List<ChainBatches.Credit> withdrawals,
      List<RequestEntry> requests,
      byte[] proof,
      byte[] calldata) {}

  @Test
  void encodedCallsDecodeToWhatWasEncoded() {
    Random rnd = new Random(20261201L);
    int forced = 0;
    for (int i = 0; i < 100; i++) {
      Call c = randomCall(rnd);
      ChainBatches.Decoded d = ChainBatches.decode(c.calldata(), "0xtx");
      assertArrayEquals(c.header(), d.header());
      assertEquals(c.withdrawals(), d.withdrawals());
      assertEquals(c.requests(), d.requests());
      assertArrayEquals(c.proof(), d.proof());
      forced += (int) c.requests().stream().filter(r -> r.kind() != 6).count();
    }
    assertTrue(forced > 20, "the sample holds forced-withdrawal entries");
  }

  @Test
  void requestsHashIsTheContractsEntryChain() {
    // the values of Escape.t.sol's test_requestsHash_entriesAsSpecified (Solidity's
    // Settlement.requestsHash)
    BigInteger keeper = BigInteger.valueOf(0xBEEF);
    BigInteger bob = BigInteger.valueOf(0xB0B0);
    List<RequestEntry> rs =
        List.of(
            new RequestEntry(6, 5, keeper, 0),
            new RequestEntry(8, 3, bob, 750_000),
            new RequestEntry(9, 3, bob, 750_000));
    BigInteger two64 = BigInteger.ONE.shiftLeft(64);
    BigInteger bobAmount =
        Poseidon2.compress(BigInteger.valueOf(0xB0B0), BigInteger.valueOf(750_000));
    BigInteger q =
        Poseidon2.compress(
            BigInteger.ZERO, Poseidon2.compress(BigInteger.valueOf(5), BigInteger.valueOf(0xBEEF)));
    q = Poseidon2.compress(q, Poseidon2.compress(BigInteger.valueOf(3).add(two64), bobAmount));
    q =
        Poseidon2.compress(
            q, Poseidon2.compress(BigInteger.valueOf(3).add(two64.shiftLeft(1)), bobAmount));
    assertEquals(q, RequestEntry.requestsHash(rs));
    assertEquals(BigInteger.ZERO, RequestEntry.requestsHash(List.of()));
  }

  @Test
  void mutatedCalldataDecodesOrIsRefusedNeverCrashes() {
    Random rnd = new Random(7L);
    int decoded = 0;
    int refused = 0;
    for (int i = 0; i < 400; i++) {
      byte[] in = mutate(randomCall(rnd).calldata(), rnd);
      try {
        ChainBatches.decode(in, "0xtx");
        decoded++;
      } catch (ChainException e) {
        refused++;
      }
    }
    assertTrue(decoded > 0 && refused > 0, decoded + " decoded, " + refused + " refused");
  }

  @Test
  void malformedEntriesAreRefusedByName() {
    Random rnd = new Random(3L);
    Call c = randomCallWithRequest(rnd);
    // the first request entry's kind word: 7 (absorbLoss adds no entry), then a huge amount
    int rOff = 4 + Numeric.toBigInt(Arrays.copyOfRange(c.calldata(), 4 + 256, 4 + 288)).intValue();
    byte[] bad = c.calldata().clone();
    bad[rOff + 32 + 31] = 7;
    ChainException e = assertThrows(ChainException.class, () -> ChainBatches.decode(bad, "0xtx"));
    assertTrue(e.getMessage().contains("request 0 malformed"), e.getMessage());
    byte[] huge = c.calldata().clone();
    huge[rOff + 32 + 96] = (byte) 0x80;
    e = assertThrows(ChainException.class, () -> ChainBatches.decode(huge, "0xtx"));
    assertTrue(e.getMessage().contains("request amount out of range"), e.getMessage());
    byte[] other = c.calldata().clone();
    other[0] ^= 1;
    e = assertThrows(ChainException.class, () -> ChainBatches.decode(other, "0xtx"));
    assertTrue(e.getMessage().contains("not a direct finalizeBatch call"), e.getMessage());
  }

  private static Call randomCallWithRequest(Random rnd) {
    while (true) {
      Call c = randomCall(rnd);
      if (!c.requests().isEmpty()) {
        return c;
      }
    }
  }

  private static Call randomCall(Random rnd) {
    BigInteger[] h = new BigInteger[7];
    for (int i = 0; i < 7; i++) {
      h[i] = i == 3 || i == 6 ? BigInteger.valueOf(rnd.nextInt(1 << 20)) : new BigInteger(250, rnd);
    }
    List<ChainBatches.Credit> ws = new ArrayList<>();
    List<Settlement.Withdrawal> wsAbi = new ArrayList<>();
    for (int j = rnd.nextInt(4); j > 0; j--) {
      String to = address(rnd);
      long amount = 1 + (rnd.nextLong() >>> 1) % Long.MAX_VALUE;
      ws.add(new ChainBatches.Credit(to, amount));
      wsAbi.add(new Settlement.Withdrawal(to, BigInteger.valueOf(amount)));
    }
    List<RequestEntry> rs = new ArrayList<>();
    List<Settlement.Request> rsAbi = new ArrayList<>();
    for (int j = rnd.nextInt(5); j > 0; j--) {
      int kind = new int[] {6, 8, 9}[rnd.nextInt(3)];
      long id = rnd.nextInt(1 << 30);
      long amount = kind == 6 ? 0 : 1 + rnd.nextInt(1 << 30);
      String party = address(rnd);
      rs.add(new RequestEntry(kind, id, Numeric.toBigInt(party), amount));
      rsAbi.add(
          new Settlement.Request(
              BigInteger.valueOf(kind), BigInteger.valueOf(id), party, BigInteger.valueOf(amount)));
    }
    byte[] sigs = new byte[65 * rnd.nextInt(3)];
    rnd.nextBytes(sigs);
    byte[] proof = new byte[256];
    rnd.nextBytes(proof);
    Function f =
        new Function(
            "finalizeBatch",
            List.of(
                new Settlement.BatchHeader(h[0], h[1], h[2], h[3], h[4], h[5], h[6]),
                new DynamicArray<>(Settlement.Withdrawal.class, wsAbi),
                new DynamicArray<>(Settlement.Request.class, rsAbi),
                new DynamicBytes(sigs),
                new DynamicBytes(proof)),
            List.of());
    byte[] calldata = Numeric.hexStringToByteArray(FunctionEncoder.encode(f));
    return new Call(h, List.copyOf(ws), List.copyOf(rs), proof, calldata);
  }

  private static String address(Random rnd) {
    return "0x" + Numeric.toHexStringNoPrefixZeroPadded(new BigInteger(160, rnd), 40);
  }

  /** One to three mutations: a flipped byte, a word set to a huge or small value, a cut. */
  private static byte[] mutate(byte[] in, Random rnd) {
    byte[] out = in.clone();
    for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
      int words = (out.length - 4) / 32;
      int at = 4 + 32 * rnd.nextInt(Math.max(1, words));
      switch (rnd.nextInt(4)) {
        case 0 -> out[4 + rnd.nextInt(out.length - 4)] ^= (byte) (1 << rnd.nextInt(8));
        case 1 -> Arrays.fill(out, at, Math.min(out.length, at + 32), (byte) 0xff);
        case 2 -> {
          if (at + 32 <= out.length) {
            Arrays.fill(out, at, at + 32, (byte) 0);
            out[at + 31] = (byte) rnd.nextInt(256);
          }
        }
        default -> out = Arrays.copyOf(out, 4 + rnd.nextInt(out.length - 3));
      }
      if (out.length <= 4) {
        return out;
      }
    }
    return out;
  }
}
