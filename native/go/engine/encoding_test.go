package engine

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// attackProof260 is the proof of the outside review that killed the service: 256 zero bytes (three
// points at infinity, which gnark's checked reader accepts) and a commitment count of 0xffffffff, for
// which gnark-crypto tried to allocate 256 GiB (a fatal Go out-of-memory: the JVM died with it).
func attackProof260() []byte {
	b := make([]byte, 260)
	binary.BigEndian.PutUint32(b[256:], 0xffffffff)
	return b
}

// attackProof324 is the same attack at the canonical length.
func attackProof324() []byte {
	b := make([]byte, CanonicalProofLength)
	binary.BigEndian.PutUint32(b[256:], 0xffffffff)
	return b
}

// fixture: one tiny key pair and one proof, shared by the tests and fuzz targets of this file.
var (
	tinyOnce sync.Once
	tinyFix  struct {
		e        *Engine
		pk, vk   []byte
		ph, vh   uint64
		proof    []byte
		publics  []string
		setupErr error
	}
)

func tinyFixture(t testing.TB) *Engine {
	t.Helper()
	tinyOnce.Do(func() {
		f := &tinyFix
		f.e = New(selfTestResolver)
		if f.pk, f.vk, f.setupErr = f.e.Setup(tinyID); f.setupErr != nil {
			return
		}
		if f.ph, f.setupErr = f.e.LoadProvingKey(tinyID, f.pk); f.setupErr != nil {
			return
		}
		if f.vh, f.setupErr = f.e.LoadVerifyingKey(tinyID, f.vk); f.setupErr != nil {
			return
		}
		f.proof, f.publics, f.setupErr = f.e.Prove(f.ph, SelfTestWitnessJSON(tinyID, 3, 5))
	})
	if tinyFix.setupErr != nil {
		t.Fatal(tinyFix.setupErr)
	}
	return tinyFix.e
}

func wantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("%s: want ErrInvalidArgument, got %v", what, err)
	}
}

func TestAttackProofIsRefusedBeforeDecoding(t *testing.T) {
	e := tinyFixture(t)
	// Before the fix this call never returned: "fatal error: out of memory" (256 GiB block).
	wantInvalid(t, "260-byte attack", e.Verify(tinyFix.vh, attackProof260(), tinyFix.publics))
	wantInvalid(t, "324-byte attack", e.Verify(tinyFix.vh, attackProof324(), tinyFix.publics))
	// and the engine still verifies a real proof afterwards
	if err := e.Verify(tinyFix.vh, tinyFix.proof, tinyFix.publics); err != nil {
		t.Fatal(err)
	}
}

func TestProofEncodingIsCanonical(t *testing.T) {
	e := tinyFixture(t)
	p := tinyFix.proof
	if len(p) != CanonicalProofLength {
		t.Fatalf("the engine wrote a %d-byte proof, the canonical length is %d", len(p), CanonicalProofLength)
	}
	if err := CheckProofEncoding(p); err != nil {
		t.Fatal(err)
	}
	for i := ProofPointsLength; i < CanonicalProofLength; i++ {
		if p[i] != 0 {
			t.Fatalf("proof byte %d is %d, the tail must be zero", i, p[i])
		}
	}
	// every tail byte changed: refused before decoding (the chain path ignores them, so the offline
	// path must not accept them either)
	for _, i := range []int{256, 259, 260, 300, 323} {
		bad := append([]byte(nil), p...)
		bad[i] = 1
		wantInvalid(t, "tail byte", e.Verify(tinyFix.vh, bad, tinyFix.publics))
	}
	// a compressed point tag would shift every later offset
	for _, i := range []int{0, 64, 192} {
		bad := append([]byte(nil), p...)
		bad[i] |= 0x80
		wantInvalid(t, "compressed tag", e.Verify(tinyFix.vh, bad, tinyFix.publics))
	}
	for _, n := range []int{0, 1, 255, 256, 260, 323, 325, 388} {
		b := make([]byte, n)
		copy(b, p)
		wantInvalid(t, "length", e.Verify(tinyFix.vh, b, tinyFix.publics))
	}
}

