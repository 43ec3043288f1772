package link

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// Kinds of identifier, as written in [hiring.Shared.Kind] and
// [Evidence.Kind].
const (
	KindPhone    = "phone"
	KindEmail    = "email"
	KindAddress  = "address"
	KindLink     = "link"
	KindResume   = "resume"
	KindPhoto    = "photo"
	KindIP       = "ip"
	KindEmployer = "employer"
)

type kind uint8

const (
	kPhone kind = iota
	kEmail
	kAddress
	kLink
	kResume
	kPhoto
	kIP
	kEmployer
	numKinds
)

var kindNames = [numKinds]string{KindPhone, KindEmail, KindAddress, KindLink, KindResume, KindPhoto, KindIP, KindEmployer}

// strongKinds has a bit set for each strong kind.
const strongKinds uint16 = 1<<kPhone | 1<<kEmail | 1<<kAddress | 1<<kLink | 1<<kResume | 1<<kPhoto

// weak kinds never link on their own.
func (k kind) weak() bool { return k == kIP || k == kEmployer }

// Default limits; see [Options].
const (
	DefaultDirectLimit = 10
	DefaultCommonLimit = 100
)

// Options tune linking. The zero value uses the defaults.
type Options struct {
	// DefaultRegion is the region (ISO 3166-1 alpha-2) of phone numbers
	// written without a country code. Default "US".
	DefaultRegion string
	// ResumeThreshold is the estimated Jaccard similarity of word
	// shingles at or above which two résumés are near-duplicates, in
	// (0, 1]. Default DefaultResumeThreshold.
	ResumeThreshold float64
	// Bands and Rows set the résumé banding: candidate pairs agree on all
	// Rows signature values of at least one of Bands bands;
	// Bands*Rows ≤ NumHashes. Defaults DefaultBands and DefaultRows.
	Bands, Rows int
	// PhotoMaxDistance is the largest Hamming distance between two photo
	// hashes that counts as the same photo, 1–11. Default
	// DefaultPhotoMaxDistance.
	PhotoMaxDistance int
	// DirectLimit is the most holders (applicants and workers) a strong
	// identifier may have and still link them on its own. A value held by
	// more is "crowded": it links two of its holders only when they also
	// share another identifier of a different kind (see the package
	// documentation). Default DefaultDirectLimit; at least 2.
	DirectLimit int
	// CommonLimit is the most holders any identifier may have and still
	// count as evidence at all. Values held by more are "too common"
	// (a mailbox store, a big employer, a VPN's busiest exit, a default
	// avatar): they are listed for the reviewer, never used to link.
	// Default DefaultCommonLimit; at least DirectLimit.
	CommonLimit int
}

func (o Options) withDefaults() (Options, error) {
	if o.DefaultRegion == "" {
		o.DefaultRegion = "US"
	}
	if o.ResumeThreshold == 0 {
		o.ResumeThreshold = DefaultResumeThreshold
	}
	if o.Bands == 0 {
		o.Bands = DefaultBands
	}
	if o.Rows == 0 {
		o.Rows = DefaultRows
	}
	if o.PhotoMaxDistance == 0 {
		o.PhotoMaxDistance = DefaultPhotoMaxDistance
	}
	if o.DirectLimit == 0 {
		o.DirectLimit = DefaultDirectLimit
	}
	if o.CommonLimit == 0 {
		o.CommonLimit = max(DefaultCommonLimit, o.DirectLimit)
	}
	switch {
	case len(o.DefaultRegion) != 2:
		return o, fmt.Errorf("default region %q: want an ISO 3166-1 alpha-2 code", o.DefaultRegion)
	case math.IsNaN(o.ResumeThreshold) || o.ResumeThreshold <= 0 || o.ResumeThreshold > 1:
		return o, fmt.Errorf("resume threshold %v: want a similarity in (0, 1]", o.ResumeThreshold)
	case o.Bands < 1 || o.Rows < 1 || o.Bands*o.Rows > NumHashes:
		return o, fmt.Errorf("bands %d × rows %d: want at least 1 each and at most %d hashes", o.Bands, o.Rows, NumHashes)
	case o.PhotoMaxDistance < 1 || o.PhotoMaxDistance > 11:
		return o, fmt.Errorf("photo max distance %d: want 1–11 bits", o.PhotoMaxDistance)
	case o.DirectLimit < 2:
		return o, fmt.Errorf("direct limit %d: want at least 2", o.DirectLimit)
	case o.CommonLimit < o.DirectLimit:
		return o, fmt.Errorf("common limit %d: want at least the direct limit %d", o.CommonLimit, o.DirectLimit)
	}
	return o, nil
}

