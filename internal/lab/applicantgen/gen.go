package applicantgen

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/link"
)

// Defaults and limits of [Config].
const (
	DefaultN           = 100_000
	DefaultRingShare   = 0.03
	DefaultMaxRingSize = 40
	MaxN               = 2_000_000
)

// Config describes one synthetic corpus and the linking run on it.
type Config struct {
	// N is the number of applicants, 100–MaxN. Default DefaultN.
	N int
	// Seed seeds the generator (PCG); the same Config gives the same
	// corpus. Default 1.
	Seed uint64
	// RingShare is the share of applicants that are ring personas,
	// 0–0.5. Default DefaultRingShare; negative means none.
	RingShare float64
	// MaxRingSize is the largest planted ring, 2–1000. Default
	// DefaultMaxRingSize.
	MaxRingSize int
	// Workers is the number of current workers whose equipment
	// addresses are indexed too. Default N/50; negative means none.
	Workers int
	// Link are the linking options Run uses.
	Link link.Options
}

func (c Config) withDefaults() (Config, error) {
	if c.N == 0 {
		c.N = DefaultN
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	switch {
	case c.RingShare == 0:
		c.RingShare = DefaultRingShare
	case c.RingShare < 0:
		c.RingShare = 0
	}
	if c.MaxRingSize == 0 {
		c.MaxRingSize = DefaultMaxRingSize
	}
	switch {
	case c.Workers == 0:
		c.Workers = c.N / 50
	case c.Workers < 0:
		c.Workers = 0
	}
	switch {
	case c.N < 100 || c.N > MaxN:
		return c, fmt.Errorf("n %d: want 100–%d applicants", c.N, MaxN)
	case math.IsNaN(c.RingShare) || c.RingShare > 0.5:
		return c, fmt.Errorf("ring share %v: want 0–0.5", c.RingShare)
	case c.MaxRingSize < 2 || c.MaxRingSize > 1000:
		return c, fmt.Errorf("max ring size %d: want 2–1000", c.MaxRingSize)
	case c.Workers > MaxN:
		return c, fmt.Errorf("workers %d: want at most %d", c.Workers, MaxN)
	}
	return c, nil
}

// Worker is a current worker and the address their equipment ships to.
type Worker struct {
	ID              string
	ShippingAddress string
}

// Corpus is a generated applicant pool with its ground truth.
type Corpus struct {
	// Config is the configuration used, defaults applied.
	Config Config
	// Applicants are in random order; IDs are "A" and seven digits.
	Applicants []hiring.Applicant
	// Workers are current workers; IDs are "W" and six digits.
	Workers []Worker
	// Ring holds, per applicant, the index into Rings of the planted ring
	// it belongs to, or -1 for an honest applicant.
	Ring []int
	// Rings lists each planted ring's members as indices into Applicants.
	Rings [][]int
	// Honest counts the honest coincidences planted.
	Honest HonestSharing
}

// HonestSharing counts the honest applicants planted with identifiers in
// common with other honest applicants.
type HonestSharing struct {
	// Households of two or three applicants at one address, and their
	// members.
	Households       int `json:"households"`
	HouseholdMembers int `json:"household_members"`
	// Apartment complexes (one street address, different units) and
	// their residents.
	Complexes        int `json:"complexes"`
	ComplexResidents int `json:"complex_residents"`
	// Addresses many unrelated people share (co-working spaces,
	// dormitories) and their users.
	SharedSites     int `json:"shared_sites"`
	SharedSiteUsers int `json:"shared_site_users"`
	// Recruiting agencies that give their own phone, and their candidates.
	Agencies         int `json:"agencies"`
	AgencyCandidates int `json:"agency_candidates"`
	// Applicants with a placeholder phone, e-mail, address or link.
	Placeholders int `json:"placeholders"`
	// Applicants whose photo is the default avatar.
	DefaultAvatars int `json:"default_avatars"`
	// Applicants applying through a consumer VPN exit.
	VPNUsers int `json:"vpn_users"`
	// Applicants living with a current worker.
	WorkerRelatives int `json:"worker_relatives"`
}

// Shares of honest applicants with each kind of honest coincidence, and
// the other rates the generator uses. docs/lab-rings.md explains them.
const (
	householdShare   = 0.003      // applicants in two- or three-person households of applicants
	complexPer       = 2_000      // one apartment complex per this many applicants
	sharedSitePer    = 20_000     // one co-working space or dormitory address per this many applicants
	agencyPer        = 15_000     // one recruiting agency per this many applicants
	workerRelShare   = 0.001      // applicants living with a current worker
	placeholderShare = 0.015      // per field: phone, e-mail, address, link
	vpnShare         = 0.06       // honest applicants applying through a consumer VPN
	photoShare       = 0.60       // honest applicants with a profile photo
	avatarShare      = 0.03       // of those, the default avatar
	resumeShare      = 0.92       // honest applicants with résumé text
	shortShare       = 0.06       // of those, only a two-line summary
	smallCoPer       = 4          // one small employer per this many applicants
	photoFlipP       = 0.25       // per-bit flip probability from a face archetype (distinct faces ~24 bits apart)
	numArchetypes    = 16         // face archetypes honest photo hashes cluster around
	numHonestVPN     = 60         // consumer VPN exit /24s
	numOperatorVPN   = 40         // VPN exit /24s operators use ...
	sharedOperatorIn = 10         // ... of which this many are also consumer exits
	appliedFrom      = 1704067200 // 2024-01-01 UTC
	appliedSpan      = 2 * 365 * 24 * 3600
)

var (
	residential8 = []byte{24, 67, 71, 73, 76, 98, 99, 108, 174}
	hosting8     = []byte{45, 89, 103, 146, 154, 185, 193, 195, 198, 209}
	userAgents   = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
	}
	defaultAvatars = []uint64{0xc3c3e7e7ffff8181, 0x00183c7e7e3c1800}
	emailDomains   = []string{
		"gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com",
		"yahoo.com", "yahoo.com", "outlook.com", "outlook.com", "hotmail.com", "hotmail.com", "icloud.com",
		"aol.com", "proton.me", "comcast.net", "att.net", "msn.com", "live.com",
	}
	operatorDomains   = []string{"gmail.com", "gmail.com", "gmail.com", "outlook.com", "proton.me", "hotmail.com"}
	placeholderPhones = []string{"000-000-0000", "n/a", "1234567890", "(555) 555-5555", "111-111-1111", "none"}
	placeholderEmails = []string{"none@none.com", "n/a", "test@test.com", "noemail@gmail.com", "na@example.com"}
	placeholderAddrs  = []string{"N/A", "TBD", "Remote", "same as above", "none", "123 Main Street"}
	placeholderLinks  = []string{"https://www.linkedin.com/in/", "N/A", "linkedin.com", "none"}
	tags              = []string{"jobs", "apply", "work", "dev", "hr", "1", "career", "it"}
)

