package registry

import (
	"fmt"
	"strings"

	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/exit"
	"github.com/zkmargin/zkmargin/circuits/health"
	"github.com/zkmargin/zkmargin/circuits/liquidation"
)

// Lookup returns the definition of a circuit id. Known families: "health-D{D}-I{DI}-P{P}-A{A}-S{S}-T{T}"
// (any sizes within the bounds of encoding.Sizes.Validate) and "batch-D..-I..-P..-A..-S..-T..-K{K}-L{L}-N{N}-R{R}"
// (docs/BATCH.md; witness JSON of circuits/batch/witness.go), "liquidation-D..-T.." and "exit-D..-T.."
// (docs/LIQUIDATION.md; witness JSON of circuits/liquidation and circuits/exit).
func Lookup(id string) (Definition, error) {
	switch {
	case strings.HasPrefix(id, "health-"):
		s, err := encoding.ParseHealthID(id)
		if err != nil {
			return nil, err
		}
		return healthDefinition{sizes: s}, nil
	case strings.HasPrefix(id, "batch-"):
		s, err := batch.ParseID(id)
		if err != nil {
			return nil, err
		}
		return batchDefinition{sizes: s}, nil
	case strings.HasPrefix(id, liquidation.Prefix):
		s, err := liquidation.ParseID(id)
		if err != nil {
			return nil, err
		}
		return liquidationDefinition{sizes: s}, nil
	case strings.HasPrefix(id, exit.Prefix):
		s, err := exit.ParseID(id)
		if err != nil {
			return nil, err
		}
		return exitDefinition{sizes: s}, nil
	default:
		return nil, fmt.Errorf("unknown circuit id %q (known families: health, batch, liquidation, exit)", id)
	}
}

type healthDefinition struct{ sizes encoding.Sizes }

func (d healthDefinition) ID() string { return d.sizes.HealthID() }

func (d healthDefinition) Circuit() frontend.Circuit { return health.NewCircuit(d.sizes) }

func (d healthDefinition) parse(witnessJSON []byte) (*health.Witness, error) {
	w, err := health.ParseWitness(witnessJSON)
	if err != nil {
		return nil, err
	}
	if w.CircuitID != d.ID() {
		return nil, fmt.Errorf("witness is for circuit %q, not %q", w.CircuitID, d.ID())
	}
	return w, nil
}

func (d healthDefinition) Assign(witnessJSON []byte) (frontend.Circuit, error) {
	w, err := d.parse(witnessJSON)
	if err != nil {
		return nil, err
	}
	return health.Assign(d.sizes, w)
}

func (d healthDefinition) PublicInputs(witnessJSON []byte) ([]string, error) {
	w, err := d.parse(witnessJSON)
	if err != nil {
		return nil, err
	}
	return w.PublicInputs(), nil
}

type batchDefinition struct{ sizes batch.Sizes }

func (d batchDefinition) ID() string { return d.sizes.ID() }

func (d batchDefinition) Circuit() frontend.Circuit { return batch.NewCircuit(d.sizes) }

func (d batchDefinition) parse(witnessJSON []byte) (*batch.Circuit, error) {
	c, err := batch.ParseWitness(witnessJSON)
	if err != nil {
		return nil, err
	}
	if c.Sizes.ID() != d.ID() {
		return nil, fmt.Errorf("witness is for circuit %q, not %q", c.Sizes.ID(), d.ID())
	}
	return c, nil
}

func (d batchDefinition) Assign(witnessJSON []byte) (frontend.Circuit, error) {
	return d.parse(witnessJSON)
}

func (d batchDefinition) PublicInputs(witnessJSON []byte) ([]string, error) {
	c, err := d.parse(witnessJSON)
	if err != nil {
		return nil, err
	}
	return c.PublicInputs(), nil
}
