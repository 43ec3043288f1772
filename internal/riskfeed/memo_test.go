package riskfeed_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/riskfeed"
)

type memoClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *memoClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *memoClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestMemo: a result is kept for the TTL and evaluated again after it; a
// failed evaluation is not kept.
func TestMemo(t *testing.T) {
	clk := &memoClock{t: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	var calls atomic.Int32
	fail := false
	m := riskfeed.NewMemo(func(context.Context) ([]risk.Risk, error) {
		n := calls.Add(1)
		if fail {
			return nil, errors.New("store down")
		}
		return []risk.Risk{{Subject: risk.Worker("w-" + string(rune('0'+n)))}}, nil
	}, time.Minute, clk.Now)
	get := func() string {
		t.Helper()
		rs, err := m.Risks(t.Context())
		if err != nil {
			t.Fatalf("Risks() = %v", err)
		}
		return rs[0].Subject.ID
	}
	if got := get(); got != "w-1" || calls.Load() != 1 {
		t.Fatalf("first Risks() = %s after %d evaluations; want w-1 after 1", got, calls.Load())
	}
	if !m.Evaluated().Equal(clk.Now()) {
		t.Errorf("Evaluated() = %v; want %v", m.Evaluated(), clk.Now())
	}
	clk.Advance(59 * time.Second)
	if got := get(); got != "w-1" || calls.Load() != 1 {
		t.Errorf("Risks() within the TTL = %s after %d evaluations; want the kept w-1", got, calls.Load())
	}
	clk.Advance(time.Second)
	if got := get(); got != "w-2" || calls.Load() != 2 {
		t.Errorf("Risks() at the TTL = %s after %d evaluations; want a new evaluation, w-2", got, calls.Load())
	}
	clk.Advance(time.Minute)
	fail = true
	if _, err := m.Risks(t.Context()); err == nil {
		t.Fatal("Risks() with a failing evaluation = nil error")
	}
	fail = false
	if got := get(); got != "w-4" || calls.Load() != 4 {
		t.Errorf("Risks() after a failure = %s after %d evaluations; want a new evaluation, w-4 (failures are not kept)", got, calls.Load())
	}
}

// TestMemoShared: callers that arrive while an evaluation runs share it,
// and one whose context ends while it waits returns at once.
func TestMemoShared(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	var calls atomic.Int32
	m := riskfeed.NewMemo(func(context.Context) ([]risk.Risk, error) {
		calls.Add(1)
		started <- struct{}{}
		<-release
		return []risk.Risk{{Subject: risk.Worker("w-1")}}, nil
	}, time.Minute, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			rs, err := m.Risks(context.Background())
			if err == nil && (len(rs) != 1 || rs[0].Subject.ID != "w-1") {
				err = errors.New("wrong result")
			}
			errs <- err
		})
	}
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Risks(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Risks() with an ended context while an evaluation runs = %v; want context.Canceled", err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("8 concurrent callers ran %d evaluations; want 1", n)
	}
}
