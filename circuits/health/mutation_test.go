package health_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/zkmargin/zkmargin/circuits/health"
)

// failingWitnessTests are the tests that must kill every mutant (TestConstraintTable would kill them all
// by its count alone, and the Groth16 round trip is slow: both are left out).
const failingWitnessTests = "^(TestValidVariantsSolve|TestUnhealthyFails|TestWrongRootsFail|TestTamperedLeafFails|" +
	"TestTamperedEntryFails|TestOutOfRangeFails|TestMarginBoundPerScenarioFails|TestMarginBoundFails|" +
	"TestNegativeCommittedValuesFail|TestDebtAtHaircutPriceFails|TestTamperedGlobalsFail)$"

// TestMutations drops each constraint group of the health circuit in turn (health.Mutants) and runs the
// failing-witness tests against the mutated circuit in a fresh test binary; every mutant must make at least
// one of them fail. It prints which tests kill which mutant (the table in circuits/README.md). About a
// minute; not part of CI: ZKM_MUTATIONS=1 go test ./circuits/health -run TestMutations -v
func TestMutations(t *testing.T) {
	if os.Getenv("ZKM_MUTATIONS") == "" {
		t.Skip("set ZKM_MUTATIONS=1 to run the mutation harness")
	}
	bin := filepath.Join(t.TempDir(), "health.test")
	if out, err := exec.Command("go", "test", "-c", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	failed := regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)
	var survivors []string
	for _, m := range health.Mutants(sizes) {
		cmd := exec.Command(bin, "-test.run", failingWitnessTests, "-test.v")
		cmd.Env = append(os.Environ(), health.MutantEnv+"="+m)
		out, _ := cmd.CombinedOutput()
		var killers []string
		for _, g := range failed.FindAllStringSubmatch(string(out), -1) {
			if strings.Contains(g[1], "/") { // report the subtests, not their parents
				killers = append(killers, g[1])
			} else if !strings.Contains(string(out), "--- FAIL: "+g[1]+"/") {
				killers = append(killers, g[1])
			}
		}
		sort.Strings(killers)
		if len(killers) == 0 {
			survivors = append(survivors, m)
			t.Logf("%-22s SURVIVES", m)
			continue
		}
		t.Logf("%-22s killed by %s", m, strings.Join(killers, ", "))
	}
	if len(survivors) > 0 {
		t.Fatalf("mutants no failing-witness test kills: %v", survivors)
	}
}