// Index collects applicants and current workers to link. Add them, then
// call Build. An Index is not safe for concurrent use.
type Index struct {
	opts     Options
	apps     []*hiring.Applicant
	byID     map[string]int
	workers  []workerRec
	workerID map[string]int
}

type workerRec struct {
	id, address string
}

// NewIndex returns an empty Index. It rejects options outside the limits
// documented on [Options], naming the option.
func NewIndex(opts Options) (*Index, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Index{opts: o, byID: map[string]int{}, workerID: map[string]int{}}, nil
}

// Add adds an applicant. The Index keeps a, not a copy: a must not be
// changed until Build returns. Adding an ID again replaces the earlier
// applicant.
func (x *Index) Add(a *hiring.Applicant) {
	if i, ok := x.byID[a.ID]; ok {
		x.apps[i] = a
		return
	}
	x.byID[a.ID] = len(x.apps)
	x.apps = append(x.apps, a)
}

// AddWorker adds a current worker by the address the company ships their
// equipment to. Workers appear in results as "worker:" + id. Adding an ID
// again replaces the address.
func (x *Index) AddWorker(id, shippingAddress string) {
	if i, ok := x.workerID[id]; ok {
		x.workers[i].address = shippingAddress
		return
	}
	x.workerID[id] = len(x.workers)
	x.workers = append(x.workers, workerRec{id: id, address: shippingAddress})
}

// Len returns the number of applicants added.
func (x *Index) Len() int { return len(x.apps) }

// level is how far an identifier may be trusted to link its holders.
type level uint8

const (
	lvNone   level = iota // held by one node only
	lvDirect              // links its holders on its own
	lvSoft                // links only with corroboration
	lvCommon              // too common: listed only
)

func (o *Options) levelOf(k kind, holders int) level {
	switch {
	case holders < 2:
		return lvNone
	case holders > o.CommonLimit:
		return lvCommon
	case k.weak() || holders > o.DirectLimit:
		return lvSoft
	}
	return lvDirect
}

// pair is a résumé or photo match between two applicants (a < b).
type pair struct {
	a, b     int32
	score    float32 // résumé similarity, or photo distance in bits
	lv       level
	kind     kind
	linkedBy bool // joined a and b (directly or corroborated)
}

// Edge is one link between two applicants (or an applicant and a worker):
// they share an identifier that links on its own, or two identifiers of
// different kinds that corroborate each other.
type Edge struct {
	A, B  string   // IDs, A < B; workers as "worker:" + ID
	Kinds []string // the kinds of identifier that made the link, sorted
}

// Evidence is one identifier shared by members of a ring.
type Evidence struct {
	Kind string `json:"kind"`
	// Value is the normalised identifier or, for résumés and photos, a
	// description ("résumé text 72–94% similar").
	Value string `json:"value"`
	// Members are the ring's applicants and workers that hold it, sorted.
	Members []string `json:"members"`
	// Holders is how many applicants and workers hold it in the whole
	// index (for résumés and photos: the largest cluster of near-copies a
	// member belongs to).
	Holders int `json:"holders"`
	// Linked reports whether it joined members of the ring (on its own or
	// corroborated); false for values only listed (weak, crowded without
	// corroboration, or too common).
	Linked bool `json:"linked"`
}

// Ring is a connected group of at least two applicants joined by links.
type Ring struct {
	// ID is "ring-" and 16 hexadecimal digits of the SHA-256 of the
	// sorted member IDs: the same members give the same ID on every run.
	ID      string   `json:"id"`
	Members []string `json:"members"`           // applicant IDs, sorted
	Workers []string `json:"workers,omitempty"` // "worker:" + ID, sorted
	// Evidence lists what members share: linking identifiers first.
	Evidence []Evidence `json:"evidence"`
}

