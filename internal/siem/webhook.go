package siem

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/risk"
)

// Webhook headers. The signature is "sha256=" and the lowercase hex
// HMAC-SHA256, keyed with the shared secret, of the timestamp header's
// value, a ".", and the request body.
const (
	HeaderSignature = "X-Lagwatch-Signature"
	HeaderTimestamp = "X-Lagwatch-Timestamp" // Unix seconds, decimal
	HeaderAlertID   = "X-Lagwatch-Alert-Id"  // risk.Alert.ID, for de-duplication
)

// DefaultReplayWindow is how far a webhook timestamp may lie from the
// receiver's clock, either way, for [VerifySignature] to accept it.
const DefaultReplayWindow = 5 * time.Minute

// Errors of [VerifySignature], for receivers to branch on.
var (
	ErrBadSignature = errors.New("siem: webhook signature does not match")
	ErrStale        = errors.New("siem: webhook timestamp outside the replay window")
)

// ErrRejected is wrapped by [Webhook.Send] when the receiver answered
// with a 4xx status, which is not retried.
var ErrRejected = errors.New("siem: webhook rejected")

// Webhook POSTs alerts as OCSF JSON ([OCSF]) to a URL, signed with
// HMAC-SHA256 (see [HeaderSignature]). Set URL and Secret; the other
// fields have working zero values. It is safe for concurrent use once
// set up.
type Webhook struct {
	// URL receives the POST; https in production.
	URL string
	// Secret is the HMAC key shared with the receiver; it must not be
	// empty.
	Secret []byte
	// Options go to [OCSF].
	Options Options
	// Client sends the requests; nil means a client with Timeout.
	Client *http.Client
	// Timeout bounds one attempt; 0 means 10 s.
	Timeout time.Duration
	// MaxAttempts is how often Send tries on network errors and 5xx
	// answers; 0 means 4.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubled per
	// attempt up to MaxBackoff; 0 means 500 ms and 30 s.
	Backoff, MaxBackoff time.Duration
	// Logger reports retries; nil discards.
	Logger *slog.Logger
	// Now is the clock for the timestamp; nil means time.Now.
	Now func() time.Time
}

// Send POSTs a to the webhook. Network errors and 5xx answers are retried
// with exponential backoff up to MaxAttempts; a 4xx answer returns at once
// with an error wrapping [ErrRejected]. Each attempt is signed afresh
// with the current time.
func (w *Webhook) Send(ctx context.Context, a risk.Alert) error {
	if w.URL == "" {
		return errors.New("send webhook: url must be set")
	}
	if len(w.Secret) == 0 {
		return fmt.Errorf("send webhook %s: secret must be set", w.URL)
	}
	body, err := OCSF(a, w.Options)
	if err != nil {
		return fmt.Errorf("send alert %s to webhook %s: %w", a.ID, w.URL, err)
	}
	timeout := cmpOr(w.Timeout, 10*time.Second)
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	attempts := w.MaxAttempts
	if attempts <= 0 {
		attempts = 4
	}
	backoff := cmpOr(w.Backoff, 500*time.Millisecond)
	maxBackoff := max(cmpOr(w.MaxBackoff, 30*time.Second), backoff)
	log := w.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := w.Now
	if now == nil {
		now = time.Now
	}
	for attempt := 1; ; attempt++ {
		retry, err := w.post(ctx, client, timeout, a.ID, body, now())
		if err == nil {
			return nil
		}
		err = fmt.Errorf("send alert %s to webhook %s (attempt %d of %d): %w", a.ID, w.URL, attempt, attempts, err)
		if !retry || attempt >= attempts || ctx.Err() != nil {
			return err
		}
		log.Warn("webhook delivery failed, retrying", "url", w.URL, "alert_id", a.ID, "attempt", attempt, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (retry cancelled: %w)", err, ctx.Err())
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func cmpOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// post makes one attempt and says whether a failure may be retried.
func (w *Webhook) post(ctx context.Context, client *http.Client, timeout time.Duration, id string, body []byte, now time.Time) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("build request: %w", err)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", ProductName+"/"+cmpOrString(w.Options.ProductVersion, "dev"))
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.Secret, ts, body))
	req.Header.Set(HeaderAlertID, id)
	resp, err := client.Do(req)
	if err != nil {
		return true, err
	}
	// Read a little of the answer for the error and so that the
	// connection can be reused.
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_ = resp.Body.Close() // the answer has been read
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return false, fmt.Errorf("%w: status %s: %q", ErrRejected, resp.Status, strings.TrimSpace(string(msg)))
	case resp.StatusCode >= 500:
		return true, fmt.Errorf("status %s: %q", resp.Status, strings.TrimSpace(string(msg)))
	default:
		return false, fmt.Errorf("unexpected status %s", resp.Status)
	}
}

func cmpOrString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Sign returns the signature header value for body sent at timestamp ts
// (decimal Unix seconds): "sha256=" and hex HMAC-SHA256(secret, ts "." body).
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a webhook request as a receiver: ts is the
// X-Lagwatch-Timestamp header, body the raw request body and sig the
// X-Lagwatch-Signature header. It fails with [ErrBadSignature] unless sig
// is the HMAC of ts and body under secret, and with [ErrStale] when ts
// lies more than [DefaultReplayWindow] from the local clock.
func VerifySignature(secret []byte, ts string, body []byte, sig string) error {
	return VerifySignatureAt(secret, ts, body, sig, time.Now(), DefaultReplayWindow)
}

// maxTimestampLen bounds the timestamp header; Unix seconds need 10 or 11
// digits for millennia.
const maxTimestampLen = 20

// VerifySignatureAt is [VerifySignature] with an explicit clock and
// replay window.
func VerifySignatureAt(secret []byte, ts string, body []byte, sig string, now time.Time, window time.Duration) error {
	if len(secret) == 0 {
		return errors.New("verify webhook signature: secret must be set")
	}
	if ts == "" || len(ts) > maxTimestampLen {
		return fmt.Errorf("verify webhook signature: %s must have 1 to %d digits, not %d bytes: %w", HeaderTimestamp, maxTimestampLen, len(ts), ErrStale)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < 0 {
		return fmt.Errorf("verify webhook signature: %s %.20q must be decimal Unix seconds: %w", HeaderTimestamp, ts, ErrStale)
	}
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return fmt.Errorf("verify webhook signature: %s must be sha256= and %d hex digits: %w", HeaderSignature, 2*sha256.Size, ErrBadSignature)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return fmt.Errorf("verify webhook signature: %s must be sha256= and %d hex digits: %w", HeaderSignature, 2*sha256.Size, ErrBadSignature)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return fmt.Errorf("verify webhook signature: %w", ErrBadSignature)
	}
	// Checked after the MAC so that an attacker learns nothing about the
	// window from an unsigned request.
	skew := math.Abs(float64(now.Unix() - sec))
	if skew > window.Seconds() {
		return fmt.Errorf("verify webhook signature: timestamp %d is %.0f s from now, more than the %v window: %w", sec, skew, window, ErrStale)
	}
	return nil
}
