package xi2

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// ErrUnsupported is returned by [Open] when the X server lacks XInput 2.1
// or later, which raw events from every device need.
var ErrUnsupported = errors.New("xi2: X server does not support XInput 2.1")

// Config says which X display to read and how to reach it. The zero value
// reads $DISPLAY with $XAUTHORITY (or ~/.Xauthority).
type Config struct {
	// Display is the X display, as in $DISPLAY (":0", "host:1.0"); empty
	// means $DISPLAY.
	Display string
	// Xauthority is the file with MIT-MAGIC-COOKIE-1 cookies; empty means
	// $XAUTHORITY, else ~/.Xauthority. A missing file means no cookie.
	Xauthority string
	// SocketDir holds the local displays' unix sockets; empty means
	// DefaultSocketDir.
	SocketDir string
	// Hostname is matched against the Xauthority's local entries; empty
	// means os.Hostname.
	Hostname string
	// Logger receives warnings; nil discards them. Nothing logged names a
	// key.
	Logger *slog.Logger

	sysfs string // root of sysfs, "/sys" if empty; tests change it
}

// maxHeld bounds the strokes held back while the reader waits for device
// information; beyond it the oldest go out with what is known.
const maxHeld = 256

// Reader reads key timing from an X display through XInput 2 raw events.
// Make one with [Open]; call [Reader.Run] once. [Reader.Devices] and
// [Reader.Name] are safe for concurrent use.
type Reader struct {
	log   *slog.Logger
	c     *conn
	disp  display
	local bool // the X server runs on this machine
	sysfs string
	xi    uint8 // XInputExtension major opcode

	atomNode, atomProduct uint32 // 0 when the server has no such atom

	// The fields below belong to the goroutine in Open, then Run.
	inflight   []pending
	querying   bool // an XIQueryDevice is in flight
	requery    bool // the hierarchy changed since it was sent
	held       []stroke
	keys       keyTracker
	byID       map[uint16]int // current XI device ID -> index in devs
	overflow   int            // index of the overflow device, -1 if none
	emit       func(keystroke.Event)
	warnedDrop bool

	mu   sync.Mutex
	devs []keystroke.Device // append-only; Event.Device indexes it

	running   atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// pending is a request the server has not finished answering.
type pending struct {
	seq   uint64
	what  string
	reply func(h, body []byte) error // nil for requests without a reply
	fail  func(e xError) error
}

// Open connects to the X display, checks for XInput 2.1, selects raw key
// and hierarchy events on the root window and lists the input devices.
// ctx bounds the connection and setup only. It reads the environment
// ($DISPLAY, $XAUTHORITY, $HOME) for fields of cfg left empty.
func Open(ctx context.Context, cfg Config) (*Reader, error) {
	if cfg.Display == "" {
		cfg.Display = os.Getenv("DISPLAY")
	}
	disp, err := parseDisplay(cfg.Display)
	if err != nil {
		return nil, err
	}
	if cfg.Xauthority == "" {
		cfg.Xauthority = os.Getenv("XAUTHORITY")
	}
	if cfg.Xauthority == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cfg.Xauthority = filepath.Join(home, ".Xauthority")
		}
	}
	if cfg.SocketDir == "" {
		cfg.SocketDir = DefaultSocketDir
	}
	if cfg.Hostname == "" {
		cfg.Hostname, _ = os.Hostname()
	}
	if cfg.sysfs == "" {
		cfg.sysfs = "/sys"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cookie, err := readCookie(cfg.Xauthority, disp, cfg.Hostname)
	if err != nil {
		return nil, err
	}
	nc, err := dial(ctx, disp, cfg.SocketDir)
	if err != nil {
		return nil, err
	}
	stop := deadlineFrom(ctx, nc)
	c, err := handshake(ctx, nc, cookie)
	if err != nil {
		stop()
		nc.Close()
		return nil, fmt.Errorf("connect to X display %s: %w", disp, err)
	}
	r := &Reader{
		log:      log.With("display", disp.String()),
		c:        c,
		disp:     disp,
		local:    disp.local() || disp.loopback(),
		sysfs:    cfg.sysfs,
		byID:     make(map[uint16]int),
		overflow: -1,
	}
	err = r.init()
	stop()
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("X display %s: %w", disp, ctxErr(ctx, err))
	}
	return r, nil
}

