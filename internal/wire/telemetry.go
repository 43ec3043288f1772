package wire

import (
	"math"
	"time"

	"github.com/lagwatch/lagwatch/internal/relay"
)

// Limits of the telemetry a [Batch] carries besides RTT samples.
const (
	// MaxWindows is the most input windows in one batch.
	MaxWindows = 100
	// MaxWindowLen is the longest input window.
	MaxWindowLen = time.Hour
	// MaxKeysPerWindow bounds every count in a window: 100 strokes per
	// second for MaxWindowLen.
	MaxKeysPerWindow = 360_000
	// MaxRawKeys is the most raw key timings in one window (lab mode).
	MaxRawKeys = 10_000
	// MaxInputDevices is the most devices listed in one window.
	MaxInputDevices = 64
	// MaxRemoteTools, MaxSessions, MaxListeners, MaxUSBDevices and
	// MaxDisplays bound the lists of an [EndpointReport].
	MaxRemoteTools = 64
	MaxSessions    = 64
	MaxListeners   = 64
	MaxUSBDevices  = 128
	MaxDisplays    = 16
	// MaxNameLen is the longest name, product, manufacturer, serial,
	// process or address string in telemetry.
	MaxNameLen = 256
	// MaxEvidenceLen is the longest evidence sentence.
	MaxEvidenceLen = 1024
)

// SignatureHeader carries the Ed25519 signature of a request body, base64
// (standard encoding, with padding). A device that sent a public key at
// enrolment must sign every batch; the server rejects a batch whose
// signature is missing or does not verify with 401.
const SignatureHeader = "Lagwatch-Signature"

// InputWindow is the aggregate of one window of keyboard input on the
// device: timing and coarse classes only, never key codes or characters
// (docs/agent-input.md). WindowID is unique per device; a window sent
// again, in the same batch or another, is stored once.
type InputWindow struct {
	WindowID     string         `json:"window_id"`     // identifier: 1 to MaxIDLen of [A-Za-z0-9_-]
	Start        time.Time      `json:"start"`         // within the time window of timestamps
	End          time.Time      `json:"end"`           // after Start, at most MaxWindowLen later
	Source       string         `json:"source"`        // the reader: "evdev" or "x11"
	Keys         int            `json:"keys"`          // strokes, 0 to MaxKeysPerWindow
	Repeats      int            `json:"repeats"`       // auto-repeat events, 0 to MaxKeysPerWindow
	ByClass      map[string]int `json:"by_class"`      // key class name → strokes; names from package keystroke; adds up to Keys
	ByProvenance map[string]int `json:"by_provenance"` // "unknown", "physical", "virtual", "injected" → strokes; adds up to Keys
	FlightHist   []int          `json:"flight_hist"`   // press-to-next-press histogram, keystroke.NumFlightBins long; adds up to at most Keys
	HoldHist     []int          `json:"hold_hist"`     // hold-time histogram, keystroke.NumHoldBins long; adds up to Keys
	FlightSum    float64        `json:"flight_sum_s"`  // sum of flight times, s
	FlightSumSq  float64        `json:"flight_sumsq_s2"`
	HoldSum      float64        `json:"hold_sum_s"` // sum of hold times, s
	HoldSumSq    float64        `json:"hold_sumsq_s2"`
	FastPairs    int            `json:"fast_pairs"`    // presses closer than keystroke.BurstGap; at most Keys
	Bursts       int            `json:"bursts"`        // runs of keystroke.BurstRun fast presses; at most FastPairs
	StallBursts  int            `json:"stall_bursts"`  // bursts right after a keystroke.StallGap pause; at most Bursts
	Devices      []InputDevice  `json:"devices"`       // devices that produced the strokes, 0 to MaxInputDevices; their Keys add up to at most Keys
	Raw          []RawKey       `json:"raw,omitempty"` // lab raw-timing mode only, 0 to MaxRawKeys and at most Keys
	// Relay holds the window's relay fingerprints; optional: agents from
	// before it omit it.
	Relay *RelayFeatures `json:"relay,omitempty"`
}