// Graph is the result of linking. It is read-only and safe for
// concurrent use.
type Graph struct {
	opts  Options
	nApps int
	ids   []string // node → ID (workers as "worker:" + ID)
	byID  map[string]int32

	valKind   []kind
	valStr    []string
	valLevel  []level
	valCorrob []bool  // the value corroborated at least one link
	holderOff []int32 // value → holders[holderOff[v]:holderOff[v+1]]
	holders   []int32
	nodeOff   []int32 // node → nodeVals[nodeOff[n]:nodeOff[n+1]]
	nodeVals  []int32

	pairs    []pair
	pairOff  []int32 // node → pairIdx[pairOff[n]:pairOff[n+1]]
	pairIdx  []int32
	corrobs  []corrob
	ringOf   []int32 // node → index into rings, or -1
	rings    []Ring
	clusters []int32 // résumé/photo cluster size per pair index
}

type corrob struct {
	a, b  int32
	kinds uint16 // bit per kind
}

// extracted is what one applicant contributes, computed in parallel.
type extracted struct {
	vals   []valKey
	photos []uint64
	sig    *signature
}

type valKey struct {
	k  kind
	id int32 // the value's index among values of its kind, set when interning
	v  string
}

// Build links everything added so far and returns the graph. The Index
// may be used again afterwards.
func (x *Index) Build() *Graph {
	o := x.opts
	nApps, nNodes := len(x.apps), len(x.apps)+len(x.workers)
	g := &Graph{opts: o, nApps: nApps, ids: make([]string, nNodes), byID: make(map[string]int32, nNodes)}
	for i, a := range x.apps {
		g.ids[i] = a.ID
		g.byID[a.ID] = int32(i)
	}
	for i, w := range x.workers {
		id := "worker:" + w.id
		g.ids[nApps+i] = id
		g.byID[id] = int32(nApps + i)
	}

	ex := x.extract()

	// Intern values, one goroutine per kind (values of different kinds
	// never compare equal), then build node → values and value → holders.
	wvals := make([]valKey, len(x.workers))
	for i, w := range x.workers {
		wvals[i] = valKey{k: kAddress, v: Address(w.address)}
	}
	var perKind [numKinds][]string
	var wg sync.WaitGroup
	for k := range numKinds {
		wg.Go(func() {
			// Goroutines share ex but each writes only the id of its own
			// kind's values and reads only k and v of the others'.
			count := 0
			for n := range ex {
				for i := range ex[n].vals {
					if ex[n].vals[i].k == k {
						count++
					}
				}
			}
			ids := make(map[string]int32, count/2)
			perKind[k] = make([]string, 0, count/2)
			assign := func(vk *valKey) {
				if vk.k != k || vk.v == "" {
					return
				}
				id, ok := ids[vk.v]
				if !ok {
					id = int32(len(perKind[k]))
					ids[vk.v] = id
					perKind[k] = append(perKind[k], vk.v)
				}
				vk.id = id
			}
			for n := range ex {
				for i := range ex[n].vals {
					assign(&ex[n].vals[i])
				}
			}
			for i := range wvals {
				assign(&wvals[i])
			}
		})
	}
	wg.Wait()
	var base [numKinds]int32
	for k := range numKinds {
		if k > 0 {
			base[k] = base[k-1] + int32(len(perKind[k-1]))
		}
		g.valStr = append(g.valStr, perKind[k]...)
		for range perKind[k] {
			g.valKind = append(g.valKind, k)
		}
	}
	total := 0
	for i := range ex {
		total += len(ex[i].vals)
	}
	g.nodeVals = make([]int32, 0, total+len(wvals))
	g.nodeOff = make([]int32, nNodes+1)
	for n := range nNodes {
		start := len(g.nodeVals)
		if n < nApps {
			for _, vk := range ex[n].vals {
				g.nodeVals = append(g.nodeVals, base[vk.k]+vk.id)
			}
		} else if vk := wvals[n-nApps]; vk.v != "" {
			g.nodeVals = append(g.nodeVals, base[vk.k]+vk.id)
		}
		vs := g.nodeVals[start:]
		slices.Sort(vs)
		g.nodeVals = append(g.nodeVals[:start], slices.Compact(vs)...)
		g.nodeOff[n+1] = int32(len(g.nodeVals))
	}
	nVals := len(g.valStr)
	g.holderOff = make([]int32, nVals+1)
	for _, v := range g.nodeVals {
		g.holderOff[v+1]++
	}
	for v := range nVals {
		g.holderOff[v+1] += g.holderOff[v]
	}
	g.holders = make([]int32, len(g.nodeVals))
	fill := slices.Clone(g.holderOff[:nVals])
	for n := range nNodes {
		for _, v := range g.nodeVals[g.nodeOff[n]:g.nodeOff[n+1]] {
			g.holders[fill[v]] = int32(n)
			fill[v]++
		}
	}
	g.valLevel = make([]level, nVals)
	g.valCorrob = make([]bool, nVals)
	for v := range nVals {
		g.valLevel[v] = o.levelOf(g.valKind[v], int(g.holderOff[v+1]-g.holderOff[v]))
	}

	// Pairwise kinds.
	g.pairs = append(resumePairs(ex, o), photoPairs(ex, o)...)
	g.indexPairs(nNodes)

	// Link.
	uf := newUnionFind(nNodes)
	for v := range nVals {
		if g.valLevel[v] == lvDirect {
			h := g.holdersOf(int32(v))
			for _, n := range h[1:] {
				uf.union(h[0], n)
			}
		}
	}
	for i := range g.pairs {
		if p := &g.pairs[i]; p.lv == lvDirect {
			p.linkedBy = true
			uf.union(p.a, p.b)
		}
	}
	g.corroborate(uf)
	g.buildRings(uf)
	return g
}

