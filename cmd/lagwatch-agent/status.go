package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/input/evdev"
	"github.com/lagwatch/lagwatch/internal/input/xdisplay"
	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// status prints what the running agent reports about itself (its status
// file) and then what a scan of the device finds now.
func status(ctx context.Context, cfg Config, w io.Writer) error {
	st, err := agent.LoadState(cfg.StateDir)
	if err != nil {
		return err
	}
	if st.DeviceID != "" {
		fmt.Fprintf(w, "enrolled:     device %s at %s (landmark %s), signing key %v\n", st.DeviceID, st.Server, st.Landmark, st.PrivateKey != "")
	} else {
		fmt.Fprintln(w, "enrolled:     no")
	}
	s, err := agent.ReadStatus(cfg.StateDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintln(w, "agent:        no status file; the agent has not run with this state directory")
	case err != nil:
		return err
	default:
		printStatus(w, s)
	}

	fmt.Fprintln(w, "\nseen on this device now:")
	printLive(ctx, w, cfg)
	return nil
}

func printStatus(w io.Writer, s agent.Status) {
	age := time.Since(s.UpdatedAt).Round(time.Second)
	state := "running"
	if age > 30*time.Second {
		state = "not running, or stuck"
	}
	fmt.Fprintf(w, "agent:        %s (pid %d, status written %v ago)\n", state, s.PID, age)
	if !s.LastUpload.IsZero() {
		fmt.Fprintf(w, "last upload:  %s to %s\n", s.LastUpload.Local().Format(time.DateTime), s.Server)
	}
	if s.LastUploadError != "" {
		fmt.Fprintf(w, "last error:   %s: %s\n", s.LastUploadErrorAt.Local().Format(time.DateTime), s.LastUploadError)
	}
	if s.Rejected > 0 {
		fmt.Fprintf(w, "rejected:     %d batches refused by the server (see the agent's log)\n", s.Rejected)
	}
	if sp := s.Spool; sp != nil {
		fmt.Fprintf(w, "spool:        %d batches waiting, %d of %d bytes\n", sp.Items, sp.Bytes, sp.MaxBytes)
		for _, k := range slices.Sorted(maps.Keys(sp.Kinds)) {
			ks := sp.Kinds[k]
			fmt.Fprintf(w, "  %-9s   %d spooled, %d sent, %d dropped because the spool was full\n", k, ks.Put.Items, ks.Acked.Items, ks.Dropped.Items)
		}
	}
	for _, in := range s.Inputs {
		fmt.Fprintf(w, "input %-6s  %d strokes, %d windows sent, %d strokes dropped", in.Source, in.Strokes, in.Windows, in.Dropped)
		if in.Error != "" {
			fmt.Fprintf(w, "; last error: %s", in.Error)
		}
		fmt.Fprintln(w)
		printDevices(w, in.Devices)
	}
	if s.Endpoint != nil {
		fmt.Fprintf(w, "last endpoint scan at %s:\n", s.Endpoint.At.Local().Format(time.DateTime))
		printEndpoint(w, *s.Endpoint)
	}
}

func printDevices(w io.Writer, devs []keystroke.Device) {
	for _, d := range devs {
		ids := ""
		if d.VendorID != 0 || d.ProductID != 0 {
			ids = fmt.Sprintf(" %04x:%04x", d.VendorID, d.ProductID)
		}
		fmt.Fprintf(w, "  %-9s   %s (%s%s) %s\n", d.Prov, d.Name, d.Bus, ids, d.Path)
	}
}

// printLive scans the device now, as the agent would.
func printLive(ctx context.Context, w io.Writer, cfg Config) {
	kbs, err := evdev.Keyboards(cfg.Root)
	switch {
	case err != nil:
		fmt.Fprintf(w, "keyboards:    cannot list: %v\n", err)
	case len(kbs) == 0:
		fmt.Fprintln(w, "keyboards:    none in /dev/input")
	default:
		fmt.Fprintf(w, "keyboards:    %d\n", len(kbs))
		printDevices(w, kbs)
	}
	xs, err := xdisplay.Find(filepath.Join(cfg.Root, "proc"))
	switch {
	case err != nil:
		fmt.Fprintf(w, "X servers:    cannot list: %v\n", err)
	case len(xs) == 0:
		fmt.Fprintln(w, "X servers:    none running")
	default:
		for _, x := range xs {
			fmt.Fprintf(w, "X server:     %s (%s, pid %d, auth %s)\n", x.Display, x.Program, x.PID, cmpOr(x.AuthFile, "none"))
		}
	}
	snap := agent.EndpointSnapshot(agent.EndpointConfig{Root: cfg.Root, ExtraIdentifiers: cfg.KVMIdentifiers, Logger: slog.New(slog.DiscardHandler)})
	rep, err := snap(ctx)
	if err != nil {
		fmt.Fprintf(w, "scan errors:  %v\n", err)
	}
	printEndpoint(w, rep)
}

func printEndpoint(w io.Writer, rep wire.EndpointReport) {
	if len(rep.RemoteTools) == 0 {
		fmt.Fprintln(w, "remote access: no known remote-access tool running")
	}
	for _, t := range rep.RemoteTools {
		fmt.Fprintf(w, "remote access: %s (%s catalogue), process %s pid %d", t.Name, t.Catalog, t.Process, t.PID)
		if len(t.Listening) > 0 {
			fmt.Fprintf(w, ", listening on %s", strings.Join(t.Listening, ", "))
		}
		fmt.Fprintln(w)
		for _, s := range t.Sessions {
			fmt.Fprintf(w, "  session from %s: kernel RTT %.1f ms (min %.1f ms)\n", s.Remote, float64(s.RTTMicros)/1000, float64(s.MinRTTMicros)/1000)
		}
	}
	fmt.Fprintf(w, "USB devices:  %d\n", len(rep.USB))
	for _, d := range rep.USB {
		fmt.Fprintf(w, "  %s %s:%s %s %s", d.Path, d.VendorID, d.ProductID, d.Manufacturer, d.Product)
		if d.Match != nil {
			fmt.Fprintf(w, "  MATCH %s: %s", d.Match.Device, d.Match.Evidence)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "displays:     %d\n", len(rep.Displays))
	for _, d := range rep.Displays {
		fmt.Fprintf(w, "  %s %s %s %s", d.Connector, d.Manufacturer, d.ProductCode, d.Name)
		if d.Match != nil {
			fmt.Fprintf(w, "  MATCH %s: %s", d.Match.Device, d.Match.Evidence)
		}
		fmt.Fprintln(w)
	}
}
