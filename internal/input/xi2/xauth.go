package xi2

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
)

// Xauthority address families (Xauth.h, X.h).
const (
	familyInternet  = 0
	familyInternet6 = 6
	familyLocal     = 256
	familyWild      = 65535
)

// cookieName is the only authorization protocol this client speaks.
const cookieName = "MIT-MAGIC-COOKIE-1"

// maxXauthFile bounds the Xauthority file read; real ones are a few
// hundred bytes per display.
const maxXauthFile = 1 << 20

// xauthEntry is one record of an Xauthority file.
type xauthEntry struct {
	family  uint16
	address []byte
	number  string // display number as text; empty matches any
	name    string
	data    []byte
}

// parseXauthority decodes an Xauthority file: records of a big-endian
// 16-bit family and four big-endian 16-bit-length-prefixed strings.
func parseXauthority(b []byte) ([]xauthEntry, error) {
	if len(b) > maxXauthFile {
		return nil, fmt.Errorf("xauthority: %d bytes exceeds limit %d", len(b), maxXauthFile)
	}
	var out []xauthEntry
	off := 0
	field := func(what string) ([]byte, error) {
		if off+2 > len(b) {
			return nil, fmt.Errorf("xauthority: entry %d: %s length at offset %d: %w", len(out), what, off, errTruncated)
		}
		n := int(binary.BigEndian.Uint16(b[off:]))
		off += 2
		if off+n > len(b) {
			return nil, fmt.Errorf("xauthority: entry %d: %s of %d bytes at offset %d exceeds file (%d bytes): %w", len(out), what, n, off, len(b), errTruncated)
		}
		s := b[off : off+n]
		off += n
		return s, nil
	}
	for off < len(b) {
		if off+2 > len(b) {
			return nil, fmt.Errorf("xauthority: entry %d: family at offset %d: %w", len(out), off, errTruncated)
		}
		e := xauthEntry{family: binary.BigEndian.Uint16(b[off:])}
		off += 2
		var err error
		if e.address, err = field("address"); err != nil {
			return nil, err
		}
		num, err := field("display number")
		if err != nil {
			return nil, err
		}
		name, err := field("name")
		if err != nil {
			return nil, err
		}
		if e.data, err = field("data"); err != nil {
			return nil, err
		}
		e.number, e.name = string(num), string(name)
		out = append(out, e)
	}
	return out, nil
}

// findCookie returns the MIT-MAGIC-COOKIE-1 data for the display among the
// entries, like libXau's XauGetBestAuthByAddr: a local connection matches
// FamilyLocal entries for the host name, a TCP connection entries for the
// server's address (or FamilyLocal for the host name when the server is
// on loopback), FamilyWild matches any address, and an empty display
// number any display.
func findCookie(entries []xauthEntry, d display, hostname string) ([]byte, bool) {
	num := strconv.Itoa(d.number)
	addrMatch := func(e xauthEntry) bool {
		switch e.family {
		case familyWild:
			return true
		case familyLocal:
			return d.local() && string(e.address) == hostname
		case familyInternet, familyInternet6:
			if d.local() {
				return false
			}
			ip := net.ParseIP(d.host)
			if ip == nil {
				return false
			}
			if ip4 := ip.To4(); ip4 != nil && e.family == familyInternet {
				return string(e.address) == string(ip4)
			}
			return e.family == familyInternet6 && string(e.address) == string(ip.To16())
		}
		return false
	}
	for _, e := range entries {
		if e.name != cookieName || (e.number != "" && e.number != num) {
			continue
		}
		if addrMatch(e) {
			return e.data, true
		}
		// libxcb treats a TCP connection to loopback as local.
		if e.family == familyLocal && d.loopback() && string(e.address) == hostname {
			return e.data, true
		}
	}
	return nil, false
}

// readCookie reads the Xauthority file at path and returns the cookie for
// the display. A missing file means no cookie, not an error.
func readCookie(path string, d display, hostname string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open xauthority: %w", err) // the PathError names the file
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxXauthFile+1))
	if err != nil {
		return nil, fmt.Errorf("read xauthority %s: %w", path, err)
	}
	entries, err := parseXauthority(b)
	if err != nil {
		return nil, fmt.Errorf("read xauthority %s: %w", path, err)
	}
	cookie, _ := findCookie(entries, d, hostname)
	return cookie, nil
}