// init runs the XInput 2 setup requests and waits for their answers.
func (r *Reader) init() error {
	var ext extensionInfo
	err := r.request(queryExtensionReq("XInputExtension"), "QueryExtension XInputExtension",
		func(h, _ []byte) error { ext = decodeQueryExtension(h); return nil }, nil)
	if err == nil {
		err = r.wait()
	}
	if err != nil {
		return err
	}
	if !ext.present {
		return fmt.Errorf("no XInputExtension: %w", ErrUnsupported)
	}
	r.xi = ext.opcode
	var major, minor uint16
	err = r.request(xiQueryVersionReq(r.xi, 2, 2), "XIQueryVersion",
		func(h, _ []byte) error { major, minor = decodeQueryVersion(h); return nil }, nil)
	for _, a := range []struct {
		name string
		atom *uint32
	}{{propDeviceNode, &r.atomNode}, {propProductID, &r.atomProduct}} {
		if err == nil {
			err = r.request(internAtomReq(a.name, true), "InternAtom "+a.name,
				func(h, _ []byte) error { *a.atom = decodeInternAtom(h); return nil }, nil)
		}
	}
	if err == nil {
		err = r.wait()
	}
	if err != nil {
		return err
	}
	if major < 2 || major == 2 && minor < 1 {
		return fmt.Errorf("XInput version %d.%d, want 2.1: %w", major, minor, ErrUnsupported)
	}
	// Raw key events on the master devices carry the slave they came from
	// as sourceid, so every stroke arrives once. Hierarchy events are sent
	// for XIAllDevices only.
	err = r.request(xiSelectEventsReq(r.xi, r.c.setup.root, []evMask{
		{device: xiAllDevices, events: []int{evHierarchyChanged}},
		{device: xiAllMasterDevices, events: []int{evRawKeyPress, evRawKeyRelease}},
	}), "XISelectEvents", nil, nil)
	if err == nil {
		err = r.queryDevices()
	}
	if err == nil {
		err = r.wait()
	}
	return err
}

// request sends a request and queues what to do with its answer.
func (r *Reader) request(req []byte, what string, reply func(h, body []byte) error, fail func(xError) error) error {
	seq, err := r.c.send(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	r.inflight = append(r.inflight, pending{seq: seq, what: what, reply: reply, fail: fail})
	return nil
}

// wait handles messages until every request has been answered.
func (r *Reader) wait() error {
	for len(r.inflight) > 0 {
		m, err := r.c.read()
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if err := r.handle(m); err != nil {
			return err
		}
	}
	return nil
}

// Name returns the reader's source name, "x11".
func (r *Reader) Name() string { return "x11" }

// Devices returns the devices the reader has seen, indexed by their
// Number as in keystroke.Event.Device. The list only grows: devices that
// went away stay, so old events still resolve.
func (r *Reader) Devices() []keystroke.Device {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]keystroke.Device(nil), r.devs...)
}

// Close closes the connection. Run closes it when it returns; Close is
// for a Reader that is never run. It is safe to call more than once.
func (r *Reader) Close() error {
	r.closeOnce.Do(func() { r.closeErr = r.c.close() })
	return r.closeErr
}

// Run reads key strokes and calls emit for each, from one goroutine, at
// the key's release, until ctx is done (it then returns nil) or the
// connection fails. emit must not block for long: the X server buffers
// events meanwhile. Run closes the connection when it returns and may be
// called only once.
func (r *Reader) Run(ctx context.Context, emit func(keystroke.Event)) error {
	if emit == nil {
		return errors.New("xi2: Run needs an emit func")
	}
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("xi2: Run called twice")
	}
	defer r.Close()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-ctx.Done():
			r.Close() // unblocks the read below
		case <-done:
		}
	})
	defer func() {
		close(done)
		wg.Wait()
	}()
	r.emit = emit
	r.flush()
	for {
		m, err := r.c.read()
		if err == nil {
			err = r.handle(m)
		} else {
			err = fmt.Errorf("read: %w", err)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("X display %s: %w", r.disp, err)
		}
	}
}

