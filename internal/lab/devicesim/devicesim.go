// Package devicesim simulates the parts of a managed laptop that a demo on
// one machine cannot have for real: the /proc and /sys trees the agent's
// endpoint scanners read (a remote-access server with an established
// session, USB devices such as an IP-KVM's gadget), the kernel's RTT of
// that session, and a person typing at a keyboard.
//
// The agent's real scanners (package endpoint/remote and
// endpoint/hardware) and its real input pipeline read what this package
// writes and emits, so everything from the scan on is the production
// code path. What is simulated is said where it is used: `lagwatch demo`
// prints it, and docs/demo.md lists it.
package devicesim

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/endpoint/remote"
)

// Laptop is what a simulated laptop's file system shows the scanners.
type Laptop struct {
	// Tools are remote-access server processes, each with its sessions.
	Tools []Tool
	// USB are the devices on the laptop's USB bus besides the root hub.
	USB []USB
}

// Tool is a running remote-access server process.
type Tool struct {
	PID     int    // process ID, > 1
	Process string // process name as the kernel shows it (comm), e.g. "anydesk"
	Exe     string // executable path, e.g. "/usr/bin/anydesk"
	// Sessions are its established TCP connections: the laptop's end
	// and the far end.
	Sessions []Session
}

// Session is an established TCP connection of a tool.
type Session struct {
	Local, Remote netip.AddrPort // IPv4 only
	// RTT is the kernel's round-trip time of the connection, which the
	// scanners ask the kernel for; here it is given.
	RTT time.Duration
}

// USB is a device on the USB bus as sysfs lists it.
type USB struct {
	Path                          string // sysfs name, e.g. "1-2"
	VendorID, ProductID           string // four hex digits each
	Manufacturer, Product, Serial string // "" for none
	InterfaceClasses              []string
}

// WriteRoot writes the laptop's proc/ and sys/ under dir, which must not
// hold them yet, and returns the function the remote-access scanner asks
// for kernel RTTs (remote.Config.KernelRTT): it knows the sockets written
// here.
func (l Laptop) WriteRoot(dir string) (func(context.Context, []uint64) (map[uint64]remote.KernelRTT, error), error) {
	if _, err := os.Stat(filepath.Join(dir, "proc")); err == nil {
		return nil, fmt.Errorf("write simulated laptop at %s: proc/ exists", dir)
	}
	w := writer{root: dir}
	w.file("proc/1/status", status(1, 0, "systemd"))
	w.file("proc/1/comm", "systemd\n")
	w.file("proc/1/cmdline", "/sbin/init\x00")
	w.file("proc/uptime", "1.0 1.0\n")
	w.link("1", "proc/self")
	rtts := map[uint64]remote.KernelRTT{}
	tcp := []string{"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"}
	inode := uint64(50000)
	for _, t := range l.Tools {
		if t.PID <= 1 || t.Process == "" || strings.ContainsAny(t.Process, "/\n\x00") {
			return nil, fmt.Errorf("write simulated laptop: tool %q: want a process name and a PID above 1", t.Process)
		}
		p := "proc/" + strconv.Itoa(t.PID)
		w.file(p+"/status", status(t.PID, 1, t.Process))
		w.file(p+"/comm", t.Process+"\n")
		w.file(p+"/cmdline", t.Exe+"\x00")
		if t.Exe != "" {
			w.link(t.Exe, p+"/exe")
		}
		w.dir(p + "/fd")
		for i, s := range t.Sessions {
			if !s.Local.Addr().Is4() || !s.Remote.Addr().Is4() {
				return nil, fmt.Errorf("write simulated laptop: tool %s session %d: want IPv4 addresses, have %s and %s", t.Process, i, s.Local, s.Remote)
			}
			inode++
			w.link(fmt.Sprintf("socket:[%d]", inode), fmt.Sprintf("%s/fd/%d", p, i))
			tcp = append(tcp, fmt.Sprintf("%4d: %s %s 01 00000000:00000000 02:0000012C 00000000  1000        0 %d 2 0000000000000000 20 4 30 10 -1",
				len(tcp)-1, hexAddr(s.Local), hexAddr(s.Remote), inode))
			rtts[inode] = remote.KernelRTT{RTT: s.RTT, MinRTT: s.RTT, RTTVar: s.RTT / 20}
		}
	}
	w.file("proc/net/tcp", strings.Join(tcp, "\n")+"\n")
	w.file("proc/net/tcp6", "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")

	usb := append([]USB{{Path: "usb1", VendorID: "1d6b", ProductID: "0002", Manufacturer: "Linux xhci-hcd", Product: "xHCI Host Controller", Serial: "0000:00:14.0", InterfaceClasses: []string{"09"}}}, l.USB...)
	for _, d := range usb {
		if d.Path == "" || strings.ContainsAny(d.Path, "/\n") || len(d.VendorID) != 4 || len(d.ProductID) != 4 {
			return nil, fmt.Errorf("write simulated laptop: USB device %q: want a sysfs name and four-digit hex IDs", d.Path)
		}
		p := "sys/bus/usb/devices/" + d.Path
		w.file(p+"/idVendor", d.VendorID+"\n")
		w.file(p+"/idProduct", d.ProductID+"\n")
		for name, v := range map[string]string{"manufacturer": d.Manufacturer, "product": d.Product, "serial": d.Serial} {
			if v != "" {
				w.file(p+"/"+name, v+"\n")
			}
		}
		for i, c := range d.InterfaceClasses {
			w.file(fmt.Sprintf("%s:1.%d/bInterfaceClass", p, i), c+"\n")
		}
	}
	if w.err != nil {
		return nil, fmt.Errorf("write simulated laptop at %s: %w", dir, w.err)
	}
	return func(ctx context.Context, inodes []uint64) (map[uint64]remote.KernelRTT, error) {
		out := make(map[uint64]remote.KernelRTT, len(inodes))
		for _, i := range inodes {
			if r, ok := rtts[i]; ok {
				out[i] = r
			}
		}
		return out, ctx.Err()
	}, nil
}

func status(pid, ppid int, name string) string {
	return fmt.Sprintf("Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nUid:\t1000\t1000\t1000\t1000\n", name, pid, pid, ppid)
}

// hexAddr formats an IPv4 address and port as /proc/net/tcp does on a
// little-endian machine.
func hexAddr(ap netip.AddrPort) string {
	a := ap.Addr().As4()
	return fmt.Sprintf("%02X%02X%02X%02X:%04X", a[3], a[2], a[1], a[0], ap.Port())
}

// writer writes files under root and keeps the first error.
type writer struct {
	root string
	err  error
}

func (w *writer) dir(rel string) {
	if w.err == nil {
		w.err = os.MkdirAll(filepath.Join(w.root, rel), 0o755)
	}
}

func (w *writer) file(rel, content string) {
	w.dir(filepath.Dir(rel))
	if w.err == nil {
		w.err = os.WriteFile(filepath.Join(w.root, rel), []byte(content), 0o644)
	}
}

func (w *writer) link(target, rel string) {
	w.dir(filepath.Dir(rel))
	if w.err == nil {
		w.err = os.Symlink(target, filepath.Join(w.root, rel))
		if errors.Is(w.err, os.ErrExist) {
			w.err = fmt.Errorf("%s exists", rel)
		}
	}
}
