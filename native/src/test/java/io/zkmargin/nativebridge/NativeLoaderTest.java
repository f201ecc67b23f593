package io.zkmargin.nativebridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLoaderTest {
  @Test
  void extractionIsContentAddressedAndIdempotent(@TempDir Path dir) throws Exception {
    byte[] a = {1, 2, 3};
    Path p1 = NativeLoader.extract(a, dir);
    Path p2 = NativeLoader.extract(a, dir);
    assertEquals(p1, p2);
    assertArrayEquals(a, Files.readAllBytes(p1));
    Path p3 = NativeLoader.extract(new byte[] {1, 2, 4}, dir);
    assertNotEquals(p1, p3);
    // a damaged file with the right name is replaced
    Files.write(p1, new byte[] {9, 9, 9});
    assertEquals(p1, NativeLoader.extract(a, dir));
    assertArrayEquals(a, Files.readAllBytes(p1));
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void loadsFromTheClassPathWithSignalChaining() {
    Path p = NativeLoader.load();
    assertTrue(Files.isRegularFile(p), p.toString());
    assertEquals(p, NativeLoader.load());
    assertEquals("linux-x86_64", NativeLoader.platform());
    // surefire runs every test JVM with LD_PRELOAD=libjsig.so (root pom)
    assertTrue(NativeLoader.signalChainingEnabled(), "LD_PRELOAD=" + System.getenv("LD_PRELOAD"));
  }

  @Test
  void everySignalHandlerRunsOnTheAlternateStack() {
    NativeLoader.load();
    NativeLib.ensureLoaded();
    // HotSpot installs SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGPIPE, SIGXFSZ, SIGUSR2, SIGQUIT...
    // handlers
    // without SA_ONSTACK; JNI_OnLoad must have fixed them all
    assertTrue(
        NativeLib.signalHandlersFixedAtLoad() >= 4,
        "fixed " + NativeLib.signalHandlersFixedAtLoad());
    assertEquals(
        0L,
        NativeLib.signalHandlersWithoutOnStack(),
        "signals without SA_ONSTACK (bit sig-1): "
            + Long.toBinaryString(NativeLib.signalHandlersWithoutOnStack()));
  }

  @Test
  @SuppressWarnings("removal")
  void handlersInstalledAfterLoadAreFixedOnKeyLoad() {
    NativeLib.ensureLoaded();
    // the JVM installs this handler without SA_ONSTACK
    sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> {});
    assertNotEquals(
        0L, NativeLib.signalHandlersWithoutOnStack() & (1L << (10 - 1)), "SIGUSR1 = 10");
    KeyPair keys = Gnark.setup(TestCircuits.SELFTEST);
    try (VerifyingKeyHandle vk =
        Gnark.loadVerifyingKey(TestCircuits.SELFTEST, keys.verifyingKey())) {
      assertEquals(0L, NativeLib.signalHandlersWithoutOnStack());
    }
  }
}
