package risk

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/operator"
	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/screen"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// Thresholds the adapters apply before a detector's output is evidence.
const (
	// FarSessionRTT: a remote-access session with a kernel minimum RTT at
	// least this long reaches beyond a domestic loop (US coast to coast is
	// about 70 ms).
	FarSessionRTT = 100 * time.Millisecond
	// MinWindowKeys is the fewest keystrokes [FromWindows] judges.
	MinWindowKeys = 200
	// InjectedShare is the share of injected or virtual keystrokes from
	// which [FromWindows] reports input.injected.
	InjectedShare = 0.05
	// PhysicalShare is the share of physical keystrokes from which
	// [FromWindows] reports input.physical.
	PhysicalShare = 0.95
	// DefaultRelayThreshold is the relay score, in nats, that
	// [FromRelay] uses when given 0: the higher of the keystroke lab's
	// 0.1 % local-typing thresholds (docs/lab-keystrokes.md).
	DefaultRelayThreshold = 17.63
	// FarOperatorKm is the operator distance from which [FromOperator]
	// reports operator.far.
	FarOperatorKm = 1000
	// maxRefs bounds the references one adapter item lists.
	maxRefs = 20
)

// New returns evidence of detector about subject with the configured
// weight (LR 0), for detectors without an adapter, such as
// "idp.shared-egress" from identity-provider logs.
func New(subject Subject, detector, provenance, explanation string, at time.Time, refs ...string) Evidence {
	return Evidence{Subject: subject, Detector: detector, Provenance: provenance, Explanation: explanation, At: at, Refs: refs}
}

// FromVerdict turns a device-distance verdict into evidence about the
// device: latency.<status> for impossible, too-slow, inconsistent and
// consistent; nothing when insufficient. All RTT verdicts of a device are
// one independence group. A flagged verdict is server-measured when a
// server-measured landmark gave that status; a consistent one only when
// every landmark was server-measured, since an agent could report fast
// RTTs it never had.
func FromVerdict(dv analyze.DeviceVerdict) []Evidence {
	v := dv.Verdict
	if v.Status == latency.Insufficient || v.Status == "" || dv.Device.ID == "" {
		return nil
	}
	var refs []string
	server, agent := false, false
	for _, f := range v.Findings {
		if f.Status == latency.Insufficient {
			continue
		}
		relevant := v.Status == latency.Consistent || v.Status == latency.Inconsistent || f.Status == v.Status
		if !relevant {
			continue
		}
		if strings.HasPrefix(f.Provenance, "server") {
			server = true
		} else {
			agent = true
		}
		if len(refs) < maxRefs {
			refs = append(refs, fmt.Sprintf("rtt:%s/%s/%s", dv.Device.ID, f.Landmark, f.Provenance))
		}
	}
	prov := AgentReported
	if (v.Status == latency.Consistent && server && !agent) || (v.Status != latency.Consistent && server) {
		prov = ServerMeasured
	}
	text := v.Summary
	if text == "" {
		text = fmt.Sprintf("device %s: RTT verdict %s", dv.Device.ID, v.Status)
	}
	at := dv.ComputedAt
	return []Evidence{{
		Subject:     Device(dv.Device.ID),
		Detector:    "latency." + string(v.Status),
		Provenance:  prov,
		Explanation: text,
		At:          at,
		Refs:        refs,
		Independent: "rtt:" + dv.Device.ID,
	}}
}

