package siem

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/risk"
)

// Message formats of a [SyslogWriter].
const (
	FormatCEF  = "cef"  // the MSG is a CEF line ([CEF])
	FormatOCSF = "ocsf" // the MSG is OCSF JSON ([OCSF])
)

// Syslog facilities a [SyslogConfig] may name; see RFC 5424 section 6.2.1.
const (
	FacilityAuth     = 4
	FacilityAuthPriv = 10
	FacilityLogAudit = 13
	FacilityLocal0   = 16
	FacilityLocal7   = 23
)

// MaxUDPMessage is the largest syslog message a [SyslogWriter] sends in
// one UDP datagram (the IPv4 UDP payload limit). Larger messages are
// refused; use TCP or TLS for them.
const MaxUDPMessage = 65507

// SyslogConfig configures a [SyslogWriter]. The zero value sends CEF to
// facility local0 with default timeouts and retries.
type SyslogConfig struct {
	// Format is FormatCEF (default, "") or FormatOCSF.
	Format string
	// Facility is the syslog facility, 1 to 23; 0 means FacilityLocal0.
	Facility int
	// AppName is the RFC 5424 APP-NAME; "" means "lagwatch".
	AppName string
	// Options go to the encoder; Options.Host is also the HOSTNAME, and
	// "" means the name of this machine.
	Options Options
	// TLS configures the "tls" network; nil means the system roots and
	// the host name of the address.
	TLS *tls.Config
	// DialTimeout and WriteTimeout bound one connection attempt and one
	// write; 0 means 10 s and 5 s.
	DialTimeout, WriteTimeout time.Duration
	// MaxAttempts is how often [SyslogWriter.Write] tries to deliver one
	// message, reconnecting in between; 0 means 3.
	MaxAttempts int
	// Backoff is the wait before redialling after a failed dial, doubled
	// per failure up to MaxBackoff; 0 means 200 ms and 30 s.
	Backoff, MaxBackoff time.Duration
	// Logger reports reconnections; nil discards.
	Logger *slog.Logger
}

// SyslogWriter sends alerts to one syslog receiver over UDP, TCP or TLS.
// It is safe for concurrent use; writes are serialised.
type SyslogWriter struct {
	network, addr string
	cfg           SyslogConfig
	host, app     string
	pid           string
	log           *slog.Logger

	mu       sync.Mutex
	conn     net.Conn
	backoff  time.Duration // current wait after a failed dial
	nextDial time.Time     // no dial before this
	closed   bool
}

// ErrClosed is returned by [SyslogWriter.Write] after Close.
var ErrClosed = errors.New("siem: syslog writer closed")

