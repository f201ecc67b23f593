package io.zkmargin.nativebridge;

/**
 * A compiled circuit.
 *
 * @param circuitId the circuit id, e.g. {@code health-D32-I12-P8-A4-S16-T4}
 * @param constraints number of R1CS constraints
 * @param publicInputs number of public inputs (without gnark's constant-one wire)
 * @param wires number of wires (including the constant-one wire)
 */
public record CircuitInfo(String circuitId, long constraints, long publicInputs, long wires) {}
