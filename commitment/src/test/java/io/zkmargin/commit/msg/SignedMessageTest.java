package io.zkmargin.commit.msg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.WordPacking;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SignedMessageTest {
  private static final EdwardsKeyPair KEY = new EdwardsKeyPair(BigInteger.valueOf(123_456_789L));
  private static final EdwardsKeyPair OTHER = new EdwardsKeyPair(BigInteger.valueOf(987_654_321L));
  private static final BigInteger ADDR = BigInteger.ONE.shiftLeft(159).add(BigInteger.TEN);

  private static OrderMessage order() {
    return new OrderMessage(
        7, 42, 1_800_000_000L, 5, -300, 2, new long[] {3, 5}, new long[] {1, -2});
  }

  @Test
  void orderHashIsTheSpecifiedHashMD() {
    OrderMessage o = order();
    assertArrayEquals(new long[] {7, 42, 1_800_000_000L, 5, -300, 2, 3, 1, 5, -2}, o.words());
    BigInteger[] p = WordPacking.pack(o.words());
    assertEquals(4, p.length);
    assertEquals(Poseidon2.hashMD(BigInteger.ONE, p[0], p[1], p[2], p[3]), o.messageHash());
    assertEquals(2, o.legs());
    assertEquals(2, o.usedLegs());
  }

  @Test
  void withdrawalAndTransferHashesAreTheSpecifiedHashMD() {
    WithdrawalMessage w = new WithdrawalMessage(7, 3, 1_000, ADDR);
    assertEquals(
        Poseidon2.hashMD(BigInteger.TWO, ADDR, WordPacking.pack(new long[] {7, 3, 1_000})[0]),
        w.messageHash());
    TransferMessage t = new TransferMessage(7, 8, 3, 1, 1_000);
    BigInteger[] p = WordPacking.pack(new long[] {7, 8, 3, 1, 1_000});
    assertEquals(Poseidon2.hashMD(BigInteger.valueOf(3), p[0], p[1]), t.messageHash());
  }

  @Test
  void signedMessagesVerifyOnlyForTheirKeyAndContent() {
    List<SignedMessage> ms =
        List.of(
            order(), new WithdrawalMessage(7, 3, 1_000, ADDR), new TransferMessage(7, 8, 3, 0, 9));
    for (SignedMessage m : ms) {
      EdDSA.Signature sig = m.sign(KEY);
      assertTrue(m.verify(KEY.publicKey(), sig));
      assertFalse(m.verify(OTHER.publicKey(), sig));
    }
    // one field changed: the signature no longer verifies
    EdDSA.Signature sig = order().sign(KEY);
    OrderMessage o = order();
    assertFalse(
        new OrderMessage(7, 42, 1_800_000_000L, 5, -299, 2, o.instrumentIds(), o.ratios())
            .verify(KEY.publicKey(), sig));
    EdDSA.Signature ws = new WithdrawalMessage(7, 3, 1_000, ADDR).sign(KEY);
    assertFalse(
        new WithdrawalMessage(7, 3, 1_000, ADDR.add(BigInteger.ONE)).verify(KEY.publicKey(), ws));
  }

  @Test
  void everyFieldAndTheTagChangeTheHash() {
    Set<BigInteger> hashes = new HashSet<>();
    OrderMessage o = order();
    long[] ids = o.instrumentIds();
    long[] rs = o.ratios();
    hashes.add(o.messageHash());
    hashes.add(new OrderMessage(8, 42, 1_800_000_000L, 5, -300, 2, ids, rs).messageHash());
    hashes.add(new OrderMessage(7, 43, 1_800_000_000L, 5, -300, 2, ids, rs).messageHash());
    hashes.add(new OrderMessage(7, 42, 1_800_000_001L, 5, -300, 2, ids, rs).messageHash());
    hashes.add(new OrderMessage(7, 42, 1_800_000_000L, 6, -300, 2, ids, rs).messageHash());
    hashes.add(new OrderMessage(7, 42, 1_800_000_000L, 5, 300, 2, ids, rs).messageHash());
    hashes.add(new OrderMessage(7, 42, 1_800_000_000L, 5, -300, 3, ids, rs).messageHash());
    hashes.add(
        new OrderMessage(7, 42, 1_800_000_000L, 5, -300, 2, new long[] {5, 3}, rs).messageHash());
    hashes.add(
        new OrderMessage(7, 42, 1_800_000_000L, 5, -300, 2, ids, new long[] {-1, 2}).messageHash());
    // the same words under another tag: a transfer and a withdrawal of equal words differ
    hashes.add(new TransferMessage(7, 8, 3, 1, 1_000).messageHash());
    BigInteger p = WordPacking.pack(new long[] {7, 8, 3, 1, 1_000})[0];
    hashes.add(Poseidon2.hashMD(BigInteger.TWO, p, WordPacking.pack(new long[] {1_000, 0})[0]));
    assertEquals(11, hashes.size());
  }

  @Test
  void fieldsAreCheckedAtTheDoor() {
    long[] ids = {3, 0};
    long[] rs = {1, 0};
    assertThrows(
        IllegalArgumentException.class, () -> new OrderMessage(-1, 1, 0, 1, 0, 0, ids, rs));
    assertThrows(IllegalArgumentException.class, () -> new OrderMessage(0, 0, 0, 1, 0, 0, ids, rs));
    assertThrows(
        IllegalArgumentException.class, () -> new OrderMessage(0, 1L << 62, 0, 1, 0, 0, ids, rs));
    assertThrows(
        IllegalArgumentException.class, () -> new OrderMessage(0, 1, -1, 1, 0, 0, ids, rs));
    assertThrows(IllegalArgumentException.class, () -> new OrderMessage(0, 1, 0, 0, 0, 0, ids, rs));
    assertThrows(
        IllegalArgumentException.class, () -> new OrderMessage(0, 1, 0, 1, 0, -1, ids, rs));
    assertThrows(
        IllegalArgumentException.class,
        () -> new OrderMessage(0, 1, 0, 1, 0, 0, new long[] {3}, rs));
    assertThrows(
        IllegalArgumentException.class,
        () -> new OrderMessage(0, 1, 0, 1, 0, 0, ids, new long[] {(1L << 16) + 1, 0}));
    // an unused leg with an instrument, a used leg after an unused one, no used leg
    assertThrows(
        IllegalArgumentException.class,
        () -> new OrderMessage(0, 1, 0, 1, 0, 0, new long[] {3, 4}, rs));
    assertThrows(
        IllegalArgumentException.class,
        () -> new OrderMessage(0, 1, 0, 1, 0, 0, new long[] {0, 4}, new long[] {0, 1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new OrderMessage(0, 1, 0, 1, 0, 0, new long[] {0, 0}, new long[] {0, 0}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new WithdrawalMessage(0, 0, 1, BigInteger.ONE.shiftLeft(160)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new WithdrawalMessage(0, 0, 1, BigInteger.ONE.negate()));
    assertThrows(IllegalArgumentException.class, () -> new WithdrawalMessage(0, 0, 0, ADDR));
    assertThrows(IllegalArgumentException.class, () -> new WithdrawalMessage(0, -1, 1, ADDR));
    assertThrows(IllegalArgumentException.class, () -> new TransferMessage(1, 1, 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new TransferMessage(1, 2, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new TransferMessage(1, 2, 0, -1, 1));
  }

  @Test
  void ordersCopyTheirArrays() {
    long[] ids = {3, 5};
    long[] rs = {1, -2};
    OrderMessage o = new OrderMessage(7, 42, 0, 5, 0, 0, ids, rs);
    ids[0] = 9;
    o.ratios()[0] = 7;
    assertEquals(3, o.instrumentId(0));
    assertEquals(1, o.ratio(0));
    assertEquals(new OrderMessage(7, 42, 0, 5, 0, 0, new long[] {3, 5}, new long[] {1, -2}), o);
    assertNotEquals(order(), o);
  }
}
