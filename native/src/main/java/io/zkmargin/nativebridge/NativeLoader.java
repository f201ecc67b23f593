package io.zkmargin.nativebridge;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Loads libzkmargin.so once per JVM. The library is taken from the system property {@code
 * zkm.native.lib} (a file path) if set, otherwise from the class path resource {@code
 * native/<platform>/libzkmargin.so} (inside the native jar), which is extracted to {@code
 * <java.io.tmpdir>/zkmargin-native/libzkmargin-<sha256 prefix>.so}: content addressed, so several
 * JVMs and several versions share the directory safely; written to a temporary file and moved
 * atomically into place, so that a JVM never loads a half-written file.
 *
 * <p>The Go runtime and the JVM both install signal handlers. The JVM must be started with {@code
 * LD_PRELOAD=$JAVA_HOME/lib/libjsig.so} (signal chaining, see native/README.md); the loader logs a
 * warning when it is missing but does not refuse to load.
 */
public final class NativeLoader {
  /** System property: path of a libzkmargin.so to load instead of the one on the class path. */
  public static final String LIBRARY_PATH_PROPERTY = "zkm.native.lib";

  private static final System.Logger LOG = System.getLogger(NativeLoader.class.getName());
  private static final Object LOCK = new Object();
  private static volatile Path loaded;
  private static Throwable failure;

  private NativeLoader() {}

  /**
   * Loads the library if it is not loaded yet and returns the file it was loaded from.
   *
   * @return the path of the loaded library file
   * @throws UnsatisfiedLinkError if the library cannot be found, extracted or loaded (every later
   *     call throws again with the first cause)
   */
  public static Path load() {
    Path p = loaded;
    if (p != null) {
      return p;
    }
    synchronized (LOCK) {
      if (loaded != null) {
        return loaded;
      }
      if (failure != null) {
        throw linkError("zkmargin native library failed to load earlier", failure);
      }
      try {
        warnIfNoSignalChaining();
        Path file = locate();
        System.load(file.toAbsolutePath().toString());
        loaded = file;
        return file;
      } catch (RuntimeException | IOException | UnsatisfiedLinkError e) {
        failure = e;
        throw linkError("cannot load the zkmargin native library", e);
      }
    }
  }

  /**
   * @return the platform directory name of this JVM, e.g. {@code linux-x86_64}
   */
  public static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o = os.contains("linux") ? "linux" : os.replaceAll("[^a-z0-9]", "");
    String a =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch64";
          default -> arch;
        };
    return o + "-" + a;
  }

  /**
   * @return true iff LD_PRELOAD names libjsig, i.e. the JVM chains signal handlers
   */
  public static boolean signalChainingEnabled() {
    String preload = System.getenv("LD_PRELOAD");
    return preload != null && preload.contains("libjsig");
  }

  private static void warnIfNoSignalChaining() {
    if (!signalChainingEnabled()) {
      LOG.log(
          Level.WARNING,
          "LD_PRELOAD does not contain libjsig.so: the Go runtime in libzkmargin.so and "
              + "the JVM will not chain their signal handlers, which can crash the JVM. Start the JVM with "
              + "LD_PRELOAD="
              + Paths.get(System.getProperty("java.home"), "lib", "libjsig.so")
              + " (see native/README.md).");
    }
  }

  private static Path locate() throws IOException {
    String override = System.getProperty(LIBRARY_PATH_PROPERTY);
    if (override != null && !override.isBlank()) {
      Path p = Paths.get(override);
      if (!Files.isRegularFile(p)) {
        throw new IOException("-D" + LIBRARY_PATH_PROPERTY + "=" + override + " is not a file");
      }
      return p;
    }
    String resource = "native/" + platform() + "/libzkmargin.so";
    byte[] bytes;
    try (InputStream in = NativeLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(
            "class path resource "
                + resource
                + " not found: the native jar has no "
                + "library for platform "
                + platform());
      }
      bytes = in.readAllBytes();
    }
    return extract(bytes, Paths.get(System.getProperty("java.io.tmpdir"), "zkmargin-native"));
  }

  /**
   * Writes {@code bytes} to {@code dir/libzkmargin-<sha256 prefix>.so} unless a file with exactly
   * these bytes is already there.
   */
  static Path extract(byte[] bytes, Path dir) throws IOException {
    String hash = sha256Hex(bytes).substring(0, 32);
    Files.createDirectories(dir);
    Path target = dir.resolve("libzkmargin-" + hash + ".so");
    if (Files.isRegularFile(target)
        && Files.size(target) == bytes.length
        && sha256Hex(Files.readAllBytes(target)).startsWith(hash)) {
      return target;
    }
    Path tmp = Files.createTempFile(dir, "libzkmargin-", ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  private static String sha256Hex(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static UnsatisfiedLinkError linkError(String msg, Throwable cause) {
    UnsatisfiedLinkError e = new UnsatisfiedLinkError(msg + ": " + cause);
    e.initCause(cause);
    return e;
  }
}
