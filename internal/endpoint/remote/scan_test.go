package remote

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixtureProc is one process of a fixture /proc tree.
type fixtureProc struct {
	pid     int
	ppid    int
	uid     int
	comm    string
	exe     string   // link target; "" for none (unreadable)
	cmdline []string // argv
	fds     []string // link targets of fd/0, fd/1...
	noFdDir bool     // fd/ unreadable (another user's process)
}

// writeFixture builds root/proc with the processes and the TCP tables.
func writeFixture(t *testing.T, root string, procs []fixtureProc, tcp, tcp6 string) {
	t.Helper()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	proc := filepath.Join(root, "proc")
	for _, p := range procs {
		dir := filepath.Join(proc, strconv.Itoa(p.pid))
		write(filepath.Join(dir, "status"), "Name:\t"+p.comm+"\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t"+strconv.Itoa(p.pid)+
			"\nPid:\t"+strconv.Itoa(p.pid)+"\nPPid:\t"+strconv.Itoa(p.ppid)+"\nUid:\t"+strings.Repeat(strconv.Itoa(p.uid)+"\t", 4)+"\n")
		write(filepath.Join(dir, "comm"), p.comm+"\n")
		var cmd string
		for _, a := range p.cmdline {
			cmd += a + "\x00"
		}
		write(filepath.Join(dir, "cmdline"), cmd)
		if p.exe != "" {
			link(p.exe, filepath.Join(dir, "exe"))
		}
		if p.noFdDir {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, "fd"), 0o755); err != nil {
			t.Fatal(err)
		}
		for i, fd := range p.fds {
			link(fd, filepath.Join(dir, "fd", strconv.Itoa(i)))
		}
	}
	write(filepath.Join(proc, "net", "tcp"), tcp)
	write(filepath.Join(proc, "net", "tcp6"), tcp6)
	link(strconv.Itoa(procs[0].pid), filepath.Join(proc, "self"))
	write(filepath.Join(proc, "uptime"), "1.0 1.0\n")
	// A process that exited between listing and reading: no files.
	if err := os.MkdirAll(filepath.Join(proc, "4242"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// Fixture TCP tables, in the kernel's format (x86, little-endian words).
// tcp: 1001 0.0.0.0:5900 LISTEN; 1002 192.168.1.5:5900 <- 203.0.113.7:51234
// ESTABLISHED; 3001 0.0.0.0:22 LISTEN; 3002 192.168.1.5:22 <- 198.51.100.9:40000
// ESTABLISHED; 3003 TIME_WAIT.
const fixtureTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1001 1 0000000000000000 100 0 0 10 0
   1: 0501A8C0:170C 077100CB:C822 01 00000000:00000000 02:0000012C 00000000  1000        0 1002 2 0000000000000000 20 4 30 10 -1
   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3001 1 0000000000000000 100 0 0 10 0
   3: 0501A8C0:0016 096433C6:9C40 01 00000000:00000000 02:0000012C 00000000     0        0 3002 2 0000000000000000 20 4 30 10 -1
   4: 0501A8C0:0016 096433C6:9C41 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
`

// tcp6: 2001 [2001:db8::5]:49152 -> [2001:db8::1]:443 ESTABLISHED (tmate);
// 2002 [::]:3389 LISTEN (the Wine tool); 2003 [::ffff:192.168.1.5]:3389 <-
// [::ffff:203.0.113.8]:50000 ESTABLISHED.
const fixtureTCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: B80D0120000000000000000005000000:C000 B80D0120000000000000000001000000:01BB 01 00000000:00000000 02:0000012C 00000000  1000        0 2001 2 0000000000000000 20 4 30 10 -1
   1: 00000000000000000000000000000000:0D3D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000501A8C0:0D3D 0000000000000000FFFF0000087100CB:C350 01 00000000:00000000 02:0000012C 00000000     0        0 2003 2 0000000000000000 20 4 30 10 -1
`

var fixtureProcs = []fixtureProc{
	{pid: 1, comm: "systemd", exe: "/usr/lib/systemd/systemd", cmdline: []string{"/sbin/init"}},
	{pid: 2, comm: "kthreadd"},
	{pid: 3, ppid: 2, comm: "x11vnc"}, // kernel thread with a tool's name
	{pid: 100, ppid: 1, uid: 1000, comm: "x11vnc", exe: "/usr/bin/x11vnc", cmdline: []string{"x11vnc", "-display", ":0"},
		fds: []string{"/dev/null", "socket:[1001]", "socket:[1002]", "socket:[99999]", "pipe:[5]", "socket:[4]"}},
	{pid: 200, ppid: 1, uid: 1000, comm: "tmate", exe: "/usr/bin/tmate", cmdline: []string{"tmate"},
		fds: []string{"socket:[2001]"}},
	// A Windows tool under Wine: the catalogue knows only AteraAgent.exe.
	{pid: 300, ppid: 1, comm: "AteraAgent.exe", exe: "/usr/lib/wine/wine64-preloader",
		cmdline: []string{`C:\Program Files\ATERA Networks\AteraAgent\AteraAgent.exe`}, fds: []string{"socket:[2002]", "socket:[2003]"}},
	// Chrome Remote Desktop's Python script, another user's: no exe link,
	// no fds; comm is cut to 15 bytes.
	{pid: 400, ppid: 1, uid: 1001, comm: "chrome-remote-d", cmdline: []string{"/usr/bin/python3", "/opt/google/chrome-remote-desktop/chrome-remote-desktop"},
		noFdDir: true},
	{pid: 500, ppid: 1, uid: 1000, comm: "bash", exe: "/usr/bin/bash", cmdline: []string{"-bash"}},
	{pid: 600, ppid: 1, comm: "sshd", exe: "/usr/sbin/sshd", cmdline: []string{"sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"},
		fds: []string{"socket:[3001]"}},
	{pid: 601, ppid: 600, comm: "sshd", exe: "/usr/sbin/sshd", cmdline: []string{"sshd: alice [priv]"}, fds: []string{"socket:[3002]"}},
	{pid: 700, ppid: 1, uid: 1000, comm: "python3", exe: "/usr/bin/python3.12", cmdline: []string{"python3", "-m", "http.server"}},
	{pid: 800, ppid: 100, uid: 1000, comm: "x11vnc"}, // zombie: no exe, empty cmdline
}

// TestScanFixture scans a fixture /proc tree: x11vnc (built-in list) with a
// listening and an established socket, tmate (LOLRMM, a Linux binary) over
// IPv6, a Windows-only LOLRMM tool under Wine, and Chrome Remote Desktop
// found by its cut comm without access to its sockets; bash, sshd, python3,
// kernel threads, zombies and a vanished process do not match.
func TestScanFixture(t *testing.T) {
	root := t.TempDir()
	writeFixture(t, root, fixtureProcs, fixtureTCP, fixtureTCP6)
	var asked []uint64
	rtts := map[uint64]KernelRTT{
		1002: {RTT: 142 * time.Millisecond, MinRTT: 139 * time.Millisecond, RTTVar: 3 * time.Millisecond},
		2001: {RTT: 20 * time.Millisecond, MinRTT: 18 * time.Millisecond, RTTVar: time.Millisecond},
		3002: {RTT: time.Second}, // sshd's: must not be asked for
	}
	got, err := Scan(t.Context(), Config{
		Root: root,
		KernelRTT: func(ctx context.Context, inodes []uint64) (map[uint64]KernelRTT, error) {
			asked = append(asked, inodes...)
			out := map[uint64]KernelRTT{}
			for _, ino := range inodes {
				if r, ok := rtts[ino]; ok {
					out[ino] = r
				}
			}
			return out, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ap := netip.MustParseAddrPort
	want := []Tool{
		{Name: "x11vnc", Catalog: CatalogLagwatch, PID: 100, UID: 1000, Process: "x11vnc",
			Listening: []netip.AddrPort{ap("0.0.0.0:5900")},
			Sessions:  []Session{{Local: ap("192.168.1.5:5900"), Remote: ap("203.0.113.7:51234"), RTT: 142 * time.Millisecond, MinRTT: 139 * time.Millisecond, RTTVar: 3 * time.Millisecond}}},
		{Name: "tmate", Catalog: CatalogLOLRMM, PID: 200, UID: 1000, Process: "tmate",
			Sessions: []Session{{Local: ap("[2001:db8::5]:49152"), Remote: ap("[2001:db8::1]:443"), RTT: 20 * time.Millisecond, MinRTT: 18 * time.Millisecond, RTTVar: time.Millisecond}}},
		{Name: "Atera", Catalog: CatalogLOLRMM, PID: 300, UID: 0, Process: "AteraAgent.exe",
			Listening: []netip.AddrPort{ap("[::]:3389")},
			Sessions:  []Session{{Local: ap("192.168.1.5:3389"), Remote: ap("203.0.113.8:50000")}}},
		{Name: "Chrome Remote Desktop", Catalog: CatalogLagwatch, PID: 400, UID: 1001, Process: "chrome-remote-d"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Scan() =\n%+v\nwant\n%+v", got, want)
	}
	slices.Sort(asked)
	if want := []uint64{1002, 2001, 2003}; !slices.Equal(asked, want) {
		t.Errorf("KernelRTT asked for %v, want the tools' established sockets %v", asked, want)
	}
}

// TestScanFixtureRTTFailure checks that failing RTTs leave them zero and
// do not fail the scan, and that a fixture root without KernelRTT reports
// no RTTs.
func TestScanFixtureRTTFailure(t *testing.T) {
	root := t.TempDir()
	writeFixture(t, root, fixtureProcs, fixtureTCP, fixtureTCP6)
	for name, fn := range map[string]func(context.Context, []uint64) (map[uint64]KernelRTT, error){
		"error": func(context.Context, []uint64) (map[uint64]KernelRTT, error) {
			return nil, errors.New("no netlink")
		},
		"nil": nil,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Scan(t.Context(), Config{Root: root, KernelRTT: fn})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 4 {
				t.Fatalf("Scan() found %d tools, want 4", len(got))
			}
			for _, tl := range got {
				for _, s := range tl.Sessions {
					if s.RTT != 0 || s.MinRTT != 0 || s.RTTVar != 0 {
						t.Errorf("%s session %v has RTT %v, want 0", tl.Name, s.Remote, s.RTT)
					}
				}
			}
		})
	}
}

// TestScanFixtureErrors checks that a missing proc/, a corrupt TCP table
// and a cancelled context fail the scan with the cause named, and that no
// IPv6 table is not an error.
func TestScanFixtureErrors(t *testing.T) {
	if _, err := Scan(t.Context(), Config{Root: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "list processes") {
		t.Errorf("Scan(empty root) = %v, want a list processes error", err)
	}

	root := t.TempDir()
	writeFixture(t, root, fixtureProcs, fixtureTCP+"   5: 0100007F:ZZZZ 00000000:0000 0A 0 0 0 0 0 7\n", fixtureTCP6)
	_, err := Scan(t.Context(), Config{Root: root})
	if err == nil || !strings.Contains(err.Error(), "line 7: local_address") {
		t.Errorf("Scan(corrupt tcp) = %v, want an error naming line 7 and local_address", err)
	}

	root = t.TempDir()
	writeFixture(t, root, fixtureProcs, fixtureTCP, fixtureTCP6)
	if err := os.Remove(filepath.Join(root, "proc", "net", "tcp6")); err != nil {
		t.Fatal(err)
	}
	got, err := Scan(t.Context(), Config{Root: root})
	if err != nil || len(got) != 4 || len(got[0].Sessions) != 1 || len(got[1].Sessions) != 0 {
		t.Errorf("Scan(no tcp6) = %+v, %v; want 4 tools, IPv4 sockets only", got, err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Scan(ctx, Config{Root: root}); !errors.Is(err, context.Canceled) {
		t.Errorf("Scan(cancelled) = %v, want context.Canceled", err)
	}
}
