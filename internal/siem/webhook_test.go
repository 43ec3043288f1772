package siem

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var testSecret = []byte("s3cret-key-for-tests")

// receiver is a webhook endpoint that verifies each request and answers
// with the next status of statuses (then 200).
func receiver(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int32, chan []byte) {
	t.Helper()
	var n atomic.Int32
	bodies := make(chan []byte, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want POST application/json", http.StatusBadRequest)
			return
		}
		if err := VerifySignature(testSecret, r.Header.Get(HeaderTimestamp), body, r.Header.Get(HeaderSignature)); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if i < len(statuses) && statuses[i] != http.StatusOK {
			http.Error(w, "try later", statuses[i])
			return
		}
		bodies <- body
	}))
	t.Cleanup(srv.Close)
	return srv, &n, bodies
}

func TestWebhookSuccess(t *testing.T) {
	srv, n, bodies := receiver(t)
	wh := &Webhook{URL: srv.URL, Secret: testSecret, Options: Options{ProductVersion: "0.9.1"}}
	a := testAlert()
	if err := wh.Send(t.Context(), a); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want, err := OCSF(a, wh.Options)
	if err != nil {
		t.Fatal(err)
	}
	if got := <-bodies; string(got) != string(want) {
		t.Errorf("webhook body = %s, want %s", got, want)
	}
	if n.Load() != 1 {
		t.Errorf("requests = %d, want 1", n.Load())
	}
}

func TestWebhookRetryThenSuccess(t *testing.T) {
	srv, n, bodies := receiver(t, http.StatusServiceUnavailable, http.StatusInternalServerError)
	wh := &Webhook{URL: srv.URL, Secret: testSecret, Backoff: time.Millisecond}
	if err := wh.Send(t.Context(), testAlert()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n.Load() != 3 || len(bodies) != 1 {
		t.Errorf("requests = %d, delivered %d; want 3 and 1", n.Load(), len(bodies))
	}
}

func TestWebhookGivesUp(t *testing.T) {
	srv, n, _ := receiver(t, 500, 500, 500, 500, 500)
	wh := &Webhook{URL: srv.URL, Secret: testSecret, Backoff: time.Millisecond, MaxAttempts: 3}
	err := wh.Send(t.Context(), testAlert())
	if err == nil || !strings.Contains(err.Error(), "attempt 3 of 3") || !strings.Contains(err.Error(), "500") {
		t.Errorf("Send to a failing receiver = %v, want a 500 error at attempt 3 of 3", err)
	}
	if n.Load() != 3 {
		t.Errorf("requests = %d, want 3", n.Load())
	}
}

func TestWebhookNoRetryOn4xx(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusNotFound, http.StatusTooManyRequests} {
		srv, n, _ := receiver(t, status)
		wh := &Webhook{URL: srv.URL, Secret: testSecret, Backoff: time.Millisecond}
		err := wh.Send(t.Context(), testAlert())
		if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), strconv.Itoa(status)) {
			t.Errorf("Send to a receiver answering %d = %v, want ErrRejected naming the status", status, err)
		}
		if n.Load() != 1 {
			t.Errorf("requests after %d = %d, want 1", status, n.Load())
		}
	}
	// A wrong secret is a 401 from the verifying receiver: not retried.
	srv, n, _ := receiver(t)
	wh := &Webhook{URL: srv.URL, Secret: []byte("wrong"), Backoff: time.Millisecond}
	if err := wh.Send(t.Context(), testAlert()); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "401") {
		t.Errorf("Send with a wrong secret = %v, want ErrRejected 401", err)
	}
	if n.Load() != 1 {
		t.Errorf("requests with a wrong secret = %d, want 1", n.Load())
	}
}

func TestWebhookNetworkErrorRetries(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	wh := &Webhook{URL: url, Secret: testSecret, Backoff: time.Millisecond, MaxAttempts: 2}
	err := wh.Send(t.Context(), testAlert())
	if err == nil || errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "attempt 2 of 2") {
		t.Errorf("Send to a closed port = %v, want a network error after 2 attempts", err)
	}
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	wh := &Webhook{URL: srv.URL, Secret: testSecret, Timeout: 50 * time.Millisecond, Backoff: time.Millisecond, MaxAttempts: 2}
	start := time.Now()
	err := wh.Send(t.Context(), testAlert())
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("Send to a hanging receiver = %v after %v, want a timeout within 5 s", err, time.Since(start))
	}
}

