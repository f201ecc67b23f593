package io.zkmargin.cli;

import io.zkmargin.commit.CircuitSizes;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What every {@code ./zkm} command shares on top of picocli: the {@code -h/--help} option, the
 * circuit size option type, integer ranges, and the one-line usage error (exit 2).
 */
final class Cli {
  /** Exit code of a command line that does not parse or has an out-of-range value. */
  static final int USAGE_ERROR = 2;

  private Cli() {}

  /** {@code -h, --help} on every command: prints that command's generated help and exits 0. */
  static final class HelpOption {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "show this help and exit")
    boolean help;
  }

  /**
   * {@code --allow-dev-keys}: lets a command use keys of a development (single-party) setup, which
   * the key store refuses by default. A command on a demo venue allows them without the flag.
   */
  static final class DevKeysOption {
    @Option(
        names = "--allow-dev-keys",
        description = {
          "accept keys of a development (single-party) setup, whose maker can forge proofs: for tests",
          "and demos only (implied on a demo venue). Without it only ceremony keys are used"
        })
    boolean allowDevKeys;

    /**
     * @param dataDir the venue folder the command works on, or null
     * @return true when development keys may be used: the flag, the test/environment default
     *     ({@link io.zkmargin.prover.KeyStore#devKeysAllowedByDefault()}), or a demo venue in
     *     {@code dataDir}
     */
    boolean allowed(java.nio.file.Path dataDir) {
      return allowDevKeys
          || io.zkmargin.prover.KeyStore.devKeysAllowedByDefault()
          || isDemoVenue(dataDir);
    }

    /**
     * @param keysDir the {@code --keys} option, or null for the default store
     * @param dataDir the venue folder the command works on, or null
     * @return the key store with the development-key policy of {@link #allowed}
     */
    io.zkmargin.prover.KeyStore open(String keysDir, java.nio.file.Path dataDir) {
      boolean allow = allowed(dataDir);
      return keysDir == null
          ? io.zkmargin.prover.KeyStore.openDefault(allow)
          : new io.zkmargin.prover.KeyStore(java.nio.file.Path.of(keysDir), allow);
    }
  }

  /**
   * @param dir a venue folder, or null
   * @return true when it holds a demo venue (written by {@code ./zkm demo} or {@code serve} on an
   *     empty folder): its keys are a demo's too
   */
  static boolean isDemoVenue(java.nio.file.Path dir) {
    if (dir == null || !java.nio.file.Files.isDirectory(dir)) {
      return false;
    }
    try {
      return io.zkmargin.prover.VenueStore.load(dir).demo().isPresent();
    } catch (java.io.IOException | RuntimeException e) {
      return false; // not a venue: the command itself says what is wrong with it
    }
  }

  /**
   * {@code --size test|production}. The constants are lower case because picocli matches an enum
   * value by its name, and these are the words the command line has always taken (case-sensitive,
   * as before).
   */
  enum Size {
    test(CircuitSizes.TEST),
    production(CircuitSizes.PRODUCTION);

    private final CircuitSizes sizes;

    Size(CircuitSizes sizes) {
      this.sizes = sizes;
    }

    CircuitSizes sizes() {
      return sizes;
    }
  }

  /**
   * The L1 key a command signs with: the hex private key in {@code file}, or anvil's second
   * development account when {@code file} is null (local chains only).
   *
   * @throws IllegalArgumentException if the file does not hold a 32-byte hex private key
   */
  static org.web3j.crypto.Credentials loadL1Key(java.nio.file.Path file, String command)
      throws java.io.IOException {
    if (file == null) {
      return org.web3j.crypto.Credentials.create(io.zkmargin.chain.AnvilNode.DEV_KEY_1);
    }
    String key =
        java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII).strip();
    if (!key.matches("(0x)?[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException(file + " does not hold a 32-byte hex private key");
    }
    return org.web3j.crypto.Credentials.create(key);
  }

  /**
   * Checks that an option's value lies in {@code [min, max]}; picocli types the value, the range is
   * ours.
   *
   * @param spec the command the option belongs to (for the usage error)
   * @param option the option's name without dashes, as in the message
   * @return {@code value}
   * @throws ParameterException (exit 2) when it is out of range
   */
  static long range(CommandSpec spec, String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ParameterException(
          spec.commandLine(),
          "option --" + option + " must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /**
   * Integers as the command line has always read them: an optional sign, digits, {@code _} allowed
   * as separator.
   */
  static long parseInteger(String text) {
    try {
      return Long.parseLong(text.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + text + "' is not an integer");
    }
  }

  /**
   * Sets up a command line: integer options (each a {@code long}, range-checked by {@link #range}),
   * help layout, plain text (no ANSI colours: help reads the same in a terminal, a pipe and a
   * test), System.out and System.err as they are now, and usage errors printed as one line with a
   * hint (exit 2).
   */
  static CommandLine configure(CommandLine cl) {
    cl.registerConverter(Long.class, Cli::parseInteger);
    cl.registerConverter(long.class, Cli::parseInteger);
    cl.setOverwrittenOptionsAllowed(true); // the last of a repeated option wins, as it always did
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    cl.setUsageHelpWidth(120);
    cl.setUsageHelpLongOptionsMaxWidth(28);
    cl.setOut(new PrintWriter(System.out, true));
    cl.setErr(new PrintWriter(System.err, true));
    cl.setParameterExceptionHandler(Cli::usageError);
    keepDeclaredOrder(cl);
    return cl;
  }

  /**
   * Options in the help and synopsis in the order the command declares them (the most used first),
   * not sorted.
   */
  private static void keepDeclaredOrder(CommandLine cl) {
    cl.getCommandSpec().usageMessage().sortOptions(false).sortSynopsis(false);
    cl.getSubcommands().values().forEach(Cli::keepDeclaredOrder);
  }

  /**
   * A usage error as one line on stderr: {@code zkm <command>: <what is wrong> (see ./zkm <command>
   * --help)}.
   *
   * @return {@link #USAGE_ERROR}
   */
  static int usageError(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    if (ex instanceof UnmatchedArgumentException u
        && cmd.getParent() == null
        && !u.getUnmatched().isEmpty()
        && !u.getUnmatched().get(0).startsWith("-")) {
      System.err.println("zkm: unknown command '" + u.getUnmatched().get(0) + "'; run ./zkm help");
      return USAGE_ERROR;
    }
    if (ex instanceof CommandLine.MissingParameterException
        && !cmd.getUnmatchedArguments().isEmpty()) {
      // "--acount 3" misses --account too; the typo is the news, so say that first
      ex = new UnmatchedArgumentException(cmd, cmd.getUnmatchedArguments());
    }
    String message =
        ex.getMessage() == null
            ? ex.toString()
            : ex.getMessage().strip().replaceAll("\\s*\\n\\s*", "; ");
    if (ex instanceof UnmatchedArgumentException u) {
      List<String> suggestions = u.getSuggestions();
      if (!suggestions.isEmpty()) {
        message += "; did you mean " + String.join(" or ", suggestions) + "?";
      }
    }
    System.err.println(name + ": " + message + " (see ./" + name + " --help)");
    return USAGE_ERROR;
  }
}
