package siem

import "testing"

func BenchmarkOCSF(b *testing.B) {
	a := testAlert()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OCSF(a, Options{ProductVersion: "0.9.1"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCEF(b *testing.B) {
	a := testAlert()
	b.ReportAllocs()
	for b.Loop() {
		_ = CEF(a, Options{ProductVersion: "0.9.1"})
	}
}