// extract normalises every applicant's identifiers and signs its résumé,
// spread over GOMAXPROCS goroutines.
func (x *Index) extract() []extracted {
	ex := make([]extracted, len(x.apps))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(x.apps)/256))
	var wg sync.WaitGroup
	chunk := (len(x.apps) + workers - 1) / max(workers, 1)
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(x.apps))
		if lo >= hi {
			continue
		}
		wg.Go(func() {
			cache := nanpCache{}
			var mh minhasher
			sigs := make([]signature, 0, hi-lo)
			// One arena per goroutine; each applicant's values are a
			// capped sub-slice, valid even after the arena grows.
			arena := make([]valKey, 0, (hi-lo)*8)
			var photos []uint64
			for i := lo; i < hi; i++ {
				a := x.apps[i]
				e := &ex[i]
				start := len(arena)
				for _, s := range a.Phones {
					if p, ok := normPhone(s, x.opts.DefaultRegion, cache); ok {
						arena = append(arena, valKey{k: kPhone, v: p})
					}
				}
				for _, s := range a.Emails {
					if m, ok := Email(s); ok {
						arena = append(arena, valKey{k: kEmail, v: m})
					}
				}
				if ad := Address(a.ShippingAddress); ad != "" {
					arena = append(arena, valKey{k: kAddress, v: ad})
				}
				for _, s := range a.Links {
					if l, ok := ProfileLink(s); ok {
						arena = append(arena, valKey{k: kLink, v: l})
					}
				}
				if linkableIP(a.ApplicationIP) {
					arena = append(arena, valKey{k: kIP, v: IPPrefix(a.ApplicationIP).String()})
				}
				for _, j := range a.Employment {
					if em := Employer(j.Employer); em != "" {
						arena = append(arena, valKey{k: kEmployer, v: em})
					}
				}
				e.vals = arena[start:len(arena):len(arena)]
				pstart := len(photos)
				for _, s := range a.PhotoHashes {
					if h, err := hiring.ParsePhotoHash(s); err == nil {
						photos = append(photos, h)
					}
				}
				e.photos = photos[pstart:len(photos):len(photos)]
				if a.ResumeText != "" {
					sigs = append(sigs, signature{})
					if mh.sign(a.ResumeText, a.Name, &sigs[len(sigs)-1]) {
						e.sig = &sigs[len(sigs)-1]
					} else {
						sigs = sigs[:len(sigs)-1]
					}
				}
			}
		})
	}
	wg.Wait()
	return ex
}

