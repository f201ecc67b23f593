package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
)

var update = flag.Bool("update", false, "rewrite the checked-in witness fixtures of the Java tests")

// healthTestID is the CircuitSizes.TEST health circuit.
var healthTestID = encoding.TestSizes.HealthID()

// fixtureWitness returns the healthtest fixture's witness JSON at sizes s with threshold bps.
func fixtureWitness(t testing.TB, s encoding.Sizes, thresholdBps uint32) []byte {
	t.Helper()
	f := healthtest.New(s)
	f.ThresholdBps = thresholdBps
	w, _ := f.Build()
	js, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// javaFixtures are the witness files that the Java tests of the native module read
// (native/src/test/resources/witness/), generated from the Go fixture: `go test ./native/go/engine -run
// TestJavaFixtures -update`.
var javaFixtures = map[string]uint32{
	"health-test-healthy.json":   10_000,
	"health-test-unhealthy.json": 200_000,
}

func TestJavaFixtures(t *testing.T) {
	dir := filepath.Join("..", "..", "src", "test", "resources", "witness")
	for name, bps := range javaFixtures {
		want := fixtureWitness(t, encoding.TestSizes, bps)
		path := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, append(want, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (regenerate with -update)", err)
		}
		if !bytes.Equal(bytes.TrimSpace(got), want) {
			t.Fatalf("%s is stale: regenerate with go test ./native/go/engine -run TestJavaFixtures -update", path)
		}
	}
}

func TestHealthRoundTrip(t *testing.T) {
	e := New(registryResolver)
	c, err := e.Compile(healthTestID)
	if err != nil {
		t.Fatal(err)
	}
	if c.NbPublic != 3 {
		t.Fatalf("health has %d public inputs, want 3", c.NbPublic)
	}
	pk, vk, err := e.Setup(healthTestID)
	if err != nil {
		t.Fatal(err)
	}
	ph, err := e.LoadProvingKey(healthTestID, pk)
	if err != nil {
		t.Fatal(err)
	}
	vh, err := e.LoadVerifyingKey(healthTestID, vk)
	if err != nil {
		t.Fatal(err)
	}
	js := fixtureWitness(t, encoding.TestSizes, 10_000)
	proof, pub, err := e.Prove(ph, js)
	if err != nil {
		t.Fatal(err)
	}
	want, err := c.Def.PublicInputs(js)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pub, ",") != strings.Join(want, ",") {
		t.Fatalf("public inputs %v, registry says %v", pub, want)
	}
	if err := e.Verify(vh, proof, pub); err != nil {
		t.Fatal(err)
	}
	// an unhealthy account at this threshold has no proof
	_, _, err = e.Prove(ph, fixtureWitness(t, encoding.TestSizes, 200_000))
	if !errors.Is(err, ErrUnsatisfied) || !strings.HasPrefix(err.Error(), "witness does not satisfy the circuit: ") {
		t.Fatalf("unhealthy witness: %v", err)
	}
	// the health keys do not load for the self-test circuit and vice versa
	if _, err := e.LoadVerifyingKey("selftest-N8", vk); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("health vk for selftest: %v", err)
	}
	src, err := e.ExportSolidity(vh)
	if err != nil || !strings.Contains(src, "function verifyProof(") {
		t.Fatalf("solidity export: %v", err)
	}
}
