// Package sigverify verifies zkmargin's EdDSA signatures (BN254 twisted Edwards, Poseidon2 challenge)
// with gnark-crypto's field and curve arithmetic: the native fast path behind
// io.zkmargin.nativebridge.NativeLib.eddsaVerify. The verdict is exactly that of the Java reference
// io.zkmargin.commit.EdDSA.verify:
//
//   - A on the curve, not the identity, in the prime-order subgroup;
//   - R on the curve; 0 <= S < l (l the subgroup order; S is not reduced);
//   - h = hashMD(R.x, R.y, A.x, A.y, m) with Poseidon2 (gnark-crypto's MerkleDamgard hasher), used as an
//     integer (not reduced mod l);
//   - 8*S*B == 8*(R + h*A) (cofactored).
//
// gnark-crypto's own eddsa.Verify differs on malformed input (it reduces S mod l and reads compressed
// points), hence this package.
package sigverify

import (
	"errors"
	"math/big"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
)

// InputSize is the length of Verify's input: pkX, pkY, message, R.x, R.y, S as 32-byte big-endian
// integers, in this order.
const InputSize = 6 * 32

// ErrInput reports input that is not InputSize bytes or holds a coordinate or message that is not a
// canonical field element (< r): the Java side never sends one, so it is an argument error, not a verdict.
var ErrInput = errors.New("sigverify: input must be 192 bytes: pkX, pkY, message, R.x, R.y, S (32-byte big-endian), field elements below r")

var (
	curve = twistededwards.GetEdwardsCurve()
	order = &curve.Order
)

// Verify reports whether the signature (R, S) of message under public key A is valid.
func Verify(in []byte) (bool, error) {
	if len(in) != InputSize {
		return false, ErrInput
	}
	var a, r twistededwards.PointAffine
	var msg fr.Element
	for i, e := range []*fr.Element{&a.X, &a.Y, &msg, &r.X, &r.Y} {
		if err := e.SetBytesCanonical(in[32*i : 32*i+32]); err != nil {
			return false, ErrInput
		}
	}
	var s big.Int
	s.SetBytes(in[160:192])
	if s.Cmp(order) >= 0 {
		return false, nil
	}
	key := keyOf(&a)
	if key == nil {
		return false, nil
	}
	if !r.IsOnCurve() {
		return false, nil
	}
	hasher := poseidon2.NewMerkleDamgardHasher()
	for _, e := range []*fr.Element{&r.X, &r.Y, &a.X, &a.Y, &msg} {
		b := e.Bytes()
		hasher.Write(b[:])
	}
	var h big.Int
	h.SetBytes(hasher.Sum(nil))

	// p = S*B - h*A - R by one comb loop (shared doublings); valid iff 8*p is the identity
	var sl [4]uint64
	for i, w := range s.Bits() {
		sl[i] = uint64(w)
	}
	var hl [4]uint64
	for i, w := range h.Bits() {
		if i < 4 {
			hl[i] = uint64(w)
		}
	}
	var p ext
	p.setIdentity()
	for i := keyRows - 1; i >= 0; i-- {
		p.double(&p)
		var ia uint64
		for t := 0; t < keyTeeth; t++ {
			bit := keyRows*t + i
			if bit < 256 {
				ia |= ((hl[bit>>6] >> uint(bit&63)) & 1) << uint(t)
			}
		}
		if ia != 0 {
			p.add(&p, &key.negComb[ia])
		}
		if i < baseRows {
			var ib uint64
			for t := 0; t < baseTeeth; t++ {
				bit := baseRows*t + i
				ib |= ((sl[bit>>6] >> uint(bit&63)) & 1) << uint(t)
			}
			if ib != 0 {
				p.add(&p, &baseComb[ib])
			}
		}
	}
	var negR ext
	negR.fromAffine(&r)
	negR.X.Neg(&negR.X)
	negR.T.Neg(&negR.T)
	var c cached
	c.from(&negR)
	p.add(&p, &c)
	p.double(&p)
	p.double(&p)
	p.double(&p)
	return p.X.IsZero() && p.Y.Equal(&p.Z), nil
}

// Comb sizes: h < 2^254 in keyTeeth rows of keyRows bits, S < 2^252 in baseTeeth rows of baseRows bits.
const (
	keyTeeth  = 6
	keyRows   = 43 // 6 x 43 = 258 >= 254 bits
	baseTeeth = 8
	baseRows  = 32 // 8 x 32 = 256 >= 252 bits
)

// keyEntry is what verification needs of a public key, computed once per key: the comb table
// negComb[j] = -(sum over the set bits t of j of 2^(43 t) * A), so that -h*A costs 42 doublings
// (shared with S*B) and 43 additions instead of 252 doublings and 64 additions.
type keyEntry struct {
	negComb [1 << keyTeeth]cached
}

const keyCacheLimit = 1 << 13 // 8 KiB per key: at most 64 MiB

var (
	keyMu    sync.RWMutex
	keyCache = map[[64]byte]*keyEntry{}
)