func (g *Graph) holdersOf(v int32) []int32 { return g.holders[g.holderOff[v]:g.holderOff[v+1]] }

func (g *Graph) valsOf(n int32) []int32 { return g.nodeVals[g.nodeOff[n]:g.nodeOff[n+1]] }

func (g *Graph) pairsOf(n int32) []int32 { return g.pairIdx[g.pairOff[n]:g.pairOff[n+1]] }

// indexPairs sets each pair's level from the size of the cluster of
// near-copies around it and builds node → pairs.
func (g *Graph) indexPairs(nNodes int) {
	var deg [2][]int32
	deg[0], deg[1] = make([]int32, nNodes), make([]int32, nNodes)
	d := func(k kind) []int32 {
		if k == kResume {
			return deg[0]
		}
		return deg[1]
	}
	for _, p := range g.pairs {
		d(p.kind)[p.a]++
		d(p.kind)[p.b]++
	}
	g.clusters = make([]int32, len(g.pairs))
	for i := range g.pairs {
		p := &g.pairs[i]
		size := 1 + max(d(p.kind)[p.a], d(p.kind)[p.b])
		g.clusters[i] = size
		p.lv = g.opts.levelOf(p.kind, int(size))
	}
	g.pairOff = make([]int32, nNodes+1)
	for _, p := range g.pairs {
		g.pairOff[p.a+1]++
		g.pairOff[p.b+1]++
	}
	for n := range nNodes {
		g.pairOff[n+1] += g.pairOff[n]
	}
	g.pairIdx = make([]int32, g.pairOff[nNodes])
	fill := slices.Clone(g.pairOff[:nNodes])
	for i, p := range g.pairs {
		g.pairIdx[fill[p.a]] = int32(i)
		fill[p.a]++
		g.pairIdx[fill[p.b]] = int32(i)
		fill[p.b]++
	}
}

// corroborate links pairs of nodes that share two soft identifiers of
// different kinds: crowded strong values, weak values held by at most
// CommonLimit nodes, crowded résumé or photo matches.
func (g *Graph) corroborate(uf *unionFind) {
	// Soft pair kinds by pair key, for checking pairs found through values.
	softPair := map[uint64]uint16{}
	for _, p := range g.pairs {
		if p.lv == lvSoft {
			softPair[pairKey(p.a, p.b)] |= 1 << p.kind
		}
	}
	// shared returns the kinds of soft evidence a and b share.
	shared := func(a, b int32) uint16 {
		var m uint16
		va, vb := g.valsOf(a), g.valsOf(b)
		for i, j := 0, 0; i < len(va) && j < len(vb); {
			switch {
			case va[i] < vb[j]:
				i++
			case va[i] > vb[j]:
				j++
			default:
				if g.valLevel[va[i]] == lvSoft {
					m |= 1 << g.valKind[va[i]]
				}
				i++
				j++
			}
		}
		return m | softPair[pairKey(min(a, b), max(a, b))]
	}
	seen := map[uint64]bool{}
	try := func(a, b int32) bool {
		if a > b {
			a, b = b, a
		}
		key := pairKey(a, b)
		if done, ok := seen[key]; ok {
			return done
		}
		m := shared(a, b)
		ok := bits.OnesCount16(m) >= 2 && m&strongKinds != 0
		seen[key] = ok
		if ok {
			g.corrobs = append(g.corrobs, corrob{a, b, m})
			uf.union(a, b)
		}
		return ok
	}
	for v := range g.valStr {
		if g.valLevel[v] != lvSoft {
			continue
		}
		h := g.holdersOf(int32(v))
		for i, a := range h {
			for _, b := range h[i+1:] {
				if try(a, b) {
					g.valCorrob[v] = true
				}
			}
		}
	}
	for i := range g.pairs {
		if p := &g.pairs[i]; p.lv == lvSoft && try(p.a, p.b) {
			p.linkedBy = true
		}
	}
	g.joinComponents(uf)
}

