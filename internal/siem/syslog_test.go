package siem

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/risk"
)

// rfc5424 is a parsed syslog message.
type rfc5424 struct {
	pri                                 int
	ts, host, app, procid, msgid, sd, m string
}

// parse5424 parses one RFC 5424 message whose structured data is "-".
func parse5424(b []byte) (rfc5424, error) {
	var r rfc5424
	s := string(b)
	if !strings.HasPrefix(s, "<") {
		return r, errors.New("no PRI")
	}
	end := strings.IndexByte(s, '>')
	if end < 2 || end > 4 {
		return r, fmt.Errorf("bad PRI in %.20q", s)
	}
	pri, err := strconv.Atoi(s[1:end])
	if err != nil || pri > 191 {
		return r, fmt.Errorf("bad PRI %q", s[1:end])
	}
	r.pri = pri
	f := strings.SplitN(s[end+1:], " ", 8)
	if len(f) != 8 || f[0] != "1" {
		return r, fmt.Errorf("want VERSION 1 and 7 fields, got %q", f)
	}
	r.ts, r.host, r.app, r.procid, r.msgid, r.sd, r.m = f[1], f[2], f[3], f[4], f[5], f[6], f[7]
	if _, err := time.Parse(time.RFC3339Nano, r.ts); err != nil {
		return r, fmt.Errorf("timestamp: %w", err)
	}
	return r, nil
}

// readOctetCounted reads one RFC 6587 octet-counted frame.
func readOctetCounted(br *bufio.Reader) ([]byte, error) {
	ls, err := br.ReadString(' ')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(ls, " "))
	if err != nil || n <= 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad MSG-LEN %q", ls)
	}
	buf := make([]byte, n)
	_, err = io.ReadFull(br, buf)
	return buf, err
}

// streamServer accepts connections on ln and sends every frame it reads
// to the returned channel. When dropFirst is set it closes the first
// connection as soon as it is accepted, like a restarting receiver.
func streamServer(t *testing.T, ln net.Listener, dropFirst bool) <-chan []byte {
	out, _ := streamServerDropped(t, ln, dropFirst)
	return out
}

// streamServerDropped is streamServer that also returns a channel closed
// once the first connection has been closed, when dropFirst is set.
func streamServerDropped(t *testing.T, ln net.Listener, dropFirst bool) (<-chan []byte, <-chan struct{}) {
	t.Helper()
	out := make(chan []byte, 16)
	dropped := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		first := true
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if first && dropFirst {
				first = false
				c.Close()
				close(dropped)
				continue
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					m, err := readOctetCounted(br)
					if err != nil {
						return
					}
					out <- m
				}
			}()
		}
	}()
	return out, dropped
}

func recv(t *testing.T, ch <-chan []byte) rfc5424 {
	t.Helper()
	select {
	case b := <-ch:
		m, err := parse5424(b)
		if err != nil {
			t.Fatalf("parse5424(%q): %v", b, err)
		}
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no syslog message within 5 s")
	}
	return rfc5424{}
}

func checkCEFMessage(t *testing.T, m rfc5424, a risk.Alert) {
	t.Helper()
	if m.pri != FacilityLocal0*8+2 || m.host != "lw-test" || m.app != "lagwatch" || m.msgid != a.Rule || m.sd != "-" {
		t.Errorf("syslog header = %+v, want pri %d host lw-test app lagwatch msgid %s sd -", m, FacilityLocal0*8+2, a.Rule)
	}
	if want := CEF(a, Options{Host: "lw-test"}); m.m != want {
		t.Errorf("syslog MSG = %q, want %q", m.m, want)
	}
	if ts, _ := time.Parse(time.RFC3339Nano, m.ts); !ts.Equal(a.At) {
		t.Errorf("syslog TIMESTAMP = %s, want %s", m.ts, a.At.Format(time.RFC3339Nano))
	}
}

func TestSyslogUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	w, err := Dial(t.Context(), "udp", pc.LocalAddr().String(), SyslogConfig{Options: Options{Host: "lw-test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	a := testAlert()
	if err := w.Write(t.Context(), a); err != nil {
		t.Fatalf("Write: %v", err)
	}
	buf := make([]byte, 1<<16)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("read datagram: %v", err)
	}
	m, err := parse5424(buf[:n])
	if err != nil {
		t.Fatalf("parse5424(%q): %v", buf[:n], err)
	}
	checkCEFMessage(t, m, a)

	big := testAlert()
	big.Summary = strings.Repeat("x", MaxUDPMessage)
	if err := w.Write(t.Context(), big); err == nil || !strings.Contains(err.Error(), "use tcp or tls") {
		t.Errorf("Write(%d-byte summary over udp) error = %v, want a size error", len(big.Summary), err)
	}
}

func TestSyslogTCPOCSFAndReconnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch, dropped := streamServerDropped(t, ln, true)
	w, err := Dial(t.Context(), "tcp", ln.Addr().String(), SyslogConfig{
		Format: FormatOCSF, Facility: FacilityAuthPriv, Options: Options{Host: "lw-test"},
		Backoff: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The receiver closes the first connection; once it has, let the FIN
	// arrive so the writer must notice and reconnect.
	select {
	case <-dropped:
	case <-time.After(30 * time.Second):
		t.Fatal("the receiver did not accept the first connection within 30 s")
	}
	time.Sleep(50 * time.Millisecond)
	for i, level := range []string{risk.LevelWatch, risk.LevelHigh} {
		a := testAlert()
		a.ID, a.Level = fmt.Sprintf("risk-%d", i), level
		if err := w.Write(t.Context(), a); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
		m := recv(t, ch)
		if want := FacilityAuthPriv*8 + syslogSeverity(level); m.pri != want {
			t.Errorf("message %d PRI = %d, want %d", i, m.pri, want)
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(m.m), &ev); err != nil {
			t.Fatalf("message %d MSG is not JSON: %v: %q", i, err, m.m)
		}
		if ev["class_uid"] != 2004.0 || ev["metadata"].(map[string]any)["uid"] != a.ID {
			t.Errorf("message %d OCSF class_uid %v metadata %v, want 2004 and uid %s", i, ev["class_uid"], ev["metadata"], a.ID)
		}
	}
}

func TestSyslogRetriesAndClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ch := streamServer(t, ln, false)
	w, err := Dial(t.Context(), "tcp", addr, SyslogConfig{Options: Options{Host: "lw-test"}, Backoff: 10 * time.Millisecond, MaxAttempts: 2, DialTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a := testAlert()
	if err := w.Write(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	checkCEFMessage(t, recv(t, ch), a)
	// Stop the receiver: writes fail after MaxAttempts and name the try.
	ln.Close()
	w.mu.Lock()
	w.drop()
	w.mu.Unlock()
	if err := w.Write(t.Context(), a); err == nil || !strings.Contains(err.Error(), "attempt 2") {
		t.Errorf("Write with the receiver down = %v, want an error after attempt 2", err)
	}
	if w.backoff <= w.cfg.Backoff {
		t.Errorf("backoff after failed dials = %v, want more than %v", w.backoff, w.cfg.Backoff)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := w.Write(ctx, a); !errors.Is(err, context.Canceled) {
		t.Errorf("Write(cancelled ctx) = %v, want context.Canceled", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := w.Write(t.Context(), a); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}

func TestSyslogTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	ch := streamServer(t, ln, false)
	w, err := Dial(t.Context(), "tls", ln.Addr().String(), SyslogConfig{
		Options: Options{Host: "lw-test"},
		TLS:     &tls.Config{RootCAs: pool, ServerName: "syslog.test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	a := testAlert()
	for range 2 { // the second write runs the liveness check on TLS
		if err := w.Write(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		checkCEFMessage(t, recv(t, ch), a)
	}
	// A receiver that the system roots do not vouch for is refused.
	if _, err := Dial(t.Context(), "tls", ln.Addr().String(), SyslogConfig{}); err == nil {
		t.Error("Dial(tls, self-signed receiver, system roots) succeeded, want a certificate error")
	}
}

func TestDialRejects(t *testing.T) {
	tests := []struct {
		network, addr string
		cfg           SyslogConfig
		want          string
	}{
		{"unix", "x:1", SyslogConfig{}, "network must be udp, tcp or tls"},
		{"udp", "nohost", SyslogConfig{}, "address"},
		{"udp", "127.0.0.1:514", SyslogConfig{Format: "leef"}, "format must be cef or ocsf"},
		{"udp", "127.0.0.1:514", SyslogConfig{Facility: 24}, "facility must be 1 to 23"},
	}
	for _, tt := range tests {
		_, err := Dial(t.Context(), tt.network, tt.addr, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Dial(%s, %s, %+v) = %v, want an error containing %q", tt.network, tt.addr, tt.cfg, err, tt.want)
		}
	}
}

func TestHeaderField(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 32, "-"},
		{"high risk\n", 32, "high_risk_"},
		{strings.Repeat("a", 40), 32, strings.Repeat("a", 32)},
		{"é", 32, "__"},
	}
	for _, tt := range tests {
		if got := headerField(tt.in, tt.n); got != tt.want {
			t.Errorf("headerField(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// selfSigned makes a certificate for "syslog.test" and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "syslog.test"},
		DNSNames:     []string{"syslog.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
