package io.zkmargin.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Turns revert data into a readable error: custom errors of the contracts' ABIs (by 4-byte
 * selector, static arguments decoded), {@code Error(string)} and {@code Panic(uint256)}.
 */
public final class RevertDecoder {

  private record ErrorDef(String name, List<String> types) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, ErrorDef> bySelector = new HashMap<>();

  /**
   * @param abiJsons ABI JSON arrays whose {@code error} entries are to be recognised
   */
  public RevertDecoder(String... abiJsons) {
    for (String abi : abiJsons) {
      try {
        for (JsonNode e : JSON.readTree(abi)) {
          if (!"error".equals(e.path("type").asText())) {
            continue;
          }
          List<String> types = new ArrayList<>();
          e.path("inputs").forEach(i -> types.add(i.path("type").asText()));
          String sig = e.path("name").asText() + "(" + String.join(",", types) + ")";
          bySelector.put(selector(sig), new ErrorDef(e.path("name").asText(), types));
        }
      } catch (IOException ex) {
        throw new UncheckedIOException("bad ABI JSON", ex);
      }
    }
  }

  /** The error name for the revert data, or null if unknown. */
  public String name(String revertHex) {
    if (revertHex == null || revertHex.length() < 10) {
      return null;
    }
    ErrorDef d = bySelector.get(revertHex.substring(0, 10).toLowerCase());
    return d == null ? null : d.name();
  }

  /**
   * A readable form of revert data ({@code 0x} + selector + arguments), e.g. {@code StaleEpoch(4,
   * 5)}.
   */
  public String describe(String revertHex) {
    if (revertHex == null || revertHex.length() < 10 || !revertHex.startsWith("0x")) {
      return "reverted without reason";
    }
    String sel = revertHex.substring(0, 10).toLowerCase();
    byte[] args = Numeric.hexStringToByteArray(revertHex.substring(10));
    if (sel.equals(selector("Error(string)")) && args.length >= 64) {
      int len = new BigInteger(1, java.util.Arrays.copyOfRange(args, 32, 64)).intValueExact();
      return "Error(\""
          + new String(args, 64, Math.min(len, args.length - 64), StandardCharsets.UTF_8)
          + "\")";
    }
    if (sel.equals(selector("Panic(uint256)")) && args.length >= 32) {
      return "Panic(0x"
          + new BigInteger(1, java.util.Arrays.copyOfRange(args, 0, 32)).toString(16)
          + ")";
    }
    ErrorDef d = bySelector.get(sel);
    if (d == null) {
      return "unknown error " + revertHex;
    }
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < d.types().size(); i++) {
      if (args.length < 32 * (i + 1)) {
        shown.add("?");
        continue;
      }
      BigInteger w = new BigInteger(1, java.util.Arrays.copyOfRange(args, 32 * i, 32 * (i + 1)));
      String t = d.types().get(i);
      shown.add(
          t.equals("address")
              ? Numeric.toHexStringWithPrefixZeroPadded(w, 40)
              : t.equals("bool")
                  ? Boolean.toString(w.signum() != 0)
                  : t.startsWith("bytes")
                      ? Numeric.toHexStringWithPrefixZeroPadded(w, 64)
                      : w.toString());
    }
    return d.name() + "(" + String.join(", ", shown) + ")";
  }

  static String selector(String signature) {
    return Numeric.toHexString(Hash.sha3(signature.getBytes(StandardCharsets.UTF_8)))
        .substring(0, 10);
  }
}
