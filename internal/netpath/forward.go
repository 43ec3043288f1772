package netpath

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// pairKey packs an IPv4 (source, destination) pair as it appears in the
// header: source in the high 32 bits.
type pairKey uint64

func keyOf(src, dst netip.Addr) pairKey {
	s, d := src.As4(), dst.As4()
	return pairKey(binary.BigEndian.Uint32(s[:]))<<32 | pairKey(binary.BigEndian.Uint32(d[:]))
}

// linkTable is an immutable snapshot of the configured links. SetLink
// replaces the whole table (copy on write) so the forwarders read it
// without locks.
type linkTable struct {
	def   Link
	pairs map[pairKey]Link
}

func (t *linkTable) lookup(k pairKey) Link {
	if l, ok := t.pairs[k]; ok {
		return l
	}
	return t.def
}

// packet is one IP packet waiting for its delivery time.
type packet struct {
	due  time.Duration // since direction.epoch, monotonic
	seq  uint64        // arrival order, breaks ties so equal due times stay FIFO
	data []byte
}

// direction forwards the packets of one direction (A to B or B to A).
//
// Goroutines: readLoop is the only user of rng and last; writeLoop is the
// only writer to out. mu guards queue and seq. Counters are atomic.
type direction struct {
	name  string       // "a->b" or "b->a", for logs
	dst   netip.Prefix // destinations accepted: the other side's hosts
	links *atomic.Pointer[linkTable]
	limit int // most packets queued
	log   *slog.Logger
	epoch time.Time

	// Owned by readLoop.
	rng  *rand.Rand
	last map[pairKey]time.Duration // latest due time per pair, for FIFO links

	mu    sync.Mutex
	queue []packet // min-heap on (due, seq)
	seq   uint64
	wake  chan struct{} // capacity 1: tells writeLoop the head may have changed

	forwarded, bytes, lost, overflow, ignored, writeErrors atomic.Uint64
}

func newDirection(name string, dst netip.Prefix, links *atomic.Pointer[linkTable], limit int, seed uint64, stream uint64, log *slog.Logger) *direction {
	return &direction{
		name:  name,
		dst:   dst,
		links: links,
		limit: limit,
		log:   log,
		epoch: time.Now(),
		rng:   rand.New(rand.NewPCG(seed, stream)),
		last:  make(map[pairKey]time.Duration),
		wake:  make(chan struct{}, 1),
	}
}

// now returns the monotonic time since the direction's epoch.
func (d *direction) now() time.Duration { return time.Since(d.epoch) }

// handle decides the fate of one packet read at time now: ignore, lose,
// or queue a copy for delivery after the link's delay.
func (d *direction) handle(pkt []byte, now time.Duration) {
	if len(pkt) < 20 || pkt[0]>>4 != 4 {
		d.ignored.Add(1)
		return
	}
	dst := netip.AddrFrom4([4]byte(pkt[16:20]))
	if !d.dst.Contains(dst) {
		d.ignored.Add(1)
		return
	}
	k := pairKey(binary.BigEndian.Uint64(pkt[12:20]))
	l := d.links.Load().lookup(k)
	if l.Loss > 0 && d.rng.Float64() < l.Loss {
		d.lost.Add(1)
		return
	}
	delay := l.Delay
	if l.Jitter > 0 {
		delay += time.Duration(d.rng.Int64N(int64(2*l.Jitter)+1)) - l.Jitter
		delay = max(delay, 0)
	}
	due := now + delay
	if !l.Reorder {
		// Never deliver before an earlier packet of the same pair.
		due = max(due, d.last[k])
		d.last[k] = due
	}
	d.push(due, pkt)
}

// push queues a copy of data for delivery at due.
func (d *direction) push(due time.Duration, data []byte) {
	d.mu.Lock()
	if len(d.queue) >= d.limit {
		d.mu.Unlock()
		d.overflow.Add(1)
		return
	}
	d.seq++
	d.queue = append(d.queue, packet{due: due, seq: d.seq, data: append([]byte(nil), data...)})
	d.up(len(d.queue) - 1)
	head := d.queue[0].seq == d.seq
	d.mu.Unlock()
	if head {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

// popDue appends to out the packets due at now, in delivery order, and
// returns how long until the next one is due (-1 when the queue is empty).
func (d *direction) popDue(now time.Duration, out [][]byte) ([][]byte, time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.queue) > 0 {
		head := d.queue[0]
		if head.due > now {
			return out, head.due - now
		}
		out = append(out, head.data)
		last := len(d.queue) - 1
		d.queue[0] = d.queue[last]
		d.queue[last] = packet{}
		d.queue = d.queue[:last]
		if last > 0 {
			d.down(0)
		}
	}
	return out, -1
}

func (d *direction) queued() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queue)
}

func (d *direction) less(i, j int) bool {
	a, b := &d.queue[i], &d.queue[j]
	return a.due < b.due || a.due == b.due && a.seq < b.seq
}

func (d *direction) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !d.less(i, p) {
			return
		}
		d.queue[i], d.queue[p] = d.queue[p], d.queue[i]
		i = p
	}
}

func (d *direction) down(i int) {
	n := len(d.queue)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && d.less(r, c) {
			c = r
		}
		if !d.less(c, i) {
			return
		}
		d.queue[i], d.queue[c] = d.queue[c], d.queue[i]
		i = c
	}
}

// readLoop reads packets from in until in is closed.
func (d *direction) readLoop(in io.Reader) {
	buf := make([]byte, 1<<16)
	for {
		n, err := in.Read(buf)
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				d.log.Error("tun read failed, direction stopped", "direction", d.name, "err", err)
			}
			return
		}
		d.handle(buf[:n], d.now())
	}
}

// writeLoop writes due packets to out until stop is closed.
func (d *direction) writeLoop(out io.Writer, stop <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var batch [][]byte
	for {
		var wait time.Duration
		batch, wait = d.popDue(d.now(), batch[:0])
		for i, p := range batch {
			batch[i] = nil
			if _, err := out.Write(p); err != nil {
				if errors.Is(err, os.ErrClosed) {
					return
				}
				// The kernel rejects a packet it cannot parse; count it
				// and log the first few.
				if n := d.writeErrors.Add(1); n <= 3 {
					d.log.Warn("tun write failed", "direction", d.name, "err", err, "count", n)
				}
				continue
			}
			d.forwarded.Add(1)
			d.bytes.Add(uint64(len(p)))
		}
		if len(batch) > 0 {
			continue // writing took time; look again before sleeping
		}
		var tc <-chan time.Time
		if wait >= 0 {
			timer.Reset(wait)
			tc = timer.C
		}
		select {
		case <-stop:
			return
		case <-d.wake:
		case <-tc:
		}
	}
}

func (d *direction) stats() DirStats {
	return DirStats{
		Forwarded:   d.forwarded.Load(),
		Bytes:       d.bytes.Load(),
		Lost:        d.lost.Load(),
		Overflow:    d.overflow.Load(),
		Ignored:     d.ignored.Load(),
		WriteErrors: d.writeErrors.Load(),
		Queued:      d.queued(),
	}
}
