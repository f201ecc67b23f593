package ceremony

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"os"
	"runtime"
	"sync"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	cmpc "github.com/consensys/gnark-crypto/ecc/bn254/mpcsetup"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
)

// Importing a public phase 1: snarkjs .ptau files (the Perpetual Powers of Tau / Hermez ceremony,
// BN254). Layout (binfileutils): "ptau", uint32 version, uint32 number of sections, then sections
// {uint32 type, uint64 size, data}, integers little endian. The sections used:
//
//	1 header:     uint32 n8 (32), q (n8 bytes LE, the base field prime), uint32 power M, uint32 ceremonyPower
//	2 tauG1:      2·2^M-1 G1 points [τⁱ]₁
//	3 tauG2:      2^M G2 points [τⁱ]₂
//	4 alphaTauG1: 2^M G1 points [ατⁱ]₁
//	5 betaTauG1:  2^M G1 points [βτⁱ]₁
//	6 betaG2:     1 G2 point [β]₂
//
// A G1 point is x, y; a G2 point x.c0, x.c1, y.c0, y.c1; each coordinate n8 bytes little endian in
// Montgomery form (R = 2^256, the same form gnark-crypto's fp.Element holds in its limbs). Other
// sections (7 contributions, 12-15 Lagrange bases of "prepared" files) are skipped. The first 2N-1,
// N, N, N points of a 2^M file are a valid SRS for domain N ≤ 2^M (a prefix of the powers).

// Ptau section types.
const (
	ptauHeader     = 1
	ptauTauG1      = 2
	ptauTauG2      = 3
	ptauAlphaTauG1 = 4
	ptauBetaTauG1  = 5
	ptauBetaG2     = 6
	// maxPtauSections bounds the section table (snarkjs writes at most 16 kinds).
	maxPtauSections = 64
	ptauG1Size      = 64
	ptauG2Size      = 128
)

// PtauInfo describes an imported .ptau file.
type PtauInfo struct {
	// FilePower is the file's power M (domain 2^M); CeremonyPower the original ceremony's.
	FilePower, CeremonyPower int
}

type ptauSection struct{ off, size int64 }

// ImportPtauFile is ImportPtau on a file.
func ImportPtauFile(path string, power int) ([]byte, PtauInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, PtauInfo{}, fmt.Errorf("%w: %v", errArg, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, PtauInfo{}, fmt.Errorf("%w: %v", errArg, err)
	}
	return ImportPtau(f, st.Size(), power)
}

