package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

// UserStore is the set of user and session methods every store
// implementation provides, with the semantics documented on [store.Store].
// Implementations must be safe for concurrent use.
type UserStore interface {
	Close() error
	PutUser(ctx context.Context, u store.User) error
	User(ctx context.Context, name string) (store.User, error)
	Users(ctx context.Context) ([]store.User, error)
	SetPassword(ctx context.Context, name string, hash []byte) error
	CreateSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, tokenHash []byte) (store.Session, error)
	TouchSession(ctx context.Context, tokenHash []byte, expires time.Time) error
	DeleteSession(ctx context.Context, tokenHash []byte) error
	PruneSessions(ctx context.Context, now time.Time) (int64, error)
}

// RunUsers runs the user and session part of the conformance suite against
// the stores that open returns, with the same rules as [Run].
func RunUsers(t *testing.T, open func(t *testing.T) UserStore) {
	tests := []subtest[UserStore]{
		{"Users", testUsers},
		{"UserInvalid", testUserInvalid},
		{"SetPassword", testSetPassword},
		{"Sessions", testSessions},
		{"SessionsEndWithPassword", testSessionsEndWithPassword},
		{"SessionInvalid", testSessionInvalid},
		{"PruneSessions", testPruneSessions},
		{"ConcurrentSessions", testSessionsConcurrent},
	}
	runAll(t, tests, open)
}

func putUser(t *testing.T, s UserStore, name, role string) store.User {
	t.Helper()
	u := store.User{Name: name, Role: role, PasswordHash: []byte("hash-of-" + name)}
	if err := s.PutUser(t.Context(), u); err != nil {
		t.Fatalf("PutUser(%s) = %v", name, err)
	}
	return u
}

func getUser(t *testing.T, s UserStore, name string) store.User {
	t.Helper()
	u, err := s.User(t.Context(), name)
	if err != nil {
		t.Fatalf("User(%s) = %v", name, err)
	}
	return u
}

func session(user string, token string, created, ttl time.Duration) store.Session {
	return store.Session{TokenHash: []byte(token), User: user, CreatedAt: t0.Add(created), ExpiresAt: t0.Add(created + ttl)}
}

func createSession(t *testing.T, s UserStore, sess store.Session) {
	t.Helper()
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatalf("CreateSession(%s) = %v", sess.TokenHash, err)
	}
}

func testUsers(t *testing.T, s UserStore) {
	ctx := t.Context()
	if us, err := s.Users(ctx); err != nil || len(us) != 0 {
		t.Fatalf("Users() on an empty store = %v, %v; want none", us, err)
	}
	before := time.Now().Add(-time.Second)
	putUser(t, s, "zoe", "hr")
	putUser(t, s, "ada@example.com", "admin")
	got := getUser(t, s, "ada@example.com")
	if got.Role != "admin" || string(got.PasswordHash) != "hash-of-ada@example.com" || got.Disabled {
		t.Errorf("User(ada@example.com) = %+v, want role admin, its hash, enabled", got)
	}
	if got.CreatedAt.Before(before) || got.CreatedAt.After(time.Now().Add(time.Second)) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("User(ada@example.com).CreatedAt = %v, want about now in UTC", got.CreatedAt)
	}
	us, err := s.Users(ctx)
	if err != nil || len(us) != 2 || us[0].Name != "ada@example.com" || us[1].Name != "zoe" {
		t.Fatalf("Users() = %+v, %v; want ada@example.com, zoe", us, err)
	}
	if !same(us[0], got) {
		t.Errorf("Users()[0] = %+v, want %+v as User returns", us[0], got)
	}
	// An update replaces role, hash and flag and keeps CreatedAt.
	upd := store.User{Name: "ada@example.com", Role: "auditor", PasswordHash: []byte("new"), Disabled: true, CreatedAt: t0}
	if err := s.PutUser(ctx, upd); err != nil {
		t.Fatalf("PutUser(update) = %v", err)
	}
	got2 := getUser(t, s, "ada@example.com")
	if got2.Role != "auditor" || string(got2.PasswordHash) != "new" || !got2.Disabled || !got2.CreatedAt.Equal(got.CreatedAt) {
		t.Errorf("User after update = %+v, want role auditor, hash new, disabled, CreatedAt %v", got2, got.CreatedAt)
	}
	_, err = s.User(ctx, "nobody")
	wantErr(t, "User(nobody)", err, store.ErrNotFound, "nobody")
}

