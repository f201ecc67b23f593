package ceremony

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	cmpc "github.com/consensys/gnark-crypto/ecc/bn254/mpcsetup"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"

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
// for the production size, TEST size otherwise), then times, once each and printed as it goes: the
// phase-2 initialization, one contribution, its incremental check against the initial state
// (Phase2VerifyNext, what the coordinator runs per upload), and finalize (which verifies the whole
// chain, so runs the initialization again, then seals). A full-chain Phase2Verify costs the
// initialization plus one incremental check per contribution; ZKM_BENCH_FULLVERIFY=1 times it too.
// ZKM_BENCH_OUT=DIR writes the files and the finalized keys there.
func BenchmarkPhase2(b *testing.B) {
	s := encoding.TestSizes
	if os.Getenv("ZKM_BENCH_SIZE") == "production" {
		s = encoding.ProductionSizes
	}
	out := os.Getenv("ZKM_BENCH_OUT")
	save := func(name string, data []byte) {
		if out == "" {
			return
		}
		if err := os.MkdirAll(out, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	step := func(what string, t0 time.Time, size int) {
		fmt.Printf("phase2-bench %s: %.1f s, %d bytes (elapsed %.1f s)\n", what, time.Since(t0).Seconds(), size, time.Since(start).Seconds())
	}
	id := s.HealthID()
	t0 := time.Now()
	c, err := ResolveCircuit(id)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("phase2-bench circuit %s: %d constraints, power %d, %d private wires\n", id, c.r1cs.GetNbConstraints(), c.Power, c.NbPrivate)
	step("compile", t0, 0)
	t0 = time.Now()
	p1, _ := Phase1Init(c.Power)
	k1, _, _, err := Phase1Contribute(c.Power, p1)
	if err != nil {
		b.Fatal(err)
	}
	step("phase-1 contribution (setup)", t0, len(k1))
	t0 = time.Now()
	commons, _, err := Phase1Seal(c.Power, [][]byte{k1}, []byte{1})
	if err != nil {
		b.Fatal(err)
	}
	step("phase-1 seal (setup)", t0, len(commons))
	save("phase1-final.bin", commons)
	t0 = time.Now()
	init, err := Phase2Init(id, commons)
	if err != nil {
		b.Fatal(err)
	}
	step("phase-2 init", t0, len(init))
	save("phase2-0000.bin", init)
	t0 = time.Now()
	next, _, _, err := Phase2Contribute(id, init)
	if err != nil {
		b.Fatal(err)
	}
	step("phase-2 contribution", t0, len(next))
	save("phase2-0001.bin", next)
	t0 = time.Now()
	if _, err := Phase2VerifyNext(id, init, next); err != nil {
		b.Fatal(err)
	}
	step("phase-2 incremental verify (one contribution against its predecessor)", t0, 0)
	if os.Getenv("ZKM_BENCH_FULLVERIFY") == "1" {
		t0 = time.Now()
		if _, err := Phase2Verify(id, commons, [][]byte{next}); err != nil {
			b.Fatal(err)
		}
		step("phase-2 full verify (1-contribution chain)", t0, 0)
	}
	t0 = time.Now()
	f, err := Phase2Finalize(id, commons, [][]byte{next}, []byte("bench beacon"))
	if err != nil {
		b.Fatal(err)
	}
	step("phase-2 finalize (full verify + seal)", t0, len(f.ProvingKey)+len(f.VerifyingKey))
	fmt.Printf("phase2-bench proving key %d bytes, verifying key %d bytes, transcript %x\n", len(f.ProvingKey), len(f.VerifyingKey), f.Transcript)
	save("proving.key", f.ProvingKey)
	save("verifying.key", f.VerifyingKey)
}

// BenchmarkPhase2Step times one phase-2 contribution and its incremental check at a circuit's real
// dimensions (ZKM_BENCH_SIZE=production: the production health circuit) without phase 1 or the
// phase-2 initialization: the predecessor is a synthetic state of the circuit's exact shape (|K| =
// private wires, |Z| = N-1, distinct valid points), which is all Contribute and Phase2VerifyNext
// look at (their cost depends on the number of points, not on their values). Prints wall and process
// CPU time, so that the figure means something on a loaded machine.
func BenchmarkPhase2Step(b *testing.B) {
	s := encoding.TestSizes
	if os.Getenv("ZKM_BENCH_SIZE") == "production" {
		s = encoding.ProductionSizes
	}
	id := s.HealthID()
	c, err := ResolveCircuit(id)
	if err != nil {
		b.Fatal(err)
	}
	var p mpcsetup.Phase2
	_, _, g1, g2 := curve.Generators()
	p.Parameters.G1.Delta, p.Parameters.G2.Delta = g1, g2
	n := 1 << c.Power
	pts := make([]curve.G1Jac, c.NbPrivate+n-1)
	var acc curve.G1Jac
	acc.FromAffine(&g1)
	for i := range pts {
		acc.AddMixed(&g1)
		pts[i] = acc
	}
	aff := curve.BatchJacobianToAffineG1(pts)
	p.Parameters.G1.PKK, p.Parameters.G1.Z = aff[:c.NbPrivate], aff[c.NbPrivate:]
	p.Sigmas = []cmpc.UpdateProof{}
	p.Parameters.G1.SigmaCKK = [][]curve.G1Affine{}
	p.Parameters.G2.Sigma = []curve.G2Affine{}
	prev, err := encode(&p)
	if err != nil {
		b.Fatal(err)
	}
	if int64(len(prev)) != c.Phase2Size(false) {
		b.Fatalf("synthetic state has %d bytes, Phase2Size says %d", len(prev), c.Phase2Size(false))
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	fmt.Printf("phase2-step %s: power %d, %d private wires, predecessor %d bytes\n", id, c.Power, c.NbPrivate, len(prev))
	w0, c0 := time.Now(), cpu()
	next, _, _, err := Phase2Contribute(id, prev)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("phase2-step contribution: wall %.1f s, cpu %.1f s, %d bytes\n", time.Since(w0).Seconds(), (cpu() - c0).Seconds(), len(next))
	w0, c0 = time.Now(), cpu()
	if _, err := Phase2VerifyNext(id, prev, next); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("phase2-step incremental verify: wall %.1f s, cpu %.1f s\n", time.Since(w0).Seconds(), (cpu() - c0).Seconds())
}