func TestVerifyingKeyPrefixesAreChecked(t *testing.T) {
	e := tinyFixture(t)
	c, _ := e.Compile(tinyID)
	vk := tinyFix.vk
	if len(vk) != c.VerifyingKeyLength() {
		t.Fatalf("vk has %d bytes, VerifyingKeyLength says %d", len(vk), c.VerifyingKeyLength())
	}
	// offsets of the three counts: K count at 576, committed lists at 580+64*(NbPublic+1), then keys
	kCount := 3*g1Raw + 3*g2Raw
	lists := kCount + 4 + (c.NbPublic+1)*g1Raw
	for _, off := range []int{kCount, lists, lists + 4} {
		for _, v := range []uint32{0xffffffff, 0x7fffffff, 1} {
			bad := append([]byte(nil), vk...)
			binary.BigEndian.PutUint32(bad[off:], v)
			_, err := e.LoadVerifyingKey(tinyID, bad)
			wantInvalid(t, "vk count", err)
		}
	}
	// the repro of the review's finding for keys: a huge K count in a short key (ReadFrom allocated
	// 128 GiB for it)
	short := append([]byte(nil), vk[:600]...)
	binary.BigEndian.PutUint32(short[kCount:], 0x7fffffff)
	_, err := e.LoadVerifyingKey(tinyID, short)
	wantInvalid(t, "short vk with a huge count", err)
}

