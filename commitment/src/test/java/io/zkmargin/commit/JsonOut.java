package io.zkmargin.commit;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * A tiny deterministic JSON writer for the test vectors: maps keep insertion order (use
 * LinkedHashMap), arrays of scalars are written on one line, everything else indented by two
 * spaces; numbers are written as decimal strings (BigInteger, Long, Integer), booleans as JSON
 * booleans.
 */
final class JsonOut {
  private JsonOut() {}

  static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0);
    sb.append('\n');
    return sb.toString();
  }

  private static boolean inline(Object v) {
    if (v instanceof long[] || v instanceof BigInteger[] || v instanceof String[]) {
      return true;
    }
    if (v instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map || o instanceof List || o instanceof long[] || o instanceof Object[]) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private static void indent(StringBuilder sb, int n) {
    for (int i = 0; i < n; i++) {
      sb.append("  ");
    }
  }

  private static void write(StringBuilder sb, Object v, int depth) {
    if (v instanceof Map<?, ?> m) {
      sb.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        indent(sb, depth + 1);
        str(sb, e.getKey().toString());
        sb.append(": ");
        write(sb, e.getValue(), depth + 1);
        sb.append(++i < m.size() ? ",\n" : "\n");
      }
      indent(sb, depth);
      sb.append('}');
    } else if (v instanceof long[] a) {
      sb.append('[');
      for (int i = 0; i < a.length; i++) {
        sb.append(i > 0 ? ", " : "");
        str(sb, Long.toString(a[i]));
      }
      sb.append(']');
    } else if (v instanceof Object[] a) {
      write(sb, List.of(a), depth);
    } else if (v instanceof List<?> l) {
      if (inline(l)) {
        sb.append('[');
        for (int i = 0; i < l.size(); i++) {
          sb.append(i > 0 ? ", " : "");
          write(sb, l.get(i), depth + 1);
        }
        sb.append(']');
      } else {
        sb.append("[\n");
        for (int i = 0; i < l.size(); i++) {
          indent(sb, depth + 1);
          write(sb, l.get(i), depth + 1);
          sb.append(i + 1 < l.size() ? ",\n" : "\n");
        }
        indent(sb, depth);
        sb.append(']');
      }
    } else if (v instanceof Boolean b) {
      sb.append(b);
    } else if (v == null) {
      throw new IllegalArgumentException("null in test vector");
    } else {
      str(sb, v.toString());
    }
  }

  private static void str(StringBuilder sb, String s) {
    sb.append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}
