// Package ceremony runs zkmargin's multi-party Groth16 trusted setup on BN254 over gnark's
// backend/groth16/bn254/mpcsetup: phase 1 (powers of tau, universal up to a domain size 2^power) and
// phase 2 (per circuit), whose finalized keys are byte for byte in the engine's key format
// (gnark WriteRawTo), so engine.LoadProvingKey / LoadVerifyingKey accept them.
//
// # Files
//
// Every step is a file (a byte slice here); the byte formats are gnark's own (mpcsetup Phase1,
// SrsCommons and Phase2 WriteTo: compressed points), so a file is exactly what gnark reads:
//   - phase-1 state: Phase1Init(power) is the deterministic start; each Phase1Contribute reads the
//     previous state and returns the next one; its 32-byte challenge is the SHA-256 of the previous file;
//   - phase-1 result: Phase1Seal(power, chain, beacon) verifies the chain, applies the public beacon and
//     returns the SrsCommons file ("phase-1 final") that phase 2 starts from;
//   - phase-2 state: Phase2Init(circuit, commons) is the deterministic start for one circuit; then
//     Phase2Contribute as in phase 1;
//   - Phase2Finalize(circuit, commons, chain, beacon) verifies the chain, applies the beacon and returns
//     the proving and verifying keys (engine format) and the transcript hash.
//   - Phase1VerifyNext / Phase2VerifyNext check one contribution against its (trusted) predecessor
//     without the phase-2 initialization: the coordinator's check on receipt, after it verified its
//     folder once in full;
//   - ImportPtau converts a public snarkjs / Perpetual Powers of Tau .ptau file into a phase-1 final
//     file (see ptau.go).
//
// A contribution's hash is the SHA-256 of its file. Files are canonical: a file is accepted only if
// re-encoding what was decoded gives the same bytes, so one state has one hash, and that hash equals
// the challenge gnark binds the next contribution's proofs of knowledge to.
//
// # Untrusted bytes
//
// Every file is untrusted. Before gnark's ReadFrom sees it, its total length and every length or count
// field inside it (domain size N, slice length prefixes, number of commitments, challenge length) are
// checked against what the power or the circuit implies, so a forged length (e.g. 0xffffffff) is
// refused before any allocation. gnark's decoder then checks that every point is on the curve and in
// the prime-order subgroup.
//
// # Transcript hash
//
// Phase2Finalize's transcript hash is SHA-256 over, in order:
//
//	"zkmargin-ceremony-transcript-v1" 0x00
//	uint16 len(circuitID) || circuitID
//	circuit digest (32 bytes, engine.CircuitDigest: SHA-256 of the R1CS)
//	SHA-256(phase-1 final SrsCommons file)
//	uint32 number of phase-2 contributions || hash of contribution 1 || ... || hash of contribution n
//	uint16 len(beacon) || beacon
//
// (integers big endian). It names exactly one circuit, one phase-1 result and one ordered chain; the
// phase-1 chain is pinned through the SrsCommons hash, which Phase1Seal reproduces from the phase-1
// chain and beacon.
//
// # Secrets
//
// gnark's Contribute draws each secret scalar from crypto/rand inside its own call and keeps it in
// local variables; this package never sees it and cannot zero it. See SecretErasure for what this build
// guarantees. gnark v0.16's API takes no caller entropy; Phase1ContributeEntropy and
// Phase2ContributeEntropy mix the contributor's entropy in through crypto/rand.Reader (see withEntropy).
package ceremony

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"

	"github.com/zkmargin/zkmargin/native/go/engine"
)

// Hash is the SHA-256 of a ceremony file.
type Hash = [32]byte

// MinPower and MaxPower bound the phase-1 domain size 2^power: at least 2 points per vector (gnark's
// ratio checks need two), at most BN254's largest FFT domain 2^28.
const (
	MinPower = 1
	MaxPower = 28
)

// Compressed sizes of the encodings (gnark-crypto bn254 Encoder default).
const (
	g1Size          = 32
	g2Size          = 64
	updateProofSize = g1Size + g2Size // commitment in G1, proof of knowledge in G2
	challengeSize   = sha256.Size
)

// Errors are the engine's error classes, so that the C ABI maps them to the same codes:
// engine.ErrInvalidArgument for malformed input, engine.ErrVerificationFailed for a chain that does
// not verify, engine.ErrInternal otherwise.
var (
	errArg    = engine.ErrInvalidArgument
	errRefuse = engine.ErrVerificationFailed
)

func checkPower(power int) (uint64, error) {
	if power < MinPower || power > MaxPower {
		return 0, fmt.Errorf("%w: power %d is outside [%d, %d]", errArg, power, MinPower, MaxPower)
	}
	return uint64(1) << power, nil
}

