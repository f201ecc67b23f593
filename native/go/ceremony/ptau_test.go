package ceremony

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/zkmargin/zkmargin/native/go/engine"
)

// ptauFixture is a real snarkjs 0.7.6 .ptau at power 4 (test-vectors/ceremony/README.md says how it
// was made): powersoftau new, one contribution, a beacon, prepare phase2 (so it also carries the
// Lagrange sections a Hermez/PPoT "final" file has).
func ptauFixture(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "test-vectors", "ceremony", "pot4_final.ptau"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func importBytes(b []byte, power int) ([]byte, PtauInfo, error) {
	return ImportPtau(bytes.NewReader(b), int64(len(b)), power)
}

// TestImportPtau: a snarkjs phase 1 imported at the self-test circuit's power starts a phase 2 whose
// finalized keys prove and verify; a prefix (smaller power) is a valid phase-1 final file too; a
// larger power than the file's, a truncated file and corrupted points are refused before or while
// decoding with an invalid-argument or refused error.
func TestImportPtau(t *testing.T) {
	file := ptauFixture(t)
	c, err := ResolveCircuit(selfTestID)
	if err != nil {
		t.Fatal(err)
	}
	commons, info, err := importBytes(file, c.Power)
	if err != nil {
		t.Fatal(err)
	}
	if info.FilePower != 4 || info.CeremonyPower != 4 {
		t.Fatalf("info %+v", info)
	}
	if _, err := DecodeCommons(c.Power, commons); err != nil {
		t.Fatalf("the imported file does not decode as a phase-1 final file: %v", err)
	}
	init, err := Phase2Init(selfTestID, commons)
	if err != nil {
		t.Fatal(err)
	}
	next, _, _, err := Phase2Contribute(selfTestID, init)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Phase2Finalize(selfTestID, commons, [][]byte{next}, []byte("ptau beacon"))
	if err != nil {
		t.Fatal(err)
	}
	proveVerify(t, selfTestID, f, []byte(`{"circuitId":"selftest-N8","x":"15","y":"8","a":"3","b":"5"}`))

	small, _, err := importBytes(file, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeCommons(2, small); err != nil {
		t.Fatalf("a prefix does not decode: %v", err)
	}
	if _, _, err := importBytes(file, 5); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("power above the file's: %v", err)
	}

	for _, n := range []int{0, 4, 11, 12, 30, 60, len(file) / 2, len(file) - 1} {
		_, _, err := importBytes(file[:n], 2)
		wantRefused(t, "truncated .ptau", err)
	}
	_, _, err = importBytes(append(bytes.Clone(file), 0), 2)
	wantRefused(t, ".ptau with trailing bytes", err)

	// corrupt one coordinate of [τ¹]₁, of [τ¹]₂ and of [β]₂, and the prime
	tauG1, tauG2, betaG2 := sectionOffset(t, file, ptauTauG1), sectionOffset(t, file, ptauTauG2), sectionOffset(t, file, ptauBetaG2)
	for _, at := range []int{tauG1 + 64 + 3, tauG2 + 128 + 70, betaG2 + 5, sectionOffset(t, file, ptauHeader) + 6} {
		_, _, err := importBytes(flip(file, at), 2)
		wantRefused(t, "corrupted .ptau", err)
	}
	// a consistent point swapped for another valid one: [τ²]₁ replaced by [τ³]₁ (on the curve, wrong power)
	swapped := bytes.Clone(file)
	copy(swapped[tauG1+2*64:tauG1+3*64], file[tauG1+3*64:tauG1+4*64])
	_, _, err = importBytes(swapped, 2)
	wantRefused(t, ".ptau with a wrong power of τ", err)
	// a section size forged to exceed the file: refused before allocation
	forged := bytes.Clone(file)
	binary.LittleEndian.PutUint64(forged[tauG1-8:], 1<<62)
	_, _, err = importBytes(forged, 2)
	wantRefused(t, ".ptau with a forged section size", err)
}

// sectionOffset returns the offset of the data of the first section of type typ in a .ptau file.
func sectionOffset(t testing.TB, b []byte, typ uint32) int {
	t.Helper()
	off := 12
	for off+12 <= len(b) {
		ty, sz := binary.LittleEndian.Uint32(b[off:]), binary.LittleEndian.Uint64(b[off+4:])
		if ty == typ {
			return off + 12
		}
		off += 12 + int(sz)
	}
	t.Fatalf("no section %d", typ)
	return 0
}

// FuzzImportPtau: no input makes the .ptau reader panic or allocate beyond the asked domain
// (2^fuzzPower), and whatever it accepts is a phase-1 final file DecodeCommons accepts.
// Run: go test ./native/go/ceremony -run '^$' -fuzz FuzzImportPtau -fuzztime 30s
func FuzzImportPtau(f *testing.F) {
	file := ptauFixture(f)
	f.Add(file)
	f.Add(file[:len(file)/3])
	f.Add(flip(file, 200))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, _, err := importBytes(b, fuzzPower)
		if err != nil {
			if !errors.Is(err, engine.ErrInvalidArgument) && !errors.Is(err, engine.ErrVerificationFailed) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if _, err := DecodeCommons(fuzzPower, out); err != nil {
			t.Fatalf("accepted .ptau gives an undecodable phase-1 final file: %v", err)
		}
	})
}
