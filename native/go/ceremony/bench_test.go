package ceremony

import (
	"os"
	"strconv"
	"testing"

	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// Benchmarks (not run in CI). Each reports the file size as bytes/file.
//
//	ZKM_BENCH_POWER=17 go test ./native/go/ceremony -run '^$' -bench Phase1 -benchtime 1x -timeout 2h
//	go test ./native/go/ceremony -run '^$' -bench Phase2 -benchtime 1x                    (TEST size)
//	ZKM_BENCH_SIZE=production go test ./native/go/ceremony -run '^$' -bench Phase2 -benchtime 1x -timeout 2h

func benchPower(b *testing.B) int {
	p := 14
	if s := os.Getenv("ZKM_BENCH_POWER"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		p = v
	}
	return p
}

// BenchmarkPhase1Contribute: one phase-1 contribution (decode the predecessor, contribute, encode) at
// 2^ZKM_BENCH_POWER, then one verification of a one-contribution chain.
func BenchmarkPhase1Contribute(b *testing.B) {
	power := benchPower(b)
	init, err := Phase1Init(power)
	if err != nil {
		b.Fatal(err)
	}
	var next []byte
	b.Run("power="+strconv.Itoa(power)+"/contribute", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			next, _, _, err = Phase1Contribute(power, init)
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(next)), "bytes/file")
	})
	b.Run("power="+strconv.Itoa(power)+"/verify", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Phase1Verify(power, [][]byte{next}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPhase2 prepares a one-party phase 1 at the health circuit's power (ZKM_BENCH_SIZE=production
// for the production size, TEST size otherwise), then times one phase-2 contribution and one
// verification of a one-contribution chain.
func BenchmarkPhase2(b *testing.B) {
	s := encoding.TestSizes
	if os.Getenv("ZKM_BENCH_SIZE") == "production" {
		s = encoding.ProductionSizes
	}
	id := s.HealthID()
	c, err := ResolveCircuit(id)
	if err != nil {
		b.Fatal(err)
	}
	p1, _ := Phase1Init(c.Power)
	k1, _, _, err := Phase1Contribute(c.Power, p1)
	if err != nil {
		b.Fatal(err)
	}
	commons, _, err := Phase1Seal(c.Power, [][]byte{k1}, []byte{1})
	if err != nil {
		b.Fatal(err)
	}
	init, err := Phase2Init(id, commons)
	if err != nil {
		b.Fatal(err)
	}
	var next []byte
	b.Run(id+"/power="+strconv.Itoa(c.Power)+"/contribute", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			next, _, _, err = Phase2Contribute(id, init)
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(next)), "bytes/file")
	})
	b.Run(id+"/verify", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Phase2Verify(id, commons, [][]byte{next}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
