package wire_test

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// relayedWindow returns a window of n strokes of typing relayed over a
// 150 ms Nagle path, as an agent sends it: the aggregates of
// keystroke.Windower and the relay block of relay.LiveExtractor, over the
// strokes in the order a reader reports them (at release).
func relayedWindow(tb testing.TB, n int, seed uint64) wire.InputWindow {
	tb.Helper()
	ev := relay.Path{RTT: 150 * time.Millisecond, Loss: 0.02, AckDelay: relay.DelayedAck}.Relay(overlappingTyping(n, seed), seed)
	slices.SortStableFunc(ev, func(a, b keystroke.Event) int { return cmp.Compare(a.Release, b.Release) })
	wd := keystroke.NewWindower(false)
	var x relay.LiveExtractor
	for _, e := range ev {
		wd.Add(e)
		x.Add(e)
	}
	start := now.Add(-2 * time.Minute)
	kw := wd.Cut(start, start.Add(time.Minute))
	f := x.Cut()
	w := wire.InputWindow{WindowID: "w-" + strconv.FormatUint(seed, 10), Start: kw.Start, End: kw.End, Source: "evdev",
		Keys: kw.Keys, Repeats: kw.Repeats, ByClass: map[string]int{}, ByProvenance: map[string]int{},
		FlightHist: kw.Flight, HoldHist: kw.Hold,
		FlightSum: kw.FlightSum, FlightSumSq: kw.FlightSumSq, HoldSum: kw.HoldSum, HoldSumSq: kw.HoldSumSq,
		FastPairs: kw.FastPairs, Bursts: kw.Bursts, StallBursts: kw.StallBursts,
		Devices: []wire.InputDevice{{Name: "AT Translated Set 2 keyboard", Provenance: "physical", Bus: "i8042", Keys: kw.Keys}},
		Relay:   wire.NewRelayFeatures(&f)}
	for c, k := range kw.ByClass {
		if k > 0 {
			w.ByClass[keystroke.Class(c).String()] = k
		}
	}
	w.ByProvenance["physical"] = kw.Keys
	body, err := json.Marshal(wire.Batch{Version: 1, BatchID: "b", Windows: []wire.InputWindow{w}})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := wire.DecodeBatch(body, now); err != nil {
		tb.Fatalf("relayedWindow(%d, %d) does not decode: %v", n, seed, err)
	}
	if f.Bursts == 0 {
		tb.Fatalf("relayedWindow(%d, %d) has no bursts; it is not the relayed typing it should be", n, seed)
	}
	return w
}

// Float64 bit patterns that must come back exactly.
var (
	quietNaNPayload = math.Float64frombits(0x7ff8_0000_dead_beef)
	signallingNaN   = math.Float64frombits(0x7ff0_0000_0000_0001)
	negativeNaN     = math.Float64frombits(0xfff8_0000_0000_0000)
	negativeZero    = math.Copysign(0, -1)
)

// relayBinCases are relay blocks that the binary form must carry exactly,
// valid or not.
func relayBinCases(tb testing.TB) []struct {
	name string
	r    *wire.RelayFeatures
} {
	short := relayBlock()
	short.GapHist, short.StallHist, short.QuantCos = short.GapHist[:3], []int{}, short.QuantCos[:1]
	return []struct {
		name string
		r    *wire.RelayFeatures
	}{
		{"relayBlock", relayBlock()},
		{"relayed 200", relayedWindow(tb, 200, 1).Relay},
		{"relayed 3000", relayedWindow(tb, 3000, 2).Relay},
		{"no strokes", wire.NewRelayFeatures(&relay.Features{})},
		{"zero value", &wire.RelayFeatures{}},
		{"short slices", short},
		{"extremes", &wire.RelayFeatures{Keys: math.MaxInt, Msgs: math.MinInt, Ties: -1, Bursts: 63, StallBursts: -64, ZeroHolds: 64,
			StallMicros: math.MinInt64, GapMicros: math.MaxInt64, Gaps: 1 << 30,
			GapHist: []int{math.MinInt, -1, 0, 1, math.MaxInt}, StallHist: slices.Repeat([]int{math.MaxInt}, relay.NumGapBins),
			HoldSum: math.Inf(1), HoldSumSq: math.Inf(-1),
			QuantCos: []float64{quietNaNPayload, signallingNaN, negativeNaN, negativeZero},
			QuantSin: []float64{math.SmallestNonzeroFloat64, -math.MaxFloat64, math.NaN(), 0}}},
	}
}

