// Package engine is zkmargin's gnark engine behind the native library: it compiles circuits named by
// circuit id (see circuits/registry), runs the Groth16 setup on BN254, keeps loaded proving and
// verifying keys behind opaque uint64 handles, proves, verifies and exports Solidity verifiers.
//
// It is plain Go (no cgo) so that it is tested and benchmarked with `go test`; package main in the
// parent folder wraps it in a C ABI for the JNI glue.
//
// Encodings (fixed here, relied on by the Java side and the proof file format of docs/ENCODING.md):
//   - proving key bytes: gnark's groth16 BN254 ProvingKey.WriteRawTo (uncompressed points);
//   - verifying key bytes: gnark's groth16 BN254 VerifyingKey.WriteRawTo (uncompressed points);
//   - proof bytes: gnark's groth16 BN254 Proof.WriteRawTo (uncompressed points), exactly
//     CanonicalProofLength = 324 bytes: 256 bytes of points, a commitment count of 0 and 64 zero bytes;
//   - public inputs: decimal strings of canonical field elements in [0, r), in the circuit's order.
//
// Before any decoding, untrusted key and proof bytes are walked by encoding.go: exact length, every
// count and length prefix equal to what the compiled circuit requires, uncompressed points only. gnark's
// readers trust their length prefixes (a 4-byte count of 0xffffffff in a 260-byte proof made them
// allocate 256 GiB, a fatal Go out-of-memory that kills the JVM), so they only ever see checked bytes.
//
// Keys and proofs are then read with gnark's checked readers (ReadFrom): every point is checked to be on
// the curve and in the prime-order subgroup, so a corrupted or malicious key or proof is rejected at
// the door instead of producing a meaningless proof or a false verification. UnsafeReadFrom (which
// skips those checks) is never used: the subgroup checks cost a few hundred milliseconds when loading
// a production proving key, once per key, which is cheap compared to the risk. The reader must also
// consume the input exactly (trailing bytes are an error) and the key must match the compiled circuit
// (number of wires, FFT domain size, number of public inputs).
package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/registry"
)

// Error classes. Every error returned by the engine wraps exactly one of them (errors.Is), so that the
// C ABI can map them to stable error codes.
var (
	// ErrInvalidArgument: malformed input (unknown circuit id, bad key bytes, bad JSON, bad decimal...).
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrUnknownHandle: a handle that was never issued, was released, or has the wrong kind.
	ErrUnknownHandle = errors.New("unknown handle")
	// ErrUnsatisfied: the witness does not satisfy the circuit (nothing to prove).
	ErrUnsatisfied = errors.New("witness does not satisfy the circuit")
	// ErrVerificationFailed: a well-formed proof that does not verify against the key and inputs.
	ErrVerificationFailed = errors.New("proof does not verify")
	// ErrInternal: anything else (gnark failures that are not the caller's fault).
	ErrInternal = errors.New("internal error")
)

// Resolver maps a circuit id to its definition.
type Resolver func(id string) (registry.Definition, error)

// KeyKind tells proving keys from verifying keys.
type KeyKind int

const (
	// ProvingKey handles are accepted by Prove.
	ProvingKey KeyKind = 1
	// VerifyingKey handles are accepted by Verify and ExportSolidity.
	VerifyingKey KeyKind = 2
)

func (k KeyKind) String() string {
	switch k {
	case ProvingKey:
		return "proving key"
	case VerifyingKey:
		return "verifying key"
	}
	return fmt.Sprintf("key kind %d", int(k))
}

// Compiled is one compiled circuit. It is immutable and shared by every caller.
type Compiled struct {
	ID  string
	Def registry.Definition
	CS  constraint.ConstraintSystem
	// Digest is the sha256 of the serialized R1CS (gnark's deterministic CBOR encoding).
	Digest [32]byte
	// NbConstraints, NbPublic (without the constant-one wire), NbWires (all wires incl. the one wire).
	NbConstraints, NbPublic, NbWires int
}

type compileSlot struct {
	mu sync.Mutex
	c  *Compiled
}

