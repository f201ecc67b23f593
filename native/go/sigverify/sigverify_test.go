package sigverify

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

type vectorCase struct {
	PublicKeyX  string `json:"publicKeyX"`
	PublicKeyY  string `json:"publicKeyY"`
	MessageHash string `json:"messageHash"`
	Message     string `json:"message"`
	RX          string `json:"rX"`
	RY          string `json:"rY"`
	S           string `json:"s"`
	Valid       bool   `json:"valid"`
}

func be32(t testing.TB, dec string) []byte {
	v, ok := new(big.Int).SetString(dec, 10)
	if !ok {
		t.Fatalf("bad decimal %q", dec)
	}
	out := make([]byte, 32)
	v.FillBytes(out)
	return out
}

func input(t testing.TB, c vectorCase) []byte {
	msg := c.MessageHash
	if msg == "" {
		msg = c.Message
	}
	var in []byte
	for _, d := range []string{c.PublicKeyX, c.PublicKeyY, msg, c.RX, c.RY, c.S} {
		in = append(in, be32(t, d)...)
	}
	return in
}

func loadCases(t testing.TB) []vectorCase {
	var all []vectorCase
	for _, f := range []string{"commit/eddsa.json", "batch/messages.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "..", "test-vectors", f))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Cases []vectorCase `json:"cases"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		all = append(all, doc.Cases...)
	}
	return all
}

// The Java vectors (test-vectors/commit/eddsa.json, test-vectors/batch/messages.json) verify as labelled.
func TestJavaVectors(t *testing.T) {
	cases := loadCases(t)
	if len(cases) < 10 {
		t.Fatalf("only %d vector cases", len(cases))
	}
	for i, c := range cases {
		in := input(t, c)
		ok, err := Verify(in)
		if err != nil || ok != c.Valid {
			t.Fatalf("case %d: got %v, %v; want %v", i, ok, err, c.Valid)
		}
		// S + l is refused (S is not reduced), as in Java
		var s big.Int
		s.SetBytes(in[160:])
		s.Add(&s, order)
		s.FillBytes(in[160:])
		if ok, err := Verify(in); ok || err != nil {
			t.Fatalf("case %d: S + l accepted (%v, %v)", i, ok, err)
		}
	}
}

func TestInputChecks(t *testing.T) {
	if _, err := Verify(make([]byte, InputSize-1)); err != ErrInput {
		t.Fatal("short input accepted")
	}
	in := make([]byte, InputSize)
	for i := range in[:32] {
		in[i] = 0xff // pkX >= r
	}
	if _, err := Verify(in); err != ErrInput {
		t.Fatal("non-canonical coordinate accepted")
	}
	// all zero: A = (0, 0) is not on the curve
	if ok, err := Verify(make([]byte, InputSize)); ok || err != nil {
		t.Fatalf("zero input: %v %v", ok, err)
	}
}

// FuzzVerify: any byte string gives a verdict or ErrInput, never a panic; mutations of a valid signature
// never verify.
func FuzzVerify(f *testing.F) {
	for _, c := range loadCases(f) {
		f.Add(input(f, c))
	}
	f.Add(make([]byte, InputSize))
	f.Fuzz(func(t *testing.T, in []byte) {
		ok, err := Verify(in)
		if err != nil && ok {
			t.Fatal("an error with a true verdict")
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	c := loadCases(b)[0]
	in := input(b, c)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ok, _ := Verify(in); !ok {
			b.Fatal("valid signature refused")
		}
	}
}
