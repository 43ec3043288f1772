package auth

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

func TestRoleCan(t *testing.T) {
	want := map[Role][]Permission{
		Admin:   {ViewDevices, ViewApplicants, ViewRings, DecideApplicants, ImportApplicants, ManageUsers, ViewCases, WorkCases},
		Analyst: {ViewDevices, ViewApplicants, ViewRings, ViewCases, WorkCases},
		HR:      {ViewApplicants, DecideApplicants, ImportApplicants},
		Auditor: {ViewDevices, ViewApplicants, ViewRings, ViewCases},
		"root":  {},
	}
	for role, perms := range want {
		for _, p := range Permissions {
			has := false
			for _, q := range perms {
				has = has || q == p
			}
			if got := role.Can(p); got != has {
				t.Errorf("Role(%s).Can(%s) = %v, want %v", role, p, got, has)
			}
		}
	}
	if r, err := ParseRole("hr"); err != nil || r != HR {
		t.Errorf("ParseRole(hr) = %q, %v", r, err)
	}
	if _, err := ParseRole("Admin"); err == nil || !strings.Contains(err.Error(), "admin, analyst, hr, auditor") {
		t.Errorf("ParseRole(Admin) = %v, want an error listing the roles", err)
	}
}

func TestHashPassword(t *testing.T) {
	const pw = "correct horse battery"
	h1, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword(pw)
	if bytes.Equal(h1, h2) {
		t.Errorf("two hashes of one password are equal; want different salts")
	}
	if !bytes.HasPrefix(h1, []byte("$argon2id$v=19$m=19456,t=2,p=1$")) {
		t.Errorf("HashPassword() = %s, want an argon2id PHC string with m=19456,t=2,p=1", h1)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{{pw, true}, {pw + " ", false}, {"", false}, {strings.ToUpper(pw), false}, {strings.Repeat("x", 300), false}} {
		if got, err := CheckPassword(h1, tt.pw); got != tt.want || err != nil {
			t.Errorf("CheckPassword(hash, %q) = %v, %v; want %v", tt.pw, got, err, tt.want)
		}
	}
	for _, bad := range []string{"short", strings.Repeat("x", MaxPasswordLen+1)} {
		if _, err := HashPassword(bad); err == nil || !strings.Contains(err.Error(), "12–256 bytes") {
			t.Errorf("HashPassword(%d bytes) = %v, want an error naming 12–256 bytes", len(bad), err)
		}
	}
	if g := GeneratePassword(); ValidPassword(g) != nil || g == GeneratePassword() {
		t.Errorf("GeneratePassword() = %q: want a valid, fresh password", g)
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, _ := HashPassword("correct horse battery")
	parts := strings.Split(string(good), "$")
	join := func(edit func(p []string)) []byte {
		p := append([]string{}, parts...)
		edit(p)
		return []byte(strings.Join(p, "$"))
	}
	for name, h := range map[string][]byte{
		"empty":       nil,
		"bcrypt":      []byte("$2a$10$abcdefghijklmnopqrstuuvwxyzabcdefghijklmnopqrstuvwxyz12"),
		"argon2i":     join(func(p []string) { p[1] = "argon2i" }),
		"version":     join(func(p []string) { p[2] = "v=16" }),
		"huge memory": join(func(p []string) { p[3] = "m=4194304,t=2,p=1" }),
		"zero time":   join(func(p []string) { p[3] = "m=19456,t=0,p=1" }),
		"zero lanes":  join(func(p []string) { p[3] = "m=19456,t=2,p=0" }),
		"order":       join(func(p []string) { p[3] = "t=2,m=19456,p=1" }),
		"short salt":  join(func(p []string) { p[4] = "AAAA" }),
		"padded key":  join(func(p []string) { p[5] += "=" }),
		"extra field": append(append([]byte{}, good...), "$x"...),
		"long":        bytes.Repeat([]byte("$"), 600),
	} {
		ok, err := CheckPassword(h, "correct horse battery")
		if ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("CheckPassword(%s) = %v, %v; want false, ErrMalformedHash", name, ok, err)
		}
	}
}

func FuzzParseHash(f *testing.F) {
	good, _ := HashPassword("correct horse battery")
	f.Add(good)
	f.Add([]byte("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"))
	f.Add([]byte("$argon2id$v=19$m=,t=1,p=1$$"))
	f.Fuzz(func(t *testing.T, h []byte) {
		p, err := parseHash(h)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("parseHash(%q) = %v, want ErrMalformedHash", h, err)
			}
			return
		}
		if p.memory > maxMemory || p.time > maxTime || p.threads == 0 || p.threads > maxThreads || len(p.key) < 16 {
			t.Fatalf("parseHash(%q) = %+v, outside the limits", h, p)
		}
		again, err := parseHash(encodeHash(p))
		if err != nil || again.memory != p.memory || again.time != p.time || again.threads != p.threads ||
			!bytes.Equal(again.salt, p.salt) || !bytes.Equal(again.key, p.key) {
			t.Fatalf("parseHash(encodeHash(parseHash(%q))) = %+v, %v; want %+v", h, again, err, p)
		}
	})
}

