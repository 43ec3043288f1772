package wire_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/lagwatch/lagwatch/internal/wire"
)

// TestDocExamples checks that every JSON example in docs/wire-v1.md is a
// message some decoder accepts, so the document cannot drift from the code.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/wire-v1.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) < 7 {
		t.Fatalf("found %d JSON examples in docs/wire-v1.md, want at least 7", len(blocks))
	}
	decoders := map[string]func([]byte) error{
		"EnrolRequest":   func(b []byte) error { _, err := wire.DecodeEnrolRequest(b); return err },
		"EnrolResponse":  func(b []byte) error { _, err := wire.DecodeEnrolResponse(b); return err },
		"Batch":          func(b []byte) error { _, err := wire.DecodeBatch(b, now); return err },
		"BatchResponse":  decodeBatchResponse,
		"ProbeChallenge": decodeProbeChallenge,
		"ProbeResult":    decodeProbeResult,
		"ErrorBody":      decodeErrorBody,
	}
	used := map[string]bool{}
	for _, m := range blocks {
		var ok bool
		for name, decode := range decoders {
			if decode(m[1]) == nil {
				ok, used[name] = true, true
			}
		}
		if !ok {
			t.Errorf("no decoder accepts the example\n%s", m[1])
		}
	}
	for name := range decoders {
		if !used[name] {
			t.Errorf("docs/wire-v1.md has no valid example of %s", name)
		}
	}
}
