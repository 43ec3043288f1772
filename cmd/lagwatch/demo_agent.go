package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/lab/devicesim"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/netpath"
)

// newDemoAgent returns the real agent for scenario j, with its state under
// dir, reaching the landmark servers from the device's network position:
// side B of the demo's network paths, or with an application-layer delay
// per landmark when there are no network namespaces.
//
// The laptop's endpoint (remote-access tools, USB devices) and the person
// at its keyboard are simulated (package devicesim); the agent's scanners
// and input pipeline that read them are the real ones.
func newDemoAgent(nw *netpath.Net, j int, urls []string, delays []time.Duration, token, dir string, s demoScenario, band *latency.Band, log *slog.Logger) (*agent.Agent, error) {
	worker := s.workerID
	root := filepath.Join(dir, "laptop-"+worker)
	kernelRTT, err := s.laptop(band).WriteRoot(root)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute}
	if nw != nil {
		tr.DialContext = nw.Dialer(nw.AddrB(j))
	} else {
		byAddr := map[string]time.Duration{}
		for i, u := range urls {
			byAddr[u[len("http://"):]] = delays[i] / 2
		}
		var d net.Dialer
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &delayConn{Conn: c, oneWay: byAddr[addr]}, nil
		}
	}
	return agent.New(agent.Config{
		Servers:          urls,
		Token:            token,
		StateDir:         filepath.Join(dir, "agent-"+worker),
		Interval:         time.Second,
		Probes:           2,
		HTTPClient:       &http.Client{Transport: tr, Timeout: 30 * time.Second},
		Hostname:         worker + "-laptop",
		AgentVersion:     "demo",
		Logger:           log.With("agent", worker),
		Inputs:           []agent.InputSource{devicesim.NewTypist(s.keyboard, uint64(j+1))},
		Window:           demoInputWindow,
		Endpoint:         agent.EndpointSnapshot(agent.EndpointConfig{Root: root, KernelRTT: kernelRTT, Logger: log}),
		EndpointInterval: demoInputWindow,
	})
}

// demoInputWindow is the length of the demo agents' input windows and the
// interval of their endpoint scans: short, so that the dashboard fills
// within a minute.
const demoInputWindow = 10 * time.Second

// delayConn adds a one-way delay to each direction of a connection at the
// application layer: before every write and after every read.
type delayConn struct {
	net.Conn
	oneWay time.Duration
}

// Write waits the one-way delay, then writes p.
func (c *delayConn) Write(p []byte) (int, error) {
	time.Sleep(c.oneWay)
	return c.Conn.Write(p)
}

// Read reads, then waits the one-way delay before returning data.
func (c *delayConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		time.Sleep(c.oneWay)
	}
	return n, err
}
