package spool

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openT opens a spool in a new temporary directory and closes it when the
// test ends.
func openT(t testing.TB, cfg Config) *Spool {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "spool.db"), cfg)
}

func openAt(t testing.TB, path string, cfg Config) *Spool {
	t.Helper()
	s, err := Open(path, cfg)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func item(kind, id string, n int) Item {
	return Item{Kind: kind, ID: id, Payload: bytes.Repeat([]byte{id[len(id)-1]}, n)}
}

func ids(items []Item) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(it.ID)
	}
	return b.String()
}

func seqs(items []Item) []uint64 {
	s := make([]uint64, len(items))
	for i, it := range items {
		s[i] = it.Seq
	}
	return s
}

func mustPut(t testing.TB, s *Spool, items ...Item) {
	t.Helper()
	if err := s.Put(items...); err != nil {
		t.Fatalf("Put(%s) = %v", ids(items), err)
	}
}

func mustPeek(t testing.TB, s *Spool, max, maxBytes int) []Item {
	t.Helper()
	items, err := s.Peek(max, maxBytes)
	if err != nil {
		t.Fatalf("Peek(%d, %d) = %v", max, maxBytes, err)
	}
	return items
}

func mustStats(t testing.TB, s *Spool) Stats {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	return st
}

// checkConsistent checks that the stored totals match the items in the
// file and the per-kind counters.
func checkConsistent(t testing.TB, s *Spool) {
	t.Helper()
	st := mustStats(t, s)
	var live Count
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketItems).ForEach(func(k, v []byte) error {
			live.add(uint64(len(k) + len(v)))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if live != (Count{st.Items, st.Bytes}) {
		t.Errorf("Stats() says %d items, %d bytes; the file holds %d items, %d bytes", st.Items, st.Bytes, live.Items, live.Bytes)
	}
	var pending Count
	for _, k := range st.Kinds {
		pending = pending.plus(k.Pending())
	}
	if want := live.plus(st.Corrupt); pending != want {
		t.Errorf("per-kind pending %+v, want live+corrupt %+v", pending, want)
	}
}

func TestFIFO(t *testing.T) {
	s := openT(t, Config{})
	mustPut(t, s, item("window", "w1", 10))
	mustPut(t, s, item("window", "w2", 20), item("endpoint", "e3", 30), item("window", "w4", 40))
	mustPut(t, s, item("samples", "s5", 50))

	all := mustPeek(t, s, 0, 0)
	if got, want := ids(all), "w1 w2 e3 w4 s5"; got != want {
		t.Fatalf("Peek(0, 0) = %s, want %s", got, want)
	}
	for i, it := range all {
		if i > 0 && it.Seq <= all[i-1].Seq {
			t.Errorf("Seq %d after %d: want increasing", it.Seq, all[i-1].Seq)
		}
		if want := item(it.Kind, it.ID, 10*(i+1)); !bytes.Equal(it.Payload, want.Payload) || it.Kind != want.Kind {
			t.Errorf("item %d = %s %s %d bytes, want %s %d bytes", i, it.Kind, it.ID, len(it.Payload), want.Kind, len(want.Payload))
		}
	}
	for _, tc := range []struct {
		max, maxBytes int
		want          string
	}{
		{2, 0, "w1 w2"},
		{0, 30, "w1 w2"},
		{0, 29, "w1"},
		{0, 5, "w1"}, // the first item comes even when alone it is over maxBytes
		{3, 1000, "w1 w2 e3"},
		{100, 1 << 20, "w1 w2 e3 w4 s5"},
	} {
		if got := ids(mustPeek(t, s, tc.max, tc.maxBytes)); got != tc.want {
			t.Errorf("Peek(%d, %d) = %s, want %s", tc.max, tc.maxBytes, got, tc.want)
		}
	}
	// Peek does not remove.
	if got := ids(mustPeek(t, s, 0, 0)); got != "w1 w2 e3 w4 s5" {
		t.Errorf("Peek after Peeks = %s, want all five", got)
	}
	checkConsistent(t, s)
}

func TestAck(t *testing.T) {
	s := openT(t, Config{})
	mustPut(t, s, item("window", "w1", 100), item("window", "w2", 100), item("endpoint", "e3", 7), item("window", "w4", 100))
	all := mustPeek(t, s, 0, 0)

	n, err := s.Ack(all[0].Seq, all[2].Seq, all[2].Seq, 9999)
	if err != nil || n != 2 {
		t.Fatalf("Ack(w1, e3, e3, 9999) = %d, %v; want 2, nil", n, err)
	}
	if got := ids(mustPeek(t, s, 0, 0)); got != "w2 w4" {
		t.Errorf("after ack: Peek = %s, want w2 w4", got)
	}
	if n, err := s.Ack(all[0].Seq); err != nil || n != 0 {
		t.Errorf("Ack(w1) again = %d, %v; want 0, nil", n, err)
	}
	if n, err := s.Ack(); err != nil || n != 0 {
		t.Errorf("Ack() = %d, %v; want 0, nil", n, err)
	}
	st := mustStats(t, s)
	if st.Items != 2 || st.Bytes != uint64(all[1].Size()+all[3].Size()) {
		t.Errorf("Stats = %d items, %d bytes; want 2, %d", st.Items, st.Bytes, all[1].Size()+all[3].Size())
	}
	w, e := st.Kinds["window"], st.Kinds["endpoint"]
	if w.Put.Items != 3 || w.Acked != (Count{1, uint64(all[0].Size())}) || w.Dropped.Items != 0 {
		t.Errorf("window stats %+v, want 3 put, 1 acked (%d bytes), 0 dropped", w, all[0].Size())
	}
	if e.Put != (Count{1, uint64(all[2].Size())}) || e.Acked != e.Put || e.Pending() != (Count{}) {
		t.Errorf("endpoint stats %+v, want 1 put and acked, none pending", e)
	}
	checkConsistent(t, s)
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool.db")
	s, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, item("window", "w1", 10), item("window", "w2", 10), item("window", "w3", 10))
	first := mustPeek(t, s, 1, 0)
	if _, err := s.Ack(first[0].Seq); err != nil {
		t.Fatal(err)
	}
	before := mustStats(t, s)
	lastSeq := mustPeek(t, s, 0, 0)[1].Seq
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	s = openAt(t, path, Config{})
	if got := ids(mustPeek(t, s, 0, 0)); got != "w2 w3" {
		t.Errorf("after reopen: Peek = %s, want w2 w3", got)
	}
	if after := mustStats(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("after reopen: Stats = %+v, want %+v", after, before)
	}
	mustPut(t, s, item("window", "w4", 10))
	all := mustPeek(t, s, 0, 0)
	if got := all[len(all)-1]; got.ID != "w4" || got.Seq <= lastSeq {
		t.Errorf("after reopen, Put w4 got seq %d (%s), want after %d", got.Seq, got.ID, lastSeq)
	}
	checkConsistent(t, s)
}

