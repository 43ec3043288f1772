// Package rfb is a minimal RFB (VNC) client, RFC 6143, that plays the
// remote operator in lagwatch's end-to-end tests and evaluation lab: it
// connects to a real VNC server such as x11vnc and sends key and pointer
// events, so the machine under test sees injected (XTEST) input arrive over
// a real network path. It is test and lab tooling: it sends key content by
// design and must never be linked into the agent.
//
// [Dial] or [NewClient] performs the handshake: protocol version 3.3, 3.7 or
// 3.8 (whichever is the highest the server offers), security type None or
// VNC Authentication (DES challenge-response, [Config.Password]), the
// shared flag and the server's ServerInit ([Client.ServerInit]). The client
// then asks for Raw encoding only and never for a pixel format, so it works
// with the server's own. Typical use:
//
//	c, err := rfb.Dial(ctx, "127.0.0.1:5900", rfb.Config{Password: "secret"})
//	...
//	defer c.Close()
//	strokes, err := rfb.Strokes("hello\n", 60*time.Millisecond, 90*time.Millisecond)
//	...
//	strokes[2].Gap = 400 * time.Millisecond // replay a human pause
//	err = c.Type(ctx, strokes)
//
// # Server messages
//
// The client never needs the screen, so it does not ask for framebuffer
// updates unless [Client.FramebufferUpdateRequest] is called. Whatever the
// server sends anyway is read by a goroutine the client owns, parsed
// (FramebufferUpdate with Raw rectangles, SetColourMapEntries, Bell,
// ServerCutText), counted in [Client.Stats] and discarded, so the
// connection never stalls. Every length is checked against the framebuffer
// size or a fixed limit before anything is read; a message the client
// cannot parse (an unknown type, a non-Raw rectangle) ends the connection
// with an error that names the field and its offset in the stream, and
// [Client.Err] reports it.
//
// # TCP_NODELAY
//
// Remote-desktop clients differ in whether they disable Nagle's algorithm.
// By default the client leaves TCP_NODELAY set (Go's default), so every
// event is sent at once; [Config.Nagle] clears it, so the kernel holds a
// small write while an earlier one is unacknowledged.
//
// # Concurrency
//
// All methods of [Client] are safe for concurrent use; each message is
// written whole. The reader goroutine ends before [Client.Close] returns.
package rfb