// Dial checks cfg, connects to the syslog receiver at addr ("host:port")
// over network "udp", "tcp" or "tls", and returns a writer that keeps the
// connection and re-establishes it when it fails.
func Dial(ctx context.Context, network, addr string, cfg SyslogConfig) (*SyslogWriter, error) {
	switch network {
	case "udp", "tcp", "tls":
	default:
		return nil, fmt.Errorf("dial syslog %s: network must be udp, tcp or tls, not %q", addr, network)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("dial syslog %s address %q: %w", network, addr, err)
	}
	switch cfg.Format {
	case "":
		cfg.Format = FormatCEF
	case FormatCEF, FormatOCSF:
	default:
		return nil, fmt.Errorf("dial syslog: format must be cef or ocsf, not %q", cfg.Format)
	}
	if cfg.Facility == 0 {
		cfg.Facility = FacilityLocal0
	}
	if cfg.Facility < 1 || cfg.Facility > 23 {
		return nil, fmt.Errorf("dial syslog: facility must be 1 to 23, not %d", cfg.Facility)
	}
	if cfg.AppName == "" {
		cfg.AppName = ProductName
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 5 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 200 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	cfg.MaxBackoff = max(cfg.MaxBackoff, cfg.Backoff)
	host := cfg.Options.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	w := &SyslogWriter{
		network: network,
		addr:    addr,
		cfg:     cfg,
		host:    headerField(host, 255),
		app:     headerField(cfg.AppName, 48),
		pid:     strconv.Itoa(os.Getpid()),
		log:     cfg.Logger,
		backoff: cfg.Backoff,
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if err := w.dial(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *SyslogWriter) dial(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.DialTimeout)
	defer cancel()
	var (
		c   net.Conn
		err error
	)
	switch w.network {
	case "tls":
		cfg := w.cfg.TLS
		if cfg == nil {
			cfg = &tls.Config{}
		}
		d := tls.Dialer{Config: cfg}
		c, err = d.DialContext(ctx, "tcp", w.addr)
	default:
		var d net.Dialer
		c, err = d.DialContext(ctx, w.network, w.addr)
	}
	if err != nil {
		return fmt.Errorf("dial syslog %s %s: %w", w.network, w.addr, err)
	}
	w.conn = c
	return nil
}

// Format renders a as one RFC 5424 syslog message in w's format, without
// transport framing.
func (w *SyslogWriter) Format(a risk.Alert) ([]byte, error) {
	var msg []byte
	if w.cfg.Format == FormatOCSF {
		b, err := OCSF(a, w.cfg.Options)
		if err != nil {
			return nil, err
		}
		msg = b
	} else {
		if err := checkAlert(&a); err != nil {
			return nil, fmt.Errorf("encode cef: %w", err)
		}
		msg = []byte(CEF(a, w.cfg.Options))
	}
	pri := w.cfg.Facility*8 + syslogSeverity(a.Level)
	var b strings.Builder
	b.Grow(len(msg) + 128)
	fmt.Fprintf(&b, "<%d>1 %s %s %s %s %s - ", pri,
		a.At.UTC().Format("2006-01-02T15:04:05.000000Z07:00"),
		w.host, w.app, w.pid, headerField(a.Rule, 32))
	b.Write(msg)
	return []byte(b.String()), nil
}

// syslogSeverity maps a level to a syslog severity: high is 2 Critical,
// watch 4 Warning, anything else 6 Informational.
func syslogSeverity(level string) int {
	switch level {
	case risk.LevelHigh:
		return 2
	case risk.LevelWatch:
		return 4
	default:
		return 6
	}
}

// headerField makes s an RFC 5424 header field: printable US-ASCII
// without spaces, other bytes replaced by "_", at most n bytes, "-" when
// empty.
func headerField(s string, n int) string {
	if s == "" {
		return "-"
	}
	b := []byte(s[:min(len(s), n)])
	for i, c := range b {
		if c < 33 || c > 126 {
			b[i] = '_'
		}
	}
	return string(b)
}

// Write sends a to the receiver. On a failed write or dial it closes the
// connection and tries again, up to SyslogConfig.MaxAttempts times,
// waiting between failed dials with exponential backoff; the backoff
// carries over to later calls until a dial succeeds. It returns the last
// error, or ctx's error when ctx ends while waiting.
func (w *SyslogWriter) Write(ctx context.Context, a risk.Alert) error {
	msg, err := w.Format(a)
	if err != nil {
		return fmt.Errorf("write alert %s to syslog: %w", a.ID, err)
	}
	var frame []byte
	if w.network == "udp" {
		if len(msg) > MaxUDPMessage {
			return fmt.Errorf("write alert %s to syslog udp %s: message has %d bytes, more than the %d a datagram holds; use tcp or tls", a.ID, w.addr, len(msg), MaxUDPMessage)
		}
		frame = msg
	} else {
		// RFC 6587 octet counting: MSG-LEN SP SYSLOG-MSG.
		frame = append(strconv.AppendInt(nil, int64(len(msg)), 10), ' ')
		frame = append(frame, msg...)
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	for attempt := 1; ; attempt++ {
		if w.closed {
			return ErrClosed
		}
		err = w.send(ctx, frame)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || attempt >= w.cfg.MaxAttempts {
			return fmt.Errorf("write alert %s to syslog (attempt %d): %w", a.ID, attempt, err)
		}
		w.log.Warn("syslog write failed, retrying", "network", w.network, "addr", w.addr, "attempt", attempt, "err", err)
	}
}

// send writes one frame, dialling first when there is no live connection.
func (w *SyslogWriter) send(ctx context.Context, frame []byte) error {
	if w.conn != nil && w.network != "udp" && !alive(w.conn) {
		w.drop()
	}
	if w.conn == nil {
		if wait := time.Until(w.nextDial); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		if err := w.dial(ctx); err != nil {
			w.nextDial = time.Now().Add(w.backoff)
			w.backoff = min(2*w.backoff, w.cfg.MaxBackoff)
			return err
		}
		w.backoff = w.cfg.Backoff
		w.log.Info("syslog connected", "network", w.network, "addr", w.addr)
	}
	deadline := time.Now().Add(w.cfg.WriteTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := w.conn.SetWriteDeadline(deadline); err != nil {
		w.drop()
		return fmt.Errorf("set syslog write deadline: %w", err)
	}
	if _, err := w.conn.Write(frame); err != nil {
		w.drop()
		return fmt.Errorf("write syslog %s %s: %w", w.network, w.addr, err)
	}
	return nil
}

// alive reports whether a stream connection is still open. Receivers
// never send, so anything but a timeout from a short read means the
// peer has closed it: writing there would be lost.
func alive(c net.Conn) bool {
	if err := c.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		return false
	}
	var b [1]byte
	_, err := c.Read(b[:])
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	return err == nil // unexpected data, but the connection is up
}

func (w *SyslogWriter) drop() {
	if w.conn != nil {
		_ = w.conn.Close() // the connection is being discarded after an error
		w.conn = nil
	}
}

// Close closes the connection. Later writes return [ErrClosed].
func (w *SyslogWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.conn == nil {
		return nil
	}
	err := w.conn.Close()
	w.conn = nil
	if err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("close syslog %s %s: %w", w.network, w.addr, err)
	}
	return nil
}