// FromEndpoint turns an endpoint report into evidence about the device:
// endpoint.remote-session-far, endpoint.remote-session or
// endpoint.remote-tool (one group per device), and endpoint.ip-kvm or
// endpoint.ip-kvm-weak (another group). It reads r.Body as a
// wire.EndpointReport for tool names, session RTTs and match strengths;
// without a readable body it uses the counts, and a hardware match of
// unknown strength counts as weak. All of it is agent-reported.
func FromEndpoint(deviceID string, r store.EndpointReport) []Evidence {
	if deviceID == "" {
		deviceID = r.DeviceID
	}
	at := r.At
	if at.IsZero() {
		at = r.ReceivedAt
	}
	ref := fmt.Sprintf("endpoint:%s/%s", deviceID, r.BatchID)
	mk := func(det, group, text string) Evidence {
		return Evidence{Subject: Device(deviceID), Detector: det, Provenance: AgentReported, Explanation: text, At: at, Refs: []string{ref}, Independent: group + ":" + deviceID}
	}
	var body wire.EndpointReport
	haveBody := len(r.Body) > 0 && json.Unmarshal(r.Body, &body) == nil
	var out []Evidence

	// Remote access.
	tools, sessions, minRTT, farTool := r.RemoteTools, r.RemoteSessions, r.MinSessionRTT, ""
	var names []string
	if haveBody {
		tools, sessions, minRTT = len(body.RemoteTools), 0, 0
		for _, t := range body.RemoteTools {
			names = append(names, t.Name)
			for _, s := range t.Sessions {
				sessions++
				us := s.MinRTTMicros
				if us <= 0 {
					us = s.RTTMicros
				}
				if d := time.Duration(us) * time.Microsecond; us > 0 && (minRTT == 0 || d < minRTT) {
					minRTT, farTool = d, t.Name+" to "+s.Remote
				}
			}
		}
	}
	toolWords := fmt.Sprintf("%d remote-access tool(s)", tools)
	if len(names) > 0 {
		toolWords = "remote-access tool(s) " + strings.Join(names[:min(len(names), 5)], ", ")
	}
	switch {
	case sessions > 0 && minRTT >= FarSessionRTT:
		where := ""
		if farTool != "" {
			where = " (" + farTool + ")"
		}
		out = append(out, mk("endpoint.remote-session-far", "endpoint-remote", fmt.Sprintf("%s with %d established session(s); the closest session%s has a kernel minimum RTT of %d ms, at least %d ms: its far end is beyond a domestic loop", toolWords, sessions, where, minRTT.Milliseconds(), FarSessionRTT.Milliseconds())))
	case sessions > 0:
		rtt := "unknown RTT"
		if minRTT > 0 {
			rtt = fmt.Sprintf("a kernel minimum RTT of %d ms", minRTT.Milliseconds())
		}
		out = append(out, mk("endpoint.remote-session", "endpoint-remote", fmt.Sprintf("%s with %d established session(s), %s", toolWords, sessions, rtt)))
	case tools > 0:
		out = append(out, mk("endpoint.remote-tool", "endpoint-remote", toolWords+" running, no established session"))
	}

	// IP-KVM and capture hardware.
	var strong, weak []string
	if haveBody {
		add := func(m *wire.HardwareMatch) {
			if m == nil {
				return
			}
			if m.Strength == wire.StrengthStrong {
				strong = append(strong, m.Device)
			} else {
				weak = append(weak, m.Device)
			}
		}
		for i := range body.USB {
			add(body.USB[i].Match)
		}
		for i := range body.Displays {
			add(body.Displays[i].Match)
		}
	} else if r.HardwareMatches > 0 {
		weak = append(weak, fmt.Sprintf("%d device(s) of unknown strength", r.HardwareMatches))
	}
	switch {
	case len(strong) > 0:
		out = append(out, mk("endpoint.ip-kvm", "endpoint-hw", "hardware specific to a known IP-KVM or capture device: "+strings.Join(strong[:min(len(strong), 5)], ", ")))
	case len(weak) > 0:
		out = append(out, mk("endpoint.ip-kvm-weak", "endpoint-hw", "hardware whose identifiers a known IP-KVM shares with other devices: "+strings.Join(weak[:min(len(weak), 5)], ", ")))
	}
	return out
}

// FromWindows turns a device's input windows into one item of evidence:
// input.injected when at least InjectedShare of the keystrokes were
// injected or came from virtual devices, input.physical when at least
// PhysicalShare came from physical keyboards, nothing under MinWindowKeys
// keystrokes or in between. It is agent-reported and dated at the last
// window's end.
func FromWindows(deviceID string, ws []store.InputWindow) []Evidence {
	var keys, phys, inj, n int
	var last time.Time
	var refs []string
	for _, w := range ws {
		if w.Keys <= 0 || (deviceID != "" && w.DeviceID != "" && w.DeviceID != deviceID) {
			continue
		}
		keys += w.Keys
		phys += max(w.Physical, 0)
		inj += max(w.Virtual, 0) + max(w.Injected, 0)
		n++
		if w.End.After(last) {
			last = w.End
		}
		if len(refs) < maxRefs {
			refs = append(refs, fmt.Sprintf("input:%s/%s", deviceID, w.WindowID))
		}
	}
	if keys < MinWindowKeys || last.IsZero() {
		return nil
	}
	share, pshare := float64(inj)/float64(keys), float64(phys)/float64(keys)
	e := Evidence{Subject: Device(deviceID), Provenance: AgentReported, At: last, Refs: refs, Independent: "input:" + deviceID}
	switch {
	case share >= InjectedShare:
		e.Detector = "input.injected"
		e.Explanation = fmt.Sprintf("%d of %d keystrokes (%.0f %%) over %d window(s) were injected or came from virtual input devices", inj, keys, 100*share, n)
	case pshare >= PhysicalShare:
		e.Detector = "input.physical"
		e.Explanation = fmt.Sprintf("%d of %d keystrokes (%.0f %%) over %d window(s) came from physical keyboards", phys, keys, 100*pshare, n)
	default:
		return nil
	}
	return []Evidence{e}
}

