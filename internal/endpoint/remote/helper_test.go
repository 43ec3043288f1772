package remote

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as helper processes, chosen by helperEnv:
//
//	listen:   listen on TCP at $LAGWATCH_REMOTE_ADDR, print the address,
//	          then echo every line of every connection but those starting
//	          with '#', until stdin closes;
//	scan:     Scan("/") and print the tools as JSON;
//	sockdiag: print SockDiagRTTs($LAGWATCH_REMOTE_INODES) as JSON.
const (
	helperEnv = "LAGWATCH_REMOTE_HELPER"
	addrEnv   = "LAGWATCH_REMOTE_ADDR"
	inodesEnv = "LAGWATCH_REMOTE_INODES"
)

func TestMain(m *testing.M) {
	if h := os.Getenv(helperEnv); h != "" {
		if err := runHelper(h); err != nil {
			fmt.Fprintf(os.Stderr, "helper %s: %v\n", h, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runHelper(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	switch name {
	case "listen":
		return listenHelper()
	case "scan":
		tools, err := Scan(ctx, Config{Root: "/"})
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(tools)
	case "sockdiag":
		var inodes []uint64
		for f := range strings.FieldsSeq(os.Getenv(inodesEnv)) {
			ino, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return err
			}
			inodes = append(inodes, ino)
		}
		rtts, err := SockDiagRTTs(ctx, inodes)
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(rtts)
	}
	return fmt.Errorf("unknown helper")
}

// listenHelper is a stand-in for a remote-control server: it accepts
// connections and echoes lines, and exits when its standard input closes
// (the test ended or died).
func listenHelper() error {
	ln, err := net.Listen("tcp", os.Getenv(addrEnv))
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.HasPrefix(line, "#") {
					continue
				}
				if _, err := io.WriteString(c, line); err != nil {
					return
				}
			}
		}()
	}
}

// namedBinary copies the test binary to a new directory under the name
// name, readable and executable by everyone, and returns its path. The
// kernel takes a process's comm from the executable's file name.
func namedBinary(t *testing.T, name string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // t.TempDir makes both 0700
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := filepath.Join(dir, name)
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, src); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// startListener starts cmd as the listen helper on addr and returns its
// listening address. The helper is stopped when the test ends.
func startListener(t *testing.T, cmd *exec.Cmd, addr string) string {
	t.Helper()
	cmd.Env = append(os.Environ(), helperEnv+"=listen", addrEnv+"="+addr)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read the listener's address: %v", err)
	}
	return strings.TrimSpace(line)
}

// echo sends n lines over c and waits for each to come back, so that both
// kernels take RTT samples. Before each answer arrives it asks c's kernel
// to ACK it at once: an interactive connection otherwise holds the ACK for
// the next request, and this process's scheduling delays (the path's delay
// loop runs here) would add to the listener's RTT samples.
func echo(t *testing.T, c net.Conn, n int) {
	t.Helper()
	r := bufio.NewReader(c)
	for i := range n {
		msg := fmt.Sprintf("frame %d\n", i)
		if _, err := io.WriteString(c, msg); err != nil {
			t.Fatal(err)
		}
		quickACK(t, c)
		got, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if got != msg {
			t.Fatalf("echo = %q, want %q", got, msg)
		}
	}
}

// hush sends a line the listener does not answer. It carries the ACK of
// the last echo at once, where a delayed ACK (40 to 200 ms on Linux) would
// inflate the listener's last RTT sample: an artefact of a test that stops
// talking.
func hush(t *testing.T, c net.Conn) {
	t.Helper()
	if _, err := io.WriteString(c, "#\n"); err != nil {
		t.Fatal(err)
	}
}

// quickACK sets TCP_QUICKACK on c, which the kernel clears again as it
// sees fit; on other systems it does nothing.
func quickACK(t *testing.T, c net.Conn) {
	t.Helper()
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	raw.Control(func(fd uintptr) { setQuickACK(int(fd)) })
}
