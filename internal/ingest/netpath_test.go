package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/netpath"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// TestNetpathRTT puts a real 50 ms one-way delay between the agent and
// the server (two network namespaces, see package netpath) and checks that
// no server-tcp or server-app RTT the server stores is below 100 ms - 10 %,
// and that the least of each is 100 ms ± 10 %.
func TestNetpathRTT(t *testing.T) {
	if err := netpath.Available(); err != nil {
		t.Skip(err)
	}
	const oneWay = 50 * time.Millisecond
	ctx := t.Context()
	n, err := netpath.New(ctx, netpath.Config{Prefix: "lw-ingest-test", Default: netpath.Link{Delay: oneWay}})
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
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer func() {
		tr.CloseIdleConnections()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown() = %v", err)
		}
		wg.Wait()
	}()
	base := "http://" + ln.Addr().String()

	do := func(method, path, cred string, body any) []byte {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			r = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, base+path, r)
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", wire.ContentType)
		}
		if cred != "" {
			req.Header.Set("Authorization", "Bearer "+cred)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s %s = %d %s, %v", method, path, resp.StatusCode, b, err)
		}
		return b
	}

	enr, err := wire.DecodeEnrolResponse(do("POST", wire.PathEnrol, "", wire.EnrolRequest{Version: 1, Token: token, Hostname: hostname, OS: "linux/amd64", AgentVersion: "1.0.0"}))
	if err != nil {
		t.Fatal(err)
	}
	// A loaded machine only adds delay: every sample is at least the
	// path's, and the minimum, which is what verdicts use, reaches it once
	// the probes get the CPU in time. So up to three rounds of probes run
	// until both minimums are close; a sample below the delay fails at once.
	const probes, rounds = 5, 3
	want, tol := 2*oneWay, 2*oneWay/10
	var got map[store.Provenance][]store.RTTSample
	var problems []string
	for round := 1; round <= rounds; round++ {
		for range probes {
			c, err := wire.DecodeProbeChallenge(do("GET", wire.PathProbe, enr.Credential, nil))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := wire.DecodeProbeResult(do("POST", wire.PathProbe+"/"+c.Nonce, enr.Credential, nil)); err != nil {
				t.Fatal(err)
			}
		}
		do("POST", wire.PathBatches, enr.Credential, wire.Batch{Version: 1, BatchID: fmt.Sprintf("b-%d", round)})

		got = samplesOf(t, st, enr.DeviceID)
		if n := len(got[store.ServerApp]); n != round*probes {
			t.Fatalf("round %d: server-app samples = %d, want %d", round, n, round*probes)
		}
		if n := len(got[store.ServerTCP]); n < 1 {
			t.Fatalf("round %d: server-tcp samples = %d, want at least 1", round, n)
		}
		problems = problems[:0]
		for _, p := range []store.Provenance{store.ServerApp, store.ServerTCP} {
			least := time.Duration(math.MaxInt64)
			for _, x := range got[p] {
				t.Logf("round %d: %s %v", round, p, x.RTT)
				least = min(least, x.RTT)
				if x.RTT < want-tol || x.Landmark != us {
					t.Fatalf("%s sample %v at %s, want at least %v - %v, at %s", p, x.RTT, x.Landmark, want, tol, us)
				}
			}
			if least > want+tol {
				problems = append(problems, fmt.Sprintf("least %s sample %v, want %v ± %v", p, least, want, tol))
			}
		}
		if len(problems) == 0 {
			break
		}
	}
	for _, p := range problems {
		t.Errorf("after %d rounds of %d probes: %s", rounds, probes, p)
	}
	if dev, err := st.Device(ctx, enr.DeviceID); err != nil || dev.LastIP != n.AddrA(0).String() {
		t.Errorf("device LastIP = %q, %v; want the agent's address %s", dev.LastIP, err, n.AddrA(0))
	}
}
