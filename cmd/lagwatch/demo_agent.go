package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/netpath"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// demoAgent is the demo's stand-in for lagwatch-agent: it speaks the real
// wire protocol over real TCP (enrol, server-timed probes, batches with its
// own RTT samples and a heartbeat) from the device's network position.
type demoAgent struct {
	hc       *http.Client
	urls     []string
	names    []string
	token    string
	hostname string
	log      *slog.Logger

	mu         sync.Mutex
	credential string
}

func newDemoAgent(nw *netpath.Net, j int, urls []string, lms []demoLandmark, delays []time.Duration, token, _ string, worker string, log *slog.Logger) (*demoAgent, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute}
	if nw != nil {
		tr.DialContext = nw.Dialer(nw.AddrB(j))
	} else {
		// Application-layer delay: each landmark URL gets its own one-way delay.
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
	names := make([]string, len(lms))
	for i, l := range lms {
		names[i] = l.name
	}
	return &demoAgent{hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}, urls: urls, names: names, token: token, hostname: worker + "-laptop", log: log}, nil
}

// Run enrols, then every second probes each landmark twice and sends it a batch.
func (a *demoAgent) Run(ctx context.Context) error {
	var resp wire.EnrolResponse
	req := wire.EnrolRequest{Version: 1, Token: a.token, Hostname: a.hostname, OS: "linux/amd64", AgentVersion: "demo"}
	if err := a.call(ctx, http.MethodPost, a.urls[0]+wire.PathEnrol, req, &resp); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	a.mu.Lock()
	a.credential = resp.Credential
	a.mu.Unlock()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		var wg sync.WaitGroup
		for i := range a.urls {
			wg.Go(func() {
				if err := a.round(ctx, i); err != nil && ctx.Err() == nil {
					a.log.Debug("demo agent round", "landmark", a.names[i], "err", err)
				}
			})
		}
		wg.Wait()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (a *demoAgent) round(ctx context.Context, i int) error {
	var samples []wire.Sample
	for range 2 {
		start := time.Now()
		var ch wire.ProbeChallenge
		if err := a.call(ctx, http.MethodGet, a.urls[i]+wire.PathProbe, nil, &ch); err != nil {
			return err
		}
		got := time.Now()
		var pr wire.ProbeResult
		if err := a.call(ctx, http.MethodPost, a.urls[i]+wire.PathProbe+"/"+ch.Nonce, nil, &pr); err != nil {
			return err
		}
		samples = append(samples, wire.Sample{Landmark: a.names[i], At: start.UTC(), RTTMicros: max(1, got.Sub(start).Microseconds())})
	}
	id := make([]byte, 12)
	rand.Read(id)
	b := wire.Batch{Version: 1, BatchID: base64.RawURLEncoding.EncodeToString(id), Samples: samples,
		Heartbeat: &wire.Heartbeat{At: time.Now().UTC(), Hostname: a.hostname, OS: "linux/amd64", AgentVersion: "demo"}}
	var br wire.BatchResponse
	return a.call(ctx, http.MethodPost, a.urls[i]+wire.PathBatches, b, &br)
}

func (a *demoAgent) call(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	a.mu.Lock()
	if a.credential != "" {
		req.Header.Set("Authorization", "Bearer "+a.credential)
	}
	a.mu.Unlock()
	res, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, url, res.Status, bytes.TrimSpace(data))
	}
	return json.Unmarshal(data, out)
}

// delayConn adds a one-way delay to each direction of a connection at the
// application layer: before every write and after every read.
type delayConn struct {
	net.Conn
	oneWay time.Duration
}

func (c *delayConn) Write(p []byte) (int, error) {
	time.Sleep(c.oneWay)
	return c.Conn.Write(p)
}

func (c *delayConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		time.Sleep(c.oneWay)
	}
	return n, err
}
