package netpath_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/netpath"
	"github.com/lagwatch/lagwatch/internal/tcpinfo"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := checkNoForwarders(5 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// checkNoForwarders waits up to d for every goroutine of the package to end.
func checkNoForwarders(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var leaked []string
		for g := range strings.SplitSeq(stacks, "\n\n") {
			if strings.Contains(g, "internal/netpath.(*direction)") || strings.Contains(g, "internal/netpath.runIn") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("leaked %d netpath goroutines:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// listNamespaces returns the names "ip netns list" shows.
func listNamespaces(t testing.TB) []string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatalf("ip netns list: %v", err)
	}
	var names []string
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}

// newNet starts a Net for the test and closes it at cleanup, checking that
// the namespaces are gone. It skips when the machine cannot run one, and
// waits while another test process holds the same prefix.
func newNet(t testing.TB, cfg netpath.Config) *netpath.Net {
	t.Helper()
	if err := netpath.Available(); err != nil {
		t.Skip(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	var n *netpath.Net
	for {
		var err error
		n, err = netpath.New(t.Context(), cfg)
		if err == nil {
			break
		}
		if !errors.Is(err, netpath.ErrPrefixInUse) || time.Now().After(deadline) {
			t.Fatalf("New(prefix %s): %v", cfg.Prefix, err)
		}
		time.Sleep(250 * time.Millisecond) // another go test process runs this test
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		a, b := n.Namespaces()
		if names := listNamespaces(t); slices.Contains(names, a) || slices.Contains(names, b) {
			t.Errorf("after Close, ip netns list = %v, want neither %s nor %s", names, a, b)
		}
	})
	return n
}

// connect dials from host from to a fresh listener on host to and returns
// both ends of the TCP connection.
func connect(t testing.TB, n *netpath.Net, from, to netip.Addr) (client, server net.Conn) {
	t.Helper()
	ctx := t.Context()
	ln, err := n.Listen(ctx, "tcp", netip.AddrPortFrom(to, 0))
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	accepted := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		accepted <- result{c, err}
	}()
	client, err = n.DialContext(ctx, from, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("DialContext: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	r := <-accepted
	if r.err != nil {
		t.Fatalf("Accept: %v", r.err)
	}
	t.Cleanup(func() { r.c.Close() })
	if got := client.LocalAddr().(*net.TCPAddr).AddrPort().Addr(); got != from {
		t.Errorf("client local address = %v, want %v", got, from)
	}
	if got := r.c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr(); got != from {
		t.Errorf("server sees peer %v, want %v", got, from)
	}
	return client, r.c
}

// pingPong makes rounds request/response exchanges of size bytes and
// returns the smallest round trip the client measured.
func pingPong(t testing.TB, client, server net.Conn, rounds, size int) time.Duration {
	t.Helper()
	deadline := time.Now().Add(time.Duration(rounds)*time.Second + 10*time.Second)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, size)
		for range rounds {
			if _, err := io.ReadFull(server, buf); err != nil {
				done <- err
				return
			}
			if _, err := server.Write(buf); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	msg := make([]byte, size)
	r := bufio.NewReader(client)
	best := time.Duration(1<<63 - 1)
	for i := range rounds {
		start := time.Now()
		if _, err := client.Write(msg); err != nil {
			t.Fatalf("round %d: write: %v", i, err)
		}
		if _, err := io.ReadFull(r, msg); err != nil {
			t.Fatalf("round %d: read: %v", i, err)
		}
		best = min(best, time.Since(start))
	}
	if err := <-done; err != nil {
		t.Fatalf("echo server: %v", err)
	}
	return best
}

// within reports whether got is within frac of want.
func within(got, want time.Duration, frac float64) bool {
	d := float64(got - want)
	return d <= frac*float64(want) && -d <= frac*float64(want)
}

// measureRTT exchanges 20-round ping-pongs over client and server until
// the application round trip and both kernels' minimum RTT are within 10 %
// of want, at most three times, and fails the test otherwise. Nothing may
// be faster than the path's delay: that fails at once. A loaded machine
// only adds delay (the forwarder and both ends wait for a CPU), and more
// rounds give the minimum more chances to see the path alone.
func measureRTT(t testing.TB, client, server net.Conn, want time.Duration) {
	t.Helper()
	const attempts = 3
	var problems []string
	for attempt := 1; attempt <= attempts; attempt++ {
		problems = problems[:0]
		app := pingPong(t, client, server, 20, 64)
		t.Logf("attempt %d: application round trip (best of 20) = %v", attempt, app)
		if app < want*9/10 {
			t.Fatalf("application round trip = %v, faster than the path's %v - 10%%", app, want)
		}
		if !within(app, want, 0.10) {
			problems = append(problems, fmt.Sprintf("application round trip = %v, want %v ± 10%%", app, want))
		}
		for _, end := range []struct {
			who string
			c   net.Conn
		}{{"server", server}, {"client", client}} {
			info, err := tcpinfo.Read(end.c)
			if err != nil {
				t.Fatalf("tcpinfo.Read(%s): %v", end.who, err)
			}
			t.Logf("attempt %d: %s: rtt=%v rttvar=%v min_rtt=%v retrans=%d", attempt, end.who, info.RTT, info.RTTVar, info.MinRTT, info.TotalRetrans)
			if info.MinRTT < want*9/10 || info.RTT < want*9/10 {
				t.Fatalf("%s: tcpinfo RTT %v, MinRTT %v: faster than the path's %v - 10%%", end.who, info.RTT, info.MinRTT, want)
			}
			// The smoothed RTT also holds the hosts' scheduling delays;
			// the minimum is what the path alone gives.
			if info.RTT > 3*want {
				problems = append(problems, fmt.Sprintf("%s: tcpinfo RTT = %v, want at most 3 × %v", end.who, info.RTT, want))
			}
			if !within(info.MinRTT, want, 0.10) {
				problems = append(problems, fmt.Sprintf("%s: tcpinfo MinRTT = %v, want %v ± 10%%", end.who, info.MinRTT, want))
			}
		}
		if len(problems) == 0 {
			return
		}
	}
	for _, p := range problems {
		t.Errorf("after %d attempts: %s", attempts, p)
	}
}

func TestKernelRTT(t *testing.T) {
	t.Parallel()
	n := newNet(t, netpath.Config{Prefix: "lwtest-rtt", Default: netpath.Link{Delay: 60 * time.Millisecond}})
	client, server := connect(t, n, n.AddrA(0), n.AddrB(0))
	measureRTT(t, client, server, 120*time.Millisecond)
	st := n.Stats()
	t.Logf("stats: %+v", st)
	if st.AB.Forwarded < 20 || st.BA.Forwarded < 20 {
		t.Errorf("Stats forwarded a->b %d, b->a %d, want >= 20 each", st.AB.Forwarded, st.BA.Forwarded)
	}
	if st.AB.Ignored+st.BA.Ignored != 0 {
		t.Errorf("Stats ignored = %d + %d, want 0 (no IPv6 or stray traffic)", st.AB.Ignored, st.BA.Ignored)
	}
}

func TestPerPairLinks(t *testing.T) {
	t.Parallel()
	n := newNet(t, netpath.Config{
		Prefix: "lwtest-pairs", HostsA: 2, HostsB: 2,
		Default: netpath.Link{Delay: 30 * time.Millisecond},
	})
	a0, a1, b0, b1 := n.AddrA(0), n.AddrA(1), n.AddrB(0), n.AddrB(1)
	ms := time.Millisecond
	for _, err := range []error{
		n.SetPath(a0, b0, netpath.Link{Delay: 20 * ms}),
		n.SetPath(a0, b1, netpath.Link{Delay: 50 * ms}),
		n.SetLink(a1, b1, netpath.Link{Delay: 10 * ms}),
		n.SetLink(b1, a1, netpath.Link{Delay: 40 * ms}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		from, to netip.Addr
		want     time.Duration
	}{
		{a0, b0, 40 * ms},
		{a0, b1, 100 * ms},
		{a1, b0, 60 * ms}, // default link
		{a1, b1, 50 * ms}, // asymmetric
		{b1, a0, 100 * ms},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v-%v", tt.from, tt.to), func(t *testing.T) {
			t.Parallel()
			client, server := connect(t, n, tt.from, tt.to)
			measureRTT(t, client, server, tt.want)
		})
	}
}

func TestLossRetransmits(t *testing.T) {
	t.Parallel()
	n := newNet(t, netpath.Config{
		Prefix:  "lwtest-loss",
		Default: netpath.Link{Delay: 5 * time.Millisecond, Loss: 0.05},
		Seed:    1,
	})
	client, server := connect(t, n, n.AddrA(0), n.AddrB(0))
	const size = 512 << 10
	deadline := time.Now().Add(60 * time.Second)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	got := make(chan error, 1)
	go func() {
		m, err := io.Copy(io.Discard, server)
		if err == nil && m != size {
			err = fmt.Errorf("server read %d bytes, want %d", m, size)
		}
		if err == nil {
			_, err = server.Write([]byte("ok"))
		}
		got <- err
	}()
	if _, err := client.Write(make([]byte, size)); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := client.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatalf("CloseWrite: %v", err)
	}
	if _, err := io.ReadFull(client, make([]byte, 2)); err != nil {
		t.Fatalf("read reply: %v", err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	info, err := tcpinfo.Read(client)
	if err != nil {
		t.Fatalf("tcpinfo.Read: %v", err)
	}
	st := n.Stats()
	t.Logf("sender: total_retrans=%d bytes_retrans=%d rtt=%v; stats %+v", info.TotalRetrans, info.BytesRetrans, info.RTT, st)
	if info.TotalRetrans == 0 {
		t.Errorf("sender TotalRetrans = 0, want > 0 with 5%% loss")
	}
	for _, d := range []struct {
		name string
		s    netpath.DirStats
	}{{"a->b", st.AB}, {"b->a", st.BA}} {
		total := d.s.Forwarded + d.s.Lost
		if rate := float64(d.s.Lost) / float64(total); total < 100 || rate < 0.02 || rate > 0.10 {
			t.Errorf("%s: lost %d of %d packets (%.3f), want about 5%%", d.name, d.s.Lost, total, rate)
		}
	}
}

// TestJitterOrder sends numbered datagrams over a jittery link, once in
// FIFO mode and once with reordering allowed, and counts inversions.
func TestJitterOrder(t *testing.T) {
	t.Parallel()
	n := newNet(t, netpath.Config{Prefix: "lwtest-jitter", HostsB: 2})
	a0, fifo, reorder := n.AddrA(0), n.AddrB(0), n.AddrB(1)
	jittery := netpath.Link{Delay: 10 * time.Millisecond, Jitter: 8 * time.Millisecond}
	if err := n.SetLink(a0, fifo, jittery); err != nil {
		t.Fatal(err)
	}
	jittery.Reorder = true
	if err := n.SetLink(a0, reorder, jittery); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		to             netip.Addr
		wantInversions bool
	}{{fifo, false}, {reorder, true}} {
		ctx := t.Context()
		pc, err := n.ListenPacket(ctx, "udp", netip.AddrPortFrom(tt.to, 0))
		if err != nil {
			t.Fatalf("ListenPacket: %v", err)
		}
		defer pc.Close()
		c, err := n.DialContext(ctx, a0, "udp", pc.LocalAddr().String())
		if err != nil {
			t.Fatalf("DialContext: %v", err)
		}
		defer c.Close()
		const count = 200
		for i := range count {
			if _, err := c.Write(binary.BigEndian.AppendUint32(nil, uint32(i))); err != nil {
				t.Fatalf("write %d: %v", i, err)
			}
		}
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		var seqs []uint32
		buf := make([]byte, 16)
		for len(seqs) < count {
			m, _, err := pc.ReadFrom(buf)
			if err != nil {
				t.Fatalf("to %v: read after %d datagrams: %v", tt.to, len(seqs), err)
			}
			seqs = append(seqs, binary.BigEndian.Uint32(buf[:m]))
		}
		inversions := 0
		for i := 1; i < len(seqs); i++ {
			if seqs[i] < seqs[i-1] {
				inversions++
			}
		}
		t.Logf("to %v (reorder %v): %d inversions in %d datagrams", tt.to, tt.wantInversions, inversions, count)
		if (inversions > 0) != tt.wantInversions {
			t.Errorf("to %v: %d inversions, want some: %v", tt.to, inversions, tt.wantInversions)
		}
	}
}

func TestHTTPThroughDialer(t *testing.T) {
	t.Parallel()
	n := newNet(t, netpath.Config{Prefix: "lwtest-http", Default: netpath.Link{Delay: 10 * time.Millisecond}})
	ln, err := n.Listen(t.Context(), "tcp", netip.AddrPortFrom(n.AddrB(0), 0))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.RemoteAddr)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	tr := &http.Transport{DialContext: n.Dialer(n.AddrA(0))}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	start := time.Now()
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET %s: %v", srv.URL, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if host, _, _ := net.SplitHostPort(string(body)); host != n.AddrA(0).String() {
		t.Errorf("server saw client %q, want %v", body, n.AddrA(0))
	}
	// Handshake plus request: at least two round trips of 20 ms.
	if elapsed < 40*time.Millisecond {
		t.Errorf("GET took %v, want >= 40ms", elapsed)
	}
	if _, err := client.Get("http://example.com/"); err == nil {
		t.Error("GET by host name succeeded, want an error (only IP literals)")
	}
}

func TestCloseAndStale(t *testing.T) {
	if err := netpath.Available(); err != nil {
		t.Skip(err)
	}
	// Unique per process: the test makes a namespace by hand, which must
	// not meet a concurrent run's live Net.
	prefix := fmt.Sprintf("lwtest-close%d", os.Getpid())
	// A leftover from a crashed run.
	if out, err := exec.Command("ip", "netns", "add", prefix+"-a").CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	n, err := netpath.New(t.Context(), netpath.Config{Prefix: prefix})
	if err != nil {
		exec.Command("ip", "netns", "delete", prefix+"-a").Run()
		t.Fatalf("New over a stale namespace: %v", err)
	}
	if _, err := netpath.New(t.Context(), netpath.Config{Prefix: prefix}); !errors.Is(err, netpath.ErrPrefixInUse) {
		t.Errorf("second New(prefix %s) = %v, want ErrPrefixInUse", prefix, err)
	}
	// The failed New must not have touched the live namespaces.
	c, s := connect(t, n, n.AddrA(0), n.AddrB(0))
	pingPong(t, c, s, 2, 8)

	if err := n.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := n.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if names := listNamespaces(t); slices.Contains(names, prefix+"-a") || slices.Contains(names, prefix+"-b") {
		t.Errorf("after Close, ip netns list = %v", names)
	}
	if _, err := n.Listen(context.Background(), "tcp", netip.AddrPortFrom(n.AddrA(0), 0)); !errors.Is(err, netpath.ErrClosed) {
		t.Errorf("Listen after Close = %v, want ErrClosed", err)
	}
	// Not parallel, so no other test's forwarders run now.
	if err := checkNoForwarders(5 * time.Second); err != nil {
		t.Error(err)
	}
}

func TestConfigErrors(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		cfg  netpath.Config
		want string
	}{
		{"empty prefix", netpath.Config{}, "prefix"},
		{"slash in prefix", netpath.Config{Prefix: "a/b"}, "prefix"},
		{"leading dash", netpath.Config{Prefix: "-x"}, "prefix"},
		{"long prefix", netpath.Config{Prefix: strings.Repeat("x", 33)}, "prefix"},
		{"too many hosts", netpath.Config{Prefix: "x", HostsA: 255}, "HostsA"},
		{"negative hosts", netpath.Config{Prefix: "x", HostsB: -1}, "HostsB"},
		{"negative delay", netpath.Config{Prefix: "x", Default: netpath.Link{Delay: -ms}}, "delay"},
		{"negative jitter", netpath.Config{Prefix: "x", Default: netpath.Link{Jitter: -ms}}, "jitter"},
		{"loss above one", netpath.Config{Prefix: "x", Default: netpath.Link{Loss: 1.5}}, "loss"},
		{"small MTU", netpath.Config{Prefix: "x", MTU: 100}, "MTU"},
		{"negative queue", netpath.Config{Prefix: "x", QueueLimit: -1}, "QueueLimit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := netpath.New(t.Context(), tt.cfg)
			if err == nil {
				n.Close()
				t.Fatalf("New(%+v) = nil error, want one mentioning %q", tt.cfg, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%+v) = %v, want an error mentioning %q", tt.cfg, err, tt.want)
			}
		})
	}
}

