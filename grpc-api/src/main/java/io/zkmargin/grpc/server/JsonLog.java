package io.zkmargin.grpc.server;

import java.io.PrintStream;
import java.time.Instant;

/**
 * Structured logs: one JSON object per line on stderr, with {@code ts} (ISO-8601 UTC), {@code level},
 * {@code event} and the event's fields. Values are strings or numbers; strings are JSON-escaped.
 */
public final class JsonLog {

  private static volatile PrintStream out = System.err;
  private static volatile boolean quiet = Boolean.getBoolean("zkm.log.quiet");

  private JsonLog() {}

  /** Sends the log lines to {@code stream} (tests) or silences them ({@code null}). */
  public static void redirect(PrintStream stream) {
    quiet = stream == null;
    if (stream != null) {
      out = stream;
    }
  }

  /** Logs an info event with key/value pairs ({@code k1, v1, k2, v2, ...}). */
  public static void info(String event, Object... kv) {
    log("info", event, kv);
  }

  /** Logs a warning event with key/value pairs. */
  public static void warn(String event, Object... kv) {
    log("warn", event, kv);
  }

  /** Logs an error event with key/value pairs. */
  public static void error(String event, Object... kv) {
    log("error", event, kv);
  }

  static void log(String level, String event, Object... kv) {
    if (quiet) {
      return;
    }
    if (kv.length % 2 != 0) {
      throw new IllegalArgumentException("key/value pairs expected");
    }
    StringBuilder sb = new StringBuilder(160);
    sb.append("{\"ts\":\"").append(Instant.now()).append("\",\"level\":\"").append(level)
        .append("\",\"event\":");
    quote(sb, event);
    for (int i = 0; i < kv.length; i += 2) {
      sb.append(',');
      quote(sb, String.valueOf(kv[i]));
      sb.append(':');
      Object v = kv[i + 1];
      if (v instanceof Number || v instanceof Boolean) {
        sb.append(v);
      } else {
        quote(sb, String.valueOf(v));
      }
    }
    sb.append('}');
    out.println(sb);
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
