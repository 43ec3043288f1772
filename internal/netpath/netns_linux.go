package netpath

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

const (
	tunName  = "netpath0"     // the TUN device's name inside each namespace
	netnsDir = "/run/netns"   // where "ip netns" keeps its namespace handles
	lockDir  = "/run/netpath" // one lock file per live prefix
)

// Capabilities New needs, as bit numbers in /proc/self/status CapEff.
const (
	capNetAdmin = 12
	capSysAdmin = 21
)

// Available reports whether New can work here: root with CAP_NET_ADMIN and
// CAP_SYS_ADMIN, an openable /dev/net/tun, and a working "ip netns". The
// error's text is a one-line reason fit for t.Skip.
func Available() error {
	if euid := os.Geteuid(); euid != 0 {
		return fmt.Errorf("netpath: needs root for network namespaces and TUN devices (euid %d)", euid)
	}
	if err := checkCaps(); err != nil {
		return err
	}
	f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("netpath: open /dev/net/tun: %w", err)
	}
	f.Close()
	ip, err := ipPath()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := runIP(ctx, ip, nil, "netns", "list"); err != nil {
		return err
	}
	return nil
}

func checkCaps() error {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return fmt.Errorf("netpath: read capabilities: %w", err)
	}
	for line := range strings.Lines(string(status)) {
		hex, ok := strings.CutPrefix(line, "CapEff:")
		if !ok {
			continue
		}
		eff, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
		if err != nil {
			return fmt.Errorf("netpath: parse CapEff %q: %w", strings.TrimSpace(hex), err)
		}
		for _, c := range []struct {
			bit  uint
			name string
		}{{capNetAdmin, "CAP_NET_ADMIN"}, {capSysAdmin, "CAP_SYS_ADMIN"}} {
			if eff&(1<<c.bit) == 0 {
				return fmt.Errorf("netpath: needs %s (CapEff %s)", c.name, strings.TrimSpace(hex))
			}
		}
		return nil
	}
	return errors.New("netpath: read capabilities: no CapEff in /proc/self/status")
}

// ipPath finds the iproute2 "ip" command, also where root's PATH would
// have it.
func ipPath() (string, error) {
	if p, err := exec.LookPath("ip"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("netpath: ip (iproute2) not found in PATH or /usr/sbin, /sbin")
}

// runIP runs ip with args and optional standard input, and returns its
// standard output. The error carries the command line and ip's message.
func runIP(ctx context.Context, ip string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, ip, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.Join(strings.Fields(stderr.String()), " ")
		return nil, fmt.Errorf("netpath: run ip %s: %w: %s", strings.Join(args, " "), err, msg)
	}
	return stdout.Bytes(), nil
}

// system is the Linux state of a Net: the prefix lock, the namespaces and
// the TUN devices.
type system struct {
	ip       string
	lock     *os.File // flock'ed lock file of the prefix
	lockPath string
	added    [2]bool // namespaces created by this Net, by side
	ns       [2]int  // namespace handles, by side, valid when nsOpen
	nsOpen   [2]bool
	tuns     [2]*os.File // TUN devices, by side; read by one forwarder, written by the other
}

func (s *system) tun(sd side) *os.File { return s.tuns[sd] }

// setup builds everything New needs; on error it undoes its own work.
func (s *system) setup(ctx context.Context, n *Net) (err error) {
	defer func() {
		if err != nil {
			err = errors.Join(err, s.closeTUNs(), s.teardown(context.WithoutCancel(ctx), n))
		}
	}()
	if s.ip, err = ipPath(); err != nil {
		return err
	}
	if err := s.acquire(n.cfg.Prefix); err != nil {
		return err
	}
	if err := s.removeStale(ctx, n); err != nil {
		return err
	}
	for sd, name := range n.names {
		if _, err := runIP(ctx, s.ip, nil, "netns", "add", name); err != nil {
			return err
		}
		s.added[sd] = true
		fd, err := unix.Open(filepath.Join(netnsDir, name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("netpath: open namespace %s: %w", name, err)
		}
		s.ns[sd], s.nsOpen[sd] = fd, true
		if s.tuns[sd], err = createTUN(nsHandle(fd), name); err != nil {
			return err
		}
	}
	for sd, name := range n.names {
		own, other := netA, netB
		hosts := n.cfg.HostsA
		if side(sd) == sideB {
			own, other, hosts = netB, netA, n.cfg.HostsB
		}
		var b strings.Builder
		fmt.Fprintf(&b, "link set dev lo up\n")
		fmt.Fprintf(&b, "link set dev %s mtu %d\n", tunName, n.cfg.MTU)
		for i := range hosts {
			fmt.Fprintf(&b, "address add %v/32 dev %s\n", hostAddr(own, i, hosts), tunName)
		}
		fmt.Fprintf(&b, "link set dev %s up\n", tunName)
		fmt.Fprintf(&b, "route add %v dev %s src %v\n", other, tunName, hostAddr(own, 0, hosts))
		if _, err := runIP(ctx, s.ip, []byte(b.String()), "-netns", name, "-batch", "-"); err != nil {
			return err
		}
	}
	return nil
}

// acquire takes the lock of prefix, which guards its namespace names
// against a second live Net in any process. A crashed holder's lock is
// released by the kernel, which is what makes removeStale safe.
func (s *system) acquire(prefix string) error {
	if err := os.MkdirAll(lockDir, 0o700); err != nil {
		return fmt.Errorf("netpath: create lock directory: %w", err)
	}
	path := filepath.Join(lockDir, prefix+".lock")
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("netpath: open lock %s: %w", path, err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return fmt.Errorf("%w: %s (lock %s)", ErrPrefixInUse, prefix, path)
			}
			return fmt.Errorf("netpath: lock %s: %w", path, err)
		}
		// The previous holder unlinks the file before unlocking; if it did
		// so after our open, we hold a lock on a dead file: try again.
		var held, now unix.Stat_t
		if unix.Fstat(int(f.Fd()), &held) == nil && unix.Stat(path, &now) == nil && held.Ino == now.Ino && held.Dev == now.Dev {
			s.lock, s.lockPath = f, path
			return nil
		}
		f.Close()
	}
}