// addr is a postal address before it is written down; write varies the
// formatting but never the place.
type addr struct {
	num        int
	dir        int // -1 for none
	street     string
	typ        int
	unit       string
	city       int
	zip, plus4 string
}

type phone struct{ area, exch, sub int }

type mailbox struct{ local, domain string }

// person is one applicant before rendering.
type person struct {
	first, last string
	home        int // city index
	address     *addr
	addrText    string // a placeholder written instead of an address
	phones      []phone
	phoneText   []string // placeholders or agency phones already written
	mail        []mailbox
	mailVar     []bool // write mail[i] as a variant of the registered form
	mailText    []string
	links       []string
	linkedin    string // a LinkedIn handle written with varied URL forms
	res         *resume
	resShort    bool
	employers   []string
	photo       uint64
	hasPhoto    bool
	ip          netip.Addr
	vpn         bool // ip is a consumer VPN exit
	placeholder bool // a placeholder was written in some field
}

type gen struct {
	cfg        Config
	rng        *rand.Rand
	phones     map[uint64]bool
	mailboxes  map[string]bool
	handles    map[string]bool
	smallCos   []string
	usedCos    map[string]bool
	archetypes [numArchetypes]uint64
	honestVPN  [][3]byte
	opVPN      [][3]byte
	last       hiring.YearMonth
}

