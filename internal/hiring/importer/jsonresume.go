package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// ReadJSONResume reads JSON Resume documents (https://jsonresume.org/schema):
// one document, an array of documents, or JSON Lines (one document per
// line). lagwatch's own fields (id, application_ip, user_agent, applied_at,
// shipping_address, claimed_location, photo_hashes, position) are read from a
// top-level "x-lagwatch" object, or from "meta"; "x-lagwatch" wins where both
// give a field.
//
// A document that cannot be used becomes one entry in Result.Errors, with the
// 1-based array index (or, for JSON Lines, the line number) as its record
// number; a line of JSON Lines that is not valid JSON is such an entry too.
// ReadJSONResume returns an error, and no applicants, only when the input as
// a whole is unusable: it is empty or not JSON, an array has a syntax error
// (after which no element can be found reliably), or it is over a limit
// ([LimitError]).
func ReadJSONResume(r io.Reader, source string, opts Options) (Result, error) {
	res, err := newRun(opts).readJSON(r, source)
	if err != nil {
		return Result{}, fmt.Errorf("import %s: %w", source, err)
	}
	return res, nil
}

func (run *run) readJSON(r io.Reader, source string) (Result, error) {
	in := run.newInput(source)
	data, err := io.ReadAll(newLimitReader(r, run.opts.MaxFileBytes, source))
	if err != nil {
		return Result{}, err
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return Result{}, errors.New("no JSON: the input is empty")
	case trimmed[0] == '[':
		if err := in.jsonArray(trimmed); err != nil {
			return Result{}, err
		}
	case json.Valid(trimmed):
		if trimmed[0] != '{' {
			return Result{}, fmt.Errorf("want a JSON Resume object, an array of them or JSON Lines, got a JSON %s", jsonKind(trimmed))
		}
		if err := in.count(); err != nil {
			return Result{}, err
		}
		in.jsonRecord(trimmed, 1, in.label, 0)
	default:
		if err := in.jsonLines(data); err != nil {
			return Result{}, err
		}
	}
	return in.commit(), nil
}

// jsonArray reads an array of documents, one record per element.
func (in *input) jsonArray(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // "["
		return syntaxAt(data, err)
	}
	for i := 1; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("array element %d: %w", i, syntaxAt(data, err))
		}
		if err := in.count(); err != nil {
			return err
		}
		in.jsonRecord(raw, i, in.label+" record "+itoa(i), i)
	}
	if _, err := dec.Token(); err != nil { // "]"
		return syntaxAt(data, err)
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return fmt.Errorf("text after the closing ] at byte %d", dec.InputOffset())
	}
	return nil
}

// jsonLines reads one document per non-blank line. When the first such line
// is not JSON, the input is taken for broken JSON, not JSON Lines.
func (in *input) jsonLines(data []byte) error {
	lineNo, docs := 0, 0
	for line := range bytes.SplitSeq(data, []byte{'\n'}) {
		lineNo++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var raw json.RawMessage
		err := json.Unmarshal(line, &raw)
		if err != nil && docs == 0 {
			return syntaxAt(data, json.Unmarshal(data, &raw))
		}
		docs++
		if err := in.count(); err != nil {
			return err
		}
		if err != nil {
			in.reject(lineNo, fmt.Errorf("invalid JSON: %w", err))
			continue
		}
		in.jsonRecord(line, lineNo, in.label+" line "+itoa(lineNo), lineNo)
	}
	return nil
}

