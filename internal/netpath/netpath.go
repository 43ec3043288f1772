package netpath

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// ErrPrefixInUse is returned by [New] when another live [Net], in this
// process or another, already uses the same [Config.Prefix].
var ErrPrefixInUse = errors.New("netpath: prefix in use")

// ErrClosed is returned by the methods of a [Net] after [Net.Close].
var ErrClosed = errors.New("netpath: closed")

// MaxHosts is the largest number of host addresses on one side.
const MaxHosts = 254

const (
	defaultMTU        = 1500
	defaultQueueLimit = 8192
	maxPrefixLen      = 32
)

// The two sides' host networks, inside the benchmarking range 198.18.0.0/15
// (RFC 2544), which never appears on the internet.
var (
	netA = netip.MustParsePrefix("198.18.0.0/24")
	netB = netip.MustParsePrefix("198.19.0.0/24")
)

// Link describes one direction of a path between two hosts.
type Link struct {
	// Delay is the one-way delay added to every packet.
	Delay time.Duration
	// Jitter spreads the delay uniformly over [Delay-Jitter, Delay+Jitter],
	// clamped at zero.
	Jitter time.Duration
	// Reorder lets jitter deliver packets out of order. When false (the
	// default) a packet never overtakes an earlier one of the same pair,
	// so jitter only ever adds delay to the packets behind a slow one, as
	// on a single queue.
	Reorder bool
	// Loss is the probability in [0, 1] that a packet is dropped.
	Loss float64
}

func (l Link) validate() error {
	switch {
	case l.Delay < 0:
		return fmt.Errorf("netpath: link delay %v is negative", l.Delay)
	case l.Jitter < 0:
		return fmt.Errorf("netpath: link jitter %v is negative", l.Jitter)
	case !(l.Loss >= 0 && l.Loss <= 1): // also rejects NaN
		return fmt.Errorf("netpath: link loss %v is outside [0, 1]", l.Loss)
	}
	return nil
}

// Config configures a [Net]. The zero value of every field but Prefix has a
// usable default.
type Config struct {
	// Prefix names the network namespaces Prefix+"-a" and Prefix+"-b". It
	// must be 1 to 32 characters from [A-Za-z0-9_.-], not starting with
	// '-' or '.'. New deletes leftover namespaces of that name (from a
	// crashed run) and fails with ErrPrefixInUse while another Net holds it.
	Prefix string
	// HostsA and HostsB are the numbers of host addresses on each side,
	// 1 to MaxHosts; 0 means 1.
	HostsA, HostsB int
	// Default is the link for pairs without one set by SetLink, in both
	// directions.
	Default Link
	// MTU of both TUN devices; 0 means 1500.
	MTU int
	// QueueLimit is the most packets held in flight per direction; more
	// are dropped and counted as Overflow. 0 means 8192.
	QueueLimit int
	// Seed seeds the random loss and jitter decisions; 0 picks a random
	// seed. Equal seeds give equal decisions for equal packet sequences.
	Seed uint64
	// Logger receives setup, teardown and error messages; nil discards.
	Logger *slog.Logger
}

