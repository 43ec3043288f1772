package keylab

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/lab/aalto"
	"github.com/lagwatch/lagwatch/internal/netpath"
	"github.com/lagwatch/lagwatch/internal/relay"
)

// RealPathConfig describes a real-kernel-path check. Zero fields take the
// defaults noted.
type RealPathConfig struct {
	// Paths to test; default RTT 150 ms, loss 1 %, with and without
	// TCP_NODELAY. Jitter and Loss go to netpath; Batch must be 0.
	Paths []relay.Path
	// Participants replayed at once, each on its own connection (default
	// 4, the first ones), and the strokes replayed from each (default 250).
	Participants int
	Keys         int
	// MaxGap caps the silences between strokes to keep the replay short
	// (default 1 s); the model is given the same capped typing.
	MaxGap time.Duration
	Prefix string // netpath prefix, default "lw-keylab"
	Seed   uint64
}

// RealPathRow compares what arrived over the real path with the model
// for the same typing.
type RealPathRow struct {
	Path   string  `json:"path"`
	Source string  `json:"source"` // "model" or "kernel"
	Keys   int     `json:"keys"`
	Ties   float64 `json:"ties_per_100"`
	Bursts float64 `json:"bursts_per_100"`
	Stalls float64 `json:"stall_bursts_per_100"`
	Zero   float64 `json:"zero_holds_pct"`
	// GapP10 and GapP50 are quantiles of the non-tie message gaps.
	GapP10 time.Duration `json:"gap_p10_ns"`
	GapP50 time.Duration `json:"gap_p50_ns"`
	// Estimate is the detector's uncalibrated RTT estimate.
	Estimate string `json:"estimate"`
	// Lost is the number of packets the path dropped (kernel only).
	Lost uint64 `json:"lost,omitempty"`
	// Features summed over the replayed participants.
	Features relay.Features `json:"-"`
}

// RealPathReport is the outcome of [RealPathCheck].
type RealPathReport struct {
	Rows []RealPathRow `json:"rows"`
}

