package idp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on imported input. A file over MaxInputBytes or with more than
// MaxRecords records is refused as a whole; a field over MaxFieldBytes
// rejects only its record.
const (
	MaxInputBytes = 512 << 20 // bytes of one input file
	MaxRecords    = 5_000_000 // records (events, rows) in one input
	MaxFieldBytes = 2048      // bytes in one text field (user, user agent, city, ID, …)
)

// SignIn is one sign-in event from an identity provider's log.
type SignIn struct {
	At        time.Time  // when the sign-in happened, UTC
	User      string     // login as the log writes it, e.g. an e-mail address
	IP        netip.Addr // client address; the zero Addr when the log has none
	UserAgent string     // raw User-Agent header, when logged
	Success   bool       // the sign-in succeeded
	Country   string     // country as the log writes it (code or name)
	City      string     // city as the log writes it
	Lat, Lon  float64    // location the provider geolocated, when HasPoint
	HasPoint  bool       // Lat and Lon are set: the log carries a location
	App       string     // application signed in to, when logged
	Source    string     // "okta", "entra" or "google"
	RecordID  string     // the provider's ID of the event: uuid, request ID, uniqueQualifier
}

// Result is what an importer read from one input.
type Result struct {
	// SignIns are the sign-in records imported, in input order.
	SignIns []SignIn
	// Errors are the records rejected, each naming its record and field.
	Errors []*RecordError
	// Records counts the records seen, imported, skipped and rejected.
	Records int
	// Skipped counts records that are valid but are not sign-ins (other
	// Okta event types, Google logout events).
	Skipped int
}

// RecordError is a rejected record. The record is skipped; the rest of the
// input is imported.
type RecordError struct {
	// Record is the 1-based position of the record: the array element,
	// the JSON value in a JSON Lines stream, or the CSV row counting the
	// header as row 1.
	Record int
	// Field is the field at fault as a JSON path ("client.ipAddress") or a
	// CSV header ("IP address"); empty when the record as a whole is bad.
	Field string
	// Err says what is wrong.
	Err error
}

// Error returns "record N: field: cause".
func (e *RecordError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("record %d: %v", e.Record, e.Err)
	}
	return fmt.Sprintf("record %d: %s: %v", e.Record, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// ErrTooLarge is returned, wrapped with the limit, for input over
// [MaxInputBytes] or [MaxRecords].
var ErrTooLarge = errors.New("idp: input too large")

// readAll reads r up to MaxInputBytes.
func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	if len(data) > MaxInputBytes {
		return nil, fmt.Errorf("%w: more than %d bytes (MaxInputBytes)", ErrTooLarge, MaxInputBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return data, nil
}

// tooManyRecords is the error for input over MaxRecords.
func tooManyRecords() error {
	return fmt.Errorf("%w: more than %d records (MaxRecords)", ErrTooLarge, MaxRecords)
}

// jsonRecords splits data into its JSON records: the elements of a
// top-level array, or the lines of JSON Lines, or else the successive values
// of concatenated JSON. In JSON Lines a line that is not valid JSON becomes a
// RecordError and the other lines are read; in an array or concatenated JSON
// a syntax error ends the input and is returned.
func jsonRecords(data []byte) ([]json.RawMessage, []*RecordError, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, nil, nil
	}
	if trimmed[0] == '[' {
		var recs []json.RawMessage
		if err := json.Unmarshal(trimmed, &recs); err != nil {
			return nil, nil, fmt.Errorf("decode JSON array: %w", err)
		}
		if len(recs) > MaxRecords {
			return nil, nil, tooManyRecords()
		}
		return recs, nil, nil
	}
	if isJSONLines(trimmed) {
		var recs []json.RawMessage
		var errs []*RecordError
		for line := range bytes.Lines(trimmed) {
			line = bytes.TrimSpace(line)
			if len(line) == 0 {
				continue
			}
			if len(recs) == MaxRecords {
				return nil, nil, tooManyRecords()
			}
			if !json.Valid(line) {
				var v any
				err := json.Unmarshal(line, &v)
				errs = append(errs, &RecordError{Record: len(recs) + 1, Err: fmt.Errorf("bad JSON: %w", err)})
				line = nil
			}
			recs = append(recs, json.RawMessage(line))
		}
		return recs, errs, nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var recs []json.RawMessage
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return recs, nil, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("decode JSON value %d: %w", len(recs)+1, err)
		}
		if len(recs) == MaxRecords {
			return nil, nil, tooManyRecords()
		}
		recs = append(recs, raw)
	}
}

// isJSONLines reports whether data is JSON Lines: its first line is a
// complete JSON object. (Pretty-printed JSON starts with a line that is
// not.)
func isJSONLines(data []byte) bool {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSpace(line)
	return len(line) > 1 && line[0] == '{' && json.Valid(line)
}

// decodeRecord unmarshals one record into v, turning type errors into a
// RecordError that names the field.
func decodeRecord(n int, raw json.RawMessage, v any) *RecordError {
	err := json.Unmarshal(raw, v)
	if err == nil {
		return nil
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return &RecordError{Record: n, Field: te.Field, Err: fmt.Errorf("JSON %s where %s was expected", te.Value, te.Type)}
	}
	return &RecordError{Record: n, Err: err}
}

// checker collects the first field error of one record.
type checker struct {
	n   int
	err *RecordError
}

func (c *checker) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = &RecordError{Record: c.n, Field: field, Err: fmt.Errorf(format, args...)}
	}
}

// text checks a text field's length and encoding and returns it trimmed.
func (c *checker) text(field, v string, required bool) string {
	v = strings.TrimSpace(v)
	switch {
	case len(v) > MaxFieldBytes:
		c.fail(field, "longer than %d bytes (MaxFieldBytes)", MaxFieldBytes)
		return ""
	case !utf8.ValidString(v):
		c.fail(field, "not valid UTF-8")
		return ""
	case required && v == "":
		c.fail(field, "missing")
	}
	return v
}

// time parses a timestamp with the given layouts; the result is in UTC.
func (c *checker) time(field, v string, layouts ...string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		c.fail(field, "missing")
		return time.Time{}
	}
	if len(v) > 64 {
		c.fail(field, "longer than 64 bytes")
		return time.Time{}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			if t.Year() < 1970 || t.Year() > 9999 {
				c.fail(field, "%q: year out of range 1970..9999", v)
				return time.Time{}
			}
			return t.UTC()
		}
	}
	c.fail(field, "%q: not a timestamp (want RFC 3339, e.g. 2024-03-01T14:05:09Z)", v)
	return time.Time{}
}

// ip parses an optional IP address.
func (c *checker) ip(field, v string) netip.Addr {
	v = strings.TrimSpace(v)
	if v == "" {
		return netip.Addr{}
	}
	if len(v) > 64 {
		c.fail(field, "longer than 64 bytes")
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		c.fail(field, "%q: not an IP address", v)
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

// point checks an optional latitude/longitude pair; both or neither.
func (c *checker) point(field string, lat, lon *float64) (float64, float64, bool) {
	if lat == nil && lon == nil {
		return 0, 0, false
	}
	if lat == nil || lon == nil {
		c.fail(field, "latitude and longitude must come together")
		return 0, 0, false
	}
	if math.IsNaN(*lat) || *lat < -90 || *lat > 90 {
		c.fail(field, "latitude %v out of range -90..90", *lat)
		return 0, 0, false
	}
	if math.IsNaN(*lon) || *lon < -180 || *lon > 180 {
		c.fail(field, "longitude %v out of range -180..180", *lon)
		return 0, 0, false
	}
	return *lat, *lon, true
}