func TestDropOldest(t *testing.T) {
	one := item("window", "w0", 1000).Size()
	s := openT(t, Config{MaxBytes: 5 * one})
	for i := range 8 {
		mustPut(t, s, item("window", fmt.Sprintf("w%d", i), 1000))
		if st := mustStats(t, s); st.Bytes > st.MaxBytes {
			t.Fatalf("after put %d: %d bytes, over MaxBytes %d", i, st.Bytes, st.MaxBytes)
		}
	}
	if got, want := ids(mustPeek(t, s, 0, 0)), "w3 w4 w5 w6 w7"; got != want {
		t.Errorf("Peek = %s, want the newest five %s", got, want)
	}
	st := mustStats(t, s)
	if got, want := st.Kinds["window"].Dropped, (Count{3, 3 * uint64(one)}); got != want {
		t.Errorf("dropped %+v, want %+v", got, want)
	}

	// A larger item makes room by dropping as many of the oldest as needed,
	// whatever their kind, and counts each under its own kind.
	mustPut(t, s, item("endpoint", "e8", int(2*one)))
	if got, want := ids(mustPeek(t, s, 0, 0)), "w6 w7 e8"; got != want {
		t.Errorf("after a 2-item put: Peek = %s, want %s", got, want)
	}
	mustPut(t, s, item("samples", "s9", int(one)-20))
	if got, want := ids(mustPeek(t, s, 0, 0)), "w7 e8 s9"; got != want {
		t.Errorf("Peek = %s, want %s", got, want)
	}
	mustPut(t, s, item("window", "wa", 1000))
	if got, want := ids(mustPeek(t, s, 0, 0)), "e8 s9 wa"; got != want {
		t.Errorf("Peek = %s, want %s", got, want)
	}
	mustPut(t, s, item("window", "wb", 1000))
	if got, want := ids(mustPeek(t, s, 0, 0)), "s9 wa wb"; got != want {
		t.Errorf("Peek = %s, want %s", got, want)
	}
	st = mustStats(t, s)
	if got := st.Kinds["endpoint"].Dropped.Items; got != 1 {
		t.Errorf("endpoint dropped %d, want 1", got)
	}
	if got := st.Dropped().Items; got != 9 {
		t.Errorf("Stats.Dropped() = %d items, want 9 (w0-w7, e8)", got)
	}

	// One Put larger than the spool keeps its newest items.
	batch := []Item{item("window", "x1", 1000), item("window", "x2", 1000), item("window", "x3", 1000),
		item("window", "x4", 1000), item("window", "x5", 1000), item("window", "x6", 1000)}
	mustPut(t, s, batch...)
	if got, want := ids(mustPeek(t, s, 0, 0)), "x2 x3 x4 x5 x6"; got != want {
		t.Errorf("after a put of 6 into room for 5: Peek = %s, want %s", got, want)
	}
	checkConsistent(t, s)
}