type keyEntry struct {
	kind     KeyKind
	compiled *Compiled
	pk       *groth16bn254.ProvingKey
	vk       *groth16bn254.VerifyingKey
}

// Engine holds the compile cache and the handle table. All methods are safe for concurrent use.
type Engine struct {
	resolve Resolver

	compileMu sync.Mutex
	compiled  map[string]*compileSlot

	keysMu     sync.RWMutex
	keys       map[uint64]*keyEntry
	nextHandle uint64
}

// New returns an engine that resolves circuit ids with resolve.
func New(resolve Resolver) *Engine {
	if resolve == nil {
		panic("engine.New: nil resolver")
	}
	return &Engine{resolve: resolve, compiled: map[string]*compileSlot{}, keys: map[uint64]*keyEntry{}}
}

var (
	defaultOnce   sync.Once
	defaultEngine *Engine
)

// Default is the process-wide engine over circuits/registry.Lookup (the one the native library uses).
func Default() *Engine {
	defaultOnce.Do(func() { defaultEngine = New(registryResolver) })
	return defaultEngine
}

// Compile compiles the circuit named id to an R1CS over BN254, once per id; concurrent callers for
// the same id wait for the one compilation, callers for different ids compile in parallel. A failed
// compilation is not cached (the next call tries again).
func (e *Engine) Compile(id string) (*Compiled, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: empty circuit id", ErrInvalidArgument)
	}
	e.compileMu.Lock()
	slot, ok := e.compiled[id]
	if !ok {
		slot = &compileSlot{}
		e.compiled[id] = slot
	}
	e.compileMu.Unlock()

	slot.mu.Lock()
	defer slot.mu.Unlock()
	if slot.c != nil {
		return slot.c, nil
	}
	def, err := e.resolve(id)
	if err != nil {
		return nil, fmt.Errorf("%w: circuit %q: %v", ErrInvalidArgument, id, err)
	}
	if def == nil {
		return nil, fmt.Errorf("%w: circuit %q: registry returned no definition", ErrInvalidArgument, id)
	}
	if def.ID() != id {
		return nil, fmt.Errorf("%w: registry returned circuit %q for id %q", ErrInternal, def.ID(), id)
	}
	cs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, def.Circuit())
	if err != nil {
		return nil, fmt.Errorf("%w: compile circuit %q: %v", ErrInternal, id, err)
	}
	h := sha256.New()
	if _, err := cs.WriteTo(h); err != nil {
		return nil, fmt.Errorf("%w: serialize circuit %q: %v", ErrInternal, id, err)
	}
	c := &Compiled{
		ID:            id,
		Def:           def,
		CS:            cs,
		NbConstraints: cs.GetNbConstraints(),
		NbPublic:      cs.GetNbPublicVariables() - 1,
		NbWires:       cs.GetNbInternalVariables() + cs.GetNbPublicVariables() + cs.GetNbSecretVariables(),
	}
	copy(c.Digest[:], h.Sum(nil))
	slot.c = c
	return c, nil
}

// CircuitDigest returns the sha256 of the serialized R1CS of circuit id (32 bytes). It identifies the
// exact constraint system that keys belong to.
func (e *Engine) CircuitDigest(id string) ([32]byte, error) {
	c, err := e.Compile(id)
	if err != nil {
		return [32]byte{}, err
	}
	return c.Digest, nil
}

// Setup runs a Groth16 setup for circuit id with fresh randomness from the operating system and returns
// the proving key and verifying key bytes (WriteRawTo encodings). This is a single-party development
// setup: whoever runs it knows the toxic waste and can forge proofs; production keys come from an MPC
// ceremony (gnark's backend/groth16/bn254/mpcsetup).
func (e *Engine) Setup(id string) (pk []byte, vk []byte, err error) {
	c, err := e.Compile(id)
	if err != nil {
		return nil, nil, err
	}
	gpk, gvk, err := groth16.Setup(c.CS)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: setup circuit %q: %v", ErrInternal, id, err)
	}
	var pkBuf, vkBuf bytes.Buffer
	if _, err := gpk.WriteRawTo(&pkBuf); err != nil {
		return nil, nil, fmt.Errorf("%w: write proving key: %v", ErrInternal, err)
	}
	if _, err := gvk.WriteRawTo(&vkBuf); err != nil {
		return nil, nil, fmt.Errorf("%w: write verifying key: %v", ErrInternal, err)
	}
	return pkBuf.Bytes(), vkBuf.Bytes(), nil
}

