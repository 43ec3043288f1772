package rfb

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by the methods of a [Client] after [Client.Close].
var ErrClosed = errors.New("rfb: client closed")

// Config configures a [Client]. The zero value connects without a
// password, shares the desktop and leaves TCP_NODELAY set.
type Config struct {
	// Password is used for VNC Authentication when the server offers it.
	// Only its first eight bytes count, as in every VNC implementation.
	// If it is empty the client accepts only security type None.
	Password string
	// Exclusive clears the shared flag of ClientInit, asking the server
	// to disconnect other clients.
	Exclusive bool
	// Nagle clears TCP_NODELAY, so the kernel delays a small write while
	// an earlier one is unacknowledged (Nagle's algorithm). By default the
	// client sets TCP_NODELAY and every event leaves at once. With Nagle
	// set, NewClient needs a connection with a SetNoDelay method, such as
	// *net.TCPConn.
	Nagle bool
}

// Client is a connection to an RFB server, past the handshake. Create it
// with [Dial] or [NewClient]; it owns the connection and a reader
// goroutine until [Client.Close].
type Client struct {
	conn    net.Conn
	d       *decoder // used only by the reader goroutine after NewClient
	minor   int
	si      ServerInit
	n       counters
	bytes   atomic.Uint64
	wmu     sync.Mutex // serialises writes, so messages never interleave
	closed  atomic.Bool
	done    chan struct{}
	readErr error // set by the reader before done is closed

	closeOnce sync.Once
	closeErr  error
}

// Dial connects to the RFB server at addr ("host:port") over TCP and runs
// the handshake; see [NewClient].
func Dial(ctx context.Context, addr string, cfg Config) (*Client, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rfb: dial %s: %w", addr, err)
	}
	return NewClient(ctx, conn, cfg)
}

// NewClient runs the RFB handshake on conn and returns a client that owns
// conn: it closes conn if the handshake fails, and on [Client.Close]. ctx
// bounds the handshake only; cancelling it later has no effect.
func NewClient(ctx context.Context, conn net.Conn, cfg Config) (*Client, error) {
	c, err := newClient(ctx, conn, cfg)
	if err != nil {
		conn.Close()
		return nil, err
	}
	go c.readLoop()
	return c, nil
}

func newClient(ctx context.Context, conn net.Conn, cfg Config) (*Client, error) {
	peer := conn.RemoteAddr()
	if nd, ok := conn.(interface{ SetNoDelay(bool) error }); ok {
		if err := nd.SetNoDelay(!cfg.Nagle); err != nil {
			return nil, fmt.Errorf("rfb: set TCP_NODELAY=%t on connection to %s: %w", !cfg.Nagle, peer, err)
		}
	} else if cfg.Nagle {
		return nil, fmt.Errorf("rfb: Config.Nagle needs a TCP connection; %T to %s has no SetNoDelay method", conn, peer)
	}

	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return nil, fmt.Errorf("rfb: set deadline on connection to %s: %w", peer, err)
		}
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	c := &Client{conn: conn, d: newDecoder(conn), done: make(chan struct{})}
	var err error
	c.minor, c.si, err = handshake(c.d, conn, cfg)
	if err == nil {
		// Ask for Raw only, the encoding readFramebufferUpdate can size.
		err = c.write("SetEncodings", setEncodings(encodingRaw))
	}
	if !stop() || ctx.Err() != nil {
		return nil, fmt.Errorf("rfb: handshake with %s: %w", peer, context.Cause(ctx))
	}
	if err != nil {
		return nil, fmt.Errorf("rfb: handshake with %s: %w", peer, err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return nil, fmt.Errorf("rfb: clear deadline on connection to %s: %w", peer, err)
	}
	return c, nil
}

// readLoop reads and discards server messages until the connection fails
// or the client is closed. On a read or protocol error it records the
// error and closes the connection, so pending writes fail too.
func (c *Client) readLoop() {
	defer close(c.done)
	base := c.d.off
	for {
		err := readMessage(c.d, c.si, &c.n)
		c.bytes.Store(uint64(c.d.off - base))
		if err == nil {
			continue
		}
		if c.closed.Load() {
			return // ended by Close
		}
		if err == io.EOF {
			err = fmt.Errorf("server closed the connection: %w", io.EOF)
		}
		c.readErr = fmt.Errorf("rfb: read from %s: %w", c.conn.RemoteAddr(), err)
		c.conn.Close()
		return
	}
}