func TestPutRejects(t *testing.T) {
	s := openT(t, Config{MaxBytes: 1000})
	ok := item("window", "ok", 10)
	for _, tc := range []struct {
		name string
		it   Item
		want string
	}{
		{"too large", item("window", "big", 1000), "over the limit of 1000 bytes (spool MaxBytes)"},
		{"no kind", Item{ID: "a"}, "want 1 to 64 bytes"},
		{"long kind", Item{Kind: strings.Repeat("k", 65), ID: "a"}, "length 65, want 1 to 64 bytes"},
		{"no id", Item{Kind: "window"}, "length 0, want 1 to 255 bytes"},
		{"long id", Item{Kind: "window", ID: strings.Repeat("i", 256)}, "length 256, want 1 to 255 bytes"},
	} {
		err := s.Put(ok, tc.it)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Put = %v, want an error containing %q", tc.name, err, tc.want)
		}
		if tc.name == "too large" && !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: Put = %v, want ErrTooLarge", tc.name, err)
		}
	}
	if st := mustStats(t, s); st.Items != 0 || len(st.Kinds) != 0 {
		t.Errorf("after rejected puts: Stats = %+v, want nothing stored", st)
	}
	// The largest item that fits is accepted.
	fit := item("window", "fit", 1000-int(item("window", "fit", 0).Size()))
	if fit.Size() != 1000 {
		t.Fatalf("fit.Size() = %d, want 1000", fit.Size())
	}
	mustPut(t, s, ok)
	mustPut(t, s, fit)
	if got := ids(mustPeek(t, s, 0, 0)); got != "fit" {
		t.Errorf("Peek = %s, want fit alone (ok dropped)", got)
	}
}