// RelayFeatures are the relay fingerprints of a window's strokes, the
// counters and sums of package relay's Features: timing only, from which
// the server rebuilds relay.Features for relay.Detector ([NewRelayFeatures]
// and [RelayFeatures.Features] convert). Messages are the presses and
// releases of the strokes merged in time order; a message whose time is
// within relay.TieGap (1 ms) of the one before is a tie.
type RelayFeatures struct {
	Keys        int       `json:"keys"`          // strokes, at most the window's keys
	Msgs        int       `json:"msgs"`          // messages, at most 2 × keys + relay.HeldKeys (releases of keys held over the window's start)
	Ties        int       `json:"ties"`          // messages within 1 ms of the one before, at most msgs
	Bursts      int       `json:"bursts"`        // runs of relay.BurstSize messages delivered together, at most ties
	StallBursts int       `json:"stall_bursts"`  // bursts after a silence of relay.StallGap or more, at most bursts
	ZeroHolds   int       `json:"zero_holds"`    // strokes whose press and release came together, at most keys
	StallMicros int64     `json:"stall_us"`      // total silence before stall bursts, µs; each at most relay.StallClip
	GapMicros   int64     `json:"gap_us"`        // sum of the gaps counted in gaps, µs; each under 1 s
	Gaps        int       `json:"gaps"`          // message gaps from 1 ms to 1 s, at most msgs
	GapHist     []int     `json:"gap_hist"`      // relay.NumGapBins counts of gaps of 1 ms or more on relay.GapBin bins; add up to at most msgs − ties
	StallHist   []int     `json:"stall_hist"`    // relay.NumGapBins counts of stall silences on relay.StallBin bins; add up to at most stall_bursts
	HoldSum     float64   `json:"hold_sum_s"`    // sum of hold times capped at relay.HoldClip, s; at most keys × 0.25
	HoldSumSq   float64   `json:"hold_sumsq_s2"` // sum of their squares, s²; at most keys × 0.0625
	QuantCos    []float64 `json:"quant_cos"`     // relay.NumQuant phase sums of message times, one per relay.QuantPeriods; each within ±msgs
	QuantSin    []float64 `json:"quant_sin"`     // as quant_cos
}

// NewRelayFeatures returns the wire form of f. Sums go to whole
// microseconds.
func NewRelayFeatures(f *relay.Features) *RelayFeatures {
	r := &RelayFeatures{
		Keys: f.Keys, Msgs: f.Msgs, Ties: f.Ties, Bursts: f.Bursts, StallBursts: f.StallBursts, ZeroHolds: f.ZeroHolds,
		StallMicros: f.StallSum.Microseconds(), GapMicros: f.GapSum.Microseconds(), Gaps: f.Gaps,
		GapHist: make([]int, relay.NumGapBins), StallHist: make([]int, relay.NumGapBins),
		HoldSum: f.HoldSum, HoldSumSq: f.HoldSumSq,
		QuantCos: append([]float64(nil), f.QuantCos[:]...), QuantSin: append([]float64(nil), f.QuantSin[:]...),
	}
	for i := range relay.NumGapBins {
		r.GapHist[i], r.StallHist[i] = int(f.GapHist[i]), int(f.StallHist[i])
	}
	return r
}

// Features returns r as relay.Features. r must be valid, as [DecodeBatch]
// and [CheckRelayFeatures] accept: histogram counts beyond the length of
// relay's are ignored and counts above math.MaxUint16 stop there.
func (r *RelayFeatures) Features() relay.Features {
	f := relay.Features{
		Keys: r.Keys, Msgs: r.Msgs, Ties: r.Ties, Bursts: r.Bursts, StallBursts: r.StallBursts, ZeroHolds: r.ZeroHolds,
		StallSum: time.Duration(r.StallMicros) * time.Microsecond, GapSum: time.Duration(r.GapMicros) * time.Microsecond, Gaps: r.Gaps,
		HoldSum: r.HoldSum, HoldSumSq: r.HoldSumSq,
	}
	for i := range min(len(r.GapHist), relay.NumGapBins) {
		f.GapHist[i] = uint16(min(max(r.GapHist[i], 0), math.MaxUint16))
	}
	for i := range min(len(r.StallHist), relay.NumGapBins) {
		f.StallHist[i] = uint16(min(max(r.StallHist[i], 0), math.MaxUint16))
	}
	copy(f.QuantCos[:], r.QuantCos)
	copy(f.QuantSin[:], r.QuantSin)
	return f
}

// InputDevice is a device that produced strokes in a window.
type InputDevice struct {
	Name       string `json:"name"`                 // as the kernel or X server names it, 0 to MaxNameLen bytes
	Provenance string `json:"provenance"`           // "unknown", "physical", "virtual" or "injected"
	Bus        string `json:"bus"`                  // "usb", "i8042", "bluetooth", "virtual", "xtest", ..., 0 to MaxNameLen
	VendorID   string `json:"vendor_id,omitempty"`  // 4 lower-case hex digits
	ProductID  string `json:"product_id,omitempty"` // 4 lower-case hex digits
	Keys       int    `json:"keys"`                 // strokes from this device in the window
}

