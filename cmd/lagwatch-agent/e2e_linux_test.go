package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/netpath"
	"github.com/lagwatch/lagwatch/internal/rfb"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
	"github.com/lagwatch/lagwatch/internal/x11test"
)

const (
	e2eToken  = "e2e-enrol-token-0123456789abcdef"
	e2eWorker = "w-e2e"
)

var e2eLandmark = store.Landmark{Name: "us-west", Location: "Los Angeles, CA, US", Lat: 34.05, Lon: -118.24}

// agentBinary builds lagwatch-agent once per test binary run.
var agentBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "lagwatch-agent-e2e-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "lagwatch-agent")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func buildAgent(t *testing.T) string {
	t.Helper()
	bin, err := agentBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// e2eServer is a landmark server with a SQLite store in a temp dir that
// records every request body it receives.
type e2eServer struct {
	st     *store.Store
	dbPath string
	url    string

	mu     sync.Mutex
	bodies [][]byte
	delay  time.Duration // added after a batch is handled, before the answer
}

func (s *e2eServer) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, body)
		delay := s.delay
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
		if r.URL.Path == wire.PathBatches && delay > 0 {
			time.Sleep(delay)
		}
	})
}

// startE2EServer serves ingest on ln.
func startE2EServer(t *testing.T, ln net.Listener) *e2eServer {
	t.Helper()
	ctx := t.Context()
	dbPath := filepath.Join(t.TempDir(), "lagwatch.db")
	st, err := store.Open(ctx, dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := sha256.Sum256([]byte(e2eToken))
	for _, err := range []error{
		st.PutWorker(ctx, store.Worker{ID: e2eWorker, Name: "Ada"}),
		st.CreateEnrolmentToken(ctx, h[:], e2eWorker, time.Now().Add(time.Hour)),
		st.PutLandmark(ctx, e2eLandmark),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	ing, err := ingest.New(st, ingest.Config{Landmark: e2eLandmark})
	if err != nil {
		t.Fatal(err)
	}
	s := &e2eServer{st: st, dbPath: dbPath, url: "http://" + ln.Addr().String()}
	srv := &http.Server{Handler: s.wrap(ing.Handler()), ConnContext: ing.ConnContext, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return s
}

// device returns the one enrolled device's ID, or "".
func (s *e2eServer) device(t *testing.T) string {
	devs, err := s.st.Devices(t.Context())
	if err != nil || len(devs) != 1 {
		return ""
	}
	return devs[0].ID
}

// eventually polls cond every 200 ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// agentCmd returns the command that runs the agent binary, inside netns
// when it is not "".
func agentCmd(bin, netns string, args ...string) *exec.Cmd {
	argv := append([]string{bin, "run"}, args...)
	if netns != "" {
		argv = append([]string{"ip", "netns", "exec", netns}, argv...)
	}
	return exec.Command(argv[0], argv[1:]...)
}

// TestRemoteControlEndToEnd is the remote-control path for real: Xvfb is
// the laptop's display, x11vnc serves it inside the laptop's network
// namespace, and the "operator" types through a VNC client across a
// 150 ms path (package netpath: both kernels see the delay). The agent,
// built and run as its own process in the laptop's namespace, must report
// x11vnc with an established session whose kernel minimum RTT is
// 150 ms ± 10 %, and the typing as injected (XTEST) input, while no byte
// it spools, sends or logs, or the server stores, contains what was typed.
func TestRemoteControlEndToEnd(t *testing.T) {
	if err := netpath.Available(); err != nil {
		t.Skip(err)
	}
	x11test.Need(t, "Xvfb", "x11vnc")
	const oneWay = 75 * time.Millisecond
	const secret = "the quick brown fox jumps over the lazy dog"
	ctx := t.Context()
	n, err := netpath.New(ctx, netpath.Config{Prefix: "lw-e2e", HostsA: 1, HostsB: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	laptop, operator, server := n.AddrA(0), n.AddrB(0), n.AddrB(1)
	nsA, _ := n.Namespaces()
	if err := n.SetPath(laptop, operator, netpath.Link{Delay: oneWay}); err != nil {
		t.Fatal(err)
	}
	if err := n.SetPath(laptop, server, netpath.Link{Delay: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	ln, err := n.Listen(ctx, "tcp", netip.AddrPortFrom(server, 8080))
	if err != nil {
		t.Fatal(err)
	}
	srv := startE2EServer(t, ln)

	display := x11test.Xvfb(t)
	port, _ := x11test.X11VNC(t, display, x11test.VNC{Netns: nsA, Listen: laptop.String()})

	bin := buildAgent(t)
	state := t.TempDir()
	agentLog := new(x11test.Buffer)
	cmd := agentCmd(bin, nsA, "--servers", srv.url, "--insecure", "--state-dir", state,
		"--inputs", "x11", "--x11-display", display, "--window", "2s",
		"--endpoint-interval", "1s", "--interval", "5s", "--probes", "2", "--log-level", "debug")
	cmd.Env = append(os.Environ(), "LAGWATCH_AGENT_TOKEN="+e2eToken)
	cmd.Stderr = agentLog
	x11test.Start(t, cmd)
	eventually(t, 30*time.Second, "the agent to enrol", func() bool { return srv.device(t) != "" })
	dev := srv.device(t)

	// The operator connects across the 150 ms path and types.
	conn, err := n.DialContext(ctx, operator, "tcp", netip.AddrPortFrom(laptop, uint16(port)).String())
	if err != nil {
		t.Fatal(err)
	}
	vnc, err := rfb.NewClient(ctx, conn, rfb.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer vnc.Close()
	strokes, err := rfb.Strokes(secret, 60*time.Millisecond, 90*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if err := vnc.Type(ctx, strokes); err != nil {
		t.Fatal(err)
	}

	// The server holds injected strokes from the x11 reader ...
	var injected int
	eventually(t, 60*time.Second, "windows with the typed strokes", func() bool {
		ws, err := srv.st.Windows(ctx, dev, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		injected = 0
		for _, w := range ws {
			injected += w.Injected
		}
		return injected >= len(secret)
	})
	// ... and x11vnc with the operator's session at 150 ms.
	var session *wire.RemoteSession
	eventually(t, 60*time.Second, "an endpoint report with x11vnc's session", func() bool {
		reps, err := srv.st.EndpointReports(ctx, dev, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			var rep wire.EndpointReport
			if err := json.Unmarshal(r.Body, &rep); err != nil {
				t.Fatal(err)
			}
			for _, tool := range rep.RemoteTools {
				if tool.Name != "x11vnc" {
					continue
				}
				for _, s := range tool.Sessions {
					if strings.HasPrefix(s.Remote, operator.String()+":") && s.MinRTTMicros > 0 {
						session = &s
					}
				}
			}
		}
		return session != nil
	})
	// The kernel's minimum RTT is the distance measure, as for landmarks:
	// the smoothed RTT also holds the operator's delayed ACKs (up to 40 ms).
	want := 2 * oneWay
	minRTT := time.Duration(session.MinRTTMicros) * time.Microsecond
	t.Logf("x11vnc session from %s: kernel min RTT %v (smoothed %v); %d injected strokes", session.Remote, minRTT,
		time.Duration(session.RTTMicros)*time.Microsecond, injected)
	if minRTT < want-want/10 || minRTT > want+want/10 {
		t.Errorf("session min RTT %v, want %v ± 10%%", minRTT, want)
	}

	checkNoSecret(t, secret, state, srv, agentLog.String())
}

// checkNoSecret searches everything the agent spooled, sent and logged and
// the server stored for the typed text, as text and as the X keycodes and
// keysyms of its letters.
func checkNoSecret(t *testing.T, secret, stateDir string, srv *e2eServer, agentLog string) {
	t.Helper()
	needles := map[string][]byte{"text": []byte(secret), "text without spaces": []byte(strings.ReplaceAll(secret, " ", ""))}
	// The first word's keysyms (ASCII) and X keycodes (evdev + 8), as raw
	// bytes and as JSON numbers.
	word := strings.Fields(secret)[1]
	var codes, syms []byte
	var codeNums []string
	for _, r := range word {
		c := xKeycode(r)
		codes = append(codes, byte(c))
		codeNums = append(codeNums, fmt.Sprint(c))
		syms = append(syms, 0, 0, 0, byte(r))
	}
	needles["keycodes"] = codes
	needles["keycodes as numbers"] = []byte(strings.Join(codeNums, ","))
	needles["keysyms"] = syms

	haystacks := map[string][]byte{"agent log": []byte(agentLog)}
	files, _ := filepath.Glob(filepath.Join(stateDir, "*"))
	for _, f := range append(files, srv.dbPath, srv.dbPath+"-wal") {
		if b, err := os.ReadFile(f); err == nil {
			haystacks[f] = b
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	srv.mu.Lock()
	haystacks["request bodies"] = bytes.Join(srv.bodies, []byte{0})
	srv.mu.Unlock()
	if len(haystacks["request bodies"]) == 0 {
		t.Fatal("the server recorded no request bodies")
	}
	for hn, h := range haystacks {
		for nn, needle := range needles {
			if bytes.Contains(h, needle) {
				t.Errorf("%s contains the typed %s", hn, nn)
			}
		}
	}
}

// xKeycode returns the X keycode of a lower-case letter on a US layout:
// the Linux key code plus 8.
func xKeycode(r rune) int {
	linux := map[rune]int{
		'q': 16, 'w': 17, 'e': 18, 'r': 19, 't': 20, 'y': 21, 'u': 22, 'i': 23, 'o': 24, 'p': 25,
		'a': 30, 's': 31, 'd': 32, 'f': 33, 'g': 34, 'h': 35, 'j': 36, 'k': 37, 'l': 38,
		'z': 44, 'x': 45, 'c': 46, 'v': 47, 'b': 48, 'n': 49, 'm': 50,
	}
	return linux[r] + 8
}

// loopbackServer starts a landmark server on 127.0.0.1.
func loopbackServer(t *testing.T) *e2eServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startE2EServer(t, ln)
}

// xdotool runs xdotool on display.
func xdotool(t *testing.T, display string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	return cmd
}

// TestLocalInjectionNoSession types through XTEST on the laptop itself
// (xdotool, as a script or a local automation tool would) while x11vnc
// runs with nobody connected. The agent must report the input as injected
// and x11vnc as running but with no session: no remote operator is
// claimed where there is none.
func TestLocalInjectionNoSession(t *testing.T) {
	x11test.Need(t, "Xvfb", "x11vnc", "xdotool")
	ctx := t.Context()
	srv := loopbackServer(t)
	display := x11test.Xvfb(t)
	x11test.X11VNC(t, display, x11test.VNC{})
	state := t.TempDir()
	cmd := agentCmd(buildAgent(t), "", "--servers", srv.url, "--insecure", "--state-dir", state,
		"--inputs", "x11", "--x11-display", display, "--window", "1s", "--endpoint-interval", "1s", "--interval", "10s", "--probes", "1")
	cmd.Env = append(os.Environ(), "LAGWATCH_AGENT_TOKEN="+e2eToken)
	x11test.Start(t, cmd)
	eventually(t, 30*time.Second, "the agent to enrol", func() bool { return srv.device(t) != "" })
	dev := srv.device(t)
	time.Sleep(time.Second) // the reader connects after enrolment
	if out, err := xdotool(t, display, "type", "--delay", "80", "local automation").CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, out)
	}
	eventually(t, 30*time.Second, "windows with the injected strokes", func() bool {
		ws, err := srv.st.Windows(ctx, dev, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, w := range ws {
			n += w.Injected
		}
		return n >= len("local automation")
	})
	eventually(t, 30*time.Second, "an endpoint report with x11vnc", func() bool {
		reps, err := srv.st.EndpointReports(ctx, dev, time.Time{}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(reps) == 0 || reps[0].RemoteTools == 0 {
			return false
		}
		if reps[0].RemoteSessions != 0 {
			t.Fatalf("endpoint report claims %d remote sessions; nobody is connected:\n%s", reps[0].RemoteSessions, reps[0].Body)
		}
		var rep wire.EndpointReport
		if err := json.Unmarshal(reps[0].Body, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.RemoteTools[0].Name != "x11vnc" || len(rep.RemoteTools[0].Listening) == 0 {
			t.Fatalf("remote tools %+v, want x11vnc listening", rep.RemoteTools)
		}
		return true
	})

	// lagwatch-agent status shows the same, from the agent's status file
	// and from its own scan.
	var out string
	eventually(t, 20*time.Second, "the status command to show the input and x11vnc", func() bool {
		var stdout, stderr bytes.Buffer
		if err := run(ctx, []string{"status", "--state-dir", state}, &stdout, &stderr); err != nil {
			t.Fatalf("status: %v\n%s", err, stderr.String())
		}
		out = stdout.String()
		return strings.Contains(out, "agent:        running") && strings.Contains(out, "input x11") &&
			strings.Contains(out, "injected") && strings.Count(out, "remote access: x11vnc (lagwatch catalogue)") == 2
	})
	t.Logf("lagwatch-agent status:\n%s", out)
}

// TestKillDuringSpoolAndUpload kills the agent with SIGKILL again and
// again while it windows continuous typing, spools and uploads (the
// server holds every batch answer back 300 ms, so many kills land while
// an upload is in flight), then lets a last run drain the spool. The
// server must hold every window the agent ever spooled, exactly once.
func TestKillDuringSpoolAndUpload(t *testing.T) {
	x11test.Need(t, "Xvfb", "xdotool")
	if testing.Short() {
		t.Skip("kills the agent for about 30 s")
	}
	ctx := t.Context()
	srv := loopbackServer(t)
	srv.delay = 300 * time.Millisecond
	display := x11test.Xvfb(t)
	state := t.TempDir()
	bin := buildAgent(t)
	args := []string{"--servers", srv.url, "--insecure", "--state-dir", state, "--inputs", "x11",
		"--x11-display", display, "--window", "1s", "--endpoint=false", "--interval", "1s", "--probes", "1", "--log-level", "debug"}

	// Typing goes on all the time, in the background.
	typing := xdotool(t, display, "type", "--delay", "40", strings.Repeat("the agent must not lose a window ", 40))
	x11test.Start(t, typing)

	log := new(x11test.Buffer)
	start := func() *exec.Cmd {
		cmd := agentCmd(bin, "", args...)
		cmd.Env = append(os.Environ(), "LAGWATCH_AGENT_TOKEN="+e2eToken)
		cmd.Stderr = log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	for i := range 8 {
		cmd := start()
		time.Sleep(time.Duration(1500+300*i) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL
		cmd.Wait()
	}
	typing.Process.Kill()

	// A last run drains the spool and stops cleanly.
	cmd := start()
	eventually(t, 60*time.Second, "the spool to drain", func() bool {
		s, err := agent.ReadStatus(state)
		return err == nil && s.Spool != nil && s.Spool.Items == 0 && s.Spool.Kinds["window"].Put.Items > 0 &&
			time.Since(s.UpdatedAt) < 10*time.Second
	})
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("agent did not stop cleanly: %v\n%s", err, log.String())
	}

	s, err := agent.ReadStatus(state)
	if err != nil {
		t.Fatal(err)
	}
	ks := s.Spool.Kinds["window"]
	dev := srv.device(t)
	ws, err := srv.st.Windows(ctx, dev, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	keys := 0
	for _, w := range ws {
		ids[w.WindowID]++
		keys += w.Keys
	}
	resent := strings.Count(log.String(), "duplicate=true")
	t.Logf("%d windows spooled over 9 runs, %d acked, %d dropped; server holds %d windows with %d strokes; %d batches were sent again after a kill",
		ks.Put.Items, ks.Acked.Items, ks.Dropped.Items, len(ws), keys, resent)
	if ks.Dropped.Items != 0 {
		t.Errorf("%d windows dropped from the spool", ks.Dropped.Items)
	}
	if uint64(len(ws)) != ks.Put.Items {
		t.Errorf("server holds %d windows, the agent spooled %d", len(ws), ks.Put.Items)
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("window %s stored %d times", id, n)
		}
	}
}
