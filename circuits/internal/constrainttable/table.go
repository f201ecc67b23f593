// Package constrainttable reads and rewrites circuits/constraints.txt, the checked-in table of R1CS
// constraint counts. Each circuit family's test owns the lines whose id starts with its prefix ("health-",
// "batch-") and leaves the other lines alone.
package constrainttable

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

const header = "# R1CS constraint counts (BN254, Groth16) per circuit id. Checked by TestConstraintTable of\n" +
	"# circuits/health, circuits/batch, circuits/liquidation and circuits/exit; regenerate with:\n" +
	"# go test ./circuits/health ./circuits/batch ./circuits/liquidation ./circuits/exit -run TestConstraintTable -update\n"

// Check compares the lines of prefix in file with want (id -> line text after the id) or, with update, rewrites them.
func Check(file, prefix string, want []string, update bool) error {
	data, err := os.ReadFile(file)
	if err != nil && !(update && os.IsNotExist(err)) {
		return fmt.Errorf("read %s: %v (generate it with -update)", file, err)
	}
	var mine, others []string
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, prefix):
			mine = append(mine, line)
		default:
			others = append(others, line)
		}
	}
	if !update {
		if strings.Join(mine, "\n") != strings.Join(want, "\n") {
			return fmt.Errorf("constraint counts changed.\nchecked in (%s):\n%s\nnow:\n%s\nIf the change is intended, regenerate with -update",
				file, strings.Join(mine, "\n"), strings.Join(want, "\n"))
		}
		return nil
	}
	all := append(others, want...)
	sort.SliceStable(all, func(i, j int) bool { return family(all[i]) < family(all[j]) })
	return os.WriteFile(file, []byte(header+strings.Join(all, "\n")+"\n"), 0o644)
}

// family orders the health lines, then the batch lines, then the liquidation and exit lines, keeping each
// family's own order.
func family(line string) int {
	for i, p := range []string{"health-", "batch-", "liquidation-", "exit-"} {
		if strings.HasPrefix(line, p) {
			return i
		}
	}
	return 4
}
