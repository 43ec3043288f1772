package rfb

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// testInit is the ServerInit the fake servers send: x11vnc's pixel format
// on a small screen.
var testInit = ServerInit{
	Width: 64, Height: 48, Name: "test:0",
	PixelFormat: PixelFormat{
		BitsPerPixel: 32, Depth: 24, TrueColour: true,
		RedMax: 255, GreenMax: 255, BlueMax: 255,
		RedShift: 16, GreenShift: 8, BlueShift: 0,
	},
}

// encodeServerInit is the server side of readServerInit.
func encodeServerInit(si ServerInit) []byte {
	pf := si.PixelFormat
	b := binary.BigEndian.AppendUint16(nil, si.Width)
	b = binary.BigEndian.AppendUint16(b, si.Height)
	b = append(b, pf.BitsPerPixel, pf.Depth, flag(pf.BigEndian), flag(pf.TrueColour))
	b = binary.BigEndian.AppendUint16(b, pf.RedMax)
	b = binary.BigEndian.AppendUint16(b, pf.GreenMax)
	b = binary.BigEndian.AppendUint16(b, pf.BlueMax)
	b = append(b, pf.RedShift, pf.GreenShift, pf.BlueShift, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(len(si.Name)))
	return append(b, si.Name...)
}

// cat concatenates byte slices and strings.
func cat(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case []byte:
			b = append(b, p...)
		case string:
			b = append(b, p...)
		case byte:
			b = append(b, p)
		default:
			panic(p)
		}
	}
	return b
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

var (
	// challenge and response computed independently with
	//   openssl enc -des-ecb -K cea6c64ea62e0000 -nopad -provider legacy
	// where cea6c64ea62e0000 is "secret" with each byte's bits reversed.
	challenge = mustHex("000102030405060708090a0b0c0d0e0f")
	response  = mustHex("ee22539f33a5983ec12f9c2edbc995dd")
)

// TestHandshake runs the client side of the handshake against scripted
// server bytes and checks every byte the client sends back.
func TestHandshake(t *testing.T) {
	si := encodeServerInit(testInit)
	for _, tc := range []struct {
		name      string
		cfg       Config
		server    []byte
		wantMinor int
		client    []byte
	}{
		{"3.8 none", Config{}, cat("RFB 003.008\n", byte(1), byte(1), u32(0), si),
			8, cat("RFB 003.008\n", byte(1), byte(1))},
		{"3.7 none has no SecurityResult", Config{}, cat("RFB 003.007\n", byte(1), byte(1), si),
			7, cat("RFB 003.007\n", byte(1), byte(1))},
		{"3.3 none", Config{}, cat("RFB 003.003\n", u32(1), si),
			3, cat("RFB 003.003\n", byte(1))},
		{"3.889 (Apple) is answered with 3.8", Config{}, cat("RFB 003.889\n", byte(1), byte(1), u32(0), si),
			8, cat("RFB 003.008\n", byte(1), byte(1))},
		{"4.1 is answered with 3.8", Config{}, cat("RFB 004.001\n", byte(1), byte(1), u32(0), si),
			8, cat("RFB 003.008\n", byte(1), byte(1))},
		{"3.5 is treated as 3.3", Config{}, cat("RFB 003.005\n", u32(1), si),
			3, cat("RFB 003.003\n", byte(1))},
		{"3.8 vnc auth", Config{Password: "secret"}, cat("RFB 003.008\n", byte(2), byte(1), byte(2), challenge, u32(0), si),
			8, cat("RFB 003.008\n", byte(2), response, byte(1))},
		{"3.7 vnc auth", Config{Password: "secret"}, cat("RFB 003.007\n", byte(1), byte(2), challenge, u32(0), si),
			7, cat("RFB 003.007\n", byte(2), response, byte(1))},
		{"3.3 vnc auth", Config{Password: "secret"}, cat("RFB 003.003\n", u32(2), challenge, u32(0), si),
			3, cat("RFB 003.003\n", response, byte(1))},
		{"only 8 password bytes count", Config{Password: "secret\x00\x00ignored"}, cat("RFB 003.008\n", byte(1), byte(2), challenge, u32(0), si),
			8, cat("RFB 003.008\n", byte(2), response, byte(1))},
		{"password but server offers none", Config{Password: "secret"}, cat("RFB 003.008\n", byte(2), byte(16), byte(1), u32(0), si),
			8, cat("RFB 003.008\n", byte(1), byte(1))},
		{"exclusive clears the shared flag", Config{Exclusive: true}, cat("RFB 003.008\n", byte(1), byte(1), u32(0), si),
			8, cat("RFB 003.008\n", byte(1), byte(0))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sent bytes.Buffer
			d := newDecoder(bytes.NewReader(tc.server))
			minor, got, err := handshake(d, &sent, tc.cfg)
			if err != nil {
				t.Fatalf("handshake() = %v", err)
			}
			if minor != tc.wantMinor {
				t.Errorf("handshake() version 3.%d, want 3.%d", minor, tc.wantMinor)
			}
			if got != testInit {
				t.Errorf("handshake() ServerInit = %+v, want %+v", got, testInit)
			}
			if !bytes.Equal(sent.Bytes(), tc.client) {
				t.Errorf("client sent %q, want %q", sent.Bytes(), tc.client)
			}
			if d.off != int64(len(tc.server)) {
				t.Errorf("handshake() consumed %d of %d server bytes", d.off, len(tc.server))
			}
		})
	}
}

