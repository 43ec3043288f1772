package riskfeed

import (
	"context"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/risk"
)

// Memo keeps the last risk evaluation for a while, so that the dashboard's
// pages (overview, risk, worker and case pages) do not each read and
// score a week of every worker's evidence: on a fleet that takes about
// 0.2 s of work per worker (BenchmarkRisks). Callers that arrive
// while an evaluation runs wait for it and share its result; an
// evaluation that fails is not kept. It is safe for concurrent use.
type Memo struct {
	eval func(context.Context) ([]risk.Risk, error)
	ttl  time.Duration
	now  func() time.Time

	sem chan struct{} // holds one token while an evaluation runs

	mu sync.Mutex
	at time.Time // when rs was evaluated; zero for none
	rs []risk.Risk
}

// NewMemo returns a Memo that evaluates with eval and keeps each result
// for ttl; now is the clock (nil means time.Now).
func NewMemo(eval func(context.Context) ([]risk.Risk, error), ttl time.Duration, now func() time.Time) *Memo {
	if now == nil {
		now = time.Now
	}
	return &Memo{eval: eval, ttl: ttl, now: now, sem: make(chan struct{}, 1)}
}

// Risks returns the kept evaluation if it is younger than the Memo's
// TTL, and otherwise evaluates, or waits for the evaluation another caller
// runs, until ctx is done. The result is shared between callers: it must
// not be modified.
func (m *Memo) Risks(ctx context.Context) ([]risk.Risk, error) {
	if rs, ok := m.fresh(); ok {
		return rs, nil
	}
	select {
	case m.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-m.sem }()
	// Another caller may have evaluated while this one waited.
	if rs, ok := m.fresh(); ok {
		return rs, nil
	}
	rs, err := m.eval(ctx)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.at, m.rs = m.now(), rs
	m.mu.Unlock()
	return rs, nil
}

// Evaluated returns when the kept evaluation was made; zero for none.
func (m *Memo) Evaluated() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.at
}

func (m *Memo) fresh() ([]risk.Risk, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.at.IsZero() || m.now().Sub(m.at) >= m.ttl {
		return nil, false
	}
	return m.rs, true
}