// ImportPtau converts a snarkjs .ptau file (BN254) of size bytes, read through r, into the phase-1
// final file (gnark SrsCommons encoding, as Phase1Seal returns) at domain 2^power, which must not
// exceed the file's power. The file is untrusted: the section table, every section size and the
// header are checked against the file's length and its declared power before any point is read,
// and only the 2N-1, N, N, N, 1 points the domain needs are read (a multi-gigabyte file is not
// loaded). Every point must be canonical, not at infinity, on the curve and in the subgroup;
// [τ⁰]₁ and [τ⁰]₂ must be the generators (gnark's encoding omits them); the four vectors must be
// geometric with one common ratio τ (gnark-crypto SameRatioMany, as phase-1 Verify checks) and
// [β]₂ must match [βτ⁰]₁ (a pairing). What it cannot check is the ceremony itself: the file's
// transcript is verified with snarkjs (`snarkjs powersoftau verify`) and its hash compared with the
// published one.
func ImportPtau(r io.ReaderAt, size int64, power int) ([]byte, PtauInfo, error) {
	n64, err := checkPower(power)
	if err != nil {
		return nil, PtauInfo{}, err
	}
	n := int64(n64)
	bad := func(format string, a ...any) ([]byte, PtauInfo, error) {
		return nil, PtauInfo{}, fmt.Errorf("%w: .ptau: "+format, append([]any{errArg}, a...)...)
	}
	if size < 12 {
		return bad("%d bytes, not even a file header", size)
	}
	var head [12]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return bad("read: %v", err)
	}
	if string(head[:4]) != "ptau" {
		return bad("not a .ptau file (magic %q)", head[:4])
	}
	if v := binary.LittleEndian.Uint32(head[4:]); v != 1 {
		return bad("version %d, only version 1 is read", v)
	}
	nSections := binary.LittleEndian.Uint32(head[8:])
	if nSections < ptauBetaG2 || nSections > maxPtauSections {
		return bad("%d sections (need %d..%d)", nSections, ptauBetaG2, maxPtauSections)
	}
	sections := map[uint32]ptauSection{}
	off := int64(12)
	for i := uint32(0); i < nSections; i++ {
		if size-off < 12 {
			return bad("section %d header past the end of the file (%d bytes)", i+1, size)
		}
		var sh [12]byte
		if _, err := r.ReadAt(sh[:], off); err != nil {
			return bad("read: %v", err)
		}
		typ, sz := binary.LittleEndian.Uint32(sh[:4]), binary.LittleEndian.Uint64(sh[4:])
		off += 12
		if sz > uint64(size-off) {
			return bad("section %d (type %d) declares %d bytes, %d are left: truncated file", i+1, typ, sz, size-off)
		}
		if typ >= ptauHeader && typ <= ptauBetaG2 {
			if _, dup := sections[typ]; dup {
				return bad("section type %d appears twice", typ)
			}
			sections[typ] = ptauSection{off: off, size: int64(sz)}
		}
		off += int64(sz)
	}
	if off != size {
		return bad("%d bytes after the last section", size-off)
	}
	for t := uint32(ptauHeader); t <= ptauBetaG2; t++ {
		if _, ok := sections[t]; !ok {
			return bad("section type %d missing", t)
		}
	}

	// header: n8, q, power, ceremonyPower
	h := sections[ptauHeader]
	if h.size != 4+32+4+4 {
		return bad("header section of %d bytes, a BN254 file has 44", h.size)
	}
	hb := make([]byte, h.size)
	if _, err := r.ReadAt(hb, h.off); err != nil {
		return bad("read: %v", err)
	}
	if n8 := binary.LittleEndian.Uint32(hb); n8 != 32 {
		return bad("field element size %d, BN254 has 32", n8)
	}
	q := new(big.Int).SetBytes(reversed(hb[4:36]))
	if q.Cmp(fp.Modulus()) != 0 {
		return bad("base field %s is not BN254's", q)
	}
	m := binary.LittleEndian.Uint32(hb[36:])
	cp := binary.LittleEndian.Uint32(hb[40:])
	if m < 1 || m > MaxPower || cp < m || cp > MaxPower {
		return bad("power %d, ceremony power %d (need 1 ≤ power ≤ ceremony power ≤ %d)", m, cp, MaxPower)
	}
	info := PtauInfo{FilePower: int(m), CeremonyPower: int(cp)}
	if int(m) < power {
		return nil, info, fmt.Errorf("%w: .ptau: the file has power %d, %d is asked (use a file of power ≥ %d)", errArg, m, power, power)
	}
	fileN := int64(1) << m
	want := map[uint32]int64{
		ptauTauG1:      (2*fileN - 1) * ptauG1Size,
		ptauTauG2:      fileN * ptauG2Size,
		ptauAlphaTauG1: fileN * ptauG1Size,
		ptauBetaTauG1:  fileN * ptauG1Size,
		ptauBetaG2:     ptauG2Size,
	}
	for t, w := range want {
		if sections[t].size != w {
			return bad("section %d has %d bytes, power %d needs %d", t, sections[t].size, m, w)
		}
	}

	// only now is anything allocated, and only for the domain asked
	var c mpcsetup.SrsCommons
	if c.G1.Tau, err = readG1s(r, sections[ptauTauG1].off, 2*n-1); err != nil {
		return bad("tauG1: %v", err)
	}
	tau2, err := readG2s(r, sections[ptauTauG2].off, n)
	if err != nil {
		return bad("tauG2: %v", err)
	}
	c.G2.Tau = tau2
	if c.G1.AlphaTau, err = readG1s(r, sections[ptauAlphaTauG1].off, n); err != nil {
		return bad("alphaTauG1: %v", err)
	}
	if c.G1.BetaTau, err = readG1s(r, sections[ptauBetaTauG1].off, n); err != nil {
		return bad("betaTauG1: %v", err)
	}
	beta, err := readG2s(r, sections[ptauBetaG2].off, 1)
	if err != nil {
		return bad("betaG2: %v", err)
	}
	c.G2.Beta = beta[0]

	_, _, g1, g2 := curve.Generators()
	if !c.G1.Tau[0].Equal(&g1) || !c.G2.Tau[0].Equal(&g2) {
		return nil, info, fmt.Errorf("%w: .ptau: [τ⁰] is not the generator", errRefuse)
	}
	if err := cmpc.SameRatioMany(c.G1.Tau, c.G2.Tau, c.G1.AlphaTau, c.G1.BetaTau); err != nil {
		return nil, info, fmt.Errorf("%w: .ptau: the vectors are not powers of one τ: %v", errRefuse, err)
	}
	var negG1 curve.G1Affine
	negG1.Neg(&g1)
	ok, err := curve.PairingCheck([]curve.G1Affine{c.G1.BetaTau[0], negG1}, []curve.G2Affine{g2, c.G2.Beta})
	if err != nil || !ok {
		return nil, info, fmt.Errorf("%w: .ptau: [β]₂ does not match [β]₁", errRefuse)
	}
	out, err := encode(&c)
	if err != nil {
		return nil, info, err
	}
	return out, info, nil
}

