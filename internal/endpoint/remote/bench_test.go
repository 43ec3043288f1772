package remote

import "testing"

func BenchmarkLoadCatalog(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		entries, err := decodeCatalog(lolrmmGz)
		if err != nil {
			b.Fatal(err)
		}
		newCatalog(builtin, entries)
	}
}

// BenchmarkScan scans the running system: every process's status, comm,
// exe and cmdline, and the sockets of the tools found.
func BenchmarkScan(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Scan(b.Context(), Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
