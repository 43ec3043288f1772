package xi2

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// conn is a minimal X11 client connection: setup, sending requests with
// sequence numbers, and reading the server's 32-byte errors, replies and
// events (generic events and replies with their extra bytes). It is not
// safe for concurrent use except for close.
type conn struct {
	nc    net.Conn
	br    *bufio.Reader
	seq   uint64 // sequence number of the last request sent; the wire has its low 16 bits
	setup setupInfo
}

// msg is one message from the server.
type msg struct {
	hdr  [32]byte
	body []byte // extra bytes of a reply or generic event
}

func (m *msg) kind() uint8   { return m.hdr[0] &^ 0x80 } // top bit: sent with SendEvent
func (m *msg) seq16() uint16 { return le.Uint16(m.hdr[2:]) }

// handshake sends the setup request with the cookie (none if nil) and
// decodes the reply. The caller bounds it with deadlineFrom; ctx only
// improves the error.
func handshake(ctx context.Context, nc net.Conn, cookie []byte) (*conn, error) {
	name := ""
	if cookie != nil {
		name = cookieName
	}
	if _, err := nc.Write(setupRequest(name, cookie)); err != nil {
		return nil, fmt.Errorf("send setup request: %w", ctxErr(ctx, err))
	}
	br := bufio.NewReaderSize(nc, 8<<10)
	b := make([]byte, 8)
	if _, err := io.ReadFull(br, b); err != nil {
		return nil, fmt.Errorf("read setup reply: %w", ctxErr(ctx, err))
	}
	b = append(b, make([]byte, setupBodyLen(b))...)
	if _, err := io.ReadFull(br, b[8:]); err != nil {
		return nil, fmt.Errorf("read setup reply body of %d bytes: %w", len(b)-8, ctxErr(ctx, err))
	}
	s, err := decodeSetup(b)
	if err != nil {
		return nil, err
	}
	return &conn{nc: nc, br: br, setup: s}, nil
}

// deadlineFrom makes ctx's deadline and cancellation interrupt I/O on nc
// until the returned func is called; after it returns, nc has no deadline
// and ctx no longer affects it.
func deadlineFrom(ctx context.Context, nc net.Conn) (stop func()) {
	if d, ok := ctx.Deadline(); ok {
		nc.SetDeadline(d)
	}
	var (
		mu      sync.Mutex
		stopped bool
	)
	cancelIO := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			nc.SetDeadline(time.Unix(1, 0))
		}
	})
	return func() {
		mu.Lock()
		stopped = true
		mu.Unlock()
		cancelIO()
		nc.SetDeadline(time.Time{})
	}
}

// ctxErr prefers the context's error to the I/O error it caused. A
// deadline on the connection comes from ctx only, so a timeout means ctx
// is done or about to be.
func ctxErr(ctx context.Context, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// send writes one request and returns its sequence number.
func (c *conn) send(req []byte) (uint64, error) {
	if _, err := c.nc.Write(req); err != nil {
		return 0, fmt.Errorf("send request %d: %w", req[0], err)
	}
	c.seq++
	return c.seq, nil
}

// read reads the next message. Replies and generic events longer than the
// limits are refused: the stream cannot be trusted after that.
func (c *conn) read() (msg, error) {
	var m msg
	if _, err := io.ReadFull(c.br, m.hdr[:]); err != nil {
		return m, err
	}
	var extra uint64
	switch m.kind() {
	case msgReply:
		extra = uint64(le.Uint32(m.hdr[4:])) * 4
		if extra > maxReplyBody {
			return m, fmt.Errorf("reply to request %d: length %d bytes exceeds limit %d", m.seq16(), extra, maxReplyBody)
		}
	case msgGeneric:
		extra = uint64(le.Uint32(m.hdr[4:])) * 4
		if extra > maxEventBody {
			return m, fmt.Errorf("generic event %d: length %d bytes exceeds limit %d", le.Uint16(m.hdr[8:]), extra, maxEventBody)
		}
	}
	if extra > 0 {
		m.body = make([]byte, extra)
		if _, err := io.ReadFull(c.br, m.body); err != nil {
			return m, fmt.Errorf("read %d bytes after message type %d: %w", extra, m.kind(), err)
		}
	}
	return m, nil
}

// matches reports whether a 16-bit wire sequence number is that of the
// full sequence number seq.
func matches(wire uint16, seq uint64) bool { return wire == uint16(seq) }

func (c *conn) close() error { return c.nc.Close() }