// Generate builds a corpus. The same Config always gives the same corpus.
func Generate(cfg Config) (Corpus, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Corpus{}, err
	}
	g := &gen{
		cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6c61677761746368)),
		phones: map[uint64]bool{}, mailboxes: map[string]bool{}, handles: map[string]bool{}, usedCos: map[string]bool{},
		last: hiring.YearMonth{Year: 2025, Month: 6},
	}
	for i := range g.archetypes {
		g.archetypes[i] = g.rng.Uint64()
	}
	for range numHonestVPN {
		g.honestVPN = append(g.honestVPN, g.slash24(hosting8))
	}
	g.opVPN = append(g.opVPN, g.honestVPN[:sharedOperatorIn]...)
	for len(g.opVPN) < numOperatorVPN {
		g.opVPN = append(g.opVPN, g.slash24(hosting8))
	}
	for range max(50, cfg.N/smallCoPer) {
		g.smallCos = append(g.smallCos, g.companyName())
	}

	c := Corpus{Config: cfg}
	var people []person
	var truth []int
	var workers []Worker
	addWorker := func(address string) {
		workers = append(workers, Worker{ID: fmt.Sprintf("W%06d", len(workers)+1), ShippingAddress: address})
	}

	// Planted rings.
	personas := int(math.Round(float64(cfg.N) * cfg.RingShare))
	for left := personas; left >= 2; {
		size := min(g.ringSize(), left)
		if left-size == 1 { // no one-persona remainder
			switch {
			case size < cfg.MaxRingSize:
				size++
			case size > 2:
				size--
			}
		}
		ps, farm := g.ring(size)
		r := len(c.Rings)
		c.Rings = append(c.Rings, nil)
		for _, p := range ps {
			people = append(people, p)
			truth = append(truth, r)
		}
		if g.rng.Float64() < 0.2 {
			for range 1 + g.rng.IntN(2) {
				addWorker(g.writeAddr(farm))
			}
		}
		left -= size
	}

	// Honest applicants, coincidences first.
	honest := cfg.N - len(people)
	h := &c.Honest
	add := func(p person) bool {
		if len(people) >= cfg.N {
			return false
		}
		people = append(people, p)
		truth = append(truth, -1)
		return true
	}
	for range int(float64(honest) * householdShare / 2.2) {
		a := g.newAddr(g.rng.IntN(len(cities)), 0.3)
		last := pick(g.rng, lastNames)
		n := 2 + g.rng.IntN(5)/4 // one household in five has three applicants
		h.Households++
		for range n {
			p := g.honestPerson()
			p.address, p.home = a, a.city
			if g.rng.IntN(10) < 6 {
				p.last = last
			}
			if add(p) {
				h.HouseholdMembers++
			}
		}
	}
	for range honest / complexPer {
		base := g.newAddr(g.rng.IntN(len(cities)), 0)
		h.Complexes++
		units := map[string]bool{}
		for range 5 + g.rng.IntN(36) {
			a := *base
			for a.unit == "" || units[a.unit] {
				a.unit = fmt.Sprintf("%d%s", 1+g.rng.IntN(30), string(rune('A'+g.rng.IntN(6))))
			}
			units[a.unit] = true
			p := g.honestPerson()
			p.address, p.home = &a, a.city
			if add(p) {
				h.ComplexResidents++
			}
		}
	}
	for range honest / sharedSitePer {
		a := g.newAddr(g.rng.IntN(len(cities)), 0)
		h.SharedSites++
		for range 15 + g.rng.IntN(106) {
			p := g.honestPerson()
			p.address, p.home = a, a.city
			if add(p) {
				h.SharedSiteUsers++
			}
		}
	}
	for range max(1, honest/agencyPer) {
		ph := g.newPhone(g.rng.IntN(len(cities)))
		h.Agencies++
		for range 15 + g.rng.IntN(86) {
			p := g.honestPerson()
			p.phones, p.phoneText = nil, []string{g.writePhone(ph)}
			if add(p) {
				h.AgencyCandidates++
			}
		}
	}
	for range int(float64(honest) * workerRelShare) {
		p := g.honestPerson()
		if p.address == nil {
			continue
		}
		if add(p) {
			h.WorkerRelatives++
			addWorker(g.writeAddr(p.address))
		}
	}
	for len(people) < cfg.N {
		add(g.honestPerson())
	}
	for len(workers) < cfg.Workers {
		addWorker(g.writeAddr(g.newAddr(g.rng.IntN(len(cities)), 0.3)))
	}

	// Render in random order.
	order := g.rng.Perm(len(people))
	c.Applicants = make([]hiring.Applicant, len(people))
	c.Ring = make([]int, len(people))
	for i, src := range order {
		p := &people[src]
		c.Applicants[i] = g.render(p, fmt.Sprintf("A%07d", i+1))
		c.Ring[i] = truth[src]
		if truth[src] >= 0 {
			c.Rings[truth[src]] = append(c.Rings[truth[src]], i)
		} else {
			h.count(p)
		}
	}
	c.Workers = workers
	return c, nil
}