func FuzzParseToken(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB") // non-zero padding bits
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		raw, err := ParseToken(s)
		if err != nil {
			return
		}
		if len(raw) != tokenLen {
			t.Fatalf("ParseToken(%q) = %d bytes, want %d", s, len(raw), tokenLen)
		}
		// Strict decoding: one token, one encoding.
		if enc := encodeToken(raw); enc != s {
			t.Fatalf("ParseToken(%q) re-encodes as %q", s, enc)
		}
	})
}

// clock is a fake clock for the session tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const testPassword = "correct horse battery"

// newTest returns an Authenticator on a new SQLite store with the users
// ada (admin), hal (hr) and off (disabled analyst), all with testPassword.
func newTest(t *testing.T, cfg Config) (*Authenticator, *store.Store, *clock) {
	t.Helper()
	s, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []store.User{{Name: "ada", Role: "admin"}, {Name: "hal", Role: "hr"}, {Name: "off", Role: "analyst", Disabled: true}} {
		u.PasswordHash = h
		if err := s.PutUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	c := &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	cfg.Store, cfg.Now = s, c.Now
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, s, c
}

func TestLogin(t *testing.T) {
	a, s, _ := newTest(t, Config{})
	ctx := t.Context()
	token, id, err := a.Login(ctx, "ada", testPassword, "192.0.2.1")
	if err != nil || id.Name != "ada" || id.Role != Admin {
		t.Fatalf("Login(ada) = %+v, %v; want ada, admin", id, err)
	}
	raw, err := ParseToken(token)
	if err != nil {
		t.Fatalf("ParseToken(Login's token) = %v", err)
	}
	// The store holds the token's hash, never the token.
	if _, err := s.Session(ctx, raw); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session(raw token) = %v, want ErrNotFound: only the hash is stored", err)
	}
	if got, err := s.Session(ctx, hashToken(raw)); err != nil || got.User != "ada" {
		t.Errorf("Session(sha256(token)) = %+v, %v; want ada's session", got, err)
	}
	got, err := a.Authenticate(ctx, token)
	if err != nil || got.Name != "ada" || got.Role != Admin {
		t.Errorf("Authenticate(token) = %+v, %v; want ada, admin", got, err)
	}
	for _, tt := range []struct{ name, pw string }{
		{"ada", "wrong password!"},
		{"nobody", testPassword},
		{"off", testPassword}, // disabled
		{"ADA", testPassword},
		{"", ""},
	} {
		_, _, err := a.Login(ctx, tt.name, tt.pw, "192.0.2.2")
		if err != ErrInvalidCredentials {
			t.Errorf("Login(%q, %q) = %v, want exactly ErrInvalidCredentials", tt.name, tt.pw, err)
		}
	}
	for _, tok := range []string{"", "x", token + "A", strings.Repeat("A", 43)} {
		if _, err := a.Authenticate(ctx, tok); err != ErrNoSession {
			t.Errorf("Authenticate(%q) = %v, want ErrNoSession", tok, err)
		}
	}
	// A role change applies at once; disabling ends the session.
	u, _ := s.User(ctx, "ada")
	u.Role = "auditor"
	if err := s.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Authenticate(ctx, token); err != nil || got.Role != Auditor {
		t.Errorf("Authenticate after role change = %+v, %v; want auditor", got, err)
	}
	u.Disabled = true
	if err := s.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, token); err != ErrNoSession {
		t.Errorf("Authenticate after disabling = %v, want ErrNoSession", err)
	}
}

