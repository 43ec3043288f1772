package rfb

import (
	"crypto/des"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
)

// ErrAuthFailed is returned by [Dial] and [NewClient] when the server
// rejects the password or refuses the connection in SecurityResult.
var ErrAuthFailed = errors.New("rfb: authentication failed")

// Security types (RFC 6143, 7.2).
const (
	securityInvalid = 0
	securityNone    = 1
	securityVNCAuth = 2
)

// handshake runs the protocol from ProtocolVersion to ServerInit (RFC
// 6143, 7.1 to 7.3) and returns the minor version agreed (3, 7 or 8) and
// the server's ServerInit.
func handshake(d *decoder, w io.Writer, cfg Config) (int, ServerInit, error) {
	minor, err := negotiateVersion(d, w)
	if err != nil {
		return 0, ServerInit{}, err
	}
	if err := authenticate(d, w, minor, cfg.Password); err != nil {
		return 0, ServerInit{}, err
	}
	shared := byte(1)
	if cfg.Exclusive {
		shared = 0
	}
	if _, err := w.Write([]byte{shared}); err != nil {
		return 0, ServerInit{}, fmt.Errorf("send ClientInit: %w", err)
	}
	si, err := readServerInit(d)
	if err != nil {
		return 0, ServerInit{}, err
	}
	return minor, si, nil
}

// negotiateVersion reads the server's ProtocolVersion and answers with the
// highest version the client speaks that is not above it. As RFC 6143
// (7.1.1) asks, versions 3.4 to 3.6 are treated as 3.3, and anything
// above 3.8 (such as Apple's 3.889) as 3.8.
func negotiateVersion(d *decoder, w io.Writer) (int, error) {
	var b [12]byte
	if err := d.full("ProtocolVersion", b[:]); err != nil {
		return 0, err
	}
	major, minor, ok := parseVersion(b)
	if !ok {
		return 0, fmt.Errorf("server ProtocolVersion %q is not \"RFB xxx.yyy\\n\"", b[:])
	}
	var use int
	switch {
	case major > 3 || major == 3 && minor >= 8:
		use = 8
	case major == 3 && minor == 7:
		use = 7
	case major == 3 && minor >= 3:
		use = 3
	default:
		return 0, fmt.Errorf("server ProtocolVersion %d.%d is older than 3.3, the oldest supported", major, minor)
	}
	if _, err := fmt.Fprintf(w, "RFB 003.%03d\n", use); err != nil {
		return 0, fmt.Errorf("send ProtocolVersion 3.%d: %w", use, err)
	}
	return use, nil
}

func parseVersion(b [12]byte) (major, minor int, ok bool) {
	if string(b[:4]) != "RFB " || b[7] != '.' || b[11] != '\n' {
		return 0, 0, false
	}
	digits := func(s []byte) (int, bool) {
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		n, err := strconv.Atoi(string(s))
		return n, err == nil
	}
	major, ok1 := digits(b[4:7])
	minor, ok2 := digits(b[8:11])
	return major, minor, ok1 && ok2
}

// authenticate runs the security handshake of the given minor version.
func authenticate(d *decoder, w io.Writer, minor int, password string) error {
	var typ uint8
	if minor == 3 {
		// Version 3.3: the server decides.
		t, err := d.u32("security-type")
		if err != nil {
			return err
		}
		if t == securityInvalid {
			return refused(d)
		}
		if t != securityNone && t != securityVNCAuth {
			return fmt.Errorf("server chose security type %d; only None (1) and VNC Authentication (2) are supported", t)
		}
		typ = uint8(t)
	} else {
		n, err := d.u8("number-of-security-types")
		if err != nil {
			return err
		}
		if n == 0 {
			return refused(d)
		}
		offered := make([]byte, n)
		if err := d.full("security-types", offered); err != nil {
			return err
		}
		if typ, err = chooseSecurity(offered, password); err != nil {
			return err
		}
		if _, err := w.Write([]byte{typ}); err != nil {
			return fmt.Errorf("send security type %d: %w", typ, err)
		}
	}
	switch typ {
	case securityNone:
		if minor < 8 {
			return nil // no SecurityResult for None before 3.8
		}
	case securityVNCAuth:
		if password == "" {
			return errors.New("server requires VNC Authentication; set Config.Password")
		}
		var challenge [16]byte
		if err := d.full("VNC Authentication challenge", challenge[:]); err != nil {
			return err
		}
		resp := vncAuthResponse(password, challenge)
		if _, err := w.Write(resp[:]); err != nil {
			return fmt.Errorf("send VNC Authentication response: %w", err)
		}
	}
	status, err := d.u32("SecurityResult")
	if err != nil {
		return err
	}
	if status == 0 {
		return nil
	}
	if minor < 8 {
		return fmt.Errorf("%w (SecurityResult %d)", ErrAuthFailed, status)
	}
	reason, err := d.str("SecurityResult reason", maxReasonLen)
	if err != nil {
		return fmt.Errorf("%w (SecurityResult %d, no reason: %w)", ErrAuthFailed, status, err)
	}
	return fmt.Errorf("%w (SecurityResult %d): %q", ErrAuthFailed, status, reason)
}

// chooseSecurity picks VNC Authentication when a password is set and the
// server offers it, and None otherwise.
func chooseSecurity(offered []byte, password string) (uint8, error) {
	var none, vnc bool
	for _, t := range offered {
		none = none || t == securityNone
		vnc = vnc || t == securityVNCAuth
	}
	switch {
	case vnc && password != "":
		return securityVNCAuth, nil
	case none:
		return securityNone, nil
	case vnc:
		return 0, errors.New("server requires VNC Authentication; set Config.Password")
	}
	return 0, fmt.Errorf("server offers security types %v; only None (1) and VNC Authentication (2) are supported", offered)
}

// refused reads the reason string that follows a refused connection.
func refused(d *decoder) error {
	reason, err := d.str("refusal reason", maxReasonLen)
	if err != nil {
		return fmt.Errorf("server refused the connection, no reason: %w", err)
	}
	return fmt.Errorf("server refused the connection: %q", reason)
}

// vncAuthResponse encrypts the challenge with DES, keyed by the first
// eight bytes of the password (zero-padded) with the bits of each byte
// reversed, as VNC servers expect (RFC 6143, 7.2.2, and its errata).
func vncAuthResponse(password string, challenge [16]byte) [16]byte {
	var key [8]byte
	copy(key[:], password)
	for i, b := range key {
		key[i] = bits.Reverse8(b)
	}
	block, err := des.NewCipher(key[:])
	if err != nil {
		panic(err) // unreachable: the key is always 8 bytes
	}
	var resp [16]byte
	block.Encrypt(resp[:8], challenge[:8])
	block.Encrypt(resp[8:], challenge[8:])
	return resp
}
