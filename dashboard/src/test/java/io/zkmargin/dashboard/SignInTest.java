package io.zkmargin.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdwardsKeyPair;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sign-in by a signed challenge: only the account's own key opens a session for it, once. */
class SignInTest {

  private static final EdwardsKeyPair KEY1 = new EdwardsKeyPair(BigInteger.valueOf(1234567));
  private static final EdwardsKeyPair KEY2 = new EdwardsKeyPair(BigInteger.valueOf(7654321));
  private static final Map<Long, AccountLeaf> LEAVES = Map.of(1L, leaf(KEY1), 2L, leaf(KEY2));

  private static AccountLeaf leaf(EdwardsKeyPair k) {
    return new AccountLeaf(
        k.publicKey().x(),
        k.publicKey().y(),
        0,
        0,
        new long[] {1, 0},
        new long[2],
        new long[2],
        new long[2]);
  }

  private final SignIn signIn =
      new SignIn("service-a", id -> Optional.ofNullable(LEAVES.get(id)), Clock.systemUTC());

  @Test
  void theAccountsKeyOpensASessionForThatAccountOnly() {
    String c = signIn.challenge();
    String token = signIn.signIn(1, c, SignIn.sign(KEY1, "service-a", 1, c)).orElseThrow();
    assertEquals(1, signIn.session(token).orElseThrow().accountId());
    signIn.signOut(token);
    assertTrue(signIn.session(token).isEmpty());
  }

  @Test
  void refusesAnotherKeyAnotherAccountAnotherServiceAndAReusedChallenge() {
    String c1 = signIn.challenge();
    assertTrue(signIn.signIn(1, c1, SignIn.sign(KEY2, "service-a", 1, c1)).isEmpty(), "wrong key");
    String c2 = signIn.challenge();
    assertTrue(
        signIn.signIn(2, c2, SignIn.sign(KEY1, "service-a", 1, c2)).isEmpty(),
        "signature for account 1 used for account 2");
    String c3 = signIn.challenge();
    assertTrue(
        signIn.signIn(1, c3, SignIn.sign(KEY1, "service-b", 1, c3)).isEmpty(), "other service");
    String c4 = signIn.challenge();
    String sig = SignIn.sign(KEY1, "service-a", 1, c4);
    assertTrue(signIn.signIn(1, c4, sig).isPresent());
    assertTrue(signIn.signIn(1, c4, sig).isEmpty(), "a challenge is used once");
    assertTrue(signIn.signIn(1, "zkm-" + "0".repeat(48), sig).isEmpty(), "unknown challenge");
    String c5 = signIn.challenge();
    assertTrue(signIn.signIn(9, c5, SignIn.sign(KEY1, "service-a", 9, c5)).isEmpty(), "unknown");
    String c6 = signIn.challenge();
    assertTrue(signIn.signIn(1, c6, "zz").isEmpty(), "malformed signature");
  }

  @Test
  void anExpiredChallengeIsRefused() {
    Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
    SignIn s =
        new SignIn(
            "service-a",
            id -> Optional.ofNullable(LEAVES.get(id)),
            new Clock() {
              @Override
              public ZoneOffset getZone() {
                return ZoneOffset.UTC;
              }

              @Override
              public Clock withZone(java.time.ZoneId zone) {
                return this;
              }

              @Override
              public Instant instant() {
                return now[0];
              }
            });
    String c = s.challenge();
    now[0] = now[0].plusMillis(SignIn.CHALLENGE_MILLIS + 1);
    assertTrue(s.signIn(1, c, SignIn.sign(KEY1, "service-a", 1, c)).isEmpty());
  }
}
