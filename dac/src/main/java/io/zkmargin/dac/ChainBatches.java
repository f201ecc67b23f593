package io.zkmargin.dac;

import io.zkmargin.chain.ChainException;
import io.zkmargin.chain.contracts.Settlement;
import io.zkmargin.ledger.RequestEntry;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.StaticArray9;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * What the chain says about finalized batches, read by an auditor: every {@code BatchFinalized}
 * event of a Settlement contract, the calldata of the {@code finalizeBatch} transaction that
 * emitted it (header, withdrawal list, proof), and the deposit queue heads the contract used as
 * public inputs. Plain JSON-RPC ({@code eth_getLogs}, {@code eth_getTransactionByHash}, {@code
 * eth_call}); the operator's transactions must call {@code finalizeBatch} directly (not through
 * another contract), which is what the sequencer does.
 */
public final class ChainBatches {
  private ChainBatches() {}

  /**
   * {@code
   * finalizeBatch((uint256,uint256,uint256,uint64,uint256,uint256,uint64),(address,uint64)[],(uint8,uint64,address,uint64)[],bytes,bytes)}.
   */
  static final String FINALIZE_SELECTOR =
      selector(
          "finalizeBatch((uint256,uint256,uint256,uint64,uint256,uint256,uint64),"
              + "(address,uint64)[],(uint8,uint64,address,uint64)[],bytes,bytes)");