// sameRelay reports whether a and b are equal, floats bit for bit.
func sameRelay(a, b *wire.RelayFeatures) bool {
	bits := func(v []float64) []uint64 {
		out := make([]uint64, len(v))
		for i, x := range v {
			out[i] = math.Float64bits(x)
		}
		return out
	}
	ia, ib := *a, *b
	ia.HoldSum, ia.HoldSumSq, ia.QuantCos, ia.QuantSin = 0, 0, nil, nil
	ib.HoldSum, ib.HoldSumSq, ib.QuantCos, ib.QuantSin = 0, 0, nil, nil
	return reflect.DeepEqual(ia, ib) &&
		math.Float64bits(a.HoldSum) == math.Float64bits(b.HoldSum) && math.Float64bits(a.HoldSumSq) == math.Float64bits(b.HoldSumSq) &&
		slices.Equal(bits(a.QuantCos), bits(b.QuantCos)) && slices.Equal(bits(a.QuantSin), bits(b.QuantSin)) &&
		(a.QuantCos == nil) == (b.QuantCos == nil) && (a.QuantSin == nil) == (b.QuantSin == nil)
}

// nilEmpty returns r with its empty slices nil, as they decode.
func nilEmpty(r *wire.RelayFeatures) *wire.RelayFeatures {
	c := *r
	if len(c.GapHist) == 0 {
		c.GapHist = nil
	}
	if len(c.StallHist) == 0 {
		c.StallHist = nil
	}
	if len(c.QuantCos) == 0 {
		c.QuantCos = nil
	}
	if len(c.QuantSin) == 0 {
		c.QuantSin = nil
	}
	return &c
}

func TestRelayBinaryRoundTrip(t *testing.T) {
	for _, tc := range relayBinCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			data, err := tc.r.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary() = %v", err)
			}
			if want := layout(tc.r); !bytes.Equal(data, want) {
				t.Fatalf("MarshalBinary() =\n%x\nwant, by the documented layout,\n%x", data, want)
			}
			prefix := []byte("prefix")
			app, err := tc.r.AppendBinary(prefix[:len(prefix):len(prefix)])
			if err != nil || string(app[:len(prefix)]) != "prefix" || !bytes.Equal(app[len(prefix):], data) {
				t.Fatalf("AppendBinary(%q) = %x, %v; want the prefix then %x", prefix, app, err, data)
			}
			var got wire.RelayFeatures
			if err := got.UnmarshalBinary(data); err != nil {
				t.Fatalf("UnmarshalBinary(MarshalBinary()) = %v", err)
			}
			if want := nilEmpty(tc.r); !sameRelay(&got, want) {
				t.Fatalf("UnmarshalBinary(MarshalBinary()) =\n%+v\nwant\n%+v", got, want)
			}
			if want := nilEmpty(tc.r); !hasNaN(want) && !reflect.DeepEqual(&got, want) {
				t.Errorf("UnmarshalBinary(MarshalBinary()) = %+v, not reflect.DeepEqual to %+v", got, want)
			}
			// Decoded into a block that has slices, it reuses those long
			// enough and gives the same result.
			used := relayBlock()
			used.QuantSin = used.QuantSin[:1]
			if err := used.UnmarshalBinary(data); err != nil || !sameRelay(used, nilEmpty(tc.r)) {
				t.Fatalf("UnmarshalBinary(MarshalBinary()) into relayBlock() = %v,\n%+v\nwant\n%+v", err, used, nilEmpty(tc.r))
			}
			// The result shares no memory with data, and appending to one
			// of its slices cannot change another.
			clear(data)
			if want := nilEmpty(tc.r); !sameRelay(&got, want) {
				t.Fatalf("after clearing the data, the decoded block =\n%+v\nwant\n%+v", got, want)
			}
			if cap(got.GapHist) != len(got.GapHist) || cap(got.StallHist) != len(got.StallHist) || cap(got.QuantCos) != len(got.QuantCos) || cap(got.QuantSin) != len(got.QuantSin) {
				t.Errorf("decoded slices have room to grow into each other: caps %d %d %d %d for lengths %d %d %d %d",
					cap(got.GapHist), cap(got.StallHist), cap(got.QuantCos), cap(got.QuantSin), len(got.GapHist), len(got.StallHist), len(got.QuantCos), len(got.QuantSin))
			}
		})
	}
}

