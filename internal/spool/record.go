package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Limits on an item's kind and ID, in bytes.
const (
	MaxKindLen = 64
	MaxIDLen   = 255
)

// recordVersion is the first byte of every stored record and counter set.
const recordVersion = 1

// recordOverhead is what a record costs beyond its kind, ID and payload:
// the 8-byte key, then version, CRC-32C, kind length and ID length.
const recordOverhead = 8 + 1 + 4 + 1 + 1

// headerLen is the length of the fixed part of a record before the kind.
const headerLen = 1 + 4 + 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Item is one entry of the spool: an opaque payload with the kind and ID
// its producer gave it.
type Item struct {
	// Seq is the item's place in the spool, assigned by Put (which ignores
	// the value passed in) and returned by Peek; pass it to Ack.
	Seq uint64
	// Kind says what the payload is, such as "window" or "endpoint":
	// 1 to MaxKindLen bytes. Stats are kept per kind.
	Kind string
	// ID identifies the payload end to end (the window or batch ID), so
	// the server can deduplicate a resend: 1 to MaxIDLen bytes.
	ID string
	// Payload is the data to send; the spool neither reads nor changes it.
	Payload []byte
}

// Size returns the bytes the item counts against Config.MaxBytes: its
// kind, ID and payload plus a fixed overhead of 15 bytes.
func (it Item) Size() int64 {
	return recordOverhead + int64(len(it.Kind)+len(it.ID)+len(it.Payload))
}

