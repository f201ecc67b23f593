package ceremony

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
	"github.com/zkmargin/zkmargin/native/go/engine"
)

// transcript is every file of a test ceremony.
type transcript struct {
	c       *Circuit
	p1      [][]byte
	commons []byte
	p2      [][]byte
	beacon  []byte
	final   *Final
}

// run3 runs a ceremony with phase1Parties phase-1 contributions and 3 phase-2 contributions for
// circuit id and returns every file.
func run3(t testing.TB, id string, phase1Parties int) *transcript {
	t.Helper()
	c, err := ResolveCircuit(id)
	if err != nil {
		t.Fatal(err)
	}
	tr := &transcript{c: c, beacon: []byte("beacon: drand round 1234")}
	prev, err := Phase1Init(c.Power)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < phase1Parties; i++ {
		next, rec, prod, err := Phase1Contribute(c.Power, prev)
		if err != nil {
			t.Fatal(err)
		}
		if rec != sum(prev) || prod != sum(next) {
			t.Fatalf("phase-1 contribution %d reports hashes %x -> %x, files hash %x -> %x", i+1, rec, prod, sum(prev), sum(next))
		}
		if want, _ := Phase1Size(c.Power, true); int64(len(next)) != want {
			t.Fatalf("phase-1 contribution has %d bytes, Phase1Size says %d", len(next), want)
		}
		tr.p1 = append(tr.p1, next)
		prev = next
	}
	tr.commons, _, err = Phase1Seal(c.Power, tr.p1, []byte("phase-1 beacon"))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := CommonsSize(c.Power); int64(len(tr.commons)) != want {
		t.Fatalf("commons has %d bytes, CommonsSize says %d", len(tr.commons), want)
	}
	prev, err = Phase2Init(id, tr.commons)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(prev)) != c.Phase2Size(false) {
		t.Fatalf("phase-2 initial state has %d bytes, Phase2Size says %d", len(prev), c.Phase2Size(false))
	}
	for i := 0; i < 3; i++ {
		next, rec, prod, err := Phase2Contribute(id, prev)
		if err != nil {
			t.Fatal(err)
		}
		if rec != sum(prev) || prod != sum(next) {
			t.Fatalf("phase-2 contribution %d reports wrong hashes", i+1)
		}
		tr.p2 = append(tr.p2, next)
		prev = next
	}
	tr.final, err = Phase2Finalize(id, tr.commons, tr.p2, tr.beacon)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// proveVerify loads the ceremony keys with a fresh engine, proves the witness and verifies the proof.
func proveVerify(t *testing.T, id string, f *Final, witness []byte) {
	t.Helper()
	e := engine.Default()
	ph, err := e.LoadProvingKey(id, f.ProvingKey)
	if err != nil {
		t.Fatalf("engine refuses the ceremony proving key: %v", err)
	}
	defer e.Release(ph)
	vh, err := e.LoadVerifyingKey(id, f.VerifyingKey)
	if err != nil {
		t.Fatalf("engine refuses the ceremony verifying key: %v", err)
	}
	defer e.Release(vh)
	proof, pub, err := e.Prove(ph, witness)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Verify(vh, proof, pub); err != nil {
		t.Fatalf("a proof made with the ceremony key does not verify: %v", err)
	}
	v, _ := new(big.Int).SetString(pub[0], 10)
	pub[0] = v.Add(v, big.NewInt(1)).Mod(v, fr.Modulus()).String()
	if err := e.Verify(vh, proof, pub); !errors.Is(err, engine.ErrVerificationFailed) {
		t.Fatalf("a proof verifies against a changed public input: %v", err)
	}
}

const selfTestID = "selftest-N8"

func TestSelfTestCeremony(t *testing.T) {
	tr := run3(t, selfTestID, 3)
	proveVerify(t, selfTestID, tr.final, []byte(`{"circuitId":"selftest-N8","x":"15","y":"8","a":"3","b":"5"}`))
	checkRefusals(t, tr)
	checkIncremental(t, tr)
}

func TestHealthTestCeremony(t *testing.T) {
	if testing.Short() {
		t.Skip("health ceremony skipped in -short")
	}
	// Phase 1 is universal and its 3-party chain and refusals are covered by TestSelfTestCeremony; at the
	// health circuit's power (2^14) each phase-1 contribution costs seconds of sequential scalar
	// multiplications, so the CI run uses one phase-1 and three phase-2 contributions.
	id := encoding.TestSizes.HealthID()
	tr := run3(t, id, 1)
	f := healthtest.New(encoding.TestSizes)
	f.ThresholdBps = 10_000
	w, _ := f.Build()
	js, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	proveVerify(t, id, tr.final, js)
	if hs, err := Phase2Verify(id, tr.commons, [][]byte{tr.p2[0], tr.p2[2]}); err == nil {
		t.Fatalf("skipped health contribution accepted: %x", hs)
	}
}

func wantRefused(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: accepted", what)
	}
	if !errors.Is(err, engine.ErrVerificationFailed) && !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("%s: refused with an unclassified error: %v", what, err)
	}
	t.Logf("%s: refused: %v", what, err)
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

