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

	// p = S*B - (h*A + R); valid iff 8*p is the identity
	var sb twistededwards.PointAffine
	sb.ScalarMultiplicationBase(&s)
	var p, q twistededwards.PointExtended
	key.multiply(&q, &h)
	q.MixedAdd(&q, &r)
	q.Neg(&q)
	p.MixedAdd(&q, &sb)
	p.Double(&p)
	p.Double(&p)
	p.Double(&p)
	return p.IsZero(), nil
}

// keyEntry is what verification needs of a public key, computed once per key: the comb table
// comb[j] = sum over the set bits t of j of 2^(64 t) * A, so that h*A costs 63 doublings and 64
// additions instead of 252 doublings.
type keyEntry struct {
	comb [16]twistededwards.PointExtended
}

const keyCacheLimit = 1 << 14 // about 2 KiB per key

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
		e = new(keyEntry)
		var pow [4]twistededwards.PointExtended // 2^(64 t) A
		pow[0].FromAffine(a)
		for t := 1; t < 4; t++ {
			pow[t].Set(&pow[t-1])
			for i := 0; i < 64; i++ {
				pow[t].Double(&pow[t])
			}
		}
		e.comb[0].X.SetZero()
		e.comb[0].Y.SetOne()
		e.comb[0].T.SetZero()
		e.comb[0].Z.SetOne()
		for j := 1; j < 16; j++ {
			low := j & -j
			t := 0
			for (1 << t) != low {
				t++
			}
			e.comb[j].Add(&e.comb[j-low], &pow[t])
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

// multiply sets res = k*A for 0 <= k < 2^256 with the comb table.
func (e *keyEntry) multiply(res *twistededwards.PointExtended, k *big.Int) {
	var limbs [4]uint64
	for i, w := range k.Bits() {
		if i < 4 {
			limbs[i] = uint64(w)
		}
	}
	var acc twistededwards.PointExtended
	acc.X.SetZero()
	acc.Y.SetOne()
	acc.T.SetZero()
	acc.Z.SetOne()
	for i := 63; i >= 0; i-- {
		acc.Double(&acc)
		idx := (limbs[0]>>uint(i))&1 | ((limbs[1]>>uint(i))&1)<<1 | ((limbs[2]>>uint(i))&1)<<2 | ((limbs[3]>>uint(i))&1)<<3
		if idx != 0 {
			acc.Add(&acc, &e.comb[idx])
		}
	}
	res.Set(&acc)
}
