package store_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

// TestAuditTamper changes the audit log through a second connection to the
// database file, as someone with access to the file could.
func TestAuditTamper(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lagwatch.db")
	s, err := store.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string) error { _, err := db.ExecContext(t.Context(), q); return err }
	storetest.AuditTamper(t, s, exec, `DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`)
}

// FuzzRecordAudit records arbitrary entries: invalid ones are refused with
// an error, valid ones are stored and the chain still verifies.
func FuzzRecordAudit(f *testing.F) {
	s := openTemp(f)
	f.Cleanup(func() { s.Close() })
	f.Add("ana", "report.exported", `{"format":"pdf"}`, "worker", "w-1")
	f.Add("", "Bad Action", `[1]`, "laptop", "")
	f.Add("bo", "x", ` { "a" : [ 1 , {"b":"\u0000"} ] } `, "", "")
	f.Fuzz(func(t *testing.T, actor, action, detail, kind, id string) {
		e := store.AuditEntry{At: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Actor: actor, Action: action,
			Detail: []byte(detail), Subject: store.CaseSubject{Kind: kind, ID: id}}
		got, err := s.RecordAudit(t.Context(), e)
		if (err == nil) != (e.Validate() == nil) {
			t.Fatalf("RecordAudit() = %v but Validate() = %v", err, e.Validate())
		}
		if err != nil {
			return
		}
		es, err := s.Audit(t.Context(), store.AuditFilter{After: got.Seq - 1, Limit: 1})
		if err != nil || len(es) != 1 || string(es[0].Detail) != string(got.Detail) || es[0].Actor != actor {
			t.Fatalf("Audit() after RecordAudit = %+v, %v; want %+v", es, err, got)
		}
		if err := s.VerifyAudit(t.Context()); err != nil {
			t.Fatalf("VerifyAudit() = %v", err)
		}
	})
}
