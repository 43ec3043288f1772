package spool

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// txn is one bbolt transaction's view of the spool: its buckets and the
// totals and per-kind counters it changes, written back by flush.
type txn struct {
	items, kinds, meta *bolt.Bucket

	st      state
	ks      map[string]*KindStats
	touched bool // st or ks changed
}

func begin(tx *bolt.Tx) (*txn, error) {
	t := &txn{items: tx.Bucket(bucketItems), kinds: tx.Bucket(bucketKinds), meta: tx.Bucket(bucketMeta)}
	if t.items == nil || t.kinds == nil || t.meta == nil {
		return nil, errors.New("spool buckets missing")
	}
	if b := t.meta.Get(keyState); b != nil {
		st, err := decodeState(b)
		if err != nil {
			return nil, err
		}
		t.st = st
	}
	return t, nil
}

// kind returns the counters of kind k, loading them on first use.
func (t *txn) kind(k string) (*KindStats, error) {
	if ks, ok := t.ks[k]; ok {
		return ks, nil
	}
	var ks KindStats
	if b := t.kinds.Get([]byte(k)); b != nil {
		var err error
		if ks, err = decodeKindStats(b); err != nil {
			return nil, fmt.Errorf("kind %q: %w", k, err)
		}
	}
	if t.ks == nil {
		t.ks = map[string]*KindStats{}
	}
	t.ks[k] = &ks
	return &ks, nil
}

// put stores it under the next sequence number.
func (t *txn) put(it Item) error {
	seq, err := t.items.NextSequence()
	if err != nil {
		return err
	}
	if err := t.items.Put(seqKey(seq), encodeRecord(it)); err != nil {
		return fmt.Errorf("item %s %s: %w", it.Kind, trunc(it.ID), err)
	}
	ks, err := t.kind(it.Kind)
	if err != nil {
		return err
	}
	size := uint64(it.Size())
	ks.Put.add(size)
	t.st.live.add(size)
	t.touched = true
	return nil
}

// remove deletes the record with key k and value v and counts it as acked
// or dropped under its kind, or as corrupt if it fails to decode. It
// returns the record's size.
func (t *txn) remove(k, v []byte, acked bool) (uint64, error) {
	size := uint64(len(k) + len(v))
	it, derr := decodeRecord(v) // before Delete: v may live in the node Delete changes
	if err := t.items.Delete(k); err != nil {
		return 0, err
	}
	t.st.live.Items--
	t.st.live.Bytes -= size
	t.touched = true
	if derr != nil {
		t.st.corrupt.add(size)
		return size, nil
	}
	ks, err := t.kind(it.Kind)
	if err != nil {
		return 0, err
	}
	if acked {
		ks.Acked.add(size)
	} else {
		ks.Dropped.add(size)
	}
	return size, nil
}

// flush writes back what the transaction changed.
func (t *txn) flush() error {
	if !t.touched {
		return nil
	}
	if err := t.meta.Put(keyState, encodeState(t.st)); err != nil {
		return err
	}
	for k, ks := range t.ks {
		if err := t.kinds.Put([]byte(k), encodeKindStats(*ks)); err != nil {
			return err
		}
	}
	return nil
}

// errUnchanged rolls back a transaction that changed nothing, saving the
// commit's fsync.
var errUnchanged = errors.New("unchanged")

// Put stores items, in order, in one transaction: when it returns nil
// they are on disk. If they do not fit under Config.MaxBytes, the oldest
// items in the spool are dropped (and counted) to make room; if items
// alone exceed MaxBytes, the first of them are dropped too. Put ignores
// the items' Seq. It fails, storing nothing, if an item's kind or ID is
// empty or too long, or an item is larger than MaxBytes (ErrTooLarge).
func (s *Spool) Put(items ...Item) error {
	for i, it := range items {
		if err := it.check(); err != nil {
			return fmt.Errorf("put item %d: %w", i, err)
		}
		if size := it.Size(); uint64(size) > s.max {
			return fmt.Errorf("put %s %s: %d bytes, over the limit of %d bytes (spool MaxBytes): %w",
				it.Kind, trunc(it.ID), size, s.max, ErrTooLarge)
		}
	}
	if len(items) == 0 {
		return nil
	}
	var dropped Count
	err := s.db.Update(func(tx *bolt.Tx) error {
		dropped = Count{}
		t, err := begin(tx)
		if err != nil {
			return err
		}
		t.items.FillPercent = 1 // keys only ever grow: fill pages
		for _, it := range items {
			size := uint64(it.Size())
			for t.st.live.Bytes+size > s.max {
				k, v := t.items.Cursor().First()
				if k == nil {
					return fmt.Errorf("spool totals say %d bytes but no items are left", t.st.live.Bytes)
				}
				n, err := t.remove(k, v, false)
				if err != nil {
					return err
				}
				dropped.add(n)
			}
			if err := t.put(it); err != nil {
				return err
			}
		}
		return t.flush()
	})
	if err != nil {
		return s.fail(fmt.Sprintf("put %d items", len(items)), err)
	}
	if dropped.Items > 0 {
		s.warnDropped(dropped)
	}
	return nil
}

