package engine

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
)

// Exact-encoding checks, run on untrusted bytes BEFORE gnark's readers see them.
//
// gnark's readers trust every length prefix they meet: a 4-byte slice count, an 8-byte wire count or
// an FFT domain size is turned into an allocation before a single element is read. A count of
// 0xffffffff in a 260-byte proof made gnark-crypto ask for 256 GiB, and Go's out-of-memory is a fatal
// error that no recover catches: the Go runtime exits and takes the JVM with it. So every byte string
// is first walked here, every count is compared with what the compiled circuit requires, and the total
// length must come out exactly; only then does the checked reader (points on the curve and in the
// subgroup) decode it. The walk accepts exactly what this engine writes (WriteRawTo: uncompressed
// points, no commitments), so the key and proof formats are unchanged.

const (
	g1Raw = 64  // an uncompressed G1 point
	g2Raw = 128 // an uncompressed G2 point
	// domainBytes is fft.Domain.WriteTo: cardinality (8), 5 field elements (32 each), precompute flag (1).
	domainBytes = 8 + 5*32 + 1

	// ProofPointsLength is the length of Ar (G1) || Bs (G2) || Krs (G1), the part the Solidity verifier reads.
	ProofPointsLength = g1Raw + g2Raw + g1Raw
	// CanonicalProofLength is the exact length of every proof this engine writes and accepts: the three
	// points, a commitment count of 0 (4 bytes) and the commitment proof of knowledge at infinity (64
	// zero bytes). io.zkmargin.nativebridge.ProofEncoding applies the same rule in Java.
	CanonicalProofLength = ProofPointsLength + 4 + g1Raw
)

// encodingWalker reads counts at known offsets of an untrusted byte string and never allocates.
type encodingWalker struct {
	b    []byte
	off  int
	what string
}

func (w *encodingWalker) need(n int, field string) error {
	if n < 0 || len(w.b)-w.off < n {
		return fmt.Errorf("%w: %s is truncated at %s (offset %d, %d bytes left, %d needed)",
			ErrInvalidArgument, w.what, field, w.off, len(w.b)-w.off, n)
	}
	return nil
}

// points skips n uncompressed points of size each; the top two bits of each point's first byte must be
// 00 (gnark's uncompressed tag), else gnark would read a compressed point of another size and every
// later count would come from a different offset than the one checked here.
func (w *encodingWalker) points(n, size int, field string) error {
	if err := w.need(n*size, field); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if tag := w.b[w.off+i*size] & 0xc0; tag != 0 {
			return fmt.Errorf("%w: %s: %s point %d is not in the uncompressed encoding (tag 0x%02x)",
				ErrInvalidArgument, w.what, field, i, tag)
		}
	}
	w.off += n * size
	return nil
}

func (w *encodingWalker) uint32Eq(want uint64, field string) error {
	if err := w.need(4, field); err != nil {
		return err
	}
	got := uint64(binary.BigEndian.Uint32(w.b[w.off:]))
	if got != want {
		return fmt.Errorf("%w: %s: %s is %d, the circuit requires %d", ErrInvalidArgument, w.what, field, got, want)
	}
	w.off += 4
	return nil
}

func (w *encodingWalker) uint64At(field string) (uint64, error) {
	if err := w.need(8, field); err != nil {
		return 0, err
	}
	v := binary.BigEndian.Uint64(w.b[w.off:])
	w.off += 8
	return v, nil
}

func (w *encodingWalker) end() error {
	if w.off != len(w.b) {
		return fmt.Errorf("%w: %s has %d trailing bytes after %d", ErrInvalidArgument, w.what, len(w.b)-w.off, w.off)
	}
	return nil
}

// CheckProofEncoding checks that proof is the canonical encoding of a proof of a circuit without
// commitments: exactly CanonicalProofLength bytes, three uncompressed points, then 68 zero bytes (a
// commitment count of 0 and the point at infinity). Anything else is refused before decoding.
func CheckProofEncoding(proof []byte) error {
	if len(proof) != CanonicalProofLength {
		return fmt.Errorf("%w: proof must be exactly %d bytes, got %d", ErrInvalidArgument, CanonicalProofLength, len(proof))
	}
	w := &encodingWalker{b: proof, what: "proof"}
	if err := w.points(1, g1Raw, "Ar"); err != nil {
		return err
	}
	if err := w.points(1, g2Raw, "Bs"); err != nil {
		return err
	}
	if err := w.points(1, g1Raw, "Krs"); err != nil {
		return err
	}
	for i := ProofPointsLength; i < CanonicalProofLength; i++ {
		if proof[i] != 0 {
			return fmt.Errorf("%w: proof byte %d must be 0 (no commitments), got %d", ErrInvalidArgument, i, proof[i])
		}
	}
	return nil
}

// VerifyingKeyLength is the exact length of the verifying key encoding (WriteRawTo) of circuit c:
// [α]1 [β]1 [β]2 [γ]2 [δ]1 [δ]2, K (a 4-byte count and NbPublic+1 G1 points), an empty
// PublicAndCommitmentCommitted (4-byte count 0) and a commitment key count of 0 (4 bytes).
func (c *Compiled) VerifyingKeyLength() int {
	return 3*g1Raw + 3*g2Raw + 4 + (c.NbPublic+1)*g1Raw + 4 + 4
}