func TestClosed(t *testing.T) {
	s := openT(t, Config{})
	mustPut(t, s, item("window", "w1", 1))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(item("window", "w2", 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Peek(1, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Peek after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Ack(1); !errors.Is(err, ErrClosed) {
		t.Errorf("Ack after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Stats(); !errors.Is(err, ErrClosed) {
		t.Errorf("Stats after Close = %v, want ErrClosed", err)
	}
}

func TestFileMode(t *testing.T) {
	s := openT(t, Config{})
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode of %s = %v, want 0600", s.Path(), got)
	}
}

func TestLocked(t *testing.T) {
	s := openT(t, Config{})
	start := time.Now()
	_, err := Open(s.Path(), Config{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), s.Path()) {
		t.Fatalf("second Open = %v, want ErrLocked naming %s", err, s.Path())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v with a 200ms LockTimeout", d)
	}
	// The holder is unaffected.
	mustPut(t, s, item("window", "w1", 1))
}

func TestNotASpool(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(path, Config{MoveAsideCorrupt: true})
	if err == nil || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "not a spool") || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open(other bbolt file) = %v, want a 'not a spool' error naming the path, not ErrCorrupt", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the other file was moved: %v", err)
	}
}

// spoolFile returns a closed spool file with a few items.
func spoolFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spool.db")
	s, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		mustPut(t, s, item("window", fmt.Sprintf("w%d", i), 2000))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCorruptFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"text", func(t *testing.T, path string) {
			os.WriteFile(path, bytes.Repeat([]byte("not a bbolt file\n"), 1000), 0o600)
		}},
		{"short", func(t *testing.T, path string) { os.WriteFile(path, []byte("x"), 0o600) }},
		{"meta pages zeroed", func(t *testing.T, path string) { overwrite(t, spoolFile(t), path, 0, make([]byte, 2*pageSize)) }},
		{"truncated", func(t *testing.T, path string) {
			src := spoolFile(t)
			b, _ := os.ReadFile(src)
			os.WriteFile(path, b[:len(b)/3], 0o600)
		}},
		{"data page garbage", func(t *testing.T, path string) {
			overwrite(t, spoolFile(t), path, 2*pageSize, bytes.Repeat([]byte{0xA5}, pageSize))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "spool.db")
			tc.damage(t, path)
			damaged, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Open(path, Config{})
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Open(damaged) = %v, want ErrCorrupt naming %s", err, path)
			}
			t.Logf("Open(damaged) = %v", err)
			if b, _ := os.ReadFile(path); !bytes.Equal(b, damaged) {
				t.Fatalf("Open changed the damaged file")
			}

			s := openAt(t, path, Config{MoveAsideCorrupt: true})
			if st := mustStats(t, s); st.Items != 0 {
				t.Errorf("spool after moving aside holds %d items, want 0", st.Items)
			}
			mustPut(t, s, item("window", "w1", 10))
			aside, _ := filepath.Glob(path + ".corrupt-*")
			if len(aside) != 1 {
				t.Fatalf("files moved aside: %v, want one", aside)
			}
			if b, _ := os.ReadFile(aside[0]); !bytes.Equal(b, damaged) {
				t.Errorf("%s does not hold the damaged file's bytes", aside[0])
			}
		})
	}
}

// overwrite copies src to dst with data written at off.
func overwrite(t *testing.T, src, dst string, off int, data []byte) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if off+len(data) > len(b) {
		t.Fatalf("%s is %d bytes, cannot write %d at %d", src, len(b), len(data), off)
	}
	copy(b[off:], data)
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDamagedRecord(t *testing.T) {
	s := openT(t, Config{})
	mustPut(t, s, item("window", "w1", 100), item("window", "w2", 100), item("window", "w3", 100))
	all := mustPeek(t, s, 0, 0)
	// Flip one payload bit of w2 and give w3 a bad version, behind the
	// spool's back.
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketItems)
		v := bytes.Clone(b.Get(seqKey(all[1].Seq)))
		v[len(v)-1] ^= 1
		if err := b.Put(seqKey(all[1].Seq), v); err != nil {
			return err
		}
		v = bytes.Clone(b.Get(seqKey(all[2].Seq)))
		v[0] = 9
		return b.Put(seqKey(all[2].Seq), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(mustPeek(t, s, 0, 0)); got != "w1" {
		t.Errorf("Peek = %s, want w1 (w2, w3 damaged)", got)
	}
	st := mustStats(t, s)
	if want := (Count{2, uint64(all[1].Size() + all[2].Size())}); st.Corrupt != want || st.Items != 1 {
		t.Errorf("Stats: %d items, corrupt %+v; want 1 item, corrupt %+v", st.Items, st.Corrupt, want)
	}
	if got := ids(mustPeek(t, s, 0, 0)); got != "w1" {
		t.Errorf("second Peek = %s, want w1", got)
	}
	checkConsistent(t, s)
}

func TestRecountOnOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool.db")
	s, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, item("window", "w1", 100), item("window", "w2", 100))
	want := mustStats(t, s)
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyState, encodeState(state{live: Count{7, 7}}))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openAt(t, path, Config{})
	if got := mustStats(t, s); got.Items != want.Items || got.Bytes != want.Bytes {
		t.Errorf("after reopen with wrong totals: %d items, %d bytes; want %d, %d", got.Items, got.Bytes, want.Items, want.Bytes)
	}
}

// TestConcurrent runs several producers, one sender and a stats reader
// at once, then checks every item was acked exactly once.
func TestConcurrent(t *testing.T) {
	s := openT(t, Config{noSync: true})
	const producers, perProducer = 4, 200
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := 0; i < perProducer; i += 4 {
				batch := make([]Item, 4)
				for j := range batch {
					batch[j] = item("window", fmt.Sprintf("p%d-%d", p, i+j), 64)
				}
				if err := s.Put(batch...); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := s.Stats(); err != nil {
				t.Error(err)
				return
			}
			if _, err := s.Peek(3, 0); err != nil {
				t.Error(err)
				return
			}
		}
	})
	acked := map[string]int{}
	var lastSeq uint64
	sender := func() bool {
		items, err := s.Peek(10, 0)
		if err != nil {
			t.Error(err)
			return false
		}
		for _, it := range items {
			if it.Seq <= lastSeq {
				t.Errorf("Peek returned seq %d after acking %d", it.Seq, lastSeq)
			}
			lastSeq = it.Seq
			acked[it.ID]++
		}
		n, err := s.Ack(seqs(items)...)
		if err != nil || n != len(items) {
			t.Errorf("Ack(%d items) = %d, %v", len(items), n, err)
		}
		return len(items) > 0
	}
	putsDone := make(chan struct{})
	go func() { wg.Wait(); close(putsDone) }()
	for running := true; running; {
		select {
		case <-putsDone:
			running = false
		default:
			sender()
		}
	}
	for sender() {
	}
	close(done)
	readers.Wait()

	if len(acked) != producers*perProducer {
		t.Errorf("acked %d distinct items, want %d", len(acked), producers*perProducer)
	}
	for id, n := range acked {
		if n != 1 {
			t.Errorf("item %s acked %d times", id, n)
		}
	}
	st := mustStats(t, s)
	w := st.Kinds["window"]
	if st.Items != 0 || w.Put.Items != producers*perProducer || w.Acked != w.Put || w.Dropped.Items != 0 {
		t.Errorf("Stats = %+v, want all %d put and acked", st, producers*perProducer)
	}
	checkConsistent(t, s)
}

