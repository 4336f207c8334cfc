package main

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// Whole-function benchmarks on the golden inputs (in process: parse, validate, build, write).
// Compare changes with benchstat: go test -run - -bench . -count 10 > new.txt.
func BenchmarkSeedIngress(b *testing.B)  { benchmarkCase(b, "seed-ingress") }
func BenchmarkSeedEgress(b *testing.B)   { benchmarkCase(b, "seed-egress") }
func BenchmarkSeedEastWest(b *testing.B) { benchmarkCase(b, "seed-eastwest") }
func BenchmarkIngressTLS(b *testing.B)   { benchmarkCase(b, "ingress-tls-termination") }
func BenchmarkEgressMutual(b *testing.B) { benchmarkCase(b, "egress-google-mutual") }

func benchmarkCase(b *testing.B, name string) {
	input, err := os.ReadFile("testdata/" + name + "/input.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if code := run(nil, bytes.NewReader(input), io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit code %d", code)
		}
	}
}
