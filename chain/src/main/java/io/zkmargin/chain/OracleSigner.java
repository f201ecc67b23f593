package io.zkmargin.chain;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * EIP-712 signing of risk roots for {@code Settlement.postRiskRoot}: the typed message {@code
 * RiskRoot(uint64 epoch,uint256 root)} in the domain {@code EIP712Domain(name "zkmargin
 * Settlement", version "1", chainId, verifyingContract)}; signatures are 65 bytes {@code r | s | v}
 * (low s, v in {27, 28}), concatenated in strictly increasing order of the signer address. The
 * data-availability committee signs {@code BatchData(uint64 batchNumber,uint256 dataHash,uint256
 * newRoot)} in the same domain ({@link #batchDataDigest}) and the same way.
 */
public final class OracleSigner {

  private static final byte[] DOMAIN_TYPEHASH =
      keccak("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
  private static final byte[] NAME_HASH = keccak("zkmargin Settlement");
  private static final byte[] VERSION_HASH = keccak("1");
  private static final byte[] RISK_ROOT_TYPEHASH = keccak("RiskRoot(uint64 epoch,uint256 root)");

  /** keccak256 of the committee's EIP-712 type {@code BatchData}. */
  private static final byte[] BATCH_DATA_TYPEHASH =
      keccak("BatchData(uint64 batchNumber,uint256 dataHash,uint256 newRoot)");

  private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

  private OracleSigner() {}

  /**
   * The EIP-712 domain separator of a settlement contract.
   *
   * @param chainId chain id, {@code > 0}
   * @param contract the settlement contract address, 0x-prefixed hex
   */
  public static byte[] domainSeparator(long chainId, String contract) {
    if (chainId <= 0) {
      throw new IllegalArgumentException("chainId must be > 0, was " + chainId);
    }
    return Hash.sha3(
        concat(
            DOMAIN_TYPEHASH,
            NAME_HASH,
            VERSION_HASH,
            word(BigInteger.valueOf(chainId)),
            word(Numeric.toBigInt(address(contract)))));
  }

  /**
   * The 32-byte digest an oracle signs for {@code (epoch, root)}; equals the contract's {@code
   * riskRootDigest}.
   *
   * @param epoch oracle epoch, an unsigned 64-bit value (Java {@code long} read as unsigned)
   * @param root risk root, in {@code [0, 2^256)} (the contract also requires {@code < r})
   */
  public static byte[] riskRootDigest(long chainId, String contract, long epoch, BigInteger root) {
    Objects.requireNonNull(root, "root");
    if (root.signum() < 0 || root.bitLength() > 256) {
      throw new IllegalArgumentException("root must be a 256-bit unsigned value: " + root);
    }
    BigInteger e = BigInteger.valueOf(epoch).mod(UINT64_LIMIT);
    byte[] structHash = Hash.sha3(concat(RISK_ROOT_TYPEHASH, word(e), word(root)));
    return Hash.sha3(
        concat(new byte[] {0x19, 0x01}, domainSeparator(chainId, contract), structHash));
  }

  /**
   * The 32-byte digest a data-availability committee member signs for a batch; equals the
   * contract's {@code batchDataDigest}. Committee members sign it with {@link #signature} and the
   * operator passes the signatures sorted by signer address ({@link #signSorted}).
   *
   * @param batch the batch number (the contract's {@code batchNumber + 1}), unsigned 64-bit
   * @param dataHash the batch data hash, in {@code [0, 2^256)}
   * @param newRoot the state root after the batch, in {@code [0, 2^256)}
   */
  public static byte[] batchDataDigest(
      long chainId, String contract, long batch, BigInteger dataHash, BigInteger newRoot) {
    for (BigInteger v : new BigInteger[] {dataHash, newRoot}) {
      Objects.requireNonNull(v, "dataHash/newRoot");
      if (v.signum() < 0 || v.bitLength() > 256) {
        throw new IllegalArgumentException("not a 256-bit unsigned value: " + v);
      }
    }
    BigInteger b = BigInteger.valueOf(batch).mod(UINT64_LIMIT);
    byte[] structHash =
        Hash.sha3(concat(BATCH_DATA_TYPEHASH, word(b), word(dataHash), word(newRoot)));
    return Hash.sha3(
        concat(new byte[] {0x19, 0x01}, domainSeparator(chainId, contract), structHash));
  }

  /**
   * Signs a digest with each key and concatenates the signatures in increasing order of signer
   * address, the order {@code postRiskRoot} requires.
   *
   * @param keys distinct oracle keys (at least one)
   * @param digest 32-byte digest from {@link #riskRootDigest}
   * @return {@code 65 * keys.size()} bytes
   */
  public static byte[] signSorted(List<ECKeyPair> keys, byte[] digest) {
    if (keys == null || keys.isEmpty()) {
      throw new IllegalArgumentException("at least one key is needed");
    }
    if (digest == null || digest.length != 32) {
      throw new IllegalArgumentException("digest must be 32 bytes");
    }
    List<ECKeyPair> sorted = new ArrayList<>(keys);
    sorted.sort(Comparator.comparing(k -> Numeric.toBigInt(Keys.getAddress(k))));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ECKeyPair k : sorted) {
      out.writeBytes(signature(k, digest));
    }
    return out.toByteArray();
  }

  /**
   * One 65-byte signature {@code r | s | v} of a 32-byte digest (no message prefix; web3j signs
   * with low s).
   */
  public static byte[] signature(ECKeyPair key, byte[] digest) {
    Sign.SignatureData sd = Sign.signMessage(digest, key, false);
    return concat(sd.getR(), sd.getS(), sd.getV());
  }

  /** The 0x-prefixed lower-case address of a key. */
  public static String address(ECKeyPair key) {
    return "0x" + Keys.getAddress(key);
  }

  private static byte[] address(String hex) {
    byte[] a = Numeric.hexStringToByteArray(Objects.requireNonNull(hex, "contract"));
    if (a.length != 20) {
      throw new IllegalArgumentException("not a 20-byte address: " + hex);
    }
    return a;
  }

  private static byte[] word(BigInteger v) {
    return Numeric.toBytesPadded(v, 32);
  }

  private static byte[] keccak(String s) {
    return Hash.sha3(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
