package io.zkmargin.grpc;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.ConsoleTarget;
import io.zkmargin.grpc.server.ServiceLogging;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the service log goes in a test: the stream of the log's stderr appender ({@code
 * logback.xml}), so that a test reads back exactly the lines the service writes, encoded as in
 * production.
 */
public final class TestLogs {

  private static boolean redirected;

  private TestLogs() {}

  /** Sends the service log to {@code stream}, or ({@code null}) back to stderr and silences it. */
  public static synchronized void redirect(PrintStream stream) {
    OutputStreamAppender<?> stderr =
        (OutputStreamAppender<?>)
            ((LoggerContext) LoggerFactory.getILoggerFactory())
                .getLogger(Logger.ROOT_LOGGER_NAME)
                .getAppender("STDERR");
    if (stream == null) {
      if (redirected) {
        stderr.setOutputStream(ConsoleTarget.SystemErr.getStream());
        redirected = false;
      }
      ServiceLogging.quiet(true);
    } else {
      stderr.setOutputStream(stream);
      redirected = true;
      ServiceLogging.quiet(false);
    }
  }
}
