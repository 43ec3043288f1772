package idp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// googleActivity is the part of an Admin SDK Reports API activity
// (applicationName=login) that ReadGoogle uses.
type googleActivity struct {
	ID struct {
		Time            string `json:"time"`
		UniqueQualifier string `json:"uniqueQualifier"`
		ApplicationName string `json:"applicationName"`
	} `json:"id"`
	Actor struct {
		Email string `json:"email"`
	} `json:"actor"`
	IPAddress   string `json:"ipAddress"`
	NetworkInfo struct {
		RegionCode string `json:"regionCode"`
	} `json:"networkInfo"`
	Events []struct {
		Name string `json:"name"`
	} `json:"events"`
}

// ReadGoogle reads Google Workspace login audit activities, as returned by
// the Admin SDK Reports API activities.list for applicationName=login: a
// response {"items": [...]}, an array of activities, or JSON Lines. An
// activity counts as a sign-in when one of its events is login_success or
// login_failure; others (logout, login_challenge, …) are counted in
// Result.Skipped. Per-record errors and limits are as for [ReadOkta]; the
// field mapping is in docs/idp-signals.md. Google's login audit carries no
// coordinates, so HasPoint is always false.
func ReadGoogle(r io.Reader) (Result, error) {
	data, err := readAll(r)
	if err != nil {
		return Result{}, fmt.Errorf("read google login audit: %w", err)
	}
	recs, errs, err := googleRecords(data)
	if err != nil {
		return Result{}, fmt.Errorf("read google login audit: %w", err)
	}
	res := Result{Errors: errs, Records: len(recs)}
	for i, raw := range recs {
		if raw == nil {
			continue
		}
		n := i + 1
		var a googleActivity
		if re := decodeRecord(n, raw, &a); re != nil {
			res.Errors = append(res.Errors, re)
			continue
		}
		success, failure := false, false
		for _, ev := range a.Events {
			switch ev.Name {
			case "login_success":
				success = true
			case "login_failure":
				failure = true
			}
		}
		if !success && !failure {
			res.Skipped++
			continue
		}
		c := checker{n: n}
		s := SignIn{
			At:       c.time("id.time", a.ID.Time, time.RFC3339Nano),
			RecordID: c.text("id.uniqueQualifier", a.ID.UniqueQualifier, true),
			User:     c.text("actor.email", a.Actor.Email, true),
			IP:       c.ip("ipAddress", a.IPAddress),
			Country:  c.text("networkInfo.regionCode", a.NetworkInfo.RegionCode, false),
			App:      c.text("id.applicationName", a.ID.ApplicationName, false),
			Success:  success,
			Source:   "google",
		}
		if c.err != nil {
			res.Errors = append(res.Errors, c.err)
			continue
		}
		res.SignIns = append(res.SignIns, s)
	}
	return res, nil
}

// googleRecords splits a Google input into records, unwrapping a Reports
// API response.
func googleRecords(data []byte) ([]json.RawMessage, []*RecordError, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var page struct {
			Items *[]json.RawMessage `json:"items"`
			Kind  string             `json:"kind"`
		}
		if err := json.Unmarshal(trimmed, &page); err == nil && (page.Items != nil || page.Kind == "admin#reports#activities") {
			if page.Items == nil {
				return nil, nil, nil
			}
			if len(*page.Items) > MaxRecords {
				return nil, nil, tooManyRecords()
			}
			return *page.Items, nil, nil
		}
	}
	return jsonRecords(trimmed)
}