// hasNaN reports whether r holds a NaN, which reflect.DeepEqual never
// finds equal.
func hasNaN(r *wire.RelayFeatures) bool {
	return math.IsNaN(r.HoldSum) || math.IsNaN(r.HoldSumSq) || slices.ContainsFunc(r.QuantCos, math.IsNaN) || slices.ContainsFunc(r.QuantSin, math.IsNaN)
}

// layout encodes r by the layout documented at RelayFeatures.AppendBinary,
// independently of it.
func layout(r *wire.RelayFeatures) []byte {
	b := []byte{1}
	for _, v := range []int64{int64(r.Keys), int64(r.Msgs), int64(r.Ties), int64(r.Bursts), int64(r.StallBursts), int64(r.ZeroHolds), r.StallMicros, r.GapMicros, int64(r.Gaps)} {
		b = binary.AppendVarint(b, v)
	}
	for _, h := range [][]int{r.GapHist, r.StallHist} {
		b = binary.AppendUvarint(b, uint64(len(h)))
		for _, v := range h {
			b = binary.AppendVarint(b, int64(v))
		}
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.HoldSum))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.HoldSumSq))
	for _, q := range [][]float64{r.QuantCos, r.QuantSin} {
		b = binary.AppendUvarint(b, uint64(len(q)))
		for _, v := range q {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

// TestRelayBinaryEveryField fails when RelayFeatures gains a field the
// binary form does not carry: it sets every field to a value of its own
// and decodes it back.
func TestRelayBinaryEveryField(t *testing.T) {
	var r wire.RelayFeatures
	v := reflect.ValueOf(&r).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(100 + i))
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.5)
		case reflect.Slice:
			s := reflect.MakeSlice(f.Type(), 2, 2)
			s.Index(0).Set(reflect.ValueOf(i).Convert(f.Type().Elem()))
			s.Index(1).Set(reflect.ValueOf(-i).Convert(f.Type().Elem()))
			f.Set(s)
		default:
			t.Fatalf("RelayFeatures.%s is a %s; the binary form and this test know ints, int64s, float64s and slices of them", v.Type().Field(i).Name, f.Kind())
		}
	}
	data, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got wire.RelayFeatures
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatalf("UnmarshalBinary(MarshalBinary(%+v)) = %v", r, err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("UnmarshalBinary(MarshalBinary(%+v)) = %+v; a field is missing from the binary form", r, got)
	}
}

// relayBinSegment is one field of an encoded relay block.
type relayBinSegment struct {
	field string // JSON name; "name[i]" for element i of a slice
	data  []byte
}

// relayBinSegments returns the fields of the binary form of r after the
// version byte, a slice as its length prefix then its elements.
func relayBinSegments(r *wire.RelayFeatures) []relayBinSegment {
	var segs []relayBinSegment
	for _, f := range []struct {
		name string
		v    int64
	}{{"keys", int64(r.Keys)}, {"msgs", int64(r.Msgs)}, {"ties", int64(r.Ties)}, {"bursts", int64(r.Bursts)}, {"stall_bursts", int64(r.StallBursts)},
		{"zero_holds", int64(r.ZeroHolds)}, {"stall_us", r.StallMicros}, {"gap_us", r.GapMicros}, {"gaps", int64(r.Gaps)}} {
		segs = append(segs, relayBinSegment{field: f.name, data: binary.AppendVarint(nil, f.v)})
	}
	for _, h := range []struct {
		name string
		v    []int
	}{{"gap_hist", r.GapHist}, {"stall_hist", r.StallHist}} {
		b := binary.AppendUvarint(nil, uint64(len(h.v)))
		segs = append(segs, relayBinSegment{field: h.name, data: b})
		for i, v := range h.v {
			segs = append(segs, relayBinSegment{field: h.name + "[" + strconv.Itoa(i) + "]", data: binary.AppendVarint(nil, int64(v))})
		}
	}
	segs = append(segs, relayBinSegment{field: "hold_sum_s", data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(r.HoldSum))},
		relayBinSegment{field: "hold_sumsq_s2", data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(r.HoldSumSq))})
	for _, q := range []struct {
		name string
		v    []float64
	}{{"quant_cos", r.QuantCos}, {"quant_sin", r.QuantSin}} {
		segs = append(segs, relayBinSegment{field: q.name, data: binary.AppendUvarint(nil, uint64(len(q.v)))})
		for i, v := range q.v {
			segs = append(segs, relayBinSegment{field: q.name + "[" + strconv.Itoa(i) + "]", data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))})
		}
	}
	return segs
}