func (h *HonestSharing) count(p *person) {
	if p.hasPhoto && (p.photo == defaultAvatars[0] || p.photo == defaultAvatars[1]) {
		h.DefaultAvatars++
	}
	if p.placeholder {
		h.Placeholders++
	}
	if p.vpn {
		h.VPNUsers++
	}
}

// ringSize draws a planted ring's size: half small (2–5), three in ten
// medium (6–15), the rest large (16–MaxRingSize).
func (g *gen) ringSize() int {
	m := g.cfg.MaxRingSize
	u := g.rng.Float64()
	switch {
	case u < 0.5 || m <= 5:
		return 2 + g.rng.IntN(min(m, 5)-1)
	case u < 0.8 || m <= 15:
		return 6 + g.rng.IntN(min(m, 15)-5)
	}
	return 16 + g.rng.IntN(m-15)
}

func (g *gen) slash24(firsts []byte) [3]byte {
	return [3]byte{pick(g.rng, firsts), byte(g.rng.IntN(256)), byte(g.rng.IntN(256))}
}

func (g *gen) hostIn(p [3]byte) netip.Addr {
	return netip.AddrFrom4([4]byte{p[0], p[1], p[2], byte(1 + g.rng.IntN(254))})
}

func (g *gen) companyName() string {
	for {
		name := pick(g.rng, coPrefix) + pick(g.rng, coSuffix) + " " + pick(g.rng, coIndustry)
		if f := pick(g.rng, coForm); f != "" {
			name += " " + f
		}
		key := link.Employer(name)
		if !g.usedCos[key] {
			g.usedCos[key] = true
			return name
		}
	}
}

func (g *gen) newAddr(cityIdx int, unitP float64) *addr {
	a := &addr{
		num: 1 + g.rng.IntN(9999), dir: -1, street: pick(g.rng, streetNames), typ: g.rng.IntN(len(streetTypes)),
		city: cityIdx, zip: cities[cityIdx].zip3 + fmt.Sprintf("%02d", g.rng.IntN(100)),
		plus4: fmt.Sprintf("%04d", g.rng.IntN(10000)),
	}
	if g.rng.IntN(3) == 0 {
		a.dir = g.rng.IntN(len(directions))
	}
	if g.rng.Float64() < unitP {
		a.unit = fmt.Sprint(1 + g.rng.IntN(400))
		if g.rng.IntN(3) == 0 {
			a.unit = fmt.Sprintf("%d%s", 1+g.rng.IntN(20), string(rune('A'+g.rng.IntN(8))))
		}
	}
	return a
}