// syntaxAt adds the line number to a JSON syntax error.
func syntaxAt(data []byte, err error) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok && se.Offset <= int64(len(data)) {
		line := 1 + bytes.Count(data[:se.Offset], []byte{'\n'})
		return fmt.Errorf("invalid JSON at line %d (byte %d): %w", line, se.Offset, err)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: unexpected end of input")
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func jsonKind(v []byte) string {
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// resumeDoc is the part of a JSON Resume document that lagwatch reads.
type resumeDoc struct {
	Basics struct {
		Name     flexString `json:"name"`
		Email    flexString `json:"email"`
		Phone    flexString `json:"phone"`
		URL      flexString `json:"url"`
		Location location   `json:"location"`
		Profiles []struct {
			Network  flexString `json:"network"`
			URL      flexString `json:"url"`
			Username flexString `json:"username"`
		} `json:"profiles"`
	} `json:"basics"`
	Work []struct {
		Name      flexString `json:"name"`
		Company   flexString `json:"company"` // schema before 1.0
		Position  flexString `json:"position"`
		URL       flexString `json:"url"`
		Website   flexString `json:"website"` // schema before 1.0
		StartDate flexString `json:"startDate"`
		EndDate   flexString `json:"endDate"`
		Location  flexString `json:"location"`
	} `json:"work"`
	Education []struct {
		Institution flexString `json:"institution"`
		Area        flexString `json:"area"`
		StudyType   flexString `json:"studyType"`
		StartDate   flexString `json:"startDate"`
		EndDate     flexString `json:"endDate"`
		URL         flexString `json:"url"`
	} `json:"education"`
	Meta      *extension `json:"meta"`
	XLagwatch *extension `json:"x-lagwatch"`
}

// extension is lagwatch's own fields in a JSON Resume document.
type extension struct {
	ID              flexString `json:"id"`
	ApplicationIP   flexString `json:"application_ip"`
	UserAgent       flexString `json:"user_agent"`
	AppliedAt       flexString `json:"applied_at"`
	ShippingAddress flexString `json:"shipping_address"`
	ClaimedLocation flexString `json:"claimed_location"`
	PhotoHashes     stringList `json:"photo_hashes"`
	Position        flexString `json:"position"`
}

// merge returns x's fields where set, else m's.
func merge(m, x *extension) extension {
	var e extension
	if m != nil {
		e = *m
	}
	if x == nil {
		return e
	}
	pick := func(dst *flexString, v flexString) {
		if strings.TrimSpace(string(v)) != "" {
			*dst = v
		}
	}
	pick(&e.ID, x.ID)
	pick(&e.ApplicationIP, x.ApplicationIP)
	pick(&e.UserAgent, x.UserAgent)
	pick(&e.AppliedAt, x.AppliedAt)
	pick(&e.ShippingAddress, x.ShippingAddress)
	pick(&e.ClaimedLocation, x.ClaimedLocation)
	pick(&e.Position, x.Position)
	if len(x.PhotoHashes) > 0 {
		e.PhotoHashes = x.PhotoHashes
	}
	return e
}

// flexString is a JSON string that may also be written as a number or a
// boolean (IDs and postal codes often are); null is empty.
type flexString string

var stringType = reflect.TypeFor[string]()

// UnmarshalJSON takes a string, a number, a boolean or null.
func (s *flexString) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case 'n':
		*s = ""
	case '{', '[':
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: stringType}
	default:
		*s = flexString(b)
	}
	return nil
}

func (s flexString) trim() string { return strings.TrimSpace(string(s)) }

// stringList is an array of strings, or one string.
type stringList []string

var stringsType = reflect.TypeFor[[]string]()

// UnmarshalJSON takes an array of strings, one string or null.
func (l *stringList) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*l = stringList{v}
	case '[':
		var vs []flexString
		if err := json.Unmarshal(b, &vs); err != nil {
			return &json.UnmarshalTypeError{Value: "array", Type: stringsType}
		}
		*l = make(stringList, len(vs))
		for i, v := range vs {
			(*l)[i] = string(v)
		}
	case 'n':
		*l = nil
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: stringsType}
	}
	return nil
}

// location is JSON Resume's basics.location, or a plain string naming the
// place.
type location struct {
	Address     flexString `json:"address"`
	PostalCode  flexString `json:"postalCode"`
	City        flexString `json:"city"`
	Region      flexString `json:"region"`
	CountryCode flexString `json:"countryCode"`
}

// UnmarshalJSON takes a location object, a string or null.
func (l *location) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*l = location{City: flexString(v)}
		return nil
	case 'n':
		*l = location{}
		return nil
	case '{':
		type plain location
		return json.Unmarshal(b, (*plain)(l))
	}
	return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[location]()}
}

