package evdev

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// TestMain fails the package if a test leaves goroutines behind (not
// when fuzzing: the fuzzing engine keeps a signal goroutine).
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		os.Exit(code)
	}
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && code == 0 {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				fmt.Fprintf(os.Stderr, "goroutines leaked: %d before the tests, %d after\n%s\n", before, runtime.NumGoroutine(), buf)
				code = 1
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	os.Exit(code)
}

// logBuffer collects JSON log lines (without times) from several
// goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// running is a Reader's Run in a goroutine, with the strokes it emitted.
type running struct {
	r      *Reader
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
	events []keystroke.Event
	more   chan struct{} // signalled on every stroke
}

func start(t *testing.T, cfg Config) *running {
	t.Helper()
	r, err := NewReader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	rn := &running{r: r, cancel: cancel, done: make(chan error, 1), more: make(chan struct{}, 1)}
	go func() {
		rn.done <- r.Run(ctx, func(e keystroke.Event) {
			rn.mu.Lock()
			rn.events = append(rn.events, e)
			rn.mu.Unlock()
			select {
			case rn.more <- struct{}{}:
			default:
			}
		})
	}()
	t.Cleanup(func() { rn.stop(t) })
	return rn
}

func (rn *running) snapshot() []keystroke.Event {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	return append([]keystroke.Event(nil), rn.events...)
}

// wait waits until at least n strokes have arrived.
func (rn *running) wait(t *testing.T, n int) []keystroke.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		if got := rn.snapshot(); len(got) >= n {
			return got
		}
		select {
		case <-rn.more:
		case err := <-rn.done:
			rn.done <- err
			t.Fatalf("Run returned %v with %d strokes, want %d", err, len(rn.snapshot()), n)
		case <-timeout:
			t.Fatalf("%d strokes after 10s, want %d", len(rn.snapshot()), n)
		}
	}
}

// stop cancels Run and waits for it; it fails the test if Run does not
// return within 5 s or returns an error.
func (rn *running) stop(t *testing.T) []keystroke.Event {
	t.Helper()
	rn.cancel()
	select {
	case err := <-rn.done:
		if err != nil {
			t.Errorf("Run = %v, want nil after cancel", err)
		}
		rn.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of cancel")
	}
	return rn.snapshot()
}

// byDevice splits strokes by device number, keeping their order.
func byDevice(evs []keystroke.Event) map[uint16][]keystroke.Event {
	m := map[uint16][]keystroke.Event{}
	for _, e := range evs {
		m[e.Device] = append(m[e.Device], e)
	}
	return m
}
