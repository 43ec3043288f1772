package evdev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Source is the reader's name in keystroke.Device.Source and on the wire.
const Source = "evdev"

// DefaultRescan is how often a Reader looks for newly plugged keyboards.
const DefaultRescan = 5 * time.Second

// Config configures a [Reader].
type Config struct {
	// Root is the directory under which dev/input and sys are found: "/"
	// in production, a fixture tree in tests. Empty means "/".
	Root string
	// Logger receives device arrivals, removals and errors; nil discards.
	Logger *slog.Logger
	// Rescan is how often Run lists dev/input again for keyboards plugged
	// in after it started. Zero means DefaultRescan; negative, never.
	Rescan time.Duration
}

// Reader reads key strokes from every keyboard under its root. Create it
// with [NewReader]; its methods are safe for concurrent use.
type Reader struct {
	root    string
	log     *slog.Logger
	rescan  time.Duration
	running atomic.Bool

	mu      sync.Mutex
	devices []keystroke.Device // every keyboard opened, indexed by Number
}

// NewReader returns a reader for the keyboards under cfg.Root.
func NewReader(cfg Config) (*Reader, error) {
	if cfg.Root == "" {
		cfg.Root = "/"
	}
	if !filepath.IsAbs(cfg.Root) {
		return nil, fmt.Errorf("evdev: root %q is not an absolute path", cfg.Root)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Rescan == 0 {
		cfg.Rescan = DefaultRescan
	}
	return &Reader{root: filepath.Clean(cfg.Root), log: cfg.Logger, rescan: cfg.Rescan}, nil
}

// Name returns [Source].
func (r *Reader) Name() string { return Source }

// Devices returns every keyboard the reader has opened, in the order it
// opened them: Devices()[i].Number == i, as in keystroke.Event.Device.
// Keyboards unplugged since stay in the list.
func (r *Reader) Devices() []keystroke.Device {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.devices)
}

// add appends d to the device list and returns its number, or false when
// the list is full.
func (r *Reader) add(d keystroke.Device) (keystroke.Device, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.devices) > math.MaxUint16 {
		return d, false
	}
	d.Number = uint16(len(r.devices))
	r.devices = append(r.devices, d)
	return d, true
}

// Run opens every keyboard under the root, reads each in a goroutine of
// its own, and calls emit with every key stroke until ctx is done; it then
// closes the devices and returns nil once all its goroutines have ended.
// Calls to emit never overlap and none happens after Run returns; emit
// should not block, since a device's events wait in the kernel meanwhile.
//
// Every Rescan Run lists dev/input again and opens keyboards it has not
// seen. A keyboard it cannot open (no permission) is logged once and
// tried again at each rescan. A device whose stream ends (unplugged, or
// the end of a recorded file) is not reopened until its node is replaced.
// Run fails only when dev/input cannot be listed at the start, or when it
// is called while already running.
func (r *Reader) Run(ctx context.Context, emit func(keystroke.Event)) error {
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("evdev: Run called while running")
	}
	defer r.running.Store(false)
	if _, err := listNodes(r.root); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg     sync.WaitGroup
		emitMu sync.Mutex
	)
	send := func(e keystroke.Event) {
		emitMu.Lock()
		defer emitMu.Unlock()
		emit(e)
	}
	var tick <-chan time.Time
	if r.rescan > 0 {
		t := time.NewTicker(r.rescan)
		defer t.Stop()
		tick = t.C
	}
	st := scanState{seen: map[nodeID]bool{}, reported: map[nodeID]bool{}}
	for {
		r.scan(ctx, &st, func(f *os.File, d keystroke.Device) {
			wg.Go(func() { r.read(ctx, f, d, send) })
		})
		select {
		case <-ctx.Done():
			cancel()
			wg.Wait()
			return nil
		case <-tick:
		}
	}
}

// nodeID identifies a device node; see nodeOf.
type nodeID struct {
	path      string
	ino, rdev uint64
}

// node is one dev/input/eventN entry.
type node struct {
	name string // "event3"
	num  int    // 3
	id   nodeID
}

