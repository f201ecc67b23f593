package io.zkmargin.grpc.server;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Structured logs: one JSON object per line on stderr, with {@code ts} (ISO-8601 UTC), {@code level},
 * {@code event} and the event's fields. Values are strings or numbers; strings are JSON-escaped, so a
 * value with line breaks (a stack trace: {@link #stackTrace}) stays on its line.
 *
 * <p>{@link #captureJavaLogging} sends what libraries log through {@code java.util.logging} (gRPC and
 * Netty warnings, often with a stack trace) and uncaught exceptions through here as well, so that stderr
 * holds one JSON object per line and nothing else.
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

  /** The stack trace of {@code t} as one string (JSON-escaped when logged, so it stays on one line). */
  public static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString().stripTrailing();
  }

  private static volatile boolean captured;

  /**
   * Routes {@code java.util.logging} (replacing its console handlers) and uncaught exceptions of threads
   * without their own handler to this log: event {@code "jul"} with {@code logger}, {@code message} and a
   * {@code stack} field, or {@code "uncaught"} with {@code thread} and {@code stack}. Idempotent.
   */
  public static synchronized void captureJavaLogging() {
    if (captured) {
      return;
    }
    captured = true;
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    root.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r == null || !isLoggable(r)) {
          return;
        }
        String level = r.getLevel().intValue() >= Level.SEVERE.intValue() ? "error"
            : r.getLevel().intValue() >= Level.WARNING.intValue() ? "warn" : "info";
        String msg = r.getMessage();
        if (msg != null && r.getParameters() != null && r.getParameters().length > 0) {
          try {
            msg = java.text.MessageFormat.format(msg, r.getParameters());
          } catch (IllegalArgumentException e) {
            // keep the pattern as it is
          }
        }
        log(level, "jul", "logger", String.valueOf(r.getLoggerName()), "message", String.valueOf(msg),
            "stack", r.getThrown() == null ? "" : stackTrace(r.getThrown()));
      }

      @Override
      public void flush() {
        out.flush();
      }

      @Override
      public void close() {}
    });
    Thread.setDefaultUncaughtExceptionHandler((t, e) ->
        log("error", "uncaught", "thread", t.getName(), "error", String.valueOf(e), "stack", stackTrace(e)));
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
