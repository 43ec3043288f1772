package hardware_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/lagwatch/lagwatch/internal/endpoint/hardware"
)

// An owner's identifiers file adds rules for hardware the defaults do not
// know; Config.ExtraIdentifiers names it.
func ExampleReadIdentifiers() {
	const file = `# our lab's capture cards
device,kind,vendor_id,product_id,manufacturer,product,serial,strength,source
Acme KVM,usb,abcd,0001,,,,strong,inventory ticket 7
Acme KVM,edid,,0042,ACM,Acme Capture,,strong,inventory ticket 7
`
	ids, err := hardware.ReadIdentifiers(strings.NewReader(file))
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range ids {
		fmt.Println(id.Device, id.Strength, id.Rule())
	}
	// Output:
	// Acme KVM strong usb vendor_id=abcd product_id=0001
	// Acme KVM strong edid manufacturer=ACM product_code=0042 name="Acme Capture"
}