// TestHandshakeErrors checks that bad or hostile server input fails with
// an error naming the problem.
func TestHandshakeErrors(t *testing.T) {
	si := encodeServerInit(testInit)
	bigName := testInit
	bigName.Name = strings.Repeat("n", MaxNameLen+1)
	for _, tc := range []struct {
		name    string
		cfg     Config
		server  []byte
		want    string
		wantErr error
	}{
		{"not RFB", Config{}, []byte("HTTP/1.1 200"), `ProtocolVersion "HTTP/1.1 200" is not`, nil},
		{"non-digit version", Config{}, []byte("RFB 003.00x\n"), "is not", nil},
		{"too old", Config{}, []byte("RFB 002.009\n"), "older than 3.3", nil},
		{"truncated version", Config{}, []byte("RFB 003"), "ProtocolVersion at offset 0: unexpected EOF", nil},
		{"empty stream", Config{}, nil, "unexpected EOF", nil},
		{"3.8 refused with reason", Config{}, cat("RFB 003.008\n", byte(0), u32(7), "go away"), `refused the connection: "go away"`, nil},
		{"3.3 refused with reason", Config{}, cat("RFB 003.003\n", u32(0), u32(4), "busy"), `refused the connection: "busy"`, nil},
		{"reason too long", Config{}, cat("RFB 003.008\n", byte(0), u32(1<<20)), "refusal reason length 1048576 at offset 13 exceeds the limit of 65536 bytes", nil},
		{"3.8 no common type", Config{}, cat("RFB 003.008\n", byte(2), byte(16), byte(19)), "offers security types [16 19]", nil},
		{"3.8 vnc auth without password", Config{}, cat("RFB 003.008\n", byte(1), byte(2)), "set Config.Password", nil},
		{"3.3 vnc auth without password", Config{}, cat("RFB 003.003\n", u32(2)), "set Config.Password", nil},
		{"3.3 unknown type", Config{}, cat("RFB 003.003\n", u32(16)), "chose security type 16", nil},
		{"3.8 auth failed with reason", Config{Password: "x"}, cat("RFB 003.008\n", byte(1), byte(2), challenge, u32(1), u32(12), "bad password"), `"bad password"`, ErrAuthFailed},
		{"3.8 auth failed, reason cut", Config{Password: "x"}, cat("RFB 003.008\n", byte(1), byte(2), challenge, u32(1), u32(12), "bad"), "unexpected EOF", ErrAuthFailed},
		{"3.7 auth failed", Config{Password: "x"}, cat("RFB 003.007\n", byte(1), byte(2), challenge, u32(1)), "SecurityResult 1", ErrAuthFailed},
		{"3.8 none failed", Config{}, cat("RFB 003.008\n", byte(1), byte(1), u32(2), u32(0)), "SecurityResult 2", ErrAuthFailed},
		{"challenge cut", Config{Password: "x"}, cat("RFB 003.008\n", byte(1), byte(2), challenge[:5]), "VNC Authentication challenge at offset 14: unexpected EOF", nil},
		{"bits per pixel 24", Config{}, cat("RFB 003.008\n", byte(1), byte(1), u32(0), si[:4], byte(24), si[5:]), "bits-per-pixel 24 is not 8, 16 or 32", nil},
		{"depth 0", Config{}, cat("RFB 003.008\n", byte(1), byte(1), u32(0), si[:5], byte(0), si[6:]), "depth 0 is outside", nil},
		{"name too long", Config{}, cat("RFB 003.008\n", byte(1), byte(1), u32(0), encodeServerInit(bigName)), "desktop name length 1048577 at offset 38 exceeds the limit of 1048576 bytes", nil},
		{"name cut", Config{}, cat("RFB 003.008\n", byte(1), byte(1), u32(0), si[:len(si)-2]), "ServerInit desktop name at offset 42: unexpected EOF", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := handshake(newDecoder(bytes.NewReader(tc.server)), new(bytes.Buffer), tc.cfg)
			if err == nil {
				t.Fatalf("handshake() succeeded, want error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("handshake() = %v, want error containing %q", err, tc.want)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("handshake() = %v, want errors.Is %v", err, tc.wantErr)
			}
		})
	}
}

// TestVNCAuthResponse checks the DES response against a vector computed
// with OpenSSL (see response).
func TestVNCAuthResponse(t *testing.T) {
	got := vncAuthResponse("secret", [16]byte(challenge))
	if !bytes.Equal(got[:], response) {
		t.Errorf("vncAuthResponse(secret, %x) = %x, want %x", challenge, got, response)
	}
}
