package xi2

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultSocketDir is where X servers put their unix sockets.
const DefaultSocketDir = "/tmp/.X11-unix"

// maxDisplay is the largest display number: TCP port 6000+N must fit.
const maxDisplay = 65535 - 6000

// display is a parsed $DISPLAY.
type display struct {
	host   string // "" or "unix" for the local unix socket
	number int
	screen int
}

// parseDisplay parses "[tcp/|unix/][host]:N[.S]". An empty host or
// "unix" means the local unix socket; anything else is dialled over TCP
// on port 6000+N. IPv6 hosts may be bracketed.
func parseDisplay(s string) (display, error) {
	var d display
	if s == "" {
		return d, errors.New("parse display: DISPLAY is empty")
	}
	rest := s
	proto := ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		proto, rest = rest[:i], rest[i+1:]
		if proto != "tcp" && proto != "unix" {
			return d, fmt.Errorf("parse display %q: protocol %q, want tcp or unix", s, proto)
		}
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return d, fmt.Errorf("parse display %q: no ':' before the display number", s)
	}
	d.host, rest = rest[:i], rest[i+1:]
	if strings.HasSuffix(d.host, ":") && !strings.Contains(d.host[:len(d.host)-1], ":") {
		return d, fmt.Errorf("parse display %q: DECnet displays are not supported", s)
	}
	d.host = strings.TrimSuffix(strings.TrimPrefix(d.host, "["), "]")
	num, scr, hasScreen := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || n > maxDisplay {
		return d, fmt.Errorf("parse display %q: display number %q, want 0..%d", s, num, maxDisplay)
	}
	d.number = n
	if hasScreen {
		if d.screen, err = strconv.Atoi(scr); err != nil || d.screen < 0 || d.screen > 255 {
			return d, fmt.Errorf("parse display %q: screen number %q, want 0..255", s, scr)
		}
	}
	switch {
	case proto == "unix":
		if d.host != "" && d.host != "unix" {
			return d, fmt.Errorf("parse display %q: unix protocol with host %q", s, d.host)
		}
		d.host = ""
	case proto == "tcp" && (d.host == "" || d.host == "unix"):
		d.host = "localhost"
	case d.host == "unix":
		d.host = ""
	}
	return d, nil
}

func (d display) local() bool { return d.host == "" }

// loopback reports whether a TCP display is on this machine.
func (d display) loopback() bool {
	if d.local() {
		return false
	}
	if d.host == "localhost" {
		return true
	}
	ip := net.ParseIP(d.host)
	return ip != nil && ip.IsLoopback()
}

// String returns the display as $DISPLAY would name it.
func (d display) String() string {
	if d.local() {
		return ":" + strconv.Itoa(d.number)
	}
	if strings.Contains(d.host, ":") {
		return "[" + d.host + "]:" + strconv.Itoa(d.number)
	}
	return d.host + ":" + strconv.Itoa(d.number)
}

// dial connects to the display's socket: socketDir/XN for a local display,
// falling back to the Linux abstract socket of the same name, or TCP port
// 6000+N.
func dial(ctx context.Context, d display, socketDir string) (net.Conn, error) {
	var dl net.Dialer
	if !d.local() {
		addr := net.JoinHostPort(d.host, strconv.Itoa(6000+d.number))
		c, err := dl.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("dial X display %s: %w", d, err)
		}
		return c, nil
	}
	path := filepath.Join(socketDir, "X"+strconv.Itoa(d.number))
	c, err := dl.DialContext(ctx, "unix", path)
	if err == nil {
		return c, nil
	}
	if c2, err2 := dl.DialContext(ctx, "unix", "@"+path); err2 == nil {
		return c2, nil
	}
	return nil, fmt.Errorf("dial X display %s: %w", d, err)
}