func (s *system) release() error {
	if s.lock == nil {
		return nil
	}
	err := os.Remove(s.lockPath)
	err = errors.Join(err, s.lock.Close())
	s.lock = nil
	if err != nil {
		return fmt.Errorf("netpath: release lock %s: %w", s.lockPath, err)
	}
	return nil
}

// removeStale deletes namespaces with this Net's names, left by a run that
// ended without Close. The caller holds the prefix lock, so they are not
// in use by a live Net.
func (s *system) removeStale(ctx context.Context, n *Net) error {
	for _, name := range n.names {
		if _, err := os.Stat(filepath.Join(netnsDir, name)); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if _, err := runIP(ctx, s.ip, nil, "netns", "delete", name); err != nil {
			return fmt.Errorf("netpath: remove stale namespace: %w", err)
		}
		n.log.Warn("removed stale namespace", "namespace", name)
	}
	return nil
}

// createTUN creates the TUN device inside namespace ns (so its name cannot
// clash with devices elsewhere) and returns it, non-blocking so that Close
// interrupts a pending Read.
func createTUN(ns nsHandle, name string) (*os.File, error) {
	var f *os.File
	err := runIn(ns, func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open /dev/net/tun: %w", err)
		}
		ifr, err := unix.NewIfreq(tunName)
		if err != nil {
			unix.Close(fd)
			return fmt.Errorf("name TUN device %s: %w", tunName, err)
		}
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return fmt.Errorf("create TUN device %s: %w", tunName, err)
		}
		// No IPv6 on the device, so the kernel sends no router
		// solicitations or MLD reports through the forwarder. /proc/sys/net
		// shows the calling thread's namespace. Absent when IPv6 is off.
		err = os.WriteFile("/proc/sys/net/ipv6/conf/"+tunName+"/disable_ipv6", []byte("1"), 0)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			unix.Close(fd)
			return fmt.Errorf("disable IPv6 on %s: %w", tunName, err)
		}
		f = os.NewFile(uintptr(fd), "/dev/net/tun:"+name+"/"+tunName)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("netpath: in namespace %s: %w", name, err)
	}
	return f, nil
}

func (s *system) closeTUNs() error {
	var errs []error
	for i, f := range s.tuns {
		if f != nil {
			if err := f.Close(); err != nil {
				errs = append(errs, fmt.Errorf("netpath: close TUN %s: %w", f.Name(), err))
			}
			s.tuns[i] = nil
		}
	}
	return errors.Join(errs...)
}

// teardown closes the namespace handles, deletes the namespaces this Net
// added and releases the prefix lock.
func (s *system) teardown(ctx context.Context, n *Net) error {
	var errs []error
	for sd := range s.ns {
		if s.nsOpen[sd] {
			unix.Close(s.ns[sd])
			s.nsOpen[sd] = false
		}
		if s.added[sd] {
			if _, err := runIP(ctx, s.ip, nil, "netns", "delete", n.names[sd]); err != nil {
				errs = append(errs, err)
			}
			s.added[sd] = false
		}
	}
	// Released even if a deletion failed: the next New with this prefix
	// removes what is left.
	errs = append(errs, s.release())
	return errors.Join(errs...)
}

// handle returns a duplicate of side sd's namespace handle, which the
// caller closes. The caller holds n.mu.
func (s *system) handle(sd side) (nsHandle, error) {
	if !s.nsOpen[sd] {
		return 0, ErrClosed
	}
	fd, err := unix.FcntlInt(uintptr(s.ns[sd]), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("netpath: duplicate namespace handle: %w", err)
	}
	return nsHandle(fd), nil
}

// nsHandle is an open file descriptor of a network namespace.
type nsHandle int

// Close closes the descriptor.
func (h nsHandle) Close() error { return unix.Close(int(h)) }

// runIn runs fn on an OS thread switched into namespace ns, so sockets fn
// creates belong to ns. It uses a fresh goroutine locked to its thread and
// switches the thread back afterwards. If switching back fails the
// goroutine exits without unlocking, and the Go runtime then terminates
// the thread instead of reusing it in the wrong namespace.
func runIn(ns nsHandle, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open current network namespace: %w", err)
			return
		}
		defer unix.Close(orig)
		if err := unix.Setns(int(ns), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter network namespace: %w", err)
			return
		}
		ferr := fn()
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			// Still locked: the thread dies with this goroutine.
			errc <- errors.Join(ferr, fmt.Errorf("restore network namespace (thread discarded): %w", err))
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
