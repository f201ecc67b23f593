package ceremony

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// MaxEntropy bounds the user entropy of one contribution (it is hashed once; a bound keeps a caller
// from handing the native library gigabytes).
const MaxEntropy = 1 << 20

// entropyDomain separates the mixing hash from every other SHA-256 use.
const entropyDomain = "zkmargin-ceremony-entropy-v1"

// User entropy: gnark v0.16's Phase1.Contribute and Phase2.Contribute take no argument. Their secrets
// are local zero elements that gnark-crypto's mpcsetup.UpdateValues fills with fr.Element.SetRandom,
// which reads io.ReadFull(crypto/rand.Reader, ...); the fields a caller could set instead (Phase1's
// parameters and proofs) are unexported. So the only way in is crypto/rand.Reader itself: for the
// duration of one contribution it is replaced by a mixingReader, whose every 32-byte block is
// SHA-256(domain || 32 fresh bytes of the operating system's randomness || SHA-256(user entropy) ||
// block counter). The secrets are then at least as unpredictable as the OS randomness alone, and an
// adversary who controls or observes the OS randomness still has to guess the user's entropy.
//
// Replacing a package variable is process-wide: contributeMu serializes contributions, and the
// replacement is restored before the contribution returns. Any other goroutine of the process that
// reads crypto/rand.Reader meanwhile gets mixed bytes, which are as strong as the OS's; the Go
// runtime's own rand.Read does not go through the variable unless it was replaced, and a reader that
// loads the variable during the swap is a data race in Go's memory model, so contributions with user
// entropy are meant for a process that does nothing else (./zkm ceremony contribute), which is the
// only caller that passes entropy.
var contributeMu sync.Mutex

type mixingReader struct {
	os      io.Reader
	seed    [32]byte
	counter uint64
	// block is the current output block (secret bytes: gnark turns them into the contribution's
	// scalars); its last left bytes are unread. A block is zeroed as soon as it is consumed, and
	// withEntropy zeroes what is left, so this reader keeps no copy of the secret.
	block [32]byte
	left  int
}

func (m *mixingReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if m.left == 0 {
			// in = domain || fresh OS bytes || seed || counter, hashed with the one-shot Sum256 (no
			// digest object keeps the output) and zeroed at once
			var in [len(entropyDomain) + 32 + 32 + 8]byte
			copy(in[:], entropyDomain)
			fresh := in[len(entropyDomain) : len(entropyDomain)+32]
			if _, err := io.ReadFull(m.os, fresh); err != nil {
				clear(in[:])
				return n, err
			}
			copy(in[len(entropyDomain)+32:], m.seed[:])
			binary.BigEndian.PutUint64(in[len(entropyDomain)+64:], m.counter)
			m.counter++
			m.block = sha256.Sum256(in[:])
			clear(in[:])
			m.left = len(m.block)
		}
		k := copy(p[n:], m.block[len(m.block)-m.left:])
		m.left -= k
		n += k
		if m.left == 0 {
			clear(m.block[:])
		}
	}
	return n, nil
}

// withEntropy runs f (a contribution) with the user's entropy mixed into every random draw; with no
// entropy it runs f as is (gnark reads the OS randomness directly).
func withEntropy(entropy []byte, f func()) error {
	if len(entropy) > MaxEntropy {
		return fmt.Errorf("%w: %d bytes of entropy (at most %d)", errArg, len(entropy), MaxEntropy)
	}
	contributeMu.Lock()
	defer contributeMu.Unlock()
	if len(entropy) == 0 {
		eraseAfter(f)
		return nil
	}
	m := &mixingReader{os: rand.Reader, seed: sha256.Sum256(entropy)}
	saved := rand.Reader
	rand.Reader = m
	defer func() {
		rand.Reader = saved
		clear(m.seed[:])
		clear(m.block[:])
		m.left = 0
	}()
	eraseAfter(f)
	return nil
}