func testUserInvalid(t *testing.T, s UserStore) {
	ok := store.User{Name: "ok", Role: "admin", PasswordHash: []byte("h")}
	long := make([]byte, store.MaxHashLen+1)
	for _, tt := range []struct {
		name    string
		edit    func(u *store.User)
		mention string
	}{
		{"empty name", func(u *store.User) { u.Name = "" }, "user name"},
		{"upper case", func(u *store.User) { u.Name = "Ada" }, "user name"},
		{"space", func(u *store.User) { u.Name = "a b" }, "user name"},
		{"long name", func(u *store.User) { u.Name = string(make([]byte, 65)) }, "1–64"},
		{"empty role", func(u *store.User) { u.Role = "" }, "Role"},
		{"empty hash", func(u *store.User) { u.PasswordHash = nil }, "PasswordHash"},
		{"long hash", func(u *store.User) { u.PasswordHash = long }, "PasswordHash"},
		{"NUL role", func(u *store.User) { u.Role = "a\x00" }, "Role"},
	} {
		u := ok
		tt.edit(&u)
		err := s.PutUser(t.Context(), u)
		wantErr(t, "PutUser("+tt.name+")", err, nil, tt.mention)
	}
	if us, err := s.Users(t.Context()); err != nil || len(us) != 0 {
		t.Errorf("Users() after invalid puts = %v, %v; want none", us, err)
	}
}

func testSetPassword(t *testing.T, s UserStore) {
	ctx := t.Context()
	putUser(t, s, "ada", "admin")
	if err := s.SetPassword(ctx, "ada", []byte("second")); err != nil {
		t.Fatalf("SetPassword(ada) = %v", err)
	}
	if got := getUser(t, s, "ada"); string(got.PasswordHash) != "second" || got.Role != "admin" {
		t.Errorf("User(ada) after SetPassword = %+v, want hash second, role admin", got)
	}
	wantErr(t, "SetPassword(nobody)", s.SetPassword(ctx, "nobody", []byte("x")), store.ErrNotFound, "nobody")
	wantErr(t, "SetPassword(ada, empty)", s.SetPassword(ctx, "ada", nil), nil, "PasswordHash")
}

func testSessions(t *testing.T, s UserStore) {
	ctx := t.Context()
	putUser(t, s, "ada", "admin")
	sess := session("ada", "token-1", 0, time.Hour)
	sess.CreatedAt = sess.CreatedAt.Add(1500 * time.Nanosecond) // stores keep microseconds
	createSession(t, s, sess)
	got, err := s.Session(ctx, []byte("token-1"))
	want := store.Session{TokenHash: []byte("token-1"), User: "ada", CreatedAt: utc(sess.CreatedAt), ExpiresAt: utc(sess.ExpiresAt)}
	if err != nil || !same(got, want) {
		t.Fatalf("Session(token-1) = %+v, %v; want %+v", got, err, want)
	}
	wantErr(t, "CreateSession(same hash)", s.CreateSession(ctx, session("ada", "token-1", 0, time.Hour)), store.ErrConflict)
	wantErr(t, "CreateSession(unknown user)", s.CreateSession(ctx, session("bob", "token-2", 0, time.Hour)), store.ErrNotFound, "bob")
	_, err = s.Session(ctx, []byte("token-2"))
	wantErr(t, "Session(token-2)", err, store.ErrNotFound)

	if err := s.TouchSession(ctx, []byte("token-1"), t0.Add(3*time.Hour)); err != nil {
		t.Fatalf("TouchSession(token-1) = %v", err)
	}
	if got, err := s.Session(ctx, []byte("token-1")); err != nil || !got.ExpiresAt.Equal(t0.Add(3*time.Hour)) || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("Session(token-1) after touch = %+v, %v; want ExpiresAt %v, CreatedAt unchanged", got, err, t0.Add(3*time.Hour))
	}
	wantErr(t, "TouchSession(unknown)", s.TouchSession(ctx, []byte("nope"), t0.Add(time.Hour)), store.ErrNotFound)

	if err := s.DeleteSession(ctx, []byte("token-1")); err != nil {
		t.Fatalf("DeleteSession(token-1) = %v", err)
	}
	_, err = s.Session(ctx, []byte("token-1"))
	wantErr(t, "Session(token-1) after delete", err, store.ErrNotFound)
	if err := s.DeleteSession(ctx, []byte("token-1")); err != nil {
		t.Errorf("DeleteSession(token-1) again = %v, want nil", err)
	}
}