// writeAddr writes an address one of the many ways people do.
func (g *gen) writeAddr(a *addr) string {
	r := g.rng
	var b strings.Builder
	fmt.Fprint(&b, a.num)
	dot := func() string {
		if r.IntN(4) == 0 {
			return "."
		}
		return ""
	}
	if a.dir >= 0 {
		d := directions[a.dir]
		if r.IntN(2) == 0 {
			b.WriteString(" " + d.full)
		} else {
			b.WriteString(" " + d.abbr + dot())
		}
	}
	b.WriteString(" " + a.street)
	t := streetTypes[a.typ]
	if r.IntN(2) == 0 {
		b.WriteString(" " + t.full)
	} else {
		b.WriteString(" " + t.abbr + dot())
	}
	if a.unit != "" {
		u := a.unit
		if len(u) >= 2 && u[len(u)-1] >= 'A' && r.IntN(4) == 0 {
			u = u[:len(u)-1] + "-" + u[len(u)-1:]
		}
		switch r.IntN(9) {
		case 0:
			b.WriteString(" Apt " + u)
		case 1:
			b.WriteString(" Apt. " + u)
		case 2:
			b.WriteString(" #" + u)
		case 3:
			b.WriteString(", Unit " + u)
		case 4:
			b.WriteString(" Apt #" + u)
		case 5:
			b.WriteString(", Apartment " + u)
		case 6:
			b.WriteString(" Suite " + u)
		case 7:
			b.WriteString(" Ste " + u)
		default:
			b.WriteString(", #" + u)
		}
	}
	c := cities[a.city]
	sep := ", "
	if r.IntN(4) == 0 {
		sep = " "
	}
	b.WriteString(sep + c.name + sep)
	if r.IntN(4) == 0 {
		b.WriteString(c.stateName)
	} else {
		b.WriteString(c.state)
	}
	b.WriteString(" " + a.zip)
	switch r.IntN(6) {
	case 0:
		b.WriteString("-" + a.plus4)
	case 1:
		b.WriteString(", USA")
	case 2:
		b.WriteString(" US")
	}
	s := b.String()
	switch r.IntN(8) {
	case 0:
		s = strings.ToUpper(s)
	case 1:
		s = strings.ToLower(s)
	}
	return s
}

// newPhone draws an unused number in one of the city's area codes, with an
// exchange that is neither N11 nor 555.
func (g *gen) newPhone(cityIdx int) phone {
	for {
		p := phone{area: pick(g.rng, cities[cityIdx].areaCodes), exch: 200 + g.rng.IntN(800), sub: g.rng.IntN(10000)}
		if p.exch%100 == 11 || p.exch == 555 {
			continue
		}
		key := uint64(p.area)*10_000_000 + uint64(p.exch)*10_000 + uint64(p.sub)
		if !g.phones[key] {
			g.phones[key] = true
			return p
		}
	}
}

func (g *gen) writePhone(p phone) string {
	f := [...]string{"(%03d) %03d-%04d", "%03d-%03d-%04d", "%03d.%03d.%04d", "%03d%03d%04d", "+1 %03d-%03d-%04d",
		"+1 (%03d) %03d %04d", "1-%03d-%03d-%04d", "+1%03d%03d%04d", "+1 %03d %03d %04d", "(%03d) %03d %04d"}
	return fmt.Sprintf(f[g.rng.IntN(len(f))], p.area, p.exch, p.sub)
}

// newMailbox draws an unused mailbox built from the name.
func (g *gen) newMailbox(first, last string, domains []string) mailbox {
	f, l := strings.ToLower(first), strings.ToLower(last)
	for try := 0; ; try++ {
		var local string
		switch g.rng.IntN(9) {
		case 0:
			local = f + "." + l
		case 1:
			local = f + l
		case 2:
			local = f[:1] + l
		case 3:
			local = f + "_" + l
		case 4:
			local = fmt.Sprintf("%s.%s%02d", f, l, g.rng.IntN(100))
		case 5:
			local = fmt.Sprintf("%s%s%03d", f, l[:1], g.rng.IntN(1000))
		case 6:
			local = fmt.Sprintf("%s%04d", f, g.rng.IntN(10000))
		case 7:
			local = l + "." + f
		default:
			local = fmt.Sprintf("%s.%s%02d", f[:1], l, g.rng.IntN(100))
		}
		if try > 3 {
			local += fmt.Sprint(g.rng.IntN(100000))
		}
		m := mailbox{local, pick(g.rng, domains)}
		key, ok := link.Email(m.local + "@" + m.domain)
		if ok && !g.mailboxes[key] {
			g.mailboxes[key] = true
			return m
		}
	}
}

