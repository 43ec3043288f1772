package screen

import (
	"fmt"
	"strings"

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/place"
)

// Distances beyond which a same-country location is evidence, in km.
const (
	ipFarKm       = 800 // application IP city from the claimed city
	shippingFarKm = 250 // shipping address city from the claimed city
)

// placeInfo is a resolved place, or why it could not be resolved.
type placeInfo struct {
	place.Place
	ok  bool
	err error
}

// maxPlaceCache bounds the cache of resolved claimed locations. Claimed
// locations repeat across applicants ("Phoenix, AZ"); once the cache is
// full, new texts are resolved each time.
const maxPlaceCache = 10_000

// claimedPlace resolves a claimed location through the Screener's cache.
func (s *Screener) claimedPlace(text string) placeInfo {
	if v, ok := s.places.Load(text); ok {
		return v.(placeInfo)
	}
	p := resolvePlace(text)
	if s.nPlaces.Load() < maxPlaceCache {
		if _, loaded := s.places.LoadOrStore(text, p); !loaded {
			s.nPlaces.Add(1)
		}
	}
	return p
}

func resolvePlace(s string) placeInfo {
	if strings.TrimSpace(s) == "" {
		return placeInfo{err: fmt.Errorf("empty")}
	}
	p, err := place.Resolve(s)
	if err != nil {
		return placeInfo{err: err}
	}
	return placeInfo{Place: p, ok: true}
}

// location compares the application IP and the shipping address with the
// claimed location, and the IP with the hosting/VPN ranges.
func (c *checker) location() {
	c.shipping()
	c.applicationIP()
}

// shipping compares the shipping address with the claimed location.
func (c *checker) shipping() {
	addr := strings.TrimSpace(c.a.ShippingAddress)
	switch {
	case addr == "":
		c.skip("no shipping address")
		return
	case !c.claimed.ok:
		return // said in prepare
	}
	ship := resolvePlace(addr)
	if !ship.ok {
		c.skip("shipping address %q not resolved (%v): not compared with the claimed location", clip(addr, 80), ship.err)
		return
	}
	if ship.Country != c.claimed.Country {
		c.add("location.shipping-country", "shipping_address", false,
			"The shipping address is in %s (%s), another country than the claimed location %s.",
			ship.CountryName, ship.String(), c.claimed.String())
		return
	}
	if d := geo.Distance(ship.Point, c.claimed.Point); d > shippingFarKm {
		c.add("location.shipping-distance", "shipping_address", false,
			"The shipping address resolves to %s, %.0f km from the claimed location %s; equipment sent far from where a person says they live is the mark of a laptop farm, though people also move or ship to family.",
			ship.String(), d, c.claimed.String())
	}
}

// applicationIP geolocates the application IP and compares it with the
// claimed location, and looks it up in the hosting/VPN ranges.
func (c *checker) applicationIP() {
	ip := c.a.ApplicationIP
	if !ip.IsValid() {
		c.skip("no application IP")
		return
	}
	if c.s.hosting.Len() == 0 {
		c.skip("hosting/VPN range list not configured: application IP not checked against it")
	} else if p, label, ok := c.s.hosting.match(ip); ok {
		what := "a hosting or VPN range"
		if label != "" {
			what = fmt.Sprintf("a hosting or VPN range (%s)", clip(label, 80))
		}
		c.add("location.ip-hosting", "application_ip", false,
			"The application was sent from %s, in %s listed as %s: a data centre, VPN or proxy, not a home or office line.", ip, p, what)
	}
	if c.s.locator == nil {
		c.skip("IP geolocation not configured: application IP not located")
		return
	}
	loc, err := c.s.locator.Lookup(ip)
	switch {
	case err != nil:
		c.skip("application IP %s not located: %v", ip, err)
		return
	case loc.Source == ipgeo.SourceReserved:
		c.skip("application IP %s is not a public address: not located", ip)
		return
	case loc.Country == "":
		c.skip("application IP %s: no geolocation data", ip)
		return
	case !c.claimed.ok:
		return // said in prepare
	}
	where := loc.Country
	if loc.City != "" {
		where = loc.City + ", " + loc.Country
	}
	if loc.Country != c.claimed.Country {
		c.add("location.ip-country", "application_ip", false,
			"The application was sent from %s, which IP geolocation places in %s, not in the claimed country %s (%s); a VPN or travel can explain this, so it needs a question, not a verdict.",
			ip, where, c.claimed.Country, c.claimed.String())
		return
	}
	if loc.HasPoint {
		if d := geo.Distance(loc.Point, c.claimed.Point); d > ipFarKm {
			c.add("location.ip-distance", "application_ip", false,
				"The application was sent from %s, which IP geolocation places in %s, %.0f km from the claimed location %s.",
				ip, where, d, c.claimed.String())
		}
	}
}