// commonsSize is the length of an SrsCommons file for domain size n: N (uint64), [β]₂, [τⁱ]₁ for
// 1 ≤ i ≤ 2n-2, [τⁱ]₂ for 1 ≤ i ≤ n-1, [βτⁱ]₁ and [ατⁱ]₁ for 0 ≤ i ≤ n-1.
func commonsSize(n uint64) int64 {
	return 8 + g2Size + int64(2*n-2)*g1Size + int64(n-1)*g2Size + 2*int64(n)*g1Size
}

// Phase1Size returns the length in bytes of a phase-1 file at power (contribution true: with its
// 32-byte challenge; false: the initial state, whose challenge is empty).
func Phase1Size(power int, contribution bool) (int64, error) {
	n, err := checkPower(power)
	if err != nil {
		return 0, err
	}
	s := 3*updateProofSize + commonsSize(n) + 1
	if contribution {
		s += challengeSize
	}
	return s, nil
}

// CommonsSize returns the length in bytes of the phase-1 final (SrsCommons) file at power.
func CommonsSize(power int) (int64, error) {
	n, err := checkPower(power)
	if err != nil {
		return 0, err
	}
	return commonsSize(n), nil
}

func sum(b []byte) Hash { return sha256.Sum256(b) }

// gnarkObject is what gnark's ceremony objects (Phase1, SrsCommons, Phase2) implement.
type gnarkObject interface {
	io.ReaderFrom
	io.WriterTo
}

// readExact decodes b into v with gnark's reader, requires every byte to be consumed and the
// re-encoding to give b back (one state, one encoding, one hash).
func readExact(what string, b []byte, v gnarkObject) error {
	n, err := v.ReadFrom(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: %s does not decode: %v", errArg, what, err)
	}
	if n != int64(len(b)) {
		return fmt.Errorf("%w: %s: %d of %d bytes decoded", errArg, what, n, len(b))
	}
	again, err := encode(v)
	if err != nil {
		return err
	}
	if !bytes.Equal(again, b) {
		return fmt.Errorf("%w: %s is not in canonical encoding", errArg, what)
	}
	return nil
}

// encode serializes a gnark ceremony object.
func encode(v io.WriterTo) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := v.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("%w: encode: %v", engine.ErrInternal, err)
	}
	return buf.Bytes(), nil
}

// checkCommonsHeader checks the domain size field at the start of an SrsCommons encoding.
func checkCommonsHeader(b []byte, n uint64) error {
	if len(b) < 8 {
		return fmt.Errorf("%w: truncated domain size", errArg)
	}
	if got := binary.BigEndian.Uint64(b[:8]); got != n {
		return fmt.Errorf("%w: domain size %d, expected %d", errArg, got, n)
	}
	return nil
}

// DecodePhase1 decodes an untrusted phase-1 file at power: total length, domain size and challenge
// length are checked before gnark reads it, and the file must be canonical. contribution says whether
// a 32-byte challenge is required (a contribution) or an empty one (the initial state).
func DecodePhase1(power int, b []byte, contribution bool) (*mpcsetup.Phase1, error) {
	want, err := Phase1Size(power, contribution)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != want {
		return nil, fmt.Errorf("%w: phase-1 file has %d bytes, power %d needs %d", errArg, len(b), power, want)
	}
	n := uint64(1) << power
	if err := checkCommonsHeader(b[3*updateProofSize:], n); err != nil {
		return nil, fmt.Errorf("phase-1 file: %w", err)
	}
	chLen := int(b[len(b)-1-challengeLen(contribution)])
	if chLen != challengeLen(contribution) {
		return nil, fmt.Errorf("%w: phase-1 file has a %d-byte challenge, expected %d", errArg, chLen, challengeLen(contribution))
	}
	p := new(mpcsetup.Phase1)
	if err := readExact("phase-1 file", b, p); err != nil {
		return nil, err
	}
	return p, nil
}

func challengeLen(contribution bool) int {
	if contribution {
		return challengeSize
	}
	return 0
}

// DecodeCommons decodes an untrusted phase-1 final (SrsCommons) file at power, with the same checks.
func DecodeCommons(power int, b []byte) (*mpcsetup.SrsCommons, error) {
	want, err := CommonsSize(power)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != want {
		return nil, fmt.Errorf("%w: phase-1 final file has %d bytes, power %d needs %d", errArg, len(b), power, want)
	}
	if err := checkCommonsHeader(b, uint64(1)<<power); err != nil {
		return nil, fmt.Errorf("phase-1 final file: %w", err)
	}
	c := new(mpcsetup.SrsCommons)
	if err := readExact("phase-1 final file", b, c); err != nil {
		return nil, err
	}
	return c, nil
}
