package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// Field names a piece of applicant data that CSV columns can fill. Most are
// the JSON field names of [hiring.Applicant]; the rest are parts that are
// joined into one applicant field (first_name and last_name into name) or
// one part of a numbered education or employment entry
// ("education.institution").
type Field string

// The fields a [Mapping] can map, in the order [Fields] lists them.
const (
	FieldID              Field = "id"
	FieldName            Field = "name"
	FieldFirstName       Field = "first_name" // joined with last_name when name is empty
	FieldLastName        Field = "last_name"
	FieldEmails          Field = "emails" // every matching column; cells may hold a ";"/","-separated list
	FieldPhones          Field = "phones"
	FieldLinks           Field = "links"
	FieldPosition        Field = "position"
	FieldClaimedLocation Field = "claimed_location"
	FieldCity            Field = "city" // city, region, country: claimed location in parts
	FieldRegion          Field = "region"
	FieldCountry         Field = "country"
	FieldShippingAddress Field = "shipping_address"
	FieldAddressLine1    Field = "address_line1" // address_*: shipping address in parts
	FieldAddressLine2    Field = "address_line2"
	FieldAddressCity     Field = "address_city"
	FieldAddressRegion   Field = "address_region"
	FieldAddressPostal   Field = "address_postal_code"
	FieldAddressCountry  Field = "address_country"
	FieldApplicationIP   Field = "application_ip"
	FieldUserAgent       Field = "user_agent"
	FieldAppliedAt       Field = "applied_at"
	FieldEducation       Field = "education"  // one column: "institution|degree|area|start|end|country; …"
	FieldEmployment      Field = "employment" // one column: "employer|title|start|end|location|website; …"
	FieldResumeText      Field = "resume_text"
	FieldPhotoHashes     Field = "photo_hashes"

	FieldEduInstitution Field = "education.institution" // numbered columns: "School {n}"
	FieldEduDegree      Field = "education.degree"
	FieldEduArea        Field = "education.area"
	FieldEduStart       Field = "education.start"
	FieldEduEnd         Field = "education.end"
	FieldEduCountry     Field = "education.country"
	FieldEmpEmployer    Field = "employment.employer"
	FieldEmpTitle       Field = "employment.title"
	FieldEmpStart       Field = "employment.start"
	FieldEmpEnd         Field = "employment.end"
	FieldEmpLocation    Field = "employment.location"
	FieldEmpWebsite     Field = "employment.website"
)

// fieldKind says how a field's columns become applicant data.
type fieldKind uint8

const (
	kindText    fieldKind = iota // one value: the first non-empty matching column
	kindList                     // every matching column, each cell split into items
	kindHistory                  // one column of ";"-separated entries of "|"-separated parts
	kindPart                     // one part of a numbered education or employment entry
)

// numParts is the number of parts of an education or employment entry. For
// education they are institution, degree, area, start, end, country; for
// employment employer, title, start, end, location, website: the order the
// combined column writes them in.
const numParts = 6

type fieldInfo struct {
	f    Field
	kind fieldKind
	emp  bool // for kindPart and kindHistory: employment, not education
	part int  // for kindPart: index into the entry's parts
}

// fieldTable lists every field in its canonical order. The index of a field
// in this table is its index in a plan.
var fieldTable = [...]fieldInfo{
	{f: FieldID},
	{f: FieldName},
	{f: FieldFirstName},
	{f: FieldLastName},
	{f: FieldEmails, kind: kindList},
	{f: FieldPhones, kind: kindList},
	{f: FieldLinks, kind: kindList},
	{f: FieldPosition},
	{f: FieldClaimedLocation},
	{f: FieldCity},
	{f: FieldRegion},
	{f: FieldCountry},
	{f: FieldShippingAddress},
	{f: FieldAddressLine1},
	{f: FieldAddressLine2},
	{f: FieldAddressCity},
	{f: FieldAddressRegion},
	{f: FieldAddressPostal},
	{f: FieldAddressCountry},
	{f: FieldApplicationIP},
	{f: FieldUserAgent},
	{f: FieldAppliedAt},
	{f: FieldEducation, kind: kindHistory},
	{f: FieldEmployment, kind: kindHistory, emp: true},
	{f: FieldResumeText},
	{f: FieldPhotoHashes, kind: kindList},
	{f: FieldEduInstitution, kind: kindPart, part: 0},
	{f: FieldEduDegree, kind: kindPart, part: 1},
	{f: FieldEduArea, kind: kindPart, part: 2},
	{f: FieldEduStart, kind: kindPart, part: 3},
	{f: FieldEduEnd, kind: kindPart, part: 4},
	{f: FieldEduCountry, kind: kindPart, part: 5},
	{f: FieldEmpEmployer, kind: kindPart, emp: true, part: 0},
	{f: FieldEmpTitle, kind: kindPart, emp: true, part: 1},
	{f: FieldEmpStart, kind: kindPart, emp: true, part: 2},
	{f: FieldEmpEnd, kind: kindPart, emp: true, part: 3},
	{f: FieldEmpLocation, kind: kindPart, emp: true, part: 4},
	{f: FieldEmpWebsite, kind: kindPart, emp: true, part: 5},
}

