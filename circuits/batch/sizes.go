package batch

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// Sizes are the compile-time sizes of a batch circuit (docs/BATCH.md section 5): the health sizes of the
// leaf and the risk vector, plus K (order-fill subtree depth), L (legs per order), N (transition slots) and
// R (rows of the per-batch risk table) and Q (liquidation slots, after the N generic slots: docs/LIQUIDATION.md
// section 8).
type Sizes struct {
	encoding.Sizes
	K, L, N, R, Q int
}

// TestSizes: D6 I3 P2 A2 S4 T2 K2 L2 N2 R4 Q1.
var TestSizes = Sizes{Sizes: encoding.TestSizes, K: 2, L: 2, N: 2, R: 4, Q: 1}

// ProductionSizes: D32 I12 P8 A4 S16 T4 K8 L4 N16 R16 Q2.
var ProductionSizes = Sizes{Sizes: encoding.ProductionSizes, K: 8, L: 4, N: 16, R: 16, Q: 2}

// Validate checks every size.
func (s Sizes) Validate() error {
	if err := s.Sizes.Validate(); err != nil {
		return err
	}
	for _, c := range []struct {
		name      string
		v, lo, hi int
	}{{"K", s.K, 1, 32}, {"L", s.L, 1, 8}, {"N", s.N, 1, 256}, {"R", s.R, 1, 256}, {"Q", s.Q, 0, 64}} {
		if c.v < c.lo || c.v > c.hi {
			return fmt.Errorf("size %s must be in [%d, %d], was %d", c.name, c.lo, c.hi, c.v)
		}
	}
	return nil
}

// ID is batch-D{D}-I{DI}-P{P}-A{A}-S{S}-T{T}-K{K}-L{L}-N{N}-R{R}-Q{Q}.
func (s Sizes) ID() string {
	return fmt.Sprintf("batch-D%d-I%d-P%d-A%d-S%d-T%d-K%d-L%d-N%d-R%d-Q%d", s.D, s.DI, s.P, s.A, s.S, s.T, s.K, s.L, s.N, s.R, s.Q)
}

var idPattern = regexp.MustCompile(`^batch-D(\d{1,3})-I(\d{1,3})-P(\d{1,3})-A(\d{1,3})-S(\d{1,3})-T(\d{1,3})-K(\d{1,3})-L(\d{1,3})-N(\d{1,3})-R(\d{1,3})-Q(\d{1,3})$`)

// ParseID parses and validates a batch circuit id.
func ParseID(id string) (Sizes, error) {
	m := idPattern.FindStringSubmatch(id)
	if m == nil {
		return Sizes{}, fmt.Errorf("not a batch circuit id: %q", id)
	}
	v := make([]int, 11)
	for i := range v {
		n, err := strconv.Atoi(m[i+1])
		if err != nil {
			return Sizes{}, err
		}
		v[i] = n
	}
	s := Sizes{Sizes: encoding.Sizes{D: v[0], DI: v[1], P: v[2], A: v[3], S: v[4], T: v[5]}, K: v[6], L: v[7], N: v[8], R: v[9], Q: v[10]}
	if err := s.Validate(); err != nil {
		return Sizes{}, fmt.Errorf("circuit id %q: %w", id, err)
	}
	if s.ID() != id {
		return Sizes{}, fmt.Errorf("circuit id %q is not canonical (want %q)", id, s.ID())
	}
	return s, nil
}