// writeMail writes the mailbox, varied the ways that still deliver to it
// when variant is set: dots moved (Gmail), a +tag, googlemail.com, case.
func (g *gen) writeMail(m mailbox, variant bool) string {
	local, domain := m.local, m.domain
	if variant {
		if domain == "gmail.com" {
			plain := strings.ReplaceAll(local, ".", "")
			var b strings.Builder
			for i, c := range plain {
				if i > 0 && g.rng.IntN(len(plain)) < 2 {
					b.WriteByte('.')
				}
				b.WriteRune(c)
			}
			local = b.String()
			if g.rng.IntN(6) == 0 {
				domain = "googlemail.com"
			}
		}
		if g.rng.IntN(3) == 0 {
			local += "+" + pick(g.rng, tags)
		}
	}
	s := local + "@" + domain
	if g.rng.IntN(8) == 0 {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// newHandle draws an unused LinkedIn or GitHub handle.
func (g *gen) newHandle(first, last string, github bool) string {
	f, l := strings.ToLower(first), strings.ToLower(last)
	for {
		var h string
		if github {
			h = fmt.Sprintf("%s%s%d", f[:1], l, g.rng.IntN(10000))
		} else {
			h = fmt.Sprintf("%s-%s-%06x", f, l, g.rng.IntN(1<<24))
		}
		if !g.handles[h] {
			g.handles[h] = true
			return h
		}
	}
}

func (g *gen) writeLinkedIn(handle string) string {
	f := [...]string{"https://www.linkedin.com/in/%s/", "https://www.linkedin.com/in/%s", "linkedin.com/in/%s",
		"http://linkedin.com/in/%s", "https://uk.linkedin.com/in/%s", "https://www.linkedin.com/in/%s?originalSubdomain=us"}
	return fmt.Sprintf(f[g.rng.IntN(len(f))], handle)
}

// facePhoto draws a photo hash near one of the face archetypes: perceptual
// hashes of headshots are not uniform, and distinct faces land about 24
// bits apart.
func (g *gen) facePhoto() uint64 {
	var mask uint64
	for range 64 {
		mask <<= 1
		if g.rng.Float64() < photoFlipP {
			mask |= 1
		}
	}
	return g.archetypes[g.rng.IntN(numArchetypes)] ^ mask
}

// flip flips n distinct random bits of h.
func (g *gen) flip(h uint64, n int) uint64 {
	done := uint64(0)
	for bits.OnesCount64(done) < n {
		done |= 1 << g.rng.IntN(64)
	}
	return h ^ done
}

// honestPerson draws an honest applicant with unique details.
func (g *gen) honestPerson() person {
	r := g.rng
	p := person{first: pick(r, firstNames), last: pick(r, lastNames), home: r.IntN(len(cities))}
	p.address = g.newAddr(p.home, 0.35)
	if r.Float64() < placeholderShare {
		p.address, p.addrText, p.placeholder = nil, pick(r, placeholderAddrs), true
	}
	phoneCity := p.home
	if r.IntN(5) == 0 {
		phoneCity = r.IntN(len(cities)) // moved, kept the number
	}
	switch u := r.Float64(); {
	case u < placeholderShare:
		p.phoneText, p.placeholder = []string{pick(r, placeholderPhones)}, true
	case u < 0.05:
	case u < 0.15:
		p.phones = []phone{g.newPhone(phoneCity), g.newPhone(r.IntN(len(cities)))}
	default:
		p.phones = []phone{g.newPhone(phoneCity)}
	}
	if r.Float64() < placeholderShare {
		p.mailText, p.placeholder = []string{pick(r, placeholderEmails)}, true
	} else {
		p.mail = []mailbox{g.newMailbox(p.first, p.last, emailDomains)}
		if r.IntN(10) == 0 {
			p.mail = append(p.mail, g.newMailbox(p.first, p.last, emailDomains))
		}
	}
	switch u := r.Float64(); {
	case u < placeholderShare:
		p.links, p.placeholder = []string{pick(r, placeholderLinks)}, true
	case u < 0.65:
		p.links = []string{g.writeLinkedIn(g.newHandle(p.first, p.last, false))}
		if r.IntN(4) == 0 {
			p.links = append(p.links, "https://github.com/"+g.newHandle(p.first, p.last, true))
		}
	case u < 0.75:
		p.links = []string{"https://github.com/" + g.newHandle(p.first, p.last, true)}
	}
	switch u := r.Float64(); {
	case u < 0.03:
	case u < 0.06:
		p.ip = netip.AddrFrom16([16]byte{0x26, 0x01, byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)),
			byte(r.IntN(256)), 0, byte(r.IntN(256)), 0, 0, 0, 0, 0, 0, 0, byte(1 + r.IntN(254))})
	case u < 0.06+vpnShare:
		p.ip, p.vpn = g.hostIn(pick(r, g.honestVPN)), true
	default:
		p.ip = g.hostIn(g.slash24(residential8))
	}
	for range 1 + r.IntN(4) {
		if r.Float64() < 0.3 {
			p.employers = append(p.employers, pick(r, bigEmployers))
		} else {
			p.employers = append(p.employers, pick(r, g.smallCos))
		}
	}
	res := newResume(r, p.employers, g.last)
	p.res = &res
	if r.Float64() >= resumeShare {
		p.res = nil
		p.employers = nil
		for _, j := range res.jobs {
			p.employers = append(p.employers, j.employer)
		}
	} else if r.Float64() < shortShare {
		p.resShort = true
	}
	if r.Float64() < photoShare {
		p.hasPhoto = true
		p.photo = g.facePhoto()
		if r.Float64() < avatarShare {
			p.photo = pick(r, defaultAvatars)
		}
	}
	return p
}

