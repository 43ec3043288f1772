package idp

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// oktaEvent is the part of an Okta System Log event (GET /api/v1/logs)
// that ReadOkta uses.
type oktaEvent struct {
	UUID      string `json:"uuid"`
	Published string `json:"published"`
	EventType string `json:"eventType"`
	Actor     struct {
		AlternateID string `json:"alternateId"`
	} `json:"actor"`
	Client struct {
		IPAddress string `json:"ipAddress"`
		UserAgent struct {
			RawUserAgent string `json:"rawUserAgent"`
		} `json:"userAgent"`
		GeographicalContext struct {
			City        string `json:"city"`
			Country     string `json:"country"`
			Geolocation struct {
				Lat *float64 `json:"lat"`
				Lon *float64 `json:"lon"`
			} `json:"geolocation"`
		} `json:"geographicalContext"`
	} `json:"client"`
	Outcome struct {
		Result string `json:"result"`
	} `json:"outcome"`
	Target []struct {
		Type        string `json:"type"`
		DisplayName string `json:"displayName"`
	} `json:"target"`
}

// OktaSignInEvent reports whether an Okta eventType is a sign-in that
// ReadOkta keeps: user.session.start and every user.authentication.*
// event (sso, auth_via_mfa, verify, …).
func OktaSignInEvent(eventType string) bool {
	return eventType == "user.session.start" || strings.HasPrefix(eventType, "user.authentication.")
}

// ReadOkta reads Okta System Log events, as returned by GET /api/v1/logs
// (a JSON array) or exported one object per line (JSON Lines). Events whose
// eventType is not a sign-in ([OktaSignInEvent]) are counted in
// Result.Skipped. A record with a bad field becomes one entry of
// Result.Errors and the rest are read; ReadOkta returns an error only when
// the input as a whole cannot be read or is over a limit. The field mapping
// is in docs/idp-signals.md.
func ReadOkta(r io.Reader) (Result, error) {
	data, err := readAll(r)
	if err != nil {
		return Result{}, fmt.Errorf("read okta log: %w", err)
	}
	recs, errs, err := jsonRecords(data)
	if err != nil {
		return Result{}, fmt.Errorf("read okta log: %w", err)
	}
	res := Result{Errors: errs, Records: len(recs)}
	for i, raw := range recs {
		if raw == nil {
			continue
		}
		n := i + 1
		var ev oktaEvent
		if re := decodeRecord(n, raw, &ev); re != nil {
			res.Errors = append(res.Errors, re)
			continue
		}
		if !OktaSignInEvent(ev.EventType) {
			res.Skipped++
			continue
		}
		s, re := ev.signIn(n)
		if re != nil {
			res.Errors = append(res.Errors, re)
			continue
		}
		res.SignIns = append(res.SignIns, s)
	}
	return res, nil
}

// signIn maps an event to a SignIn.
func (ev *oktaEvent) signIn(n int) (SignIn, *RecordError) {
	c := checker{n: n}
	geoc := &ev.Client.GeographicalContext
	s := SignIn{
		RecordID:  c.text("uuid", ev.UUID, true),
		At:        c.time("published", ev.Published, time.RFC3339Nano),
		User:      c.text("actor.alternateId", ev.Actor.AlternateID, true),
		IP:        c.ip("client.ipAddress", ev.Client.IPAddress),
		UserAgent: c.text("client.userAgent.rawUserAgent", ev.Client.UserAgent.RawUserAgent, false),
		City:      c.text("client.geographicalContext.city", geoc.City, false),
		Country:   c.text("client.geographicalContext.country", geoc.Country, false),
		Source:    "okta",
	}
	s.Lat, s.Lon, s.HasPoint = c.point("client.geographicalContext.geolocation", geoc.Geolocation.Lat, geoc.Geolocation.Lon)
	switch strings.ToUpper(strings.TrimSpace(ev.Outcome.Result)) {
	case "SUCCESS", "ALLOW":
		s.Success = true
	case "":
		c.fail("outcome.result", "missing")
	}
	for i, t := range ev.Target {
		if t.Type == "AppInstance" {
			s.App = c.text(fmt.Sprintf("target[%d].displayName", i), t.DisplayName, false)
			break
		}
	}
	if c.err != nil {
		return SignIn{}, c.err
	}
	return s, nil
}
