package health

import (
	"fmt"
	"os"
)

// MutantEnv names the environment variable through which the mutation harness (mutation_test.go) asks a
// test binary to drop one constraint group of the health circuit. Only test binaries compile this file.
const MutantEnv = "ZKM_HEALTH_MUTANT"

func init() { mutant = os.Getenv(MutantEnv) }

// Mutants lists the constraint groups of the health circuit at sizes s that the harness drops one at a time.
func Mutants(s Sizes) []string {
	out := []string{"input-range", "state-root", "risk-root", "tier-factor-range", "tier-in-range", "cp>=0", "dp>=0",
		"debt-price", "mark>=0", "floorMm>=0", "floorIm>=0", "instrument-id-range", "instrument-membership", "m>=0"}
	for k := 0; k < s.S; k++ {
		out = append(out, fmt.Sprintf("m>=L[%d]", k))
	}
	return append(out, "healthy")
}
