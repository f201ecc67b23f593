package io.zkmargin.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Minimal command-line parsing shared by every subcommand: {@code --name value} options, {@code --flag}
 * switches and positional arguments. Unknown options are an error, so a typo never goes unnoticed.
 */
public final class Args {
  private final Map<String, String> options = new HashMap<>();
  private final Set<String> flags = new HashSet<>();
  private final List<String> positional = new ArrayList<>();

  private Args() {}

  /**
   * Parses {@code args}.
   *
   * @param valued option names (without dashes) that take a value
   * @param switches option names that take no value
   * @throws UsageException on an unknown option or a missing value
   */
  public static Args parse(String[] args, Set<String> valued, Set<String> switches) throws UsageException {
    Args a = new Args();
    for (int i = 0; i < args.length; i++) {
      String s = args[i];
      if (s.startsWith("--")) {
        String name = s.substring(2);
        String inline = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          inline = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (valued.contains(name)) {
          String v = inline;
          if (v == null) {
            if (i + 1 >= args.length) {
              throw new UsageException("option --" + name + " needs a value");
            }
            v = args[++i];
          }
          a.options.put(name, v);
        } else if (switches.contains(name) && inline == null) {
          a.flags.add(name);
        } else {
          throw new UsageException("unknown option --" + name);
        }
      } else {
        a.positional.add(s);
      }
    }
    return a;
  }

  /** The value of a required option. */
  public String required(String name) throws UsageException {
    String v = options.get(name);
    if (v == null) {
      throw new UsageException("option --" + name + " is required");
    }
    return v;
  }

  /** The value of an option, or {@code fallback} when absent. */
  public String get(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  /** A required option parsed as a long within {@code [min, max]}. */
  public long requiredLong(String name, long min, long max) throws UsageException {
    return parseLong(name, required(name), min, max);
  }

  /** An optional option parsed as a long within {@code [min, max]}. */
  public long getLong(String name, long fallback, long min, long max) throws UsageException {
    String v = options.get(name);
    return v == null ? fallback : parseLong(name, v, min, max);
  }

  /** The data directory: {@code --data DIR}, default {@code ./demo} under the current directory. */
  public Path dataDir() {
    return Path.of(get("data", "demo"));
  }

  public boolean flag(String name) {
    return flags.contains(name);
  }

  public List<String> positional() {
    return positional;
  }

  private static long parseLong(String name, String v, long min, long max) throws UsageException {
    long x;
    try {
      x = Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException("option --" + name + " must be an integer, was '" + v + "'");
    }
    if (x < min || x > max) {
      throw new UsageException("option --" + name + " must be in [" + min + ", " + max + "], was " + x);
    }
    return x;
  }

  /** A command line that does not parse; the message says what is wrong. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message);
    }
  }
}
