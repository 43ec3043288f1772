package wire_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/wire"
)

// testKey is a fixed key pair, so that tests and examples are repeatable.
var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

func testPublicKey() ed25519.PublicKey { return testKey.Public().(ed25519.PublicKey) }

func TestSignVerify(t *testing.T) {
	body := []byte(goodBatch)
	sig := wire.Sign(testKey, body)
	if len(sig) != 88 || !strings.HasSuffix(sig, "==") {
		t.Errorf("Sign() = %q, want 88 characters of padded base64", sig)
	}
	if err := wire.Verify(testPublicKey(), body, sig); err != nil {
		t.Fatalf("Verify(Sign(body)) = %v", err)
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
	tampered := bytes.Clone(body)
	tampered[len(tampered)-3] ^= 1
	raw, _ := base64.StdEncoding.DecodeString(sig)
	tests := []struct {
		name    string
		pub     ed25519.PublicKey
		body    []byte
		sig     string
		wantHas string
	}{
		{"tampered body", testPublicKey(), tampered, sig, "does not match"},
		{"extra byte", testPublicKey(), append(bytes.Clone(body), ' '), sig, "does not match"},
		{"other key", other.Public().(ed25519.PublicKey), body, sig, "does not match"},
		{"signature by other key", testPublicKey(), body, wire.Sign(other, body), "does not match"},
		{"missing", testPublicKey(), body, "", "no signature"},
		{"url alphabet", testPublicKey(), body, base64.URLEncoding.EncodeToString(raw), "base64"},
		{"unpadded", testPublicKey(), body, base64.RawStdEncoding.EncodeToString(raw), "88 characters"},
		{"line break", testPublicKey(), body, sig[:40] + "\n" + sig[41:], "88 characters"},
		{"not base64", testPublicKey(), body, strings.Repeat("!", 88), "base64"},
		{"short", testPublicKey(), body, base64.StdEncoding.EncodeToString(raw[:63]), "88 characters"},
		{"no public key", nil, body, sig, "public key is 0 bytes"},
		{"short public key", testPublicKey()[:31], body, sig, "public key is 31 bytes"},
	}
	for _, tt := range tests {
		err := wire.Verify(tt.pub, tt.body, tt.sig)
		if err == nil || !strings.Contains(err.Error(), tt.wantHas) {
			t.Errorf("Verify(%s) = %v, want an error containing %q", tt.name, err, tt.wantHas)
		}
		if err != nil && len(tt.sig) > 8 && strings.Contains(err.Error(), tt.sig[:8]) {
			t.Errorf("Verify(%s) = %v quotes the signature", tt.name, err)
		}
	}
}

func TestPublicKey(t *testing.T) {
	pub := testPublicKey()
	s := wire.EncodePublicKey(pub)
	got, err := wire.ParsePublicKey(s)
	if err != nil || !got.Equal(pub) {
		t.Fatalf("ParsePublicKey(EncodePublicKey(pub)) = %x, %v; want %x", got, err, pub)
	}
	for name, bad := range map[string]string{
		"empty":         "",
		"31 bytes":      base64.StdEncoding.EncodeToString(pub[:31]),
		"33 bytes":      base64.StdEncoding.EncodeToString(append(bytes.Clone(pub), 0)),
		"unpadded":      base64.RawStdEncoding.EncodeToString(pub),
		"non-canonical": nonCanonical(s),
		"newline":       s[:20] + "\n" + s[21:],
	} {
		if _, err := wire.ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%s: %q) = nil error, want one", name, bad)
		}
	}
}

// nonCanonical returns s, the padded base64 of 32 bytes, with the unused
// low bits of its last data character set: the same bytes to a lenient
// decoder, rejected by a strict one.
func nonCanonical(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := strings.IndexByte(alphabet, s[42])
	return s[:42] + string(alphabet[i|1]) + s[43:]
}

func TestDecodeEnrolRequestPublicKey(t *testing.T) {
	pub := wire.EncodePublicKey(testPublicKey())
	req := func(key string) string {
		return `{"version":1,"token":"t","hostname":"h","os":"o","agent_version":"v","public_key":"` + key + `"}`
	}
	r, err := wire.DecodeEnrolRequest([]byte(req(pub)))
	if err != nil || r.PublicKey != pub {
		t.Fatalf("DecodeEnrolRequest(with key) = %+v, %v; want the key", r, err)
	}
	if k, err := wire.ParsePublicKey(r.PublicKey); err != nil || !k.Equal(testPublicKey()) {
		t.Errorf("ParsePublicKey(decoded) = %x, %v", k, err)
	}
	for name, bad := range map[string]string{
		"31 bytes":      base64.StdEncoding.EncodeToString(testPublicKey()[:31]),
		"url alphabet":  strings.NewReplacer("+", "-", "/", "_").Replace(pub),
		"unpadded":      strings.TrimRight(pub, "="),
		"non-canonical": nonCanonical(pub),
		"spaces":        " " + pub[1:],
	} {
		if name == "url alphabet" && !strings.ContainsAny(pub, "+/") {
			continue // this key's encoding has neither character
		}
		_, err := wire.DecodeEnrolRequest([]byte(req(bad)))
		checkFieldError(t, err, wire.CodeInvalidField, "public_key", "44 characters of base64")
	}
	if _, err := wire.DecodeEnrolRequest([]byte(`{"version":1,"token":"t","hostname":"h","os":"o","agent_version":"v","public_key":7}`)); err == nil {
		t.Error("DecodeEnrolRequest(public_key number) = nil error")
	}
}

func BenchmarkVerify(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 8<<10)
	sig := wire.Sign(testKey, body)
	pub := testPublicKey()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := wire.Verify(pub, body, sig); err != nil {
			b.Fatal(err)
		}
	}
}
