package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/relay"
)

// maxPID bounds process IDs: a positive int32, as every supported OS
// keeps them, which also fits int on 32-bit platforms.
const maxPID = math.MaxInt32

// decodeWindows decodes and validates the windows of a batch. An empty
// list decodes to nil, as encoding/json omits it.
func decodeWindows(raws []json.RawMessage, now time.Time) ([]InputWindow, error) {
	if len(raws) > MaxWindows {
		return nil, fieldErr("windows", "must have at most %d windows, not %d", MaxWindows, len(raws))
	}
	if len(raws) == 0 {
		return nil, nil
	}
	out := make([]InputWindow, len(raws))
	for i, rw := range raws {
		w, err := decodeWindow("windows["+strconv.Itoa(i)+"]", rw, now)
		if err != nil {
			return nil, err
		}
		out[i] = w
	}
	return out, nil
}

// decodeWindow decodes and validates one input window; prefix is its path.
func decodeWindow(prefix string, data json.RawMessage, now time.Time) (InputWindow, error) {
	if !isObject(data) {
		return InputWindow{}, fieldErr(prefix, "must be an object")
	}
	var r struct {
		WindowID     string            `json:"window_id"`
		Start        string            `json:"start"`
		End          string            `json:"end"`
		Source       string            `json:"source"`
		Keys         int               `json:"keys"`
		Repeats      int               `json:"repeats"`
		ByClass      map[string]int    `json:"by_class"`
		ByProvenance map[string]int    `json:"by_provenance"`
		FlightHist   []int             `json:"flight_hist"`
		HoldHist     []int             `json:"hold_hist"`
		FlightSum    float64           `json:"flight_sum_s"`
		FlightSumSq  float64           `json:"flight_sumsq_s2"`
		HoldSum      float64           `json:"hold_sum_s"`
		HoldSumSq    float64           `json:"hold_sumsq_s2"`
		FastPairs    int               `json:"fast_pairs"`
		Bursts       int               `json:"bursts"`
		StallBursts  int               `json:"stall_bursts"`
		Devices      []json.RawMessage `json:"devices"`
		Raw          []json.RawMessage `json:"raw"`
		Relay        json.RawMessage   `json:"relay"`
	}
	p := prefix + "."
	if err := decodeObject(data, p, &r); err != nil {
		return InputWindow{}, err
	}
	if err := ident(p+"window_id", r.WindowID); err != nil {
		return InputWindow{}, err
	}
	start, err := timestamp(p+"start", r.Start, now)
	if err != nil {
		return InputWindow{}, err
	}
	end, err := timestamp(p+"end", r.End, now)
	if err != nil {
		return InputWindow{}, err
	}
	switch {
	case !end.After(start):
		return InputWindow{}, fieldErr(p+"end", "must be after start")
	case end.Sub(start) > MaxWindowLen:
		return InputWindow{}, fieldErr(p+"end", "must be at most %d seconds after start", int64(MaxWindowLen/time.Second))
	}
	if err := firstErr(
		text(p+"source", r.Source, 1, MaxNameLen),
		count(p+"keys", r.Keys),
		count(p+"repeats", r.Repeats),
		namedCounts(p+"by_class", r.ByClass, r.Keys, int(keystroke.NumClasses), isClass, "key class names"),
		namedCounts(p+"by_provenance", r.ByProvenance, r.Keys, int(keystroke.NumProvenances), isProvenance, "unknown, physical, virtual or injected"),
		histogram(p+"flight_hist", r.FlightHist, keystroke.NumFlightBins, r.Keys, false),
		histogram(p+"hold_hist", r.HoldHist, keystroke.NumHoldBins, r.Keys, true),
		seconds(p+"flight_sum_s", r.FlightSum),
		seconds(p+"flight_sumsq_s2", r.FlightSumSq),
		seconds(p+"hold_sum_s", r.HoldSum),
		seconds(p+"hold_sumsq_s2", r.HoldSumSq),
		count(p+"fast_pairs", r.FastPairs),
		count(p+"bursts", r.Bursts),
		count(p+"stall_bursts", r.StallBursts),
		atMost(p+"fast_pairs", r.FastPairs, r.Keys, "keys"),
		atMost(p+"bursts", r.Bursts, r.FastPairs, "fast_pairs"),
		atMost(p+"stall_bursts", r.StallBursts, r.Bursts, "bursts"),
	); err != nil {
		return InputWindow{}, err
	}
	w := InputWindow{
		WindowID: r.WindowID, Start: start, End: end, Source: r.Source,
		Keys: r.Keys, Repeats: r.Repeats, ByClass: r.ByClass, ByProvenance: r.ByProvenance,
		FlightHist: r.FlightHist, HoldHist: r.HoldHist,
		FlightSum: r.FlightSum, FlightSumSq: r.FlightSumSq, HoldSum: r.HoldSum, HoldSumSq: r.HoldSumSq,
		FastPairs: r.FastPairs, Bursts: r.Bursts, StallBursts: r.StallBursts,
	}
	if w.Devices, err = decodeInputDevices(p+"devices", r.Devices, r.Keys); err != nil {
		return InputWindow{}, err
	}
	if w.Raw, err = decodeRawKeys(p+"raw", r.Raw, r.Keys); err != nil {
		return InputWindow{}, err
	}
	if w.Relay, err = decodeRelay(p+"relay", r.Relay, r.Keys); err != nil {
		return InputWindow{}, err
	}
	return w, nil
}

