package io.zkmargin.grpc.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Locale;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.slf4j.spi.LocationAwareLogger;

/**
 * The service's structured logs: SLF4J through logback and the logstash JSON encoder ({@code
 * logback.xml}), one JSON object per line on stderr with {@code ts} (ISO-8601 UTC), {@code level}
 * ({@code info}, {@code warn}, {@code error}), {@code event} (the log message is the event name),
 * the event's key/value pairs ({@code log.atInfo().addKeyValue(k, v).log(event)}), and a stack
 * trace folded into {@code stack}.
 *
 * <p>{@link #install} (a server starting) also sends what libraries log through {@code
 * java.util.logging} (gRPC and Netty warnings, often with a stack trace) and uncaught exceptions
 * through here, so that stderr holds one JSON object per line and nothing else.
 */
public final class ServiceLogging {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceLogging.class);
  private static boolean installed;
  private static boolean quiet;

  private ServiceLogging() {}

  /**
   * Routes {@code java.util.logging} (replacing its console handlers) and uncaught exceptions of
   * threads without their own handler to the log, and turns on the libraries' loggers (INFO) unless
   * the log is quiet: a JUL record becomes event {@code "jul"} with {@code logger}, {@code message}
   * and its stack trace, an uncaught exception event {@code "uncaught"} with {@code thread} and
   * {@code error}. Idempotent.
   */
  public static synchronized void install() {
    if (!installed) {
      installed = true;
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      java.util.logging.Logger.getLogger("").addHandler(new JulEvents());
      Thread.setDefaultUncaughtExceptionHandler(
          (t, e) ->
              LOG.atError()
                  .addKeyValue("thread", t.getName())
                  .addKeyValue("error", String.valueOf(e))
                  .setCause(e)
                  .log("uncaught"));
    }
    apply();
  }

  /** Silences the whole log ({@code true}: tests, the in-process benchmark) or turns it back on. */
  public static synchronized void quiet(boolean silence) {
    quiet = silence;
    apply();
  }

  private static void apply() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.getLogger("io.zkmargin").setLevel(quiet ? Level.OFF : Level.INFO);
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(quiet || !installed ? Level.OFF : Level.INFO);
  }

  /**
   * The bridge with JUL records as {@code "jul"} events: the bridge's own call would make the JUL
   * message the event name. The bridge finds the SLF4J logger of the record's JUL logger; this
   * writes the event.
   */
  private static final class JulEvents extends SLF4JBridgeHandler {
    private final SimpleFormatter format = new SimpleFormatter();

    @Override
    protected void callLocationAwareLogger(LocationAwareLogger logger, LogRecord r) {
      callPlainSLF4JLogger(logger, r);
    }

    @Override
    protected void callPlainSLF4JLogger(Logger logger, LogRecord r) {
      int v = r.getLevel().intValue();
      org.slf4j.event.Level level =
          v <= java.util.logging.Level.FINE.intValue()
              ? org.slf4j.event.Level.DEBUG
              : v <= java.util.logging.Level.INFO.intValue()
                  ? org.slf4j.event.Level.INFO
                  : v <= java.util.logging.Level.WARNING.intValue()
                      ? org.slf4j.event.Level.WARN
                      : org.slf4j.event.Level.ERROR;
      if (logger.isEnabledForLevel(level)) {
        // formatMessage: the record's resource bundle and {0} parameters, as JUL's own handlers
        // print it
        logger
            .atLevel(level)
            .addKeyValue("logger", logger.getName())
            .addKeyValue("message", String.valueOf(format.formatMessage(r)))
            .setCause(r.getThrown())
            .log("jul");
      }
    }
  }

  /**
   * The level in lower case ({@code info}, {@code warn}, {@code error}), as the log has always
   * written it.
   */
  public static final class LowerCaseLevel extends LogLevelJsonProvider {
    @Override
    public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
      generator.writeStringField(
          getFieldName(), event.getLevel().toString().toLowerCase(Locale.ROOT));
    }
  }
}