func TestCheckedInVerifyingKeyStillLoads(t *testing.T) {
	e := New(registryResolver)
	vk, err := os.ReadFile(filepath.Join("..", "..", "..", "verifier-contracts", "keys", healthTestID+".vk"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := e.LoadVerifyingKey(healthTestID, vk)
	if err != nil {
		t.Fatalf("checked-in verifying key refused: %v", err)
	}
	_ = e.Release(h)
}

// pkOffsets returns the offsets of the counts in a proving key of circuit c with nA, nB non-infinity points.
func pkOffsets(c *Compiled, pk []byte) map[string]int {
	off := map[string]int{"cardinality": 0}
	o := domainBytes + 3*g1Raw
	off["A"] = o
	nA := int(binary.BigEndian.Uint32(pk[o:]))
	o += 4 + nA*g1Raw
	off["B"] = o
	nB := int(binary.BigEndian.Uint32(pk[o:]))
	o += 4 + nB*g1Raw
	off["Z"] = o
	nZ := int(binary.BigEndian.Uint32(pk[o:]))
	o += 4 + nZ*g1Raw
	off["K"] = o
	o += 4 + (c.NbWires-c.NbPublic-1)*g1Raw + 2*g2Raw
	off["B2"] = o
	o += 4 + nB*g2Raw
	off["nbWires"] = o
	off["NbInfinityA"] = o + 8
	off["NbInfinityB"] = o + 16
	off["InfinityA"] = o + 24
	off["commitments"] = len(pk) - 4
	return off
}

func TestProvingKeyPrefixesAreChecked(t *testing.T) {
	e := tinyFixture(t)
	c, _ := e.Compile(tinyID)
	pk := tinyFix.pk
	off := pkOffsets(c, pk)
	if got := binary.BigEndian.Uint64(pk[off["nbWires"]:]); got != uint64(c.NbWires) {
		t.Fatalf("offset walk is wrong: nbWires reads %d, want %d", got, c.NbWires)
	}
	// uint32 counts: huge values must be refused, not allocated
	for _, name := range []string{"A", "B", "Z", "K", "B2", "commitments"} {
		for _, v := range []uint32{0xffffffff, 0x7fffffff} {
			bad := append([]byte(nil), pk...)
			binary.BigEndian.PutUint32(bad[off[name]:], v)
			_, err := e.LoadProvingKey(tinyID, bad)
			wantInvalid(t, "pk count "+name, err)
		}
	}
	// uint64 counts, including the FFT domain size (before the fix, 2^34 made fft allocate 512 GiB of
	// twiddles) and the wire count (make([]bool, nbWires))
	for _, name := range []string{"cardinality", "nbWires", "NbInfinityA", "NbInfinityB"} {
		for _, v := range []uint64{1 << 34, 1 << 62, 0xffffffffffffffff} {
			bad := append([]byte(nil), pk...)
			binary.BigEndian.PutUint64(bad[off[name]:], v)
			_, err := e.LoadProvingKey(tinyID, bad)
			wantInvalid(t, "pk count "+name, err)
		}
	}
	// a flag that is not a boolean, and flags that disagree with their count
	bad := append([]byte(nil), pk...)
	bad[off["InfinityA"]] = 2
	_, err := e.LoadProvingKey(tinyID, bad)
	wantInvalid(t, "pk flag", err)
	bad = append([]byte(nil), pk...)
	bad[off["InfinityA"]] ^= 1
	_, err = e.LoadProvingKey(tinyID, bad)
	wantInvalid(t, "pk flags vs count", err)
	// and the untouched key still loads
	if _, err := e.LoadProvingKey(tinyID, pk); err != nil {
		t.Fatal(err)
	}
}

// checkErrorClass fails when err wraps none of the engine's error classes (the C ABI maps them to codes).
func checkErrorClass(t *testing.T, err error) {
	if err == nil {
		return
	}
	for _, class := range []error{ErrInvalidArgument, ErrUnknownHandle, ErrUnsatisfied, ErrVerificationFailed} {
		if errors.Is(err, class) {
			return
		}
	}
	t.Fatalf("error of no class: %v", err)
}

// FuzzVerifyProof: random and mutated proof bytes against the tiny circuit's key. The engine must
// return (never crash, never allocate from a length prefix) and accept only canonical encodings.
func FuzzVerifyProof(f *testing.F) {
	tinyFixture(f)
	f.Add(tinyFix.proof)
	f.Add(attackProof260())
	f.Add(attackProof324())
	f.Add(tinyFix.proof[:256])
	f.Add(make([]byte, CanonicalProofLength))
	f.Fuzz(func(t *testing.T, proof []byte) {
		err := tinyFix.e.Verify(tinyFix.vh, proof, tinyFix.publics)
		checkErrorClass(t, err)
		if err == nil && CheckProofEncoding(proof) != nil {
			t.Fatalf("a non-canonical proof verified: %x", proof)
		}
	})
}

// FuzzLoadVerifyingKey: random and mutated verifying keys for the tiny circuit.
func FuzzLoadVerifyingKey(f *testing.F) {
	tinyFixture(f)
	c, err := tinyFix.e.Compile(tinyID)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tinyFix.vk)
	huge := append([]byte(nil), tinyFix.vk[:600]...)
	binary.BigEndian.PutUint32(huge[576:], 0xffffffff)
	f.Add(huge)
	f.Add(tinyFix.vk[:len(tinyFix.vk)-4])
	f.Fuzz(func(t *testing.T, vk []byte) {
		h, err := tinyFix.e.LoadVerifyingKey(tinyID, vk)
		checkErrorClass(t, err)
		if err == nil {
			if len(vk) != c.VerifyingKeyLength() {
				t.Fatalf("a %d-byte verifying key loaded", len(vk))
			}
			_ = tinyFix.e.Release(h)
		}
	})
}

// FuzzLoadProvingKey: random and mutated proving keys for the tiny circuit.
func FuzzLoadProvingKey(f *testing.F) {
	tinyFixture(f)
	c, err := tinyFix.e.Compile(tinyID)
	if err != nil {
		f.Fatal(err)
	}
	pk := tinyFix.pk
	off := pkOffsets(c, pk)
	f.Add(pk)
	f.Add(pk[:domainBytes+10])
	for _, name := range []string{"A", "Z", "commitments"} {
		bad := append([]byte(nil), pk...)
		binary.BigEndian.PutUint32(bad[off[name]:], 0xffffffff)
		f.Add(bad)
	}
	bad := append([]byte(nil), pk...)
	binary.BigEndian.PutUint64(bad[off["nbWires"]:], 1<<40)
	f.Add(bad)
	f.Fuzz(func(t *testing.T, key []byte) {
		h, err := tinyFix.e.LoadProvingKey(tinyID, key)
		checkErrorClass(t, err)
		if err == nil {
			_ = tinyFix.e.Release(h)
		}
	})
}