// joinComponents applies corroboration to groups: a node joins a
// component when its soft evidence of two different kinds, one of them
// strong, leads to members of that component, even if no single member
// shares both (a persona at a crowded farm address whose VPN exit matches
// another persona of the same ring who lives elsewhere). It repeats until
// nothing changes.
func (g *Graph) joinComponents(uf *unionFind) {
	n := len(g.ids)
	softKinds := make([]uint16, n)
	for v := range g.valStr {
		if g.valLevel[v] == lvSoft {
			for _, m := range g.holdersOf(int32(v)) {
				softKinds[m] |= 1 << g.valKind[v]
			}
		}
	}
	for _, p := range g.pairs {
		if p.lv == lvSoft {
			softKinds[p.a] |= 1 << p.kind
			softKinds[p.b] |= 1 << p.kind
		}
	}
	type hit struct {
		root, m int32
		kind    kind
		v, pi   int32 // the value, or the pair index, that led there (-1 for the other)
	}
	var hits []hit
	for changed := true; changed; {
		changed = false
		for a := range int32(n) {
			if bits.OnesCount16(softKinds[a]) < 2 || softKinds[a]&strongKinds == 0 {
				continue
			}
			hits = hits[:0]
			ra := uf.find(a)
			for _, v := range g.valsOf(a) {
				if g.valLevel[v] != lvSoft {
					continue
				}
				for _, m := range g.holdersOf(v) {
					if r := uf.find(m); r != ra {
						hits = append(hits, hit{r, m, g.valKind[v], v, -1})
					}
				}
			}
			for _, pi := range g.pairsOf(a) {
				p := g.pairs[pi]
				m := p.b
				if m == a {
					m = p.a
				}
				if r := uf.find(m); p.lv == lvSoft && r != ra {
					hits = append(hits, hit{r, m, p.kind, -1, pi})
				}
			}
			slices.SortFunc(hits, func(x, y hit) int { return cmp.Compare(x.root, y.root) })
			for lo := 0; lo < len(hits); {
				hi := lo
				var mask uint16
				for hi < len(hits) && hits[hi].root == hits[lo].root {
					mask |= 1 << hits[hi].kind
					hi++
				}
				if bits.OnesCount16(mask) >= 2 && mask&strongKinds != 0 {
					uf.union(a, hits[lo].root)
					changed = true
					for _, h := range hits[lo:hi] {
						g.corrobs = append(g.corrobs, corrob{min(a, h.m), max(a, h.m), mask})
						if h.v >= 0 {
							g.valCorrob[h.v] = true
						} else {
							g.pairs[h.pi].linkedBy = true
						}
					}
				}
				lo = hi
			}
		}
	}
}

func pairKey(a, b int32) uint64 { return uint64(a)<<32 | uint64(uint32(b)) }

// buildRings turns the components with at least two applicants into rings.
func (g *Graph) buildRings(uf *unionFind) {
	n := len(g.ids)
	comp := map[int32][]int32{}
	for i := range n {
		r := uf.find(int32(i))
		comp[r] = append(comp[r], int32(i))
	}
	g.ringOf = make([]int32, n)
	for i := range g.ringOf {
		g.ringOf[i] = -1
	}
	for _, nodes := range comp {
		apps := 0
		for _, m := range nodes {
			if int(m) < g.nApps {
				apps++
			}
		}
		if apps < 2 {
			continue
		}
		idx := int32(len(g.rings))
		r := Ring{}
		for _, m := range nodes {
			g.ringOf[m] = idx
			if int(m) < g.nApps {
				r.Members = append(r.Members, g.ids[m])
			} else {
				r.Workers = append(r.Workers, g.ids[m])
			}
		}
		slices.Sort(r.Members)
		slices.Sort(r.Workers)
		sum := sha256.Sum256([]byte(strings.Join(r.Members, "\n")))
		r.ID = "ring-" + hex.EncodeToString(sum[:8])
		r.Evidence = g.evidence(nodes, idx)
		g.rings = append(g.rings, r)
	}
	// Stable order: largest first, then by ID; fix ringOf accordingly.
	order := make([]int32, len(g.rings))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ra, rb := &g.rings[a], &g.rings[b]
		if c := cmp.Compare(len(rb.Members), len(ra.Members)); c != 0 {
			return c
		}
		return strings.Compare(ra.ID, rb.ID)
	})
	newIdx := make([]int32, len(order))
	sorted := make([]Ring, len(order))
	for i, o := range order {
		newIdx[o] = int32(i)
		sorted[i] = g.rings[o]
	}
	g.rings = sorted
	for i, r := range g.ringOf {
		if r >= 0 {
			g.ringOf[i] = newIdx[r]
		}
	}
}