func TestWebhookConfig(t *testing.T) {
	for _, wh := range []*Webhook{{Secret: testSecret}, {URL: "http://127.0.0.1:1/"}} {
		if err := wh.Send(t.Context(), testAlert()); err == nil || !strings.Contains(err.Error(), "must be set") {
			t.Errorf("Send(url %q, %d-byte secret) = %v, want a must-be-set error", wh.URL, len(wh.Secret), err)
		}
	}
}

func TestVerifySignatureAt(t *testing.T) {
	now := time.Unix(1_770_000_000, 0)
	body := []byte(`{"class_uid":2004}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	good := Sign(testSecret, ts, body)
	old := strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10)
	future := strconv.FormatInt(now.Add(6*time.Minute).Unix(), 10)
	edge := strconv.FormatInt(now.Add(-5*time.Minute).Unix(), 10)
	tests := []struct {
		name     string
		ts       string
		body     []byte
		sig      string
		want     error
		wantText string
	}{
		{"valid", ts, body, good, nil, ""},
		{"edge of window", edge, body, Sign(testSecret, edge, body), nil, ""},
		{"uppercase hex accepted", ts, body, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), nil, ""},
		{"tampered body", ts, []byte(`{"class_uid":2005}`), good, ErrBadSignature, ""},
		{"other timestamp", strconv.FormatInt(now.Unix()+1, 10), body, good, ErrBadSignature, ""},
		{"replayed", old, body, Sign(testSecret, old, body), ErrStale, "window"},
		{"from the future", future, body, Sign(testSecret, future, body), ErrStale, "window"},
		{"no prefix", ts, body, strings.TrimPrefix(good, "sha256="), ErrBadSignature, HeaderSignature},
		{"short", ts, body, good[:20], ErrBadSignature, ""},
		{"not hex", ts, body, "sha256=" + strings.Repeat("zz", 32), ErrBadSignature, ""},
		{"empty ts", "", body, good, ErrStale, HeaderTimestamp},
		{"ts not a number", "12a", body, Sign(testSecret, "12a", body), ErrStale, "decimal Unix seconds"},
		{"ts too long", strings.Repeat("9", 30), body, good, ErrStale, "1 to 20 digits"},
		{"negative ts", "-5", body, Sign(testSecret, "-5", body), ErrStale, ""},
	}
	for _, tt := range tests {
		err := VerifySignatureAt(testSecret, tt.ts, tt.body, tt.sig, now, DefaultReplayWindow)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(errText(err), tt.wantText) {
			t.Errorf("VerifySignatureAt(%s) = %v, want %v containing %q", tt.name, err, tt.want, tt.wantText)
		}
	}
	if err := VerifySignatureAt(nil, ts, body, good, now, DefaultReplayWindow); err == nil {
		t.Error("VerifySignatureAt(empty secret) = nil, want an error")
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FuzzVerifySignature feeds arbitrary headers and bodies to the
// receiver's check: it never panics, accepts what Sign made, and refuses
// anything else.
func FuzzVerifySignature(f *testing.F) {
	now := time.Unix(1_770_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	f.Add(ts, []byte(`{}`), Sign(testSecret, ts, []byte(`{}`)))
	f.Add("", []byte{}, "")
	f.Add("99999999999999999999", []byte("x"), "sha256=00")
	f.Add("-1", []byte("x"), "sha256="+strings.Repeat("0", 64))
	f.Fuzz(func(t *testing.T, ts string, body []byte, sig string) {
		err := VerifySignatureAt(testSecret, ts, body, sig, now, DefaultReplayWindow)
		if err == nil && sig != Sign(testSecret, ts, body) && !strings.EqualFold(sig, Sign(testSecret, ts, body)) {
			t.Fatalf("VerifySignatureAt(%q, %q, %q) accepted a signature Sign did not make", ts, body, sig)
		}
		if err != nil && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrStale) {
			t.Fatalf("VerifySignatureAt(%q, %q, %q) = %v, want ErrBadSignature or ErrStale", ts, body, sig, err)
		}
		good := Sign(testSecret, ts, body)
		err = VerifySignatureAt(testSecret, ts, body, good, now, DefaultReplayWindow)
		sec, perr := strconv.ParseInt(ts, 10, 64)
		inWindow := perr == nil && len(ts) <= maxTimestampLen && sec >= 0 && sec >= now.Unix()-300 && sec <= now.Unix()+300
		if inWindow != (err == nil) {
			t.Fatalf("VerifySignatureAt(%q, own signature) = %v, want accepted %v", ts, err, inWindow)
		}
	})
}
