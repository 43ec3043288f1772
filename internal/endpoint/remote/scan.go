package remote

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Config configures [Scan]. The zero value scans the running system.
type Config struct {
	// Root is the directory that holds proc/: "/" (or "") for the running
	// system, a fixture tree in tests.
	Root string
	// KernelRTT returns the kernel's RTTs of the established TCP sockets
	// whose inodes are given; sockets it does not know are left out. nil
	// means [SockDiagRTTs] when Root is "/" and no RTTs otherwise.
	KernelRTT func(ctx context.Context, inodes []uint64) (map[uint64]KernelRTT, error)
	// Logger receives debug messages about processes that could not be
	// read and a warning when RTTs are unavailable; nil discards.
	Logger *slog.Logger
}

// Tool is one running process of a remote-access tool.
type Tool struct {
	// Name is the tool's name in its catalogue ("x11vnc", "AnyDesk").
	Name string
	// Catalog is CatalogLagwatch or CatalogLOLRMM.
	Catalog string
	// PID and UID are the process's ID and real user ID.
	PID, UID int
	// Process is the name that matched: the executable's base name,
	// argv[0]'s base name, or comm (at most 15 bytes), as the system
	// spells it.
	Process string
	// Listening holds the local addresses of its listening TCP sockets,
	// sorted. An IPv6 socket bound to [::] also accepts IPv4.
	Listening []netip.AddrPort
	// Sessions holds its established TCP connections, sorted.
	Sessions []Session
}

// Session is one established TCP connection of a tool.
type Session struct {
	// Local and Remote are the connection's addresses; IPv4-mapped IPv6
	// addresses are unmapped.
	Local, Remote netip.AddrPort
	// RTT, MinRTT and RTTVar are the kernel's estimates (see
	// [KernelRTT]); zero when unknown.
	RTT, MinRTT, RTTVar time.Duration
}

// Scan lists the running processes of remote-access tools under
// cfg.Root/proc with their listening and established TCP sockets, and the
// kernel's RTT of each established socket. Tools are sorted by PID; the
// result is nil when none runs.
//
// A process that exits during the scan is skipped, and one whose sockets
// cannot be read (another user's, without root) is reported without
// sockets. Scan fails if proc/ cannot be listed, a TCP table cannot be
// parsed, or ctx ends. Failing to get RTTs is logged and leaves them zero.
func Scan(ctx context.Context, cfg Config) ([]Tool, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	root := cfg.Root
	if root == "" {
		root = "/"
	}
	kernelRTT := cfg.KernelRTT
	if kernelRTT == nil && filepath.Clean(root) == "/" {
		kernelRTT = SockDiagRTTs
	}
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}

	procDir := filepath.Join(root, "proc")
	ents, err := os.ReadDir(procDir)
	if err != nil {
		return nil, fmt.Errorf("list processes in %s: %w", procDir, err)
	}
	var tools []Tool
	var inodes [][]uint64 // socket inodes, by index in tools
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		dir := filepath.Join(procDir, e.Name())
		p, err := readProcess(dir, pid)
		if err != nil {
			if !gone(err) && !errors.Is(err, errNotUser) {
				log.Debug("skip unreadable process", "pid", pid, "err", err)
			}
			continue
		}
		h, name, ok := p.match(cat)
		if !ok {
			continue
		}
		ino, err := socketInodes(dir)
		if err != nil && !gone(err) {
			log.Debug("read sockets of remote-access process", "pid", pid, "process", name, "err", err)
		}
		tools = append(tools, Tool{Name: h.tool, Catalog: h.catalog, PID: pid, UID: p.uid, Process: name})
		inodes = append(inodes, ino)
	}
	if len(tools) == 0 {
		return nil, nil
	}

	socks, err := readTCPTables(root)
	if err != nil {
		return nil, err
	}
	var established []uint64
	sessionInodes := make([][]uint64, len(tools)) // by tool, then session
	for i := range tools {
		t := &tools[i]
		for _, ino := range inodes[i] {
			s, ok := socks[ino]
			if !ok {
				continue
			}
			switch s.state {
			case tcpListen:
				t.Listening = append(t.Listening, s.local)
			case tcpEstablished:
				t.Sessions = append(t.Sessions, Session{Local: unmap(s.local), Remote: unmap(s.remote)})
				sessionInodes[i] = append(sessionInodes[i], ino)
				established = append(established, ino)
			}
		}
	}
	var rtts map[uint64]KernelRTT
	if kernelRTT != nil && len(established) > 0 {
		if rtts, err = kernelRTT(ctx, established); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			log.Warn("kernel tcp rtt unavailable", "sockets", len(established), "err", err)
		}
	}
	for i := range tools {
		t := &tools[i]
		for j, ino := range sessionInodes[i] {
			r := rtts[ino]
			t.Sessions[j].RTT, t.Sessions[j].MinRTT, t.Sessions[j].RTTVar = r.RTT, r.MinRTT, r.RTTVar
		}
		slices.SortFunc(t.Listening, netip.AddrPort.Compare)
		slices.SortFunc(t.Sessions, func(a, b Session) int {
			return cmp.Or(a.Local.Compare(b.Local), a.Remote.Compare(b.Remote))
		})
	}
	slices.SortFunc(tools, func(a, b Tool) int { return cmp.Compare(a.PID, b.PID) })
	return tools, nil
}

// readTCPTables reads root/proc/net/tcp and tcp6, by inode. A missing
// table (no IPv6) is skipped. /proc/net is the scanning process's own
// network namespace.
func readTCPTables(root string) (map[uint64]socket, error) {
	socks := map[uint64]socket{}
	for _, t := range []struct {
		name string
		v6   bool
	}{{"tcp", false}, {"tcp6", true}} {
		path := filepath.Join(root, "proc", "net", t.name)
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		list, err := parseTCP(data, t.v6)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		for _, s := range list {
			socks[s.inode] = s
		}
	}
	return socks, nil
}

func unmap(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
