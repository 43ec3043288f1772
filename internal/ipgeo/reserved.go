package ipgeo

import "net/netip"

// reservedPrefixes are the IANA special-purpose blocks (RFC 6890 and the
// IPv4 and IPv6 Special-Purpose Address Registries) that are not globally
// routable, plus multicast and the rest of 240.0.0.0/4. IPv6 outside
// globalUnicast is reserved as a whole; its blocks are listed for the reader.
var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("10.0.0.0/8"),      // private
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local
	netip.MustParsePrefix("172.16.0.0/12"),   // private
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (TEST-NET-1)
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast
	netip.MustParsePrefix("192.168.0.0/16"),  // private
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation (TEST-NET-3)
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the limited broadcast address

	netip.MustParsePrefix("::/127"),        // unspecified and loopback
	netip.MustParsePrefix("::ffff:0:0/96"), // IPv4-mapped (Lookup unmaps these first)
	netip.MustParsePrefix("64:ff9b::/96"),  // IPv4/IPv6 translation (NAT64)
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),      // discard-only
	netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments, Teredo
	netip.MustParsePrefix("2001:db8::/32"), // documentation
	netip.MustParsePrefix("3fff::/20"),     // documentation
	netip.MustParsePrefix("5f00::/16"),     // segment routing (SRv6) SIDs
	netip.MustParsePrefix("fc00::/7"),      // unique local
	netip.MustParsePrefix("fe80::/10"),     // link-local
	netip.MustParsePrefix("ff00::/8"),      // multicast
}

// globalUnicast is the only IPv6 block IANA allocates for global unicast.
var globalUnicast = netip.MustParsePrefix("2000::/3")

// IsReserved reports whether addr is not a globally routable unicast
// address, and so has no location: loopback, private, CGNAT, link-local,
// documentation, benchmarking (198.18.0.0/15), multicast or otherwise
// reserved. An IPv4-mapped IPv6 address is judged by its IPv4 address.
func IsReserved(addr netip.Addr) bool {
	addr = addr.Unmap().WithZone("")
	if !addr.IsValid() || (addr.Is6() && !globalUnicast.Contains(addr)) {
		return true
	}
	for _, p := range reservedPrefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
