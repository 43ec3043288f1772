package wire

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
)

// Lengths of the base64 (standard, padded) forms of an Ed25519 public key
// and signature.
var (
	publicKeyB64Len = base64.StdEncoding.EncodedLen(ed25519.PublicKeySize) // 44
	signatureB64Len = base64.StdEncoding.EncodedLen(ed25519.SignatureSize) // 88
)

// Sign returns the value of the [SignatureHeader] for a request whose body
// is exactly body: the Ed25519 signature of body by priv, base64 (standard
// encoding, with padding). It panics if priv is not
// ed25519.PrivateKeySize bytes long, as ed25519.Sign does.
func Sign(priv ed25519.PrivateKey, body []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(priv, body))
}

// Verify checks sig, the value of the [SignatureHeader], against body, the
// exact bytes of the request body, and the device's public key pub. It
// returns nil if sig is a valid signature of body by pub, and an error
// saying why not otherwise (missing, malformed, or not matching). Errors
// never quote sig.
func Verify(pub ed25519.PublicKey, body []byte, sig string) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("wire: verify signature: public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	if sig == "" {
		return errors.New("wire: verify signature: no signature")
	}
	raw, err := decodeB64(sig, ed25519.SignatureSize)
	if err != nil {
		return fmt.Errorf("wire: verify signature: must be %d characters of base64 (standard, padded) encoding %d bytes", signatureB64Len, ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, body, raw) {
		return errors.New("wire: verify signature: does not match the body and the device's public key")
	}
	return nil
}

// EncodePublicKey returns pub as [EnrolRequest.PublicKey] carries it:
// base64, standard encoding with padding.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey decodes an [EnrolRequest.PublicKey]: 44 characters of
// base64 (standard encoding, with padding) that decode to an Ed25519 public
// key of 32 bytes.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	raw, err := decodeB64(s, ed25519.PublicKeySize)
	if err != nil {
		return nil, fmt.Errorf("wire: parse public key: must be %d characters of base64 (standard, padded) encoding %d bytes", publicKeyB64Len, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// decodeB64 decodes s, which must be exactly the canonical standard
// base64 encoding of n bytes. The length check comes first because the
// decoder skips line breaks, and Strict rejects non-zero padding bits, so
// that every accepted string is the only encoding of its bytes.
func decodeB64(s string, n int) ([]byte, error) {
	if len(s) != base64.StdEncoding.EncodedLen(n) {
		return nil, errors.New("wrong length")
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(raw) != n {
		return nil, errors.New("wrong length")
	}
	return raw, nil
}
