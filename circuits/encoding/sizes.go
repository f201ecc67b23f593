package encoding

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Sizes are the compile-time sizes of the health circuit and of the leaf and risk vector it commits to.
type Sizes struct {
	D  int // state tree depth, account ids in [0, 2^D)
	DI int // instrument tree depth, instrument ids in [0, 2^DI)
	P  int // position slots per account
	A  int // collateral assets (asset 0 is the quote asset)
	S  int // scenarios per risk array
	T  int // risk tiers
}

// TestSizes is the small size used by tests: D=6, DI=3, P=2, A=2, S=4, T=2.
var TestSizes = Sizes{D: 6, DI: 3, P: 2, A: 2, S: 4, T: 2}

// ProductionSizes is the production size: D=32, DI=12, P=8, A=4, S=16, T=4.
var ProductionSizes = Sizes{D: 32, DI: 12, P: 8, A: 4, S: 16, T: 4}

// Validate checks every size against the same bounds as the Java io.zkmargin.commit.CircuitSizes.
func (s Sizes) Validate() error {
	checks := []struct {
		name      string
		v, lo, hi int
	}{
		{"D", s.D, 1, 32}, {"DI", s.DI, 1, 20}, {"P", s.P, 1, 64},
		{"A", s.A, 1, 32}, {"S", s.S, 1, 64}, {"T", s.T, 1, 16},
	}
	for _, c := range checks {
		if c.v < c.lo || c.v > c.hi {
			return fmt.Errorf("size %s must be in [%d, %d], was %d", c.name, c.lo, c.hi, c.v)
		}
	}
	return nil
}

// HealthID is the circuit id health-D{D}-I{DI}-P{P}-A{A}-S{S}-T{T}.
func (s Sizes) HealthID() string {
	return fmt.Sprintf("health-D%d-I%d-P%d-A%d-S%d-T%d", s.D, s.DI, s.P, s.A, s.S, s.T)
}

var healthIDPattern = regexp.MustCompile(`^health-D(\d{1,3})-I(\d{1,3})-P(\d{1,3})-A(\d{1,3})-S(\d{1,3})-T(\d{1,3})$`)

// ParseHealthID parses a health circuit id and validates the sizes.
func ParseHealthID(id string) (Sizes, error) {
	m := healthIDPattern.FindStringSubmatch(id)
	if m == nil {
		return Sizes{}, fmt.Errorf("not a health circuit id: %q (want health-D{D}-I{DI}-P{P}-A{A}-S{S}-T{T})", id)
	}
	v := make([]int, 6)
	for i := range v {
		n, err := strconv.Atoi(m[i+1])
		if err != nil {
			return Sizes{}, fmt.Errorf("not a health circuit id: %q: %w", id, err)
		}
		v[i] = n
	}
	s := Sizes{D: v[0], DI: v[1], P: v[2], A: v[3], S: v[4], T: v[5]}
	if err := s.Validate(); err != nil {
		return Sizes{}, fmt.Errorf("circuit id %q: %w", id, err)
	}
	if s.HealthID() != id {
		return Sizes{}, fmt.Errorf("circuit id %q is not canonical (want %q)", id, s.HealthID())
	}
	return s, nil
}

// FamilyID formats the id {prefix}D{D}-I{DI}-P{P}-A{A}-S{S}-T{T} of a circuit family sized like the health
// circuit (prefix e.g. "exit-" or "liquidation-", ending in '-').
func FamilyID(prefix string, s Sizes) string {
	return prefix + strings.TrimPrefix(s.HealthID(), "health-")
}

var familySizesPattern = regexp.MustCompile(`^D\d{1,3}-I\d{1,3}-P\d{1,3}-A\d{1,3}-S\d{1,3}-T\d{1,3}$`)

// ParseFamilyID parses an id made by FamilyID(prefix, s) into validated sizes (canonical form only, as
// ParseHealthID). The error names the family (the prefix without its '-').
func ParseFamilyID(prefix, id string) (Sizes, error) {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || !familySizesPattern.MatchString(rest) {
		family := strings.TrimSuffix(prefix, "-")
		article := "a"
		if family != "" && strings.ContainsRune("aeiou", rune(family[0])) {
			article = "an"
		}
		return Sizes{}, fmt.Errorf("not %s %s circuit id: %q (want %sD{D}-I{DI}-P{P}-A{A}-S{S}-T{T})",
			article, family, id, prefix)
	}
	s, err := ParseHealthID("health-" + rest)
	if err != nil {
		return Sizes{}, fmt.Errorf("circuit id %q: %w", id, err)
	}
	return s, nil
}

// LeafWordCount is 2 + A + 3P.
func (s Sizes) LeafWordCount() int { return 2 + s.A + 3*s.P }

// EntryWordCount is 6 + 2S: mark, fundingIndex, floorMm, floorIm, settled, settlementValue, Rmm, Rim.
func (s Sizes) EntryWordCount() int { return EntryRmm + 2*s.S }

// GlobalsWordCount is T + 5 + A(2 + S): tier factors, the five liquidation words, per asset cp, dp, C.
func (s Sizes) GlobalsWordCount() int { return s.T + GlobalsLiquidationWords + s.A*(2+s.S) }
