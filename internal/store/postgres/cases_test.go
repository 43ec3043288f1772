package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lagwatch/lagwatch/internal/store/postgres"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

// TestAuditTamper changes the audit log through a connection of the
// database's owner, bypassing the store.
func TestAuditTamper(t *testing.T) {
	u := freshDatabase(t)
	s, err := postgres.Open(t.Context(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	exec := func(q string) error { _, err := conn.Exec(t.Context(), q); return err }
	storetest.AuditTamper(t, s, exec, `ALTER TABLE audit_log DISABLE TRIGGER USER`)
}
