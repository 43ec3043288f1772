package report

import (
	"fmt"
	"math"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Case is everything a case report shows. Only ID is required; empty
// sections are left out of the page.
type Case struct {
	ID, Title, Status, Assignee string
	Opened                      time.Time
	Generated                   time.Time // when the report was produced; shown when set
	Subject                     Person
	Summary                     string
	Risk                        RiskSummary
	Timeline                    []Event
	RTT                         []RTTSeries
	Operator                    []OperatorEstimate
	Provenance                  []ProvenanceShare
	Map                         MapData
	IC3                         IC3Section
	Notes                       []Note
	Audit                       []AuditEntry
}

// Person is the worker under investigation and what they claimed.
type Person struct {
	ID, Name     string
	ClaimedPlace string     // the place as the worker gave it, e.g. "Phoenix, AZ"
	ClaimedPoint *geo.Point // that place as coordinates; nil when unknown
	ClaimedTZ    string     // time zone the worker claims, e.g. "America/Phoenix"
	ApplicantIDs []string   // hiring records linked to this worker
	Devices      []Device
}

// Device is a managed device assigned to the subject.
type Device struct {
	ID, Hostname, Serial, OS, IP string
	LastSeen                     time.Time
}

// RiskSummary is the score of the case: the sum of detector log-odds in bits,
// the probability it maps to, and each detector's part.
type RiskSummary struct {
	Bits          float64
	Probability   float64 // 0..1
	Level         string  // e.g. "high"
	Contributions []Contribution
}

// Contribution is one detector's part of the risk score.
type Contribution struct {
	Detector    string
	Bits        float64 // log-odds in bits; negative lowers the risk
	Explanation string
}

// Event is one entry of the evidence timeline.
type Event struct {
	At     time.Time
	Kind   string   // e.g. "rtt", "input", "hiring"
	Text   string   // what happened, in a sentence
	Source string   // provenance: which sensor or record, and who measured it
	Refs   []string // identifiers of the records behind the event
}

// RTTSeries is the round-trip times measured from one landmark (a server at
// a known place) to the subject's device.
type RTTSeries struct {
	Landmark    string    // landmark name, e.g. "lax1"
	Place       string    // where it is, e.g. "Los Angeles, CA"
	Point       geo.Point // its coordinates
	Samples     []RTTSample
	ThresholdMs float64 // upper threshold of the expected band for the claimed place; 0 = none
}

// RTTSample is one round-trip time measurement.
type RTTSample struct {
	At  time.Time
	RTT time.Duration
}

// MinimumMs returns the fibre minimum RTT in milliseconds between the
// landmark and claim: what physics allows if the device were at the claim.
func (s RTTSeries) MinimumMs(claim geo.Point) float64 {
	return msOf(geo.MinRTT(geo.Distance(s.Point, claim)))
}

// OperatorEstimate is one estimate of the delay added between the operator's
// input and the device, e.g. from reaction-time tests.
type OperatorEstimate struct {
	At         time.Time
	AddedMs    float64 // added round-trip delay in milliseconds
	AtLeastKm  float64 // the distance that delay implies at least, in km
	Confidence float64 // 0..1
}

// ProvenanceShare is how the input events in one sample were produced:
// counts or shares of physical, virtual (remote-control), injected and
// unknown input. The plot normalises each UTC day to 100 %.
type ProvenanceShare struct {
	At                                   time.Time
	Physical, Virtual, Injected, Unknown float64
}

// MapData is what the world map shows.
type MapData struct {
	Claimed      *geo.Point  // the claimed place; nil = Subject.ClaimedPoint
	ClaimedLabel string      // label of the claim; "" = Subject.ClaimedPlace
	Region       []geo.Point // feasible region as a polygon, when computed elsewhere
	Disks        []Disk      // RTT disks; their intersection is drawn as the feasible region
	IP           *geo.Point  // where the device's IP address geolocates
	IPLabel      string      // e.g. "203.0.113.7 (Phoenix, AZ)"
}

// Disk is the set of places within RadiusKm of a landmark: where an RTT
// bound allows the device to be.
type Disk struct {
	Label    string
	Center   geo.Point
	RadiusKm float64
}

// IC3Section lays out the fields of an FBI IC3 complaint. The company files
// the complaint itself at ic3.gov; the report only gathers the facts.
type IC3Section struct {
	Victim      Organisation
	Subject     IC3Subject
	Description string // description of the incident, in the company's words
	Evidence    []EvidenceItem
}

// Organisation is the victim organisation of an IC3 complaint.
type Organisation struct {
	Name, Address, Contact, Phone, Email, Website string
}

// IC3Subject is every identifier the subject used.
type IC3Subject struct {
	Names, Emails, Phones, Addresses, IPs []string
	Payments                              []string // bank accounts, payment services
	Shipping                              []string // where equipment was shipped
	Websites                              []string // profiles, portfolios
}

// EvidenceItem is one exhibit listed in the complaint.
type EvidenceItem struct {
	Name, Description string
	SHA256            string // hex digest of the exhibit file, when there is one
}

// Note is an analyst's note on the case.
type Note struct {
	At           time.Time
	Author, Text string
}

// AuditEntry is one action recorded on the case.
type AuditEntry struct {
	At                    time.Time
	Actor, Action, Detail string
}

// Limits on a Case: a report past them would not print in reasonable time.
const (
	MaxTextBytes  = 64 << 10 // any one string
	MaxRows       = 10000    // timeline events, notes, audit entries, estimates, shares, list items
	MaxSeries     = 32       // RTT landmarks and map disks
	MaxSamples    = 200000   // RTT samples per landmark
	MaxRegionPts  = 10000    // points of the region polygon
	maxRTT        = time.Minute
	maxOperatorMs = 60000.0
)

// Validate reports the first field of c that is missing, out of range or
// over a limit, naming it.
func (c Case) Validate() error {
	v := validator{}
	v.required("id", c.ID)
	for name, s := range map[string]string{"title": c.Title, "status": c.Status, "assignee": c.Assignee, "summary": c.Summary,
		"subject.id": c.Subject.ID, "subject.name": c.Subject.Name, "subject.claimed_place": c.Subject.ClaimedPlace,
		"subject.claimed_tz": c.Subject.ClaimedTZ, "ic3.description": c.IC3.Description} {
		v.text(name, s)
	}
	if c.Subject.ClaimedPoint != nil {
		v.point("subject.claimed_point", *c.Subject.ClaimedPoint)
	}
	v.list("subject.applicant_ids", c.Subject.ApplicantIDs)
	v.rows("subject.devices", len(c.Subject.Devices), MaxRows)
	for i, d := range c.Subject.Devices {
		for _, s := range []string{d.ID, d.Hostname, d.Serial, d.OS, d.IP} {
			v.text(fmt.Sprintf("subject.devices[%d]", i), s)
		}
	}
	v.finite("risk.bits", c.Risk.Bits, -1e6, 1e6)
	v.finite("risk.probability", c.Risk.Probability, 0, 1)
	v.text("risk.level", c.Risk.Level)
	v.rows("risk.contributions", len(c.Risk.Contributions), MaxRows)
	for i, k := range c.Risk.Contributions {
		f := fmt.Sprintf("risk.contributions[%d]", i)
		v.text(f+".detector", k.Detector)
		v.text(f+".explanation", k.Explanation)
		v.finite(f+".bits", k.Bits, -1e6, 1e6)
	}
	v.rows("timeline", len(c.Timeline), MaxRows)
	for i, e := range c.Timeline {
		f := fmt.Sprintf("timeline[%d]", i)
		v.text(f+".kind", e.Kind)
		v.text(f+".text", e.Text)
		v.text(f+".source", e.Source)
		v.list(f+".refs", e.Refs)
	}
	v.rows("rtt", len(c.RTT), MaxSeries)
	for i, s := range c.RTT {
		f := fmt.Sprintf("rtt[%d]", i)
		v.text(f+".landmark", s.Landmark)
		v.text(f+".place", s.Place)
		v.point(f+".point", s.Point)
		v.finite(f+".threshold_ms", s.ThresholdMs, 0, msOf(maxRTT))
		v.rows(f+".samples", len(s.Samples), MaxSamples)
		for j, x := range s.Samples {
			if v.err == nil && (x.RTT < 0 || x.RTT > maxRTT) {
				v.err = fmt.Errorf("%s.samples[%d].rtt: %v: want 0 to %v", f, j, x.RTT, maxRTT)
			}
		}
	}
	v.rows("operator", len(c.Operator), MaxRows)
	for i, o := range c.Operator {
		f := fmt.Sprintf("operator[%d]", i)
		v.finite(f+".added_ms", o.AddedMs, -maxOperatorMs, maxOperatorMs)
		v.finite(f+".at_least_km", o.AtLeastKm, 0, 2*math.Pi*geo.EarthRadiusKm)
		v.finite(f+".confidence", o.Confidence, 0, 1)
	}
	v.rows("provenance", len(c.Provenance), MaxRows)
	for i, p := range c.Provenance {
		f := fmt.Sprintf("provenance[%d]", i)
		v.finite(f+".physical", p.Physical, 0, 1e12)
		v.finite(f+".virtual", p.Virtual, 0, 1e12)
		v.finite(f+".injected", p.Injected, 0, 1e12)
		v.finite(f+".unknown", p.Unknown, 0, 1e12)
	}
	if c.Map.Claimed != nil {
		v.point("map.claimed", *c.Map.Claimed)
	}
	if c.Map.IP != nil {
		v.point("map.ip", *c.Map.IP)
	}
	v.text("map.claimed_label", c.Map.ClaimedLabel)
	v.text("map.ip_label", c.Map.IPLabel)
	v.rows("map.region", len(c.Map.Region), MaxRegionPts)
	for i, p := range c.Map.Region {
		v.point(fmt.Sprintf("map.region[%d]", i), p)
	}
	v.rows("map.disks", len(c.Map.Disks), MaxSeries)
	for i, d := range c.Map.Disks {
		f := fmt.Sprintf("map.disks[%d]", i)
		v.text(f+".label", d.Label)
		v.point(f+".center", d.Center)
		v.finite(f+".radius_km", d.RadiusKm, 0, 2*math.Pi*geo.EarthRadiusKm)
	}
	o := c.IC3.Victim
	for _, s := range []string{o.Name, o.Address, o.Contact, o.Phone, o.Email, o.Website} {
		v.text("ic3.victim", s)
	}
	s := c.IC3.Subject
	for name, l := range map[string][]string{"names": s.Names, "emails": s.Emails, "phones": s.Phones, "addresses": s.Addresses,
		"ips": s.IPs, "payments": s.Payments, "shipping": s.Shipping, "websites": s.Websites} {
		v.list("ic3.subject."+name, l)
	}
	v.rows("ic3.evidence", len(c.IC3.Evidence), MaxRows)
	for i, e := range c.IC3.Evidence {
		for _, t := range []string{e.Name, e.Description, e.SHA256} {
			v.text(fmt.Sprintf("ic3.evidence[%d]", i), t)
		}
	}
	v.rows("notes", len(c.Notes), MaxRows)
	for i, n := range c.Notes {
		v.text(fmt.Sprintf("notes[%d].author", i), n.Author)
		v.text(fmt.Sprintf("notes[%d].text", i), n.Text)
	}
	v.rows("audit", len(c.Audit), MaxRows)
	for i, a := range c.Audit {
		for _, t := range []string{a.Actor, a.Action, a.Detail} {
			v.text(fmt.Sprintf("audit[%d]", i), t)
		}
	}
	if v.err != nil {
		return fmt.Errorf("case %.64q: %w", c.ID, v.err)
	}
	return nil
}

// validator keeps the first error so the checks read as a list.
type validator struct{ err error }

func (v *validator) required(field, s string) {
	if v.err == nil && s == "" {
		v.err = fmt.Errorf("%s: required", field)
	}
	v.text(field, s)
}

func (v *validator) text(field, s string) {
	if v.err == nil && len(s) > MaxTextBytes {
		v.err = fmt.Errorf("%s: %d bytes: want at most %d", field, len(s), MaxTextBytes)
	}
}

func (v *validator) list(field string, l []string) {
	v.rows(field, len(l), MaxRows)
	for i, s := range l {
		v.text(fmt.Sprintf("%s[%d]", field, i), s)
	}
}

func (v *validator) rows(field string, n, limit int) {
	if v.err == nil && n > limit {
		v.err = fmt.Errorf("%s: %d entries: want at most %d", field, n, limit)
	}
}

func (v *validator) finite(field string, x, lo, hi float64) {
	if v.err == nil && (math.IsNaN(x) || x < lo || x > hi) {
		v.err = fmt.Errorf("%s: %v: want a number from %g to %g", field, x, lo, hi)
	}
}

func (v *validator) point(field string, p geo.Point) {
	if v.err == nil && !p.Valid() {
		v.err = fmt.Errorf("%s: %v,%v: want latitude -90..90 and longitude -180..180", field, p.Lat, p.Lon)
	}
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
