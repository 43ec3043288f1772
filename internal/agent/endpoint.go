package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lagwatch/lagwatch/internal/endpoint/hardware"
	"github.com/lagwatch/lagwatch/internal/endpoint/remote"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// EndpointConfig configures [EndpointSnapshot].
type EndpointConfig struct {
	// Root is the file system root the scanners read proc/, sys/ and dev/
	// under: "/" in production, a fixture tree in tests.
	Root string
	// ExtraIdentifiers is an owner's file of IP-KVM identifiers to match
	// besides the embedded defaults; "" for none.
	ExtraIdentifiers string
	// KernelRTT returns the kernel's RTTs of remote-access sessions'
	// sockets by inode; nil means the kernel's own (remote.SockDiagRTTs)
	// when Root is "/" and none otherwise.
	KernelRTT func(ctx context.Context, inodes []uint64) (map[uint64]remote.KernelRTT, error)
	Logger    *slog.Logger
}

// EndpointSnapshot returns a function that takes an endpoint report:
// remote-access tools with their sessions' kernel RTTs, USB devices and
// displays. A scanner that fails leaves its part empty and the error is
// returned with whatever the others found.
func EndpointSnapshot(cfg EndpointConfig) func(context.Context) (wire.EndpointReport, error) {
	return func(ctx context.Context) (wire.EndpointReport, error) {
		rep := wire.EndpointReport{At: time.Now().UTC(), RemoteTools: []wire.RemoteTool{}}
		var errs []error
		tools, err := remote.Scan(ctx, remote.Config{Root: cfg.Root, KernelRTT: cfg.KernelRTT, Logger: cfg.Logger})
		if err != nil {
			errs = append(errs, fmt.Errorf("remote-access tools: %w", err))
		}
		wireTools(&rep, tools)
		hw, err := hardware.Scan(ctx, hardware.Config{Root: cfg.Root, ExtraIdentifiers: cfg.ExtraIdentifiers, Logger: cfg.Logger})
		if err != nil {
			errs = append(errs, fmt.Errorf("hardware: %w", err))
		}
		wireHardware(&rep, hw)
		return rep, errors.Join(errs...)
	}
}

// wireTools adds tools to rep within the wire limits; tools with
// established sessions come first so that a truncated list keeps them.
func wireTools(rep *wire.EndpointReport, tools []remote.Tool) {
	for pass := range 2 {
		for _, t := range tools {
			if (len(t.Sessions) > 0) != (pass == 0) || len(rep.RemoteTools) == wire.MaxRemoteTools {
				continue
			}
			wt := wire.RemoteTool{
				Name:      clean(t.Name, wire.MaxNameLen),
				Catalog:   t.Catalog,
				PID:       t.PID,
				Process:   clean(t.Process, wire.MaxNameLen),
				Listening: []string{},
				Sessions:  []wire.RemoteSession{},
			}
			for _, l := range t.Listening[:min(len(t.Listening), wire.MaxListeners)] {
				wt.Listening = append(wt.Listening, l.String())
			}
			for _, s := range t.Sessions[:min(len(t.Sessions), wire.MaxSessions)] {
				wt.Sessions = append(wt.Sessions, wire.RemoteSession{
					Local:        s.Local.String(),
					Remote:       s.Remote.String(),
					RTTMicros:    min(s.RTT.Microseconds(), wire.MaxRTTMicros),
					MinRTTMicros: min(s.MinRTT.Microseconds(), wire.MaxRTTMicros),
					RTTVarMicros: min(s.RTTVar.Microseconds(), wire.MaxRTTMicros),
				})
			}
			rep.RemoteTools = append(rep.RemoteTools, wt)
		}
	}
}

// wireHardware adds the USB devices and displays of r to rep, within the
// wire limits; devices that match a known IP-KVM come first so that a
// truncated list keeps them.
func wireHardware(rep *wire.EndpointReport, r hardware.Report) {
	rep.USB = []wire.USBDevice{}
	rep.Displays = []wire.Display{}
	for pass := range 2 {
		for _, d := range r.USB {
			if (d.Match != nil) != (pass == 0) || len(rep.USB) == wire.MaxUSBDevices {
				continue
			}
			rep.USB = append(rep.USB, wire.USBDevice{
				Path:         clean(d.Path, wire.MaxNameLen),
				VendorID:     d.VendorID,
				ProductID:    d.ProductID,
				Manufacturer: clean(d.Manufacturer, wire.MaxNameLen),
				Product:      clean(d.Product, wire.MaxNameLen),
				Serial:       clean(d.Serial, wire.MaxNameLen),
				HID:          d.HID,
				Match:        wireMatch(d.Match),
			})
		}
		for _, d := range r.Displays {
			if (d.Match != nil) != (pass == 0) || len(rep.Displays) == wire.MaxDisplays {
				continue
			}
			rep.Displays = append(rep.Displays, wire.Display{
				Connector:    clean(d.Connector, wire.MaxNameLen),
				Manufacturer: d.Manufacturer,
				ProductCode:  d.ProductCode,
				Name:         clean(d.Name, wire.MaxNameLen),
				Serial:       clean(d.Serial, wire.MaxNameLen),
				Match:        wireMatch(d.Match),
			})
		}
	}
}

func wireMatch(m *hardware.Match) *wire.HardwareMatch {
	if m == nil {
		return nil
	}
	return &wire.HardwareMatch{
		Device:   clean(m.Device, wire.MaxNameLen),
		Rule:     clean(m.Rule, wire.MaxNameLen),
		Evidence: clean(m.Evidence, wire.MaxEvidenceLen),
		Strength: m.Strength,
	}
}