// decodeRelay decodes a window's optional relay block; null or absent is
// nil. keys are the window's strokes.
func decodeRelay(field string, data json.RawMessage, keys int) (*RelayFeatures, error) {
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return nil, nil
	}
	if !isObject(data) {
		return nil, fieldErr(field, "must be an object")
	}
	var r RelayFeatures
	if err := decodeObject(data, field+".", &r); err != nil {
		return nil, err
	}
	if err := checkRelay(field+".", &r, keys); err != nil {
		return nil, err
	}
	return &r, nil
}

// CheckRelayFeatures reports whether r can be the relay block of a window
// of keys strokes, by the rules [DecodeBatch] enforces; errors name the
// field as "relay.<name>". No block (nil) is valid. A server checks
// blocks it reads back from storage with it before it trusts them.
func CheckRelayFeatures(r *RelayFeatures, keys int) error {
	if r == nil {
		return nil
	}
	return checkRelay("relay.", r, keys)
}

// maxHistCount is the largest count in a relay histogram: relay.Features
// keeps them in 16 bits.
const maxHistCount = math.MaxUint16

// Limits of a relay block as its errors state them, formatted once: a
// valid block, which a server checks on every read, costs no formatting.
var (
	relayMsgsLimit   = fmt.Sprintf("2 × keys + %d", relay.HeldKeys)
	relayStallLimit  = fmt.Sprintf("stall_bursts × %d", relay.StallClip.Microseconds())
	relayGapLimit    = fmt.Sprintf("gaps × %d", time.Second.Microseconds())
	relayHoldLimit   = fmt.Sprintf("keys × %g", relay.HoldClip.Seconds())
	relayHoldSqLimit = fmt.Sprintf("keys × %g", relay.HoldClip.Seconds()*relay.HoldClip.Seconds())
)

// checkRelay checks a relay block; p is its path with a trailing dot. The
// checks name fields without p, which only an error gets, so that a
// valid block allocates nothing.
func checkRelay(p string, r *RelayFeatures, keys int) error {
	maxMsgs := 2*int64(r.Keys) + relay.HeldKeys
	stallClip := relay.StallClip.Microseconds()
	for _, err := range [...]*FieldError{
		count("keys", r.Keys),
		atMost("keys", r.Keys, keys, "the window's keys"),
		boundedBy("msgs", int64(r.Msgs), maxMsgs, relayMsgsLimit),
		count("ties", r.Ties),
		atMost("ties", r.Ties, r.Msgs, "msgs"),
		count("bursts", r.Bursts),
		atMost("bursts", r.Bursts, r.Ties, "ties"),
		count("stall_bursts", r.StallBursts),
		atMost("stall_bursts", r.StallBursts, r.Bursts, "bursts"),
		count("zero_holds", r.ZeroHolds),
		atMost("zero_holds", r.ZeroHolds, r.Keys, "keys"),
		count("gaps", r.Gaps),
		atMost("gaps", r.Gaps, r.Msgs, "msgs"),
		boundedBy("stall_us", r.StallMicros, int64(r.StallBursts)*stallClip, relayStallLimit),
		boundedBy("gap_us", r.GapMicros, int64(r.Gaps)*time.Second.Microseconds(), relayGapLimit),
		relayHist("gap_hist", r.GapHist, r.Msgs-r.Ties, "msgs − ties"),
		relayHist("stall_hist", r.StallHist, r.StallBursts, "stall_bursts"),
		holdSum("hold_sum_s", r.HoldSum, float64(r.Keys)*relay.HoldClip.Seconds(), relayHoldLimit),
		holdSum("hold_sumsq_s2", r.HoldSumSq, float64(r.Keys)*relay.HoldClip.Seconds()*relay.HoldClip.Seconds(), relayHoldSqLimit),
		phaseSums("quant_cos", r.QuantCos, r.Msgs),
		phaseSums("quant_sin", r.QuantSin, r.Msgs),
	} {
		if err != nil {
			err.Field = p + err.Field
			return err
		}
	}
	return nil
}