// Indexes into fieldTable used by the record builder.
const (
	fxID = iota
	fxName
	fxFirstName
	fxLastName
	fxEmails
	fxPhones
	fxLinks
	fxPosition
	fxClaimedLocation
	fxCity
	fxRegion
	fxCountry
	fxShippingAddress
	fxAddressLine1
	fxAddressLine2
	fxAddressCity
	fxAddressRegion
	fxAddressPostal
	fxAddressCountry
	fxApplicationIP
	fxUserAgent
	fxAppliedAt
	fxEducation
	fxEmployment
	fxResumeText
	fxPhotoHashes
	fxEduInstitution                               // first of the numParts education.* fields
	fxEmpEmployer    = fxEduInstitution + numParts // first of the employment.* fields
	numFields        = len(fieldTable)
)

// identifying lists the fields of which a mapping must map at least one and a
// record must fill at least one: without them nothing tells a reviewer who
// applied.
var identifying = []Field{FieldID, FieldName, FieldFirstName, FieldLastName, FieldEmails}

func fieldIndex(f Field) int {
	for i, fi := range fieldTable {
		if fi.f == f {
			return i
		}
	}
	return -1
}

// Fields returns every field a [Mapping] can map, in canonical order.
func Fields() []Field {
	out := make([]Field, len(fieldTable))
	for i, fi := range fieldTable {
		out[i] = fi.f
	}
	return out
}

// Mapping says which CSV columns fill which lagwatch field. Columns maps a
// field to the header names that may carry it, in order of preference.
// Headers match ignoring case, white space, "_" and "-", so "First Name",
// "first_name" and "FIRSTNAME" are the same header.
//
// A header containing "{n}" matches numbered columns: for emails, phones,
// links and photo_hashes every numbered column adds items ("Email {n}"
// matches "Email 1", "Email 2"); for the education.* and employment.* fields
// the number says which entry the column belongs to ("School {n}" and
// "Degree {n}" fill entry n). An education.* or employment.* header without
// "{n}" fills entry 1.
type Mapping struct {
	// Name is the built-in layout's name, or "" for a mapping read by
	// [ParseMapping].
	Name    string
	Columns map[Field][]string
}

// Mapping file limits.
const (
	maxMappingBytes = 64 << 10
	maxAliases      = 64
	maxAliasLen     = 256
	maxEntryNumber  = 999 // largest n a "{n}" header matches
)

