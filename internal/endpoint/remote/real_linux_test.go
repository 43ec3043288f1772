package remote

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lagwatch/lagwatch/internal/netpath"
	"github.com/lagwatch/lagwatch/internal/tcpinfo"
)

// inodeOf returns the inode of the socket behind c.
func inodeOf(t *testing.T, c syscall.Conn) uint64 {
	t.Helper()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	var serr error
	if err := raw.Control(func(fd uintptr) { serr = unix.Fstat(int(fd), &st) }); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	return st.Ino
}

// loopbackPair returns both ends of a TCP connection over loopback on
// network ("tcp4" or "tcp6") after some echoed traffic, and the listener.
func loopbackPair(t *testing.T, network, addr string) (ln *net.TCPListener, client, server *net.TCPConn) {
	t.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("no %s loopback: %v", network, err)
	}
	t.Cleanup(func() { l.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	c, err := net.Dial(network, l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { s.Close() })
	buf := make([]byte, 4)
	for range 5 {
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Write(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // let delayed ACKs settle
	return l.(*net.TCPListener), c.(*net.TCPConn), s.(*net.TCPConn)
}

// TestParseTCPReal parses this machine's /proc/net/tcp and tcp6 and finds
// a listener and both ends of a connection with the addresses, ports,
// states and inodes the sockets really have: it checks the byte order.
func TestParseTCPReal(t *testing.T) {
	for _, tc := range []struct {
		network, addr, table string
		v6                   bool
	}{
		{"tcp4", "127.0.0.1:0", "/proc/net/tcp", false},
		{"tcp6", "[::1]:0", "/proc/net/tcp6", true},
	} {
		t.Run(tc.network, func(t *testing.T) {
			ln, c, s := loopbackPair(t, tc.network, tc.addr)
			data, err := os.ReadFile(tc.table)
			if err != nil {
				t.Skipf("no %s: %v", tc.table, err)
			}
			socks, err := parseTCP(data, tc.v6)
			if err != nil {
				t.Fatalf("parseTCP(%s) = %v", tc.table, err)
			}
			byInode := map[uint64]socket{}
			for _, s := range socks {
				byInode[s.inode] = s
			}
			for _, want := range []struct {
				name          string
				ino           uint64
				local, remote netip.AddrPort
				state         uint8
			}{
				{"listener", inodeOf(t, ln), ln.Addr().(*net.TCPAddr).AddrPort(), netip.AddrPortFrom(zeroAddr(tc.v6), 0), tcpListen},
				{"client", inodeOf(t, c), c.LocalAddr().(*net.TCPAddr).AddrPort(), c.RemoteAddr().(*net.TCPAddr).AddrPort(), tcpEstablished},
				{"server", inodeOf(t, s), s.LocalAddr().(*net.TCPAddr).AddrPort(), s.RemoteAddr().(*net.TCPAddr).AddrPort(), tcpEstablished},
			} {
				got, ok := byInode[want.ino]
				if !ok {
					t.Errorf("%s: inode %d not in %s", want.name, want.ino, tc.table)
					continue
				}
				if got.local != want.local || got.remote != want.remote || got.state != want.state {
					t.Errorf("%s: parsed %v -> %v state %#x, want %v -> %v state %#x",
						want.name, got.local, got.remote, got.state, want.local, want.remote, want.state)
				}
			}
		})
	}
}

func zeroAddr(v6 bool) netip.Addr {
	if v6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

// TestTCPInfoOffsets checks the tcp_info offsets parseDiagAttrs uses
// against golang.org/x/sys/unix's struct.
func TestTCPInfoOffsets(t *testing.T) {
	var ti unix.TCPInfo
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"rtt", tcpiRTTOff, unsafe.Offsetof(ti.Rtt)},
		{"rttvar", tcpiRTTVarOff, unsafe.Offsetof(ti.Rttvar)},
		{"min_rtt", tcpiMinRTTOff, unsafe.Offsetof(ti.Min_rtt)},
	} {
		if c.got != c.want {
			t.Errorf("offset of tcpi_%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

// TestSockDiagRTTs compares the RTTs sock_diag reports for both ends of
// loopback connections with getsockopt(TCP_INFO) on the same sockets.
func TestSockDiagRTTs(t *testing.T) {
	for _, tc := range []struct{ network, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}} {
		t.Run(tc.network, func(t *testing.T) {
			ln, c, s := loopbackPair(t, tc.network, tc.addr)
			ci, si := inodeOf(t, c), inodeOf(t, s)
			got, err := SockDiagRTTs(t.Context(), []uint64{ci, si, inodeOf(t, ln)})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := got[inodeOf(t, ln)]; ok {
				t.Errorf("SockDiagRTTs reported the listener, want established sockets only")
			}
			for _, end := range []struct {
				name string
				ino  uint64
				conn net.Conn
			}{{"client", ci, c}, {"server", si, s}} {
				info, err := tcpinfo.Read(end.conn)
				if err != nil {
					t.Fatal(err)
				}
				want := KernelRTT{RTT: info.RTT, MinRTT: info.MinRTT, RTTVar: info.RTTVar}
				if got[end.ino] != want || want.RTT <= 0 {
					t.Errorf("%s: SockDiagRTTs = %+v, TCP_INFO = %+v (want equal, RTT > 0)", end.name, got[end.ino], want)
				}
			}
		})
	}
}

// TestSockDiagUnprivileged runs sock_diag as the unprivileged user nobody
// and checks that it reads the RTT of root's socket: no privilege is
// needed (the package documentation says so).
func TestSockDiagUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start a process as another user")
	}
	_, c, _ := loopbackPair(t, "tcp4", "127.0.0.1:0")
	ino := inodeOf(t, c)
	cmd := exec.CommandContext(t.Context(), namedBinary(t, "sockdiag-helper"))
	cmd.Env = append(os.Environ(), helperEnv+"=sockdiag", inodesEnv+"="+strconv.FormatUint(ino, 10))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sock_diag as nobody: %v", err)
	}
	var got map[uint64]KernelRTT
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	info, err := tcpinfo.Read(c)
	if err != nil {
		t.Fatal(err)
	}
	if got[ino].RTT != info.RTT || info.RTT <= 0 {
		t.Errorf("RTT as nobody = %v, TCP_INFO as root = %v (want equal, > 0)", got[ino].RTT, info.RTT)
	}
}

// TestScanRealLoopback runs a real listener whose executable is named
// x11vnc, connects to it over loopback, and checks that Scan of the running
// system reports it with its listening socket and the session with a
// kernel RTT.
func TestScanRealLoopback(t *testing.T) {
	cmd := exec.Command(namedBinary(t, "x11vnc"))
	addr := startListener(t, cmd, "127.0.0.1:0")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	echo(t, c, 10)
	hush(t, c)

	tools, err := Scan(t.Context(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tools, func(tl Tool) bool { return tl.PID == cmd.Process.Pid })
	if i < 0 {
		t.Fatalf("Scan() did not report pid %d; got %+v", cmd.Process.Pid, tools)
	}
	got := tools[i]
	if got.Name != "x11vnc" || got.Catalog != CatalogLagwatch || got.Process != "x11vnc" || got.UID != os.Getuid() {
		t.Errorf("Scan() = %+v, want x11vnc from %s run as x11vnc by uid %d", got, CatalogLagwatch, os.Getuid())
	}
	if want := []netip.AddrPort{netip.MustParseAddrPort(addr)}; !slices.Equal(got.Listening, want) {
		t.Errorf("Listening = %v, want %v", got.Listening, want)
	}
	if len(got.Sessions) != 1 {
		t.Fatalf("Sessions = %+v, want one", got.Sessions)
	}
	s := got.Sessions[0]
	local, remote := c.RemoteAddr().(*net.TCPAddr).AddrPort(), c.LocalAddr().(*net.TCPAddr).AddrPort()
	if s.Local != local || s.Remote != remote {
		t.Errorf("session %v -> %v, want %v -> %v", s.Local, s.Remote, local, remote)
	}
	if s.RTT <= 0 || s.MinRTT <= 0 || s.RTT > 50*time.Millisecond {
		t.Errorf("session RTT %v, MinRTT %v; want in (0, 50ms] over loopback", s.RTT, s.MinRTT)
	}
}

// TestScanNetpath runs the x11vnc-named listener in network namespace A of
// a real 150 ms path (package netpath), connects from side B, and scans
// from a process inside namespace A, as the agent would run on that
// device: the session's kernel RTT and MinRTT must be 150 ms ± 10 %. A scan
// from this process, in another namespace, finds the process but not its
// sockets.
func TestScanNetpath(t *testing.T) {
	if err := netpath.Available(); err != nil {
		t.Skip(err)
	}
	if raceEnabled {
		t.Skip("the race detector slows the path's delay loop beyond the 10 % RTT tolerance")
	}
	const rtt = 150 * time.Millisecond
	ctx := t.Context()
	renice(t, -10)
	n, err := netpath.New(ctx, netpath.Config{Prefix: "lw-remote-test", Default: netpath.Link{Delay: rtt / 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() }) // after the listener's cleanup
	nsA, _ := n.Namespaces()
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("no ip command:", err)
	}

	// "ip netns exec" enters the namespace and execs the program: the
	// listener keeps ip's PID and takes comm from its own file name.
	cmd := exec.Command(ip, "netns", "exec", nsA, namedBinary(t, "x11vnc"))
	addr := startListener(t, cmd, netip.AddrPortFrom(n.AddrA(0), 0).String())
	// The first packets through a new path take longer; keep them out of
	// the measured session.
	warm, err := n.DialContext(ctx, n.AddrB(0), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	echo(t, warm, 1)
	warm.Close()
	c, err := n.DialContext(ctx, n.AddrB(0), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// The smoothed RTT gives every sample a weight of 1/8, so one late
	// wake-up of the path's delay loop (raised priority helps, but the
	// machine may be busy) shows for a dozen round trips: if the scan
	// catches one, talk on and scan again.
	var s Session
	echo(t, c, 20)
	for attempt := 1; ; attempt++ {
		hush(t, c)
		s = scanNetns(t, ip, nsA, cmd.Process.Pid, addr)
		if within(s.RTT, rtt) || attempt == 5 {
			break
		}
		ci, _ := tcpinfo.Read(c)
		t.Logf("attempt %d: RTT %v; talking on (client %v)", attempt, s.RTT, ci.RTT)
		echo(t, c, 10)
	}
	if want := c.LocalAddr().(*net.TCPAddr).AddrPort(); s.Remote != want {
		t.Errorf("session remote = %v, want %v", s.Remote, want)
	}
	for _, v := range []struct {
		name string
		d    time.Duration
	}{{"RTT", s.RTT}, {"MinRTT", s.MinRTT}} {
		if !within(v.d, rtt) {
			t.Errorf("session %s = %v, want %v ± 10%%", v.name, v.d, rtt)
		}
	}
	t.Logf("x11vnc session %v -> %v: RTT %v, MinRTT %v, RTTVar %v", s.Local, s.Remote, s.RTT, s.MinRTT, s.RTTVar)

	// From this process's namespace the tool is there, its sockets not.
	tools, err := Scan(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tools, func(tl Tool) bool { return tl.PID == cmd.Process.Pid })
	if i < 0 || len(tools[i].Listening) != 0 || len(tools[i].Sessions) != 0 {
		t.Errorf("scan from the root namespace = %+v, want pid %d without sockets", tools, cmd.Process.Pid)
	}
}

func within(d, want time.Duration) bool { return d >= want*9/10 && d <= want*11/10 }

// scanNetns runs Scan in a helper process inside namespace ns and returns
// the one session of the tool with the given pid, checking the tool.
func scanNetns(t *testing.T, ip, ns string, pid int, addr string) Session {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	scan := exec.CommandContext(t.Context(), ip, "netns", "exec", ns, self)
	scan.Env = append(os.Environ(), helperEnv+"=scan")
	scan.Stderr = os.Stderr
	out, err := scan.Output()
	if err != nil {
		t.Fatalf("scan in namespace %s: %v", ns, err)
	}
	var tools []Tool
	if err := json.Unmarshal(out, &tools); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	i := slices.IndexFunc(tools, func(tl Tool) bool { return tl.PID == pid })
	if i < 0 {
		t.Fatalf("scan in %s did not report pid %d; got %+v", ns, pid, tools)
	}
	got := tools[i]
	if want := []netip.AddrPort{netip.MustParseAddrPort(addr)}; got.Name != "x11vnc" || !slices.Equal(got.Listening, want) || len(got.Sessions) != 1 {
		t.Fatalf("scan in %s = %+v, want x11vnc listening on %v with one session", ns, got, want)
	}
	return got.Sessions[0]
}

func setQuickACK(fd int) { unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_QUICKACK, 1) }

// renice sets the nice value of every thread of this process; threads
// created later inherit it from their creator, and so do child processes.
// The path's delay loop runs in this process: on a busy machine a higher
// priority keeps its wake-ups, and so the RTT samples, on time.
func renice(t *testing.T, nice int) {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, nice); err != nil && !errors.Is(err, unix.ESRCH) {
			t.Fatalf("setpriority(%d, %d): %v", tid, nice, err)
		}
	}
}

// TestScanRealX11vnc runs the real x11vnc on an Xvfb display, opens an RFB
// session to it over loopback, and checks that Scan reports the real
// binary with its listening socket and the session with a kernel RTT.
func TestScanRealX11vnc(t *testing.T) {
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		t.Skip("Xvfb not installed")
	}
	x11vnc, err := exec.LookPath("x11vnc")
	if err != nil {
		t.Skip("x11vnc not installed")
	}
	display := startDaemon(t, exec.Command(xvfb, "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "640x480x24"), "")
	vnc := exec.Command(x11vnc, "-display", ":"+display, "-autoport", "25900", "-localhost", "-nopw", "-forever", "-shared", "-q", "-noshm")
	port := startDaemon(t, vnc, "PORT=")
	addr := "127.0.0.1:" + port
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	banner := make([]byte, 12)
	if _, err := io.ReadFull(c, banner); err != nil || !strings.HasPrefix(string(banner), "RFB ") {
		t.Fatalf("read RFB banner: %q, %v", banner, err)
	}
	if _, err := c.Write([]byte("RFB 003.008\n")); err != nil {
		t.Fatal(err)
	}
	secTypes := make([]byte, 2) // count, then the first type
	if _, err := io.ReadFull(c, secTypes); err != nil {
		t.Fatal(err)
	}

	tools, err := Scan(t.Context(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tools, func(tl Tool) bool { return tl.PID == vnc.Process.Pid })
	if i < 0 {
		t.Fatalf("Scan() did not report x11vnc (pid %d); got %+v", vnc.Process.Pid, tools)
	}
	got := tools[i]
	if got.Name != "x11vnc" || got.Process != "x11vnc" || !slices.Contains(got.Listening, netip.MustParseAddrPort(addr)) {
		t.Errorf("Scan() = %+v, want x11vnc listening on %s", got, addr)
	}
	local := c.LocalAddr().(*net.TCPAddr).AddrPort()
	j := slices.IndexFunc(got.Sessions, func(s Session) bool { return s.Remote == local })
	if j < 0 || got.Sessions[j].RTT <= 0 {
		t.Errorf("Sessions = %+v, want one from %v with RTT > 0", got.Sessions, local)
	}
}

// startDaemon starts cmd, reads standard output up to the first line with
// prefix, returns the rest of that line, and kills cmd when the test ends.
func startDaemon(t *testing.T, cmd *exec.Cmd, prefix string) string {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	done := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done // the reader sees EOF once the process is gone
		cmd.Wait()
	})
	go func() {
		defer close(done)
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				lines <- rest
				io.Copy(io.Discard, out)
				return
			}
		}
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatalf("%s exited without printing %q", cmd.Path, prefix)
		}
		return strings.TrimSpace(line)
	case <-time.After(20 * time.Second):
		t.Fatalf("%s printed no %q within 20 s", cmd.Path, prefix)
	}
	return ""
}