func testSessionsEndWithPassword(t *testing.T, s UserStore) {
	ctx := t.Context()
	ada := putUser(t, s, "ada", "admin")
	putUser(t, s, "bob", "hr")
	createSession(t, s, session("ada", "a1", 0, time.Hour))
	createSession(t, s, session("ada", "a2", 0, time.Hour))
	createSession(t, s, session("bob", "b1", 0, time.Hour))
	alive := func(token string) bool {
		_, err := s.Session(ctx, []byte(token))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Session(%s) = %v", token, err)
		}
		return err == nil
	}
	// Same hash, new role: sessions stay.
	ada.Role = "analyst"
	if err := s.PutUser(ctx, ada); err != nil {
		t.Fatal(err)
	}
	if !alive("a1") || !alive("a2") {
		t.Errorf("sessions of ada gone after a role change; want them kept")
	}
	if err := s.SetPassword(ctx, "ada", []byte("changed")); err != nil {
		t.Fatal(err)
	}
	if alive("a1") || alive("a2") || !alive("b1") {
		t.Errorf("after SetPassword(ada): a1 %v, a2 %v, b1 %v; want false, false, true", alive("a1"), alive("a2"), alive("b1"))
	}
	createSession(t, s, session("ada", "a3", 0, time.Hour))
	ada = getUser(t, s, "ada")
	ada.PasswordHash = []byte("changed again")
	if err := s.PutUser(ctx, ada); err != nil {
		t.Fatal(err)
	}
	if alive("a3") {
		t.Errorf("session a3 alive after PutUser changed the hash; want deleted")
	}
	createSession(t, s, session("bob", "b2", 0, time.Hour))
	if err := s.PutUser(ctx, store.User{Name: "bob", Role: "hr", PasswordHash: []byte("hash-of-bob"), Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if alive("b1") || alive("b2") {
		t.Errorf("sessions of bob alive after disabling bob; want deleted")
	}
}

func testSessionInvalid(t *testing.T, s UserStore) {
	putUser(t, s, "ada", "admin")
	for _, tt := range []struct {
		name    string
		sess    store.Session
		mention string
	}{
		{"empty hash", store.Session{User: "ada", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}, "TokenHash"},
		{"bad user", store.Session{TokenHash: []byte("x"), User: "A D A", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}, "user name"},
		{"zero created", store.Session{TokenHash: []byte("x"), User: "ada", ExpiresAt: t0}, "CreatedAt"},
		{"expires first", store.Session{TokenHash: []byte("x"), User: "ada", CreatedAt: t0, ExpiresAt: t0}, "ExpiresAt"},
	} {
		wantErr(t, "CreateSession("+tt.name+")", s.CreateSession(t.Context(), tt.sess), nil, tt.mention)
	}
	wantErr(t, "TouchSession(zero)", s.TouchSession(t.Context(), []byte("x"), time.Time{}), nil, "zero expiry")
}

func testPruneSessions(t *testing.T, s UserStore) {
	ctx := t.Context()
	putUser(t, s, "ada", "admin")
	createSession(t, s, session("ada", "old", 0, time.Hour))
	createSession(t, s, session("ada", "edge", 0, 2*time.Hour))
	createSession(t, s, session("ada", "new", 0, 3*time.Hour))
	n, err := s.PruneSessions(ctx, t0.Add(2*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneSessions(t0+2h) = %d, %v; want 2", n, err)
	}
	for token, want := range map[string]bool{"old": false, "edge": false, "new": true} {
		_, err := s.Session(ctx, []byte(token))
		if got := err == nil; got != want {
			t.Errorf("Session(%s) after prune: exists %v, want %v (err %v)", token, got, want, err)
		}
	}
}

func testSessionsConcurrent(t *testing.T, s UserStore) {
	putUser(t, s, "ada", "admin")
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			// All race for one token hash: exactly one wins.
			errs[i] = s.CreateSession(t.Context(), session("ada", "same", 0, time.Hour))
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("CreateSession #%d = %v, want nil or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent CreateSession calls with one hash succeeded, want 1", won, n)
	}
}