// builtin holds the built-in layouts. Each is written as a mapping file so
// that the layouts and [ParseMapping] share one parser.
var builtin = map[string]string{
	"generic": `
id = id
name = name
first_name = first_name
last_name = last_name
emails = emails, email, email_{n}
phones = phones, phone, phone_{n}
links = links, link, link_{n}
position = position
claimed_location = claimed_location
city = city
region = region
country = country
shipping_address = shipping_address
address_line1 = address_line1
address_line2 = address_line2
address_city = address_city
address_region = address_region
address_postal_code = address_postal_code
address_country = address_country
application_ip = application_ip
user_agent = user_agent
applied_at = applied_at
education = education
employment = employment
resume_text = resume_text
photo_hashes = photo_hashes, photo_hash
education.institution = education_{n}_institution
education.degree = education_{n}_degree
education.area = education_{n}_area
education.start = education_{n}_start
education.end = education_{n}_end
education.country = education_{n}_country
employment.employer = employment_{n}_employer
employment.title = employment_{n}_title
employment.start = employment_{n}_start
employment.end = employment_{n}_end
employment.location = employment_{n}_location
employment.website = employment_{n}_website
`,
	"greenhouse": `
id = Candidate ID, Application ID
name = Candidate Name, Full Name, Name
first_name = First Name
last_name = Last Name
emails = Email, Email Address, Emails, Personal Email, Other Email
phones = Phone, Phone Number, Phones, Mobile Phone
links = Website, Websites, Social Media, LinkedIn, LinkedIn URL
position = Job, Job Name, Job Post
claimed_location = Location, Candidate Location
shipping_address = Address, Home Address
application_ip = Application IP, IP Address
user_agent = User Agent
applied_at = Applied On, Applied At, Application Date, Date Applied
education.institution = School, School Name, School {n}
education.degree = Degree, Degree {n}
education.area = Discipline, Discipline {n}
education.start = School Start Date, Education Start Date
education.end = School End Date, Graduation Date, Education End Date
employment.employer = Company, Current Company
employment.title = Title, Current Title
`,
	"lever": `
id = Opportunity ID, Contact ID, Candidate ID
name = Name, Candidate Name, Full Name
emails = Email, Emails, Email Address
phones = Phone, Phones, Phone Number
links = Links, LinkedIn, Website, Profile URL
position = Posting Title, Posting, Job Title
claimed_location = Location, Current Location
shipping_address = Address, Mailing Address
application_ip = Application IP, IP Address
user_agent = User Agent
applied_at = Applied On, Applied At, Application Date
education.institution = School
employment.employer = Current Company, Company
employment.title = Current Title, Title
`,
	"workday": `
id = Candidate ID, Applicant ID, Job Application ID
name = Candidate Name, Candidate, Legal Name, Full Name
first_name = Legal Name - First Name, First Name, Given Name
last_name = Legal Name - Last Name, Last Name, Family Name
emails = Email Address, Email, Primary Email Address, Home Email
phones = Phone Number, Phone, Primary Phone, Mobile Phone, Home Phone
links = Website, Websites, LinkedIn Profile, Social Network URLs
position = Job Requisition, Job Posting Title, Job Posting, Job Profile
claimed_location = Candidate Location, Location
address_line1 = Address Line 1, Address - Line 1, Street Address
address_line2 = Address Line 2, Address - Line 2
address_city = City, Municipality
address_region = State, Region, State/Province, Province
address_postal_code = Postal Code, ZIP Code, Zip
address_country = Country, Country/Region
application_ip = Application IP, IP Address
user_agent = User Agent
applied_at = Date Applied, Application Date, Job Application Date, Applied Date, Candidate Applied Date
education.institution = School, School Name, School {n}, Education {n} School
education.degree = Degree, Degree {n}, Education {n} Degree
education.area = Field of Study, Field of Study {n}, Education {n} Field of Study
education.start = Education {n} First Year Attended
education.end = Education {n} Last Year Attended
employment.employer = Most Recent Employer, Company, Job History {n} Company
employment.title = Most Recent Job Title, Job Title, Job History {n} Job Title
employment.start = Job History {n} Start Date
employment.end = Job History {n} End Date
employment.location = Job History {n} Location
`,
}

// layoutOrder is the order of [Layouts]; [DetectLayout] breaks ties in it.
var layoutOrder = []string{"generic", "greenhouse", "lever", "workday"}

// Layouts returns the names of the built-in layouts.
func Layouts() []string { return slices.Clone(layoutOrder) }

// LayoutByName returns the built-in layout with the given name (case
// insensitive). The caller may change the returned mapping.
func LayoutByName(name string) (Mapping, error) {
	name = strings.TrimSpace(name)
	l, ok := builtinLayouts()[strings.ToLower(name)]
	if !ok {
		return Mapping{}, fmt.Errorf("layout %q: unknown; built-in layouts are %s", clip(name, 40), strings.Join(layoutOrder, ", "))
	}
	cols := make(map[Field][]string, len(l.Columns))
	for f, as := range l.Columns {
		cols[f] = slices.Clone(as)
	}
	return Mapping{Name: l.Name, Columns: cols}, nil
}

