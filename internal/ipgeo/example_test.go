package ipgeo_test

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/lagwatch/lagwatch/internal/ipgeo"
)

func ExampleLocator_Lookup() {
	// No city database: countries from the embedded iploc data.
	l, err := ipgeo.Open("")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	for _, s := range []string{"8.8.8.8", "192.168.1.10"} {
		loc, err := l.Lookup(netip.MustParseAddr(s))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %q from %s\n", s, loc.Country, loc.Source)
	}
	// Output:
	// 8.8.8.8: "US" from iploc
	// 192.168.1.10: "" from reserved
}
