package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

// CookieName is the name of the session cookie.
const CookieName = "lagwatch_session"

// Default session lifetimes and log-in limits; see [Config].
const (
	DefaultIdleTimeout   = 12 * time.Hour
	DefaultMaxAge        = 7 * 24 * time.Hour
	DefaultMaxFailures   = 5
	DefaultFailureWindow = 15 * time.Minute
)

// touchEvery is how stale a session's expiry may get before a request
// extends it: extending on every request would write on every read.
const touchEvery = time.Minute

// tokenLen is the number of random bytes in a session token.
const tokenLen = 32

// Errors callers branch on.
var (
	// ErrInvalidCredentials is returned by Login for an unknown user, a
	// disabled user or a wrong password alike.
	ErrInvalidCredentials = errors.New("auth: invalid user name or password")
	// ErrNoSession is returned by Authenticate for a missing, malformed,
	// unknown or expired session token, or one whose user is disabled.
	ErrNoSession = errors.New("auth: no valid session")
)

// LimitError is returned by Login when too many attempts failed.
type LimitError struct {
	RetryAfter time.Duration // when the caller may try again
}

// Error implements error.
func (e *LimitError) Error() string {
	return fmt.Sprintf("auth: too many failed log-ins; try again in %s", e.RetryAfter.Round(time.Second))
}

// Store is what an [Authenticator] reads and writes. The SQLite and
// PostgreSQL stores implement it.
type Store interface {
	User(ctx context.Context, name string) (store.User, error)
	CreateSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, tokenHash []byte) (store.Session, error)
	TouchSession(ctx context.Context, tokenHash []byte, expires time.Time) error
	DeleteSession(ctx context.Context, tokenHash []byte) error
}

// Config configures an [Authenticator].
type Config struct {
	// Store holds users and sessions. Required.
	Store Store
	// IdleTimeout ends a session after this long without requests;
	// DefaultIdleTimeout when zero.
	IdleTimeout time.Duration
	// MaxAge ends a session this long after log-in however active it is;
	// DefaultMaxAge when zero.
	MaxAge time.Duration
	// MaxFailures is the number of failed log-ins per user name and client
	// IP allowed within FailureWindow; DefaultMaxFailures when zero. Ten
	// times as many are allowed per client IP over all names.
	MaxFailures int
	// FailureWindow is the period failed log-ins are counted over;
	// DefaultFailureWindow when zero.
	FailureWindow time.Duration
	// SecureCookie marks the cookie Secure even on plain-HTTP requests, for
	// a server behind a TLS-terminating proxy. Requests over TLS always get
	// a Secure cookie.
	SecureCookie bool
	// Now returns the current time; time.Now when nil. Tests set it.
	Now func() time.Time
	// Logger receives log-in failures and session errors; nil discards.
	Logger *slog.Logger
}

// Identity is a signed-in user, as of the current request.
type Identity struct {
	Name      string
	Role      Role
	ExpiresAt time.Time // when the session ends if not used again
}

// Authenticator signs users in and out and checks sessions. It is safe for
// concurrent use.
type Authenticator struct {
	cfg   Config
	log   *slog.Logger
	limit *limiter
	dummy []byte // hash checked for unknown users, so they take as long
}