// evidence lists what the nodes of one ring share.
func (g *Graph) evidence(nodes []int32, ring int32) []Evidence {
	in := map[int32][]string{}
	for _, n := range nodes {
		for _, v := range g.valsOf(n) {
			if g.valLevel[v] != lvNone {
				in[v] = append(in[v], g.ids[n])
			}
		}
	}
	var ev []Evidence
	for v, members := range in {
		if len(members) < 2 {
			continue
		}
		slices.Sort(members)
		lv := g.valLevel[v]
		ev = append(ev, Evidence{
			Kind: kindNames[g.valKind[v]], Value: g.valStr[v], Members: members,
			Holders: int(g.holderOff[v+1] - g.holderOff[v]),
			Linked:  lv == lvDirect || (lv == lvSoft && g.valCorrob[v]),
		})
	}
	// Résumé and photo matches: one entry per cluster of members joined by
	// matches of that kind.
	for _, k := range []kind{kResume, kPhoto} {
		local := map[int32]int32{} // node → parent within this kind
		var find func(int32) int32
		find = func(a int32) int32 {
			p, ok := local[a]
			if !ok || p == a {
				return a
			}
			r := find(p)
			local[a] = r
			return r
		}
		type agg struct {
			lo, hi  float32
			holders int32
			linked  bool
		}
		var idxs []int32
		for _, n := range nodes {
			for _, pi := range g.pairsOf(n) {
				p := g.pairs[pi]
				if p.kind == k && p.a == n && p.lv != lvNone && g.ringOf[p.b] == ring {
					idxs = append(idxs, pi)
					for _, e := range [2]int32{p.a, p.b} {
						if _, ok := local[e]; !ok {
							local[e] = e
						}
					}
					ra, rb := find(p.a), find(p.b)
					if ra != rb {
						local[ra] = rb
					}
				}
			}
		}
		groups := map[int32]*agg{}
		members := map[int32][]string{}
		for _, pi := range idxs {
			p := g.pairs[pi]
			r := find(p.a)
			a, ok := groups[r]
			if !ok {
				a = &agg{lo: p.score, hi: p.score}
				groups[r] = a
			}
			a.lo, a.hi = min(a.lo, p.score), max(a.hi, p.score)
			a.holders = max(a.holders, g.clusters[pi])
			a.linked = a.linked || p.linkedBy
		}
		for n := range local {
			r := find(n)
			members[r] = append(members[r], g.ids[n])
		}
		for r, a := range groups {
			m := members[r]
			slices.Sort(m)
			ev = append(ev, Evidence{Kind: kindNames[k], Value: describe(k, a.lo, a.hi), Members: m,
				Holders: int(a.holders), Linked: a.linked})
		}
	}
	slices.SortFunc(ev, func(a, b Evidence) int {
		if a.Linked != b.Linked {
			if a.Linked {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Value, b.Value); c != 0 {
			return c
		}
		return slices.Compare(a.Members, b.Members)
	})
	return ev
}

func kindOrder(s string) int {
	for i, k := range kindNames {
		if k == s {
			return i
		}
	}
	return len(kindNames)
}

func describe(k kind, lo, hi float32) string {
	if k == kResume {
		l, h := int(lo*100+0.5), int(hi*100+0.5)
		if l == h {
			return fmt.Sprintf("résumé text %d%% similar", l)
		}
		return fmt.Sprintf("résumé text %d–%d%% similar", l, h)
	}
	l, h := int(lo), int(hi)
	if l == h {
		return fmt.Sprintf("photo hash %d bits apart", l)
	}
	return fmt.Sprintf("photo hash %d–%d bits apart", l, h)
}

// Shared returns every identifier applicant (or "worker:"+ID) id has in
// common with others, linking or not, for the reviewer: one entry per
// shared phone, e-mail, address, profile link, IP prefix or employer, and
// one per résumé or photo near-copy. Values held by more than CommonLimit
// applicants and workers are marked "(too common to link: N holders)" and
// list the first 20 others by ID. It returns nil for an unknown ID.
func (g *Graph) Shared(id string) []hiring.Shared {
	n, ok := g.byID[id]
	if !ok {
		return nil
	}
	var out []hiring.Shared
	for _, v := range g.valsOf(n) {
		h := g.holdersOf(v)
		if len(h) < 2 {
			continue
		}
		// A too-common value lists only its first 20 other holders (in
		// index order): collecting and sorting all of them for each of
		// thousands of holders would cost quadratic time.
		common := g.valLevel[v] == lvCommon
		limit := len(h) - 1
		if common {
			limit = min(limit, 20)
		}
		with := make([]string, 0, limit)
		for _, m := range h {
			if len(with) == limit {
				break
			}
			if m != n {
				with = append(with, g.ids[m])
			}
		}
		slices.Sort(with)
		value := g.valStr[v]
		if common {
			value = fmt.Sprintf("%s (too common to link: %d holders)", value, len(h))
		}
		out = append(out, hiring.Shared{Kind: kindNames[g.valKind[v]], Value: value, With: with})
	}
	for _, pi := range g.pairsOf(n) {
		p := g.pairs[pi]
		other := p.b
		if other == n {
			other = p.a
		}
		out = append(out, hiring.Shared{Kind: kindNames[p.kind], Value: describe(p.kind, p.score, p.score),
			With: []string{g.ids[other]}})
	}
	slices.SortFunc(out, func(a, b hiring.Shared) int {
		if c := cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Value, b.Value); c != 0 {
			return c
		}
		return slices.Compare(a.With, b.With)
	})
	return out
}

