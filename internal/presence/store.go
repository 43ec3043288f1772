package presence

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"
)

// ErrNoBaseline is returned by [Store.Baseline] when a worker has no usable
// enrolment; the handler then falls back to [PopulationBaseline].
var ErrNoBaseline = errors.New("presence: no baseline")

// ErrSessionExists is wrapped by [Store.SaveSession] when another session
// with the same ID is stored: a signed link's second session ([Links]).
var ErrSessionExists = errors.New("presence: another session with this ID is stored")

// Session is one finished presence challenge as it is stored. It holds
// timing only: which key was pressed is never sent to the server.
type Session struct {
	// ID is the server-issued session ID.
	ID string
	// WorkerID is the worker the session was run for.
	WorkerID string
	// Enrol marks a session whose reactions become the worker's baseline.
	Enrol bool
	// Started and Finished are server times.
	Started, Finished time.Time
	// Reactions are the reaction times in prompt order, anticipations and
	// lapses included.
	Reactions []time.Duration
	// FalseStarts counts keys pressed before a prompt appeared.
	FalseStarts int
	// PageRTT is the smallest page round trip measured by the server, and
	// ClientRTT the smallest the page reported; zero when none.
	PageRTT, ClientRTT time.Duration
	// Result is the assessment the worker's session ended with.
	Result Result
}

// Store keeps finished sessions and derives baselines from them. The
// handler calls it from many goroutines at once; implementations must be
// safe for concurrent use. The SQLite and PostgreSQL stores of
// internal/store implement it.
type Store interface {
	// SaveSession stores a finished session. The Store may keep s's
	// slices; the caller does not modify them afterwards. Saving a session
	// again is a no-op; a different session under a stored ID is refused
	// with an error wrapping [ErrSessionExists].
	SaveSession(ctx context.Context, s Session) error
	// SessionStored reports whether a session with the given ID is
	// stored, so a signed link that already gave one is refused before
	// its worker sits through a second (by any handler on the store).
	SessionStored(ctx context.Context, id string) (bool, error)
	// Baseline returns the baseline built by [WorkerBaseline] from the
	// worker's enrolment sessions, or an error wrapping [ErrNoBaseline]
	// when they hold too few valid reactions.
	Baseline(ctx context.Context, workerID string) (Baseline, error)
}

// MemStore is an in-memory [Store], for tests, the lab and single-process
// trials; it forgets everything on restart. It is safe for concurrent use.
type MemStore struct {
	mu       sync.Mutex
	sessions map[string][]Session // by worker ID, oldest first
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{sessions: make(map[string][]Session)}
}

// SaveSession implements [Store].
func (m *MemStore) SaveSession(_ context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ss := range m.sessions {
		for _, o := range ss {
			if o.ID != s.ID {
				continue
			}
			if reflect.DeepEqual(o, s) {
				return nil
			}
			return fmt.Errorf("save session %s: %w", s.ID, ErrSessionExists)
		}
	}
	m.sessions[s.WorkerID] = append(m.sessions[s.WorkerID], s)
	return nil
}

// SessionStored implements [Store].
func (m *MemStore) SessionStored(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ss := range m.sessions {
		for _, o := range ss {
			if o.ID == id {
				return true, nil
			}
		}
	}
	return false, nil
}

// Baseline implements [Store]: it uses the worker's enrolment sessions only,
// never the sessions it assessed, so a baseline cannot creep towards a
// delayed operator.
func (m *MemStore) Baseline(_ context.Context, workerID string) (Baseline, error) {
	m.mu.Lock()
	var enrol [][]time.Duration
	for _, s := range m.sessions[workerID] {
		if s.Enrol {
			enrol = append(enrol, s.Reactions)
		}
	}
	m.mu.Unlock()
	if len(enrol) == 0 {
		return Baseline{}, fmt.Errorf("baseline for worker %q: no enrolment: %w", workerID, ErrNoBaseline)
	}
	b, err := WorkerBaseline(enrol)
	if err != nil {
		return Baseline{}, fmt.Errorf("baseline for worker %q: %w: %w", workerID, err, ErrNoBaseline)
	}
	return b, nil
}

// Sessions returns a copy of the worker's stored sessions, oldest first.
func (m *MemStore) Sessions(workerID string) []Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sessions[workerID])
}
