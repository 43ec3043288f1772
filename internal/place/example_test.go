package place_test

import (
	"fmt"

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/place"
)

func ExampleResolve() {
	p, err := place.Resolve("1234 W Main St, Phoenix, AZ 85004, USA")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p, p.Point)

	_, err = place.Resolve("Phoenx, AZ, US")
	fmt.Println(err)
	// Output:
	// Phoenix, AZ, US 33.4484,-112.0740
	// place: unknown place: "Phoenx, AZ, US": no city "Phoenx" in AZ, US
}

func ExampleNearest() {
	// Somewhere in the desert south-east of Phoenix.
	p, km, ok := place.Nearest(geo.Point{Lat: 32.5, Lon: -111.5}, 100000)
	if ok {
		fmt.Printf("%.0f km from %s\n", km, p)
	}
	// Output: 62 km from Tucson, AZ, US
}