func (c *RealPathConfig) setDefaults() error {
	if len(c.Paths) == 0 {
		p := relay.Path{RTT: 150 * time.Millisecond, Loss: 0.01, AckDelay: relay.DelayedAck}
		q := p
		q.NoDelay = true
		c.Paths = []relay.Path{q, p}
	}
	for _, p := range c.Paths {
		if err := p.Validate(); err != nil {
			return err
		}
		if p.Batch != 0 {
			return fmt.Errorf("real path %v: batching is not supported over the kernel path", p)
		}
	}
	if c.Participants <= 0 {
		c.Participants = 4
	}
	if c.Keys <= 0 {
		c.Keys = 250
	}
	if c.MaxGap <= 0 {
		c.MaxGap = time.Second
	}
	if c.Prefix == "" {
		c.Prefix = "lw-keylab"
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return nil
}

// replayEvents returns the first n strokes with silences capped at maxGap.
func replayEvents(p aalto.Participant, n int, maxGap time.Duration) []keystroke.Event {
	ev := p.Events()
	ev = ev[:min(n, len(ev))]
	var shift time.Duration
	out := make([]keystroke.Event, len(ev))
	for i, e := range ev {
		if i > 0 {
			if gap := e.Press - ev[i-1].Press; gap > maxGap {
				shift += gap - maxGap
			}
		}
		e.Press -= shift
		e.Release -= shift
		out[i] = e
	}
	return out
}

// RealPathCheck replays participants' key events as 8-byte writes (the
// size of an RFB KeyEvent) across a real kernel TCP path between two
// network namespaces, timestamps their arrival at the receiving
// application, and compares the fingerprints with the model's for the same
// typing. It needs root and netpath ([netpath.Available]).
func RealPathCheck(ctx context.Context, participants []aalto.Participant, cfg RealPathConfig) (RealPathReport, error) {
	if err := cfg.setDefaults(); err != nil {
		return RealPathReport{}, err
	}
	if err := netpath.Available(); err != nil {
		return RealPathReport{}, err
	}
	var evs [][]keystroke.Event
	for _, p := range participants {
		if len(evs) == cfg.Participants {
			break
		}
		if len(p.Strokes) >= cfg.Keys {
			evs = append(evs, replayEvents(p, cfg.Keys, cfg.MaxGap))
		}
	}
	if len(evs) == 0 {
		return RealPathReport{}, fmt.Errorf("real path: no participant with %d strokes", cfg.Keys)
	}
	n, err := netpath.New(ctx, netpath.Config{Prefix: cfg.Prefix, Seed: cfg.Seed})
	if err != nil {
		return RealPathReport{}, fmt.Errorf("real path: %w", err)
	}
	defer n.Close()
	var rep RealPathReport
	for pi, p := range cfg.Paths {
		model := RealPathRow{Path: p.String(), Source: "model"}
		for i, ev := range evs {
			model.add(p.Relay(ev, cfg.Seed+uint64(pi*1000+i)))
		}
		model.finish()
		before := n.Stats().AB.Lost
		link := netpath.Link{Delay: p.RTT / 2, Jitter: p.Jitter, Loss: p.Loss}
		if err := n.SetLink(n.AddrA(0), n.AddrB(0), link); err != nil {
			return RealPathReport{}, fmt.Errorf("real path %v: %w", p, err)
		}
		if err := n.SetLink(n.AddrB(0), n.AddrA(0), netpath.Link{Delay: p.RTT / 2, Jitter: p.Jitter}); err != nil {
			return RealPathReport{}, fmt.Errorf("real path %v: %w", p, err)
		}
		got, err := replay(ctx, n, p.NoDelay, evs)
		if err != nil {
			return RealPathReport{}, fmt.Errorf("real path %v: %w", p, err)
		}
		real := RealPathRow{Path: p.String(), Source: "kernel", Lost: n.Stats().AB.Lost - before}
		for _, ev := range got {
			real.add(ev)
		}
		real.finish()
		rep.Rows = append(rep.Rows, model, real)
	}
	return rep, nil
}

func (r *RealPathRow) add(ev []keystroke.Event) {
	var x relay.Extractor
	for _, e := range ev {
		x.Add(e)
	}
	f := x.Cut()
	r.Features.Add(&f)
}

func (r *RealPathRow) finish() {
	f := &r.Features
	r.Keys = f.Keys
	k := float64(max(f.Keys, 1))
	r.Ties = float64(f.Ties) / k * 100
	r.Bursts = float64(f.Bursts) / k * 100
	r.Stalls = float64(f.StallBursts) / k * 100
	r.Zero = float64(f.ZeroHolds) / k * 100
	r.GapP10, r.GapP50 = f.GapQuantile(0.1), f.GapQuantile(0.5)
	d := relay.NewDetector(relay.Priors{})
	d.Score(*f)
	r.Estimate = d.EstimateRTT().String()
}

// replay sends every participant's messages on its own connection from
// side A to side B on the typing's schedule and returns the strokes with
// their arrival times at B.
func replay(ctx context.Context, n *netpath.Net, noDelay bool, evs [][]keystroke.Event) ([][]keystroke.Event, error) {
	ln, err := n.Listen(ctx, "tcp", netip.AddrPortFrom(n.AddrB(0), 0))
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	conns := make([]net.Conn, len(evs))
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	srv := make([]net.Conn, len(evs))
	for i := range evs {
		c, err := n.DialContext(ctx, n.AddrA(0), "tcp", ln.Addr().String())
		if err != nil {
			return nil, err
		}
		conns[i] = c
		if err := c.(*net.TCPConn).SetNoDelay(noDelay); err != nil {
			return nil, fmt.Errorf("set TCP_NODELAY %v: %w", noDelay, err)
		}
		s, err := ln.Accept()
		if err != nil {
			return nil, err
		}
		srv[i] = s
		defer s.Close()
	}
	// Warm up: one round trip per connection so the kernel has an RTT sample.
	for i := range evs {
		if _, err := conns[i].Write(make([]byte, msgLen)); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(srv[i], make([]byte, msgLen)); err != nil {
			return nil, err
		}
	}
	start := time.Now().Add(200 * time.Millisecond)
	out := make([][]keystroke.Event, len(evs))
	errs := make([]error, 2*len(evs))
	var wg sync.WaitGroup
	for i, ev := range evs {
		out[i] = make([]keystroke.Event, len(ev))
		copy(out[i], ev)
		msgs := relay.Messages(nil, ev)
		wg.Go(func() { errs[2*i] = send(ctx, conns[i], msgs, start) })
		wg.Go(func() { errs[2*i+1] = receive(srv[i], out[i], len(msgs), start) })
	}
	// Unblock the receivers if the context ends.
	stop := context.AfterFunc(ctx, func() {
		for _, s := range srv {
			s.SetReadDeadline(time.Now())
		}
	})
	wg.Wait()
	stop()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i] {
			out[i][j].Release = max(out[i][j].Release, out[i][j].Press)
		}
	}
	return out, nil
}

