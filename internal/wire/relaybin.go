package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/lagwatch/lagwatch/internal/relay"
)

// relayBinVersion is the format version byte of the binary form of
// [RelayFeatures].
const relayBinVersion = 1

// AppendBinary appends the binary form of r to b and returns the extended
// buffer; it implements encoding.BinaryAppender and never fails.
//
// The binary form is a compact copy of the relay block for storage, read
// back with [RelayFeatures.UnmarshalBinary] in about a microsecond where
// encoding/json takes tens. It is not part of the wire format: agents
// send JSON. Version 1 is:
//
//	version       1 byte, 1
//	keys          varint
//	msgs          varint
//	ties          varint
//	bursts        varint
//	stall_bursts  varint
//	zero_holds    varint
//	stall_us      varint
//	gap_us        varint
//	gaps          varint
//	gap_hist      uvarint length n, then n varints
//	stall_hist    uvarint length n, then n varints
//	hold_sum_s    float64
//	hold_sumsq_s2 float64
//	quant_cos     uvarint length n, then n float64s
//	quant_sin     uvarint length n, then n float64s
//
// Fields come in the declaration order of RelayFeatures, named here by
// their JSON names. A varint is a signed integer zig-zag encoded as in
// binary.AppendVarint, a uvarint an unsigned one as in
// binary.AppendUvarint, both in their shortest form; a float64 is its 8
// IEEE 754 bytes little-endian (math.Float64bits), so every value, NaN
// and infinities included, comes back bit for bit. Nothing follows the
// last field. A nil and an empty slice both encode as length 0.
func (r *RelayFeatures) AppendBinary(b []byte) ([]byte, error) {
	b = slices.Grow(b, 1+9*3+2*2+len(r.GapHist)+len(r.StallHist)+2*8+2+8*(len(r.QuantCos)+len(r.QuantSin)))
	b = append(b, relayBinVersion)
	for _, v := range [...]int64{int64(r.Keys), int64(r.Msgs), int64(r.Ties), int64(r.Bursts), int64(r.StallBursts),
		int64(r.ZeroHolds), r.StallMicros, r.GapMicros, int64(r.Gaps)} {
		b = binary.AppendVarint(b, v)
	}
	b = appendInts(b, r.GapHist)
	b = appendInts(b, r.StallHist)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.HoldSum))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.HoldSumSq))
	b = appendFloats(b, r.QuantCos)
	b = appendFloats(b, r.QuantSin)
	return b, nil
}

// MarshalBinary returns the binary form of r described at
// [RelayFeatures.AppendBinary]; it implements encoding.BinaryMarshaler
// and never fails.
func (r *RelayFeatures) MarshalBinary() ([]byte, error) {
	return r.AppendBinary(nil)
}

func appendInts(b []byte, v []int) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	for _, x := range v {
		b = binary.AppendVarint(b, int64(x))
	}
	return b
}

func appendFloats(b []byte, v []float64) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// UnmarshalBinary sets r to the relay block whose binary form (see
// [RelayFeatures.AppendBinary]) is data; it implements
// encoding.BinaryUnmarshaler. It rejects a version other than 1,
// truncated data, bytes after the last field, a varint that overflows 64
// bits (or int, for the fields of type int) or is not in its shortest
// form, and a histogram longer than relay.NumGapBins or a phase-sum slice
// longer than relay.NumQuant; shorter ones decode, as they do from JSON,
// and length 0 decodes to nil. Whatever a length prefix says, it
// allocates no more than those limits allow, and nothing for a slice
// whose elements the bytes left cannot hold. An error names the field by
// its JSON name, and an element by its index too, such as
// "relay binary: gap_hist: length 900 exceeds 128" or
// "relay binary: gap_hist[3]: truncated".
//
// UnmarshalBinary checks the encoding only, not the values: run
// [CheckRelayFeatures] before trusting the block.
//
// Like encoding/json, UnmarshalBinary decodes each slice into the start
// of r's slice when that is at least as long: decoding block after block
// into the same r allocates nothing after the first, and a block decoded
// before into r (or anything sharing its slices) changes. On error the
// fields of r keep their values, but the elements of its slices may have
// changed. The result shares no memory with data.
func (r *RelayFeatures) UnmarshalBinary(data []byte) error {
	if len(data) == 0 {
		return relayBinErr("version", -1, "truncated")
	}
	if data[0] != relayBinVersion {
		return errors.New("relay binary: version " + strconv.Itoa(int(data[0])) + " unknown, want " + strconv.Itoa(relayBinVersion))
	}
	d := relayBinDecoder{b: data[1:]}
	var v RelayFeatures
	v.Keys = d.int("keys")
	v.Msgs = d.int("msgs")
	v.Ties = d.int("ties")
	v.Bursts = d.int("bursts")
	v.StallBursts = d.int("stall_bursts")
	v.ZeroHolds = d.int("zero_holds")
	v.StallMicros = d.varint("stall_us", -1)
	v.GapMicros = d.varint("gap_us", -1)
	v.Gaps = d.int("gaps")
	// The slices reuse r's arrays where they are long enough; else one
	// new array holds both histograms, and one both phase-sum slices.
	var h []int
	if n := d.length("gap_hist", relay.NumGapBins, 1); n > 0 {
		v.GapHist = d.ints("gap_hist", reuse(r.GapHist, n, &h, relay.NumGapBins))
	}
	if n := d.length("stall_hist", relay.NumGapBins, 1); n > 0 {
		v.StallHist = d.ints("stall_hist", reuse(r.StallHist, n, &h, 0))
	}
	v.HoldSum = d.float("hold_sum_s", -1)
	v.HoldSumSq = d.float("hold_sumsq_s2", -1)
	var q []float64
	if n := d.length("quant_cos", relay.NumQuant, 8); n > 0 {
		v.QuantCos = d.floats("quant_cos", reuse(r.QuantCos, n, &q, relay.NumQuant))
	}
	if n := d.length("quant_sin", relay.NumQuant, 8); n > 0 {
		v.QuantSin = d.floats("quant_sin", reuse(r.QuantSin, n, &q, 0))
	}
	if d.err == nil && len(d.b) > 0 {
		return errors.New("relay binary: " + strconv.Itoa(len(d.b)) + " bytes after quant_sin, the last field")
	}
	if d.err != nil {
		return d.err
	}
	*r = v
	return nil
}