// boundedBy checks an integer from 0 to limit, where limit is what the
// expression limitText says.
func boundedBy(field string, v, limit int64, limitText string) *FieldError {
	if v < 0 || v > limit {
		return fieldErr(field, "must be between 0 and %s", limitText)
	}
	return nil
}

// relayHist checks a relay histogram: exactly relay.NumGapBins entries,
// each 0 to maxHistCount, adding up to at most limit (what limitText
// names).
func relayHist(field string, h []int, limit int, limitText string) *FieldError {
	if len(h) != relay.NumGapBins {
		return fieldErr(field, "must have %d entries", relay.NumGapBins)
	}
	sum := 0
	for _, v := range h {
		if v < 0 || v > maxHistCount {
			return fieldErr(field, "entries must be between 0 and %d", maxHistCount)
		}
		sum += v
	}
	if sum > limit {
		return fieldErr(field, "entries must add up to at most %s", limitText)
	}
	return nil
}

// holdSum checks a sum of capped hold times or their squares: finite, not
// negative, at most limit (what limitText names).
func holdSum(field string, v, limit float64, limitText string) *FieldError {
	if err := seconds(field, v); err != nil {
		return err
	}
	if v > limit {
		return fieldErr(field, "must be at most %s", limitText)
	}
	return nil
}

// phaseSums checks the phase sums of msgs messages: exactly
// relay.NumQuant finite entries, each within ±msgs.
func phaseSums(field string, v []float64, msgs int) *FieldError {
	if len(v) != relay.NumQuant {
		return fieldErr(field, "must have %d entries", relay.NumQuant)
	}
	for _, x := range v {
		if !(math.Abs(x) <= float64(msgs)) {
			return fieldErr(field, "entries must be finite numbers between -msgs and msgs")
		}
	}
	return nil
}

// decodeInputDevices decodes a window's devices, whose strokes add up to at
// most the window's keys.
func decodeInputDevices(field string, raws []json.RawMessage, keys int) ([]InputDevice, error) {
	if len(raws) > MaxInputDevices {
		return nil, fieldErr(field, "must have at most %d devices, not %d", MaxInputDevices, len(raws))
	}
	if raws == nil {
		return nil, nil
	}
	out := make([]InputDevice, len(raws))
	sum := 0
	for i, rd := range raws {
		p := field + "[" + strconv.Itoa(i) + "]"
		if !isObject(rd) {
			return nil, fieldErr(p, "must be an object")
		}
		var d InputDevice
		if err := decodeObject(rd, p+".", &d); err != nil {
			return nil, err
		}
		if err := firstErr(
			text(p+".name", d.Name, 0, MaxNameLen),
			provenance(p+".provenance", d.Provenance),
			text(p+".bus", d.Bus, 0, MaxNameLen),
			optionalHexID(p+".vendor_id", d.VendorID),
			optionalHexID(p+".product_id", d.ProductID),
			count(p+".keys", d.Keys),
		); err != nil {
			return nil, err
		}
		sum += d.Keys
		if sum > keys {
			return nil, fieldErr(field, "strokes of the devices must add up to at most keys")
		}
		out[i] = d
	}
	return out, nil
}