// TestRelayBinaryTruncated cuts a valid encoding at every byte: each
// prefix is rejected as truncated, naming the field being read, or for a
// slice's length prefix the slice.
func TestRelayBinaryTruncated(t *testing.T) {
	r := relayBlock()
	r.GapHist[3] = 300 // a two-byte varint
	r.Msgs = 1000
	segs := relayBinSegments(r)
	data, _ := r.MarshalBinary()
	want := []byte{1}
	for _, s := range segs {
		want = append(want, s.data...)
	}
	if !bytes.Equal(data, want) {
		t.Fatalf("MarshalBinary() = %x, want the segments %x", data, want)
	}
	// fields[n] is the field a prefix of n bytes is cut in.
	fields := []string{"version"}
	for _, s := range segs {
		for range s.data {
			fields = append(fields, s.field)
		}
	}
	for n := range len(data) {
		var got wire.RelayFeatures
		err := got.UnmarshalBinary(data[:n])
		if err == nil {
			t.Fatalf("UnmarshalBinary(%d of %d bytes) = nil, want an error", n, len(data))
		}
		// Cut in an element, the slice's length prefix may already say
		// that the bytes left cannot hold the elements.
		msg, field := err.Error(), fields[n]
		ok := msg == "relay binary: "+field+": truncated"
		if base, _, elem := strings.Cut(field, "["); elem {
			ok = ok || strings.HasPrefix(msg, "relay binary: "+base+": truncated: length ")
		}
		if !ok {
			t.Errorf("UnmarshalBinary(%d of %d bytes) = %q, want %s truncated", n, len(data), msg, field)
		}
	}
}

