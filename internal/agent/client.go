package agent

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/lagwatch/lagwatch/internal/wire"
)

// maxResponseBytes caps the response bodies the client reads.
const maxResponseBytes = 1 << 20

// DefaultHTTPTimeout is the request timeout of the http.Client used when
// none is given.
const DefaultHTTPTimeout = 30 * time.Second

// Client talks to one landmark server. Create it with [NewClient]; it is
// safe for concurrent use.
type Client struct {
	base *url.URL
	hc   *http.Client
}

// NewClient returns a client for the landmark server at baseURL, an http
// or https URL such as "https://us-west.example.com" (a path prefix is
// kept). Requests go through hc, which lets callers choose TLS settings
// and dialers; nil means a client with DefaultHTTPTimeout. Which schemes
// and hosts are acceptable is the caller's policy (see cmd/lagwatch-agent).
func NewClient(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("parse server url %q: %w", baseURL, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("server url %q: scheme must be http or https", baseURL)
	case u.Host == "":
		return nil, fmt.Errorf("server url %q: no host", baseURL)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("server url %q: must not have user info, query or fragment", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if hc == nil {
		hc = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	return &Client{base: u, hc: hc}, nil
}

// URL returns the server's base URL.
func (c *Client) URL() string { return c.base.String() }

// APIError is an error answer from the server: a non-200 status and,
// when the body was a wire error body, its code, field and message.
type APIError struct {
	StatusCode int       // HTTP status
	Code       wire.Code // "" if the body was not a wire error body
	Field      string    // JSON path of the offending field, if the server named one
	Message    string    // the server's message, or the start of a non-wire body
}

// Error returns "server answered 400 invalid_field: samples[3].rtt_us: must be ...".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "server answered %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + string(e.Code))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Temporary reports whether the same request may succeed later: server
// errors (5xx), 429 and 408.
func (e *APIError) Temporary() bool {
	return e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests || e.StatusCode == http.StatusRequestTimeout
}

// Enrol redeems the enrolment token in req and returns the device's ID and
// credential. req.Version is set to wire.Version.
func (c *Client) Enrol(ctx context.Context, req wire.EnrolRequest) (wire.EnrolResponse, error) {
	req.Version = wire.Version
	body, err := c.do(ctx, "POST", wire.PathEnrol, "", req, nil)
	if err != nil {
		return wire.EnrolResponse{}, fmt.Errorf("enrol at %s: %w", c.base, err)
	}
	resp, err := wire.DecodeEnrolResponse(body)
	if err != nil {
		return wire.EnrolResponse{}, fmt.Errorf("enrol at %s: decode response: %w", c.base, err)
	}
	return resp, nil
}

// SendBatch sends b, authenticated with credential. b.Version is set to
// wire.Version. Sending the same batch again is safe: the server answers
// Duplicate and stores nothing new.
func (c *Client) SendBatch(ctx context.Context, credential string, b wire.Batch) (wire.BatchResponse, error) {
	b.Version = wire.Version
	body, err := c.do(ctx, "POST", wire.PathBatches, credential, b, nil)
	if err != nil {
		return wire.BatchResponse{}, fmt.Errorf("send batch %s to %s: %w", b.BatchID, c.base, err)
	}
	resp, err := wire.DecodeBatchResponse(body)
	if err != nil {
		return wire.BatchResponse{}, fmt.Errorf("send batch %s to %s: decode response: %w", b.BatchID, c.base, err)
	}
	return resp, nil
}

// SendBody sends an encoded batch, authenticated with credential and, when
// key is not nil, signed with it (wire.SignatureHeader). id is the batch's
// ID, for errors.
func (c *Client) SendBody(ctx context.Context, credential, id string, body []byte, key ed25519.PrivateKey) (wire.BatchResponse, error) {
	var hdr http.Header
	if key != nil {
		hdr = http.Header{wire.SignatureHeader: {wire.Sign(key, body)}}
	}
	b, err := c.doRaw(ctx, "POST", wire.PathBatches, credential, body, hdr, nil)
	if err != nil {
		return wire.BatchResponse{}, fmt.Errorf("send batch %s to %s: %w", id, c.base, err)
	}
	resp, err := wire.DecodeBatchResponse(b)
	if err != nil {
		return wire.BatchResponse{}, fmt.Errorf("send batch %s to %s: decode response: %w", id, c.base, err)
	}
	return resp, nil
}

// ProbeRTT is the outcome of one probe.
type ProbeRTT struct {
	// Landmark is the server's landmark, as its challenge named it.
	Landmark string
	// At is when the challenge request was sent (wall clock, UTC).
	At time.Time
	// Agent is the RTT measured here, on the monotonic clock: from the
	// challenge request written to the first byte of the response. It
	// includes the server's time to authenticate the request, typically
	// well under a millisecond.
	Agent time.Duration
	// Server is the RTT the server measured and stored: from flushing the
	// challenge to the arrival of the answer.
	Server time.Duration
}

// Probe runs one probe: it fetches a challenge and answers it at once, so
// that the server can time the round trip. Both requests normally share
// one kept-alive connection, so no connection setup is timed.
func (c *Client) Probe(ctx context.Context, credential string) (ProbeRTT, error) {
	var (
		mu          sync.Mutex // the trace hooks run on the transport's goroutines
		wrote, got  time.Time
		traceErrors int
	)
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			mu.Lock()
			defer mu.Unlock()
			if info.Err != nil {
				traceErrors++
			}
			wrote = time.Now()
		},
		GotFirstResponseByte: func() {
			mu.Lock()
			defer mu.Unlock()
			got = time.Now()
		},
	}
	body, err := c.do(ctx, "GET", wire.PathProbe, credential, nil, trace)
	if err != nil {
		return ProbeRTT{}, fmt.Errorf("probe %s: get challenge: %w", c.base, err)
	}
	ch, err := wire.DecodeProbeChallenge(body)
	if err != nil {
		return ProbeRTT{}, fmt.Errorf("probe %s: decode challenge: %w", c.base, err)
	}
	mu.Lock()
	agentRTT := got.Sub(wrote)
	ok := !wrote.IsZero() && !got.IsZero() && agentRTT > 0 && traceErrors == 0
	at := wrote.UTC().Round(0)
	mu.Unlock()

	body, err = c.do(ctx, "POST", wire.PathProbe+"/"+url.PathEscape(ch.Nonce), credential, nil, nil)
	if err != nil {
		return ProbeRTT{}, fmt.Errorf("probe %s: answer challenge: %w", c.base, err)
	}
	res, err := wire.DecodeProbeResult(body)
	if err != nil {
		return ProbeRTT{}, fmt.Errorf("probe %s: decode result: %w", c.base, err)
	}
	if !ok {
		return ProbeRTT{}, fmt.Errorf("probe %s: request timing unavailable", c.base)
	}
	return ProbeRTT{Landmark: ch.Landmark, At: at, Agent: agentRTT, Server: res.RTT()}, nil
}

// do sends one request with an optional JSON body and returns the body of
// a 200 response; any other status becomes an *APIError.
func (c *Client) do(ctx context.Context, method, path, credential string, in any, trace *httptrace.ClientTrace) ([]byte, error) {
	var b []byte
	if in != nil {
		var err error
		if b, err = json.Marshal(in); err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
	}
	return c.doRaw(ctx, method, path, credential, b, nil, trace)
}

// doRaw sends one request with an optional encoded JSON body and extra
// headers, and returns the body of a 200 response; any other status
// becomes an *APIError.
func (c *Client) doRaw(ctx context.Context, method, path, credential string, in []byte, hdr http.Header, trace *httptrace.ClientTrace) ([]byte, error) {
	var body io.Reader
	if in != nil {
		body = bytes.NewReader(in)
	}
	if trace != nil {
		ctx = httptrace.WithClientTrace(ctx, trace)
	}
	u := c.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", wire.ContentType)
	}
	req.Header.Set("Accept", wire.ContentType)
	for k, v := range hdr {
		req.Header[k] = v
	}
	if credential != "" {
		req.Header.Set("Authorization", "Bearer "+credential)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read response: %w", method, u.Redacted(), err)
	}
	if len(b) > maxResponseBytes {
		return nil, fmt.Errorf("%s %s: response exceeds %d bytes", method, u.Redacted(), maxResponseBytes)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, apiError(resp.StatusCode, b)
	}
	return b, nil
}

// apiError builds the error for a non-200 answer. A body that is not a
// wire error body (from a proxy, say) is quoted in part, cleaned.
func apiError(status int, body []byte) *APIError {
	if eb, err := wire.DecodeErrorBody(body); err == nil {
		return &APIError{StatusCode: status, Code: eb.Error.Code, Field: eb.Error.Field, Message: eb.Error.Message}
	}
	msg := strings.ToValidUTF8(string(body[:min(len(body), 200)]), "")
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	return &APIError{StatusCode: status, Message: strings.TrimSpace(msg)}
}