// decodeRawKeys decodes a window's raw key timings: at most MaxRawKeys, and
// no more than the window's keys. An empty list decodes to nil, as
// encoding/json omits it.
func decodeRawKeys(field string, raws []json.RawMessage, keys int) ([]RawKey, error) {
	switch {
	case len(raws) > MaxRawKeys:
		return nil, fieldErr(field, "must have at most %d entries, not %d", MaxRawKeys, len(raws))
	case len(raws) > keys:
		return nil, fieldErr(field, "must have at most keys entries")
	case len(raws) == 0:
		return nil, nil
	}
	out := make([]RawKey, len(raws))
	for i, rk := range raws {
		p := field + "[" + strconv.Itoa(i) + "]"
		if !isObject(rk) {
			return nil, fieldErr(p, "must be an object")
		}
		var k RawKey
		if err := decodeObject(rk, p+".", &k); err != nil {
			return nil, err
		}
		if err := firstErr(
			between(p+".press_us", k.PressMicros, 0, MaxWindowLen.Microseconds()),
			between(p+".hold_us", k.HoldMicros, 0, MaxRTTMicros),
			class(p+".class", k.Class),
			provenance(p+".provenance", k.Provenance),
		); err != nil {
			return nil, err
		}
		out[i] = k
	}
	return out, nil
}

// decodeEndpoint decodes and validates a batch's endpoint report; null or
// absent is nil.
func decodeEndpoint(data json.RawMessage, now time.Time) (*EndpointReport, error) {
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return nil, nil
	}
	const p = "endpoint."
	if !isObject(data) {
		return nil, fieldErr("endpoint", "must be an object")
	}
	var r struct {
		At          string            `json:"at"`
		RemoteTools []json.RawMessage `json:"remote_tools"`
		USB         []json.RawMessage `json:"usb"`
		Displays    []json.RawMessage `json:"displays"`
	}
	if err := decodeObject(data, p, &r); err != nil {
		return nil, err
	}
	at, err := timestamp(p+"at", r.At, now)
	if err != nil {
		return nil, err
	}
	e := &EndpointReport{At: at}
	if e.RemoteTools, err = decodeList(p+"remote_tools", r.RemoteTools, MaxRemoteTools, "tools", decodeRemoteTool); err != nil {
		return nil, err
	}
	if e.USB, err = decodeList(p+"usb", r.USB, MaxUSBDevices, "devices", decodeUSBDevice); err != nil {
		return nil, err
	}
	if e.Displays, err = decodeList(p+"displays", r.Displays, MaxDisplays, "displays", decodeDisplay); err != nil {
		return nil, err
	}
	return e, nil
}

