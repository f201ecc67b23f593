package ceremony

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
	"github.com/consensys/gnark/constraint"
	cs "github.com/consensys/gnark/constraint/bn254"

	"github.com/zkmargin/zkmargin/native/go/engine"
)

// Circuit is a circuit as the ceremony sees it: compiled by the engine (same registry, same digest).
type Circuit struct {
	ID     string
	Digest Hash
	// Power is log2 of the FFT domain size; phase 1 must be run (or imported) at exactly this power.
	Power int
	// NbPrivate is the number of private wires (secret and internal), the length of the proving key's K.
	NbPrivate int
	r1cs      *cs.R1CS
}

// ResolveCircuit compiles circuit id with the engine (engine.Default, circuits/registry and the
// self-test circuits) and returns what the ceremony needs to know about it.
func ResolveCircuit(id string) (*Circuit, error) {
	c, err := engine.Default().Compile(id)
	if err != nil {
		return nil, err
	}
	r, ok := c.CS.(*cs.R1CS)
	if !ok {
		return nil, fmt.Errorf("%w: circuit %q is not a BN254 R1CS", engine.ErrInternal, id)
	}
	if cm, ok := r.CommitmentInfo.(constraint.Groth16Commitments); !ok || len(cm) != 0 {
		return nil, fmt.Errorf("%w: circuit %q uses gnark commitments, which zkmargin circuits do not", errArg, id)
	}
	n := fft.NewDomain(uint64(c.NbConstraints)).Cardinality
	power := bits.TrailingZeros64(n)
	if power < MinPower {
		return nil, fmt.Errorf("%w: circuit %q has a domain of %d, the ceremony needs at least %d", errArg, id, n, 1<<MinPower)
	}
	nbInternal, nbSecret, _ := r.GetNbVariables()
	return &Circuit{ID: id, Digest: c.Digest, Power: power, NbPrivate: nbInternal + nbSecret, r1cs: r}, nil
}

// Phase2Size returns the length in bytes of a phase-2 file for the circuit (contribution true: with
// its 32-byte challenge; false: the initial state). Layout (gnark Phase2.WriteTo, compressed): uint16
// number of commitments (0), [δ]₁, uint32 P + P points of K, uint32 N-1 + N-1 points of Z, [δ]₂, the
// δ update proof, uint8 challenge length + challenge.
func (c *Circuit) Phase2Size(contribution bool) int64 {
	n := int64(1) << c.Power
	s := 2 + g1Size + 4 + int64(c.NbPrivate)*g1Size + 4 + (n-1)*g1Size + g2Size + updateProofSize + 1
	if contribution {
		s += challengeSize
	}
	return s
}

