package screen_test

import (
	"fmt"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/screen"
)

func ExampleScreener_Check() {
	s, err := screen.New(screen.Config{})
	if err != nil {
		panic(err)
	}
	a := &hiring.Applicant{
		ID:              "a-17",
		Name:            "James Miller",
		Emails:          []string{"james.miller@yopmail.com"},
		Phones:          []string{"+44 20 7946 0958"},
		ClaimedLocation: "Phoenix, AZ",
		ShippingAddress: "2710 Old Lebanon Rd, Nashville, TN 37214",
	}
	shared := []hiring.Shared{{Kind: "address", Value: "2710 old lebanon rd nashville tn 37214", With: []string{"a-9", "worker:w-4"}}}
	r := s.Check(a, shared)
	fmt.Println(r.Level, r.Score)
	for _, e := range r.Evidence {
		fmt.Printf("%.1f %s %s\n", e.Weight, e.Check, e.Field)
	}
	fmt.Println(r.Evidence[0].Sentence)
	// Output:
	// high 9.5
	// 3.0 email.disposable emails[0]
	// 3.0 shared.address-worker shipping_address
	// 2.0 phone.country phones[0]
	// 1.5 location.shipping-distance shipping_address
	// The e-mail address james.miller@yopmail.com is at yopmail.com, a disposable-mail service whose addresses anyone can create without identification and which expire.
}