// LoadProvingKey checks the encoding of a proving key for circuit id against the compiled circuit
// (checkProvingKeyEncoding: every count, exact length), decodes it with gnark's checked reader, and returns a handle (never 0) for Prove.
func (e *Engine) LoadProvingKey(id string, pkBytes []byte) (uint64, error) {
	c, err := e.Compile(id)
	if err != nil {
		return 0, err
	}
	if len(pkBytes) == 0 {
		return 0, fmt.Errorf("%w: empty proving key", ErrInvalidArgument)
	}
	if err := checkProvingKeyEncoding(c, pkBytes); err != nil {
		return 0, err
	}
	pk := &groth16bn254.ProvingKey{}
	n, err := pk.ReadFrom(bytes.NewReader(pkBytes))
	if err != nil {
		return 0, fmt.Errorf("%w: proving key for %q does not decode: %v", ErrInvalidArgument, id, err)
	}
	if n != int64(len(pkBytes)) {
		return 0, fmt.Errorf("%w: proving key for %q has %d trailing bytes", ErrInvalidArgument, id, int64(len(pkBytes))-n)
	}
	if len(pk.InfinityA) != c.NbWires || len(pk.InfinityB) != c.NbWires {
		return 0, fmt.Errorf("%w: proving key has %d wires, circuit %q has %d", ErrInvalidArgument, len(pk.InfinityA), id, c.NbWires)
	}
	if want := fft.NewDomain(uint64(c.NbConstraints)).Cardinality; pk.Domain.Cardinality != want {
		return 0, fmt.Errorf("%w: proving key has domain size %d, circuit %q needs %d", ErrInvalidArgument, pk.Domain.Cardinality, id, want)
	}
	if len(pk.CommitmentKeys) != 0 {
		return 0, fmt.Errorf("%w: proving key has %d commitment keys, zkmargin circuits have none", ErrInvalidArgument, len(pk.CommitmentKeys))
	}
	return e.register(&keyEntry{kind: ProvingKey, compiled: c, pk: pk}), nil
}

// LoadVerifyingKey checks the encoding of a verifying key for circuit id against the compiled circuit
// (exactly VerifyingKeyLength bytes, every count), decodes it with gnark's checked reader, and returns a handle (never 0) for Verify and
// ExportSolidity.
func (e *Engine) LoadVerifyingKey(id string, vkBytes []byte) (uint64, error) {
	c, err := e.Compile(id)
	if err != nil {
		return 0, err
	}
	if len(vkBytes) == 0 {
		return 0, fmt.Errorf("%w: empty verifying key", ErrInvalidArgument)
	}
	if err := checkVerifyingKeyEncoding(c, vkBytes); err != nil {
		return 0, err
	}
	vk := &groth16bn254.VerifyingKey{}
	n, err := vk.ReadFrom(bytes.NewReader(vkBytes))
	if err != nil {
		return 0, fmt.Errorf("%w: verifying key for %q does not decode: %v", ErrInvalidArgument, id, err)
	}
	if n != int64(len(vkBytes)) {
		return 0, fmt.Errorf("%w: verifying key for %q has %d trailing bytes", ErrInvalidArgument, id, int64(len(vkBytes))-n)
	}
	if got := vk.NbPublicWitness(); got != c.NbPublic {
		return 0, fmt.Errorf("%w: verifying key has %d public inputs, circuit %q has %d", ErrInvalidArgument, got, id, c.NbPublic)
	}
	if len(vk.CommitmentKeys) != 0 {
		return 0, fmt.Errorf("%w: verifying key has %d commitment keys, zkmargin circuits have none", ErrInvalidArgument, len(vk.CommitmentKeys))
	}
	return e.register(&keyEntry{kind: VerifyingKey, compiled: c, vk: vk}), nil
}