// DecodePhase2 decodes an untrusted phase-2 file for the circuit: total length, number of commitments,
// both slice length prefixes and the challenge length are checked before gnark reads it, and the file
// must be canonical.
func (c *Circuit) DecodePhase2(b []byte, contribution bool) (*mpcsetup.Phase2, error) {
	if want := c.Phase2Size(contribution); int64(len(b)) != want {
		return nil, fmt.Errorf("%w: phase-2 file has %d bytes, circuit %q needs %d", errArg, len(b), c.ID, want)
	}
	if nc := binary.BigEndian.Uint16(b[0:2]); nc != 0 {
		return nil, fmt.Errorf("%w: phase-2 file declares %d commitments, circuit %q has none", errArg, nc, c.ID)
	}
	off := 2 + g1Size
	if got := binary.BigEndian.Uint32(b[off:]); int64(got) != int64(c.NbPrivate) {
		return nil, fmt.Errorf("%w: phase-2 file declares %d private wires, circuit %q has %d", errArg, got, c.ID, c.NbPrivate)
	}
	off += 4 + c.NbPrivate*g1Size
	if got, want := binary.BigEndian.Uint32(b[off:]), uint64(1)<<c.Power-1; uint64(got) != want {
		return nil, fmt.Errorf("%w: phase-2 file declares %d points of Z, circuit %q needs %d", errArg, got, c.ID, want)
	}
	ch := challengeLen(contribution)
	if got := int(b[len(b)-1-ch]); got != ch {
		return nil, fmt.Errorf("%w: phase-2 file has a %d-byte challenge, expected %d", errArg, got, ch)
	}
	p := new(mpcsetup.Phase2)
	if err := readExact("phase-2 file", b, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Phase2Init returns the initial phase-2 state of circuit id from the phase-1 final file commons
// (which must be at the circuit's power). It is deterministic; Phase2Verify recomputes it.
func Phase2Init(id string, commons []byte) ([]byte, error) {
	c, err := ResolveCircuit(id)
	if err != nil {
		return nil, err
	}
	srs, err := DecodeCommons(c.Power, commons)
	if err != nil {
		return nil, err
	}
	var p mpcsetup.Phase2
	p.Initialize(c.r1cs, srs)
	return encode(&p)
}

// Phase2Contribute reads the latest phase-2 state prev of circuit id (initial state or contribution),
// adds a contribution with a fresh secret δ from crypto/rand, and returns the new state with the hash
// of what it received and of what it produced.
func Phase2Contribute(id string, prev []byte) (next []byte, received, produced Hash, err error) {
	return Phase2ContributeEntropy(id, prev, nil)
}

// Phase2ContributeEntropy is Phase2Contribute with the contributor's own entropy (at most MaxEntropy
// bytes; none: OS randomness only) mixed into the secret δ (see withEntropy).
func Phase2ContributeEntropy(id string, prev, entropy []byte) (next []byte, received, produced Hash, err error) {
	c, err := ResolveCircuit(id)
	if err != nil {
		return nil, Hash{}, Hash{}, err
	}
	p, err := c.DecodePhase2(prev, int64(len(prev)) != c.Phase2Size(false))
	if err != nil {
		return nil, Hash{}, Hash{}, err
	}
	if err := withEntropy(entropy, p.Contribute); err != nil {
		return nil, Hash{}, Hash{}, err
	}
	next, err = encode(p)
	if err != nil {
		return nil, Hash{}, Hash{}, err
	}
	return next, sum(prev), sum(next), nil
}

// Phase2Verify verifies an ordered chain of phase-2 contributions of circuit id from the initial state
// that commons implies, and returns the hash of every contribution. Refusals are as in Phase1Verify.
func Phase2Verify(id string, commons []byte, chain [][]byte) ([]Hash, error) {
	_, _, _, _, hashes, err := verifyPhase2(id, commons, chain)
	return hashes, err
}

func verifyPhase2(id string, commons []byte, chain [][]byte) (*Circuit, *mpcsetup.SrsCommons, *mpcsetup.Phase2, *mpcsetup.Phase2Evaluations, []Hash, error) {
	fail := func(err error) (*Circuit, *mpcsetup.SrsCommons, *mpcsetup.Phase2, *mpcsetup.Phase2Evaluations, []Hash, error) {
		return nil, nil, nil, nil, nil, err
	}
	if len(chain) == 0 {
		return fail(fmt.Errorf("%w: empty phase-2 chain", errArg))
	}
	c, err := ResolveCircuit(id)
	if err != nil {
		return fail(err)
	}
	srs, err := DecodeCommons(c.Power, commons)
	if err != nil {
		return fail(err)
	}
	prev := new(mpcsetup.Phase2)
	evals := prev.Initialize(c.r1cs, srs)
	prevBytes, err := encode(prev)
	if err != nil {
		return fail(err)
	}
	hashes := make([]Hash, 0, len(chain))
	for i, b := range chain {
		next, err := c.DecodePhase2(b, true)
		if err != nil {
			return fail(fmt.Errorf("phase-2 contribution %d: %w", i+1, err))
		}
		want := sum(prevBytes)
		if !bytes.Equal(next.Challenge, want[:]) {
			return fail(fmt.Errorf("%w: phase-2 contribution %d was not built on contribution %d (challenge %x, expected %x)",
				errRefuse, i+1, i, next.Challenge, want))
		}
		if err := prev.Verify(next); err != nil {
			return fail(fmt.Errorf("%w: phase-2 contribution %d: %v", errRefuse, i+1, err))
		}
		hashes = append(hashes, sum(b))
		prev, prevBytes = next, b
	}
	return c, srs, prev, &evals, hashes, nil
}

// Phase2VerifyNext verifies one phase-2 contribution next of circuit id against its predecessor prev
// (the initial state or a contribution) and returns the hash of next. It refuses a next whose challenge
// is not SHA-256(prev) (built on another state: a wrong predecessor, a skipped or a replayed
// contribution) and one whose proof of knowledge of its δ update or whose rescaled [δ]₁, [δ]₂, K and Z
// do not verify against prev (a tampered contribution).
//
// It does not re-run the phase-2 initialization, so it costs one contribution's check, not a chain's,
// but it TRUSTS prev: it proves only "next is a correct contribution on prev". It is sound for a
// party that already holds a verified chain ending in prev (the coordinator, which verifies its
// folder once in full when it starts, then every upload against the last file it accepted); anyone
// else checks a transcript with Phase2Verify (which recomputes the initial state from the circuit and
// phase 1) and Phase2Finalize verifies the whole chain again.
func Phase2VerifyNext(id string, prev, next []byte) (Hash, error) {
	c, err := ResolveCircuit(id)
	if err != nil {
		return Hash{}, err
	}
	p, err := c.DecodePhase2(prev, int64(len(prev)) != c.Phase2Size(false))
	if err != nil {
		return Hash{}, fmt.Errorf("phase-2 predecessor: %w", err)
	}
	n, err := c.DecodePhase2(next, true)
	if err != nil {
		return Hash{}, fmt.Errorf("phase-2 contribution: %w", err)
	}
	want := sum(prev)
	if !bytes.Equal(n.Challenge, want[:]) {
		return Hash{}, fmt.Errorf("%w: phase-2 contribution was not built on the given predecessor (challenge %x, expected %x)",
			errRefuse, n.Challenge, want)
	}
	if err := p.Verify(n); err != nil {
		return Hash{}, fmt.Errorf("%w: phase-2 contribution: %v", errRefuse, err)
	}
	return sum(next), nil
}

// Final is a finalized phase 2: the keys in the engine's format and where they came from.
type Final struct {
	// ProvingKey and VerifyingKey are gnark WriteRawTo bytes, as engine.Setup returns them.
	ProvingKey, VerifyingKey []byte
	// Contributions are the hashes of the phase-2 contributions, in order.
	Contributions []Hash
	// Commons is the SHA-256 of the phase-1 final file.
	Commons Hash
	// Transcript is the transcript hash (see the package documentation).
	Transcript Hash
}

// Phase2Finalize verifies the phase-2 chain of circuit id, applies the public random beacon (1..65535
// bytes) and returns the proving and verifying keys with the transcript hash. It is deterministic:
// anyone recomputes the same keys from the same files and beacon (Phase2VerifyFinal).
func Phase2Finalize(id string, commons []byte, chain [][]byte, beacon []byte) (*Final, error) {
	if len(beacon) == 0 || len(beacon) > 0xffff {
		return nil, fmt.Errorf("%w: beacon of %d bytes (need 1..65535)", errArg, len(beacon))
	}
	c, srs, last, evals, hashes, err := verifyPhase2(id, commons, chain)
	if err != nil {
		return nil, err
	}
	pk, vk := last.Seal(srs, evals, beacon)
	var pkBuf, vkBuf bytes.Buffer
	if _, err := pk.WriteRawTo(&pkBuf); err != nil {
		return nil, fmt.Errorf("%w: write proving key: %v", engine.ErrInternal, err)
	}
	if _, err := vk.WriteRawTo(&vkBuf); err != nil {
		return nil, fmt.Errorf("%w: write verifying key: %v", engine.ErrInternal, err)
	}
	f := &Final{ProvingKey: pkBuf.Bytes(), VerifyingKey: vkBuf.Bytes(), Contributions: hashes, Commons: sum(commons)}
	f.Transcript = TranscriptHash(c.ID, c.Digest, f.Commons, hashes, beacon)
	return f, nil
}

// Phase2VerifyFinal recomputes Phase2Finalize from the files and the beacon and refuses
// (engine.ErrVerificationFailed) unless the given keys are exactly the result: a wrong beacon, a key
// from another chain or a modified key is refused.
func Phase2VerifyFinal(id string, commons []byte, chain [][]byte, beacon, pk, vk []byte) (*Final, error) {
	f, err := Phase2Finalize(id, commons, chain, beacon)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(f.VerifyingKey, vk) {
		return nil, fmt.Errorf("%w: the verifying key is not the result of this transcript and beacon", errRefuse)
	}
	if !bytes.Equal(f.ProvingKey, pk) {
		return nil, fmt.Errorf("%w: the proving key is not the result of this transcript and beacon", errRefuse)
	}
	return f, nil
}

// TranscriptDomain starts every transcript hash.
const TranscriptDomain = "zkmargin-ceremony-transcript-v1"

// TranscriptHash computes the transcript hash defined in the package documentation.
func TranscriptHash(circuitID string, digest, commons Hash, contributions []Hash, beacon []byte) Hash {
	h := sha256.New()
	h.Write([]byte(TranscriptDomain))
	h.Write([]byte{0})
	var b [4]byte
	binary.BigEndian.PutUint16(b[:2], uint16(len(circuitID)))
	h.Write(b[:2])
	h.Write([]byte(circuitID))
	h.Write(digest[:])
	h.Write(commons[:])
	binary.BigEndian.PutUint32(b[:], uint32(len(contributions)))
	h.Write(b[:])
	for _, c := range contributions {
		h.Write(c[:])
	}
	binary.BigEndian.PutUint16(b[:2], uint16(len(beacon)))
	h.Write(b[:2])
	h.Write(beacon)
	var out Hash
	copy(out[:], h.Sum(nil))
	return out
}
