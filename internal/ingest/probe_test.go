package ingest

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestProbeTable(t *testing.T) {
	const ttl = 10 * time.Second
	t0 := time.Now()
	ctx := t.Context()

	t.Run("single use, own device", func(t *testing.T) {
		tab := newProbeTable(ttl, 100, 8)
		p, err := tab.open("d1", t0)
		if err != nil {
			t.Fatal(err)
		}
		sent := t0.Add(time.Millisecond)
		tab.markSent(p, sent)
		if _, err := tab.take(ctx, p.nonce, "d2", t0.Add(time.Second)); !errors.Is(err, errProbeNotFound) {
			t.Errorf("take by another device = %v, want errProbeNotFound", err)
		}
		got, err := tab.take(ctx, p.nonce, "d1", t0.Add(time.Second))
		if err != nil || !got.Equal(sent) {
			t.Errorf("take = %v, %v; want %v", got, err, sent)
		}
		if _, err := tab.take(ctx, p.nonce, "d1", t0.Add(time.Second)); !errors.Is(err, errProbeNotFound) {
			t.Errorf("second take = %v, want errProbeNotFound", err)
		}
		if n := tab.len(); n != 0 {
			t.Errorf("open probes after take = %d, want 0", n)
		}
	})

	t.Run("expired", func(t *testing.T) {
		tab := newProbeTable(ttl, 100, 8)
		p, _ := tab.open("d1", t0)
		tab.markSent(p, t0)
		if _, err := tab.take(ctx, p.nonce, "d1", t0.Add(ttl+time.Millisecond)); !errors.Is(err, errProbeExpired) {
			t.Errorf("take after ttl = %v, want errProbeExpired", err)
		}
	})

	t.Run("limits and sweep", func(t *testing.T) {
		tab := newProbeTable(ttl, 4, 2)
		for _, d := range []string{"d1", "d1", "d2", "d2"} {
			if _, err := tab.open(d, t0); err != nil {
				t.Fatalf("open(%s) = %v", d, err)
			}
		}
		if _, err := tab.open("d1", t0); !errors.Is(err, errProbeLimit) {
			t.Errorf("third open of d1 = %v, want errProbeLimit", err)
		}
		if _, err := tab.open("d3", t0); !errors.Is(err, errProbeLimit) {
			t.Errorf("open beyond the table's cap = %v, want errProbeLimit", err)
		}
		// Once the first four expire, the sweep makes room.
		if _, err := tab.open("d3", t0.Add(ttl+time.Second)); err != nil {
			t.Errorf("open after expiry = %v, want nil", err)
		}
		if n := tab.len(); n != 1 {
			t.Errorf("open probes after sweep = %d, want 1", n)
		}
	})

	t.Run("answer overtakes send time", func(t *testing.T) {
		tab := newProbeTable(ttl, 100, 8)
		p, _ := tab.open("d1", t0)
		got := make(chan error, 1)
		go func() {
			_, err := tab.take(ctx, p.nonce, "d1", t0.Add(time.Millisecond))
			got <- err
		}()
		time.Sleep(time.Millisecond) // let take wait, if it gets there first
		tab.markSent(p, t0)
		if err := <-got; err != nil {
			t.Errorf("take before markSent = %v, want nil", err)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		tab := newProbeTable(ttl, 100, 8)
		p, _ := tab.open("d1", t0)
		tab.cancel(p)
		if _, err := tab.take(ctx, p.nonce, "d1", t0); !errors.Is(err, errProbeNotFound) {
			t.Errorf("take after cancel = %v, want errProbeNotFound", err)
		}
		p, _ = tab.open("d1", t0)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := tab.take(cctx, p.nonce, "d1", t0); !errors.Is(err, context.Canceled) {
			t.Errorf("take with cancelled context = %v, want context.Canceled", err)
		}
		tab.cancel(p) // after take removed it: must not panic or double count
		if n := tab.len(); n != 0 {
			t.Errorf("open probes = %d, want 0", n)
		}
	})
}