// keyOf returns the key's entry, or nil if A is not a valid public key (off the curve, the identity,
// or outside the prime-order subgroup). Both verdicts are cached (a pure function of the key).
func keyOf(a *twistededwards.PointAffine) *keyEntry {
	var id [64]byte
	x := a.X.Bytes()
	y := a.Y.Bytes()
	copy(id[:32], x[:])
	copy(id[32:], y[:])
	keyMu.RLock()
	e, known := keyCache[id]
	keyMu.RUnlock()
	if known {
		return e
	}
	if a.IsOnCurve() && !(a.X.IsZero() && a.Y.IsOne()) && a.IsInSubGroup() {
		var neg twistededwards.PointAffine
		neg.Neg(a)
		e = new(keyEntry)
		var table [1 << keyTeeth]ext
		combTable(table[:], &neg, keyTeeth, keyRows)
		for j := range table {
			e.negComb[j].from(&table[j])
		}
	}
	keyMu.Lock()
	if len(keyCache) >= keyCacheLimit {
		keyCache = map[[64]byte]*keyEntry{}
	}
	keyCache[id] = e
	keyMu.Unlock()
	return e
}

// baseComb[j] = sum over the set bits t of j of 2^(32 t) * B (8 teeth), for S*B in 32 rows.
var baseComb = func() (out [1 << baseTeeth]cached) {
	var table [1 << baseTeeth]ext
	combTable(table[:], &curve.Base, baseTeeth, baseRows)
	for j := range table {
		out[j].from(&table[j])
	}
	return out
}()

// combTable fills table[j] = sum over the set bits t of j of 2^(spacing t) * p, for j < 2^teeth.
func combTable(table []ext, p *twistededwards.PointAffine, teeth, spacing int) {
	pow := make([]ext, teeth)
	pow[0].fromAffine(p)
	for t := 1; t < teeth; t++ {
		pow[t] = pow[t-1]
		for i := 0; i < spacing; i++ {
			pow[t].double(&pow[t])
		}
	}
	table[0].setIdentity()
	for j := 1; j < 1<<teeth; j++ {
		low := j & -j
		t := 0
		for (1 << t) != low {
			t++
		}
		var c cached
		c.from(&pow[t])
		table[j].add(&table[j-low], &c)
	}
}

// ext is a point in extended twisted Edwards coordinates (X:Y:T:Z), x = X/Z, y = Y/Z, T = XY/Z.
type ext struct{ X, Y, T, Z fr.Element }

// cached is a point prepared for addition: (Y-X, Y+X, 2d T, 2Z).
type cached struct{ YmX, YpX, T2d, Z2 fr.Element }

var d2 = func() (v fr.Element) {
	v.Double(&curve.D)
	return v
}()

func (p *ext) setIdentity() {
	p.X.SetZero()
	p.Y.SetOne()
	p.T.SetZero()
	p.Z.SetOne()
}

func (p *ext) fromAffine(a *twistededwards.PointAffine) {
	p.X = a.X
	p.Y = a.Y
	p.T.Mul(&a.X, &a.Y)
	p.Z.SetOne()
}

func (c *cached) from(p *ext) {
	c.YmX.Sub(&p.Y, &p.X)
	c.YpX.Add(&p.Y, &p.X)
	c.T2d.Mul(&p.T, &d2)
	c.Z2.Double(&p.Z)
}

// add sets r = p + q (add-2008-hwcd-3, a = -1, complete); r may alias p.
func (r *ext) add(p *ext, q *cached) {
	var a, b, c, dd, e, f, g, h fr.Element
	a.Sub(&p.Y, &p.X)
	a.Mul(&a, &q.YmX)
	b.Add(&p.Y, &p.X)
	b.Mul(&b, &q.YpX)
	c.Mul(&p.T, &q.T2d)
	dd.Mul(&p.Z, &q.Z2)
	e.Sub(&b, &a)
	f.Sub(&dd, &c)
	g.Add(&dd, &c)
	h.Add(&b, &a)
	r.X.Mul(&e, &f)
	r.Y.Mul(&g, &h)
	r.T.Mul(&e, &h)
	r.Z.Mul(&f, &g)
}

// double sets r = 2p (dbl-2008-hwcd, a = -1); r may alias p.
func (r *ext) double(p *ext) {
	var a, b, c, e, f, g, h fr.Element
	a.Square(&p.X)
	b.Square(&p.Y)
	c.Square(&p.Z)
	c.Double(&c)
	e.Add(&p.X, &p.Y)
	e.Square(&e)
	e.Sub(&e, &a)
	e.Sub(&e, &b)
	g.Sub(&b, &a) // G = D + B with D = -A
	f.Sub(&g, &c)
	h.Add(&a, &b)
	h.Neg(&h) // H = D - B
	r.X.Mul(&e, &f)
	r.Y.Mul(&g, &h)
	r.T.Mul(&e, &h)
	r.Z.Mul(&f, &g)
}