// handle dispatches one message from the server.
func (r *Reader) handle(m msg) error {
	var err error
	switch m.kind() {
	case msgError:
		err = r.answer(m.seq16(), func(p pending) error {
			e := decodeError(m.hdr[:])
			if p.fail != nil {
				return p.fail(e)
			}
			return fmt.Errorf("%s: %w", p.what, e)
		})
	case msgReply:
		err = r.answer(m.seq16(), func(p pending) error {
			if p.reply == nil {
				return fmt.Errorf("%s: reply to a request that has none", p.what)
			}
			return p.reply(m.hdr[:], m.body)
		})
	case msgGeneric:
		err = r.event(m)
	default:
		// Core events nobody selected but every client gets, such as
		// MappingNotify.
	}
	if err != nil || len(r.inflight) > 0 {
		return err
	}
	// Everything asked has been answered: strokes held for it can go,
	// unless the device list is stale; then ask again first.
	if !r.requery {
		r.flush() // may find a source it has never heard of and set requery
	}
	if r.requery {
		return r.queryDevices()
	}
	return nil
}

// answer finds the request a reply or error with the given wire sequence
// number belongs to. Requests before it without a reply have succeeded;
// a request before it that expected a reply means the server skipped it.
func (r *Reader) answer(seq uint16, f func(pending) error) error {
	for i, p := range r.inflight {
		if matches(seq, p.seq) {
			r.inflight = r.inflight[i+1:]
			return f(p)
		}
		if p.reply != nil {
			return fmt.Errorf("answer to request %d arrived before the reply to %s (request %d)", seq, p.what, uint16(p.seq))
		}
	}
	r.inflight = r.inflight[:0]
	return fmt.Errorf("answer to request %d, which is not outstanding", seq)
}

// event handles a generic event.
func (r *Reader) event(m msg) error {
	g := decodeGeneric(m.hdr[:])
	if g.extension != r.xi {
		return nil
	}
	switch g.evtype {
	case evRawKeyPress, evRawKeyRelease:
		k, err := decodeRawKey(m.hdr[:], m.body)
		if err != nil {
			return err
		}
		s, ok := r.keys.add(k)
		if r.keys.dropped > 0 && !r.warnedDrop {
			r.warnedDrop = true
			r.log.Warn("too many keys held down; dropping presses", "limit", maxDown)
		}
		if ok {
			r.stroke(s)
		}
	case evHierarchyChanged:
		if _, err := decodeHierarchy(m.hdr[:], m.body); err != nil {
			return err
		}
		r.requery = true
		if !r.querying {
			return r.queryDevices()
		}
	}
	return nil
}

// stroke emits a finished stroke, or holds it back while device
// information is on its way.
func (r *Reader) stroke(s stroke) {
	if len(r.inflight) > 0 || len(r.held) > 0 || r.emit == nil {
		if len(r.held) == maxHeld && r.emit != nil {
			r.emit(r.resolve(r.held[0]))
			r.held = r.held[1:]
		}
		if len(r.held) < maxHeld {
			r.held = append(r.held, s)
		}
		return
	}
	r.emit(r.resolve(s))
}

// flush emits the held strokes.
func (r *Reader) flush() {
	if r.emit == nil {
		return
	}
	for _, s := range r.held {
		r.emit(r.resolve(s))
	}
	r.held = r.held[:0]
}

