package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/spool"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// StatusFile is the running agent's report on itself in the state
// directory, rewritten every statusEvery; `lagwatch-agent status` reads it.
const StatusFile = "status.json"

const statusEvery = 5 * time.Second

// Status is what the agent sees and sends, as written to StatusFile. It
// holds no secrets and nothing typed.
type Status struct {
	UpdatedAt         time.Time            `json:"updated_at"`
	PID               int                  `json:"pid"`
	DeviceID          string               `json:"device_id"`
	Server            string               `json:"server,omitempty"` // where the last batch went
	LastUpload        time.Time            `json:"last_upload,omitzero"`
	LastUploadError   string               `json:"last_upload_error,omitempty"`
	LastUploadErrorAt time.Time            `json:"last_upload_error_at,omitzero"`
	Rejected          int64                `json:"rejected"` // batches the server refused for good
	Inputs            []InputStatus        `json:"inputs"`
	Endpoint          *wire.EndpointReport `json:"endpoint,omitempty"` // the last snapshot
	Spool             *spool.Stats         `json:"spool,omitempty"`
}

// InputStatus describes one input reader.
type InputStatus struct {
	Source  string             `json:"source"`
	Devices []keystroke.Device `json:"devices"`
	Strokes int64              `json:"strokes"` // received from the reader
	Dropped int64              `json:"dropped"` // lost because the windower fell behind
	Windows int64              `json:"windows"` // non-empty windows spooled
	Error   string             `json:"error,omitempty"`
}

// statusBoard collects the agent's Status from its goroutines.
type statusBoard struct {
	mu     sync.Mutex
	s      Status
	inputs []registeredInput
}

// registeredInput is an input source and its counters.
type registeredInput struct {
	src   InputSource
	stats *inputStats
}

func newStatusBoard() *statusBoard { return &statusBoard{s: Status{PID: os.Getpid()}} }

// set changes the status under the board's lock.
func (b *statusBoard) set(f func(*Status)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(&b.s)
}

// input registers an input source and returns its counters.
func (b *statusBoard) input(src InputSource) *inputStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := &inputStats{}
	b.inputs = append(b.inputs, registeredInput{src, st})
	return st
}

// snapshot returns the current status.
func (b *statusBoard) snapshot() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.s
	s.Inputs = make([]InputStatus, len(b.inputs))
	for i, in := range b.inputs {
		st := in.stats
		s.Inputs[i] = InputStatus{
			Source:  in.src.Name(),
			Devices: slices.Clone(in.src.Devices()),
			Strokes: st.events.Load(),
			Dropped: st.dropped.Load(),
			Windows: st.windows.Load(),
			Error:   st.lastErr(),
		}
	}
	return s
}

// writeStatus rewrites the status file every statusEvery until ctx is done.
func (a *Agent) writeStatus(ctx context.Context, sp *spool.Spool) {
	t := time.NewTicker(statusEvery)
	defer t.Stop()
	for {
		a.saveStatus(sp)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// saveStatus writes the status file once; failures are logged.
func (a *Agent) saveStatus(sp *spool.Spool) {
	s := a.status.snapshot()
	s.UpdatedAt = time.Now().UTC()
	if st, err := sp.Stats(); err == nil {
		s.Spool = &st
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err == nil {
		err = writeFileQuick(a.cfg.StateDir, StatusFile, append(b, '\n'))
	}
	if err != nil {
		a.log.Warn("cannot write the status file", "dir", a.cfg.StateDir, "err", err)
	}
}

// writeFileQuick replaces dir/name through a rename, without fsync: for
// files that are rewritten often and may be lost in a crash.
func writeFileQuick(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name))
}

// ReadStatus reads the status file a running agent keeps in dir.
func ReadStatus(dir string) (Status, error) {
	path := filepath.Join(dir, StatusFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return Status{}, fmt.Errorf("read agent status %s: %w", path, err)
	}
	var s Status
	if err := json.Unmarshal(b, &s); err != nil {
		return Status{}, fmt.Errorf("decode agent status %s: %w", path, err)
	}
	return s, nil
}