// RawKey is one stroke's timing in the lab's raw-timing mode.
type RawKey struct {
	PressMicros int64  `json:"press_us"` // press time after the window's start, µs, 0 to MaxWindowLen
	HoldMicros  int64  `json:"hold_us"`  // hold time, µs, 0 to MaxRTTMicros
	Class       string `json:"class"`    // key class name
	Provenance  string `json:"provenance"`
}

// EndpointReport is what the agent sees on the device at one moment:
// remote-access tools with their sockets and session RTTs, USB devices and
// displays, each checked against the agent's embedded catalogues.
type EndpointReport struct {
	At          time.Time    `json:"at"`           // when it was taken, within the time window
	RemoteTools []RemoteTool `json:"remote_tools"` // 0 to MaxRemoteTools
	USB         []USBDevice  `json:"usb"`          // 0 to MaxUSBDevices
	Displays    []Display    `json:"displays"`     // 0 to MaxDisplays
}

// RemoteTool is a running process that a catalogue names as a remote
// access or remote-control tool.
type RemoteTool struct {
	Name      string          `json:"name"`      // catalogue name, e.g. "x11vnc", 1 to MaxNameLen
	Catalog   string          `json:"catalog"`   // "lolrmm" or "lagwatch", 1 to MaxNameLen
	PID       int             `json:"pid"`       // process ID, 1 to math.MaxInt32
	Process   string          `json:"process"`   // executable name, 1 to MaxNameLen
	Listening []string        `json:"listening"` // listening sockets "ip:port", 0 to MaxListeners
	Sessions  []RemoteSession `json:"sessions"`  // established TCP sessions, 0 to MaxSessions
}

// RemoteSession is an established TCP connection of a remote-access tool,
// with the kernel's RTT estimate for it: the distance to whoever is at the
// other end.
type RemoteSession struct {
	Local        string `json:"local"`      // "ip:port"
	Remote       string `json:"remote"`     // "ip:port"
	RTTMicros    int64  `json:"rtt_us"`     // smoothed RTT (tcpi_rtt), µs, 0 when unknown
	MinRTTMicros int64  `json:"min_rtt_us"` // minimum RTT (tcpi_min_rtt), µs, 0 when unknown
	RTTVarMicros int64  `json:"rtt_var_us"` // RTT variance (tcpi_rttvar), µs
}

// USBDevice is a device on the USB bus.
type USBDevice struct {
	Path         string         `json:"path"`       // sysfs bus path such as "1-1.2"
	VendorID     string         `json:"vendor_id"`  // 4 lower-case hex digits
	ProductID    string         `json:"product_id"` // 4 lower-case hex digits
	Manufacturer string         `json:"manufacturer,omitempty"`
	Product      string         `json:"product,omitempty"`
	Serial       string         `json:"serial,omitempty"`
	HID          bool           `json:"hid"`             // has a HID interface (keyboard, mouse)
	Match        *HardwareMatch `json:"match,omitempty"` // set when it matches a known IP-KVM
}

// Display is a connected display, from its EDID.
type Display struct {
	Connector    string         `json:"connector"`        // DRM connector such as "card0-HDMI-A-1"
	Manufacturer string         `json:"manufacturer"`     // three-letter PNP ID, A–Z
	ProductCode  string         `json:"product_code"`     // 4 lower-case hex digits
	Name         string         `json:"name,omitempty"`   // monitor name descriptor
	Serial       string         `json:"serial,omitempty"` // serial descriptor or number
	Match        *HardwareMatch `json:"match,omitempty"`  // set when it matches a known IP-KVM or capture device
}

// HardwareMatch says which known IP-KVM or capture device a USB device or
// display matches, by which identifiers, and what that does and does not
// prove.
type HardwareMatch struct {
	Device   string `json:"device"`   // the known device, e.g. "PiKVM v4", 1 to MaxNameLen
	Rule     string `json:"rule"`     // identifiers that matched, 1 to MaxNameLen
	Evidence string `json:"evidence"` // a sentence for reviewers, 1 to MaxEvidenceLen
	// Strength is "strong" when the identifiers are specific to the device
	// (a brand string, an ID only it uses) and "weak" when they are shared
	// with other hardware (a generic Linux USB gadget ID).
	Strength string `json:"strength"`
}

// Strengths of a HardwareMatch.
const (
	StrengthStrong = "strong"
	StrengthWeak   = "weak"
)
