package wire_test

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/lagwatch/lagwatch/internal/wire"
)

// ExampleDecodeBatch shows the error a server returns for an out-of-range
// sample: it names the field and the limit.
func ExampleDecodeBatch() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"version":1,"batch_id":"b-42","samples":[
		{"landmark":"us-west","at":"2026-03-01T11:59:58Z","rtt_us":31250},
		{"landmark":"us-west","at":"2026-03-01T11:59:59Z","rtt_us":0}]}`)
	_, err := wire.DecodeBatch(body, now)
	if fe, ok := errors.AsType[*wire.FieldError](err); ok {
		fmt.Println(fe.Code, fe.Field, fe.Reason)
	}
	// Output: invalid_field samples[1].rtt_us must be between 1 and 60000000
}

// ExampleSign shows how the agent signs a batch body and the server
// verifies the same bytes with the public key sent at enrolment.
func ExampleSign() {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) // the agent keeps its own random key
	enrolKey := wire.EncodePublicKey(priv.Public().(ed25519.PublicKey))

	body := []byte(`{"version":1,"batch_id":"b-42"}`)
	sig := wire.Sign(priv, body) // sent as the Lagwatch-Signature header

	pub, err := wire.ParsePublicKey(enrolKey) // the server, from the enrolment
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(wire.Verify(pub, body, sig))
	fmt.Println(wire.Verify(pub, []byte(`{"version":1,"batch_id":"b-43"}`), sig))
	// Output:
	// <nil>
	// wire: verify signature: does not match the body and the device's public key
}