func (e *Engine) register(k *keyEntry) uint64 {
	e.keysMu.Lock()
	defer e.keysMu.Unlock()
	e.nextHandle++
	h := e.nextHandle
	e.keys[h] = k
	return h
}

func (e *Engine) lookup(h uint64, kind KeyKind) (*keyEntry, error) {
	e.keysMu.RLock()
	k, ok := e.keys[h]
	e.keysMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %d (never issued or already released)", ErrUnknownHandle, h)
	}
	if k.kind != kind {
		return nil, fmt.Errorf("%w: %d is a %s, expected a %s", ErrUnknownHandle, h, k.kind, kind)
	}
	return k, nil
}

// Release forgets handle h. A proof running on h keeps its key alive until it returns.
func (e *Engine) Release(h uint64) error {
	e.keysMu.Lock()
	defer e.keysMu.Unlock()
	if _, ok := e.keys[h]; !ok {
		return fmt.Errorf("%w: %d (never issued or already released)", ErrUnknownHandle, h)
	}
	delete(e.keys, h)
	return nil
}

// LiveHandles returns the number of handles not yet released.
func (e *Engine) LiveHandles() int {
	e.keysMu.RLock()
	defer e.keysMu.RUnlock()
	return len(e.keys)
}

// HandleCircuit returns the circuit id a handle was loaded for.
func (e *Engine) HandleCircuit(h uint64) (string, KeyKind, error) {
	e.keysMu.RLock()
	k, ok := e.keys[h]
	e.keysMu.RUnlock()
	if !ok {
		return "", 0, fmt.Errorf("%w: %d (never issued or already released)", ErrUnknownHandle, h)
	}
	return k.compiled.ID, k.kind, nil
}

// Prove proves the witness JSON document (docs/ENCODING.md) with proving key handle pkHandle. It
// returns the proof (WriteRawTo bytes) and the public inputs in circuit order as decimal strings.
// The proof is computed for the exported Solidity verifier (legacy Keccak256 as hash-to-field), which
// the Go Verify below uses too. A witness whose "circuitId" names another circuit is rejected.
func (e *Engine) Prove(pkHandle uint64, witnessJSON []byte) ([]byte, []string, error) {
	k, err := e.lookup(pkHandle, ProvingKey)
	if err != nil {
		return nil, nil, err
	}
	c := k.compiled
	if len(witnessJSON) == 0 {
		return nil, nil, fmt.Errorf("%w: empty witness", ErrInvalidArgument)
	}
	var head struct {
		CircuitID *string `json:"circuitId"`
	}
	if err := json.Unmarshal(witnessJSON, &head); err != nil {
		return nil, nil, fmt.Errorf("%w: witness is not a JSON object: %v", ErrInvalidArgument, err)
	}
	if head.CircuitID != nil && *head.CircuitID != c.ID {
		return nil, nil, fmt.Errorf("%w: witness is for circuit %q, proving key is for %q", ErrInvalidArgument, *head.CircuitID, c.ID)
	}
	assignment, err := c.Def.Assign(witnessJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: witness for %q: %v", ErrInvalidArgument, c.ID, err)
	}
	full, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: witness for %q: %v", ErrInvalidArgument, c.ID, err)
	}
	pub, err := full.Public()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: public witness: %v", ErrInternal, err)
	}
	pubVec, ok := pub.Vector().(fr.Vector)
	if !ok || len(pubVec) != c.NbPublic {
		return nil, nil, fmt.Errorf("%w: public witness has the wrong shape", ErrInternal)
	}
	proof, err := groth16.Prove(c.CS, k.pk, full, solidity.WithProverTargetSolidityVerifier(backend.GROTH16))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrUnsatisfied, err)
	}
	var buf bytes.Buffer
	if _, err := proof.WriteRawTo(&buf); err != nil {
		return nil, nil, fmt.Errorf("%w: write proof: %v", ErrInternal, err)
	}
	publics := make([]string, len(pubVec))
	for i := range pubVec {
		publics[i] = pubVec[i].String()
	}
	return buf.Bytes(), publics, nil
}

