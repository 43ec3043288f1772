package rfb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the package if a test leaves a reader goroutine behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := checkNoReaders(5 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func checkNoReaders(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var leaked []string
		for g := range strings.SplitSeq(stacks, "\n\n") {
			if strings.Contains(g, "rfb.(*Client).readLoop") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("leaked %d rfb reader goroutines:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serve accepts one connection on a loopback port and runs fn on it in a
// goroutine that the test waits for at cleanup; fn's error fails the test.
func serve(t *testing.T, fn func(c net.Conn) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		done <- fn(c)
	}()
	t.Cleanup(func() {
		ln.Close()
		if err := <-done; err != nil {
			t.Errorf("fake server: %v", err)
		}
	})
	return ln.Addr().String()
}

// expect reads len(want) bytes from c and compares them with want.
func expect(c net.Conn, what string, want []byte) error {
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("client sent %s %x, want %x", what, got, want)
	}
	return nil
}

// serverHandshake is the server side of a version 3.8 handshake with
// security None, up to and including the client's SetEncodings.
func serverHandshake(c net.Conn) error {
	if _, err := c.Write([]byte("RFB 003.008\n")); err != nil {
		return err
	}
	if err := expect(c, "ProtocolVersion", []byte("RFB 003.008\n")); err != nil {
		return err
	}
	if _, err := c.Write([]byte{1, securityNone}); err != nil {
		return err
	}
	if err := expect(c, "security type", []byte{securityNone}); err != nil {
		return err
	}
	if _, err := c.Write(cat(u32(0))); err != nil {
		return err
	}
	if err := expect(c, "ClientInit", []byte{1}); err != nil {
		return err
	}
	if _, err := c.Write(encodeServerInit(testInit)); err != nil {
		return err
	}
	return expect(c, "SetEncodings", []byte{2, 0, 0, 1, 0, 0, 0, 0})
}

// dial connects a client to addr and closes it at cleanup.
func dial(t *testing.T, addr string, cfg Config) *Client {
	t.Helper()
	c, err := Dial(t.Context(), addr, cfg)
	if err != nil {
		t.Fatalf("Dial(%s) = %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestClientWireFormat checks the bytes of every client message.
func TestClientWireFormat(t *testing.T) {
	addr := serve(t, func(c net.Conn) error {
		if err := serverHandshake(c); err != nil {
			return err
		}
		for _, m := range []struct {
			what string
			want []byte
		}{
			{"KeyEvent down a", []byte{4, 1, 0, 0, 0, 0, 0, 0x61}},
			{"KeyEvent up Return", []byte{4, 0, 0, 0, 0, 0, 0xff, 0x0d}},
			{"PointerEvent", []byte{5, 5, 1, 0x2c, 0, 2}},
			{"FramebufferUpdateRequest", []byte{3, 1, 0, 1, 0, 2, 0, 3, 0, 4}},
		} {
			if err := expect(c, m.what, m.want); err != nil {
				return err
			}
		}
		return nil
	})
	c := dial(t, addr, Config{})
	if got := c.Version(); got != "3.8" {
		t.Errorf("Version() = %q, want 3.8", got)
	}
	if got := c.ServerInit(); got != testInit {
		t.Errorf("ServerInit() = %+v, want %+v", got, testInit)
	}
	for _, err := range []error{
		c.KeyEvent(true, 'a'),
		c.KeyEvent(false, KeyReturn),
		c.PointerEvent(5, 300, 2),
		c.FramebufferUpdateRequest(true, 1, 2, 3, 4),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestClientDrainsServerMessages sends every server message type; the
// client must consume them all and stay in sync, then end the connection
// with a clear error on an unknown type.
func TestClientDrainsServerMessages(t *testing.T) {
	stream := cat(bell, fullScreen, cutText, colourMap, bell)
	addr := serve(t, func(c net.Conn) error {
		if err := serverHandshake(c); err != nil {
			return err
		}
		if _, err := c.Write(stream); err != nil {
			return err
		}
		if err := expect(c, "KeyEvent", []byte{4, 1, 0, 0, 0, 0, 0, 'q'}); err != nil {
			return err
		}
		if _, err := c.Write([]byte{9}); err != nil {
			return err
		}
		io.Copy(io.Discard, c) // until the client closes
		return nil
	})
	c := dial(t, addr, Config{})
	want := Stats{FramebufferUpdates: 1, Rectangles: 1, ColourMapEntries: 1, Bells: 2, CutTexts: 1, Bytes: uint64(len(stream))}
	deadline := time.Now().Add(5 * time.Second)
	for c.Stats() != want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := c.Stats(); got != want {
		t.Fatalf("Stats() = %+v, want %+v", got, want)
	}
	if err := c.KeyEvent(true, 'q'); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client still running after an unknown message type")
	}
	// Offsets count from the first byte the server sent.
	handshakeLen := len("RFB 003.008\n") + 2 + 4 + len(encodeServerInit(testInit))
	wantErr := fmt.Sprintf("unknown server message type 9 at offset %d", handshakeLen+len(stream))
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("Err() = %v, want %q", err, wantErr)
	}
	if err := c.KeyEvent(false, 'q'); err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("KeyEvent after the failure = %v, want %q", err, wantErr)
	}
}

// TestClientServerCloses checks that the server hanging up ends the
// reader with an error.
func TestClientServerCloses(t *testing.T) {
	addr := serve(t, serverHandshake)
	c := dial(t, addr, Config{})
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client still running after the server closed the connection")
	}
	if err := c.Err(); !errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "server closed the connection") {
		t.Errorf("Err() = %v, want server closed the connection (io.EOF)", err)
	}
}

// TestClientClose checks Close: the reader ends, Err stays nil, later
// calls fail with ErrClosed and Close may be repeated.
func TestClientClose(t *testing.T) {
	addr := serve(t, func(c net.Conn) error {
		if err := serverHandshake(c); err != nil {
			return err
		}
		io.Copy(io.Discard, c)
		return nil
	})
	c := dial(t, addr, Config{})
	if err := c.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Done() not closed after Close returned")
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err() after Close = %v, want nil", err)
	}
	if err := c.KeyEvent(true, 'a'); !errors.Is(err, ErrClosed) {
		t.Errorf("KeyEvent after Close = %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close() = %v", err)
	}
}

// TestNewClientContext checks that ending ctx aborts a handshake with a
// server that never answers.
func TestNewClientContext(t *testing.T) {
	silent := func(c net.Conn) error {
		io.Copy(io.Discard, c)
		return nil
	}
	t.Run("cancel", func(t *testing.T) {
		addr := serve(t, silent)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		c, err := Dial(ctx, addr, Config{})
		if err == nil {
			c.Close()
			t.Fatal("Dial succeeded against a silent server")
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Dial() = %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Dial returned %v after cancel", d)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		addr := serve(t, silent)
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		c, err := Dial(ctx, addr, Config{})
		if err == nil {
			c.Close()
			t.Fatal("Dial succeeded against a silent server")
		}
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Dial() = %v, want a deadline error", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Dial returned %v after the deadline", d)
		}
	})
}