var (
	layoutsOnce sync.Once
	layouts     map[string]Mapping // never changed once built
)

// builtinLayouts parses the built-in layouts once.
func builtinLayouts() map[string]Mapping {
	layoutsOnce.Do(func() {
		layouts = make(map[string]Mapping, len(builtin))
		for name, text := range builtin {
			m, err := parseMapping(strings.NewReader(text), false)
			if err != nil {
				panic(fmt.Sprintf("importer: built-in layout %s: %v", name, err)) // programmer bug, caught by tests
			}
			m.Name = name
			layouts[name] = m
		}
	})
	return layouts
}

// ParseMapping reads a mapping file: one `field = Header A, Header B` line
// per field, where field is one of [Fields] and the headers are the column
// names that carry it, in order of preference. Blank lines and lines starting
// with "#" are skipped. A header containing a comma, a double quote or
// leading or trailing spaces is written in double quotes, with "" for a
// quote. An optional first line `extends = LAYOUT` starts from a built-in
// layout; each field given then replaces that layout's headers for the
// field, and `field =` with nothing after it removes the field. The mapping
// must map at least one of id, name, first_name, last_name or emails.
func ParseMapping(r io.Reader) (Mapping, error) {
	return parseMapping(r, true)
}

func parseMapping(r io.Reader, allowExtends bool) (Mapping, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMappingBytes+1))
	if err != nil {
		return Mapping{}, fmt.Errorf("read mapping: %w", err)
	}
	if len(data) > maxMappingBytes {
		return Mapping{}, fmt.Errorf("read mapping: larger than the limit of %d bytes", maxMappingBytes)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		return Mapping{}, errors.New("read mapping: not valid UTF-8")
	}
	m := Mapping{Columns: map[Field][]string{}}
	seen := map[Field]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxMappingBytes+1)
	lineNo, fieldLines := 0, 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return Mapping{}, fmt.Errorf("mapping line %d: want `field = Header A, Header B`, got %q", lineNo, clip(line, 60))
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if key == "extends" {
			if !allowExtends || fieldLines > 0 || len(m.Columns) > 0 {
				return Mapping{}, fmt.Errorf("mapping line %d: extends must come before every field", lineNo)
			}
			base, err := LayoutByName(value)
			if err != nil {
				return Mapping{}, fmt.Errorf("mapping line %d: %w", lineNo, err)
			}
			m.Columns = base.Columns
			fieldLines++
			continue
		}
		fieldLines++
		f := Field(key)
		fx := fieldIndex(f)
		if fx < 0 {
			return Mapping{}, fmt.Errorf("mapping line %d: unknown field %q; fields are %s", lineNo, clip(key, 40), fieldList())
		}
		if prev, dup := seen[f]; dup {
			return Mapping{}, fmt.Errorf("mapping line %d: field %s already given on line %d", lineNo, f, prev)
		}
		seen[f] = lineNo
		aliases, err := splitAliases(value)
		if err != nil {
			return Mapping{}, fmt.Errorf("mapping line %d: %s: %w", lineNo, f, err)
		}
		if len(aliases) > maxAliases {
			return Mapping{}, fmt.Errorf("mapping line %d: %s: %d headers, more than the limit of %d", lineNo, f, len(aliases), maxAliases)
		}
		for _, a := range aliases {
			if err := checkAlias(fieldTable[fx], a); err != nil {
				return Mapping{}, fmt.Errorf("mapping line %d: %s: %w", lineNo, f, err)
			}
		}
		if len(aliases) == 0 {
			delete(m.Columns, f)
			continue
		}
		m.Columns[f] = aliases
	}
	if err := sc.Err(); err != nil {
		return Mapping{}, fmt.Errorf("read mapping: %w", err)
	}
	if !m.identifies() {
		return Mapping{}, fmt.Errorf("mapping maps none of %s: nothing would identify an applicant", fieldNames(identifying))
	}
	return m, nil
}

// identifies reports whether m maps at least one identifying field.
func (m Mapping) identifies() bool {
	for _, f := range identifying {
		if len(m.Columns[f]) > 0 {
			return true
		}
	}
	return false
}