// Close closes the connection and waits for the reader goroutine to end.
// It is safe to call more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		if err := c.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			c.closeErr = fmt.Errorf("rfb: close connection to %s: %w", c.conn.RemoteAddr(), err)
		}
	})
	<-c.done
	return c.closeErr
}

// Done is closed when the reader goroutine has ended, because of
// [Client.Close] or because the connection failed; [Client.Err] then says
// why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns the error that ended the connection: a read error, the
// server closing it, or a server message the client could not parse. It
// returns nil while the connection is up and when it was ended by
// [Client.Close].
func (c *Client) Err() error {
	select {
	case <-c.done:
		return c.readErr
	default:
		return nil
	}
}

// ServerInit returns the server's ServerInit message.
func (c *Client) ServerInit() ServerInit { return c.si }

// Version returns the protocol version agreed with the server: "3.3",
// "3.7" or "3.8".
func (c *Client) Version() string { return fmt.Sprintf("3.%d", c.minor) }

// Stats returns counts of what the server has sent so far.
func (c *Client) Stats() Stats {
	return Stats{
		FramebufferUpdates: c.n.updates.Load(),
		Rectangles:         c.n.rects.Load(),
		ColourMapEntries:   c.n.colourMaps.Load(),
		Bells:              c.n.bells.Load(),
		CutTexts:           c.n.cutTexts.Load(),
		Bytes:              c.bytes.Load(),
	}
}

// Client-to-server message types (RFC 6143, 7.5).
const (
	msgSetEncodings             = 2
	msgFramebufferUpdateRequest = 3
	msgKeyEvent                 = 4
	msgPointerEvent             = 5
)

// KeyEvent sends a KeyEvent message: keysym (an X keysym, see [Keysym])
// pressed (down) or released.
func (c *Client) KeyEvent(down bool, keysym uint32) error {
	msg := make([]byte, 8)
	msg[0] = msgKeyEvent
	msg[1] = flag(down)
	binary.BigEndian.PutUint32(msg[4:], keysym)
	return c.write("KeyEvent", msg)
}

// PointerEvent sends a PointerEvent message: the pointer is at (x, y) with
// the buttons in mask down (bit 0 is the left button, 1 the middle, 2 the
// right; 3 and 4 are wheel up and down).
func (c *Client) PointerEvent(mask uint8, x, y uint16) error {
	msg := make([]byte, 6)
	msg[0] = msgPointerEvent
	msg[1] = mask
	binary.BigEndian.PutUint16(msg[2:], x)
	binary.BigEndian.PutUint16(msg[4:], y)
	return c.write("PointerEvent", msg)
}

// FramebufferUpdateRequest asks the server for the contents of a
// rectangle of the screen, or with incremental only for what has changed
// in it. The update arrives in Raw encoding and is counted and discarded
// by the reader goroutine; see [Client.Stats].
func (c *Client) FramebufferUpdateRequest(incremental bool, x, y, w, h uint16) error {
	msg := make([]byte, 10)
	msg[0] = msgFramebufferUpdateRequest
	msg[1] = flag(incremental)
	binary.BigEndian.PutUint16(msg[2:], x)
	binary.BigEndian.PutUint16(msg[4:], y)
	binary.BigEndian.PutUint16(msg[6:], w)
	binary.BigEndian.PutUint16(msg[8:], h)
	return c.write("FramebufferUpdateRequest", msg)
}

func setEncodings(encs ...int32) []byte {
	msg := make([]byte, 4+4*len(encs))
	msg[0] = msgSetEncodings
	binary.BigEndian.PutUint16(msg[2:], uint16(len(encs)))
	for i, e := range encs {
		binary.BigEndian.PutUint32(msg[4+4*i:], uint32(e))
	}
	return msg
}

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// write sends one whole message. If the reader has already ended the
// connection, the error says why.
func (c *Client) write(what string, msg []byte) error {
	if c.closed.Load() {
		return fmt.Errorf("rfb: send %s: %w", what, ErrClosed)
	}
	c.wmu.Lock()
	_, err := c.conn.Write(msg)
	c.wmu.Unlock()
	if err == nil {
		return nil
	}
	if c.closed.Load() {
		return fmt.Errorf("rfb: send %s: %w", what, ErrClosed)
	}
	select {
	case <-c.done:
		if c.readErr != nil {
			return fmt.Errorf("rfb: send %s: connection ended: %w", what, c.readErr)
		}
	default:
	}
	return fmt.Errorf("rfb: send %s to %s: %w", what, c.conn.RemoteAddr(), err)
}
