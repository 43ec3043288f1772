package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/input/evdev"
	"github.com/lagwatch/lagwatch/internal/input/xdisplay"
	"github.com/lagwatch/lagwatch/internal/input/xi2"
	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// inputSources returns the keyboard readers cfg asks for.
func inputSources(cfg Config, log *slog.Logger) ([]agent.InputSource, error) {
	var out []agent.InputSource
	for _, name := range cfg.Inputs {
		switch name {
		case "evdev":
			r, err := evdev.NewReader(evdev.Config{Root: cfg.Root, Logger: log})
			if err != nil {
				return nil, fmt.Errorf("input evdev: %w", err)
			}
			out = append(out, r)
		case "x11":
			if cfg.X11Display != "off" {
				out = append(out, &x11Source{cfg: cfg, log: log})
			}
		}
	}
	return out, nil
}

// x11Source is the X11 reader attached to whichever display is running:
// each Run finds the display (the agent restarts a reader that stops, so
// a desktop session that starts after the agent, or restarts, is picked
// up), connects and reads until the connection or ctx ends.
type x11Source struct {
	cfg Config
	log *slog.Logger

	mu sync.Mutex
	r  *xi2.Reader
}

// Name returns "x11".
func (s *x11Source) Name() string { return "x11" }

// Devices lists the devices of the display read last; nil before the first.
func (s *x11Source) Devices() []keystroke.Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil {
		return nil
	}
	return s.r.Devices()
}

// Run finds the display, connects and reads it until ctx ends or the
// connection fails.
func (s *x11Source) Run(ctx context.Context, emit func(keystroke.Event)) error {
	display, auth, err := findDisplay(s.cfg)
	if err != nil {
		return err
	}
	r, err := xi2.Open(ctx, xi2.Config{Display: display, Xauthority: auth, SocketDir: filepath.Join(s.cfg.Root, "tmp/.X11-unix"), Logger: s.log})
	if err != nil {
		return fmt.Errorf("connect to X display %s: %w", display, err)
	}
	s.mu.Lock()
	s.r = r
	s.mu.Unlock()
	s.log.Info("reading X11 input", "display", display)
	return r.Run(ctx, emit)
}

// findDisplay returns the X display and authority file to read: the
// configured ones, or those of the first X server running.
func findDisplay(cfg Config) (display, auth string, err error) {
	display, auth = cfg.X11Display, cfg.X11Authority
	if display != "auto" {
		return display, auth, nil
	}
	servers, err := xdisplay.Find(filepath.Join(cfg.Root, "proc"))
	if err != nil {
		return "", "", err
	}
	if len(servers) == 0 {
		return "", "", fmt.Errorf("no X server running (looked for Xorg, Xvfb, Xwayland in %s)", filepath.Join(cfg.Root, "proc"))
	}
	if auth == "" {
		auth = servers[0].AuthFile
	}
	return servers[0].Display, auth, nil
}