// TestConcurrentAckers has two senders ack the same items: each is
// removed, and counted, once.
func TestConcurrentAckers(t *testing.T) {
	s := openT(t, Config{noSync: true})
	for i := range 100 {
		mustPut(t, s, item("window", fmt.Sprintf("w%d", i), 16))
	}
	all := seqs(mustPeek(t, s, 0, 0))
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 2 {
		wg.Go(func() {
			for i := 0; i < len(all); i += 5 {
				n, err := s.Ack(all[i : i+5]...)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if total != 100 {
		t.Errorf("two ackers removed %d items in all, want 100", total)
	}
	if st := mustStats(t, s); st.Items != 0 || st.Kinds["window"].Acked.Items != 100 {
		t.Errorf("Stats = %+v, want 0 items and 100 acked", st)
	}
	checkConsistent(t, s)
}

// TestDamageEveryPage overwrites each page of a spool file in turn with
// garbage, whole or after its 16-byte page header (so bbolt follows the
// garbage offsets): Open must either refuse the file with ErrCorrupt or
// open a spool that works (the page was free), and never crash.
func TestDamageEveryPage(t *testing.T) {
	src := spoolFile(t)
	good, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, from := range []int{0, 16} {
		for _, fill := range []byte{0x00, 0x41, 0xA5, 0xFF} {
			refused := 0
			for p := 2; p < len(good)/pageSize; p++ {
				path := filepath.Join(dir, fmt.Sprintf("spool-%d-%02x-%d.db", from, fill, p))
				overwrite(t, src, path, p*pageSize+from, bytes.Repeat([]byte{fill}, pageSize-from))
				s, err := Open(path, Config{})
				if err != nil {
					if !errors.Is(err, ErrCorrupt) {
						t.Errorf("page %d filled with %#x from byte %d: Open = %v, want ErrCorrupt", p, fill, from, err)
					}
					refused++
					continue
				}
				if _, err := s.Peek(0, 0); err != nil {
					t.Errorf("page %d filled with %#x from byte %d: Open succeeded, Peek = %v", p, fill, from, err)
				}
				mustPut(t, s, item("window", "after", 3000))
				checkConsistent(t, s)
				s.Close()
			}
			t.Logf("fill %#x from byte %d: %d of %d pages refused", fill, from, refused, len(good)/pageSize-2)
		}
	}
}

// TestFileStaysBounded runs a long outage (puts that keep dropping), then
// a recovery (acks), and checks that the file stops growing: bbolt reuses
// the pages freed by drops and acks.
func TestFileStaysBounded(t *testing.T) {
	const max = 1 << 20
	s := openT(t, Config{MaxBytes: max, noSync: true})
	size := func() int64 {
		fi, err := os.Stat(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	n := 0
	put := func(batches int) {
		for range batches {
			batch := make([]Item, 1+n%10)
			for j := range batch {
				n++
				batch[j] = item("window", fmt.Sprintf("w%d", n), 500+n%3000)
			}
			mustPut(t, s, batch...)
		}
	}
	put(300) // fill
	settled := size()
	put(1500) // about 13 MiB through a 1 MiB spool
	for range 1000 {
		put(1)
		items := mustPeek(t, s, 5, 0)
		if _, err := s.Ack(seqs(items)...); err != nil {
			t.Fatal(err)
		}
	}
	st := mustStats(t, s)
	if st.Dropped().Items == 0 || st.Kinds["window"].Acked.Items == 0 {
		t.Fatalf("Stats = %+v, want drops and acks", st)
	}
	if got := size(); got > 3*max || got > 2*settled {
		t.Errorf("file grew from %d bytes when full to %d bytes after %d puts through a %d-byte spool", settled, got, n, max)
	}
	t.Logf("file %d bytes when first full, %d after %d items (%d dropped, %d acked)", settled, size(), n, st.Dropped().Items, st.Kinds["window"].Acked.Items)
	checkConsistent(t, s)
}

// TestDropWarning checks that drops are logged, at most once a minute,
// with the number dropped since the last warning.
func TestDropWarning(t *testing.T) {
	var buf bytes.Buffer
	one := item("window", "w0", 100).Size()
	s := openT(t, Config{MaxBytes: 2 * one, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	for i := range 5 {
		mustPut(t, s, item("window", fmt.Sprintf("w%d", i), 100))
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], "dropped_items=1 ") {
		t.Errorf("log after 3 dropping puts:\n%s\nwant one warning of 1 item dropped", buf.String())
	}
	s.mu.Lock()
	pending := s.unwarned
	s.lastWarn = time.Now().Add(-time.Hour)
	s.mu.Unlock()
	if pending.Items != 2 {
		t.Errorf("drops not yet warned about: %d, want 2", pending.Items)
	}
	buf.Reset()
	mustPut(t, s, item("window", "w5", 100))
	if !strings.Contains(buf.String(), "dropped_items=3 ") {
		t.Errorf("log a minute later:\n%s\nwant one warning of 3 items dropped", buf.String())
	}
}