// TestNagle checks that Config.Nagle sets TCP_NODELAY on the socket.
func TestNagle(t *testing.T) {
	for _, nagle := range []bool{false, true} {
		t.Run(fmt.Sprintf("Nagle=%t", nagle), func(t *testing.T) {
			// The server holds the connection open until the client closes
			// it, so the socket option is read on a live socket.
			addr := serve(t, func(c net.Conn) error {
				if err := serverHandshake(c); err != nil {
					return err
				}
				_, err := io.Copy(io.Discard, c)
				return err
			})
			c := dial(t, addr, Config{Nagle: nagle})
			if got := noDelay(t, c.conn); got == nagle {
				t.Errorf("TCP_NODELAY = %t with Config.Nagle %t", got, nagle)
			}
		})
	}
	t.Run("not TCP", func(t *testing.T) {
		a, b := net.Pipe()
		defer b.Close()
		_, err := NewClient(t.Context(), a, Config{Nagle: true})
		if err == nil || !strings.Contains(err.Error(), "needs a TCP connection") {
			t.Errorf("NewClient(net.Pipe, Nagle) = %v, want needs a TCP connection", err)
		}
	})
}

// TestTypeReleasesKeyOnCancel cancels Type during a hold; the key must
// still be released on the server.
func TestTypeReleasesKeyOnCancel(t *testing.T) {
	pressed := make(chan struct{})
	addr := serve(t, func(c net.Conn) error {
		if err := serverHandshake(c); err != nil {
			return err
		}
		if err := expect(c, "key down", []byte{4, 1, 0, 0, 0, 0, 0, 'a'}); err != nil {
			return err
		}
		close(pressed)
		if err := expect(c, "key up", []byte{4, 0, 0, 0, 0, 0, 0, 'a'}); err != nil {
			return err
		}
		if n, _ := io.Copy(io.Discard, c); n != 0 {
			return fmt.Errorf("client sent %d more bytes after the cancelled stroke", n)
		}
		return nil
	})
	c := dial(t, addr, Config{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		select {
		case <-pressed:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := c.Type(ctx, []Stroke{{Keysym: 'a', Hold: time.Hour}, {Keysym: 'b'}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Type() = %v, want context.Canceled", err)
	}
	c.Close()
}
