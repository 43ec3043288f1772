package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Password length limits, in bytes.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// The argon2id parameters of new hashes (OWASP's minimum).
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	saltLen      = 16
	keyLen       = 32
)

// Limits on the parameters [CheckPassword] accepts from a stored hash, so
// that a corrupt or hostile hash cannot make a log-in take gigabytes or
// minutes.
const (
	maxMemory  = 256 * 1024 // KiB
	maxTime    = 16
	maxThreads = 16
)

// ErrMalformedHash is returned by [CheckPassword] for a stored hash it
// cannot read.
var ErrMalformedHash = errors.New("auth: malformed password hash")

var b64 = base64.RawStdEncoding

// ValidPassword checks a new password's length.
func ValidPassword(password string) error {
	if n := len(password); n < MinPasswordLen || n > MaxPasswordLen {
		return fmt.Errorf("password: want %d–%d bytes, have %d", MinPasswordLen, MaxPasswordLen, n)
	}
	return nil
}

// HashPassword returns the argon2id hash of password as a PHC string. The
// password must pass [ValidPassword].
func HashPassword(password string) ([]byte, error) {
	if err := ValidPassword(password); err != nil {
		return nil, err
	}
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt) // never fails
	return encodeHash(hashParams{memory: argonMemory, time: argonTime, threads: argonThreads, salt: salt,
		key: argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, keyLen)}), nil
}

// CheckPassword reports whether password matches hash, comparing in
// constant time. It returns an error wrapping [ErrMalformedHash] when hash
// cannot be read.
func CheckPassword(hash []byte, password string) (bool, error) {
	p, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLen {
		return false, nil
	}
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

type hashParams struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func encodeHash(p hashParams) []byte {
	return fmt.Appendf(nil, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		b64.EncodeToString(p.salt), b64.EncodeToString(p.key))
}

// parseHash reads a PHC argon2id string as [encodeHash] writes it.
func parseHash(hash []byte) (hashParams, error) {
	var p hashParams
	fail := func(what string) (hashParams, error) {
		return hashParams{}, fmt.Errorf("%w: %s", ErrMalformedHash, what)
	}
	if len(hash) > 512 {
		return fail("longer than 512 bytes")
	}
	parts := strings.Split(string(hash), "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("want $argon2id$v=19$m=M,t=T,p=P$SALT$KEY")
	}
	if parts[1] != "argon2id" {
		return fail("algorithm " + strconv.Quote(parts[1]) + ", want argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("version " + strconv.Quote(parts[2]) + ", want v=19")
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return fail("parameters " + strconv.Quote(parts[3]) + ", want m=M,t=T,p=P")
	}
	for i, spec := range []struct {
		name string
		max  uint64
	}{{"m", maxMemory}, {"t", maxTime}, {"p", maxThreads}} {
		v, ok := strings.CutPrefix(params[i], spec.name+"=")
		if !ok {
			return fail("parameter " + strconv.Quote(params[i]) + ", want " + spec.name + "=N")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n < 1 || n > spec.max {
			return fail(fmt.Sprintf("parameter %s=%s: want 1–%d", spec.name, v, spec.max))
		}
		switch spec.name {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			p.threads = uint8(n)
		}
	}
	if p.memory < 8*uint32(p.threads) {
		return fail("parameter m: want at least 8 KiB per lane")
	}
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 || len(p.salt) > 64 {
		return fail("salt: want 8–64 bytes, unpadded base64")
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return fail("key: want 16–64 bytes, unpadded base64")
	}
	return p, nil
}

// GeneratePassword returns a random password of 20 characters from an
// alphabet without look-alikes (about 116 bits).
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b)
}

// randIntn returns a uniform random int in [0, n) for 0 < n ≤ 256.
func randIntn(n int) int {
	var b [1]byte
	limit := 256 - 256%n // reject the biased top
	for {
		_, _ = rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
