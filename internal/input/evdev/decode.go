package evdev

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Event types, codes and values from linux/input-event-codes.h.
const (
	evSyn = 0x00
	evKey = 0x01
	evMax = 0x1f

	synReport  = 0
	synDropped = 3

	keyMax = 0x2ff // KEY_MAX: the largest code an EV_KEY event may carry

	keyRelease = 0
	keyPress   = 1
	keyRepeat  = 2
)

// maxSec is the largest timestamp, in seconds, that fits a time.Duration.
const maxSec = math.MaxInt64/int64(time.Second) - 1

// record is one decoded struct input_event. It holds a key code and so
// never leaves this package: the tracker turns it into a keystroke.Event.
type record struct {
	time  time.Duration // the event's timestamp on the clock the device was set to
	typ   uint16
	code  uint16
	value int32
}

// decoder decodes struct input_event records of one layout: a struct
// timeval of two C longs (seconds, microseconds), then u16 type, u16 code
// and s32 value, in the given byte order. size is 24 on 64-bit kernels and
// 16 on 32-bit ones.
type decoder struct {
	size  int
	order binary.ByteOrder
}

// native is the layout of this process's kernel: C long is as wide as Go's
// int on every Linux port.
var native = decoder{size: 2*strconv.IntSize/8 + 8, order: binary.NativeEndian}

// decode decodes the record at the start of b; off is its offset in the
// stream, for error messages. No error contains a key code.
func (d decoder) decode(b []byte, off int64) (record, error) {
	if len(b) < d.size {
		return record{}, fmt.Errorf("input_event at offset %d: %d bytes, need %d", off, len(b), d.size)
	}
	var sec, usec uint64
	long := (d.size - 8) / 2
	if long == 8 {
		sec, usec = d.order.Uint64(b), d.order.Uint64(b[8:])
	} else {
		sec, usec = uint64(d.order.Uint32(b)), uint64(d.order.Uint32(b[4:]))
	}
	b = b[2*long:]
	r := record{typ: d.order.Uint16(b), code: d.order.Uint16(b[2:]), value: int32(d.order.Uint32(b[4:]))}
	switch {
	case usec >= 1e6:
		return record{}, fmt.Errorf("input_event at offset %d: microseconds %d out of range (limit 999999)", off, usec)
	case sec > uint64(maxSec):
		return record{}, fmt.Errorf("input_event at offset %d: seconds %d out of range (limit %d)", off, sec, maxSec)
	case r.typ > evMax:
		return record{}, fmt.Errorf("input_event at offset %d: invalid event type 0x%x (limit 0x%x)", off, r.typ, evMax)
	case r.typ == evKey && r.code > keyMax:
		return record{}, fmt.Errorf("input_event at offset %d: key code out of range (limit 0x%x)", off, keyMax)
	case r.typ == evKey && (r.value < keyRelease || r.value > keyRepeat):
		return record{}, fmt.Errorf("input_event at offset %d: invalid key value %d (want 0, 1 or 2)", off, r.value)
	}
	r.time = time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond
	return r, nil
}

// readBatch is how many records one read asks for.
const readBatch = 64

// readStream decodes records from src until it fails, feeding each to t
// and passing every finished stroke to emit. It returns io.EOF at a clean
// end of stream and an error naming the offset for a truncated or invalid
// record. Reads may return any number of bytes; a partial record is kept
// for the next read (the kernel returns whole records, pipes need not).
func readStream(src io.Reader, d decoder, t *tracker, emit func(keystroke.Event)) error {
	buf := make([]byte, readBatch*d.size)
	var (
		n   int   // bytes held in buf
		off int64 // stream offset of buf[0]
	)
	for {
		m, err := src.Read(buf[n:])
		n += m
		i := 0
		for ; n-i >= d.size; i += d.size {
			r, derr := d.decode(buf[i:i+d.size], off+int64(i))
			if derr != nil {
				return derr
			}
			if e, ok := t.feed(r); ok {
				emit(e)
			}
		}
		copy(buf, buf[i:n])
		n -= i
		off += int64(i)
		if err == io.EOF && n > 0 {
			return fmt.Errorf("input_event at offset %d: stream ends after %d of %d bytes", off, n, d.size)
		}
		if err != nil {
			return err
		}
	}
}