  private static String selector(String signature) {
    byte[] h =
        org.web3j.crypto.Hash.sha3(signature.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return Numeric.toHexString(Arrays.copyOf(h, 4));
  }

  /** One withdrawal credited by a batch: quote atoms to an L1 address (0x lower-case). */
  public record Credit(String to, long amount) {}

  /**
   * One finalized batch as the chain recorded it.
   *
   * @param publicInputs the nine public inputs the contract verified the proof against, circuit
   *     order (oldRoot, newRoot, riskRoot, depositHeadBefore, depositHeadAfter, withdrawalsHash,
   *     dataHash, batchTime, requestsHash: the contract's hash of the request list)
   * @param withdrawals the credited withdrawal list, calldata order
   * @param requests the request entries (liquidations, forced withdrawals paid or refused),
   *     calldata order
   * @param solidityProof the proof bytes passed to the verifier (gnark {@code MarshalSolidity})
   * @param deposits queue entries the batch consumed
   * @param txHash the finalizing transaction
   */
  public record Batch(
      long batchNumber,
      BigInteger[] publicInputs,
      List<Credit> withdrawals,
      List<RequestEntry> requests,
      byte[] solidityProof,
      long deposits,
      String txHash) {}

  /**
   * The chain's view: the genesis root, the finalized batches in order, the current state root and
   * the batch verifier.
   */
  public record View(
      BigInteger genesisRoot,
      List<Batch> batches,
      BigInteger stateRoot,
      long batchNumber,
      String batchVerifier) {}

  /**
   * Reads every finalized batch of a Settlement contract.
   *
   * @param web3 the node
   * @param settlement the contract address
   * @throws ChainException when the node cannot be read or a transaction is not a direct {@code
   *     finalizeBatch} call
   */
  public static View read(Web3j web3, String settlement) {
    ArgChecker.notNull(web3, "web3");
    ArgChecker.notNull(settlement, "settlement");
    try {
      BigInteger stateRoot = uint(call(web3, settlement, fn("stateRoot")));
      long batchNumber = uint(call(web3, settlement, fn("batchNumber"))).longValueExact();
      String verifier =
          "0x" + call(web3, settlement, fn("batchVerifier")).substring(2 + 24, 2 + 64);
      EthFilter filter =
          new EthFilter(
              DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST, settlement);
      filter.addSingleTopic(EventEncoder.encode(Settlement.BATCHFINALIZED_EVENT));
      EthLog logs = web3.ethGetLogs(filter).send();
      if (logs.hasError()) {
        throw new ChainException(
            "eth_getLogs failed: " + logs.getError().getMessage(), (String) null);
      }
      List<Batch> batches = new ArrayList<>();
      BigInteger genesis = batchNumber == 0 ? stateRoot : null;
      long consumedBefore = 0;
      for (EthLog.LogResult<?> lr : logs.getLogs()) {
        Log log = (Log) lr.get();
        Settlement.BatchFinalizedEventResponse ev = Settlement.getBatchFinalizedEventFromLog(log);
        long b = ev.batch.longValueExact();
        if (b != batches.size() + 1) {
          throw new ChainException(
              "BatchFinalized events out of order: batch " + b + " after " + batches.size(),
              (String) null);
        }
        if (genesis == null) {
          genesis = ev.oldRoot; // finalizeBatch required oldRoot == the genesis stateRoot
        }
        long consumedAfter = ev.depositsConsumed.longValueExact();
        String input =
            web3.ethGetTransactionByHash(log.getTransactionHash())
                .send()
                .getTransaction()
                .orElseThrow(
                    () ->
                        new ChainException(
                            "transaction " + log.getTransactionHash() + " not found",
                            (String) null))
                .getInput();
        Decoded d = decode(Numeric.hexStringToByteArray(input), log.getTransactionHash());
        BigInteger headBefore = depositHead(web3, settlement, consumedBefore);
        BigInteger headAfter = depositHead(web3, settlement, consumedAfter);
        BigInteger[] pub = {
          d.header[0],
          d.header[1],
          d.header[2],
          headBefore,
          headAfter,
          d.header[4],
          d.header[5],
          d.header[6],
          RequestEntry.requestsHash(d.requests)
        };
        if (!d.header[1].equals(ev.newRoot) || !d.header[5].equals(ev.dataHash)) {
          throw new ChainException(
              "transaction "
                  + log.getTransactionHash()
                  + " does not carry batch "
                  + b
                  + "'s header",
              (String) null);
        }
        batches.add(
            new Batch(
                b,
                pub,
                d.withdrawals,
                d.requests,
                d.proof,
                consumedAfter - consumedBefore,
                log.getTransactionHash()));
        consumedBefore = consumedAfter;
      }
      return new View(genesis, List.copyOf(batches), stateRoot, batchNumber, verifier);
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  record Decoded(
      BigInteger[] header, List<Credit> withdrawals, List<RequestEntry> requests, byte[] proof) {}

  /**
   * Decodes {@code finalizeBatch} calldata (ABI: a static 7-word tuple, then four offsets; a
   * withdrawal is 2 words, a request entry 4). The bytes come from a node the auditor does not
   * trust: every offset, length, address and integer is range checked, anything malformed is a
   * {@link ChainException}, never another exception.
   */
  static Decoded decode(byte[] in, String tx) {
    if (in.length < 4 + 32 * 11
        || !Numeric.toHexString(Arrays.copyOf(in, 4)).equals(FINALIZE_SELECTOR)) {
      throw new ChainException(
          "transaction " + tx + " is not a direct finalizeBatch call", (String) null);
    }
    byte[] a = Arrays.copyOfRange(in, 4, in.length);
    BigInteger[] h = new BigInteger[7];
    for (int i = 0; i < 7; i++) {
      h[i] = word(a, 32 * i);
    }
    int wOff = offset(a, 32 * 7);
    int rOff = offset(a, 32 * 8);
    int pOff = offset(a, 32 * 10);
    int wLen = length(a, wOff, 64);
    List<Credit> ws = new ArrayList<>();
    for (int j = 0; j < wLen; j++) {
      int at = wOff + 32 + 64 * j;
      ws.add(new Credit(address(a, at), u63(a, at + 32, "withdrawal amount")));
    }
    int rLen = length(a, rOff, 128);
    List<RequestEntry> rs = new ArrayList<>();
    for (int j = 0; j < rLen; j++) {
      int at = rOff + 32 + 128 * j;
      long kind = u63(a, at, "request kind");
      long id = u63(a, at + 32, "request account");
      BigInteger party = Numeric.toBigInt(address(a, at + 64));
      long amount = u63(a, at + 96, "request amount");
      try {
        rs.add(new RequestEntry((int) Math.min(kind, 256), id, party, amount)); // range checks
      } catch (IllegalArgumentException e) {
        throw new ChainException(
            "transaction " + tx + ": request " + j + " malformed: " + e.getMessage(),
            (String) null);
      }
    }
    int pLen = length(a, pOff, 1);
    byte[] proof = Arrays.copyOfRange(a, pOff + 32, pOff + 32 + pLen);
    return new Decoded(h, List.copyOf(ws), List.copyOf(rs), proof);
  }

  /** The element count at {@code off}, its {@code size}-byte elements within the calldata. */
  private static int length(byte[] a, int off, int size) {
    int n = offset(a, off);
    if ((long) off + 32 + (long) n * size > a.length) {
      throw new ChainException("calldata: array beyond its end", (String) null);
    }
    return n;
  }

  /** An ABI {@code address} word (12 zero bytes, then 20), as 0x and 40 lower-case hex digits. */
  private static String address(byte[] a, int at) {
    BigInteger v = word(a, at);
    if (v.bitLength() > 160) {
      throw new ChainException("calldata: not an address", (String) null);
    }
    return "0x" + Numeric.toHexStringNoPrefixZeroPadded(v, 40).toLowerCase(Locale.ROOT);
  }

  /** An unsigned word below 2^63 (amounts, ids, kinds all are). */
  private static long u63(byte[] a, int at, String what) {
    BigInteger v = word(a, at);
    if (v.bitLength() > 63) {
      throw new ChainException("calldata: " + what + " out of range", (String) null);
    }
    return v.longValue();
  }

  private static BigInteger word(byte[] a, int at) {
    if (at < 0 || at + 32 > a.length) {
      throw new ChainException("calldata too short", (String) null);
    }
    return new BigInteger(1, Arrays.copyOfRange(a, at, at + 32));
  }

  private static int offset(byte[] a, int at) {
    BigInteger v = word(a, at);
    if (v.bitLength() > 30) {
      throw new ChainException("calldata offset out of range", (String) null);
    }
    return v.intValue();
  }

  private static BigInteger depositHead(Web3j web3, String settlement, long k) throws IOException {
    return uint(
        call(web3, settlement, new Function("depositHead", List.of(new Uint256(k)), List.of())));
  }

  private static Function fn(String name) {
    return new Function(name, List.of(), List.of());
  }

  private static String call(Web3j web3, String to, Function f) throws IOException {
    EthCall r =
        web3.ethCall(
                Transaction.createEthCallTransaction(null, to, FunctionEncoder.encode(f)),
                DefaultBlockParameterName.LATEST)
            .send();
    if (r.hasError() || r.getValue() == null || r.getValue().length() < 66) {
      throw new ChainException(
          "call "
              + f.getName()
              + " on "
              + to
              + " failed"
              + (r.hasError() ? ": " + r.getError().getMessage() : " (no contract there?)"),
          (String) null);
    }
    return r.getValue();
  }

  private static BigInteger uint(String hex) {
    return Numeric.toBigInt(hex.substring(0, 66));
  }

  /**
   * Asks the chain's batch verifier ({@code IBatchVerifier.verifyProof}, a view that reverts on an
   * invalid proof) whether a proof verifies against public inputs.
   *
   * @return true iff the call does not revert
   */
  public static boolean verifyOnChain(
      Web3j web3, String verifier, byte[] solidityProof, BigInteger[] publicInputs) {
    ArgChecker.isTrue(publicInputs.length == 9, "nine public inputs");
    List<Uint256> in = Arrays.stream(publicInputs).map(Uint256::new).toList();
    Function f =
        new Function(
            "verifyProof",
            List.of(new DynamicBytes(solidityProof), new StaticArray9<>(Uint256.class, in)),
            List.of());
    try {
      EthCall r =
          web3.ethCall(
                  Transaction.createEthCallTransaction(null, verifier, FunctionEncoder.encode(f)),
                  DefaultBlockParameterName.LATEST)
              .send();
      return !r.hasError() && !r.isReverted();
    } catch (IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }
}