func reversed(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

// readFp decodes one coordinate: 32 bytes little endian in Montgomery form, which must be < q.
func readFp(b []byte) (fp.Element, error) {
	e := fp.Element{
		binary.LittleEndian.Uint64(b[0:]), binary.LittleEndian.Uint64(b[8:]),
		binary.LittleEndian.Uint64(b[16:]), binary.LittleEndian.Uint64(b[24:]),
	}
	// canonical iff e < q, compared limb by limb from the most significant
	for i := 3; i >= 0; i-- {
		if e[i] != qLimbs[i] {
			if e[i] > qLimbs[i] {
				return e, fmt.Errorf("coordinate is not reduced modulo q")
			}
			return e, nil
		}
	}
	return e, fmt.Errorf("coordinate is not reduced modulo q")
}

// qLimbs is the base field modulus q as four little-endian 64-bit limbs.
var qLimbs = func() (l [4]uint64) {
	var b [32]byte
	fp.Modulus().FillBytes(b[:])
	for i := range l {
		l[i] = binary.BigEndian.Uint64(b[24-8*i:])
	}
	return l
}()

// parallel runs f over [0, n) in chunks on every core and returns the first error.
func parallel(n int64, f func(lo, hi int64) error) error {
	workers := int64(runtime.NumCPU())
	if workers > n {
		workers = n
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := int64(0); w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		wg.Add(1)
		go func(w, lo, hi int64) {
			defer wg.Done()
			errs[w] = f(lo, hi)
		}(w, lo, hi)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func readG1s(r io.ReaderAt, off, count int64) ([]curve.G1Affine, error) {
	buf := make([]byte, count*ptauG1Size)
	if _, err := r.ReadAt(buf, off); err != nil {
		return nil, err
	}
	out := make([]curve.G1Affine, count)
	err := parallel(count, func(lo, hi int64) error {
		for i := lo; i < hi; i++ {
			b := buf[i*ptauG1Size:]
			x, err := readFp(b[0:32])
			if err != nil {
				return fmt.Errorf("point %d: %v", i, err)
			}
			y, err := readFp(b[32:64])
			if err != nil {
				return fmt.Errorf("point %d: %v", i, err)
			}
			p := curve.G1Affine{X: x, Y: y}
			if p.IsInfinity() || !p.IsOnCurve() || !p.IsInSubGroup() {
				return fmt.Errorf("point %d is at infinity, off the curve or outside the subgroup", i)
			}
			out[i] = p
		}
		return nil
	})
	return out, err
}

func readG2s(r io.ReaderAt, off, count int64) ([]curve.G2Affine, error) {
	buf := make([]byte, count*ptauG2Size)
	if _, err := r.ReadAt(buf, off); err != nil {
		return nil, err
	}
	out := make([]curve.G2Affine, count)
	err := parallel(count, func(lo, hi int64) error {
		for i := lo; i < hi; i++ {
			var c [4]fp.Element
			for j := range c {
				v, err := readFp(buf[i*ptauG2Size+int64(32*j):])
				if err != nil {
					return fmt.Errorf("point %d: %v", i, err)
				}
				c[j] = v
			}
			var p curve.G2Affine
			p.X.A0, p.X.A1, p.Y.A0, p.Y.A1 = c[0], c[1], c[2], c[3]
			if p.IsInfinity() || !p.IsOnCurve() || !p.IsInSubGroup() {
				return fmt.Errorf("point %d is at infinity, off the curve or outside the subgroup", i)
			}
			out[i] = p
		}
		return nil
	})
	return out, err
}
