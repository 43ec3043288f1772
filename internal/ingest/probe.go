package ingest

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"time"
)

var (
	errProbeLimit    = errors.New("too many open probes")
	errProbeNotFound = errors.New("no open probe with this nonce for this device")
	errProbeExpired  = errors.New("probe expired")
)

// probe is one open challenge. sent is written once, before ready is
// closed, and read only after ready is closed.
type probe struct {
	nonce  string
	device string
	opened time.Time     // monotonic
	ready  chan struct{} // closed by markSent or cancel
	sent   time.Time     // when the challenge was flushed; zero if cancelled
}

// probeTable holds the open probes, at most maxOpen in all and perDevice per
// device. Expired probes are swept when a probe is opened, at most once
// per ttl unless the table is full.
type probeTable struct {
	ttl       time.Duration
	maxOpen   int
	perDevice int

	mu        sync.Mutex
	byNonce   map[string]*probe // by nonce
	byDevice  map[string]int    // open probes per device
	lastSweep time.Time
}

func newProbeTable(ttl time.Duration, maxOpen, perDevice int) *probeTable {
	return &probeTable{ttl: ttl, maxOpen: maxOpen, perDevice: perDevice,
		byNonce: make(map[string]*probe), byDevice: make(map[string]int)}
}

// open registers a new probe for device at now and returns it.
func (t *probeTable) open(device string, now time.Time) (*probe, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.lastSweep) >= t.ttl || len(t.byNonce) >= t.maxOpen || t.byDevice[device] >= t.perDevice {
		t.sweep(now)
	}
	if len(t.byNonce) >= t.maxOpen || t.byDevice[device] >= t.perDevice {
		return nil, errProbeLimit
	}
	p := &probe{nonce: rand.Text(), device: device, opened: now, ready: make(chan struct{})}
	t.byNonce[p.nonce] = p
	t.byDevice[device]++
	return p, nil
}

// sweep removes the probes opened more than ttl before now. t.mu is held.
func (t *probeTable) sweep(now time.Time) {
	for n, p := range t.byNonce {
		if now.Sub(p.opened) > t.ttl {
			t.remove(n, p)
		}
	}
	t.lastSweep = now
}

// remove deletes an open probe. t.mu is held.
func (t *probeTable) remove(nonce string, p *probe) {
	delete(t.byNonce, nonce)
	if t.byDevice[p.device]--; t.byDevice[p.device] <= 0 {
		delete(t.byDevice, p.device)
	}
}

// markSent records when p's challenge was flushed and releases a waiting
// answer. Call it at most once per probe, and not after cancel.
func (t *probeTable) markSent(p *probe, at time.Time) {
	p.sent = at
	close(p.ready)
}

// cancel drops a probe whose challenge was not sent.
func (t *probeTable) cancel(p *probe) {
	t.mu.Lock()
	if t.byNonce[p.nonce] == p {
		t.remove(p.nonce, p)
	}
	t.mu.Unlock()
	close(p.ready)
}

// take closes the probe nonce of device, answered at arrived, and returns
// when its challenge was sent. A probe can be taken once. If the answer
// overtook the recording of the send time, take waits for it.
func (t *probeTable) take(ctx context.Context, nonce, device string, arrived time.Time) (time.Time, error) {
	t.mu.Lock()
	p := t.byNonce[nonce]
	if p == nil || p.device != device {
		t.mu.Unlock()
		return time.Time{}, errProbeNotFound
	}
	t.remove(nonce, p)
	t.mu.Unlock()
	if arrived.Sub(p.opened) > t.ttl {
		return time.Time{}, errProbeExpired
	}
	timer := time.NewTimer(t.ttl)
	defer timer.Stop()
	select {
	case <-p.ready:
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	case <-timer.C:
		return time.Time{}, errProbeExpired
	}
	if p.sent.IsZero() {
		return time.Time{}, errProbeNotFound
	}
	return p.sent, nil
}

// len returns the number of open probes.
func (t *probeTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byNonce)
}
