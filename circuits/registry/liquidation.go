package registry

import (
	"fmt"

	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/exit"
	"github.com/zkmargin/zkmargin/circuits/liquidation"
)

// liquidationDefinition is the liquidation-eligibility circuit (docs/LIQUIDATION.md section 5).
type liquidationDefinition struct{ sizes encoding.Sizes }

func (d liquidationDefinition) ID() string { return liquidation.ID(d.sizes) }

func (d liquidationDefinition) Circuit() frontend.Circuit { return liquidation.NewCircuit(d.sizes) }

func (d liquidationDefinition) parse(witnessJSON []byte) (*liquidation.Witness, error) {
	w, err := liquidation.ParseWitness(witnessJSON)
	if err != nil {
		return nil, err
	}
	if w.CircuitID != d.ID() {
		return nil, fmt.Errorf("witness is for circuit %q, not %q", w.CircuitID, d.ID())
	}
	return w, nil
}

func (d liquidationDefinition) Assign(witnessJSON []byte) (frontend.Circuit, error) {
	w, err := d.parse(witnessJSON)
	if err != nil {
		return nil, err
	}
	return liquidation.Assign(d.sizes, w)
}

func (d liquidationDefinition) PublicInputs(witnessJSON []byte) ([]string, error) {
	w, err := d.parse(witnessJSON)
	if err != nil {
		return nil, err
	}
	return w.PublicInputs(), nil
}

// exitDefinition is the exit circuit (docs/LIQUIDATION.md section 6).
type exitDefinition struct{ sizes encoding.Sizes }

func (d exitDefinition) ID() string { return exit.ID(d.sizes) }

func (d exitDefinition) Circuit() frontend.Circuit { return exit.NewCircuit(d.sizes) }

func (d exitDefinition) parse(witnessJSON []byte) (*exit.Witness, error) {
	w, err := exit.ParseWitness(witnessJSON)
	if err != nil {
		return nil, err
	}
	if w.CircuitID != d.ID() {
		return nil, fmt.Errorf("witness is for circuit %q, not %q", w.CircuitID, d.ID())
	}
	return w, nil
}

func (d exitDefinition) Assign(witnessJSON []byte) (frontend.Circuit, error) {
	w, err := d.parse(witnessJSON)
	if err != nil {
		return nil, err
	}
	return exit.Assign(d.sizes, w)
}

func (d exitDefinition) PublicInputs(witnessJSON []byte) ([]string, error) {
	w, err := d.parse(witnessJSON)
	if err != nil {
		return nil, err
	}
	return w.PublicInputs(d.sizes)
}
