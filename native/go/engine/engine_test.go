package engine

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

const tinyID = "selftest-N8"

func setupTiny(t *testing.T) (*Engine, uint64, uint64) {
	t.Helper()
	e := New(selfTestResolver)
	pk, vk, err := e.Setup(tinyID)
	if err != nil {
		t.Fatal(err)
	}
	ph, err := e.LoadProvingKey(tinyID, pk)
	if err != nil {
		t.Fatal(err)
	}
	vh, err := e.LoadVerifyingKey(tinyID, vk)
	if err != nil {
		t.Fatal(err)
	}
	if ph == 0 || vh == 0 || ph == vh {
		t.Fatalf("bad handles %d %d", ph, vh)
	}
	return e, ph, vh
}

func TestRoundTrip(t *testing.T) {
	e, ph, vh := setupTiny(t)
	proof, pub, err := e.Prove(ph, SelfTestWitnessJSON(tinyID, 3, 5))
	if err != nil {
		t.Fatal(err)
	}
	if len(pub) != 2 || pub[0] != "15" || pub[1] != "8" {
		t.Fatalf("public inputs %v, want [15 8]", pub)
	}
	if len(proof) < 256 {
		t.Fatalf("proof has %d bytes", len(proof))
	}
	if err := e.Verify(vh, proof, pub); err != nil {
		t.Fatal(err)
	}
	// another public input: well-formed, does not verify
	err = e.Verify(vh, proof, []string{"16", "8"})
	if !errors.Is(err, ErrVerificationFailed) {
		t.Fatalf("want ErrVerificationFailed, got %v", err)
	}
	// a flipped byte in the proof: either not a point or a different point
	bad := append([]byte(nil), proof...)
	bad[10] ^= 1
	if err := e.Verify(vh, bad, pub); err == nil {
		t.Fatal("corrupted proof verified")
	}
	// trailing bytes
	if err := e.Verify(vh, append(append([]byte(nil), proof...), 0), pub); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("want ErrInvalidArgument for trailing bytes, got %v", err)
	}
}

func TestUnsatisfiedWitness(t *testing.T) {
	e, ph, _ := setupTiny(t)
	js := []byte(`{"circuitId":"selftest-N8","x":"16","y":"8","a":"3","b":"5"}`)
	_, _, err := e.Prove(ph, js)
	if !errors.Is(err, ErrUnsatisfied) || !strings.HasPrefix(err.Error(), "witness does not satisfy the circuit: ") {
		t.Fatalf("want unsatisfied error, got %v", err)
	}
	_, _, err = e.Prove(ph, []byte(`{"circuitId":"selftest-N9","x":"15","y":"8","a":"3","b":"5"}`))
	if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "selftest-N9") {
		t.Fatalf("want circuit mismatch, got %v", err)
	}
	_, _, err = e.Prove(ph, []byte(`not json`))
	if !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("want invalid argument, got %v", err)
	}
}

func TestHandles(t *testing.T) {
	e, ph, vh := setupTiny(t)
	if _, _, err := e.Prove(vh, SelfTestWitnessJSON(tinyID, 3, 5)); !errors.Is(err, ErrUnknownHandle) {
		t.Fatalf("proving with a verifying key handle: %v", err)
	}
	if _, err := e.ExportSolidity(ph); !errors.Is(err, ErrUnknownHandle) {
		t.Fatalf("exporting a proving key handle: %v", err)
	}
	if err := e.Release(ph); err != nil {
		t.Fatal(err)
	}
	if err := e.Release(ph); !errors.Is(err, ErrUnknownHandle) {
		t.Fatalf("double release: %v", err)
	}
	if _, _, err := e.Prove(ph, SelfTestWitnessJSON(tinyID, 3, 5)); !errors.Is(err, ErrUnknownHandle) {
		t.Fatalf("use after release: %v", err)
	}
	if e.LiveHandles() != 1 {
		t.Fatalf("live handles %d", e.LiveHandles())
	}
}

func TestKeyChecks(t *testing.T) {
	e := New(selfTestResolver)
	pk, vk, err := e.Setup(tinyID)
	if err != nil {
		t.Fatal(err)
	}
	// keys of another circuit are rejected
	if _, err := e.LoadProvingKey("selftest-N9", pk); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("pk of another circuit: %v", err)
	}
	if _, err := e.LoadProvingKey(tinyID, pk[:len(pk)-1]); err == nil {
		t.Fatal("truncated pk accepted")
	}
	if _, err := e.LoadProvingKey(tinyID, append(append([]byte(nil), pk...), 7)); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("pk with trailing bytes: %v", err)
	}
	if _, err := e.LoadVerifyingKey(tinyID, vk[:len(vk)-3]); err == nil {
		t.Fatal("truncated vk accepted")
	}
	// a point that is not on the curve: the checked reader refuses it
	bad := append([]byte(nil), vk...)
	bad[5] ^= 0x40
	if _, err := e.LoadVerifyingKey(tinyID, bad); err == nil {
		t.Fatal("corrupted vk accepted")
	}
	if _, err := e.LoadVerifyingKey("nope", vk); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("unknown circuit: %v", err)
	}
}

func TestDigestAndSolidity(t *testing.T) {
	e, _, vh := setupTiny(t)
	d1, err := e.CircuitDigest(tinyID)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := New(selfTestResolver).CircuitDigest(tinyID) // fresh compile: deterministic
	if err != nil {
		t.Fatal(err)
	}
	if d1 != d2 {
		t.Fatal("circuit digest is not deterministic")
	}
	d3, _ := e.CircuitDigest("selftest-N9")
	if d3 == d1 {
		t.Fatal("different circuits, same digest")
	}
	src, err := e.ExportSolidity(vh)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src, "pragma solidity") || !strings.Contains(src, "function verifyProof") {
		t.Fatalf("unexpected solidity source: %.200s", src)
	}
}

func TestConcurrentProve(t *testing.T) {
	e, ph, vh := setupTiny(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				a, b := int64(g+2), int64(i+7)
				proof, pub, err := e.Prove(ph, SelfTestWitnessJSON(tinyID, a, b))
				if err == nil {
					err = e.Verify(vh, proof, pub)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestParseCanonical(t *testing.T) {
	var z fr.Element
	for _, ok := range []string{"0", "1", "21888242871839275222246405745257275088548364400416034343698204186575808495616"} {
		if err := ParseCanonical(ok, &z); err != nil {
			t.Fatalf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-1", "+1", "01", "00", "007", " 1", "1e3", "0x10",
		"21888242871839275222246405745257275088548364400416034343698204186575808495617"} {
		if err := ParseCanonical(bad, &z); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}