// reuse returns a slice of n elements to decode into: the first n of old
// when it has them, else the next n of *spare, which it first allocates,
// with room for extra more, if it has fewer.
func reuse[T int | float64](old []T, n int, spare *[]T, extra int) []T {
	if len(old) >= n {
		return old[:n]
	}
	if len(*spare) < n {
		*spare = make([]T, n+extra)
	}
	s := (*spare)[:n:n]
	*spare = (*spare)[n:]
	return s
}

// relayBinDecoder reads the fields of a binary relay block from b; after
// the first error, in err, it reads nothing more.
type relayBinDecoder struct {
	b   []byte
	err error
}

// relayBinErr returns the error of field (element i of it, unless i < 0).
func relayBinErr(field string, i int, reason string) error {
	if i >= 0 {
		field += "[" + strconv.Itoa(i) + "]"
	}
	return errors.New("relay binary: " + field + ": " + reason)
}

// uvarint reads an unsigned varint of field (element i).
func (d *relayBinDecoder) uvarint(field string, i int) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if !d.ok(field, i, n) {
		return 0
	}
	return v
}

// varint reads a signed varint of field (element i).
func (d *relayBinDecoder) varint(field string, i int) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if !d.ok(field, i, n) {
		return 0
	}
	return v
}

// ok checks the result n of reading a varint of field (element i) from
// d.b and consumes it.
func (d *relayBinDecoder) ok(field string, i, n int) bool {
	switch {
	case n == 0:
		d.err = relayBinErr(field, i, "truncated")
		return false
	case n < 0:
		d.err = relayBinErr(field, i, "varint overflows 64 bits")
		return false
	case n > 1 && d.b[n-1] == 0:
		d.err = relayBinErr(field, i, "varint not in its shortest form")
		return false
	}
	d.b = d.b[n:]
	return true
}

// int reads a varint field of type int.
func (d *relayBinDecoder) int(field string) int {
	return d.intAt(field, -1)
}

// intAt reads a varint of type int of field (element i).
func (d *relayBinDecoder) intAt(field string, i int) int {
	v := d.varint(field, i)
	if int64(int(v)) != v {
		d.err = relayBinErr(field, i, "value "+strconv.FormatInt(v, 10)+" overflows int")
		return 0
	}
	return int(v)
}

// float reads a float64 of field (element i).
func (d *relayBinDecoder) float(field string, i int) float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = relayBinErr(field, i, "truncated")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// length reads the length of slice field, at most limit, of elements of at
// least size bytes each: 0 after an error, and an error unless d holds
// that many bytes more.
func (d *relayBinDecoder) length(field string, limit, size int) int {
	n := d.uvarint(field, -1)
	switch {
	case d.err != nil:
		return 0
	case n > uint64(limit):
		d.err = fmt.Errorf("relay binary: %s: length %d exceeds %d", field, n, limit)
		return 0
	case int(n)*size > len(d.b):
		d.err = fmt.Errorf("relay binary: %s: truncated: length %d needs at least %d bytes, %d left", field, n, int(n)*size, len(d.b))
		return 0
	}
	return int(n)
}

// ints reads len(h) varints of field into h and returns h. Counts under
// 64 take one byte, and the loop decodes those itself: a histogram is
// mostly such counts, and a call per count made a decode several times
// slower.
func (d *relayBinDecoder) ints(field string, h []int) []int {
	b := d.b
	for i := range h {
		if len(b) > 0 && b[0] < 0x80 {
			h[i] = int(b[0]>>1) ^ -int(b[0]&1) // zig-zag
			b = b[1:]
			continue
		}
		d.b = b
		if h[i] = d.intAt(field, i); d.err != nil {
			return nil
		}
		b = d.b
	}
	d.b = b
	return h
}

// floats reads len(q) float64s of field into q and returns q.
func (d *relayBinDecoder) floats(field string, q []float64) []float64 {
	for i := range q {
		q[i] = d.float(field, i)
	}
	return q
}