func checkRefusals(t *testing.T, tr *transcript) {
	id, p := tr.c.ID, tr.c.Power
	if _, err := Phase1Verify(p, tr.p1); err != nil {
		t.Fatalf("honest phase-1 chain refused: %v", err)
	}
	if hs, err := Phase2Verify(id, tr.commons, tr.p2); err != nil || len(hs) != 3 || hs[2] != sum(tr.p2[2]) {
		t.Fatalf("honest phase-2 chain refused or wrong hashes: %v", err)
	}

	// tampered: one byte of a point in the middle contribution (decode or proof check fails), and
	// every byte class: the update proof, the vectors, the challenge
	for _, at := range []int{10, 300, len(tr.p1[1]) - 5} {
		_, err := Phase1Verify(p, [][]byte{tr.p1[0], flip(tr.p1[1], at), tr.p1[2]})
		wantRefused(t, "phase-1 tampered", err)
	}
	for _, at := range []int{10, 60, len(tr.p2[1]) - 150, len(tr.p2[1]) - 5} {
		_, err := Phase2Verify(id, tr.commons, [][]byte{tr.p2[0], flip(tr.p2[1], at), tr.p2[2]})
		wantRefused(t, "phase-2 tampered", err)
	}

	// skipped contribution
	_, err := Phase1Verify(p, [][]byte{tr.p1[0], tr.p1[2]})
	wantRefused(t, "phase-1 skipped", err)
	_, err = Phase2Verify(id, tr.commons, [][]byte{tr.p2[0], tr.p2[2]})
	wantRefused(t, "phase-2 skipped", err)
	_, err = Phase2Verify(id, tr.commons, [][]byte{tr.p2[1], tr.p2[2]})
	wantRefused(t, "phase-2 first skipped", err)

	// wrong predecessor: a third contribution built on a different second one
	other, _, _, err := Phase2Contribute(id, tr.p2[0])
	if err != nil {
		t.Fatal(err)
	}
	forked, _, _, err := Phase2Contribute(id, other)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Phase2Verify(id, tr.commons, [][]byte{tr.p2[0], tr.p2[1], forked})
	wantRefused(t, "phase-2 wrong predecessor", err)
	// ... also when its challenge field is rewritten to name the expected predecessor: the proof of
	// knowledge is bound to the challenge it was made for
	relabelled := bytes.Clone(forked)
	want := sum(tr.p2[1])
	copy(relabelled[len(relabelled)-challengeSize:], want[:])
	_, err = Phase2Verify(id, tr.commons, [][]byte{tr.p2[0], tr.p2[1], relabelled})
	wantRefused(t, "phase-2 wrong predecessor, challenge rewritten", err)
	if _, err := Phase2Verify(id, tr.commons, [][]byte{tr.p2[0], other, forked}); err != nil {
		t.Fatalf("the fork itself is a valid chain and must verify: %v", err)
	}
	other1, _, _, err := Phase1Contribute(p, tr.p1[0])
	if err != nil {
		t.Fatal(err)
	}
	forked1, _, _, err := Phase1Contribute(p, other1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Phase1Verify(p, [][]byte{tr.p1[0], tr.p1[1], forked1})
	wantRefused(t, "phase-1 wrong predecessor", err)

	// a phase-2 chain on another phase-1 result
	otherCommons, _, err := Phase1Seal(p, tr.p1, []byte("another beacon"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Phase2Verify(id, otherCommons, tr.p2)
	wantRefused(t, "phase-2 on another phase-1 result", err)

	// wrong beacon: the keys are not what this transcript and beacon give
	_, err = Phase2VerifyFinal(id, tr.commons, tr.p2, []byte("beacon: drand round 1235"), tr.final.ProvingKey, tr.final.VerifyingKey)
	wantRefused(t, "wrong beacon", err)
	if _, err := Phase2VerifyFinal(id, tr.commons, tr.p2, tr.beacon, tr.final.ProvingKey, tr.final.VerifyingKey); err != nil {
		t.Fatalf("the right beacon is refused: %v", err)
	}
	wrong, err := Phase2Finalize(id, tr.commons, tr.p2, []byte("beacon: drand round 1235"))
	if err != nil {
		t.Fatal(err)
	}
	if wrong.Transcript == tr.final.Transcript || bytes.Equal(wrong.VerifyingKey, tr.final.VerifyingKey) {
		t.Fatal("a different beacon gives the same keys or transcript")
	}
}

// checkIncremental: the one-step checks (Phase1VerifyNext, Phase2VerifyNext, the coordinator's check
// on receipt) accept every honest step and refuse what the full-chain verify refuses at that step: a
// tampered contribution, one built on another predecessor (also with its challenge rewritten), a
// skipped one, a replayed one, and a contribution given as its own predecessor.
func checkIncremental(t *testing.T, tr *transcript) {
	id, p := tr.c.ID, tr.c.Power
	init2, err := Phase2Init(id, tr.commons)
	if err != nil {
		t.Fatal(err)
	}
	chain2 := append([][]byte{init2}, tr.p2...)
	for i := 1; i < len(chain2); i++ {
		h, err := Phase2VerifyNext(id, chain2[i-1], chain2[i])
		if err != nil || h != sum(chain2[i]) {
			t.Fatalf("honest phase-2 step %d refused or wrong hash: %v", i, err)
		}
	}
	init1, _ := Phase1Init(p)
	chain1 := append([][]byte{init1}, tr.p1...)
	for i := 1; i < len(chain1); i++ {
		if h, err := Phase1VerifyNext(p, chain1[i-1], chain1[i]); err != nil || h != sum(chain1[i]) {
			t.Fatalf("honest phase-1 step %d refused or wrong hash: %v", i, err)
		}
	}

	for _, at := range []int{10, 60, len(tr.p2[1]) - 150, len(tr.p2[1]) - 5} {
		_, err := Phase2VerifyNext(id, tr.p2[0], flip(tr.p2[1], at))
		wantRefused(t, "phase-2 next tampered", err)
	}
	for _, at := range []int{10, 300, len(tr.p1[1]) - 5} {
		_, err := Phase1VerifyNext(p, tr.p1[0], flip(tr.p1[1], at))
		wantRefused(t, "phase-1 next tampered", err)
	}
	// a tampered predecessor is refused too (it no longer decodes or its hash is not the challenge)
	_, err = Phase2VerifyNext(id, flip(tr.p2[0], len(tr.p2[0])-5), tr.p2[1])
	wantRefused(t, "phase-2 next on a tampered predecessor", err)

	// skipped: the third contribution offered on the first
	_, err = Phase2VerifyNext(id, tr.p2[0], tr.p2[2])
	wantRefused(t, "phase-2 next skipped", err)
	_, err = Phase2VerifyNext(id, init2, tr.p2[1])
	wantRefused(t, "phase-2 next skipped (first)", err)
	_, err = Phase1VerifyNext(p, tr.p1[0], tr.p1[2])
	wantRefused(t, "phase-1 next skipped", err)
	// replayed: an accepted contribution offered again on the latest state, or on itself
	_, err = Phase2VerifyNext(id, tr.p2[2], tr.p2[2])
	wantRefused(t, "phase-2 next replayed on itself", err)
	_, err = Phase2VerifyNext(id, tr.p2[2], tr.p2[1])
	wantRefused(t, "phase-2 next replayed", err)

	// wrong predecessor: built on a fork of the first contribution, with or without its challenge
	// rewritten to name the expected predecessor
	other, _, _, err := Phase2Contribute(id, tr.p2[0])
	if err != nil {
		t.Fatal(err)
	}
	forked, _, _, err := Phase2Contribute(id, other)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Phase2VerifyNext(id, tr.p2[1], forked)
	wantRefused(t, "phase-2 next wrong predecessor", err)
	relabelled := bytes.Clone(forked)
	want := sum(tr.p2[1])
	copy(relabelled[len(relabelled)-challengeSize:], want[:])
	_, err = Phase2VerifyNext(id, tr.p2[1], relabelled)
	wantRefused(t, "phase-2 next wrong predecessor, challenge rewritten", err)
	other1, _, _, err := Phase1Contribute(p, tr.p1[0])
	if err != nil {
		t.Fatal(err)
	}
	forked1, _, _, err := Phase1Contribute(p, other1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Phase1VerifyNext(p, tr.p1[1], forked1)
	wantRefused(t, "phase-1 next wrong predecessor", err)
	// a file of another circuit or power
	_, err = Phase2VerifyNext("selftest-N9", tr.p2[0], tr.p2[1])
	wantRefused(t, "phase-2 next for another circuit", err)
	_, err = Phase1VerifyNext(p+1, tr.p1[0], tr.p1[1])
	wantRefused(t, "phase-1 next at another power", err)
}

// TestUserEntropyIsMixedIn: the mixing reader's output depends on both the OS bytes and the user's
// entropy; a contribution with entropy verifies; crypto/rand.Reader is restored afterwards.
func TestUserEntropyIsMixedIn(t *testing.T) {
	zeros := func() io.Reader { return bytes.NewReader(make([]byte, 1024)) }
	read := func(os io.Reader, entropy string) []byte {
		m := &mixingReader{os: os, seed: sha256.Sum256([]byte(entropy))}
		out := make([]byte, 80)
		if _, err := io.ReadFull(m, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := read(zeros(), "alice"), read(zeros(), "bob")
	if bytes.Equal(a, b) {
		t.Fatal("the user's entropy does not change the secrets")
	}
	if bytes.Equal(a[:32], a[32:64]) {
		t.Fatal("blocks repeat")
	}
	saved := rand.Reader
	p := MinPower + 2
	init, err := Phase1Init(p)
	if err != nil {
		t.Fatal(err)
	}
	next, _, _, err := Phase1ContributeEntropy(p, init, []byte("dice: 4 1 6 6 2"))
	if err != nil {
		t.Fatal(err)
	}
	if rand.Reader != saved {
		t.Fatal("crypto/rand.Reader was not restored")
	}
	if _, err := Phase1Verify(p, [][]byte{next}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := Phase1ContributeEntropy(p, init, make([]byte, MaxEntropy+1)); err == nil {
		t.Fatal("oversized entropy accepted")
	}
}
