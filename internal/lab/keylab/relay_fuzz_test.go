package keylab

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

func FuzzParseMessages(f *testing.F) {
	msg := func(idx uint32, down byte) []byte {
		b := make([]byte, msgLen)
		binary.BigEndian.PutUint32(b, idx)
		b[4] = down
		return b
	}
	f.Add(append(msg(0, 1), msg(0, 0)...))
	f.Add(append(msg(3, 1), 0, 0, 0)) // a partial second message
	f.Add(msg(9, 1))                  // beyond the strokes
	f.Add(msg(1, 7))                  // bad kind
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		out := make([]keystroke.Event, 4)
		c, n, err := parseMessages(b, out, time.Second)
		if c < 0 || c > len(b) || c%msgLen != 0 || n != c/msgLen {
			t.Fatalf("parseMessages consumed %d and decoded %d of %d bytes", c, n, len(b))
		}
		if err == nil && len(b)-c >= msgLen {
			t.Fatalf("stopped at %d of %d bytes without an error", c, len(b))
		}
	})
}
