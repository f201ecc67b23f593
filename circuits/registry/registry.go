// Package registry maps circuit ids (e.g. "health-D32-I12-P8-A4-S16-T4") to circuit definitions, so that
// the native library, the benchmarks and the tests build circuits and witnesses one way.
package registry

import (
	"github.com/consensys/gnark/frontend"
)

// Definition is one circuit at one size.
type Definition interface {
	// ID is the circuit id, which names the family and every compile-time size.
	ID() string
	// Circuit returns an empty circuit of the right shape, for frontend.Compile.
	Circuit() frontend.Circuit
	// Assign parses a witness JSON document (docs/ENCODING.md) into a full assignment.
	Assign(witnessJSON []byte) (frontend.Circuit, error)
	// PublicInputs returns the public inputs, in order, as decimal strings, of a witness JSON document.
	PublicInputs(witnessJSON []byte) ([]string, error)
}
