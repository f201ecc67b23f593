package io.zkmargin.chain;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The few ERC-20 calls the venue needs on the quote token ({@code QuoteToken} on a local chain):
 * {@code mint} (deployer only), {@code approve} for the Settlement's deposits, {@code balanceOf}.
 * Amounts are quote atoms (10^-6 token). Encoded with web3j's ABI encoder (the ERC-20 ABI is fixed,
 * so no generated binding). Not thread-safe for sending.
 */
public final class QuoteTokenClient {
  private final Web3j web3;
  private final Credentials sender;
  private final long chainId;
  private final String address;
  private final RevertDecoder errors;

  /**
   * @param web3 connection (owned by the caller)
   * @param sender key that signs transactions
   * @param chainId chain id for transaction signatures
   * @param tokenAddress the token's address
   * @param tokenAbi the token's ABI JSON, to name reverts (may be {@code "[]"})
   */
  public QuoteTokenClient(
      Web3j web3, Credentials sender, long chainId, String tokenAddress, String tokenAbi) {
    this.web3 = Objects.requireNonNull(web3, "web3");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.chainId = chainId;
    this.address = Objects.requireNonNull(tokenAddress, "tokenAddress");
    this.errors = new RevertDecoder(tokenAbi);
  }

  /** Mints {@code amount} atoms to {@code to} (sender must be the token's minter). */
  public SettlementClient.TxResult mint(String to, BigInteger amount) {
    return send("mint", new Address(to), new Uint256(amount));
  }

  /** Lets {@code spender} (the Settlement) pull up to {@code amount} atoms of the sender's. */
  public SettlementClient.TxResult approve(String spender, BigInteger amount) {
    return send("approve", new Address(spender), new Uint256(amount));
  }

  /** The token balance of {@code owner}, atoms. */
  public BigInteger balanceOf(String owner) {
    Function f =
        new Function(
            "balanceOf",
            List.<Type>of(new Address(owner)),
            List.<TypeReference<?>>of(new TypeReference<Uint256>() {}));
    try {
      EthCall r =
          web3.ethCall(
                  Transaction.createEthCallTransaction(
                      sender.getAddress(), address, FunctionEncoder.encode(f)),
                  DefaultBlockParameterName.LATEST)
              .send();
      if (r.hasError()) {
        throw new ChainException("balanceOf failed: " + r.getError().getMessage(), (String) null);
      }
      List<Type> out = FunctionReturnDecoder.decode(r.getValue(), f.getOutputParameters());
      if (out.isEmpty()) {
        throw new ChainException("no token contract at " + address, (String) null);
      }
      return (BigInteger) out.get(0).getValue();
    } catch (java.io.IOException e) {
      throw new ChainException("node unreachable: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("rawtypes")
  private SettlementClient.TxResult send(String name, Type... args) {
    String data = FunctionEncoder.encode(new Function(name, Arrays.asList(args), List.of()));
    TransactionReceipt r = SettlementClient.send(web3, sender, chainId, address, data, errors);
    return new SettlementClient.TxResult(r.getTransactionHash(), r.getGasUsed().longValueExact());
  }
}