// FromScreen turns an applicant's screening into evidence about the
// applicant, one item per screening finding, with LR 2^Weight and
// detector "screen.<check>". It keeps the screening policy on weak
// findings: they count only beside non-weak positive evidence. Repeats of
// one check are one independence group. The result carries no time, so
// the caller passes when it was made (the application or screening
// time). applicantID "" means r.ApplicantID.
func FromScreen(applicantID string, r screen.Result, at time.Time) []Evidence {
	if applicantID == "" {
		applicantID = r.ApplicantID
	}
	positive := false
	for _, e := range r.Evidence {
		if !e.Weak && e.Weight > 0 {
			positive = true
		}
	}
	var out []Evidence
	for _, e := range r.Evidence {
		if (e.Weak && !positive) || e.Check == "" || math.IsNaN(e.Weight) {
			continue
		}
		w := max(-screen.MaxWeight, min(screen.MaxWeight, e.Weight))
		var refs []string
		if e.Field != "" {
			refs = []string{fmt.Sprintf("applicant:%s/%s", applicantID, e.Field)}
		}
		out = append(out, Evidence{
			Subject:     Applicant(applicantID),
			Detector:    "screen." + e.Check,
			LR:          math.Exp2(w),
			Provenance:  ServerMeasured,
			Explanation: e.Sentence,
			At:          at,
			Refs:        refs,
			Independent: "screen:" + applicantID + ":" + e.Check,
		})
	}
	return out
}

// FromRelay turns a relay detector verdict into relay.detected when its
// score reaches threshold nats (0: DefaultRelayThreshold); below it,
// nothing, since a low score does not rule a relay out (a clean constant
// delay leaves no fingerprint). The features are computed on the device,
// so it is agent-reported.
func FromRelay(deviceID string, v relay.Verdict, threshold float64, at time.Time) []Evidence {
	if threshold <= 0 {
		threshold = DefaultRelayThreshold
	}
	if !(v.Score >= threshold) {
		return nil
	}
	return []Evidence{{
		Subject: Device(deviceID), Detector: "relay.detected", Provenance: AgentReported, At: at,
		Explanation: fmt.Sprintf("keystroke timing over %d window(s) of %d or more strokes scores %.1f nats of relay fingerprints, at or above the %.1f-nat threshold", v.Windows, relay.RefKeys, v.Score, threshold),
		Independent: "loop:" + deviceID,
	}}
}

// FromPresence turns a presence challenge result into presence.delayed or
// presence.consistent about subject; nothing when insufficient. The
// reactions are timed in the browser on the device, so it is
// agent-reported. About a device, it shares the group "loop:<device>"
// with relay and operator evidence: all measure the same loop. The
// challenge does not know which of a worker's devices it ran on, so a
// caller that cannot tell names the worker, and the group is
// "loop:worker:<id>".
func FromPresence(subject Subject, r presence.Result, at time.Time) []Evidence {
	var det string
	switch r.Verdict {
	case presence.Delayed:
		det = "presence.delayed"
	case presence.Consistent:
		det = "presence.consistent"
	default:
		return nil
	}
	text := r.Explanation
	if text == "" {
		text = fmt.Sprintf("presence challenge: %s, added delay %d ms (95 %% interval %d to %d ms) over %d prompts", r.Verdict, r.AddedDelay.Milliseconds(), r.CILow.Milliseconds(), r.CIHigh.Milliseconds(), r.Prompts)
	}
	group := "loop:" + subject.String()
	if subject.Kind == KindDevice {
		group = "loop:" + subject.ID
	}
	return []Evidence{{Subject: subject, Detector: det, Provenance: AgentReported, Explanation: text, At: at, Independent: group}}
}

// FromOperator turns an operator-distance estimate into operator.far
// when the operator is at least FarOperatorKm away. An estimate read from
// the remote-access session joins the endpoint-remote group of the
// device, others the loop group, so that one measurement is not counted
// twice.
func FromOperator(deviceID string, est operator.Estimate, at time.Time) []Evidence {
	if !(est.AtLeastKm >= FarOperatorKm) {
		return nil
	}
	group := "loop:" + deviceID
	if est.Source == "session" {
		group = "endpoint-remote:" + deviceID
	}
	text := est.Explanation
	if text == "" {
		text = fmt.Sprintf("the operator is at least %.0f km from the device (loop %d ms, from %s)", est.AtLeastKm, est.LoopRTT.Milliseconds(), est.Source)
	}
	return []Evidence{{Subject: Device(deviceID), Detector: "operator.far", Provenance: AgentReported, Explanation: text, At: at, Independent: group}}
}