// splitAliases splits a comma-separated list of header names, honouring
// double quotes.
func splitAliases(s string) ([]string, error) {
	var out []string
	s = strings.TrimSpace(s)
	for s != "" {
		var a string
		if s[0] == '"' {
			var b strings.Builder
			i := 1
			closed := false
			for i < len(s) {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					closed = true
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, errors.New("unterminated quoted header")
			}
			a = b.String()
			s = strings.TrimSpace(s[i:])
			if s != "" && s[0] != ',' {
				return nil, fmt.Errorf("text %q after quoted header", clip(s, 20))
			}
		} else {
			i := strings.IndexByte(s, ',')
			if i < 0 {
				i = len(s)
			}
			a = strings.TrimSpace(s[:i])
			if strings.Contains(a, `"`) {
				return nil, fmt.Errorf("header %q: quote inside an unquoted header (quote the whole header)", clip(a, 40))
			}
			s = s[i:]
		}
		out = append(out, a)
		if s != "" { // at a comma
			s = strings.TrimSpace(s[1:])
			if s == "" {
				return nil, errors.New("empty header after the last comma")
			}
		}
	}
	return out, nil
}

// checkAlias checks one header name of field fi.
func checkAlias(fi fieldInfo, a string) error {
	if len(a) > maxAliasLen {
		return fmt.Errorf("header %q: %d bytes, longer than the limit of %d", clip(a, 40), len(a), maxAliasLen)
	}
	if strings.IndexFunc(a, unicode.IsControl) >= 0 {
		return fmt.Errorf("header %q: contains a control character", clip(a, 40))
	}
	if normHeader(a) == "" {
		return fmt.Errorf("header %q: empty once case, spaces, \"_\" and \"-\" are ignored", clip(a, 40))
	}
	switch c := strings.Count(a, "{n}"); {
	case c == 0:
	case c > 1:
		return fmt.Errorf("header %q: more than one {n}", clip(a, 40))
	case fi.kind != kindList && fi.kind != kindPart:
		return fmt.Errorf("header %q: {n} is only for emails, phones, links, photo_hashes, education.* and employment.*", clip(a, 40))
	case normHeader(strings.Replace(a, "{n}", "", 1)) == "":
		return fmt.Errorf("header %q: {n} needs text around it", clip(a, 40))
	}
	return nil
}

