package agent_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/netpath"
	"github.com/lagwatch/lagwatch/internal/store"
)

// TestNetpathAgent runs the real agent against a landmark server across a
// real 50 ms one-way delay (package netpath) and checks that all three
// kinds of samples it leads to, agent, server-app and server-tcp, have a
// minimum of 100 ms ± 10 % and none is below it.
func TestNetpathAgent(t *testing.T) {
	if err := netpath.Available(); err != nil {
		t.Skip(err)
	}
	const oneWay = 50 * time.Millisecond
	ctx := t.Context()
	n, err := netpath.New(ctx, netpath.Config{Prefix: "lw-agent-test", Default: netpath.Link{Delay: oneWay}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()

	st := openStore(t)
	ing, err := ingest.New(st, ingest.Config{Landmark: landmarkUS})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := n.Listen(ctx, "tcp", netip.AddrPortFrom(n.AddrB(0), 0))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: ing.Handler(), ConnContext: ing.ConnContext, ReadHeaderTimeout: 10 * time.Second}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve() = %v", err)
		}
	})
	tr := &http.Transport{DialContext: n.Dialer(n.AddrA(0))}
	defer func() {
		tr.CloseIdleConnections()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown() = %v", err)
		}
		wg.Wait()
	}()

	const probes = 5
	a, err := agent.New(agent.Config{
		Servers:    []string{"http://" + ln.Addr().String()},
		Token:      token,
		StateDir:   t.TempDir(),
		Interval:   time.Hour, // one round
		Probes:     probes,
		HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	var deviceID string
	runAgent(t, a, func() bool {
		devs, err := st.Devices(t.Context())
		if err != nil || len(devs) != 1 {
			return false
		}
		deviceID = devs[0].ID
		return len(byProvenance(t, st, deviceID)[landmarkUS.Name][store.Agent]) == probes
	})

	// Verdicts use the minimum of each kind, so that is what must match;
	// no sample may be faster than the path. Single samples may be late
	// when the machine is busy (the forwarder runs in this process).
	got := byProvenance(t, st, deviceID)[landmarkUS.Name]
	want, tol := 2*oneWay, 2*oneWay/10
	for _, p := range []store.Provenance{store.Agent, store.ServerApp, store.ServerTCP} {
		if len(got[p]) == 0 {
			t.Errorf("no %s samples", p)
			continue
		}
		lo := got[p][0]
		for _, rtt := range got[p] {
			t.Logf("%s %v", p, rtt)
			lo = min(lo, rtt)
			if rtt < want-tol {
				t.Errorf("%s sample %v is faster than the %v path allows", p, rtt, want)
			}
		}
		if lo > want+tol {
			t.Errorf("%s minimum %v, want %v ± %v", p, lo, want, tol)
		}
	}
}
