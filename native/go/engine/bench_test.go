package engine

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// BenchmarkProve measures Engine.Prove (witness JSON in, proof bytes out: the same work a JNI call does)
// for one circuit and one witness, so that the Java-side prove time can be compared with it (JNI
// overhead ratio).
//
//	ZKM_BENCH_CIRCUIT  circuit id (default health-D32-I12-P8-A4-S16-T4, production)
//	ZKM_BENCH_WITNESS  witness JSON file (default: the Go healthtest fixture at that size)
//	ZKM_BENCH_WRITE_WITNESS  if set, the witness used is written to this file (for the Java benchmark)
//
// Run: go test ./native/go/engine -run '^$' -bench Prove -benchtime 10x
// Compile and the development setup run once before the timer and are reported as compile-s, setup-s.
func BenchmarkProve(b *testing.B) {
	id := os.Getenv("ZKM_BENCH_CIRCUIT")
	if id == "" {
		id = encoding.ProductionSizes.HealthID()
	}
	var witness []byte
	if path := os.Getenv("ZKM_BENCH_WITNESS"); path != "" {
		var err error
		if witness, err = os.ReadFile(path); err != nil {
			b.Fatal(err)
		}
	} else {
		s, err := encoding.ParseHealthID(id)
		if err != nil {
			b.Fatalf("ZKM_BENCH_WITNESS is not set and %q is not a health id: %v", id, err)
		}
		witness = fixtureWitness(b, s, 10_000)
	}
	if out := os.Getenv("ZKM_BENCH_WRITE_WITNESS"); out != "" {
		if err := os.WriteFile(out, witness, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	f := loadBenchKeys(b, id)
	e, ph, vh := f.engine, f.pk, f.vk
	// one untimed proof: checks the witness and warms caches
	proof, pub, err := e.Prove(ph, witness)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Verify(vh, proof, pub); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := e.Prove(ph, witness); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(f.constraints), "constraints")
	b.ReportMetric(f.compile.Seconds(), "compile-s")
	b.ReportMetric(f.setup.Seconds(), "setup-s")
	b.ReportMetric(float64(f.pkBytes)/(1<<20), "pk-MiB")
}

// benchKeys are the compiled circuit and loaded keys of one circuit id, made once per process: the
// testing package calls a benchmark function again for each b.N, and a production setup takes 10-40 s.
type benchKeys struct {
	engine         *Engine
	pk, vk         uint64
	constraints    int
	compile, setup time.Duration
	pkBytes        int
}

var (
	benchKeysMu   sync.Mutex
	benchKeysByID = map[string]*benchKeys{}
)

func loadBenchKeys(b *testing.B, id string) *benchKeys {
	benchKeysMu.Lock()
	defer benchKeysMu.Unlock()
	if f, ok := benchKeysByID[id]; ok {
		return f
	}
	e := New(registryResolver)
	start := time.Now()
	c, err := e.Compile(id)
	if err != nil {
		b.Fatal(err)
	}
	compile := time.Since(start)
	start = time.Now()
	pk, vk, err := e.Setup(id)
	if err != nil {
		b.Fatal(err)
	}
	setup := time.Since(start)
	ph, err := e.LoadProvingKey(id, pk)
	if err != nil {
		b.Fatal(err)
	}
	vh, err := e.LoadVerifyingKey(id, vk)
	if err != nil {
		b.Fatal(err)
	}
	f := &benchKeys{engine: e, pk: ph, vk: vh, constraints: c.NbConstraints, compile: compile, setup: setup, pkBytes: len(pk)}
	benchKeysByID[id] = f
	return f
}