func (c *Config) setDefaults() error {
	if err := validPrefix(c.Prefix); err != nil {
		return err
	}
	for _, h := range []struct {
		name string
		n    *int
	}{{"HostsA", &c.HostsA}, {"HostsB", &c.HostsB}} {
		if *h.n == 0 {
			*h.n = 1
		}
		if *h.n < 1 || *h.n > MaxHosts {
			return fmt.Errorf("netpath: %s %d is outside [1, %d]", h.name, *h.n, MaxHosts)
		}
	}
	if err := c.Default.validate(); err != nil {
		return fmt.Errorf("netpath: default link: %w", err)
	}
	if c.MTU == 0 {
		c.MTU = defaultMTU
	}
	if c.MTU < 576 || c.MTU > 65535 {
		return fmt.Errorf("netpath: MTU %d is outside [576, 65535]", c.MTU)
	}
	if c.QueueLimit == 0 {
		c.QueueLimit = defaultQueueLimit
	}
	if c.QueueLimit < 1 {
		return fmt.Errorf("netpath: QueueLimit %d is not positive", c.QueueLimit)
	}
	if c.Seed == 0 {
		c.Seed = rand.Uint64()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

func validPrefix(p string) error {
	if p == "" || len(p) > maxPrefixLen || p[0] == '-' || p[0] == '.' {
		return fmt.Errorf("netpath: prefix %q must be 1 to %d characters, not starting with '-' or '.'", p, maxPrefixLen)
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("netpath: prefix %q has %q, want only [A-Za-z0-9_.-]", p, r)
		}
	}
	return nil
}

// DirStats counts the packets of one direction.
type DirStats struct {
	// Forwarded is the number of packets written to the other side, and
	// Bytes their total size including IP headers.
	Forwarded, Bytes uint64
	// Lost is the number of packets dropped by Link.Loss.
	Lost uint64
	// Overflow is the number of packets dropped because QueueLimit
	// packets were already in flight.
	Overflow uint64
	// Ignored is the number of packets that were not IPv4 or not addressed
	// to the other side's hosts network.
	Ignored uint64
	// WriteErrors is the number of packets the other TUN device rejected.
	WriteErrors uint64
	// Queued is the number of packets in flight now.
	Queued int
}

// Stats counts the packets of both directions.
type Stats struct {
	AB DirStats // from side A to side B
	BA DirStats // from side B to side A
}

// side indexes the two sides.
type side int

const (
	sideA side = iota
	sideB
)

// String returns "a" or "b".
func (s side) String() string { return [...]string{"a", "b"}[s] }

// Net is a pair of network namespaces joined by a delaying forwarder.
// Its methods are safe for concurrent use.
type Net struct {
	cfg   Config
	log   *slog.Logger
	names [2]string // namespace names, by side

	links  atomic.Pointer[linkTable]
	linkMu sync.Mutex // serializes writers of links

	dirs [2]*direction // A to B, B to A
	stop chan struct{} // closed by Close to stop the writers
	wg   sync.WaitGroup

	// mu guards closed and the namespace handles in sys while an
	// operation copies them; lock order: mu before linkMu (never both
	// today).
	mu     sync.Mutex
	closed bool
	sys    system

	closeOnce sync.Once
	closeErr  error
}

// New creates the two namespaces, their TUN devices, addresses and routes,
// and starts the forwarders. ctx bounds the setup only; the network runs
// until [Net.Close]. On error nothing is left behind.
func New(ctx context.Context, cfg Config) (*Net, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	n := &Net{
		cfg:   cfg,
		log:   cfg.Logger.With("prefix", cfg.Prefix),
		names: [2]string{cfg.Prefix + "-a", cfg.Prefix + "-b"},
		stop:  make(chan struct{}),
	}
	n.links.Store(&linkTable{def: cfg.Default})
	if err := n.sys.setup(ctx, n); err != nil {
		return nil, err
	}
	n.dirs[0] = newDirection("a->b", netB, &n.links, cfg.QueueLimit, cfg.Seed, 1, n.log)
	n.dirs[1] = newDirection("b->a", netA, &n.links, cfg.QueueLimit, cfg.Seed, 2, n.log)
	for i, d := range n.dirs {
		in, out := n.sys.tun(side(i)), n.sys.tun(1-side(i))
		n.wg.Add(2)
		go func() { defer n.wg.Done(); d.readLoop(in) }()
		go func() { defer n.wg.Done(); d.writeLoop(out, n.stop) }()
	}
	n.log.Info("netpath up", "namespace_a", n.names[0], "namespace_b", n.names[1],
		"hosts_a", cfg.HostsA, "hosts_b", cfg.HostsB, "default_delay", cfg.Default.Delay, "seed", cfg.Seed)
	return n, nil
}

// Namespaces returns the names of the two network namespaces, for use with
// "ip netns exec" while debugging.
func (n *Net) Namespaces() (a, b string) { return n.names[0], n.names[1] }

// AddrA returns the address of host i on side A, 198.18.0.(i+1).
// It panics if i is not in [0, HostsA).
func (n *Net) AddrA(i int) netip.Addr { return hostAddr(netA, i, n.cfg.HostsA) }

// AddrB returns the address of host i on side B, 198.19.0.(i+1).
// It panics if i is not in [0, HostsB).
func (n *Net) AddrB(i int) netip.Addr { return hostAddr(netB, i, n.cfg.HostsB) }

func hostAddr(p netip.Prefix, i, hosts int) netip.Addr {
	if i < 0 || i >= hosts {
		panic(fmt.Sprintf("netpath: host index %d out of range [0, %d) in %v", i, hosts, p))
	}
	a := p.Addr().As4()
	a[3] = byte(i + 1)
	return netip.AddrFrom4(a)
}

// sideOf returns the side that owns host address a.
func (n *Net) sideOf(a netip.Addr) (side, error) {
	a = a.Unmap()
	if a.Is4() {
		last := int(a.As4()[3])
		switch {
		case netA.Contains(a) && last >= 1 && last <= n.cfg.HostsA:
			return sideA, nil
		case netB.Contains(a) && last >= 1 && last <= n.cfg.HostsB:
			return sideB, nil
		}
	}
	return 0, fmt.Errorf("netpath: %v is not a host of %s (side A %v.1-%d, side B %v.1-%d)",
		a, n.cfg.Prefix, netA.Addr(), n.cfg.HostsA, netB.Addr(), n.cfg.HostsB)
}

// SetLink sets the link for packets from src to dst, which must be hosts on
// opposite sides. It takes effect for the next packet read; packets already
// in flight keep their delivery time.
func (n *Net) SetLink(src, dst netip.Addr, l Link) error {
	if err := l.validate(); err != nil {
		return fmt.Errorf("netpath: set link %v->%v: %w", src, dst, err)
	}
	s, err := n.sideOf(src)
	if err != nil {
		return fmt.Errorf("netpath: set link %v->%v: %w", src, dst, err)
	}
	d, err := n.sideOf(dst)
	if err != nil {
		return fmt.Errorf("netpath: set link %v->%v: %w", src, dst, err)
	}
	if s == d {
		return fmt.Errorf("netpath: set link %v->%v: both on side %v; traffic within a side does not pass the forwarder", src, dst, s)
	}
	n.linkMu.Lock()
	defer n.linkMu.Unlock()
	old := n.links.Load()
	t := &linkTable{def: old.def, pairs: make(map[pairKey]Link, len(old.pairs)+1)}
	for k, v := range old.pairs {
		t.pairs[k] = v
	}
	t.pairs[keyOf(src.Unmap(), dst.Unmap())] = l
	n.links.Store(t)
	n.log.Debug("link set", "src", src, "dst", dst, "delay", l.Delay, "jitter", l.Jitter, "loss", l.Loss, "reorder", l.Reorder)
	return nil
}

// SetPath sets the same link in both directions between x and y.
func (n *Net) SetPath(x, y netip.Addr, l Link) error {
	return errors.Join(n.SetLink(x, y, l), n.SetLink(y, x, l))
}

// Stats returns the packet counters of both directions.
func (n *Net) Stats() Stats {
	return Stats{AB: n.dirs[0].stats(), BA: n.dirs[1].stats()}
}

// Listen announces a stream listener on addr, a host address of either
// side, inside that side's namespace. network is "tcp" or "tcp4"; port 0
// picks a free port. The listener outlives ctx, which bounds only its
// creation.
func (n *Net) Listen(ctx context.Context, network string, addr netip.AddrPort) (net.Listener, error) {
	if network != "tcp" && network != "tcp4" {
		return nil, fmt.Errorf("netpath: listen %s %v: network must be tcp or tcp4", network, addr)
	}
	s, err := n.sideOf(addr.Addr())
	if err != nil {
		return nil, fmt.Errorf("netpath: listen %s %v: %w", network, addr, err)
	}
	var ln net.Listener
	err = n.inNamespace(s, func() error {
		var err error
		ln, err = (&net.ListenConfig{}).Listen(ctx, network, addr.String())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netpath: listen %s %v: %w", network, addr, err)
	}
	return ln, nil
}

// ListenPacket is [Net.Listen] for datagrams: network is "udp" or "udp4".
func (n *Net) ListenPacket(ctx context.Context, network string, addr netip.AddrPort) (net.PacketConn, error) {
	if network != "udp" && network != "udp4" {
		return nil, fmt.Errorf("netpath: listen %s %v: network must be udp or udp4", network, addr)
	}
	s, err := n.sideOf(addr.Addr())
	if err != nil {
		return nil, fmt.Errorf("netpath: listen %s %v: %w", network, addr, err)
	}
	var pc net.PacketConn
	err = n.inNamespace(s, func() error {
		var err error
		pc, err = (&net.ListenConfig{}).ListenPacket(ctx, network, addr.String())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netpath: listen %s %v: %w", network, addr, err)
	}
	return pc, nil
}

// DialContext connects from host address from to address, an IPv4
// literal with port such as "198.19.0.1:8080", through the forwarder.
// The socket lives in the namespace of from and is bound to it. network is
// "tcp", "tcp4", "udp" or "udp4". Host names are rejected so no lookup
// ever leaves the namespaces.
func (n *Net) DialContext(ctx context.Context, from netip.Addr, network, address string) (net.Conn, error) {
	s, err := n.sideOf(from)
	if err != nil {
		return nil, fmt.Errorf("netpath: dial %s %s from %v: %w", network, address, from, err)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return nil, fmt.Errorf("netpath: dial %s %s from %v: address must be an IPv4 literal with port: %w", network, address, from, err)
	}
	d := net.Dialer{}
	switch network {
	case "tcp", "tcp4":
		d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(from, 0))
	case "udp", "udp4":
		d.LocalAddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(from, 0))
	default:
		return nil, fmt.Errorf("netpath: dial %s %s from %v: network must be tcp, tcp4, udp or udp4", network, address, from)
	}
	var c net.Conn
	err = n.inNamespace(s, func() error {
		var err error
		c, err = d.DialContext(ctx, network, ap.String())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netpath: dial %s %s from %v: %w", network, address, from, err)
	}
	return c, nil
}

// Dialer returns a dial function bound to host address from, with the
// signature of http.Transport.DialContext. URLs must use IP literals.
func (n *Net) Dialer(from netip.Addr) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		return n.DialContext(ctx, from, network, address)
	}
}

// inNamespace runs fn on a thread inside side s's namespace.
func (n *Net) inNamespace(s side, fn func() error) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return ErrClosed
	}
	ns, err := n.sys.handle(s) // a copy, so Close need not wait for fn
	n.mu.Unlock()
	if err != nil {
		return err
	}
	defer ns.Close()
	return runIn(ns, fn)
}

// Close stops the forwarders, waits for their goroutines and deletes both
// namespaces. Connections still open keep their namespace alive, unnamed
// and unreachable, until they are closed. Close is idempotent: later calls
// return the first call's result.
func (n *Net) Close() error {
	n.closeOnce.Do(func() {
		n.mu.Lock()
		n.closed = true
		n.mu.Unlock()
		close(n.stop)
		n.closeErr = n.sys.closeTUNs() // unblocks the readers
		n.wg.Wait()
		st := n.Stats()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		n.closeErr = errors.Join(n.closeErr, n.sys.teardown(ctx, n))
		n.log.Info("netpath down", "forwarded_ab", st.AB.Forwarded, "forwarded_ba", st.BA.Forwarded,
			"lost_ab", st.AB.Lost, "lost_ba", st.BA.Lost, "overflow", st.AB.Overflow+st.BA.Overflow)
	})
	return n.closeErr
}
