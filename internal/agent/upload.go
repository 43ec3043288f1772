package agent

import (
	"context"
	"crypto/ed25519"
	"errors"
	mrand "math/rand/v2"
	"net/http"
	"time"

	"github.com/lagwatch/lagwatch/internal/spool"
)

// Upload limits: how much the uploader takes from the spool at a time.
const (
	uploadItems = 32
	uploadBytes = 2 << 20
)

// uploader sends spooled batches, oldest first, and acknowledges each
// once a server has accepted it. It sends to the server that last worked,
// moving on to the next one after a failure; all servers of a deployment
// share one store, so any of them may take any batch.
type uploader struct {
	a    *Agent
	sp   *spool.Spool
	key  ed25519.PrivateKey
	next int // index of the client to use
}

// run sends until ctx is done.
func (u *uploader) run(ctx context.Context) {
	backoff := u.a.backoffMin
	for {
		sent, err := u.drain(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := time.Duration(-1) // until something is spooled
		if err != nil {
			wait = backoff/2 + mrand.N(backoff/2+1)
			u.a.log.Warn("upload failed; will retry", "retry_in", wait.Round(time.Millisecond), "err", err)
			u.a.status.set(func(s *Status) { s.LastUploadError, s.LastUploadErrorAt = err.Error(), time.Now().UTC() })
			backoff = min(2*backoff, u.a.backoffMax)
			u.next = (u.next + 1) % len(u.a.clients)
		} else if sent > 0 {
			backoff = u.a.backoffMin
		}
		if !u.wait(ctx, wait, err != nil) {
			return
		}
	}
}

// wait waits for d, or for something to be spooled when d < 0; after a
// failure it always waits the whole of d. It reports false when ctx is done.
func (u *uploader) wait(ctx context.Context, d time.Duration, failed bool) bool {
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	queued := u.a.queued
	if failed {
		queued = nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-queued:
	case <-timer:
	}
	return true
}

// drain sends everything in the spool; it returns how many batches it
// sent and the error that stopped it.
func (u *uploader) drain(ctx context.Context) (int, error) {
	sent := 0
	for {
		items, err := u.sp.Peek(uploadItems, uploadBytes)
		if err != nil {
			return sent, err
		}
		if len(items) == 0 {
			return sent, nil
		}
		for _, it := range items {
			c := u.a.clients[u.next]
			resp, err := c.SendBody(ctx, u.a.cred, it.ID, it.Payload, u.key)
			if err != nil && !rejected(err) {
				return sent, err
			}
			if err != nil {
				// The server will never take this batch: keep it out of
				// the way of the rest, and say so loudly.
				u.a.log.Error("batch rejected by the server; dropped", "kind", it.Kind, "batch_id", it.ID, "server", c.URL(), "err", err)
				u.a.status.set(func(s *Status) { s.Rejected++ })
			} else {
				u.a.log.Debug("batch sent", "kind", it.Kind, "batch_id", it.ID, "server", c.URL(), "duplicate", resp.Duplicate)
				u.a.status.set(func(s *Status) { s.Server, s.LastUpload = c.URL(), time.Now().UTC() })
			}
			if _, err := u.sp.Ack(it.Seq); err != nil {
				return sent, err
			}
			sent++
		}
	}
}

// rejected reports whether err is a server's final refusal of a batch: a
// 4xx other than 401 (credential or signature: fix the device and the
// batch goes through), 408 and 429.
func rejected(err error) bool {
	e, ok := errors.AsType[*APIError](err)
	if !ok {
		return false
	}
	switch {
	case e.Temporary():
		return false
	case e.StatusCode == http.StatusUnauthorized:
		return false
	}
	return e.StatusCode >= 400 && e.StatusCode < 500
}