// New returns an Authenticator for cfg.
func New(cfg Config) (*Authenticator, error) {
	if cfg.Store == nil {
		return nil, errors.New("auth: Config.Store is required")
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.MaxFailures == 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.FailureWindow == 0 {
		cfg.FailureWindow = DefaultFailureWindow
	}
	switch {
	case cfg.IdleTimeout < 0 || cfg.MaxAge < 0 || cfg.FailureWindow < 0 || cfg.MaxFailures < 0:
		return nil, errors.New("auth: IdleTimeout, MaxAge, MaxFailures and FailureWindow must not be negative")
	case cfg.IdleTimeout > cfg.MaxAge:
		return nil, fmt.Errorf("auth: IdleTimeout %s is longer than MaxAge %s", cfg.IdleTimeout, cfg.MaxAge)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dummy, err := HashPassword(GeneratePassword())
	if err != nil {
		return nil, err
	}
	return &Authenticator{cfg: cfg, log: log, dummy: dummy,
		limit: newLimiter(cfg.MaxFailures, cfg.FailureWindow, maxLimiterKeys)}, nil
}

// hashToken is what the store keeps of a token.
func hashToken(token []byte) []byte {
	h := sha256.Sum256(token)
	return h[:]
}

// Login checks name and password for a client at ip and, when they match
// an enabled user, starts a session and returns its token (for the cookie)
// with the user. It returns [ErrInvalidCredentials] for any mismatch and a
// [*LimitError] when too many attempts failed.
func (a *Authenticator) Login(ctx context.Context, name, password, ip string) (string, Identity, error) {
	now := a.cfg.Now()
	if wait := a.limit.blocked(name, ip, now); wait > 0 {
		a.log.Warn("log-in refused: too many failures", "user", logName(name), "ip", ip)
		return "", Identity{}, &LimitError{RetryAfter: wait}
	}
	u, err := a.cfg.Store.User(ctx, name)
	var hash []byte
	switch {
	case err == nil:
		hash = u.PasswordHash
	case errors.Is(err, store.ErrNotFound):
		hash = a.dummy
	default:
		return "", Identity{}, fmt.Errorf("log in %q: %w", logName(name), err)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		a.log.Error("stored password hash unreadable", "user", u.Name, "err", err)
		ok = false
	}
	role, rerr := ParseRole(u.Role)
	if !ok || u.Name == "" || u.Disabled || rerr != nil {
		a.limit.fail(name, ip, now)
		a.log.Info("log-in failed", "user", logName(name), "ip", ip)
		return "", Identity{}, ErrInvalidCredentials
	}
	a.limit.succeed(name, ip)
	raw := make([]byte, tokenLen)
	_, _ = rand.Read(raw)
	s := store.Session{TokenHash: hashToken(raw), User: u.Name, CreatedAt: now, ExpiresAt: a.expiry(now, now)}
	if err := a.cfg.Store.CreateSession(ctx, s); err != nil {
		return "", Identity{}, fmt.Errorf("log in %q: %w", u.Name, err)
	}
	a.log.Info("logged in", "user", u.Name, "role", u.Role, "ip", ip)
	return encodeToken(raw), Identity{Name: u.Name, Role: role, ExpiresAt: s.ExpiresAt}, nil
}

// logName keeps what an unknown client typed as a user name short in logs.
func logName(name string) string {
	if len(name) > 64 {
		return name[:64] + "…"
	}
	return name
}

// expiry is when a session created at created and used at now ends.
func (a *Authenticator) expiry(created, now time.Time) time.Time {
	idle, hard := now.Add(a.cfg.IdleTimeout), created.Add(a.cfg.MaxAge)
	if idle.After(hard) {
		return hard
	}
	return idle
}

func encodeToken(raw []byte) string { return base64.RawURLEncoding.EncodeToString(raw) }

// ParseToken decodes a session token as Login returns it: 43 characters of
// unpadded base64url encoding 32 bytes.
func ParseToken(token string) ([]byte, error) {
	if len(token) != base64.RawURLEncoding.EncodedLen(tokenLen) {
		return nil, fmt.Errorf("session token: want %d characters, have %d", base64.RawURLEncoding.EncodedLen(tokenLen), len(token))
	}
	// The decoder skips CR and LF; a token is only the URL-safe alphabet.
	if i := strings.IndexFunc(token, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}); i >= 0 {
		return nil, fmt.Errorf("session token: character %d is not in the URL-safe base64 alphabet", i)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return nil, fmt.Errorf("session token: %w", err)
	}
	if len(raw) != tokenLen {
		return nil, fmt.Errorf("session token: want %d bytes, have %d", tokenLen, len(raw))
	}
	return raw, nil
}

// Authenticate returns the user of the session with the given token. It
// extends the session's idle expiry (at most once a minute, never past its
// maximum age), deletes it when it has expired, and returns
// [ErrNoSession] for any token that does not name a live session of an
// enabled user with a known role.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (Identity, error) {
	raw, err := ParseToken(token)
	if err != nil {
		return Identity{}, ErrNoSession
	}
	th := hashToken(raw)
	s, err := a.cfg.Store.Session(ctx, th)
	if errors.Is(err, store.ErrNotFound) {
		return Identity{}, ErrNoSession
	}
	if err != nil {
		return Identity{}, fmt.Errorf("check session: %w", err)
	}
	now := a.cfg.Now()
	if !now.Before(s.ExpiresAt) {
		if err := a.cfg.Store.DeleteSession(ctx, th); err != nil {
			a.log.Warn("delete expired session", "user", s.User, "err", err)
		}
		return Identity{}, ErrNoSession
	}
	u, err := a.cfg.Store.User(ctx, s.User)
	if errors.Is(err, store.ErrNotFound) {
		return Identity{}, ErrNoSession
	}
	if err != nil {
		return Identity{}, fmt.Errorf("check session of %q: %w", s.User, err)
	}
	role, err := ParseRole(u.Role)
	if err != nil || u.Disabled {
		return Identity{}, ErrNoSession
	}
	exp := a.expiry(s.CreatedAt, now)
	if exp.Sub(s.ExpiresAt) >= touchEvery {
		if err := a.cfg.Store.TouchSession(ctx, th, exp); err != nil && !errors.Is(err, store.ErrNotFound) {
			return Identity{}, fmt.Errorf("extend session of %q: %w", s.User, err)
		}
		s.ExpiresAt = exp
	}
	return Identity{Name: u.Name, Role: role, ExpiresAt: s.ExpiresAt}, nil
}

// Logout ends the session with the given token; an unknown or malformed
// token is not an error.
func (a *Authenticator) Logout(ctx context.Context, token string) error {
	raw, err := ParseToken(token)
	if err != nil {
		return nil
	}
	if err := a.cfg.Store.DeleteSession(ctx, hashToken(raw)); err != nil {
		return fmt.Errorf("log out: %w", err)
	}
	return nil
}

// Token returns the session token of r's cookie, or "" when it has none.
func Token(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

// SetCookie sends the session cookie for token to the browser of r. It
// lasts as long as the session can: [Config.MaxAge].
func (a *Authenticator) SetCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", MaxAge: int(a.cfg.MaxAge / time.Second),
		HttpOnly: true, Secure: a.cfg.SecureCookie || r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// ClearCookie tells the browser of r to drop the session cookie.
func (a *Authenticator) ClearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.cfg.SecureCookie || r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

type identityKey struct{}

// WithIdentity returns a copy of ctx carrying id.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity [WithIdentity] put in ctx, if any.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}
