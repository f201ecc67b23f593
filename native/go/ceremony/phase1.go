package ceremony

import (
	"bytes"
	"fmt"

	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
)

// Phase1Init returns the initial phase-1 state at domain size 2^power (deterministic: every secret is
// one; anybody can recompute it, and Phase1Verify does).
func Phase1Init(power int) ([]byte, error) {
	n, err := checkPower(power)
	if err != nil {
		return nil, err
	}
	return encode(mpcsetup.NewPhase1(n))
}

// Phase1Contribute reads the latest phase-1 state prev (the initial state or a contribution), adds a
// contribution with fresh secrets from crypto/rand, and returns the new state with the hash of what it
// received and of what it produced. prev is not verified here (a contribution on a bad predecessor
// fails Phase1Verify anyway); the coordinator verifies on receipt.
func Phase1Contribute(power int, prev []byte) (next []byte, received, produced Hash, err error) {
	return Phase1ContributeEntropy(power, prev, nil)
}

// Phase1ContributeEntropy is Phase1Contribute with the contributor's own entropy (at most MaxEntropy
// bytes; none: OS randomness only) mixed into every secret it draws (see withEntropy).
func Phase1ContributeEntropy(power int, prev, entropy []byte) (next []byte, received, produced Hash, err error) {
	p, err := decodePhase1State(power, prev)
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

// decodePhase1State decodes a phase-1 state that is either the initial state or a contribution.
func decodePhase1State(power int, b []byte) (*mpcsetup.Phase1, error) {
	init, err := Phase1Size(power, false)
	if err != nil {
		return nil, err
	}
	return DecodePhase1(power, b, int64(len(b)) != init)
}

// Phase1Verify verifies an ordered chain of phase-1 contributions from the initial state at power and
// returns the hash of every contribution. It refuses (engine.ErrVerificationFailed) a contribution
// whose challenge is not the hash of its predecessor (wrong predecessor, skipped or reordered
// contribution), whose proofs of knowledge do not verify against that challenge, or whose vectors are
// not consistent powers of the updated secrets; malformed files are engine.ErrInvalidArgument.
func Phase1Verify(power int, chain [][]byte) ([]Hash, error) {
	_, hashes, err := verifyPhase1(power, chain)
	return hashes, err
}

func verifyPhase1(power int, chain [][]byte) (*mpcsetup.Phase1, []Hash, error) {
	if len(chain) == 0 {
		return nil, nil, fmt.Errorf("%w: empty phase-1 chain", errArg)
	}
	prevBytes, err := Phase1Init(power)
	if err != nil {
		return nil, nil, err
	}
	prev := mpcsetup.NewPhase1(uint64(1) << power)
	hashes := make([]Hash, 0, len(chain))
	for i, b := range chain {
		next, err := DecodePhase1(power, b, true)
		if err != nil {
			return nil, nil, fmt.Errorf("phase-1 contribution %d: %w", i+1, err)
		}
		want := sum(prevBytes)
		if !bytes.Equal(next.Challenge, want[:]) {
			return nil, nil, fmt.Errorf("%w: phase-1 contribution %d was not built on contribution %d (challenge %x, expected %x)",
				errRefuse, i+1, i, next.Challenge, want)
		}
		if err := prev.Verify(next); err != nil {
			return nil, nil, fmt.Errorf("%w: phase-1 contribution %d: %v", errRefuse, i+1, err)
		}
		hashes = append(hashes, sum(b))
		prev, prevBytes = next, b
	}
	return prev, hashes, nil
}

// Phase1VerifyNext verifies one phase-1 contribution next against its predecessor prev (the initial
// state or a contribution) at power and returns the hash of next, with the same refusals as
// Phase1Verify. Like Phase2VerifyNext it trusts prev (see there): the coordinator's per-upload check;
// Phase1Verify and Phase1Seal check the whole chain from the initial state.
func Phase1VerifyNext(power int, prev, next []byte) (Hash, error) {
	p, err := decodePhase1State(power, prev)
	if err != nil {
		return Hash{}, fmt.Errorf("phase-1 predecessor: %w", err)
	}
	n, err := DecodePhase1(power, next, true)
	if err != nil {
		return Hash{}, fmt.Errorf("phase-1 contribution: %w", err)
	}
	want := sum(prev)
	if !bytes.Equal(n.Challenge, want[:]) {
		return Hash{}, fmt.Errorf("%w: phase-1 contribution was not built on the given predecessor (challenge %x, expected %x)",
			errRefuse, n.Challenge, want)
	}
	if err := p.Verify(n); err != nil {
		return Hash{}, fmt.Errorf("%w: phase-1 contribution: %v", errRefuse, err)
	}
	return sum(next), nil
}

// Phase1Seal verifies the phase-1 chain, applies the public random beacon (at least one byte) and
// returns the phase-1 final file (gnark SrsCommons) that phase 2 of every circuit of domain size
// 2^power starts from, with the hashes of the contributions. It is deterministic: anyone recomputes
// the same file from the same chain and beacon.
func Phase1Seal(power int, chain [][]byte, beacon []byte) ([]byte, []Hash, error) {
	if len(beacon) == 0 || len(beacon) > 0xffff {
		return nil, nil, fmt.Errorf("%w: beacon of %d bytes (need 1..65535)", errArg, len(beacon))
	}
	last, hashes, err := verifyPhase1(power, chain)
	if err != nil {
		return nil, nil, err
	}
	commons := last.Seal(beacon)
	out, err := encode(&commons)
	if err != nil {
		return nil, nil, err
	}
	return out, hashes, nil
}