// Rings returns the rings, largest first (then by ID). The slice and its
// rings must not be modified.
func (g *Graph) Rings() []Ring { return g.rings }

// RingOf returns the ring applicant (or "worker:"+ID) id belongs to.
func (g *Graph) RingOf(id string) (Ring, bool) {
	n, ok := g.byID[id]
	if !ok || g.ringOf[n] < 0 {
		return Ring{}, false
	}
	return g.rings[g.ringOf[n]], true
}

// Edges returns every link, each pair once, sorted by A then B: every
// pair of holders of an identifier that links on its own, every résumé or
// photo match that does, and every corroborated pair.
func (g *Graph) Edges() []Edge {
	m := map[uint64]uint16{}
	put := func(a, b int32, kinds uint16) {
		if a > b {
			a, b = b, a
		}
		m[pairKey(a, b)] |= kinds
	}
	for v := range g.valStr {
		if g.valLevel[v] != lvDirect {
			continue
		}
		h := g.holdersOf(int32(v))
		for i, a := range h {
			for _, b := range h[i+1:] {
				put(a, b, 1<<g.valKind[v])
			}
		}
	}
	for _, p := range g.pairs {
		if p.lv == lvDirect {
			put(p.a, p.b, 1<<p.kind)
		}
	}
	for _, c := range g.corrobs {
		put(c.a, c.b, c.kinds)
	}
	out := make([]Edge, 0, len(m))
	for key, kinds := range m {
		a, b := g.ids[int32(key>>32)], g.ids[int32(uint32(key))]
		if a > b {
			a, b = b, a
		}
		e := Edge{A: a, B: b}
		for k := range numKinds {
			if kinds&(1<<k) != 0 {
				e.Kinds = append(e.Kinds, kindNames[k])
			}
		}
		slices.Sort(e.Kinds)
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y Edge) int {
		if c := strings.Compare(x.A, y.A); c != 0 {
			return c
		}
		return strings.Compare(x.B, y.B)
	})
	return out
}

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct {
	parent, size []int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(a int32) int32 {
	for u.parent[a] != a {
		u.parent[a] = u.parent[u.parent[a]]
		a = u.parent[a]
	}
	return a
}

func (u *unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if u.size[ra] < u.size[rb] {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.size[ra] += u.size[rb]
}
