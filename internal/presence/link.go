package presence

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Limits of signed links.
const (
	// MinLinkKey is the shortest key [NewLinks] accepts, in bytes.
	MinLinkKey = 32
	// MaxLinkTTL is the longest a link may stay valid.
	MaxLinkTTL = 7 * 24 * time.Hour
	// maxToken bounds a token's length in bytes: a 64-byte worker ID and
	// the fixed fields, base64-encoded, fit well inside it.
	maxToken = 256
	// linkVersion is the first byte of every payload.
	linkVersion = 1
	// linkFixed is the payload's length before the worker ID: version,
	// link ID, expiry (Unix seconds), enrol flag.
	linkFixed = 1 + sessionIDLen/2 + 8 + 1
)

// ErrLink is wrapped by every error of [Links.Identify]: the request
// carried no link, or one that is malformed, forged or expired.
var ErrLink = errors.New("presence link")

// Links issues and checks signed presence links. A link names the worker
// and whether the session enrols, carries a random link ID and an expiry,
// and is signed with HMAC-SHA256 under a server key, so that nobody
// without the key can start a challenge for a worker, and a worker cannot
// turn a challenge into an enrolment. The link ID becomes the session's
// ID, so a link yields at most one stored session (see [Subject.Link]).
//
// The page reads the token from its own URL (?t=TOKEN) and sends it to
// the start call as "Authorization: Bearer TOKEN"; [Links.Identify] is a
// [Config.Identify]. Links is safe for concurrent use.
type Links struct {
	key []byte
	now func() time.Time
}

// NewLinks returns Links signing with key, at least [MinLinkKey] bytes.
// now is the clock expiries are checked against; nil means time.Now.
func NewLinks(key []byte, now func() time.Time) (*Links, error) {
	if len(key) < MinLinkKey {
		return nil, fmt.Errorf("presence link key: %d bytes, want at least %d", len(key), MinLinkKey)
	}
	if now == nil {
		now = time.Now
	}
	return &Links{key: append([]byte(nil), key...), now: now}, nil
}

// Token returns a new signed token for s (s.Link is ignored: every token
// gets a fresh link ID) that is valid for ttl, at most [MaxLinkTTL].
func (l *Links) Token(s Subject, ttl time.Duration) (string, error) {
	if err := checkWorkerID(s.WorkerID); err != nil {
		return "", err
	}
	if s.WorkerID == "" {
		return "", &fieldError{Field: "worker_id", Msg: "required"}
	}
	if ttl <= 0 || ttl > MaxLinkTTL {
		return "", fmt.Errorf("presence link ttl %v: want more than 0 and at most %v", ttl, MaxLinkTTL)
	}
	p := make([]byte, linkFixed, linkFixed+len(s.WorkerID))
	p[0] = linkVersion
	_, _ = rand.Read(p[1 : 1+sessionIDLen/2]) // never fails (crypto/rand)
	binary.BigEndian.PutUint64(p[1+sessionIDLen/2:], uint64(l.now().Add(ttl).Unix()))
	if s.Enrol {
		p[linkFixed-1] = 1
	}
	p = append(p, s.WorkerID...)
	return base64.RawURLEncoding.EncodeToString(p) + "." + base64.RawURLEncoding.EncodeToString(l.mac(p)), nil
}

func (l *Links) mac(p []byte) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte("lagwatch presence link v1\x00"))
	m.Write(p)
	return m.Sum(nil)
}

// Identify returns the subject of the token in r's Authorization header
// ("Bearer TOKEN"), with Link set to the link ID. Its errors wrap
// [ErrLink] and say what is wrong (missing, malformed, forged or
// expired); the handler logs them and answers 403 without detail.
func (l *Links) Identify(r *http.Request) (Subject, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return Subject{}, fmt.Errorf("%w: no Authorization: Bearer token", ErrLink)
	}
	return l.Parse(tok)
}

// Parse checks a token and returns its subject, with Link set to the link
// ID. Its errors wrap [ErrLink].
func (l *Links) Parse(tok string) (Subject, error) {
	if len(tok) > maxToken {
		return Subject{}, fmt.Errorf("%w: token of %d bytes, limit %d", ErrLink, len(tok), maxToken)
	}
	body, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return Subject{}, fmt.Errorf("%w: token has no signature", ErrLink)
	}
	p, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Subject{}, fmt.Errorf("%w: token payload: %v", ErrLink, err)
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return Subject{}, fmt.Errorf("%w: token signature: %v", ErrLink, err)
	}
	if !hmac.Equal(mac, l.mac(p)) {
		return Subject{}, fmt.Errorf("%w: bad signature", ErrLink)
	}
	// Signed by us: the layout below was written by Token.
	if len(p) < linkFixed || p[0] != linkVersion || p[linkFixed-1] > 1 {
		return Subject{}, fmt.Errorf("%w: unknown token layout", ErrLink)
	}
	exp := time.Unix(int64(binary.BigEndian.Uint64(p[1+sessionIDLen/2:])), 0)
	if !l.now().Before(exp) {
		return Subject{}, fmt.Errorf("%w: expired at %v", ErrLink, exp.UTC().Format(time.RFC3339))
	}
	s := Subject{
		WorkerID: string(p[linkFixed:]),
		Enrol:    p[linkFixed-1] == 1,
		Link:     hex.EncodeToString(p[1 : 1+sessionIDLen/2]),
		Expires:  exp,
	}
	if err := checkWorkerID(s.WorkerID); err != nil || s.WorkerID == "" {
		return Subject{}, fmt.Errorf("%w: bad worker ID", ErrLink)
	}
	return s, nil
}