// MarshalText writes m in the mapping file format that [ParseMapping] reads,
// one line per mapped field in the order of [Fields].
func (m Mapping) MarshalText() ([]byte, error) {
	var b bytes.Buffer
	if m.Name != "" {
		fmt.Fprintf(&b, "# layout %s\n", m.Name)
	}
	for _, fi := range fieldTable {
		aliases := m.Columns[fi.f]
		if len(aliases) == 0 {
			continue
		}
		b.WriteString(string(fi.f))
		b.WriteString(" = ")
		for i, a := range aliases {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteAlias(a))
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

func quoteAlias(a string) string {
	if a == "" || strings.ContainsAny(a, `,"`) || strings.TrimSpace(a) != a {
		return `"` + strings.ReplaceAll(a, `"`, `""`) + `"`
	}
	return a
}

// normHeader folds a header for matching: lower case, without white space,
// "_" and "-".
func normHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '_' || r == '-' || r == '\uFEFF':
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteRune(r)
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// A plan is a mapping resolved against one header: which columns fill which
// field.
type plan struct {
	header []string
	cols   [numFields][]int // kindText, kindList, kindHistory: matching columns
	edu    []entryCols      // numbered education columns, by entry number
	emp    []entryCols
	found  int // header columns that some field uses
}

type entryCols struct {
	n    int
	part [numParts]int // column of each part, -1 when absent
}

// resolve matches the mapping's headers against a CSV header.
func (m Mapping) resolve(header []string) *plan {
	p := &plan{header: header}
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normHeader(h)
	}
	used := make([]bool, len(header))
	for fx, fi := range fieldTable {
		for _, alias := range m.Columns[fi.f] {
			a := normHeader(alias)
			pre, suf, numbered := strings.Cut(alias, "{n}")
			pre, suf = normHeader(pre), normHeader(suf)
			for col, h := range norm {
				n := 0
				switch {
				case h == "":
					continue
				case !numbered:
					if h != a {
						continue
					}
					n = 1
				default:
					var ok bool
					if n, ok = entryNumber(h, pre, suf); !ok {
						continue
					}
				}
				if fi.kind == kindPart {
					if p.setPart(fi, n, col) {
						used[col] = true
					}
					continue
				}
				if !slices.Contains(p.cols[fx], col) {
					p.cols[fx] = append(p.cols[fx], col)
				}
				used[col] = true
			}
		}
	}
	for _, u := range used {
		if u {
			p.found++
		}
	}
	slices.SortFunc(p.edu, func(a, b entryCols) int { return a.n - b.n })
	slices.SortFunc(p.emp, func(a, b entryCols) int { return a.n - b.n })
	return p
}

// entryNumber matches h against a "{n}" pattern split into pre and suf.
func entryNumber(h, pre, suf string) (int, bool) {
	if len(h) <= len(pre)+len(suf) || !strings.HasPrefix(h, pre) || !strings.HasSuffix(h, suf) {
		return 0, false
	}
	digits := h[len(pre) : len(h)-len(suf)]
	if len(digits) > 3 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, _ := strconv.Atoi(digits)
	if n < 1 || n > maxEntryNumber {
		return 0, false
	}
	return n, true
}

// setPart records col as part fi.part of entry n; the first column found for
// a part wins. It reports whether the column was taken.
func (p *plan) setPart(fi fieldInfo, n, col int) bool {
	list := &p.edu
	if fi.emp {
		list = &p.emp
	}
	i := slices.IndexFunc(*list, func(e entryCols) bool { return e.n == n })
	if i < 0 {
		e := entryCols{n: n}
		for k := range e.part {
			e.part[k] = -1
		}
		*list = append(*list, e)
		i = len(*list) - 1
	}
	if (*list)[i].part[fi.part] >= 0 {
		return false
	}
	(*list)[i].part[fi.part] = col
	return true
}

// identifies reports whether the plan found a column for an identifying
// field.
func (p *plan) identifies() bool {
	return len(p.cols[fxID]) > 0 || len(p.cols[fxName]) > 0 || len(p.cols[fxFirstName]) > 0 ||
		len(p.cols[fxLastName]) > 0 || len(p.cols[fxEmails]) > 0
}

// DetectLayout picks the built-in layout that recognises the most columns of
// header, among those that find an id, name or e-mail column in it; ties go
// to the layout listed first by [Layouts]. ok is false when no layout finds
// an identifying column.
func DetectLayout(header []string) (name string, ok bool) {
	best := -1
	all := builtinLayouts()
	for _, l := range layoutOrder {
		p := all[l].resolve(header)
		if p.identifies() && p.found > best {
			name, best = l, p.found
		}
	}
	return name, best > 0
}

// missingMessage says which identifying headers m looks for, for an error
// about a header that has none of them.
func (m Mapping) missingMessage(header []string) string {
	var b strings.Builder
	b.WriteString("header has no column for id, name, first_name/last_name or emails")
	var want []string
	for _, f := range identifying {
		for _, a := range m.Columns[f] {
			want = append(want, strconv.Quote(a))
		}
	}
	if len(want) > 0 {
		if len(want) > 12 {
			want = append(want[:12], "…")
		}
		fmt.Fprintf(&b, " (looked for %s)", strings.Join(want, ", "))
	}
	b.WriteString("; header is ")
	b.WriteString(quoteHeader(header))
	return b.String()
}

func quoteHeader(header []string) string {
	var parts []string
	for i, h := range header {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("… (%d columns)", len(header)))
			break
		}
		parts = append(parts, strconv.Quote(clip(h, 40)))
	}
	if len(parts) == 0 {
		return "empty"
	}
	return strings.Join(parts, ", ")
}

func fieldList() string {
	return fieldNames(Fields())
}

func fieldNames(fs []Field) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// clip shortens s for an error message, keeping it valid UTF-8.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// fieldErr makes a field error for the record builder.
func fieldErr(field, format string, args ...any) *hiring.FieldError {
	return &hiring.FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}
