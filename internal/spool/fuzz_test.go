package spool

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzDecodeRecord feeds arbitrary bytes to the decoder of stored
// records: it must not panic, must reject with an error wrapping
// errRecord, and must accept only what encodeRecord writes byte for byte.
func FuzzDecodeRecord(f *testing.F) {
	for _, it := range []Item{
		{Kind: "window", ID: "01HZX3", Payload: []byte(`{"window_id":"01HZX3"}`)},
		{Kind: "k", ID: "i"},
		{Kind: strings.Repeat("k", MaxKindLen), ID: strings.Repeat("i", MaxIDLen), Payload: bytes.Repeat([]byte{0}, 300)},
	} {
		rec := encodeRecord(it)
		f.Add(rec)
		f.Add(rec[:len(rec)-1])
		f.Add(rec[:headerLen])
		bad := bytes.Clone(rec)
		bad[len(bad)-1] ^= 0x80
		f.Add(bad)
	}
	f.Add([]byte{})
	f.Add([]byte{2, 0, 0, 0, 0, 1, 'k'})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		it, err := decodeRecord(b)
		kind, kerr := recordKind(b)
		if err != nil {
			if !errors.Is(err, errRecord) {
				t.Fatalf("decodeRecord(%x) = %v, want an error wrapping errRecord", b, err)
			}
			if it.Kind != "" || it.ID != "" || it.Payload != nil {
				t.Fatalf("decodeRecord(%x) failed but returned %+v", b, it)
			}
			return
		}
		if kerr != nil || kind != it.Kind {
			t.Fatalf("recordKind(%x) = %q, %v; decodeRecord found kind %q", b, kind, kerr, it.Kind)
		}
		if err := it.check(); err != nil {
			t.Fatalf("decodeRecord(%x) accepted an invalid item: %v", b, err)
		}
		if enc := encodeRecord(it); !bytes.Equal(enc, b) {
			t.Fatalf("encodeRecord(decodeRecord(%x)) = %x", b, enc)
		}
		if got := it.Size(); got != int64(8+len(b)) {
			t.Fatalf("Size() = %d for a %d-byte record, want record + 8-byte key", got, len(b))
		}
	})
}

// FuzzRecordRoundTrip checks that every valid item survives encoding.
func FuzzRecordRoundTrip(f *testing.F) {
	f.Add("window", "w1", []byte("payload"))
	f.Add("endpoint", strings.Repeat("x", MaxIDLen), []byte{})
	f.Fuzz(func(t *testing.T, kind, id string, payload []byte) {
		it := Item{Kind: kind, ID: id, Payload: payload}
		if it.check() != nil {
			return
		}
		got, err := decodeRecord(encodeRecord(it))
		if err != nil {
			t.Fatalf("decodeRecord(encodeRecord(%q, %q, %x)) = %v", kind, id, payload, err)
		}
		if got.Kind != kind || got.ID != id || !bytes.Equal(got.Payload, payload) {
			t.Fatalf("round trip of (%q, %q, %x) = (%q, %q, %x)", kind, id, payload, got.Kind, got.ID, got.Payload)
		}
	})
}

// FuzzDecodeCounters feeds arbitrary bytes to the decoders of the stored
// counters: no panic, errors wrap errRecord, and what they accept
// encodes back to the same bytes.
func FuzzDecodeCounters(f *testing.F) {
	f.Add(encodeKindStats(KindStats{Put: Count{3, 300}, Acked: Count{1, 100}, Dropped: Count{1, 100}}))
	f.Add(encodeState(state{live: Count{1, 100}, corrupt: Count{2, 7}}))
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if ks, err := decodeKindStats(b); err != nil {
			if !errors.Is(err, errRecord) {
				t.Fatalf("decodeKindStats(%x) = %v, want an error wrapping errRecord", b, err)
			}
		} else if enc := encodeKindStats(ks); !bytes.Equal(enc, b) {
			t.Fatalf("encodeKindStats(decodeKindStats(%x)) = %x", b, enc)
		}
		if st, err := decodeState(b); err != nil {
			if !errors.Is(err, errRecord) {
				t.Fatalf("decodeState(%x) = %v, want an error wrapping errRecord", b, err)
			}
		} else if enc := encodeState(st); !bytes.Equal(enc, b) {
			t.Fatalf("encodeState(decodeState(%x)) = %x", b, enc)
		}
	})
}