func TestSetLinkErrors(t *testing.T) {
	t.Parallel()
	n := newNet(t, netpath.Config{Prefix: "lwtest-setlink", HostsA: 2})
	a0, a1, b0 := n.AddrA(0), n.AddrA(1), n.AddrB(0)
	tests := []struct {
		name     string
		src, dst netip.Addr
		l        netpath.Link
	}{
		{"same side", a0, a1, netpath.Link{}},
		{"unknown host", a0, netip.MustParseAddr("198.19.0.2"), netpath.Link{}},
		{"outside range", netip.MustParseAddr("10.0.0.1"), b0, netpath.Link{}},
		{"bad loss", a0, b0, netpath.Link{Loss: -0.1}},
	}
	for _, tt := range tests {
		if err := n.SetLink(tt.src, tt.dst, tt.l); err == nil {
			t.Errorf("%s: SetLink(%v, %v, %+v) = nil, want an error", tt.name, tt.src, tt.dst, tt.l)
		}
	}
	if _, err := n.DialContext(t.Context(), a0, "tcp", "localhost:80"); err == nil {
		t.Error("DialContext to a host name = nil error, want one")
	}
}

// BenchmarkUDPRoundTrip measures a datagram echo across a zero-delay link:
// two forwarder passes plus the kernels' UDP and TUN paths.
func BenchmarkUDPRoundTrip(b *testing.B) {
	n := newNet(b, netpath.Config{Prefix: "lwbench-udp"})
	ctx := b.Context()
	pc, err := n.ListenPacket(ctx, "udp", netip.AddrPortFrom(n.AddrB(0), 0))
	if err != nil {
		b.Fatal(err)
	}
	echoDone := make(chan struct{})
	defer func() { pc.Close(); <-echoDone }()
	go func() {
		defer close(echoDone)
		buf := make([]byte, 2048)
		for {
			m, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:m], addr)
		}
	}()
	c, err := n.DialContext(ctx, n.AddrA(0), "udp", pc.LocalAddr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := make([]byte, 64)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Read(msg); err != nil {
			b.Fatal(err)
		}
	}
}
