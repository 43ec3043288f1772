package presence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// Limits of the JSON API.
const (
	// maxBody is the largest request body accepted, in bytes.
	maxBody = 1024
	// maxWorkerID is the longest worker ID accepted from a start request.
	maxWorkerID = 64
	// maxPageTime bounds a page timestamp (ms since the page loaded): a
	// day is far longer than any session.
	maxPageTime = 86_400_000.0
	// maxClientRTT bounds a page-reported round trip, in ms.
	maxClientRTT = 60_000.0
	// pings is the number of ping round trips a session makes.
	pings = 5
	// maxFalseStarts ends a session as insufficient: keys pressed before
	// the prompt, again and again, are guessing, not reacting.
	maxFalseStarts = 5
)

// fieldError is a validation error that names the offending field.
type fieldError struct {
	Field string
	Msg   string
}

// Error returns "field: message".
func (e *fieldError) Error() string { return e.Field + ": " + e.Msg }

type startRequest struct {
	WorkerID string `json:"worker_id"`
	Enrol    bool   `json:"enrol"`
}

type pingRequest struct {
	Session   string   `json:"session"`
	Seq       int      `json:"seq"`
	ClientRTT *float64 `json:"client_rtt_ms"`
}

type reactionRequest struct {
	Session    string  `json:"session"`
	Seq        int     `json:"seq"`
	ShownMs    float64 `json:"shown_ms"`
	KeyMs      float64 `json:"key_ms"`
	Trusted    bool    `json:"trusted"`
	FalseStart bool    `json:"false_start"`
}

type finishRequest struct {
	Session string `json:"session"`
}

// decodeJSON decodes exactly one JSON object from body into v, refusing
// unknown fields, trailing data and bodies over maxBody bytes.
func decodeJSON(body []byte, v any) error {
	if len(body) > maxBody {
		return &fieldError{Field: "body", Msg: fmt.Sprintf("%d bytes, limit %d", len(body), maxBody)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
			return &fieldError{Field: te.Field, Msg: "must be a JSON " + te.Type.Kind().String() + ", got " + te.Value}
		}
		return &fieldError{Field: "body", Msg: "invalid JSON object: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &fieldError{Field: "body", Msg: "trailing data after the JSON object"}
	}
	return nil
}

func decodeStart(body []byte) (startRequest, error) {
	var r startRequest
	if err := decodeJSON(body, &r); err != nil {
		return r, err
	}
	return r, checkWorkerID(r.WorkerID)
}

// checkWorkerID reports a worker ID that is too long or holds a byte other
// than a letter, digit or one of . _ - @; "" passes.
func checkWorkerID(id string) error {
	if len(id) > maxWorkerID {
		return &fieldError{Field: "worker_id", Msg: fmt.Sprintf("%d bytes, limit %d", len(id), maxWorkerID)}
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !isIDChar(c) {
			return &fieldError{Field: "worker_id", Msg: fmt.Sprintf("byte %d (%q) is not a letter, digit or one of . _ - @", i, c)}
		}
	}
	return nil
}

func isIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '@'
}

func decodePing(body []byte) (pingRequest, error) {
	var r pingRequest
	if err := decodeJSON(body, &r); err != nil {
		return r, err
	}
	if err := checkSession(r.Session); err != nil {
		return r, err
	}
	if r.Seq < 0 || r.Seq >= pings {
		return r, &fieldError{Field: "seq", Msg: fmt.Sprintf("%d is outside [0, %d)", r.Seq, pings)}
	}
	if r.ClientRTT != nil {
		if v := *r.ClientRTT; !(v >= 0 && v <= maxClientRTT) {
			return r, &fieldError{Field: "client_rtt_ms", Msg: fmt.Sprintf("%v is outside [0, %v]", v, maxClientRTT)}
		}
	}
	return r, nil
}

// decodeReaction validates a reaction. maxSeq is the number of prompts the
// session's schedule holds.
func decodeReaction(body []byte, maxSeq int) (reactionRequest, error) {
	var r reactionRequest
	if err := decodeJSON(body, &r); err != nil {
		return r, err
	}
	if err := checkSession(r.Session); err != nil {
		return r, err
	}
	if r.Seq < 0 || r.Seq >= maxSeq {
		return r, &fieldError{Field: "seq", Msg: fmt.Sprintf("%d is outside [0, %d)", r.Seq, maxSeq)}
	}
	if r.FalseStart {
		return r, nil
	}
	if !r.Trusted {
		return r, &fieldError{Field: "trusted", Msg: "the key event was synthesised by a script, not by an input device"}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"shown_ms", r.ShownMs}, {"key_ms", r.KeyMs}} {
		if !(f.v >= 0 && f.v <= maxPageTime) { // also refuses NaN
			return r, &fieldError{Field: f.name, Msg: fmt.Sprintf("%v is outside [0, %v]", f.v, maxPageTime)}
		}
	}
	if r.KeyMs < r.ShownMs {
		return r, &fieldError{Field: "key_ms", Msg: fmt.Sprintf("%v is before shown_ms %v; report a false start instead", r.KeyMs, r.ShownMs)}
	}
	return r, nil
}

// reaction returns the reaction time r reports.
func (r reactionRequest) reaction() time.Duration { return dur(r.KeyMs - r.ShownMs) }

func decodeFinish(body []byte) (finishRequest, error) {
	var r finishRequest
	if err := decodeJSON(body, &r); err != nil {
		return r, err
	}
	return r, checkSession(r.Session)
}

// sessionIDLen is the length of a session ID: 16 random bytes in hex.
const sessionIDLen = 32

func checkSession(id string) error {
	if len(id) != sessionIDLen {
		return &fieldError{Field: "session", Msg: fmt.Sprintf("%d bytes, want %d hex digits", len(id), sessionIDLen)}
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return &fieldError{Field: "session", Msg: fmt.Sprintf("byte %d is not a lowercase hex digit", i)}
		}
	}
	return nil
}

// resultJSON is the result as the API returns it; times in milliseconds.
type resultJSON struct {
	Verdict     Verdict  `json:"verdict"`
	AddedDelay  float64  `json:"added_delay_ms"`
	CILow       float64  `json:"ci_low_ms"`
	CIHigh      float64  `json:"ci_high_ms"`
	Prompts     int      `json:"prompts"`
	Valid       int      `json:"valid"`
	Excluded    int      `json:"excluded"`
	FalseStarts int      `json:"false_starts"`
	MedianRT    float64  `json:"median_rt_ms"`
	Baseline    string   `json:"baseline"`
	PageRTT     *float64 `json:"page_rtt_ms"`
	ClientRTT   *float64 `json:"client_rtt_ms"`
	Enrol       bool     `json:"enrol"`
	Explanation string   `json:"explanation"`
}

func newResultJSON(s *Session) resultJSON {
	r := s.Result
	opt := func(d time.Duration) *float64 {
		if d <= 0 {
			return nil
		}
		v := math.Round(ms(d)*10) / 10
		return &v
	}
	return resultJSON{
		Verdict: r.Verdict, AddedDelay: ms(r.AddedDelay), CILow: ms(r.CILow), CIHigh: ms(r.CIHigh),
		Prompts: r.Prompts, Valid: r.Valid, Excluded: r.Excluded, FalseStarts: s.FalseStarts,
		MedianRT: ms(r.MedianRT), Baseline: r.Baseline,
		PageRTT: opt(s.PageRTT), ClientRTT: opt(s.ClientRTT),
		Enrol: s.Enrol, Explanation: r.Explanation,
	}
}
