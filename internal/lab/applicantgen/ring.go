package applicantgen

import (
	"fmt"
	"slices"

	"github.com/lagwatch/lagwatch/internal/link"
)

// Kinds of strong identifier a persona copies from an earlier persona of
// its ring, with their weights: the reuse that guarantees every persona is
// tied to its ring by at least one strong identifier.
var copyKinds = []struct {
	kind   string
	weight float64
}{
	{link.KindAddress, 0.30}, {link.KindPhone, 0.25}, {link.KindResume, 0.20},
	{link.KindPhoto, 0.10}, {link.KindEmail, 0.10}, {link.KindLink, 0.05},
}

// kit is what one operator reuses across a ring's personas.
type kit struct {
	farms     []*addr   // laptop-farm shipping addresses
	farmNets  [][3]byte // the farms' residential /24s
	vpn       [][3]byte // VPN exits the operator applies through
	phones    []phone   // VoIP numbers
	mailboxes []mailbox // mailboxes shared by several personas
	resumes   []resume  // base résumés to recycle
	photos    []uint64  // photo hashes (stolen or generated faces)
	employers []string  // obscure "previous employers"
	linkedin  string    // one profile several personas point to
}

// ring generates one planted ring of size personas and returns them with
// the ring's main farm address.
func (g *gen) ring(size int) ([]person, *addr) {
	r := g.rng
	var k kit
	farmCity := r.IntN(len(cities))
	for range 1 + size/15 {
		k.farms = append(k.farms, g.newAddr(farmCity, 0.5))
		k.farmNets = append(k.farmNets, g.slash24(residential8))
	}
	for range 1 + r.IntN(2) {
		k.vpn = append(k.vpn, pick(r, g.opVPN))
	}
	for range 1 + size/6 {
		k.phones = append(k.phones, g.newPhone(r.IntN(len(cities))))
	}
	for range 1 + size/10 {
		k.mailboxes = append(k.mailboxes, g.newMailbox(pick(r, firstNames), pick(r, lastNames), operatorDomains))
	}
	for range 2 + r.IntN(3) {
		k.employers = append(k.employers, g.companyName())
	}
	for range 1 + size/20 {
		k.resumes = append(k.resumes, newResume(r, g.pickN(k.employers, 2+r.IntN(2)), g.last))
	}
	for range 1 + size/12 {
		k.photos = append(k.photos, g.facePhoto())
	}
	k.linkedin = g.newHandle(pick(r, firstNames), pick(r, lastNames), false)

	ps := make([]person, size)
	for i := range ps {
		p := &ps[i]
		p.first, p.last, p.home = pick(r, firstNames), pick(r, lastNames), r.IntN(len(cities))
		farm := r.IntN(len(k.farms))
		if r.Float64() < 0.75 {
			p.address = k.farms[farm]
		} else {
			p.address = g.newAddr(p.home, 0.35)
		}
		if r.Float64() < 0.45 {
			p.phones = []phone{pick(r, k.phones)}
		} else {
			p.phones = []phone{g.newPhone(p.home)}
		}
		switch u := r.Float64(); {
		case u < 0.2:
			p.mail, p.mailVar = []mailbox{pick(r, k.mailboxes)}, []bool{true}
		case u < 0.5:
			p.mail = []mailbox{g.digitVariant(pick(r, k.mailboxes))}
		default:
			p.mail = []mailbox{g.newMailbox(p.first, p.last, operatorDomains)}
		}
		switch u := r.Float64(); {
		case u < 0.65:
			c := pick(r, k.resumes).recycle(r)
			p.res = &c
		case u < 0.95:
			var emp []string
			for range 1 + r.IntN(3) {
				if r.Float64() < 0.75 {
					emp = append(emp, pick(r, k.employers))
				} else {
					emp = append(emp, pick(r, g.smallCos))
				}
			}
			c := newResume(r, slices.Compact(emp), g.last)
			p.res = &c
		}
		switch u := r.Float64(); {
		case u < 0.55:
			p.hasPhoto, p.photo = true, g.flip(pick(r, k.photos), r.IntN(3))
		case u < 0.7:
			p.hasPhoto, p.photo = true, g.facePhoto()
		}
		switch u := r.Float64(); {
		case u < 0.1:
			p.linkedin = k.linkedin
		case u < 0.6:
			p.linkedin = g.newHandle(p.first, p.last, false)
		}
		switch u := r.Float64(); {
		case u < 0.7:
			p.ip = g.hostIn(pick(r, k.vpn))
		case u < 0.9:
			p.ip = g.hostIn(k.farmNets[farm])
		default:
			p.ip = g.hostIn(g.slash24(residential8))
		}
		if i > 0 {
			g.copyFrom(p, ps[:i])
		}
		if p.res != nil {
			p.employers = nil
			for _, j := range p.res.jobs {
				p.employers = append(p.employers, j.employer)
			}
		}
	}
	return ps, k.farms[0]
}

// copyFrom makes p reuse one strong identifier of an earlier persona, in a
// form that is the same identifier once normalised: the address or phone
// written differently, the résumé recycled with a few edits, the photo with
// up to two bits flipped, the mailbox with dots or a +tag, the profile URL
// in another form.
func (g *gen) copyFrom(p *person, earlier []person) {
	r := g.rng
	for {
		q := &earlier[r.IntN(len(earlier))]
		u := r.Float64()
		kind := copyKinds[len(copyKinds)-1].kind
		for _, c := range copyKinds {
			if u < c.weight {
				kind = c.kind
				break
			}
			u -= c.weight
		}
		switch kind {
		case link.KindAddress:
			p.address = q.address
			return
		case link.KindPhone:
			p.phones = []phone{q.phones[0]}
			return
		case link.KindResume:
			if q.res != nil {
				c := q.res.recycle(r)
				p.res = &c
				return
			}
		case link.KindPhoto:
			if q.hasPhoto {
				p.hasPhoto, p.photo = true, g.flip(q.photo, r.IntN(3))
				return
			}
		case link.KindEmail:
			p.mail, p.mailVar = []mailbox{q.mail[0]}, []bool{true}
			return
		case link.KindLink:
			if q.linkedin != "" {
				p.linkedin = q.linkedin
				return
			}
		}
	}
}

// digitVariant returns a new mailbox whose handle is m's with digits added:
// a different mailbox that only looks related.
func (g *gen) digitVariant(m mailbox) mailbox {
	for {
		v := mailbox{fmt.Sprintf("%s%d", m.local, 1+g.rng.IntN(999)), m.domain}
		key, ok := link.Email(v.local + "@" + v.domain)
		if ok && !g.mailboxes[key] {
			g.mailboxes[key] = true
			return v
		}
	}
}

// pickN returns n distinct elements of xs (all of them if fewer).
func (g *gen) pickN(xs []string, n int) []string {
	idx := g.rng.Perm(len(xs))
	out := make([]string, 0, n)
	for _, i := range idx[:min(n, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}