// decodeList decodes a JSON array of at most limit objects with decode,
// keeping null as nil and [] as empty.
func decodeList[T any](field string, raws []json.RawMessage, limit int, what string, decode func(prefix string, data json.RawMessage) (T, error)) ([]T, error) {
	if len(raws) > limit {
		return nil, fieldErr(field, "must have at most %d %s, not %d", limit, what, len(raws))
	}
	if raws == nil {
		return nil, nil
	}
	out := make([]T, len(raws))
	for i, raw := range raws {
		p := field + "[" + strconv.Itoa(i) + "]"
		if !isObject(raw) {
			return nil, fieldErr(p, "must be an object")
		}
		v, err := decode(p, raw)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func decodeRemoteTool(prefix string, data json.RawMessage) (RemoteTool, error) {
	var r struct {
		Name      string            `json:"name"`
		Catalog   string            `json:"catalog"`
		PID       int64             `json:"pid"`
		Process   string            `json:"process"`
		Listening []string          `json:"listening"`
		Sessions  []json.RawMessage `json:"sessions"`
	}
	p := prefix + "."
	if err := decodeObject(data, p, &r); err != nil {
		return RemoteTool{}, err
	}
	if err := firstErr(
		text(p+"name", r.Name, 1, MaxNameLen),
		text(p+"catalog", r.Catalog, 1, MaxNameLen),
		between(p+"pid", r.PID, 1, maxPID),
		text(p+"process", r.Process, 1, MaxNameLen),
	); err != nil {
		return RemoteTool{}, err
	}
	if len(r.Listening) > MaxListeners {
		return RemoteTool{}, fieldErr(p+"listening", "must have at most %d sockets, not %d", MaxListeners, len(r.Listening))
	}
	for i, l := range r.Listening {
		if err := addrPort(p+"listening["+strconv.Itoa(i)+"]", l); err != nil {
			return RemoteTool{}, err
		}
	}
	sessions, err := decodeList(p+"sessions", r.Sessions, MaxSessions, "sessions", decodeSession)
	if err != nil {
		return RemoteTool{}, err
	}
	return RemoteTool{Name: r.Name, Catalog: r.Catalog, PID: int(r.PID), Process: r.Process, Listening: r.Listening, Sessions: sessions}, nil
}

func decodeSession(prefix string, data json.RawMessage) (RemoteSession, error) {
	var s RemoteSession
	p := prefix + "."
	if err := decodeObject(data, p, &s); err != nil {
		return RemoteSession{}, err
	}
	if err := firstErr(
		addrPort(p+"local", s.Local),
		addrPort(p+"remote", s.Remote),
		between(p+"rtt_us", s.RTTMicros, 0, MaxRTTMicros),
		between(p+"min_rtt_us", s.MinRTTMicros, 0, MaxRTTMicros),
		between(p+"rtt_var_us", s.RTTVarMicros, 0, MaxRTTMicros),
	); err != nil {
		return RemoteSession{}, err
	}
	return s, nil
}

func decodeUSBDevice(prefix string, data json.RawMessage) (USBDevice, error) {
	var r struct {
		Path         string          `json:"path"`
		VendorID     string          `json:"vendor_id"`
		ProductID    string          `json:"product_id"`
		Manufacturer string          `json:"manufacturer"`
		Product      string          `json:"product"`
		Serial       string          `json:"serial"`
		HID          bool            `json:"hid"`
		Match        json.RawMessage `json:"match"`
	}
	p := prefix + "."
	if err := decodeObject(data, p, &r); err != nil {
		return USBDevice{}, err
	}
	if err := firstErr(
		text(p+"path", r.Path, 1, MaxNameLen),
		hexID(p+"vendor_id", r.VendorID),
		hexID(p+"product_id", r.ProductID),
		text(p+"manufacturer", r.Manufacturer, 0, MaxNameLen),
		text(p+"product", r.Product, 0, MaxNameLen),
		text(p+"serial", r.Serial, 0, MaxNameLen),
	); err != nil {
		return USBDevice{}, err
	}
	m, err := decodeMatch(p+"match", r.Match)
	if err != nil {
		return USBDevice{}, err
	}
	return USBDevice{Path: r.Path, VendorID: r.VendorID, ProductID: r.ProductID, Manufacturer: r.Manufacturer,
		Product: r.Product, Serial: r.Serial, HID: r.HID, Match: m}, nil
}

func decodeDisplay(prefix string, data json.RawMessage) (Display, error) {
	var r struct {
		Connector    string          `json:"connector"`
		Manufacturer string          `json:"manufacturer"`
		ProductCode  string          `json:"product_code"`
		Name         string          `json:"name"`
		Serial       string          `json:"serial"`
		Match        json.RawMessage `json:"match"`
	}
	p := prefix + "."
	if err := decodeObject(data, p, &r); err != nil {
		return Display{}, err
	}
	if err := firstErr(
		text(p+"connector", r.Connector, 1, MaxNameLen),
		pnpID(p+"manufacturer", r.Manufacturer),
		hexID(p+"product_code", r.ProductCode),
		text(p+"name", r.Name, 0, MaxNameLen),
		text(p+"serial", r.Serial, 0, MaxNameLen),
	); err != nil {
		return Display{}, err
	}
	m, err := decodeMatch(p+"match", r.Match)
	if err != nil {
		return Display{}, err
	}
	return Display{Connector: r.Connector, Manufacturer: r.Manufacturer, ProductCode: r.ProductCode,
		Name: r.Name, Serial: r.Serial, Match: m}, nil
}

// decodeMatch decodes an optional hardware match; null or absent is nil.
func decodeMatch(field string, data json.RawMessage) (*HardwareMatch, error) {
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return nil, nil
	}
	if !isObject(data) {
		return nil, fieldErr(field, "must be an object")
	}
	var m HardwareMatch
	if err := decodeObject(data, field+".", &m); err != nil {
		return nil, err
	}
	if err := firstErr(
		text(field+".device", m.Device, 1, MaxNameLen),
		text(field+".rule", m.Rule, 1, MaxNameLen),
		text(field+".evidence", m.Evidence, 1, MaxEvidenceLen),
	); err != nil {
		return nil, err
	}
	if m.Strength != StrengthStrong && m.Strength != StrengthWeak {
		return nil, fieldErr(field+".strength", "must be %q or %q", StrengthStrong, StrengthWeak)
	}
	return &m, nil
}

// count checks a count in a window: 0 to MaxKeysPerWindow.
func count(field string, v int) *FieldError {
	return between(field, int64(v), 0, MaxKeysPerWindow)
}

// atMost checks that the count v is at most the count limit of the field
// named other.
func atMost(field string, v, limit int, other string) *FieldError {
	if v > limit {
		return fieldErr(field, "must be at most %s", other)
	}
	return nil
}

// between checks an integer: lo to hi.
func between(field string, v, lo, hi int64) *FieldError {
	if v < lo || v > hi {
		return fieldErr(field, "must be between %d and %d", lo, hi)
	}
	return nil
}

// seconds checks a sum of times or squared times: finite and not negative.
func seconds(field string, v float64) *FieldError {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fieldErr(field, "must be a finite number, not negative")
	}
	return nil
}

