package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// window is a 2 KiB payload, about one input window.
var window = make([]byte, 2048)

// benchSpool opens a spool; sync=false skips fsync, to show its cost.
func benchSpool(b *testing.B, sync bool) *Spool {
	return openT(b, Config{MaxBytes: 1 << 30, noSync: !sync})
}

func forSync(b *testing.B, f func(b *testing.B, s *Spool)) {
	for _, sync := range []bool{true, false} {
		name := "fsync"
		if !sync {
			name = "nosync"
		}
		b.Run(name, func(b *testing.B) { f(b, benchSpool(b, sync)) })
	}
}

// BenchmarkPut stores one 2 KiB window per transaction.
func BenchmarkPut(b *testing.B) {
	forSync(b, func(b *testing.B, s *Spool) {
		b.ReportAllocs()
		b.SetBytes(int64(len(window)))
		i := 0
		for b.Loop() {
			i++
			if err := s.Put(Item{Kind: "window", ID: fmt.Sprint(i), Payload: window}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPutBatch stores ten 2 KiB windows per transaction.
func BenchmarkPutBatch(b *testing.B) {
	forSync(b, func(b *testing.B, s *Spool) {
		b.ReportAllocs()
		b.SetBytes(10 * int64(len(window)))
		batch := make([]Item, 10)
		i := 0
		for b.Loop() {
			for j := range batch {
				i++
				batch[j] = Item{Kind: "window", ID: fmt.Sprint(i), Payload: window}
			}
			if err := s.Put(batch...); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPeekAck peeks ten 2 KiB windows and acks them (one
// transaction), refilling the spool outside the timer.
func BenchmarkPeekAck(b *testing.B) {
	forSync(b, func(b *testing.B, s *Spool) {
		b.ReportAllocs()
		b.SetBytes(10 * int64(len(window)))
		i := 0
		for b.Loop() {
			items, err := s.Peek(10, 0)
			if err != nil {
				b.Fatal(err)
			}
			if len(items) == 0 {
				b.StopTimer()
				for range 100 {
					batch := make([]Item, 10)
					for j := range batch {
						i++
						batch[j] = Item{Kind: "window", ID: fmt.Sprint(i), Payload: window}
					}
					if err := s.Put(batch...); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				continue
			}
			if _, err := s.Ack(seqs(items)...); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOpenFull opens a spool filled to the default 64 MiB: the
// consistency check and recount every Open does.
func BenchmarkOpenFull(b *testing.B) {
	path := filepath.Join(b.TempDir(), "spool.db")
	s, err := Open(path, Config{noSync: true})
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]Item, 100)
	for i := 0; ; i++ {
		for j := range batch {
			batch[j] = Item{Kind: "window", ID: fmt.Sprint(i*100 + j), Payload: window}
		}
		if err := s.Put(batch...); err != nil {
			b.Fatal(err)
		}
		if st := mustStats(b, s); st.Dropped().Items > 0 {
			break
		}
	}
	st := mustStats(b, s)
	s.Close()
	fi, _ := os.Stat(path)
	b.Logf("%d items, %d bytes of content; file %d bytes", st.Items, st.Bytes, fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		s, err := Open(path, Config{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkFsync writes 4 KiB and fsyncs: the floor under every Put.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "f"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	for b.Loop() {
		if _, err := f.WriteAt(page, 0); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}