func (it Item) check() error {
	if len(it.Kind) == 0 || len(it.Kind) > MaxKindLen {
		return fmt.Errorf("item kind %q: length %d, want 1 to %d bytes", trunc(it.Kind), len(it.Kind), MaxKindLen)
	}
	if len(it.ID) == 0 || len(it.ID) > MaxIDLen {
		return fmt.Errorf("item %s id %q: length %d, want 1 to %d bytes", it.Kind, trunc(it.ID), len(it.ID), MaxIDLen)
	}
	return nil
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// seqKey returns the bbolt key of sequence number seq: 8 bytes big
// endian, so keys sort in sequence order.
func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// keySeq is the inverse of seqKey; ok is false for a key that is not 8
// bytes long.
func keySeq(k []byte) (seq uint64, ok bool) {
	if len(k) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(k), true
}

// encodeRecord returns the stored form of it:
//
//	offset 0  version (1)
//	offset 1  CRC-32C (Castagnoli), big endian, of everything after it
//	offset 5  kind length k (1..MaxKindLen)
//	offset 6  kind
//	6+k       ID length n (1..MaxIDLen)
//	7+k       ID
//	7+k+n     payload, to the end
func encodeRecord(it Item) []byte {
	b := make([]byte, headerLen, headerLen+1+len(it.Kind)+len(it.ID)+len(it.Payload))
	b[0] = recordVersion
	b[5] = byte(len(it.Kind))
	b = append(b, it.Kind...)
	b = append(b, byte(len(it.ID)))
	b = append(b, it.ID...)
	b = append(b, it.Payload...)
	binary.BigEndian.PutUint32(b[1:5], crc32.Checksum(b[5:], castagnoli))
	return b
}

// errRecord is wrapped by every decoding error of a stored record.
var errRecord = errors.New("spool: damaged record")

// recordKind returns the kind of a stored record without checking its
// CRC: enough to count the record when it is removed.
func recordKind(b []byte) (string, error) {
	if len(b) < headerLen {
		return "", fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", errRecord, len(b), headerLen)
	}
	if b[0] != recordVersion {
		return "", fmt.Errorf("%w: version %d at offset 0, want %d", errRecord, b[0], recordVersion)
	}
	k := int(b[5])
	if k == 0 || k > MaxKindLen {
		return "", fmt.Errorf("%w: kind length %d at offset 5, want 1 to %d", errRecord, k, MaxKindLen)
	}
	if len(b) < headerLen+k {
		return "", fmt.Errorf("%w: kind of %d bytes at offset 6 runs past the end (%d bytes)", errRecord, k, len(b))
	}
	return string(b[headerLen : headerLen+k]), nil
}

// decodeRecord decodes a record written by encodeRecord, checking its
// version, CRC and lengths. The payload aliases b: copy it before the
// bbolt transaction that b came from ends.
func decodeRecord(b []byte) (Item, error) {
	kind, err := recordKind(b)
	if err != nil {
		return Item{}, err
	}
	if got, want := crc32.Checksum(b[5:], castagnoli), binary.BigEndian.Uint32(b[1:5]); got != want {
		return Item{}, fmt.Errorf("%w: CRC-32C %08x of bytes 5..%d, stored %08x at offset 1", errRecord, got, len(b), want)
	}
	off := headerLen + len(kind)
	if off >= len(b) {
		return Item{}, fmt.Errorf("%w: ID length at offset %d is past the end (%d bytes)", errRecord, off, len(b))
	}
	n := int(b[off])
	if n == 0 {
		return Item{}, fmt.Errorf("%w: ID length 0 at offset %d, want 1 to %d", errRecord, off, MaxIDLen)
	}
	off++
	if len(b) < off+n {
		return Item{}, fmt.Errorf("%w: ID of %d bytes at offset %d runs past the end (%d bytes)", errRecord, n, off, len(b))
	}
	return Item{
		Kind:    kind,
		ID:      string(b[off : off+n]),
		Payload: b[off+n:],
	}, nil
}

// Count is a number of items and their stored size in bytes.
type Count struct {
	Items uint64
	Bytes uint64
}

func (c *Count) add(n uint64)      { c.Items++; c.Bytes += n }
func (c Count) plus(d Count) Count { return Count{c.Items + d.Items, c.Bytes + d.Bytes} }

// KindStats counts what happened to the items of one kind since the spool
// file was created.
type KindStats struct {
	Put     Count // stored by Put
	Acked   Count // removed by Ack
	Dropped Count // removed to make room for newer items (oldest first)
}

// Pending returns the items of the kind still in the spool: put, less
// acked and dropped.
func (k KindStats) Pending() Count {
	return Count{
		Items: k.Put.Items - k.Acked.Items - k.Dropped.Items,
		Bytes: k.Put.Bytes - k.Acked.Bytes - k.Dropped.Bytes,
	}
}

// encodeU64s returns version 1 followed by vs, 8 bytes big endian each:
// the stored form of the spool's counters.
func encodeU64s(vs ...uint64) []byte {
	b := make([]byte, 1, 1+8*len(vs))
	b[0] = recordVersion
	for _, v := range vs {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	return b
}

// decodeU64s decodes what encodeU64s wrote for n values; name says which
// record it is, for the error.
func decodeU64s(b []byte, n int, name string) ([]uint64, error) {
	if want := 1 + 8*n; len(b) != want {
		return nil, fmt.Errorf("%w: %s is %d bytes, want %d", errRecord, name, len(b), want)
	}
	if b[0] != recordVersion {
		return nil, fmt.Errorf("%w: %s version %d at offset 0, want %d", errRecord, name, b[0], recordVersion)
	}
	vs := make([]uint64, n)
	for i := range vs {
		vs[i] = binary.BigEndian.Uint64(b[1+8*i:])
	}
	return vs, nil
}

func encodeKindStats(k KindStats) []byte {
	return encodeU64s(k.Put.Items, k.Put.Bytes, k.Acked.Items, k.Acked.Bytes, k.Dropped.Items, k.Dropped.Bytes)
}

func decodeKindStats(b []byte) (KindStats, error) {
	v, err := decodeU64s(b, 6, "kind counters")
	if err != nil {
		return KindStats{}, err
	}
	return KindStats{Put: Count{v[0], v[1]}, Acked: Count{v[2], v[3]}, Dropped: Count{v[4], v[5]}}, nil
}

// state is the spool's running totals, kept in the meta bucket and
// updated in the same transaction as the items.
type state struct {
	live    Count // items in the spool now
	corrupt Count // damaged records removed
}

func encodeState(s state) []byte {
	return encodeU64s(s.live.Items, s.live.Bytes, s.corrupt.Items, s.corrupt.Bytes)
}

func decodeState(b []byte) (state, error) {
	v, err := decodeU64s(b, 4, "spool state")
	if err != nil {
		return state{}, err
	}
	return state{live: Count{v[0], v[1]}, corrupt: Count{v[2], v[3]}}, nil
}