// profileURL builds a profile link from a network and user name for the
// networks whose URLs are predictable.
func profileURL(network, user string) string {
	if user == "" || strings.ContainsFunc(user, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return ""
	}
	switch strings.ToLower(network) {
	case "github":
		return "https://github.com/" + user
	case "gitlab":
		return "https://gitlab.com/" + user
	case "linkedin":
		return "https://www.linkedin.com/in/" + user
	case "twitter", "x":
		return "https://x.com/" + user
	}
	return ""
}

// jsonRecord converts one JSON Resume document.
func (in *input) jsonRecord(raw []byte, rec int, where string, idRec int) {
	var b builder
	if !utf8.Valid(raw) {
		in.reject(rec, errors.New("document is not valid UTF-8"))
		return
	}
	if raw[0] != '{' {
		in.reject(rec, fmt.Errorf("want a JSON Resume object, got a JSON %s", jsonKind(raw)))
		return
	}
	var d resumeDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		in.reject(rec, fieldErrors{jsonFieldError(err)})
		return
	}
	x := merge(d.Meta, d.XLagwatch)
	a := &b.a
	a.ID = x.ID.trim()
	a.Name = d.Basics.Name.trim()
	b.addEmails(d.Basics.Email.trim())
	b.addPhones(d.Basics.Phone.trim())
	b.addLinks(d.Basics.URL.trim())
	for _, p := range d.Basics.Profiles {
		u := p.URL.trim()
		if u == "" {
			u = profileURL(p.Network.trim(), p.Username.trim())
		}
		b.addLinks(u)
	}
	a.Position = x.Position.trim()
	loc := d.Basics.Location
	a.ClaimedLocation = x.ClaimedLocation.trim()
	if a.ClaimedLocation == "" {
		a.ClaimedLocation = joinNonEmpty(", ", loc.City.trim(), loc.Region.trim(), loc.CountryCode.trim())
	}
	a.ShippingAddress = x.ShippingAddress.trim()
	if a.ShippingAddress == "" && loc.Address.trim() != "" {
		a.ShippingAddress = joinNonEmpty(", ", strings.Join(strings.Fields(loc.Address.trim()), " "), loc.City.trim(),
			joinNonEmpty(" ", loc.Region.trim(), loc.PostalCode.trim()), loc.CountryCode.trim())
	}
	b.setIP(x.ApplicationIP.trim())
	a.UserAgent = x.UserAgent.trim()
	b.setAppliedAt(x.AppliedAt.trim())
	for _, e := range d.Education {
		parts := [numParts]string{e.Institution.trim(), e.StudyType.trim(), e.Area.trim(), e.StartDate.trim(), e.EndDate.trim(), ""}
		b.addEntry(false, &parts)
	}
	for _, w := range d.Work {
		name, site := w.Name.trim(), w.URL.trim()
		if name == "" {
			name = w.Company.trim()
		}
		if site == "" {
			site = w.Website.trim()
		}
		parts := [numParts]string{name, w.Position.trim(), w.StartDate.trim(), w.EndDate.trim(), w.Location.trim(), site}
		n := len(a.Employment)
		b.addEntry(true, &parts)
		// JSON Resume leaves endDate out for a job still held.
		if len(a.Employment) > n && parts[3] == "" && parts[2] != "" {
			a.Employment[n].Current = true
		}
	}
	for _, h := range x.PhotoHashes {
		b.addPhotoHashes(h)
	}
	in.accept(&b, rec, where, idRec, false)
}

// jsonFieldError names the field of a JSON type error.
func jsonFieldError(err error) error {
	if ute, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := ute.Field
		if field == "" {
			field = "document"
		}
		want := "a string"
		switch ute.Type.Kind() {
		case reflect.Slice:
			want = "an array"
			if ute.Type == stringsType {
				want = "a string or an array of strings"
			}
		case reflect.Struct, reflect.Pointer:
			want = "an object"
		}
		return fieldErr(field, "want %s, got a JSON %s", want, ute.Value)
	}
	return err
}
