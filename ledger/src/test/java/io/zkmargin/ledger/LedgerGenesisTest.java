package io.zkmargin.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.risk.account.AccountState;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Ledger#registerGenesis(long, AccountLeaf)}: a funded genesis leaf with positions loads so
 * that the ledger's leaf hashes as the given one; a leaf with an order-fill root or other sizes is
 * refused.
 */
class LedgerGenesisTest {
  @Test
  void aGenesisLeafLoadsWithItsHash() {
    EdwardsKeyPair k = new EdwardsKeyPair(BigInteger.valueOf(424242));
    AccountLeaf leaf =
        new AccountLeaf(
            k.publicKey().x(),
            k.publicKey().y(),
            BigInteger.valueOf(0xabcdef),
            BigInteger.ZERO,
            7,
            new AccountState(
                1,
                new long[] {123_000_000L, -5},
                new long[] {3, 9}, // slot 1 empty: its id is committed as 0
                new long[] {-4, 0},
                new long[] {55, 0}));
    Ledger l = new Ledger(LedgerConfig.TEST);
    l.registerGenesis(5, leaf);
    assertEquals(leaf.hash(), l.leaf(5).hash());
    assertArrayEquals(leaf.words(), l.words(5));
    assertEquals(7, l.nonce(5));
    assertEquals(6, l.accountLimit());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            l.registerGenesis(6, leaf.withL1AddressAndOrdersRoot(BigInteger.ONE, BigInteger.TWO)));
    AccountLeaf wide =
        new AccountLeaf(
            k.publicKey().x(),
            k.publicKey().y(),
            0,
            new AccountState(0, new long[3], new long[2], new long[2], new long[2]));
    assertThrows(IllegalArgumentException.class, () -> l.registerGenesis(7, wide));
    assertThrows(IllegalArgumentException.class, () -> l.registerGenesis(5, leaf));
  }

  @Test
  void aSavedLeafLoadsWithItsOrderFillSlots() {
    EdwardsKeyPair k = new EdwardsKeyPair(BigInteger.valueOf(4242));
    long[] ids = {0, 5, 0, 7}; // K = 2: order 5 in slot 1, order 7 in slot 3
    long[] filled = {0, 2, 0, 1};
    io.zkmargin.commit.SparseMerkleTree orders = new io.zkmargin.commit.SparseMerkleTree(2);
    orders.set(1, BigInteger.valueOf(5).shiftLeft(64).add(BigInteger.TWO));
    orders.set(3, BigInteger.valueOf(7).shiftLeft(64).add(BigInteger.ONE));
    AccountLeaf leaf =
        new AccountLeaf(
            k.publicKey().x(),
            k.publicKey().y(),
            BigInteger.TEN,
            orders.root(),
            3,
            new AccountState(0, new long[] {9, 0}, new long[2], new long[2], new long[2]));
    Ledger l = new Ledger(LedgerConfig.TEST);
    l.registerGenesis(2, leaf, ids, filled);
    assertEquals(leaf.hash(), l.leaf(2).hash());
    assertEquals(2, l.filled(2, 5));
    assertEquals(1, l.filled(2, 7));
    IllegalArgumentException wrongFill =
        assertThrows(
            IllegalArgumentException.class,
            () -> l.registerGenesis(4, leaf, ids, new long[] {0, 3, 0, 1}));
    org.junit.jupiter.api.Assertions.assertTrue(
        wrongFill.getMessage().startsWith("account 4: its order-fill slots give the root"),
        wrongFill.getMessage());
    assertThrows( // order 6 does not belong in slot 1
        IllegalArgumentException.class,
        () -> l.registerGenesis(4, leaf, new long[] {0, 6, 0, 7}, filled));
    org.junit.jupiter.api.Assertions.assertFalse(l.isRegistered(4), "nothing registered");
  }
}