// checkVerifyingKeyEncoding walks a verifying key encoding and checks every count against circuit c.
func checkVerifyingKeyEncoding(c *Compiled, vk []byte) error {
	if want := c.VerifyingKeyLength(); len(vk) != want {
		return fmt.Errorf("%w: verifying key for %q must be exactly %d bytes, got %d", ErrInvalidArgument, c.ID, want, len(vk))
	}
	w := &encodingWalker{b: vk, what: "verifying key"}
	steps := []func() error{
		func() error { return w.points(2, g1Raw, "[α]1 [β]1") },
		func() error { return w.points(2, g2Raw, "[β]2 [γ]2") },
		func() error { return w.points(1, g1Raw, "[δ]1") },
		func() error { return w.points(1, g2Raw, "[δ]2") },
		func() error { return w.uint32Eq(uint64(c.NbPublic+1), "the number of K points") },
		func() error { return w.points(c.NbPublic+1, g1Raw, "K") },
		func() error { return w.uint32Eq(0, "the number of committed public input lists") },
		func() error { return w.uint32Eq(0, "the number of commitment keys") },
		w.end,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// domainHeader is the exact encoding of the FFT domain a setup of circuit c writes into its proving
// key (groth16.Setup uses fft.NewDomain(number of constraints)).
func domainHeader(c *Compiled) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := fft.NewDomain(uint64(c.NbConstraints)).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("%w: encode domain: %v", ErrInternal, err)
	}
	if buf.Len() != domainBytes {
		return nil, fmt.Errorf("%w: domain encoding has %d bytes, expected %d", ErrInternal, buf.Len(), domainBytes)
	}
	return buf.Bytes(), nil
}

// checkProvingKeyEncoding walks a proving key encoding (WriteRawTo) and checks every count against
// circuit c before gnark's reader sees it:
//
//	domain (must equal the circuit's domain byte for byte: its size drives the twiddle allocation),
//	[α]1 [β]1 [δ]1, A (count nA <= wires), B (count nB <= wires), Z (count = domain size - 1),
//	K (count = private wires), [β]2 [δ]2, B2 (count nB), nbWires (= wires), NbInfinityA (= wires - nA),
//	NbInfinityB (= wires - nB), InfinityA and InfinityB (wires bytes each, 0 or 1, with as many 1s as
//	the counts say), commitment key count 0, end of input.
func checkProvingKeyEncoding(c *Compiled, pk []byte) error {
	wires := uint64(c.NbWires)
	private := uint64(c.NbWires - c.NbPublic - 1)
	header, err := domainHeader(c)
	if err != nil {
		return err
	}
	card := binary.BigEndian.Uint64(header)
	w := &encodingWalker{b: pk, what: "proving key"}
	if err := w.need(domainBytes, "the FFT domain"); err != nil {
		return err
	}
	if !bytes.Equal(pk[:domainBytes], header) {
		return fmt.Errorf("%w: proving key: FFT domain (size %d) is not the domain of circuit %q (size %d)",
			ErrInvalidArgument, binary.BigEndian.Uint64(pk), c.ID, card)
	}
	w.off = domainBytes
	if err := w.points(3, g1Raw, "[α]1 [β]1 [δ]1"); err != nil {
		return err
	}
	// A and B skip the wires whose polynomial is zero; their counts are checked against the infinity
	// flags below, here only bounded so that the walk stays within the circuit's sizes.
	counts := map[string]uint64{}
	for _, name := range []string{"A", "B"} {
		if err := w.need(4, name); err != nil {
			return err
		}
		n := uint64(binary.BigEndian.Uint32(pk[w.off:]))
		if n > wires {
			return fmt.Errorf("%w: proving key: %d %s points, circuit %q has %d wires", ErrInvalidArgument, n, name, c.ID, wires)
		}
		w.off += 4
		if err := w.points(int(n), g1Raw, name); err != nil {
			return err
		}
		counts[name] = n
	}
	if err := w.uint32Eq(card-1, "the number of Z points"); err != nil {
		return err
	}
	if err := w.points(int(card-1), g1Raw, "Z"); err != nil {
		return err
	}
	if err := w.uint32Eq(private, "the number of K points"); err != nil {
		return err
	}
	if err := w.points(int(private), g1Raw, "K"); err != nil {
		return err
	}
	if err := w.points(2, g2Raw, "[β]2 [δ]2"); err != nil {
		return err
	}
	if err := w.uint32Eq(counts["B"], "the number of G2 B points"); err != nil {
		return err
	}
	if err := w.points(int(counts["B"]), g2Raw, "G2 B"); err != nil {
		return err
	}
	nbWires, err := w.uint64At("the number of wires")
	if err != nil {
		return err
	}
	if nbWires != wires {
		return fmt.Errorf("%w: proving key has %d wires, circuit %q has %d", ErrInvalidArgument, nbWires, c.ID, wires)
	}
	var infinity [2]uint64
	for i, name := range []string{"A", "B"} {
		v, err := w.uint64At("NbInfinity" + name)
		if err != nil {
			return err
		}
		if v != wires-counts[name] {
			return fmt.Errorf("%w: proving key: NbInfinity%s is %d, expected %d wires - %d points",
				ErrInvalidArgument, name, v, wires, counts[name])
		}
		infinity[i] = v
	}
	for i, name := range []string{"InfinityA", "InfinityB"} {
		if err := w.need(int(wires), name); err != nil {
			return err
		}
		var ones uint64
		for _, f := range pk[w.off : w.off+int(wires)] {
			if f > 1 {
				return fmt.Errorf("%w: proving key: %s holds a byte %d, not a boolean", ErrInvalidArgument, name, f)
			}
			ones += uint64(f)
		}
		if ones != infinity[i] {
			return fmt.Errorf("%w: proving key: %s marks %d wires, the count says %d", ErrInvalidArgument, name, ones, infinity[i])
		}
		w.off += int(wires)
	}
	if err := w.uint32Eq(0, "the number of commitment keys"); err != nil {
		return err
	}
	return w.end()
}