// listNodes lists root/dev/input/event*, ordered by number.
func listNodes(root string) ([]node, error) {
	dir := filepath.Join(root, "dev", "input")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list input devices: %w", err)
	}
	var out []node
	for _, e := range ents {
		num, ok := strings.CutPrefix(e.Name(), "event")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 {
			continue
		}
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p)
		if err != nil {
			continue // gone since the listing
		}
		out = append(out, node{name: e.Name(), num: n, id: nodeOf(p, fi)})
	}
	slices.SortFunc(out, func(a, b node) int { return a.num - b.num })
	return out, nil
}

// scanState is what Run remembers between scans.
type scanState struct {
	seen       map[nodeID]bool // opened, or not a keyboard: not looked at again
	reported   map[nodeID]bool // logged once as a keyboard that cannot be opened
	listFailed bool
}

// scan opens the keyboards under the root that st has not seen and hands
// each to start.
func (r *Reader) scan(ctx context.Context, st *scanState, start func(*os.File, keystroke.Device)) {
	nodes, err := listNodes(r.root)
	if err != nil {
		if !st.listFailed {
			r.log.Warn("cannot list keyboards", "err", err)
		}
		st.listFailed = true
		return
	}
	st.listFailed = false
	present := make(map[nodeID]bool, len(nodes))
	for _, n := range nodes {
		present[n.id] = true
		if st.seen[n.id] || ctx.Err() != nil {
			continue
		}
		path := "/dev/input/" + n.name
		in, err := readInfo(r.root, n.name)
		if err != nil {
			if !st.reported[n.id] {
				r.log.Warn("cannot tell whether input device is a keyboard", "path", path, "err", err)
				st.reported[n.id] = true
			}
			continue
		}
		if !in.keyboard {
			st.seen[n.id] = true
			continue
		}
		dev := in.device(path)
		f, err := openDevice(n.id.path)
		if err != nil {
			if !st.reported[n.id] {
				r.log.Warn("cannot open keyboard", "path", path, "name", dev.Name, "err", err)
				st.reported[n.id] = true
			}
			continue
		}
		st.seen[n.id] = true
		dev, ok := r.add(dev)
		if !ok {
			f.Close()
			r.log.Warn("too many keyboards, not reading this one", "path", path, "name", dev.Name, "limit", math.MaxUint16+1)
			continue
		}
		r.log.Info("keyboard opened", "path", path, "number", dev.Number, "name", dev.Name,
			"provenance", dev.Prov.String(), "bus", dev.Bus, "bus_claimed", in.claimedBus(), "phys", in.phys,
			"vendor", fmt.Sprintf("%04x", dev.VendorID), "product", fmt.Sprintf("%04x", dev.ProductID))
		start(f, dev)
	}
	for id := range st.seen {
		if !present[id] {
			delete(st.seen, id)
		}
	}
	for id := range st.reported {
		if !present[id] {
			delete(st.reported, id)
		}
	}
}

// read reads one device until its stream ends or ctx is done, then closes
// it.
func (r *Reader) read(ctx context.Context, f *os.File, dev keystroke.Device, emit func(keystroke.Event)) {
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer func() {
		if stop() {
			f.Close()
		}
	}()
	err := readStream(f, native, newTracker(dev.Number, dev.Prov), emit)
	switch {
	case ctx.Err() != nil:
	case errors.Is(err, io.EOF):
		r.log.Debug("keyboard stream ended", "path", dev.Path, "number", dev.Number)
	case errors.Is(err, syscall.ENODEV):
		r.log.Info("keyboard removed", "path", dev.Path, "number", dev.Number)
	default:
		r.log.Warn("keyboard read failed", "path", dev.Path, "number", dev.Number, "err", err)
	}
}

// Keyboards lists the keyboards under root (use "/") with their
// provenance, in device-node order, without opening them: the agent's
// status command shows it. Number is the position in this list, not a
// Reader's numbering. Devices whose sysfs metadata cannot be read are left
// out, since nothing says they are keyboards.
func Keyboards(root string) ([]keystroke.Device, error) {
	nodes, err := listNodes(root)
	if err != nil {
		return nil, err
	}
	var out []keystroke.Device
	for _, n := range nodes {
		in, err := readInfo(root, n.name)
		if err != nil || !in.keyboard {
			continue
		}
		d := in.device("/dev/input/" + n.name)
		d.Number = uint16(min(len(out), math.MaxUint16))
		out = append(out, d)
	}
	return out, nil
}