// resolve fills in a stroke's device number and provenance. A source the
// reader has not heard of gets a placeholder entry, named when the device
// list is next read.
func (r *Reader) resolve(s stroke) keystroke.Event {
	i, ok := r.byID[s.source]
	if !ok {
		i = r.addDevice(s.source, "")
		r.requery = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := s.ev
	ev.Device, ev.Prov = r.devs[i].Number, r.devs[i].Prov
	return ev
}

// addDevice appends a device to the list and maps the XI ID to it.
func (r *Reader) addDevice(id uint16, name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := len(r.devs)
	switch {
	case i < maxKnownDevices:
		r.devs = append(r.devs, newDevice(i, id, name))
	case r.overflow >= 0:
		i = r.overflow
	default:
		r.overflow = i
		d := newDevice(i, id, "(more devices than the reader lists)")
		d.Prov, d.Bus, d.Path = keystroke.ProvUnknown, "", ""
		r.devs = append(r.devs, d)
	}
	r.byID[id] = i
	return i
}

// queryDevices asks for the device list; the reply updates the registry
// and asks for the properties of devices that may be kernel devices.
func (r *Reader) queryDevices() error {
	r.requery, r.querying = false, true
	return r.request(xiQueryDeviceReq(r.xi, xiAllDevices), "XIQueryDevice", func(h, body []byte) error {
		r.querying = false
		infos, err := decodeQueryDevice(h, body)
		if err != nil {
			return err
		}
		return r.updateDevices(infos)
	}, nil)
}

// updateDevices takes a fresh device list from the server.
func (r *Reader) updateDevices(infos []deviceInfo) error {
	present := make(map[uint16]bool, len(infos))
	for _, d := range infos {
		if !isKeyboard(d) {
			continue
		}
		present[d.id] = true
		i, known := r.byID[d.id]
		switch name := r.deviceName(i, known); {
		case known && name == d.name:
			continue // unchanged
		case known && name == "" && i != r.overflow:
			// A placeholder for a source seen before the device list.
			r.mu.Lock()
			r.devs[i] = newDevice(i, d.id, d.name)
			r.mu.Unlock()
		default:
			if known {
				r.keys.forget(d.id) // the ID now names another device
			}
			i = r.addDevice(d.id, d.name)
		}
		if i == r.overflow || isXTEST(d.name) {
			continue
		}
		if err := r.queryProperties(i, d.id); err != nil {
			return err
		}
	}
	for id, i := range r.byID {
		// Placeholders stay, so that a source the server never lists
		// keeps one entry.
		if !present[id] && r.deviceName(i, true) != "" {
			delete(r.byID, id)
			r.keys.forget(id)
		}
	}
	return nil
}

func (r *Reader) deviceName(i int, known bool) string {
	if !known {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.devs[i].Name
}

// maxPropWords bounds the property values asked for, in 4-byte units.
const maxPropWords = 64

// queryProperties asks for a device's kernel node and product ID; a
// device that vanished in the meantime gets an error, which is ignored.
func (r *Reader) queryProperties(i int, id uint16) error {
	ignore := func(e xError) error {
		r.log.Debug("device property unavailable", "device", id, "err", e)
		return nil
	}
	if r.atomProduct != 0 {
		err := r.request(xiGetPropertyReq(r.xi, id, r.atomProduct, maxPropWords), "XIGetProperty "+propProductID,
			func(h, body []byte) error {
				p, err := decodeGetProperty(h, body)
				if err != nil || p.format != 32 || len(p.data) < 8 {
					return err
				}
				r.mu.Lock()
				r.devs[i].VendorID, r.devs[i].ProductID = uint16(le.Uint32(p.data)), uint16(le.Uint32(p.data[4:]))
				r.mu.Unlock()
				return nil
			}, ignore)
		if err != nil {
			return err
		}
	}
	if r.atomNode != 0 {
		return r.request(xiGetPropertyReq(r.xi, id, r.atomNode, maxPropWords), "XIGetProperty "+propDeviceNode,
			func(h, body []byte) error {
				p, err := decodeGetProperty(h, body)
				if err != nil || p.format != 8 {
					return err
				}
				r.mu.Lock()
				d := r.devs[i]
				r.mu.Unlock()
				applyNode(&d, string(p.data), r.local, r.sysfs)
				r.mu.Lock()
				r.devs[i].Prov, r.devs[i].Bus = d.Prov, d.Bus
				r.mu.Unlock()
				return nil
			}, ignore)
	}
	return nil
}
