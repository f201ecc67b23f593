package exit_test

import (
	"bytes"
	"testing"

	"github.com/zkmargin/zkmargin/circuits/exit"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
)

func witnessJSON(t testing.TB) []byte {
	w, _ := healthtest.New(sizes).Build()
	js, err := (&exit.Witness{CircuitID: exit.ID(sizes), Account: w}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func TestParseWitnessRefuses(t *testing.T) {
	js := witnessJSON(t)
	if _, err := exit.ParseWitness(js); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"notJSON":      []byte("{"),
		"unknownField": bytes.Replace(js, []byte(`"account"`), []byte(`"acount"`), 1),
		"otherCircuit": bytes.Replace(js, []byte(`exit-D6-`), []byte(`exit-D7-`), 1),
		"accountSizes": bytes.Replace(js, []byte(`"health-D6-`), []byte(`"health-D7-`), 1),
	} {
		if _, err := exit.ParseWitness(bad); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// FuzzParseWitness: the decoder of untrusted witness bytes never panics, and what it accepts writes back.
func FuzzParseWitness(f *testing.F) {
	f.Add(witnessJSON(f))
	f.Add([]byte(`{"circuitId":"exit-D6-I3-P2-A2-S4-T2","account":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := exit.ParseWitness(data)
		if err != nil {
			return
		}
		if _, err := w.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
	})
}
