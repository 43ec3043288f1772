package xdisplay

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Server is a running X server.
type Server struct {
	PID      int    // process ID
	Program  string // executable base name: "Xorg", "Xvfb", "Xwayland", ...
	Display  string // ":0"
	AuthFile string // the file given with -auth, "" when none
}

// servers are the X server programs looked for.
var servers = []string{"Xorg", "X", "Xvfb", "Xwayland", "Xvnc", "Xephyr", "Xtigervnc"}

// maxCmdline bounds how much of a command line is read.
const maxCmdline = 64 << 10

// Find lists the X servers whose processes are visible under root (a
// procfs mount point, "/proc" in production), lowest display first.
// Processes that exit while it reads are skipped.
func Find(procRoot string) ([]Server, error) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, fmt.Errorf("find X servers: read %s: %w", procRoot, err)
	}
	var out []Server
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		b, err := readLimited(filepath.Join(procRoot, e.Name(), "cmdline"))
		if err != nil {
			continue // exited, or not ours to read
		}
		if s, ok := ParseCmdline(b); ok {
			s.PID = pid
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Server) int {
		if c := displayNumber(a.Display) - displayNumber(b.Display); c != 0 {
			return c
		}
		return a.PID - b.PID
	})
	return out, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, maxCmdline)
	n, err := f.Read(b)
	if err != nil && !errors.Is(err, fs.ErrClosed) && n == 0 {
		return nil, err
	}
	return b[:n], nil
}

// ParseCmdline reads an X server's display and authority file from its
// NUL-separated command line; ok is false if it is not an X server's.
func ParseCmdline(cmdline []byte) (s Server, ok bool) {
	args := strings.Split(string(bytes.TrimRight(cmdline, "\x00")), "\x00")
	if len(args) == 0 || !slices.Contains(servers, filepath.Base(args[0])) {
		return Server{}, false
	}
	s.Program = filepath.Base(args[0])
	s.Display = ":0" // the servers' own default
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-auth" && i+1 < len(args):
			i++
			s.AuthFile = args[i]
		case len(a) > 1 && a[0] == ':' && displayNumber(a) >= 0:
			s.Display = a
		}
	}
	return s, true
}

// displayNumber returns N of ":N" or ":N.S", or -1.
func displayNumber(d string) int {
	d = strings.TrimPrefix(d, ":")
	if i := strings.IndexByte(d, '.'); i >= 0 {
		d = d[:i]
	}
	n, err := strconv.Atoi(d)
	if err != nil || n < 0 || n > 65535-6000 {
		return -1
	}
	return n
}
