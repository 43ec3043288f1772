package netpath

import (
	"encoding/binary"
	"log/slog"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// ipv4 returns a minimal IPv4 packet of size bytes from src to dst, with
// id in the identification field.
func ipv4(src, dst string, id uint16, size int) []byte {
	p := make([]byte, max(size, 20))
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	binary.BigEndian.PutUint16(p[4:], id)
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(p[12:], s[:])
	copy(p[16:], d[:])
	return p
}

func testDirection(def Link, pairs map[pairKey]Link, limit int) *direction {
	var links atomic.Pointer[linkTable]
	links.Store(&linkTable{def: def, pairs: pairs})
	return newDirection("a->b", netB, &links, limit, 1, 1, slog.New(slog.DiscardHandler))
}

func ids(pkts [][]byte) []uint16 {
	var out []uint16
	for _, p := range pkts {
		out = append(out, binary.BigEndian.Uint16(p[4:]))
	}
	return out
}

func TestHandleFilters(t *testing.T) {
	d := testDirection(Link{}, nil, 10)
	v6 := ipv4("198.18.0.1", "198.19.0.1", 1, 40)
	v6[0] = 0x60
	for _, tt := range []struct {
		name string
		pkt  []byte
	}{
		{"short", []byte{0x45, 0, 0}},
		{"ipv6", v6},
		{"to own side", ipv4("198.18.0.1", "198.18.0.2", 1, 40)},
		{"outside range", ipv4("198.18.0.1", "10.0.0.1", 1, 40)},
	} {
		before := d.ignored.Load()
		d.handle(tt.pkt, 0)
		if d.ignored.Load() != before+1 {
			t.Errorf("handle(%s): ignored %d -> %d, want +1", tt.name, before, d.ignored.Load())
		}
	}
	if got := d.queued(); got != 0 {
		t.Errorf("queued = %d, want 0", got)
	}
}

func TestHandleDelayAndPairs(t *testing.T) {
	ms := time.Millisecond
	slow := keyOf(netip.MustParseAddr("198.18.0.2"), netip.MustParseAddr("198.19.0.1"))
	d := testDirection(Link{Delay: 10 * ms}, map[pairKey]Link{slow: {Delay: 30 * ms}}, 10)
	d.handle(ipv4("198.18.0.2", "198.19.0.1", 1, 60), 0)  // due 30ms
	d.handle(ipv4("198.18.0.1", "198.19.0.1", 2, 60), 0)  // due 10ms
	d.handle(ipv4("198.18.0.1", "198.19.0.1", 3, 60), ms) // due 11ms

	for _, tt := range []struct {
		now      time.Duration
		want     []uint16
		wantWait time.Duration
	}{
		{9 * ms, nil, ms},
		{10 * ms, []uint16{2}, ms},
		{29 * ms, []uint16{3}, ms},
		{40 * ms, []uint16{1}, -1},
	} {
		got, wait := d.popDue(tt.now, nil)
		if g := ids(got); !slices.Equal(g, tt.want) || wait != tt.wantWait {
			t.Errorf("popDue(%v) = %v, %v, want %v, %v", tt.now, g, wait, tt.want, tt.wantWait)
		}
	}
}

func TestHandleFIFOWithJitter(t *testing.T) {
	d := testDirection(Link{Delay: 10 * time.Millisecond, Jitter: 9 * time.Millisecond}, nil, 1000)
	for i := range 500 {
		d.handle(ipv4("198.18.0.1", "198.19.0.1", uint16(i), 40), time.Duration(i)*10*time.Microsecond)
	}
	got, _ := d.popDue(time.Second, nil)
	g := ids(got)
	if len(g) != 500 {
		t.Fatalf("popDue returned %d packets, want 500", len(g))
	}
	for i, id := range g {
		if int(id) != i {
			t.Fatalf("packet %d has id %d: FIFO link reordered", i, id)
		}
	}
}

func TestHandleLossAndOverflow(t *testing.T) {
	d := testDirection(Link{Loss: 1}, nil, 10)
	d.handle(ipv4("198.18.0.1", "198.19.0.1", 1, 40), 0)
	if d.lost.Load() != 1 || d.queued() != 0 {
		t.Errorf("loss 1: lost %d, queued %d, want 1, 0", d.lost.Load(), d.queued())
	}

	d = testDirection(Link{Delay: time.Second}, nil, 3)
	for i := range 5 {
		d.handle(ipv4("198.18.0.1", "198.19.0.1", uint16(i), 40), 0)
	}
	if d.overflow.Load() != 2 || d.queued() != 3 {
		t.Errorf("limit 3: overflow %d, queued %d, want 2, 3", d.overflow.Load(), d.queued())
	}
}

func TestHandleCopiesPacket(t *testing.T) {
	d := testDirection(Link{}, nil, 10)
	p := ipv4("198.18.0.1", "198.19.0.1", 7, 40)
	d.handle(p, 0)
	p[4], p[5] = 0, 0 // the reader reuses its buffer
	got, _ := d.popDue(0, nil)
	if g := ids(got); !slices.Equal(g, []uint16{7}) {
		t.Errorf("queued packet ids = %v, want [7]", g)
	}
}

// BenchmarkHandle measures the forwarder's own per-packet work: parse,
// look up the link, decide loss and jitter, queue a copy and pop it.
func BenchmarkHandle(b *testing.B) {
	pairs := make(map[pairKey]Link)
	for i := range 16 {
		a := netip.AddrFrom4([4]byte{198, 18, 0, byte(i + 1)})
		pairs[keyOf(a, netip.MustParseAddr("198.19.0.1"))] = Link{Delay: time.Duration(i) * time.Millisecond}
	}
	d := testDirection(Link{Delay: 5 * time.Millisecond, Jitter: time.Millisecond, Loss: 0.01}, pairs, 1<<20)
	pkt := ipv4("198.18.0.3", "198.19.0.1", 1, 1400)
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	var now time.Duration
	var out [][]byte
	for b.Loop() {
		now += time.Microsecond
		d.handle(pkt, now)
		out, _ = d.popDue(now-5*time.Millisecond, out[:0])
	}
}
