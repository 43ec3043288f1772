package link_test

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/link"
)

func build(t *testing.T, o link.Options, apps []hiring.Applicant, workers ...[2]string) *link.Graph {
	t.Helper()
	x, err := link.NewIndex(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range apps {
		x.Add(&apps[i])
	}
	for _, w := range workers {
		x.AddWorker(w[0], w[1])
	}
	return x.Build()
}

func ringMembers(g *link.Graph) [][]string {
	var out [][]string
	for _, r := range g.Rings() {
		out = append(out, r.Members)
	}
	return out
}

func evidence(r link.Ring, kind string) []link.Evidence {
	var out []link.Evidence
	for _, e := range r.Evidence {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// TestChain links A–B by a phone written two ways and B–C by an address
// written two ways into one ring that lists both details.
func TestChain(t *testing.T) {
	apps := []hiring.Applicant{
		{ID: "A", Phones: []string{"+1 602-555-0134"}, ShippingAddress: "1 Elm St, Troy, NY 12180"},
		{ID: "B", Phones: []string{"(602) 555 0134"}, ShippingAddress: "1420 N Central Ave Apt 4B, Phoenix, AZ 85004"},
		{ID: "C", Phones: []string{"480-555-0199"}, ShippingAddress: "1420 North Central Avenue #4B, Phoenix, Arizona 85004-1234"},
		{ID: "D", Phones: []string{"212-555-0100"}, ShippingAddress: "9 Oak Rd, Austin, TX 78701"},
	}
	g := build(t, link.Options{}, apps)
	if got, want := ringMembers(g), [][]string{{"A", "B", "C"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("rings = %v, want %v", got, want)
	}
	r, ok := g.RingOf("C")
	if !ok {
		t.Fatal("RingOf(C) not found")
	}
	ph, ad := evidence(r, link.KindPhone), evidence(r, link.KindAddress)
	if len(ph) != 1 || ph[0].Value != "+16025550134" || !slices.Equal(ph[0].Members, []string{"A", "B"}) || !ph[0].Linked {
		t.Errorf("phone evidence = %+v", ph)
	}
	if len(ad) != 1 || ad[0].Value != "1420 n central ave unit 4b phoenix az 85004" ||
		!slices.Equal(ad[0].Members, []string{"B", "C"}) || !ad[0].Linked {
		t.Errorf("address evidence = %+v", ad)
	}
	if _, ok := g.RingOf("D"); ok {
		t.Error("D is in a ring")
	}
	sh := g.Shared("B")
	want := []hiring.Shared{
		{Kind: "phone", Value: "+16025550134", With: []string{"A"}},
		{Kind: "address", Value: "1420 n central ave unit 4b phoenix az 85004", With: []string{"C"}},
	}
	if fmt.Sprint(sh) != fmt.Sprint(want) {
		t.Errorf("Shared(B) = %v, want %v", sh, want)
	}
	edges := g.Edges()
	wantEdges := []link.Edge{{A: "A", B: "B", Kinds: []string{"phone"}}, {A: "B", B: "C", Kinds: []string{"address"}}}
	if fmt.Sprint(edges) != fmt.Sprint(wantEdges) {
		t.Errorf("Edges() = %v, want %v", edges, wantEdges)
	}
	if g.Shared("nobody") != nil {
		t.Error("Shared of an unknown ID is not nil")
	}
}

// TestRingIDStable checks that a ring's ID depends on its members only.
func TestRingIDStable(t *testing.T) {
	apps := []hiring.Applicant{
		{ID: "x1", Emails: []string{"jane.doe@gmail.com"}},
		{ID: "x2", Emails: []string{"JaneDoe+jobs@googlemail.com"}},
		{ID: "x3", Links: []string{"https://www.linkedin.com/in/jane-doe-1/"}},
		{ID: "x4", Links: []string{"linkedin.com/in/Jane-Doe-1"}},
	}
	g1 := build(t, link.Options{}, apps)
	slices.Reverse(apps)
	g2 := build(t, link.Options{}, apps)
	r1, r2 := g1.Rings(), g2.Rings()
	if len(r1) != 2 || len(r2) != 2 {
		t.Fatalf("rings = %v / %v, want two each", ringMembers(g1), ringMembers(g2))
	}
	ids := func(rs []link.Ring) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(ids(r1), ids(r2)) {
		t.Errorf("ring IDs differ with insertion order: %v vs %v", ids(r1), ids(r2))
	}
	if !strings.HasPrefix(r1[0].ID, "ring-") || len(r1[0].ID) != len("ring-")+16 {
		t.Errorf("ring ID %q, want ring- and 16 hex digits", r1[0].ID)
	}
}

// TestCommonValueGuard checks the rules that keep values many people share
// from gluing strangers into one ring.
func TestCommonValueGuard(t *testing.T) {
	var apps []hiring.Applicant
	// 30 agency candidates giving the agency's phone and nothing else in
	// common: crowded, not linked.
	for i := range 30 {
		apps = append(apps, hiring.Applicant{ID: fmt.Sprintf("agency%02d", i), Phones: []string{"(212) 555-0100"},
			ShippingAddress: fmt.Sprintf("%d Pine St, Boston, MA 02110", 100+i)})
	}
	// 150 people at a co-working address: too common, listed only.
	for i := range 150 {
		apps = append(apps, hiring.Applicant{ID: fmt.Sprintf("cowork%03d", i), ShippingAddress: "500 Market St, San Francisco, CA 94105"})
	}
	// Placeholders never count.
	for i := range 5 {
		apps = append(apps, hiring.Applicant{ID: fmt.Sprintf("ph%d", i), Phones: []string{"000-000-0000"},
			Emails: []string{"none@none.com"}, ShippingAddress: "N/A"})
	}
	// 12 personas at one farm address (crowded) who also apply through
	// one VPN /24: corroborated, one ring. Two more at the farm from
	// elsewhere: not linked by the address alone.
	for i := range 12 {
		apps = append(apps, hiring.Applicant{ID: fmt.Sprintf("farm%02d", i), ShippingAddress: "77 Desert Rd, Mesa, AZ 85201",
			ApplicationIP: netip.AddrFrom4([4]byte{185, 220, 101, byte(10 + i)})})
	}
	for i := range 2 {
		apps = append(apps, hiring.Applicant{ID: fmt.Sprintf("farmx%d", i), ShippingAddress: "77 Desert Road, Mesa, AZ 85201",
			ApplicationIP: netip.AddrFrom4([4]byte{24, 1, byte(i), 1})})
	}
	// Weak identifiers alone never link: same /24 and same employer.
	for i := range 2 {
		apps = append(apps, hiring.Applicant{ID: fmt.Sprintf("weak%d", i),
			ApplicationIP: netip.AddrFrom4([4]byte{73, 9, 9, byte(1 + i)}),
			Employment:    []hiring.Employment{{Employer: "Bluepeak Analytics LLC"}}})
	}
	g := build(t, link.Options{}, apps)
	var farm []string
	for i := range 12 {
		farm = append(farm, fmt.Sprintf("farm%02d", i))
	}
	if got := ringMembers(g); len(got) != 1 || !slices.Equal(got[0], farm) {
		t.Fatalf("rings = %v, want only the 12 corroborated farm personas", got)
	}
	r := g.Rings()[0]
	for _, e := range r.Evidence {
		if (e.Kind == link.KindAddress || e.Kind == link.KindIP) && (!e.Linked || e.Holders < 12) {
			t.Errorf("farm evidence %+v: want linked", e)
		}
	}
	var agency link.Evidence
	for _, s := range g.Shared("agency00") {
		if s.Kind == link.KindPhone {
			agency = link.Evidence{Kind: s.Kind, Value: s.Value, Members: s.With}
		}
	}
	if agency.Value != "+12125550100" || len(agency.Members) != 29 {
		t.Errorf("agency phone shared = %+v, want listed with the 29 others", agency)
	}
	sh := g.Shared("cowork000")
	if len(sh) != 1 || !strings.Contains(sh[0].Value, "too common to link: 150 holders") || len(sh[0].With) != 20 {
		t.Errorf("Shared(cowork000) = %v, want the address marked too common with 20 others listed", sh)
	}
	if sh := g.Shared("ph0"); len(sh) != 0 {
		t.Errorf("Shared(ph0) = %v, want nothing: placeholders are not identifiers", sh)
	}
	if sh := g.Shared("weak0"); len(sh) != 2 {
		t.Errorf("Shared(weak0) = %v, want the /24 and the employer listed", sh)
	}
}

// TestComponentCorroboration: P's crowded farm address leads to the ring,
// and so does its VPN /24, through a member who lives elsewhere; together
// they join P to the ring. H, at the same address with nothing else in
// common, stays out.
func TestComponentCorroboration(t *testing.T) {
	var apps []hiring.Applicant
	for i := range 11 {
		apps = append(apps, hiring.Applicant{ID: fmt.Sprintf("A%02d", i), ShippingAddress: "77 Desert Rd, Mesa, AZ 85201",
			ApplicationIP: netip.AddrFrom4([4]byte{185, 220, 101, byte(10 + i)})})
	}
	apps[0].Phones = []string{"602-555-0134"}
	apps = append(apps,
		hiring.Applicant{ID: "Q", Phones: []string{"+1 602 555 0134"}, ApplicationIP: netip.MustParseAddr("98.4.4.4")},
		hiring.Applicant{ID: "P", ShippingAddress: "77 Desert Road, Mesa, AZ 85201", ApplicationIP: netip.MustParseAddr("98.4.4.200")},
		hiring.Applicant{ID: "H", ShippingAddress: "77 Desert Rd., Mesa, Arizona 85201"},
	)
	g := build(t, link.Options{}, apps)
	r, ok := g.RingOf("P")
	if !ok || len(r.Members) != 13 || slices.Contains(r.Members, "H") {
		t.Fatalf("RingOf(P) = %v, %v; want the 11, Q and P", r.Members, ok)
	}
	for _, e := range r.Evidence {
		if e.Kind == link.KindIP && slices.Equal(e.Members, []string{"P", "Q"}) && !e.Linked {
			t.Errorf("P and Q's /24 did not count as linking: %+v", e)
		}
	}
}

// TestGuardCanBeWidened shows the guard is what separates the agency: with
// the direct limit above the agency's size its candidates form one ring.
func TestGuardCanBeWidened(t *testing.T) {
	var apps []hiring.Applicant
	for i := range 30 {
		apps = append(apps, hiring.Applicant{ID: fmt.Sprintf("agency%02d", i), Phones: []string{"(212) 555-0100"}})
	}
	if got := ringMembers(build(t, link.Options{DirectLimit: 40, CommonLimit: 100}, apps)); len(got) != 1 || len(got[0]) != 30 {
		t.Errorf("rings = %v, want one of 30", got)
	}
}

func TestWorkers(t *testing.T) {
	apps := []hiring.Applicant{
		{ID: "a1", ShippingAddress: "12 Farm Ln, Mesa, AZ 85201"},
		{ID: "a2", ShippingAddress: "9 Oak Rd, Austin, TX 78701"},
		{ID: "a3", ShippingAddress: "9 Oak Road, Austin, Texas 78701"},
	}
	g := build(t, link.Options{}, apps, [2]string{"w1", "12 Farm Lane, Mesa, AZ 85201"}, [2]string{"w2", "9 Oak Rd Austin TX 78701"})
	if sh := g.Shared("a1"); len(sh) != 1 || !slices.Equal(sh[0].With, []string{"worker:w1"}) {
		t.Errorf("Shared(a1) = %v, want the address shared with worker:w1", sh)
	}
	if _, ok := g.RingOf("a1"); ok {
		t.Error("one applicant and a worker make a ring; want at least two applicants")
	}
	r, ok := g.RingOf("worker:w2")
	if !ok || !slices.Equal(r.Members, []string{"a2", "a3"}) || !slices.Equal(r.Workers, []string{"worker:w2"}) {
		t.Errorf("RingOf(worker:w2) = %+v, %v", r, ok)
	}
}

func TestResumeAndPhoto(t *testing.T) {
	body := "Built the payments reconciliation service using Go and Kafka, cutting page load time by a third. " +
		"Worked with the platform team to migrate the search ranking service, halving the number of support tickets. " +
		"Designed a fraud scoring model in Python; raising test coverage across the codebase. " +
		"Led the CI/CD pipeline rewrite with GitHub Actions, working closely with site reliability engineers. "
	other := "Maintained the clinical trial data portal on Azure for a team of four engineers and documented it. " +
		"Prototyped a geospatial search endpoint in Rust while reviewing code for the growth team every week. " +
		"Tuned the booking availability cache with Redis so that the sales team could close larger accounts. " +
		"Introduced Terraform to the finance systems team and then secured the vendor invoice parser with it. "
	apps := []hiring.Applicant{
		{ID: "r1", Name: "Jane Doe", ResumeText: "Jane Doe\njane@x.io\n" + body},
		{ID: "r2", Name: "John Roe", ResumeText: "John Roe\n(602) 555-0134\n" + body},
		{ID: "r3", Name: "Ann Lee", ResumeText: "Ann Lee\n" + other},
		{ID: "p1", PhotoHashes: []string{"00ff00ff00ff00ff"}},
		{ID: "p2", PhotoHashes: []string{"p:00ff00ff00ff00f8"}}, // 3 bits apart
		{ID: "p3", PhotoHashes: []string{"0f0f0f0f0f0f0f0f"}},   // far
	}
	g := build(t, link.Options{}, apps)
	want := [][]string{{"p1", "p2"}, {"r1", "r2"}}
	got := ringMembers(g)
	slices.SortFunc(got, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("rings = %v, want %v", got, want)
	}
	if sh := g.Shared("p2"); len(sh) != 1 || sh[0].Value != "photo hash 3 bits apart" {
		t.Errorf("Shared(p2) = %v", sh)
	}
	if sh := g.Shared("r1"); len(sh) != 1 || sh[0].Value != "résumé text 100% similar" {
		t.Errorf("Shared(r1) = %v", sh)
	}
}

func TestAddReplaces(t *testing.T) {
	x, err := link.NewIndex(link.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := hiring.Applicant{ID: "a", Phones: []string{"602-555-0134"}}
	b := hiring.Applicant{ID: "b", Phones: []string{"602-555-0134"}}
	b2 := hiring.Applicant{ID: "b", Phones: []string{"480-555-0199"}}
	x.Add(&a)
	x.Add(&b)
	x.Add(&b2)
	if x.Len() != 2 {
		t.Errorf("Len() = %d, want 2", x.Len())
	}
	if rs := x.Build().Rings(); len(rs) != 0 {
		t.Errorf("rings = %v, want none after b was replaced", rs)
	}
}

func TestOptionsRejected(t *testing.T) {
	tests := []struct {
		o    link.Options
		want string
	}{
		{link.Options{DefaultRegion: "USA"}, "default region"},
		{link.Options{ResumeThreshold: 1.5}, "resume threshold"},
		{link.Options{PhotoMaxDistance: 12}, "photo max distance"},
		{link.Options{DirectLimit: 1}, "direct limit"},
		{link.Options{DirectLimit: 50, CommonLimit: 20}, "common limit"},
		{link.Options{Bands: 64, Rows: 4}, "bands"},
	}
	for _, tt := range tests {
		if _, err := link.NewIndex(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewIndex(%+v) error = %v, want one about %q", tt.o, err, tt.want)
		}
	}
}
