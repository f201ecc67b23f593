package ceremony

import (
	"encoding/binary"
	"runtime"
	"sync"
	"testing"
)

// The decoders read untrusted contribution files. The fuzz targets check that no input makes them
// panic or allocate beyond what the power or circuit implies (a forged length prefix must be refused
// before gnark allocates), and that whatever they accept re-encodes to the same bytes.
// Run: go test ./native/go/ceremony -run '^$' -fuzz FuzzDecodePhase1 -fuzztime 5s (likewise the others).

const fuzzPower = 2

var (
	fuzzSeedOnce sync.Once
	fuzzP1       [][]byte
	fuzzCommons  []byte
	fuzzP2       [][]byte
	fuzzCircuit  *Circuit
)

// fuzzSeeds builds a tiny honest ceremony (power 2 for phase 1; selftest-N1 for phase 2).
func fuzzSeeds(f *testing.F) {
	fuzzSeedOnce.Do(func() {
		init1, err := Phase1Init(fuzzPower)
		if err != nil {
			f.Fatal(err)
		}
		c1, _, _, err := Phase1Contribute(fuzzPower, init1)
		if err != nil {
			f.Fatal(err)
		}
		fuzzP1 = [][]byte{init1, c1}
		fuzzCircuit, err = ResolveCircuit("selftest-N1")
		if err != nil {
			f.Fatal(err)
		}
		p := fuzzCircuit.Power
		i1, _ := Phase1Init(p)
		k1, _, _, _ := Phase1Contribute(p, i1)
		fuzzCommons, _, err = Phase1Seal(p, [][]byte{k1}, []byte{1})
		if err != nil {
			f.Fatal(err)
		}
		i2, err := Phase2Init(fuzzCircuit.ID, fuzzCommons)
		if err != nil {
			f.Fatal(err)
		}
		k2, _, _, err := Phase2Contribute(fuzzCircuit.ID, i2)
		if err != nil {
			f.Fatal(err)
		}
		fuzzP2 = [][]byte{i2, k2}
	})
}

// withLength returns b with a big-endian uint32 of v written at off (a forged length prefix).
func withLength(b []byte, off int, v uint32) []byte {
	c := append([]byte(nil), b...)
	if off+4 <= len(c) {
		binary.BigEndian.PutUint32(c[off:], v)
	}
	return c
}

func FuzzDecodePhase1(f *testing.F) {
	fuzzSeeds(f)
	for _, s := range fuzzP1 {
		f.Add(s)
		f.Add(withLength(s, 3*updateProofSize+4, 0xffffffff)) // N = 2^32-1 in the low half
		f.Add(withLength(s, 3*updateProofSize, 0xffffffff))   // N >= 2^63
		f.Add(s[:len(s)/2])
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, contribution := range []bool{false, true} {
			if p, err := DecodePhase1(fuzzPower, b, contribution); err == nil {
				if again, err := encode(p); err != nil || string(again) != string(b) {
					t.Fatal("accepted a file that does not re-encode to itself")
				}
			}
		}
	})
}

func FuzzDecodeCommons(f *testing.F) {
	fuzzSeeds(f)
	f.Add(fuzzCommons)
	f.Add(withLength(fuzzCommons, 0, 0xffffffff))
	f.Add(withLength(fuzzCommons, 4, 0xffffffff))
	f.Add(fuzzCommons[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, err := DecodeCommons(fuzzCircuit.Power, b); err == nil {
			if again, err := encode(c); err != nil || string(again) != string(b) {
				t.Fatal("accepted a file that does not re-encode to itself")
			}
		}
	})
}

func FuzzDecodePhase2(f *testing.F) {
	fuzzSeeds(f)
	kOff := 2 + g1Size
	zOff := kOff + 4 + fuzzCircuit.NbPrivate*g1Size
	for _, s := range fuzzP2 {
		f.Add(s)
		f.Add(withLength(s, kOff, 0xffffffff))
		f.Add(withLength(s, zOff, 0xffffffff))
		c := append([]byte(nil), s...)
		c[1] = 0xff // 255 commitments
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, contribution := range []bool{false, true} {
			if p, err := fuzzCircuit.DecodePhase2(b, contribution); err == nil {
				if again, err := encode(p); err != nil || string(again) != string(b) {
					t.Fatal("accepted a file that does not re-encode to itself")
				}
			}
		}
	})
}

// TestForgedLengthsRefusedBeforeAllocation: a forged length prefix of 0xffffffff (or a forged domain
// size) in a file of the right total size is refused by the pre-checks, without a large allocation.
func TestForgedLengthsRefusedBeforeAllocation(t *testing.T) {
	init1, _ := Phase1Init(fuzzPower)
	c, err := ResolveCircuit("selftest-N1")
	if err != nil {
		t.Fatal(err)
	}
	i1, _ := Phase1Init(c.Power)
	k1, _, _, _ := Phase1Contribute(c.Power, i1)
	commons, _, err := Phase1Seal(c.Power, [][]byte{k1}, []byte{1})
	if err != nil {
		t.Fatal(err)
	}
	i2, err := Phase2Init(c.ID, commons)
	if err != nil {
		t.Fatal(err)
	}
	kOff := 2 + g1Size
	zOff := kOff + 4 + c.NbPrivate*g1Size
	cases := map[string]func() error{
		"phase-1 N": func() error {
			_, err := DecodePhase1(fuzzPower, withLength(init1, 3*updateProofSize+4, 0xffffffff), false)
			return err
		},
		"commons N": func() error { _, err := DecodeCommons(c.Power, withLength(commons, 4, 0xffffffff)); return err },
		"phase-2 K": func() error { _, err := c.DecodePhase2(withLength(i2, kOff, 0xffffffff), false); return err },
		"phase-2 Z": func() error { _, err := c.DecodePhase2(withLength(i2, zOff, 0xffffffff), false); return err },
	}
	for name, run := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := run()
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%s: forged length accepted", name)
		}
		// the refusal happens before gnark's reader: only the error message is allocated
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Fatalf("%s: %d bytes allocated before the refusal", name, n)
		}
	}
}