func TestLogout(t *testing.T) {
	a, _, _ := newTest(t, Config{})
	ctx := t.Context()
	token, _, err := a.Login(ctx, "hal", testPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := a.Login(ctx, "hal", testPassword, "192.0.2.1")
	if err := a.Logout(ctx, token); err != nil {
		t.Fatalf("Logout() = %v", err)
	}
	if _, err := a.Authenticate(ctx, token); err != ErrNoSession {
		t.Errorf("Authenticate after Logout = %v, want ErrNoSession", err)
	}
	if _, err := a.Authenticate(ctx, other); err != nil {
		t.Errorf("Authenticate(hal's other session) after Logout = %v, want it alive", err)
	}
	if err := a.Logout(ctx, "garbage"); err != nil {
		t.Errorf("Logout(garbage) = %v, want nil", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	a, s, c := newTest(t, Config{IdleTimeout: time.Hour, MaxAge: 3 * time.Hour})
	ctx := t.Context()
	token, id, err := a.Login(ctx, "ada", testPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	start := c.Now()
	if !id.ExpiresAt.Equal(start.Add(time.Hour)) {
		t.Errorf("Login().ExpiresAt = %v, want %v", id.ExpiresAt, start.Add(time.Hour))
	}
	// Use every 50 minutes keeps it alive, until the maximum age.
	for i := 1; i <= 3; i++ {
		c.Add(50 * time.Minute)
		got, err := a.Authenticate(ctx, token)
		if err != nil {
			t.Fatalf("Authenticate at +%d×50m = %v, want alive", i, err)
		}
		want := c.Now().Add(time.Hour)
		if hard := start.Add(3 * time.Hour); want.After(hard) {
			want = hard
		}
		if !got.ExpiresAt.Equal(want) {
			t.Errorf("Authenticate at +%d×50m: ExpiresAt %v, want %v", i, got.ExpiresAt, want)
		}
	}
	c.Add(30 * time.Minute) // 3h20m after log-in: past the maximum age
	if _, err := a.Authenticate(ctx, token); err != ErrNoSession {
		t.Errorf("Authenticate past MaxAge = %v, want ErrNoSession", err)
	}
	raw, _ := ParseToken(token)
	if _, err := s.Session(ctx, hashToken(raw)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session still stored (%v); want it deleted", err)
	}

	// Idle: no use for an hour ends it.
	token, _, _ = a.Login(ctx, "ada", testPassword, "192.0.2.1")
	c.Add(59 * time.Minute)
	if _, err := a.Authenticate(ctx, token); err != nil {
		t.Fatalf("Authenticate after 59m idle = %v", err)
	}
	c.Add(60 * time.Minute)
	if _, err := a.Authenticate(ctx, token); err != ErrNoSession {
		t.Errorf("Authenticate after 60m idle = %v, want ErrNoSession", err)
	}

	if _, err := New(Config{Store: s, IdleTimeout: 2 * time.Hour, MaxAge: time.Hour}); err == nil {
		t.Errorf("New(IdleTimeout > MaxAge) = nil error")
	}
}

func TestRateLimit(t *testing.T) {
	a, _, c := newTest(t, Config{MaxFailures: 3, FailureWindow: 10 * time.Minute})
	ctx := t.Context()
	for i := range 3 {
		if _, _, err := a.Login(ctx, "ada", "wrong password!", "192.0.2.1"); err != ErrInvalidCredentials {
			t.Fatalf("failure #%d: Login() = %v", i+1, err)
		}
	}
	// Blocked now, even with the right password; unknown names too.
	_, _, err := a.Login(ctx, "ada", testPassword, "192.0.2.1")
	le, ok := errors.AsType[*LimitError](err)
	if !ok || le.RetryAfter != 10*time.Minute {
		t.Fatalf("Login(ada, right password) after 3 failures = %v, want a LimitError with RetryAfter 10m", err)
	}
	// Another IP, or another name from this IP, is not blocked.
	if _, _, err := a.Login(ctx, "ada", testPassword, "192.0.2.9"); err != nil {
		t.Errorf("Login(ada) from another IP = %v, want success", err)
	}
	if _, _, err := a.Login(ctx, "hal", testPassword, "192.0.2.1"); err != nil {
		t.Errorf("Login(hal) from the blocked pair's IP = %v, want success", err)
	}
	c.Add(10 * time.Minute)
	if _, _, err := a.Login(ctx, "ada", testPassword, "192.0.2.1"); err != nil {
		t.Errorf("Login(ada) after the window = %v, want success", err)
	}
	// Unknown names count too, and per IP over all names (10× the limit).
	for i := range 30 {
		name := "nobody" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if _, _, err := a.Login(ctx, name, "wrong password!", "198.51.100.1"); err != ErrInvalidCredentials {
			t.Fatalf("spray #%d: Login(%s) = %v", i, name, err)
		}
	}
	if _, _, err := a.Login(ctx, "hal", testPassword, "198.51.100.1"); !isLimit(err) {
		t.Errorf("Login(hal) after 30 failures from one IP = %v, want a LimitError", err)
	}
}

func isLimit(err error) bool { _, ok := errors.AsType[*LimitError](err); return ok }

func TestLimiterBounded(t *testing.T) {
	l := newLimiter(3, time.Minute, 100)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		l.fail("u", string(rune(i)), now)
	}
	if n := len(l.keys); n > 101 {
		t.Errorf("limiter holds %d keys with capacity 100", n)
	}
}
