package health_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zkmargin/zkmargin/circuits/health"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
)

func witnessMap(t *testing.T) map[string]any {
	t.Helper()
	w, _ := healthtest.New(sizes).Build()
	doc, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseWitnessRoundTrip(t *testing.T) {
	w, c := healthtest.New(sizes).Build()
	doc, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"circuitId":"health-D6-I3-P2-A2-S4-T2"`, `"accountId":"5"`, `"thresholdBps":"10000"`, `"leafWords":["7","1",`} {
		if !strings.Contains(string(doc), key) {
			t.Fatalf("JSON lacks %s: %s", key, doc)
		}
	}
	back, err := health.ParseWitness(doc)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := health.Assign(sizes, back)
	if err != nil {
		t.Fatal(err)
	}
	mustSolve(t, c2)
	if c2.AccountAndThreshold.(interface{ String() string }).String() != c.AccountAndThreshold.(interface{ String() string }).String() {
		t.Fatal("accountAndThreshold differs after the round trip")
	}
}

func TestParseWitnessRefuses(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"unknownCircuit", func(m map[string]any) { m["circuitId"] = "health-D6" }, "not a health circuit id"},
		{"accountTooLarge", func(m map[string]any) { m["accountId"] = "64" }, "accountId"},
		{"negativeAccount", func(m map[string]any) { m["accountId"] = "-1" }, "accountId"},
		{"thresholdTooLarge", func(m map[string]any) { m["thresholdBps"] = "4294967296" }, "thresholdBps"},
		{"rootNotField", func(m map[string]any) {
			m["stateRoot"] = "21888242871839275222246405745257275088548364400416034343698204186575808495617"
		}, "stateRoot"},
		{"wordTooLarge", func(m map[string]any) { m["leafWords"].([]any)[2] = "9223372036854775808" }, "leafWords[2]"},
		{"shortLeaf", func(m map[string]any) { m["leafWords"] = m["leafWords"].([]any)[1:] }, "leafWords has length"},
		{"shortPath", func(m map[string]any) { m["statePath"] = m["statePath"].([]any)[1:] }, "statePath has length"},
		{"missingSlot", func(m map[string]any) { m["slots"] = m["slots"].([]any)[1:] }, "slots has length"},
		{"unknownField", func(m map[string]any) { m["extra"] = "1" }, "unknown field"},
		{"numberNotString", func(m map[string]any) { m["mmBound"] = 5 }, "mmBound"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := witnessMap(t)
			tc.mutate(m)
			doc, _ := json.Marshal(m)
			_, err := health.ParseWitness(doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error mentioning %q, got %v", tc.want, err)
			}
		})
	}
}