// Verify checks proofBytes (the canonical encoding: CheckProofEncoding, checked before decoding) against verifying key handle
// vkHandle and the public inputs (decimal strings of canonical field elements, circuit order).
// It returns nil iff the proof verifies; an error wrapping ErrVerificationFailed for a well-formed
// proof that does not verify, ErrInvalidArgument for malformed input.
func (e *Engine) Verify(vkHandle uint64, proofBytes []byte, publicInputs []string) error {
	k, err := e.lookup(vkHandle, VerifyingKey)
	if err != nil {
		return err
	}
	c := k.compiled
	if err := CheckProofEncoding(proofBytes); err != nil {
		return err
	}
	if len(publicInputs) != c.NbPublic {
		return fmt.Errorf("%w: %d public inputs, circuit %q has %d", ErrInvalidArgument, len(publicInputs), c.ID, c.NbPublic)
	}
	values := make([]fr.Element, len(publicInputs))
	for i, s := range publicInputs {
		if err := ParseCanonical(s, &values[i]); err != nil {
			return fmt.Errorf("%w: public input %d: %v", ErrInvalidArgument, i, err)
		}
	}
	proof := &groth16bn254.Proof{}
	n, err := proof.ReadFrom(bytes.NewReader(proofBytes))
	if err != nil {
		return fmt.Errorf("%w: proof does not decode: %v", ErrInvalidArgument, err)
	}
	if n != int64(len(proofBytes)) {
		return fmt.Errorf("%w: proof has %d trailing bytes", ErrInvalidArgument, int64(len(proofBytes))-n)
	}
	pw, err := witness.New(ecc.BN254.ScalarField())
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInternal, err)
	}
	ch := make(chan any, len(values))
	for i := range values {
		ch <- values[i]
	}
	close(ch)
	if err := pw.Fill(len(values), 0, ch); err != nil {
		return fmt.Errorf("%w: public witness: %v", ErrInternal, err)
	}
	if err := groth16.Verify(proof, k.vk, pw, solidity.WithVerifierTargetSolidityVerifier(backend.GROTH16)); err != nil {
		return fmt.Errorf("%w: %v", ErrVerificationFailed, err)
	}
	return nil
}

// ExportSolidity returns the Solidity source of a verifier contract for verifying key handle vkHandle
// (gnark's template, pragma ^0.8.0). It accepts the proofs that Prove produces.
func (e *Engine) ExportSolidity(vkHandle uint64) (string, error) {
	k, err := e.lookup(vkHandle, VerifyingKey)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := k.vk.ExportSolidity(&buf); err != nil {
		return "", fmt.Errorf("%w: export solidity: %v", ErrInternal, err)
	}
	return buf.String(), nil
}

var modulus = fr.Modulus()

// ParseCanonical parses s, a decimal integer in [0, r) without sign, spaces or leading zeros (other
// than "0" itself), into z. Non-canonical encodings are rejected so that one field element has exactly
// one string form.
func ParseCanonical(s string, z *fr.Element) error {
	if s == "" {
		return errors.New("empty decimal")
	}
	if len(s) > 78 {
		return fmt.Errorf("decimal too long (%d digits)", len(s))
	}
	if strings.TrimLeft(s, "0123456789") != "" {
		return fmt.Errorf("not a decimal integer: %q", s)
	}
	if len(s) > 1 && s[0] == '0' {
		return fmt.Errorf("leading zero in %q", s)
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return fmt.Errorf("not a decimal integer: %q", s)
	}
	if v.Cmp(modulus) >= 0 {
		return fmt.Errorf("%s is not below the field modulus", s)
	}
	z.SetBigInt(v)
	return nil
}
