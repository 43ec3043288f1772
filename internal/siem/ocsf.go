package siem

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lagwatch/lagwatch/internal/risk"
)

// OCSFVersion is the OCSF schema version [OCSF] targets, reported in
// metadata.version.
const OCSFVersion = "1.4.0"

// OCSF class, category and enum values used by [OCSF].
const (
	ocsfClassUID     = 2004 // Detection Finding
	ocsfCategoryUID  = 2    // Findings
	ocsfActCreate    = 1
	ocsfActUpdate    = 2
	ocsfStatusNew    = 1
	ocsfAnalyticRule = 1
)

// Severity is an OCSF severity_id with its caption.
type Severity struct {
	ID   int
	Name string
}

// OCSFSeverity maps a lagwatch level to an OCSF severity: high is 4 High,
// watch 3 Medium, clear 1 Informational and anything else 0 Unknown.
func OCSFSeverity(level string) Severity {
	switch level {
	case risk.LevelHigh:
		return Severity{4, "High"}
	case risk.LevelWatch:
		return Severity{3, "Medium"}
	case risk.LevelClear:
		return Severity{1, "Informational"}
	default:
		return Severity{0, "Unknown"}
	}
}

// ocsfRiskLevel maps a level to OCSF risk_level_id and risk_level.
func ocsfRiskLevel(level string) (int, string) {
	switch level {
	case risk.LevelHigh:
		return 3, "High"
	case risk.LevelWatch:
		return 2, "Medium"
	case risk.LevelClear:
		return 0, "Info"
	default:
		return 99, "Other"
	}
}

type ocsfEvent struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`
	Time         int64  `json:"time"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	IsAlert      bool   `json:"is_alert"`
	Message      string `json:"message"`

	FindingInfo ocsfFindingInfo `json:"finding_info"`
	Evidences   []ocsfEvidence  `json:"evidences,omitempty"`
	Resources   []ocsfResource  `json:"resources"`
	Device      *ocsfDevice     `json:"device,omitempty"`

	RiskScore   int    `json:"risk_score"`
	RiskLevelID int    `json:"risk_level_id"`
	RiskLevel   string `json:"risk_level"`

	Metadata ocsfMetadata   `json:"metadata"`
	Unmapped map[string]any `json:"unmapped"`
}

type ocsfFindingInfo struct {
	UID           string       `json:"uid"`
	Title         string       `json:"title"`
	Desc          string       `json:"desc"`
	Types         []string     `json:"types,omitempty"`
	CreatedTime   int64        `json:"created_time"`
	FirstSeenTime int64        `json:"first_seen_time,omitempty"`
	LastSeenTime  int64        `json:"last_seen_time,omitempty"`
	Analytic      ocsfAnalytic `json:"analytic"`
}

type ocsfAnalytic struct {
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
	UID    string `json:"uid"`
}

type ocsfEvidence struct {
	Name   string           `json:"name"`
	Data   ocsfEvidenceData `json:"data"`
	User   *ocsfUser        `json:"user,omitempty"`
	Device *ocsfDevice      `json:"device,omitempty"`
}

// ocsfEvidenceData is the lagwatch-specific part of one cited
// contribution, in the evidence's free-form data attribute.
type ocsfEvidenceData struct {
	Detector    string   `json:"detector"`
	Explanation string   `json:"explanation"`
	Bits        float64  `json:"bits"`
	LR          float64  `json:"lr"`
	Provenance  string   `json:"provenance"`
	Subject     string   `json:"subject"`
	Time        int64    `json:"time"`
	Refs        []string `json:"refs,omitempty"`
}

