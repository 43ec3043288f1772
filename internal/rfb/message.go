package rfb

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync/atomic"
)

// Server-to-client message types (RFC 6143, 7.6).
const (
	msgFramebufferUpdate   = 0
	msgSetColourMapEntries = 1
	msgBell                = 2
	msgServerCutText       = 3
)

// encodingRaw is the only encoding the client asks for and accepts.
const encodingRaw = 0

// Stats counts what the server has sent since ServerInit.
type Stats struct {
	FramebufferUpdates uint64 // FramebufferUpdate messages
	Rectangles         uint64 // rectangles in them
	ColourMapEntries   uint64 // SetColourMapEntries messages
	Bells              uint64
	CutTexts           uint64 // ServerCutText messages
	Bytes              uint64 // all bytes read after ServerInit
}

// counters is the live, concurrently readable form of Stats.
type counters struct {
	updates, rects, colourMaps, bells, cutTexts atomic.Uint64
}

// readMessage reads one server message, checks every length in it
// against the framebuffer si and the package limits, discards its
// payload and counts it. It returns io.EOF if the stream ends cleanly
// before a message starts.
func readMessage(d *decoder, si ServerInit, n *counters) error {
	start := d.off
	typ, err := d.r.ReadByte()
	if err != nil {
		if err == io.EOF {
			return io.EOF // between messages: a clean close
		}
		return fmt.Errorf("read message type at offset %d: %w", start, err)
	}
	d.off++
	switch typ {
	case msgFramebufferUpdate:
		err = readFramebufferUpdate(d, si, n)
	case msgSetColourMapEntries:
		err = readColourMapEntries(d, n)
	case msgBell:
		n.bells.Add(1)
	case msgServerCutText:
		err = readCutText(d, n)
	default:
		return fmt.Errorf("unknown server message type %d at offset %d", typ, start)
	}
	if err != nil {
		return fmt.Errorf("server message type %d at offset %d: %w", typ, start, err)
	}
	return nil
}

func readFramebufferUpdate(d *decoder, si ServerInit, n *counters) error {
	if err := d.skip("padding", 1); err != nil {
		return err
	}
	count, err := d.u16("number-of-rectangles")
	if err != nil {
		return err
	}
	bpp := int64(si.PixelFormat.BytesPerPixel())
	var b [12]byte
	for i := range int(count) {
		at := d.off
		if err := d.full(fmt.Sprintf("rectangle %d header", i), b[:]); err != nil {
			return err
		}
		x := int64(binary.BigEndian.Uint16(b[0:]))
		y := int64(binary.BigEndian.Uint16(b[2:]))
		w := int64(binary.BigEndian.Uint16(b[4:]))
		h := int64(binary.BigEndian.Uint16(b[6:]))
		enc := int32(binary.BigEndian.Uint32(b[8:]))
		if enc != encodingRaw {
			return fmt.Errorf("rectangle %d at offset %d: encoding %d is not Raw (0), the only one requested", i, at, enc)
		}
		if x+w > int64(si.Width) || y+h > int64(si.Height) {
			return fmt.Errorf("rectangle %d at offset %d: %dx%d at (%d,%d) exceeds the %dx%d framebuffer",
				i, at, w, h, x, y, si.Width, si.Height)
		}
		if err := d.skip(fmt.Sprintf("rectangle %d pixels", i), w*h*bpp); err != nil {
			return err
		}
		n.rects.Add(1)
	}
	n.updates.Add(1)
	return nil
}

func readColourMapEntries(d *decoder, n *counters) error {
	if err := d.skip("padding", 1); err != nil {
		return err
	}
	at := d.off
	first, err := d.u16("first-colour")
	if err != nil {
		return err
	}
	count, err := d.u16("number-of-colours")
	if err != nil {
		return err
	}
	if int(first)+int(count) > 1<<16 {
		return fmt.Errorf("colours %d to %d at offset %d exceed the 65536-entry colour map", first, int(first)+int(count)-1, at)
	}
	if err := d.skip("colours", int64(count)*6); err != nil {
		return err
	}
	n.colourMaps.Add(1)
	return nil
}

func readCutText(d *decoder, n *counters) error {
	if err := d.skip("padding", 3); err != nil {
		return err
	}
	at := d.off
	length, err := d.u32("text length")
	if err != nil {
		return err
	}
	if length > maxCutTextLen {
		return fmt.Errorf("text length %d at offset %d exceeds the limit of %d bytes", length, at, maxCutTextLen)
	}
	if err := d.skip("text", int64(length)); err != nil {
		return err
	}
	n.cutTexts.Add(1)
	return nil
}
