package idp

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// entraSignIn is the part of a Microsoft Graph signIn resource that
// ReadEntra uses.
type entraSignIn struct {
	ID                string `json:"id"`
	CreatedDateTime   string `json:"createdDateTime"`
	UserPrincipalName string `json:"userPrincipalName"`
	IPAddress         string `json:"ipAddress"`
	ClientAppUsed     string `json:"clientAppUsed"`
	AppDisplayName    string `json:"appDisplayName"`
	UserAgent         string `json:"userAgent"` // beta endpoint only
	Status            struct {
		ErrorCode *int64 `json:"errorCode"`
	} `json:"status"`
	Location struct {
		City            string `json:"city"`
		CountryOrRegion string `json:"countryOrRegion"`
		GeoCoordinates  struct {
			Latitude  *float64 `json:"latitude"`
			Longitude *float64 `json:"longitude"`
		} `json:"geoCoordinates"`
	} `json:"location"`
}

// ReadEntra reads Microsoft Entra ID sign-in logs as JSON: an array of
// Graph signIn resources, a Graph response page {"value": [...]}, or JSON
// Lines. Per-record errors and limits are as for [ReadOkta]. The field
// mapping is in docs/idp-signals.md.
func ReadEntra(r io.Reader) (Result, error) {
	data, err := readAll(r)
	if err != nil {
		return Result{}, fmt.Errorf("read entra log: %w", err)
	}
	recs, errs, err := entraRecords(data)
	if err != nil {
		return Result{}, fmt.Errorf("read entra log: %w", err)
	}
	res := Result{Errors: errs, Records: len(recs)}
	for i, raw := range recs {
		if raw == nil {
			continue
		}
		n := i + 1
		var e entraSignIn
		if re := decodeRecord(n, raw, &e); re != nil {
			res.Errors = append(res.Errors, re)
			continue
		}
		c := checker{n: n}
		s := SignIn{
			RecordID:  c.text("id", e.ID, true),
			At:        c.time("createdDateTime", e.CreatedDateTime, time.RFC3339Nano),
			User:      c.text("userPrincipalName", e.UserPrincipalName, true),
			IP:        c.ip("ipAddress", e.IPAddress),
			UserAgent: c.text("userAgent", e.UserAgent, false),
			City:      c.text("location.city", e.Location.City, false),
			Country:   c.text("location.countryOrRegion", e.Location.CountryOrRegion, false),
			App:       c.text("appDisplayName", e.AppDisplayName, false),
			Source:    "entra",
		}
		if s.App == "" {
			s.App = c.text("clientAppUsed", e.ClientAppUsed, false)
		}
		gc := e.Location.GeoCoordinates
		s.Lat, s.Lon, s.HasPoint = c.point("location.geoCoordinates", gc.Latitude, gc.Longitude)
		if e.Status.ErrorCode == nil {
			c.fail("status.errorCode", "missing")
		} else {
			s.Success = *e.Status.ErrorCode == 0
		}
		if c.err != nil {
			res.Errors = append(res.Errors, c.err)
			continue
		}
		res.SignIns = append(res.SignIns, s)
	}
	return res, nil
}

// entraRecords splits an Entra JSON input into records, unwrapping a
// Graph response page.
func entraRecords(data []byte) ([]json.RawMessage, []*RecordError, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var page struct {
			Value *[]json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(trimmed, &page); err == nil && page.Value != nil {
			if len(*page.Value) > MaxRecords {
				return nil, nil, tooManyRecords()
			}
			return *page.Value, nil, nil
		}
	}
	return jsonRecords(trimmed)
}

// Entra portal CSV headers that ReadEntraCSV reads. Header names are
// matched ignoring case and surrounding space.
const (
	EntraColDate      = "Date (UTC)"
	EntraColRequestID = "Request ID"
	EntraColUser      = "User"
	EntraColUsername  = "Username"
	EntraColIP        = "IP address"
	EntraColLocation  = "Location"
	EntraColStatus    = "Status"
	EntraColErrorCode = "Sign-in error code"
	EntraColApp       = "Application"
	EntraColClientApp = "Client app"
	EntraColUserAgent = "User agent"
)

