// Package x11test runs real X11 programs for tests: an Xvfb display and an
// x11vnc server on it, optionally inside a network namespace. Tests that
// use it skip, with the Debian package to install, when a program is
// missing. It is imported only by tests.
package x11test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StartupTimeout bounds the wait for each program to be ready.
const StartupTimeout = 30 * time.Second

// Need skips the test unless every named program is installed.
func Need(t testing.TB, programs ...string) {
	t.Helper()
	pkg := map[string]string{"Xvfb": "xvfb", "x11vnc": "x11vnc", "xdotool": "xdotool", "xev": "x11-utils"}
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not installed (Debian package %s)", p, pkg[p])
		}
	}
}

// Buffer is a bytes.Buffer that a process may write while a test reads.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Start starts cmd with its stderr captured, kills and reaps it when the
// test ends, and logs the stderr if the test failed.
func Start(t testing.TB, cmd *exec.Cmd) *Buffer {
	t.Helper()
	stderr := new(Buffer)
	if cmd.Stderr == nil {
		cmd.Stderr = stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	name := cmd.Args[0]
	t.Cleanup(func() {
		stop(cmd)
		if t.Failed() {
			t.Logf("%s stderr:\n%s", name, stderr.String())
		}
	})
	return stderr
}

// stop ends cmd with SIGTERM, so that it can release what it holds (X
// servers and x11vnc hold SysV shared memory that outlives a SIGKILL),
// and with SIGKILL if it is still running after 5 s; then it reaps it.
func stop(cmd *exec.Cmd) {
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// Xvfb starts an X server on a display it picks itself and returns the
// display name, such as ":3". The server accepts local clients without a
// cookie.
func Xvfb(t testing.TB) string {
	t.Helper()
	d, _ := StartXvfb(t)
	return d
}

// StartXvfb starts an X server with extra arguments (such as "-auth",
// FILE) on a display it picks itself, waits for its socket and returns the
// display name and the process, which is stopped when the test ends.
func StartXvfb(t testing.TB, args ...string) (string, *os.Process) {
	t.Helper()
	Need(t, "Xvfb")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	dir := t.TempDir()
	cmd := exec.Command("Xvfb", append([]string{"-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1024x768x24"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.ExtraFiles = []*os.File{w}
	Start(t, cmd)
	w.Close()
	r.SetReadDeadline(time.Now().Add(StartupTimeout))
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb did not report a display within %v: %v", StartupTimeout, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("Xvfb wrote display %q on -displayfd: %v", line, err)
	}
	sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Xvfb socket %s did not appear", sock)
		}
	}
	return fmt.Sprintf(":%d", n), cmd.Process
}

// VNC configures X11VNC.
type VNC struct {
	// Netns runs x11vnc inside this network namespace ("ip netns exec");
	// "" for the test's own.
	Netns string
	// Listen is the address to listen on, "127.0.0.1" by default.
	Listen string
	// Port is the first port to try.
	Port int
	// Args are added to the command line.
	Args []string
}

// X11VNC starts x11vnc on display and returns the port it listens on and
// its process.
func X11VNC(t testing.TB, display string, cfg VNC) (int, *os.Process) {
	t.Helper()
	Need(t, "x11vnc")
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1"
	}
	if cfg.Port == 0 {
		cfg.Port = 5900
	}
	dir := t.TempDir()
	argv := append([]string{"x11vnc", "-display", display, "-autoport", strconv.Itoa(cfg.Port),
		"-listen", cfg.Listen, "-forever", "-shared", "-nopw", "-quiet", "-norc", "-noshm"}, cfg.Args...)
	if cfg.Netns != "" {
		argv = append([]string{"ip", "netns", "exec", cfg.Netns}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	Start(t, cmd)
	portc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "PORT="); ok {
				portc <- p
				break
			}
		}
		close(portc)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p, ok := <-portc:
		if !ok {
			t.Fatal("x11vnc exited without printing PORT=")
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatalf("x11vnc printed PORT=%q", p)
		}
		return n, cmd.Process
	case <-time.After(StartupTimeout):
		t.Fatalf("x11vnc did not print PORT= within %v", StartupTimeout)
	}
	return 0, nil
}