func TestRelayBinaryErrors(t *testing.T) {
	good := relayBlock()
	// enc returns the encoding of good with the segment of field replaced
	// by data (nil: removed).
	enc := func(field string, data []byte) []byte {
		out := []byte{1}
		found := false
		for _, s := range relayBinSegments(good) {
			if s.field == field {
				s.data, found = data, true
			}
			out = append(out, s.data...)
		}
		if !found {
			t.Fatalf("no field %q", field)
		}
		return out
	}
	valid, _ := good.MarshalBinary()
	overflow := bytes.Repeat([]byte{0xff}, 10)
	tests := []struct {
		name string
		data []byte
		want string // the whole message
	}{
		{"empty", nil, "relay binary: version: truncated"},
		{"version 0", append([]byte{0}, valid[1:]...), "relay binary: version 0 unknown, want 1"},
		{"version 2", append([]byte{2}, valid[1:]...), "relay binary: version 2 unknown, want 1"},
		{"trailing byte", append(slices.Clone(valid), 0), "relay binary: 1 bytes after quant_sin, the last field"},
		{"trailing float", binary.LittleEndian.AppendUint64(slices.Clone(valid), 0), "relay binary: 8 bytes after quant_sin, the last field"},
		{"keys overflow", enc("keys", overflow), "relay binary: keys: varint overflows 64 bits"},
		{"keys 11 bytes", enc("keys", append(bytes.Repeat([]byte{0x80}, 10), 0)), "relay binary: keys: varint overflows 64 bits"},
		{"keys overlong", enc("keys", []byte{0x8a, 0x00}), "relay binary: keys: varint not in its shortest form"},
		{"gap_us overflow", enc("gap_us", overflow), "relay binary: gap_us: varint overflows 64 bits"},
		{"gap_us truncated", []byte{1, 2, 2, 2, 2, 2, 2, 2, 0x80, 0x80}, "relay binary: gap_us: truncated"},
		{"gap_hist length", enc("gap_hist", binary.AppendUvarint(nil, 900)), "relay binary: gap_hist: length 900 exceeds 128"},
		{"gap_hist length 129", enc("gap_hist", binary.AppendUvarint(nil, relay.NumGapBins+1)), "relay binary: gap_hist: length 129 exceeds 128"},
		{"gap_hist length 2^64-1", enc("gap_hist", binary.AppendUvarint(nil, math.MaxUint64)), "relay binary: gap_hist: length 18446744073709551615 exceeds 128"},
		{"gap_hist length overflow", enc("gap_hist", overflow), "relay binary: gap_hist: varint overflows 64 bits"},
		{"gap_hist length overlong", enc("gap_hist", []byte{0x80, 0x81, 0x00}), "relay binary: gap_hist: varint not in its shortest form"},
		{"gap_hist element overflow", enc("gap_hist[3]", overflow), "relay binary: gap_hist[3]: varint overflows 64 bits"},
		{"gap_hist element overlong", enc("gap_hist[127]", []byte{0x80, 0x00}), "relay binary: gap_hist[127]: varint not in its shortest form"},
		{"gap_hist beyond the data", []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x01, 0}, "relay binary: gap_hist: truncated: length 128 needs at least 128 bytes, 1 left"},
		{"gap_hist element cut", []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x80}, "relay binary: gap_hist[1]: truncated"},
		{"stall_hist length", enc("stall_hist", binary.AppendUvarint(nil, 900)), "relay binary: stall_hist: length 900 exceeds 128"},
		{"stall_hist element overflow", enc("stall_hist[0]", overflow), "relay binary: stall_hist[0]: varint overflows 64 bits"},
		{"quant_cos length", enc("quant_cos", binary.AppendUvarint(nil, 900)), "relay binary: quant_cos: length 900 exceeds 4"},
		{"quant_cos length 5", enc("quant_cos", []byte{5}), "relay binary: quant_cos: length 5 exceeds 4"},
		{"quant_cos beyond the data", valid[:len(valid)-1-4*8-3], "relay binary: quant_cos: truncated: length 4 needs at least 32 bytes, 29 left"},
		{"quant_sin length", enc("quant_sin", binary.AppendUvarint(nil, 1<<40)), "relay binary: quant_sin: length 1099511627776 exceeds 4"},
		{"quant_sin beyond the data", valid[:len(valid)-4*8], "relay binary: quant_sin: truncated: length 4 needs at least 32 bytes, 0 left"},
		{"quant_sin element cut", valid[:len(valid)-3], "relay binary: quant_sin: truncated: length 4 needs at least 32 bytes, 29 left"},
	}
	if strconv.IntSize == 32 {
		tests = append(tests, struct {
			name string
			data []byte
			want string
		}{"keys overflows int", enc("keys", binary.AppendVarint(nil, 1<<40)), "relay binary: keys: value 1099511627776 overflows int"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := relayBlock()
			err := r.UnmarshalBinary(tc.data)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("UnmarshalBinary(%x) = %v, want %q", tc.data, err, tc.want)
			}
			// The fields keep their values; the elements of the slices
			// may have changed.
			want := relayBlock()
			for _, v := range []*wire.RelayFeatures{r, want} {
				v.GapHist, v.StallHist, v.QuantCos, v.QuantSin = v.GapHist[:0], v.StallHist[:0], v.QuantCos[:0], v.QuantSin[:0]
			}
			if !reflect.DeepEqual(r, want) || len(r.GapHist) != 0 {
				t.Errorf("UnmarshalBinary(%x) failed but changed the block to %+v", tc.data, r)
			}
		})
	}
}

// TestRelayBinaryAllocs checks that a decode into a new block allocates
// one array for the histograms and one for the phase sums, a decode into
// one that has them nothing, and that a length prefix the data cannot
// fill allocates nothing for it.
func TestRelayBinaryAllocs(t *testing.T) {
	data, _ := relayedWindow(t, 200, 1).Relay.MarshalBinary()
	if a := testing.AllocsPerRun(100, func() {
		var r wire.RelayFeatures
		if err := r.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
	}); a != 2 {
		t.Errorf("UnmarshalBinary of a valid block into a new one: %v allocations, want 2", a)
	}
	var r wire.RelayFeatures
	if a := testing.AllocsPerRun(100, func() {
		if err := r.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("UnmarshalBinary of a valid block into the same one again: %v allocations, want 0", a)
	}
	// Nine zero counts, then a gap histogram of 128 entries and nothing.
	short := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x01}
	var before, after runtime.MemStats
	const runs = 100
	runtime.ReadMemStats(&before)
	for range runs {
		var r wire.RelayFeatures
		if r.UnmarshalBinary(short) == nil {
			t.Fatal("UnmarshalBinary of a cut block = nil")
		}
	}
	runtime.ReadMemStats(&after)
	if n := (after.TotalAlloc - before.TotalAlloc) / runs; n >= 8*relay.NumGapBins {
		t.Errorf("UnmarshalBinary of a length prefix with no data allocates %d bytes, as much as the histogram", n)
	}
}

