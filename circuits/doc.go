// Package circuits holds zkmargin's gnark circuits (health, and later liquidation and batch) and the
// gadgets they share. See circuits/README.md and docs/ENCODING.md for the encodings every circuit
// commits to.
package circuits