const msgLen = 8

func send(ctx context.Context, c net.Conn, msgs []relay.Message, start time.Time) error {
	var b [msgLen]byte
	t := time.NewTimer(0)
	defer t.Stop()
	<-t.C
	for _, m := range msgs {
		if d := time.Until(start.Add(m.At)); d > 0 {
			t.Reset(d)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
		}
		binary.BigEndian.PutUint32(b[:4], uint32(m.Stroke))
		b[4] = 0
		if m.Down {
			b[4] = 1
		}
		if _, err := c.Write(b[:]); err != nil {
			return fmt.Errorf("send stroke %d: %w", m.Stroke, err)
		}
	}
	return nil
}

// receive reads want messages, setting each stroke's press or release to
// its arrival time since start. A read that returns several messages gives
// them all the same time, as an application reading the socket sees them.
func receive(c net.Conn, out []keystroke.Event, want int, start time.Time) error {
	buf := make([]byte, 4096)
	have := 0
	got := 0
	for got < want {
		nr, err := c.Read(buf[have:])
		at := time.Since(start)
		if err != nil {
			return fmt.Errorf("receive after %d of %d messages: %w", got, want, err)
		}
		have += nr
		k, n, err := parseMessages(buf[:have], out, at)
		if err != nil {
			return fmt.Errorf("receive after %d of %d messages: %w", got, want, err)
		}
		got += n
		have = copy(buf, buf[k:have])
	}
	return nil
}

// parseMessages decodes the whole 8-byte messages at the start of buf
// (stroke index, big-endian uint32; 1 for a press, 0 for a release; three
// bytes of padding), setting each stroke's press or release in out to at.
// It returns the bytes consumed and messages decoded.
func parseMessages(buf []byte, out []keystroke.Event, at time.Duration) (consumed, n int, err error) {
	for ; len(buf)-consumed >= msgLen; consumed += msgLen {
		m := buf[consumed : consumed+msgLen]
		idx := binary.BigEndian.Uint32(m[:4])
		if uint64(idx) >= uint64(len(out)) {
			return consumed, n, fmt.Errorf("message at byte %d: stroke %d is beyond the %d sent", consumed, idx, len(out))
		}
		switch m[4] {
		case 1:
			out[idx].Press = at
		case 0:
			out[idx].Release = at
		default:
			return consumed, n, fmt.Errorf("message at byte %d: kind %d, want 0 (release) or 1 (press)", consumed+4, m[4])
		}
		n++
	}
	return consumed, n, nil
}

// WriteTable writes the comparison.
func (r RealPathReport) WriteTable(w io.Writer) {
	fmt.Fprintln(w, "Real kernel TCP path (netpath) vs model, same typing (silences capped), per 100 strokes")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "path\tsource\tkeys\tties\tbursts\tstalls\tzero holds\tgap p10\tgap p50\tlost\tRTT estimate (raw)\t")
	for _, x := range r.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%.2f\t%.2f\t%.1f%%\t%v\t%v\t%d\t%s\t\n", x.Path, x.Source, x.Keys, x.Ties, x.Bursts, x.Stalls, x.Zero, x.GapP10, x.GapP50, x.Lost, x.Estimate)
	}
	tw.Flush()
}
