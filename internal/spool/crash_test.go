package spool

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash tests re-execute the test binary as a child that writes to a
// spool until the parent kills it with SIGKILL.
const (
	envChildPath  = "SPOOL_CRASH_CHILD"     // spool file; set only in the child
	envChildRound = "SPOOL_CRASH_ROUND"     // prefix of the child's IDs
	envChildMax   = "SPOOL_CRASH_MAX_BYTES" // Config.MaxBytes
)

func TestMain(m *testing.M) {
	if path := os.Getenv(envChildPath); path != "" {
		os.Exit(crashChild(path))
	}
	os.Exit(m.Run())
}

// crashPayload returns the payload of the item with the given ID: its
// length and bytes follow from the ID, so the parent can check them.
func crashPayload(id string) []byte {
	h := fnv.New64a()
	h.Write([]byte(id))
	r := rand.New(rand.NewPCG(h.Sum64(), 1))
	b := make([]byte, 32+r.IntN(6000))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// crashChild puts batches of items forever, writing "put ID..." after
// each Put returns, and "acking ID..." before and "acked" after each Ack,
// each line with one write so a kill cannot tear it.
func crashChild(path string) int {
	max, _ := strconv.ParseInt(os.Getenv(envChildMax), 10, 64)
	s, err := Open(path, Config{MaxBytes: max, LockTimeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	round := os.Getenv(envChildRound)
	for i := 0; ; i++ {
		batch := make([]Item, 1+rand.IntN(8))
		line := []byte("put")
		for j := range batch {
			id := fmt.Sprintf("%s-%d-%d", round, i, j)
			batch[j] = Item{Kind: []string{"window", "endpoint", "samples"}[j%3], ID: id, Payload: crashPayload(id)}
			line = append(line, " "+id...)
		}
		if err := s.Put(batch...); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		os.Stdout.Write(append(line, '\n'))
		if i%3 == 2 {
			items, err := s.Peek(1+rand.IntN(6), 0)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			os.Stdout.Write([]byte("acking " + ids(items) + "\n"))
			if _, err := s.Ack(seqs(items)...); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			os.Stdout.Write([]byte("acked\n"))
		}
	}
}

// runCrashChild starts a child on path, lets it run until it has
// reported at least minLines lines and then for up to 5ms more, kills it
// with SIGKILL, and returns the IDs it reported as put, as acked, and as
// being acked when it was killed (which may or may not be gone).
func runCrashChild(t *testing.T, path, round string, maxBytes int64, minLines int) (put, acked, acking []string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChildPath+"="+path, envChildRound+"="+round,
		envChildMax+"="+strconv.FormatInt(maxBytes, 10))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	lines := 0
	killed := false
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			break // a torn last line (no newline) does not count
		}
		if err != nil {
			t.Fatal(err)
		}
		lines++
		f := strings.Fields(line)
		switch {
		case len(f) > 0 && f[0] == "put":
			put = append(put, f[1:]...)
		case len(f) > 0 && f[0] == "acking":
			acking = f[1:]
		case len(f) == 1 && f[0] == "acked":
			acked = append(acked, acking...)
			acking = nil
		default:
			t.Fatalf("child wrote %q", line)
		}
		if lines == minLines && !killed {
			time.Sleep(time.Duration(rand.IntN(5000)) * time.Microsecond)
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			// Keep reading: lines written before the kill are still in the pipe.
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended by itself after %d lines: %v; stderr: %s", lines, err, stderr.String())
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL; stderr: %s", err, stderr.String())
	}
	return put, acked, acking
}

// peekAll opens the spool at path, checks it, and returns its items by ID,
// failing on a duplicate ID or a payload that is not the one put.
func peekAll(t *testing.T, path string, maxBytes int64) (*Spool, map[string]Item) {
	t.Helper()
	s, err := Open(path, Config{MaxBytes: maxBytes})
	if err != nil {
		t.Fatalf("Open after SIGKILL = %v", err)
	}
	checkConsistent(t, s)
	items := mustPeek(t, s, 0, 0)
	byID := map[string]Item{}
	for _, it := range items {
		if _, dup := byID[it.ID]; dup {
			t.Errorf("item %s is in the spool twice", it.ID)
		}
		byID[it.ID] = it
		if want := crashPayload(it.ID); string(it.Payload) != string(want) {
			t.Errorf("item %s: payload of %d bytes differs from the %d bytes put", it.ID, len(it.Payload), len(want))
		}
	}
	if st := mustStats(t, s); st.Corrupt.Items != 0 {
		t.Errorf("Stats.Corrupt = %+v after a crash, want none", st.Corrupt)
	}
	return s, byID
}

// TestCrash kills a writing child with SIGKILL at random moments and
// checks after each kill that the file opens cleanly and holds every item
// the child reported as put and not as acked, exactly once.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary several times")
	}
	path := filepath.Join(t.TempDir(), "spool.db")
	const maxBytes = 1 << 30    // no drops: every item reported put must be there
	expect := map[string]bool{} // IDs that must be in the spool
	for round := range 10 {
		put, acked, acking := runCrashChild(t, path, fmt.Sprintf("r%d", round), maxBytes, 5+rand.IntN(150))
		for _, id := range put {
			expect[id] = true
		}
		s, byID := peekAll(t, path, maxBytes)
		for _, id := range acked {
			if _, ok := byID[id]; ok {
				t.Errorf("round %d: item %s reported acked is still in the spool", round, id)
			}
			delete(expect, id)
		}
		inAck := map[string]bool{}
		for _, id := range acking {
			inAck[id] = true
			delete(expect, id) // killed during its Ack: may be gone or not
		}
		missing := 0
		for id := range expect {
			if _, ok := byID[id]; !ok {
				missing++
				t.Errorf("round %d: item %s reported put is missing", round, id)
			}
		}
		unreported := 0 // committed, but the child was killed before it said so
		for id := range byID {
			if !expect[id] && !inAck[id] {
				unreported++
			}
		}
		t.Logf("round %d: child reported %d put, %d acked, %d being acked; spool holds %d items: %d missing, %d unreported", round, len(put), len(acked), len(acking), len(byID), missing, unreported)
		// What is there now is the truth for the next round, including
		// items the child put but was killed before reporting.
		clear(expect)
		for id := range byID {
			expect[id] = true
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCrashDropping is TestCrash with a spool small enough that the child
// keeps dropping the oldest items: the newest batch reported put must
// survive, nothing acked may come back, and the totals stay consistent.
func TestCrashDropping(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary several times")
	}
	path := filepath.Join(t.TempDir(), "spool.db")
	const maxBytes = 128 << 10
	for round := range 4 {
		put, acked, _ := runCrashChild(t, path, fmt.Sprintf("d%d", round), maxBytes, 50+rand.IntN(150))
		s, byID := peekAll(t, path, maxBytes)
		if len(put) > 0 {
			if last := put[len(put)-1]; byID[last].ID != last {
				t.Errorf("round %d: newest item reported put, %s, is missing", round, last)
			}
		}
		for _, id := range acked {
			if _, ok := byID[id]; ok {
				t.Errorf("round %d: item %s reported acked is still in the spool", round, id)
			}
		}
		st := mustStats(t, s)
		if st.Bytes > maxBytes {
			t.Errorf("round %d: %d bytes in a spool of %d", round, st.Bytes, maxBytes)
		}
		t.Logf("round %d: child reported %d put; spool holds %d items, %d bytes; %d dropped so far", round, len(put), st.Items, st.Bytes, st.Dropped().Items)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s := openAt(t, path, Config{MaxBytes: maxBytes})
	if st := mustStats(t, s); st.Dropped().Items == 0 {
		t.Errorf("no items dropped in a %d-byte spool: the test did not exercise the drop policy", maxBytes)
	}
}
