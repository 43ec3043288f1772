package store

import (
	"fmt"
	"time"
)

// User is a person who may sign in to the dashboard. Only the hash of the
// password is stored (package auth makes and checks it).
type User struct {
	Name         string    // log-in name: 1–64 bytes of a–z, 0–9, '.', '_', '-', '@'
	Role         string    // one of package auth's roles; the store only checks its form
	PasswordHash []byte    // the encoded password hash; never empty
	CreatedAt    time.Time // set by the store on first insert
	Disabled     bool      // a disabled user cannot sign in and loses its sessions
}

// Session is a signed-in browser. The store keeps the SHA-256 hash of the
// session token, never the token.
type Session struct {
	TokenHash []byte    // SHA-256 of the token in the cookie
	User      string    // the signed-in user's Name
	CreatedAt time.Time // when the user signed in
	ExpiresAt time.Time // when the session ends unless touched
}

// Limits of user and session fields.
const (
	MaxUserNameLen = 64   // bytes in User.Name
	MaxRoleLen     = 32   // bytes in User.Role
	MaxHashLen     = 1024 // bytes in User.PasswordHash and Session.TokenHash
)

// Validate checks u before it is stored. Errors name the field and the limit.
func (u User) Validate() error {
	if err := ValidUserName(u.Name); err != nil {
		return err
	}
	if u.Role == "" || len(u.Role) > MaxRoleLen {
		return fmt.Errorf("Role %q: want 1–%d bytes", u.Role, MaxRoleLen)
	}
	if err := text("Role", u.Role); err != nil {
		return err
	}
	if len(u.PasswordHash) == 0 || len(u.PasswordHash) > MaxHashLen {
		return fmt.Errorf("PasswordHash: want 1–%d bytes, have %d", MaxHashLen, len(u.PasswordHash))
	}
	return nil
}

// ValidUserName checks a log-in name: 1–64 bytes of lower-case ASCII
// letters, digits, '.', '_', '-' and '@'.
func ValidUserName(name string) error {
	if name == "" || len(name) > MaxUserNameLen {
		return fmt.Errorf("user name %q: want 1–%d bytes", name, MaxUserNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' || c == '@') {
			return fmt.Errorf("user name %q: byte %d is %q; want a–z, 0–9, '.', '_', '-' or '@'", name, i, c)
		}
	}
	return nil
}

// Validate checks s before it is stored.
func (s Session) Validate() error {
	if len(s.TokenHash) == 0 || len(s.TokenHash) > MaxHashLen {
		return fmt.Errorf("TokenHash: want 1–%d bytes, have %d", MaxHashLen, len(s.TokenHash))
	}
	if err := ValidUserName(s.User); err != nil {
		return err
	}
	if s.CreatedAt.IsZero() {
		return fmt.Errorf("CreatedAt is zero")
	}
	if !s.ExpiresAt.After(s.CreatedAt) {
		return fmt.Errorf("ExpiresAt %s is not after CreatedAt %s", s.ExpiresAt.UTC().Format(time.RFC3339), s.CreatedAt.UTC().Format(time.RFC3339))
	}
	return nil
}
