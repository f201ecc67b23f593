// Package vectors replays the Java-written test vectors (test-vectors/poseidon2.json and
// test-vectors/commit/*.json) against the Go reference (circuits/encoding) and the health circuit.
// It has only tests; regenerate the vectors on the Java side (see risk-model CommitVectors).
package vectors
