package liquidation_test

import (
	"bytes"
	"testing"

	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
	"github.com/zkmargin/zkmargin/circuits/liquidation"
)

func witnessJSON(t testing.TB) []byte {
	w, _ := healthtest.New(sizes).Build()
	js, err := (&liquidation.Witness{CircuitID: liquidation.ID(sizes), Account: w, Keeper: keeper, Scenario: 2}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func TestParseWitnessRefuses(t *testing.T) {
	js := witnessJSON(t)
	if _, err := liquidation.ParseWitness(js); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"notJSON":        []byte("{"),
		"unknownField":   bytes.Replace(js, []byte(`"keeper"`), []byte(`"keepr"`), 1),
		"otherCircuit":   bytes.Replace(js, []byte(`liquidation-D6-`), []byte(`liquidation-D7-`), 1),
		"healthID":       bytes.Replace(js, []byte(`"liquidation-D6-`), []byte(`"health-D6-`), 1),
		"accountSizes":   bytes.Replace(js, []byte(`"health-D6-`), []byte(`"health-D7-`), 1),
		"scenarioRange":  bytes.Replace(js, []byte(`"scenario":"2"`), []byte(`"scenario":"5"`), 1),
		"scenarioSign":   bytes.Replace(js, []byte(`"scenario":"2"`), []byte(`"scenario":"-1"`), 1),
		"keeperTooWide":  bytes.Replace(js, []byte(`"keeper":"`), []byte(`"keeper":"9999999999999999999999999999999999999999999999999`), 1),
		"keeperNegative": bytes.Replace(js, []byte(`"keeper":"`), []byte(`"keeper":"-`), 1),
	} {
		if _, err := liquidation.ParseWitness(bad); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// FuzzParseWitness: the decoder of untrusted witness bytes never panics, and what it accepts writes back.
func FuzzParseWitness(f *testing.F) {
	f.Add(witnessJSON(f))
	f.Add([]byte(`{"circuitId":"liquidation-D6-I3-P2-A2-S4-T2","keeper":"1","scenario":"0","account":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := liquidation.ParseWitness(data)
		if err != nil {
			return
		}
		if _, err := w.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
	})
}
