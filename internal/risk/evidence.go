package risk

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Kinds of [Subject].
const (
	KindWorker    = "worker"
	KindApplicant = "applicant"
	KindDevice    = "device"
	KindAccount   = "account"
)

// Provenances of [Evidence]: who measured what the evidence rests on.
const (
	// ServerMeasured: lagwatch's own servers measured or computed it (kernel
	// TCP RTT of the agent's connection, screening of an application).
	ServerMeasured = "server-measured"
	// AgentReported: the endpoint agent or the presence page measured it on
	// the worker's device; a compromised device can lie.
	AgentReported = "agent-reported"
	// Imported: another system reported it (identity provider logs, the
	// applicant tracking system).
	Imported = "imported"
)

// Subject is what a piece of evidence is about.
type Subject struct {
	Kind string `json:"kind"` // KindWorker, KindApplicant, KindDevice or KindAccount
	ID   string `json:"id"`
}

// Worker returns the subject of worker id.
func Worker(id string) Subject { return Subject{Kind: KindWorker, ID: id} }

// Applicant returns the subject of applicant id.
func Applicant(id string) Subject { return Subject{Kind: KindApplicant, ID: id} }

// Device returns the subject of device id.
func Device(id string) Subject { return Subject{Kind: KindDevice, ID: id} }

// Account returns the subject of account id (an identity-provider login).
func Account(id string) Subject { return Subject{Kind: KindAccount, ID: id} }

// String returns "kind:id".
func (s Subject) String() string { return s.Kind + ":" + s.ID }

// MaxIDLen bounds Subject.ID, Evidence.Detector and Evidence.Independent.
const MaxIDLen = 256

// Validate reports whether s has a known kind and a non-empty ID.
func (s Subject) Validate() error {
	switch s.Kind {
	case KindWorker, KindApplicant, KindDevice, KindAccount:
	default:
		return fmt.Errorf("subject kind %q: must be worker, applicant, device or account", s.Kind)
	}
	if s.ID == "" || len(s.ID) > MaxIDLen {
		return fmt.Errorf("subject %s id: must have 1 to %d bytes, not %d", s.Kind, MaxIDLen, len(s.ID))
	}
	return nil
}

func kindRank(k string) int {
	switch k {
	case KindWorker:
		return 0
	case KindApplicant:
		return 1
	case KindDevice:
		return 2
	default:
		return 3
	}
}

// Evidence is one finding of one detector about one subject.
type Evidence struct {
	Subject Subject `json:"subject"`
	// Detector is the stable id of what found it, "class.name":
	// "latency.too-slow", "endpoint.ip-kvm", "screen.phone.voip".
	Detector string `json:"detector"`
	// LR is the likelihood ratio P(observation | fraud) / P(observation |
	// honest). 0 means the configured weight of Detector
	// ([Config.Detectors]), so that changing the configuration re-weighs
	// stored evidence; the adapters leave it 0 except where the finding
	// carries its own weight (screening).
	LR float64 `json:"lr,omitempty"`
	// Provenance is ServerMeasured, AgentReported or Imported.
	Provenance string `json:"provenance"`
	// Explanation states the finding in plain words with its numbers.
	Explanation string `json:"explanation"`
	// At is when the finding was made; decay counts from it.
	At time.Time `json:"at"`
	// Refs names the records it rests on: "endpoint:dev-1/batch-9".
	Refs []string `json:"refs,omitempty"`
	// Independent is the independence group: evidence in one group is not
	// multiplied, only the strongest counts. "" means a group of its own
	// per detector and subject.
	Independent string `json:"independent,omitempty"`
}

// Validate reports whether e can be fused: a valid subject, a detector id,
// a finite non-negative LR and a time.
func (e Evidence) Validate() error {
	if err := e.Subject.Validate(); err != nil {
		return err
	}
	if e.Detector == "" || len(e.Detector) > MaxIDLen {
		return fmt.Errorf("evidence detector %q: must have 1 to %d bytes", e.Detector, MaxIDLen)
	}
	if len(e.Independent) > MaxIDLen {
		return fmt.Errorf("evidence %s independent group: must have at most %d bytes, not %d", e.Detector, MaxIDLen, len(e.Independent))
	}
	if math.IsNaN(e.LR) || math.IsInf(e.LR, 0) || e.LR < 0 {
		return fmt.Errorf("evidence %s lr %v: must be finite and > 0 (0: the configured weight)", e.Detector, e.LR)
	}
	if e.At.IsZero() {
		return fmt.Errorf("evidence %s at: must be set", e.Detector)
	}
	return nil
}

// group returns the independence group of e.
func (e *Evidence) group() string {
	if e.Independent != "" {
		return e.Independent
	}
	return e.Detector + "|" + e.Subject.String()
}

// ErrLink is returned by [Links.Link] for a link that cannot be made.
var ErrLink = errors.New("risk: invalid link")

// Links ties subjects that are one person: an applicant to the worker they
// became, a device to the worker it was issued to, an account to its owner.
// The zero value is empty and ready to use. Links may be read by many
// goroutines at once but must not be changed while it is read.
type Links struct {
	adj map[Subject][]Subject
}

// Link records that a and b belong to the same person. Links between two
// workers are refused: each worker is a person of their own.
func (l *Links) Link(a, b Subject) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("link %s to %s: %w: %w", a, b, ErrLink, err)
	}
	if err := b.Validate(); err != nil {
		return fmt.Errorf("link %s to %s: %w: %w", a, b, ErrLink, err)
	}
	if a == b || (a.Kind == KindWorker && b.Kind == KindWorker) {
		return fmt.Errorf("link %s to %s: %w: must join two different subjects, not two workers", a, b, ErrLink)
	}
	if l.adj == nil {
		l.adj = make(map[Subject][]Subject)
	}
	if slices.Contains(l.adj[a], b) {
		return nil
	}
	l.adj[a] = append(l.adj[a], b)
	l.adj[b] = append(l.adj[b], a)
	return nil
}

// Resolve returns the person s belongs to: the nearest worker linked to it
// (fewest links, then smallest ID), or, with no worker, the subject of its
// linked group that ranks first (applicant, device, account; then ID).
// A subject with no links resolves to itself. A nil Links resolves
// everything to itself.
func (l *Links) Resolve(s Subject) Subject {
	if l == nil || len(l.adj[s]) == 0 {
		return s
	}
	best, bestDist := s, 0
	better := func(c Subject, d int) bool {
		if c.Kind == KindWorker || best.Kind == KindWorker {
			if c.Kind != best.Kind {
				return c.Kind == KindWorker
			}
			if d != bestDist {
				return d < bestDist
			}
			return c.ID < best.ID
		}
		if r := cmp.Compare(kindRank(c.Kind), kindRank(best.Kind)); r != 0 {
			return r < 0
		}
		return c.ID < best.ID
	}
	seen := map[Subject]bool{s: true}
	frontier := []Subject{s}
	for d := 1; len(frontier) > 0; d++ {
		var next []Subject
		for _, f := range frontier {
			for _, n := range l.adj[f] {
				if seen[n] {
					continue
				}
				seen[n] = true
				if better(n, d) {
					best, bestDist = n, d
				}
				// A worker ends the walk: what lies beyond it belongs to
				// that worker, not to s.
				if n.Kind != KindWorker {
					next = append(next, n)
				}
			}
		}
		if best.Kind == KindWorker {
			break
		}
		frontier = next
	}
	return best
}