type ocsfUser struct {
	UID    string `json:"uid"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

type ocsfDevice struct {
	UID    string `json:"uid"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

type ocsfResource struct {
	UID  string `json:"uid"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type ocsfMetadata struct {
	Version string      `json:"version"`
	UID     string      `json:"uid"`
	Product ocsfProduct `json:"product"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

// subjectUser and subjectDevice map a lagwatch subject to the OCSF object
// that describes it: people (worker, applicant, account) are users,
// devices are devices.
func subjectUser(s risk.Subject) *ocsfUser {
	if s.Kind == risk.KindDevice || s.ID == "" {
		return nil
	}
	return &ocsfUser{UID: s.ID, TypeID: 1, Type: "User"}
}

func subjectDevice(s risk.Subject) *ocsfDevice {
	if s.Kind != risk.KindDevice || s.ID == "" {
		return nil
	}
	return &ocsfDevice{UID: s.ID, TypeID: 0, Type: "Unknown"}
}

// FindingUID is the OCSF finding_info.uid of alerts of one subject and
// rule: "lagwatch:<kind>:<id>:<rule>". It is stable across re-alerts, so
// that an Update refers to the finding that a Create opened.
func FindingUID(s risk.Subject, rule string) string {
	return "lagwatch:" + s.Kind + ":" + s.ID + ":" + rule
}

// OCSF renders a as an OCSF Detection Finding ([OCSFVersion]) in JSON.
// The mapping is in docs/siem-export.md. It fails when a lacks an ID or a
// time or carries a non-finite number.
func OCSF(a risk.Alert, opts Options) ([]byte, error) {
	if err := checkAlert(&a); err != nil {
		return nil, fmt.Errorf("encode ocsf: %w", err)
	}
	act, actName := ocsfActCreate, "Create"
	if opts.Update {
		act, actName = ocsfActUpdate, "Update"
	}
	sev := OCSFSeverity(a.Level)
	rlID, rl := ocsfRiskLevel(a.Level)
	ev := ocsfEvent{
		ActivityID:   act,
		ActivityName: actName,
		CategoryUID:  ocsfCategoryUID,
		CategoryName: "Findings",
		ClassUID:     ocsfClassUID,
		ClassName:    "Detection Finding",
		TypeUID:      ocsfClassUID*100 + act,
		TypeName:     "Detection Finding: " + actName,
		Time:         ms(a.At),
		SeverityID:   sev.ID,
		Severity:     sev.Name,
		StatusID:     ocsfStatusNew,
		Status:       "New",
		IsAlert:      true,
		Message:      a.Summary,
		FindingInfo: ocsfFindingInfo{
			UID:         FindingUID(a.Subject, a.Rule),
			Title:       fmt.Sprintf("lagwatch %s risk: %s", a.Level, a.Subject),
			Desc:        a.Summary,
			CreatedTime: ms(a.At),
			Analytic: ocsfAnalytic{
				Name:   a.Rule,
				TypeID: ocsfAnalyticRule,
				Type:   "Rule",
				UID:    a.Rule,
			},
		},
		Resources: []ocsfResource{{UID: a.Subject.ID, Name: a.Subject.String(), Type: a.Subject.Kind}},
		Device:    subjectDevice(a.Subject),
		RiskScore: riskScore(a.LogOdds),
		// risk_level_id and risk_level follow the lagwatch level.
		RiskLevelID: rlID,
		RiskLevel:   rl,
		Metadata: ocsfMetadata{
			Version: OCSFVersion,
			UID:     a.ID,
			Product: ocsfProduct{Name: ProductName, VendorName: VendorName, Version: opts.ProductVersion},
		},
		Unmapped: map[string]any{"lagwatch": map[string]any{
			"alert_id":     a.ID,
			"subject_kind": a.Subject.Kind,
			"subject_id":   a.Subject.ID,
			"rule":         a.Rule,
			"level":        a.Level,
			"log_odds":     a.LogOdds,
			"probability":  probability(a.LogOdds),
		}},
	}
	var first, last int64
	for _, c := range a.Cites {
		e := c.Evidence
		t := ms(e.At)
		if !e.At.IsZero() {
			if first == 0 || t < first {
				first = t
			}
			last = max(last, t)
		}
		class, _, _ := strings.Cut(e.Detector, ".")
		if class != "" && !slices.Contains(ev.FindingInfo.Types, class) {
			ev.FindingInfo.Types = append(ev.FindingInfo.Types, class)
		}
		ev.Evidences = append(ev.Evidences, ocsfEvidence{
			Name: e.Detector,
			Data: ocsfEvidenceData{
				Detector:    e.Detector,
				Explanation: e.Explanation,
				Bits:        c.Bits,
				LR:          c.LR,
				Provenance:  e.Provenance,
				Subject:     e.Subject.String(),
				Time:        t,
				Refs:        e.Refs,
			},
			User:   subjectUser(e.Subject),
			Device: subjectDevice(e.Subject),
		})
	}
	ev.FindingInfo.FirstSeenTime, ev.FindingInfo.LastSeenTime = first, last
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode ocsf for alert %s: %w", a.ID, err)
	}
	return b, nil
}