// FuzzRelayBinary decodes hostile binary relay blocks: no panic, an error
// names the format, and a block that decodes encodes back to the same
// bytes.
func FuzzRelayBinary(f *testing.F) {
	for _, tc := range relayBinCases(f) {
		data, err := tc.r.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Add([]byte{2})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		var r wire.RelayFeatures
		if err := r.UnmarshalBinary(data); err != nil {
			if !strings.HasPrefix(err.Error(), "relay binary: ") {
				t.Fatalf("UnmarshalBinary(%x) = %q, want it to start with \"relay binary: \"", data, err)
			}
			return
		}
		if len(r.GapHist) > relay.NumGapBins || len(r.StallHist) > relay.NumGapBins || len(r.QuantCos) > relay.NumQuant || len(r.QuantSin) > relay.NumQuant {
			t.Fatalf("UnmarshalBinary(%x) = %+v, longer than the limits", data, r)
		}
		back, err := r.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary(%+v) = %v", r, err)
		}
		if !bytes.Equal(back, data) {
			t.Fatalf("UnmarshalBinary(%x) = %+v, which encodes to %x", data, r, back)
		}
		// A valid block, as the server would use it, must convert.
		if wire.CheckRelayFeatures(&r, r.Keys) == nil {
			feat := r.Features()
			if got := wire.NewRelayFeatures(&feat); !reflect.DeepEqual(got, &r) {
				t.Fatalf("NewRelayFeatures(Features(%+v)) = %+v", r, got)
			}
		}
	})
}

// BenchmarkRelayDecode compares reading the relay block of a stored
// window: encoding/json over the window's whole body, as riskfeed.FromRelay
// does, against UnmarshalBinary of the block's binary form: into a new
// block each time, into the same one (reusing its slices), and into the
// same one followed by CheckRelayFeatures and Features, as FromRelay would
// use it. The window is a minute of relayed typing (200 strokes); input-B
// is the size of what each decodes.
func BenchmarkRelayDecode(b *testing.B) {
	w := relayedWindow(b, 200, 1)
	body, err := json.Marshal(w)
	if err != nil {
		b.Fatal(err)
	}
	bin, err := w.Relay.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v struct {
				Relay *wire.RelayFeatures `json:"relay"`
			}
			if err := json.Unmarshal(body, &v); err != nil || v.Relay == nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(body)), "input-B")
	})
	b.Run("binary", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r wire.RelayFeatures
			if err := r.UnmarshalBinary(bin); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(bin)), "input-B")
	})
	b.Run("binary-reused", func(b *testing.B) {
		b.ReportAllocs()
		var r wire.RelayFeatures
		for b.Loop() {
			if err := r.UnmarshalBinary(bin); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(bin)), "input-B")
	})
	b.Run("binary-reused+check+features", func(b *testing.B) {
		b.ReportAllocs()
		var r wire.RelayFeatures
		for b.Loop() {
			if err := r.UnmarshalBinary(bin); err != nil {
				b.Fatal(err)
			}
			if err := wire.CheckRelayFeatures(&r, w.Keys); err != nil {
				b.Fatal(err)
			}
			f := r.Features()
			if f.Keys != w.Keys {
				b.Fatal(f.Keys)
			}
		}
		b.ReportMetric(float64(len(bin)), "input-B")
	})
}

// BenchmarkCheckRelayFeatures times the check of a valid relay block (a
// minute of relayed typing), which a server runs on every block it reads
// back.
func BenchmarkCheckRelayFeatures(b *testing.B) {
	w := relayedWindow(b, 200, 1)
	b.ReportAllocs()
	for b.Loop() {
		if err := wire.CheckRelayFeatures(w.Relay, w.Keys); err != nil {
			b.Fatal(err)
		}
	}
}