// warnDropped logs items dropped for space, at most once a minute.
func (s *Spool) warnDropped(d Count) {
	s.mu.Lock()
	s.unwarned = s.unwarned.plus(d)
	now := time.Now()
	if now.Sub(s.lastWarn) < time.Minute {
		s.mu.Unlock()
		return
	}
	d, s.unwarned, s.lastWarn = s.unwarned, Count{}, now
	s.mu.Unlock()
	s.log.Warn("spool full: dropped the oldest items", "path", s.path,
		"dropped_items", d.Items, "dropped_bytes", d.Bytes, "max_bytes", s.max)
}

// Peek returns the oldest items, at most max of them and, after the first,
// at most maxBytes of payload in all; max <= 0 or maxBytes <= 0 means no
// limit on that. The items stay in the spool until acked. A damaged record
// met on the way is removed and counted in Stats.Corrupt.
func (s *Spool) Peek(max, maxBytes int) ([]Item, error) {
	var (
		items []Item
		bad   [][]byte
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		items, bad = items[:0], bad[:0]
		b := tx.Bucket(bucketItems)
		if b == nil {
			return errors.New("spool buckets missing")
		}
		size := 0
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if max > 0 && len(items) >= max {
				break
			}
			if v == nil {
				continue // a nested bucket: not ours, never written by the spool
			}
			it, err := decodeRecord(v)
			seq, ok := keySeq(k)
			if err != nil || !ok {
				if err == nil {
					err = fmt.Errorf("%w: key of %d bytes, want 8", errRecord, len(k))
				}
				s.log.Warn("spool record damaged; removing it", "path", s.path, "key", fmt.Sprintf("%x", k), "err", err)
				bad = append(bad, append([]byte{}, k...))
				continue
			}
			if maxBytes > 0 && len(items) > 0 && size+len(it.Payload) > maxBytes {
				break
			}
			size += len(it.Payload)
			it.Seq = seq
			it.Payload = append([]byte{}, it.Payload...)
			items = append(items, it)
		}
		return nil
	})
	if err != nil {
		return nil, s.fail("peek", err)
	}
	if len(bad) > 0 {
		if err := s.removeDamaged(bad); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// removeDamaged removes the records under keys, counting them as corrupt.
func (s *Spool) removeDamaged(keys [][]byte) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		t, err := begin(tx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			v := t.items.Get(k)
			if v == nil {
				continue
			}
			size := uint64(len(k) + len(v))
			if err := t.items.Delete(k); err != nil {
				return err
			}
			t.st.live.Items--
			t.st.live.Bytes -= size
			t.st.corrupt.add(size)
			t.touched = true
		}
		return t.flush()
	})
	if err != nil {
		return s.fail(fmt.Sprintf("remove %d damaged records", len(keys)), err)
	}
	return nil
}

// Ack removes the items with the given sequence numbers, after a server
// has accepted them, and returns how many it removed. A sequence number
// not in the spool (acked before, or dropped for space) is skipped.
func (s *Spool) Ack(seqs ...uint64) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		n = 0
		t, err := begin(tx)
		if err != nil {
			return err
		}
		for _, seq := range seqs {
			k := seqKey(seq)
			v := t.items.Get(k)
			if v == nil {
				continue
			}
			if _, err := t.remove(k, v, true); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return errUnchanged
		}
		return t.flush()
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return 0, s.fail(fmt.Sprintf("ack %d items", len(seqs)), err)
	}
	return n, nil
}

// Stats describes a spool: what it holds now and, per kind, what happened
// to the items since the file was created.
type Stats struct {
	Items    uint64 // items in the spool now
	Bytes    uint64 // their size (Item.Size), at most MaxBytes
	MaxBytes uint64 // Config.MaxBytes

	Kinds   map[string]KindStats // by Item.Kind
	Corrupt Count                // damaged records removed, of any kind
}

// Dropped returns the items dropped for space, of all kinds.
func (st Stats) Dropped() Count {
	var c Count
	for _, k := range st.Kinds {
		c = c.plus(k.Dropped)
	}
	return c
}

// Stats returns the spool's current statistics.
func (s *Spool) Stats() (Stats, error) {
	st := Stats{MaxBytes: s.max, Kinds: map[string]KindStats{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		clear(st.Kinds)
		t, err := begin(tx)
		if err != nil {
			return err
		}
		st.Items, st.Bytes, st.Corrupt = t.st.live.Items, t.st.live.Bytes, t.st.corrupt
		return t.kinds.ForEach(func(k, v []byte) error {
			ks, err := decodeKindStats(v)
			if err != nil {
				return fmt.Errorf("kind %q: %w", k, err)
			}
			st.Kinds[string(k)] = ks
			return nil
		})
	})
	if err != nil {
		return Stats{}, s.fail("stats", err)
	}
	return st, nil
}