// render writes a person as an applicant record.
func (g *gen) render(p *person, id string) hiring.Applicant {
	r := g.rng
	a := hiring.Applicant{
		ID: id, Source: fmt.Sprintf("applicantgen seed %d", g.cfg.Seed), Name: p.first + " " + p.last,
		Position: pick(r, titles), ClaimedLocation: placeName(cities[p.home]) + ", US",
		ApplicationIP: p.ip, UserAgent: pick(r, userAgents),
		AppliedAt: time.Unix(appliedFrom+r.Int64N(appliedSpan), 0).UTC(),
	}
	if p.address != nil {
		a.ShippingAddress = g.writeAddr(p.address)
	} else {
		a.ShippingAddress = p.addrText
	}
	for _, ph := range p.phones {
		a.Phones = append(a.Phones, g.writePhone(ph))
	}
	a.Phones = append(a.Phones, p.phoneText...)
	for i, m := range p.mail {
		a.Emails = append(a.Emails, g.writeMail(m, i < len(p.mailVar) && p.mailVar[i]))
	}
	a.Emails = append(a.Emails, p.mailText...)
	a.Links = slices.Clone(p.links)
	if p.linkedin != "" {
		a.Links = append(a.Links, g.writeLinkedIn(p.linkedin))
	}
	if p.hasPhoto {
		f := [...]string{"%016x", "p:%016x", "%016X"}
		a.PhotoHashes = []string{fmt.Sprintf(f[r.IntN(len(f))], p.photo)}
	}
	if p.res != nil {
		a.Employment = p.res.employment()
		a.Education = []hiring.Education{p.res.edu}
		contacts := slices.Concat(a.Emails, a.Phones, a.Links)
		if p.resShort {
			a.ResumeText = shortResume(r, a.Name)
		} else {
			a.ResumeText = p.res.render(a.Name, contacts)
		}
	} else {
		for _, e := range p.employers {
			a.Employment = append(a.Employment, hiring.Employment{Employer: e})
		}
	}
	return a
}