// namedCounts checks a map of counts by name: at most n entries, names for
// which valid is true, each count 0 to keys, adding up to keys.
func namedCounts(field string, m map[string]int, keys, n int, valid func(string) bool, names string) *FieldError {
	if len(m) > n {
		return fieldErr(field, "must have at most %d entries", n)
	}
	// Sorted, so that the same message always gets the same error.
	sum := 0
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !valid(k) {
			return fieldErr(field, "keys must be %s", names)
		}
		v := m[k]
		if v < 0 || v > MaxKeysPerWindow {
			return fieldErr(field, "counts must be between 0 and %d", MaxKeysPerWindow)
		}
		sum += v
	}
	if sum != keys {
		return fieldErr(field, "counts must add up to keys")
	}
	return nil
}

// histogram checks a histogram: exactly n entries, each 0 to
// MaxKeysPerWindow, adding up to keys if exact and to at most keys if not.
func histogram(field string, h []int, n, keys int, exact bool) *FieldError {
	if len(h) != n {
		return fieldErr(field, "must have %d entries", n)
	}
	sum := 0
	for _, v := range h {
		if v < 0 || v > MaxKeysPerWindow {
			return fieldErr(field, "entries must be between 0 and %d", MaxKeysPerWindow)
		}
		sum += v
	}
	switch {
	case exact && sum != keys:
		return fieldErr(field, "entries must add up to keys")
	case !exact && sum > keys:
		return fieldErr(field, "entries must add up to at most keys")
	}
	return nil
}

func isClass(s string) bool {
	_, err := keystroke.ParseClass(s)
	return err == nil
}

func isProvenance(s string) bool {
	_, err := keystroke.ParseProvenance(s)
	return err == nil
}

// class checks a key class name.
func class(field, v string) *FieldError {
	if !isClass(v) {
		return fieldErr(field, "must be a key class name (docs/wire-v1.md)")
	}
	return nil
}

// provenance checks an input provenance name.
func provenance(field, v string) *FieldError {
	if !isProvenance(v) {
		return fieldErr(field, "must be unknown, physical, virtual or injected")
	}
	return nil
}

// hexID checks a USB vendor or product ID or an EDID product code: 4
// lower-case hex digits.
func hexID(field, v string) *FieldError {
	if len(v) != 4 || strings.IndexFunc(v, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') }) >= 0 {
		return fieldErr(field, "must be 4 lower-case hex digits")
	}
	return nil
}

// optionalHexID checks an ID that may be empty.
func optionalHexID(field, v string) *FieldError {
	if v == "" {
		return nil
	}
	return hexID(field, v)
}

// pnpID checks an EDID manufacturer (PNP) ID: 3 letters A–Z.
func pnpID(field, v string) *FieldError {
	if len(v) != 3 || strings.IndexFunc(v, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return fieldErr(field, "must be 3 upper-case letters A-Z")
	}
	return nil
}

// addrPort checks a socket address "ip:port" ("[ip6]:port").
func addrPort(field, v string) *FieldError {
	if err := text(field, v, 1, MaxNameLen); err != nil {
		return err
	}
	if _, err := netip.ParseAddrPort(v); err != nil {
		return fieldErr(field, "must be an IP address and port, such as 192.0.2.1:5900 or [2001:db8::1]:5900")
	}
	return nil
}