// entraCSVTimes are the timestamp layouts accepted in "Date (UTC)".
var entraCSVTimes = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"1/2/2006, 3:04:05 PM",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 15:04",
	"2006-01-02 15:04",
}

// ReadEntraCSV reads the CSV file that the Entra admin center downloads
// from Sign-in logs. It needs the "Date (UTC)" column and "Username" or
// "User"; the others are optional. Rows are numbered as a spreadsheet
// numbers them (the header is row 1). The column mapping is in
// docs/idp-signals.md; the portal's headers have changed over the years and
// may need adjusting.
func ReadEntraCSV(r io.Reader) (Result, error) {
	data, err := readAll(r)
	if err != nil {
		return Result{}, fmt.Errorf("read entra csv: %w", err)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err == io.EOF {
		return Result{}, errors.New("read entra csv: no header: the input is empty")
	}
	if err != nil {
		return Result{}, fmt.Errorf("read entra csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[strings.ToLower(name)]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	_, hasUser := col[strings.ToLower(EntraColUser)]
	_, hasUsername := col[strings.ToLower(EntraColUsername)]
	if _, ok := col[strings.ToLower(EntraColDate)]; !ok || !(hasUser || hasUsername) {
		return Result{}, fmt.Errorf("read entra csv: header %q: want columns %q and %q or %q", truncate(strings.Join(header, ","), 200), EntraColDate, EntraColUsername, EntraColUser)
	}
	var res Result
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, ok := errors.AsType[*csv.ParseError](err); ok {
				res.Records++
				res.Errors = append(res.Errors, &RecordError{Record: row, Err: err})
				continue
			}
			return Result{}, fmt.Errorf("read entra csv row %d: %w", row, err)
		}
		if blank(rec) {
			continue
		}
		if res.Records == MaxRecords {
			return Result{}, fmt.Errorf("read entra csv: %w", tooManyRecords())
		}
		res.Records++
		c := checker{n: row}
		s := SignIn{
			At:        c.time(EntraColDate, get(rec, EntraColDate), entraCSVTimes...),
			RecordID:  c.text(EntraColRequestID, get(rec, EntraColRequestID), false),
			User:      c.text(EntraColUsername, get(rec, EntraColUsername), false),
			IP:        c.ip(EntraColIP, get(rec, EntraColIP)),
			UserAgent: c.text(EntraColUserAgent, get(rec, EntraColUserAgent), false),
			App:       c.text(EntraColApp, get(rec, EntraColApp), false),
			Source:    "entra",
		}
		if s.User == "" {
			s.User = c.text(EntraColUser, get(rec, EntraColUser), true)
		}
		if s.App == "" {
			s.App = c.text(EntraColClientApp, get(rec, EntraColClientApp), false)
		}
		if s.RecordID == "" {
			s.RecordID = "row-" + strconv.Itoa(row)
		}
		s.City, s.Country = splitEntraLocation(c.text(EntraColLocation, get(rec, EntraColLocation), false))
		status := strings.ToLower(c.text(EntraColStatus, get(rec, EntraColStatus), false))
		code := c.text(EntraColErrorCode, get(rec, EntraColErrorCode), false)
		switch {
		case status == "success":
			s.Success = true
		case status != "":
			// "Failure", "Interrupted": not a completed sign-in.
		case code == "0":
			s.Success = true
		case code == "":
			c.fail(EntraColStatus, "missing, and no %q either", EntraColErrorCode)
		}
		if c.err != nil {
			res.Errors = append(res.Errors, c.err)
			continue
		}
		res.SignIns = append(res.SignIns, s)
	}
	return res, nil
}

// splitEntraLocation splits the portal's "City, State, CC" into city and
// country: the first and the last part.
func splitEntraLocation(loc string) (city, country string) {
	parts := strings.Split(loc, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	switch len(parts) {
	case 0:
		return "", ""
	case 1:
		return "", parts[0]
	default:
		return parts[0], parts[len(parts)-1]
	}
}

// blank reports whether every field of rec is empty.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
