package wire_test

import (
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
