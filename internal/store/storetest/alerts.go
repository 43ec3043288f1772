package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

// AlertStore is the set of risk-alert methods every store implementation
// provides, with the semantics documented on [store.Store].
// Implementations must be safe for concurrent use.
type AlertStore interface {
	Close() error
	SaveAlerts(ctx context.Context, state json.RawMessage, alerts []store.Alert) error
	AlertState(ctx context.Context) (json.RawMessage, error)
	Alerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
	Alert(ctx context.Context, id string) (store.Alert, error)
	UnexportedAlerts(ctx context.Context, limit int) ([]store.Alert, error)
	MarkAlertsExported(ctx context.Context, ids []string, at time.Time) error
}

// RunAlerts runs the risk-alert part of the conformance suite against the
// stores that open returns, with the same rules as [Run].
func RunAlerts(t *testing.T, open func(t *testing.T) AlertStore) {
	tests := []subtest[AlertStore]{
		{"AlertsRoundTrip", testAlertsRoundTrip},
		{"AlertsOrderAndFilter", testAlertsFilter},
		{"AlertsDefaultLimit", testAlertsDefaultLimit},
		{"AlertsStoredOnce", testAlertsOnce},
		{"AlertsAllOrNothing", testAlertsAllOrNothing},
		{"AlertsInvalid", testAlertsInvalid},
		{"AlertsLongest", testAlertsLongest},
		{"AlertState", testAlertState},
		{"AlertsExport", testAlertsExport},
		{"AlertsConcurrent", testAlertsConcurrent},
		{"AlertsNumberOrder", testAlertsNumberOrder},
	}
	runAll(t, tests, open)
}

// alert returns a valid alert with ID id about worker subject, raised at
// t0+at.
func alert(id, subject string, at time.Duration) store.Alert {
	return store.Alert{
		ID: id, SubjectKind: "worker", SubjectID: subject, Rule: "high-risk", Level: "high",
		At: t0.Add(at), LogOdds: 4.25,
		Summary: "Worker " + subject + " is at high risk: 3 independent signals.",
		Body:    json.RawMessage(fmt.Sprintf(`{"id":%q,"subject":{"kind":"worker","id":%q},"rule":"high-risk","cites":[]}`, id, subject)),
	}
}

// storedAlert returns a as a store returns it before it is exported.
func storedAlert(a store.Alert) store.Alert {
	a.At, a.ExportedAt = utc(a.At), time.Time{}
	return a
}

// alertState returns a valid alerter state with next alert number n.
func alertState(n int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"next": %d, "open": [], "suppressed": {}}`, n))
}

func saveAlerts(t *testing.T, s AlertStore, state json.RawMessage, as ...store.Alert) {
	t.Helper()
	if err := s.SaveAlerts(t.Context(), state, as); err != nil {
		t.Fatalf("SaveAlerts(%d alerts) = %v", len(as), err)
	}
}

func listAlerts(t *testing.T, s AlertStore, f store.AlertFilter) []store.Alert {
	t.Helper()
	got, err := s.Alerts(t.Context(), f)
	if err != nil {
		t.Fatalf("Alerts(%+v) = %v", f, err)
	}
	return got
}

// alertIDs returns the IDs of as, in order.
func alertIDs(as []store.Alert) []string {
	ids := []string{}
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

func testAlertsRoundTrip(t *testing.T, s AlertStore) {
	ctx := t.Context()
	a := alert("risk-1", "w-1", -time.Hour)
	// Body keeps its spacing, key order, duplicate keys and number forms.
	a.Body = json.RawMessage("{ \"id\" : \"risk-1\",\n\t\"b\": [1, 2.50, 1e3, -0],  \"a\": {}, \"a\": null, \"s\": \"\\u00e9\\n\" }")
	b := alert("risk-2", "app-7", 123*time.Nanosecond) // the sub-microsecond part is dropped
	b.SubjectKind, b.Rule, b.Level, b.LogOdds = "applicant", "watch", "watch", -1.0/3
	b.Summary = `Ça va? <b>"quoted"</b> 🦊`
	b.At = b.At.In(time.FixedZone("MST", -7*3600))
	b.ExportedAt = t0 // ignored
	c := alert("risk-3", "ana@example.com", 0)
	c.SubjectKind, c.Level, c.LogOdds = "account", "clear", 0
	saveAlerts(t, s, alertState(4), a, b, c)

	for _, in := range []store.Alert{a, b, c} {
		got, err := s.Alert(ctx, in.ID)
		if want := storedAlert(in); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Alert(%q) =\n%+v, %v\nwant\n%+v", in.ID, got, err, want)
		}
		if err == nil && (got.At.Location() != time.UTC || string(got.Body) != string(in.Body)) {
			t.Errorf("Alert(%q) At %v, Body %s; want UTC and the body byte for byte", in.ID, got.At, got.Body)
		}
	}
	// Newest first; equal times by ID, descending.
	want := []store.Alert{storedAlert(c), storedAlert(b), storedAlert(a)}
	if got := listAlerts(t, s, store.AlertFilter{}); !reflect.DeepEqual(got, want) {
		t.Errorf("Alerts() =\n%+v\nwant\n%+v", got, want)
	}
	for _, id := range []string{"risk-9", "", "RISK-1"} {
		if got, err := s.Alert(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Alert(%q) = %+v, %v; want ErrNotFound", id, got, err)
		}
	}
}

func testAlertsFilter(t *testing.T, s AlertStore) {
	ctx := t.Context()
	// Three alerts at t0 (one per subject), then one per minute before.
	as := []store.Alert{alert("risk-b", "w-1", 0), alert("risk-a", "w-2", 0), alert("risk-c", "w-1", 0)}
	for i := range 5 {
		as = append(as, alert(fmt.Sprintf("risk-%d", i), "w-1", time.Duration(-i-1)*time.Minute))
	}
	dev := alert("risk-d", "w-1", -time.Second)
	dev.SubjectKind = "device" // the same ID, another kind of subject
	as = append(as, dev)
	saveAlerts(t, s, alertState(1), as...)

	all := []string{"risk-c", "risk-b", "risk-a", "risk-d", "risk-0", "risk-1", "risk-2", "risk-3", "risk-4"}
	for _, tc := range []struct {
		name string
		f    store.AlertFilter
		want []string
	}{
		{"all", store.AlertFilter{}, all},
		{"limit", store.AlertFilter{Limit: 4}, all[:4]},
		{"limit at most", store.AlertFilter{Limit: store.MaxAlertList}, all},
		{"before t0", store.AlertFilter{Before: t0}, all[3:]},
		{"before is exclusive", store.AlertFilter{Before: t0.Add(-time.Minute)}, all[5:]},
		{"before, sub-microsecond", store.AlertFilter{Before: t0.Add(-time.Minute + time.Nanosecond)}, all[4:]},
		{"before, another zone", store.AlertFilter{Before: t0.Add(time.Microsecond).In(time.FixedZone("X", 3600))}, all},
		{"before, limit", store.AlertFilter{Before: t0, Limit: 2}, all[3:5]},
		{"before the first", store.AlertFilter{Before: t0.Add(-time.Hour)}, nil},
		{"subject", store.AlertFilter{SubjectKind: "worker", SubjectID: "w-1"}, []string{"risk-c", "risk-b", "risk-0", "risk-1", "risk-2", "risk-3", "risk-4"}},
		{"subject, before, limit", store.AlertFilter{SubjectKind: "worker", SubjectID: "w-1", Before: t0.Add(-time.Minute), Limit: 2}, []string{"risk-1", "risk-2"}},
		{"other subject", store.AlertFilter{SubjectKind: "worker", SubjectID: "w-2"}, []string{"risk-a"}},
		{"other kind", store.AlertFilter{SubjectKind: "device", SubjectID: "w-1"}, []string{"risk-d"}},
		{"unknown subject", store.AlertFilter{SubjectKind: "worker", SubjectID: "w-9"}, nil},
	} {
		got := alertIDs(listAlerts(t, s, tc.f))
		if want := append([]string{}, tc.want...); !slices.Equal(got, want) {
			t.Errorf("%s: Alerts(%+v) = %q; want %q", tc.name, tc.f, got, want)
		}
	}
	for _, tc := range []struct {
		name  string
		f     store.AlertFilter
		field string
	}{
		{"limit over", store.AlertFilter{Limit: store.MaxAlertList + 1}, "Limit"},
		{"kind without ID", store.AlertFilter{SubjectKind: "worker"}, "SubjectID"},
		{"ID without kind", store.AlertFilter{SubjectID: "w-1"}, "SubjectKind"},
		{"bad kind", store.AlertFilter{SubjectKind: "Worker", SubjectID: "w-1"}, "SubjectKind"},
		{"long ID", store.AlertFilter{SubjectKind: "worker", SubjectID: strings.Repeat("w", store.MaxAlertSubjectIDLen+1)}, "SubjectID"},
		{"year 10000", store.AlertFilter{Before: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "Before"},
	} {
		if got, err := s.Alerts(ctx, tc.f); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: Alerts(%+v) = %d alerts, %v; want an error naming %s", tc.name, tc.f, len(got), err, tc.field)
		}
		if tc.f.Validate() == nil {
			t.Errorf("%s: AlertFilter.Validate() = nil; want an error", tc.name)
		}
	}
	if got, err := s.Alerts(ctx, store.AlertFilter{Limit: store.MaxAlertList + 1}); err == nil || !strings.Contains(err.Error(), fmt.Sprint(store.MaxAlertList)) {
		t.Errorf("Alerts(Limit %d) = %d alerts, %v; want an error naming the limit %d", store.MaxAlertList+1, len(got), err, store.MaxAlertList)
	}
}

func testAlertsDefaultLimit(t *testing.T, s AlertStore) {
	n := store.DefaultAlertLimit + 20
	as := make([]store.Alert, n)
	for i := range as {
		as[i] = alert(fmt.Sprintf("risk-%04d", i), "w-1", time.Duration(i)*time.Second)
	}
	saveAlerts(t, s, alertState(n), as...)
	for _, limit := range []int{0, -1} {
		got := listAlerts(t, s, store.AlertFilter{Limit: limit})
		if len(got) != store.DefaultAlertLimit || got[0].ID != as[n-1].ID {
			t.Errorf("Alerts(Limit %d) = %d alerts; want the newest %d", limit, len(got), store.DefaultAlertLimit)
		}
		un, err := s.UnexportedAlerts(t.Context(), limit)
		if err != nil || len(un) != store.DefaultAlertLimit || un[0].ID != as[0].ID {
			t.Errorf("UnexportedAlerts(%d) = %d alerts, %v; want the oldest %d", limit, len(un), err, store.DefaultAlertLimit)
		}
	}
	if got := listAlerts(t, s, store.AlertFilter{Limit: n + 1}); len(got) != n {
		t.Errorf("Alerts(Limit %d) = %d alerts; want all %d", n+1, len(got), n)
	}
}

func testAlertsOnce(t *testing.T, s AlertStore) {
	ctx := t.Context()
	a := alert("risk-1", "w-1", 0)
	a2 := a
	a2.Summary, a2.Level, a2.Body = "changed", "watch", json.RawMessage(`{"changed":true}`)
	b := alert("risk-2", "w-1", time.Minute)
	saveAlerts(t, s, alertState(2), a, b, a2) // a repeat within one call: the first is kept
	saveAlerts(t, s, alertState(3), a2)       // and in a later call
	want := []store.Alert{storedAlert(b), storedAlert(a)}
	if got := listAlerts(t, s, store.AlertFilter{}); !reflect.DeepEqual(got, want) {
		t.Errorf("Alerts() after saving risk-1 again =\n%+v\nwant the first saved\n%+v", got, want)
	}
	// The state is saved even when every alert was stored already.
	if got, err := s.AlertState(ctx); err != nil || string(got) != string(alertState(3)) {
		t.Errorf("AlertState() = %s, %v; want %s", got, err, alertState(3))
	}
	// An exported alert saved again stays exported.
	if err := s.MarkAlertsExported(ctx, []string{"risk-1"}, t0); err != nil {
		t.Fatal(err)
	}
	saveAlerts(t, s, alertState(4), a)
	if got, err := s.Alert(ctx, "risk-1"); err != nil || !got.ExportedAt.Equal(t0) {
		t.Errorf("Alert(risk-1) after saving it again = %+v, %v; want ExportedAt %v", got, err, t0)
	}
}

func testAlertsAllOrNothing(t *testing.T, s AlertStore) {
	ctx := t.Context()
	saveAlerts(t, s, alertState(1), alert("risk-0", "w-1", -time.Hour))
	ok := alert("risk-1", "w-1", 0)
	bad := alert("risk-2", "w-1", 0)
	bad.LogOdds = math.NaN()
	err := s.SaveAlerts(ctx, alertState(3), []store.Alert{ok, bad})
	if err == nil || !strings.Contains(err.Error(), "alert 1") || !strings.Contains(err.Error(), "LogOdds") {
		t.Errorf("SaveAlerts(with an invalid alert) = %v; want an error naming alert 1 and LogOdds", err)
	}
	err = s.SaveAlerts(ctx, json.RawMessage(`{"next":`), []store.Alert{ok})
	if err == nil || !strings.Contains(err.Error(), "state") {
		t.Errorf("SaveAlerts(with an invalid state) = %v; want an error naming the state", err)
	}
	if got := alertIDs(listAlerts(t, s, store.AlertFilter{})); !slices.Equal(got, []string{"risk-0"}) {
		t.Errorf("Alerts() after failed saves = %q; want only risk-0", got)
	}
	if got, err := s.AlertState(ctx); err != nil || string(got) != string(alertState(1)) {
		t.Errorf("AlertState() after failed saves = %s, %v; want %s", got, err, alertState(1))
	}
	saveAlerts(t, s, alertState(3), ok)
}

func testAlertsInvalid(t *testing.T, s AlertStore) {
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		edit  func(a *store.Alert)
		field string
	}{
		{"no ID", func(a *store.Alert) { a.ID = "" }, "ID"},
		{"blank ID", func(a *store.Alert) { a.ID = " " }, "ID"},
		{"long ID", func(a *store.Alert) { a.ID = strings.Repeat("r", store.MaxAlertIDLen+1) }, "ID"},
		{"NUL in ID", func(a *store.Alert) { a.ID = "risk\x001" }, "ID"},
		{"no kind", func(a *store.Alert) { a.SubjectKind = "" }, "SubjectKind"},
		{"upper-case kind", func(a *store.Alert) { a.SubjectKind = "Worker" }, "SubjectKind"},
		{"kind with digit", func(a *store.Alert) { a.SubjectKind = "worker2" }, "SubjectKind"},
		{"long kind", func(a *store.Alert) { a.SubjectKind = strings.Repeat("k", store.MaxAlertSubjectKindLen+1) }, "SubjectKind"},
		{"no subject", func(a *store.Alert) { a.SubjectID = "" }, "SubjectID"},
		{"long subject", func(a *store.Alert) { a.SubjectID = strings.Repeat("w", store.MaxAlertSubjectIDLen+1) }, "SubjectID"},
		{"bad UTF-8 subject", func(a *store.Alert) { a.SubjectID = "w\xff" }, "SubjectID"},
		{"no rule", func(a *store.Alert) { a.Rule = "" }, "Rule"},
		{"long rule", func(a *store.Alert) { a.Rule = strings.Repeat("r", store.MaxAlertIDLen+1) }, "Rule"},
		{"no level", func(a *store.Alert) { a.Level = "" }, "Level"},
		{"unknown level", func(a *store.Alert) { a.Level = "critical" }, "Level"},
		{"no time", func(a *store.Alert) { a.At = time.Time{} }, "At"},
		{"year 10000", func(a *store.Alert) { a.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "At"},
		{"NaN log-odds", func(a *store.Alert) { a.LogOdds = math.NaN() }, "LogOdds"},
		{"infinite log-odds", func(a *store.Alert) { a.LogOdds = math.Inf(-1) }, "LogOdds"},
		{"no summary", func(a *store.Alert) { a.Summary = "" }, "Summary"},
		{"long summary", func(a *store.Alert) { a.Summary = strings.Repeat("s", store.MaxAlertSummaryLen+1) }, "Summary"},
		{"NUL in summary", func(a *store.Alert) { a.Summary = "a\x00" }, "Summary"},
		{"no body", func(a *store.Alert) { a.Body = nil }, "Body"},
		{"body array", func(a *store.Alert) { a.Body = json.RawMessage(`[1]`) }, "Body"},
		{"body not JSON", func(a *store.Alert) { a.Body = json.RawMessage(`{"a":`) }, "Body"},
		{"body NUL", func(a *store.Alert) { a.Body = json.RawMessage("{\"a\":\"\x00\"}") }, "Body"},
		{"body bad UTF-8", func(a *store.Alert) { a.Body = json.RawMessage("{\"a\":\"\xff\"}") }, "Body"},
		{"body deep", func(a *store.Alert) {
			a.Body = json.RawMessage(`{"a":` + strings.Repeat("[", store.MaxJSONDepth) + strings.Repeat("]", store.MaxJSONDepth) + `}`)
		}, "Body"},
		{"body too large", func(a *store.Alert) {
			a.Body = json.RawMessage(`{"a":"` + strings.Repeat("x", store.MaxAlertBodyLen) + `"}`)
		}, "Body"},
	} {
		a := alert("risk-1", "w-1", 0)
		tc.edit(&a)
		err := s.SaveAlerts(ctx, alertState(2), []store.Alert{alert("risk-0", "w-1", 0), a})
		if err == nil || !strings.Contains(err.Error(), "alert 1: ") || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: SaveAlerts() = %v; want an error naming alert 1 and %s", tc.name, err, tc.field)
		}
		if err := a.Validate(); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: Validate() = %v; want an error naming %s", tc.name, err, tc.field)
		}
	}
	if err := s.SaveAlerts(ctx, alertState(1), make([]store.Alert, store.MaxAlertsPerSave+1)); err == nil || !strings.Contains(err.Error(), fmt.Sprint(store.MaxAlertsPerSave)) {
		t.Errorf("SaveAlerts(%d alerts) = %v; want an error naming the limit", store.MaxAlertsPerSave+1, err)
	}
	// The error describes the first few invalid alerts and counts the rest.
	err := s.SaveAlerts(ctx, alertState(1), make([]store.Alert, 50))
	if err == nil || !strings.Contains(err.Error(), "alert 0: ") || strings.Contains(err.Error(), "alert 49: ") || !strings.Contains(err.Error(), "more invalid alerts") {
		t.Errorf("SaveAlerts(50 empty alerts) = %.300v; want the first few described and the rest counted", err)
	}
	for _, tc := range []struct {
		name  string
		state json.RawMessage
		want  string
	}{
		{"none", nil, "state is required"},
		{"empty", json.RawMessage{}, "state is required"},
		{"array", json.RawMessage(`[]`), "state is not a JSON object"},
		{"string", json.RawMessage(`"x"`), "state is not a JSON object"},
		{"not JSON", json.RawMessage(`{"a":1,}`), "state is not a JSON object"},
		{"NUL", json.RawMessage("{\"a\":\"\x00\"}"), "state is not a JSON object"},
		{"bad UTF-8", json.RawMessage("{\"a\":\"\xff\"}"), "state is not valid UTF-8"},
		{"deep", json.RawMessage(`{"a":` + strings.Repeat("[", store.MaxJSONDepth) + strings.Repeat("]", store.MaxJSONDepth) + `}`), "state is nested deeper"},
		{"too large", json.RawMessage(`{"a":"` + strings.Repeat("x", store.MaxAlertStateBytes) + `"}`), fmt.Sprintf("longer than the limit of %d", store.MaxAlertStateBytes)},
	} {
		err := s.SaveAlerts(ctx, tc.state, []store.Alert{alert("risk-1", "w-1", 0)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: SaveAlerts(state) = %.200v; want an error saying %q", tc.name, err, tc.want)
		}
	}
	if got := listAlerts(t, s, store.AlertFilter{}); len(got) != 0 {
		t.Errorf("Alerts() after invalid saves = %q; want none", alertIDs(got))
	}
	if got, err := s.AlertState(ctx); err != nil || got != nil {
		t.Errorf("AlertState() after invalid saves = %.100s, %v; want nil", got, err)
	}
}

// testAlertsLongest stores the longest valid values, which come back
// unchanged.
func testAlertsLongest(t *testing.T, s AlertStore) {
	a := store.Alert{
		ID:          strings.Repeat("i", store.MaxAlertIDLen),
		SubjectKind: strings.Repeat("k", store.MaxAlertSubjectKindLen),
		SubjectID:   strings.Repeat("é", store.MaxAlertSubjectIDLen/2),
		Rule:        strings.Repeat("r", store.MaxAlertIDLen),
		Level:       "watch",
		At:          time.Date(9999, 12, 31, 23, 59, 59, 999_999_000, time.UTC),
		LogOdds:     -math.MaxFloat64,
		Summary:     strings.Repeat("🦊", store.MaxAlertSummaryLen/4),
		Body: json.RawMessage(`{"a":` + strings.Repeat("[", store.MaxJSONDepth-1) + strings.Repeat("]", store.MaxJSONDepth-1) +
			`,"b":"` + strings.Repeat("x", store.MaxAlertBodyLen-2*store.MaxJSONDepth-11) + `"}`),
	}
	if len(a.Body) != store.MaxAlertBodyLen {
		t.Fatalf("test body is %d bytes; want %d", len(a.Body), store.MaxAlertBodyLen)
	}
	early := alert("risk-early", "w-1", 0)
	early.At, early.LogOdds = time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC), math.SmallestNonzeroFloat64
	saveAlerts(t, s, alertState(1), a, early)
	for _, in := range []store.Alert{a, early} {
		got, err := s.Alert(t.Context(), in.ID)
		if err != nil {
			t.Errorf("Alert(%.20s…) = %v", in.ID, err)
		} else if d := alertDiff(got, storedAlert(in)); d != "" {
			t.Errorf("Alert(%.20s…) differs from the alert saved in %s", in.ID, d)
		}
	}
}

// alertDiff names the fields in which got and want differ, for alerts too
// large to print.
func alertDiff(got, want store.Alert) string {
	var d []string
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			d = append(d, g.Type().Field(i).Name)
		}
	}
	return strings.Join(d, ", ")
}

func testAlertState(t *testing.T, s AlertStore) {
	ctx := t.Context()
	if got, err := s.AlertState(ctx); err != nil || got != nil {
		t.Errorf("AlertState() before any save = %q, %v; want nil, nil", got, err)
	}
	first := json.RawMessage("{ \"next\" : 1,\n  \"open\": [ ],\"x\":1.50E+2 }")
	saveAlerts(t, s, first)
	if got, err := s.AlertState(ctx); err != nil || string(got) != string(first) {
		t.Errorf("AlertState() = %q, %v; want %q byte for byte", got, err, first)
	}
	// A later save replaces it; a large state is kept whole.
	big := json.RawMessage(`{"open":"` + strings.Repeat("o", 4<<20) + `"}`)
	saveAlerts(t, s, big, alert("risk-1", "w-1", 0))
	if got, err := s.AlertState(ctx); err != nil || string(got) != string(big) {
		t.Errorf("AlertState() after a second save = %d bytes, %v; want the %d bytes saved", len(got), err, len(big))
	}
	saveAlerts(t, s, alertState(7))
	if got, err := s.AlertState(ctx); err != nil || string(got) != string(alertState(7)) {
		t.Errorf("AlertState() after a third save = %.100s, %v; want %s", got, err, alertState(7))
	}
	if got := alertIDs(listAlerts(t, s, store.AlertFilter{})); !slices.Equal(got, []string{"risk-1"}) {
		t.Errorf("Alerts() = %q; want [risk-1]", got)
	}
}

func testAlertsExport(t *testing.T, s AlertStore) {
	ctx := t.Context()
	unexported := func(limit int) []string {
		t.Helper()
		got, err := s.UnexportedAlerts(ctx, limit)
		if err != nil {
			t.Fatalf("UnexportedAlerts(%d) = %v", limit, err)
		}
		for _, a := range got {
			if !a.ExportedAt.IsZero() {
				t.Errorf("UnexportedAlerts(%d) returned %q exported at %v", limit, a.ID, a.ExportedAt)
			}
		}
		return alertIDs(got)
	}
	if got := unexported(0); len(got) != 0 {
		t.Errorf("UnexportedAlerts() of an empty store = %q; want none", got)
	}
	saveAlerts(t, s, alertState(5),
		alert("risk-3", "w-1", time.Minute), alert("risk-1", "w-1", 0), alert("risk-2", "w-2", 0),
		alert("risk-0", "w-1", -time.Minute))
	if got, want := unexported(0), []string{"risk-0", "risk-1", "risk-2", "risk-3"}; !slices.Equal(got, want) {
		t.Errorf("UnexportedAlerts(0) = %q; want %q (oldest first)", got, want)
	}
	if got, want := unexported(2), []string{"risk-0", "risk-1"}; !slices.Equal(got, want) {
		t.Errorf("UnexportedAlerts(2) = %q; want %q", got, want)
	}
	at := t0.Add(time.Hour + 123*time.Nanosecond).In(time.FixedZone("IST", 5*3600+1800))
	if err := s.MarkAlertsExported(ctx, []string{"risk-0", "risk-2", "risk-9"}, at); err != nil {
		t.Fatalf("MarkAlertsExported() = %v", err)
	}
	if got, want := unexported(0), []string{"risk-1", "risk-3"}; !slices.Equal(got, want) {
		t.Errorf("UnexportedAlerts() after marking risk-0, risk-2 = %q; want %q", got, want)
	}
	got, err := s.Alert(ctx, "risk-2")
	want := storedAlert(alert("risk-2", "w-2", 0))
	want.ExportedAt = utc(at)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Alert(risk-2) after marking it = %+v, %v; want %+v", got, err, want)
	}
	// Marking again keeps the first time.
	if err := s.MarkAlertsExported(ctx, []string{"risk-2", "risk-3"}, at.Add(time.Hour)); err != nil {
		t.Fatalf("MarkAlertsExported() = %v", err)
	}
	all := listAlerts(t, s, store.AlertFilter{})
	exported := map[string]time.Time{}
	for _, a := range all {
		exported[a.ID] = a.ExportedAt
	}
	wantExported := map[string]time.Time{"risk-0": utc(at), "risk-1": {}, "risk-2": utc(at), "risk-3": utc(at.Add(time.Hour))}
	if !reflect.DeepEqual(exported, wantExported) {
		t.Errorf("ExportedAt of the alerts = %v; want %v", exported, wantExported)
	}
	if err := s.MarkAlertsExported(ctx, nil, at); err != nil {
		t.Errorf("MarkAlertsExported(no IDs) = %v; want nil", err)
	}
	for _, tc := range []struct {
		name string
		ids  []string
		at   time.Time
		want string
	}{
		{"no time", []string{"risk-1"}, time.Time{}, "at is zero"},
		{"empty ID", []string{"risk-1", ""}, at, "ids[1]"},
		{"long ID", []string{strings.Repeat("r", store.MaxAlertIDLen+1)}, at, "ids[0]"},
		{"NUL in ID", []string{"risk\x00"}, at, "ids[0]"},
		{"too many", make([]string, store.MaxAlertList+1), at, fmt.Sprint(store.MaxAlertList)},
	} {
		if err := s.MarkAlertsExported(ctx, tc.ids, tc.at); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: MarkAlertsExported() = %.200v; want an error with %q", tc.name, err, tc.want)
		}
	}
	if got, want := unexported(0), []string{"risk-1"}; !slices.Equal(got, want) {
		t.Errorf("UnexportedAlerts() after invalid marks = %q; want %q", got, want)
	}
	if got, err := s.UnexportedAlerts(ctx, store.MaxAlertList+1); err == nil || !strings.Contains(err.Error(), fmt.Sprint(store.MaxAlertList)) {
		t.Errorf("UnexportedAlerts(%d) = %d alerts, %v; want an error naming the limit", store.MaxAlertList+1, len(got), err)
	}
}

// testAlertsConcurrent saves alerts from several goroutines at once: every
// alert is stored, and the state is one of those saved.
func testAlertsConcurrent(t *testing.T, s AlertStore) {
	const goroutines, saves, perSave = 6, 5, 10
	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := range saves {
				as := make([]store.Alert, perSave)
				for j := range as {
					as[j] = alert(fmt.Sprintf("risk-%d-%d-%d", g, i, j), fmt.Sprintf("w-%d", j), time.Duration(i*perSave+j)*time.Second)
				}
				if err := s.SaveAlerts(t.Context(), alertState(g*saves+i), as); err != nil {
					errs[g] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent SaveAlerts: %v", err)
	}
	got := listAlerts(t, s, store.AlertFilter{Limit: store.MaxAlertList})
	if n := goroutines * saves * perSave; len(got) != n {
		t.Errorf("Alerts() after %d concurrent saves = %d alerts; want %d", goroutines*saves, len(got), n)
	}
	state, err := s.AlertState(t.Context())
	var v struct{ Next *int }
	if err != nil || json.Unmarshal(state, &v) != nil || v.Next == nil || *v.Next < 0 || *v.Next >= goroutines*saves {
		t.Errorf("AlertState() after concurrent saves = %s, %v; want one of the states saved", state, err)
	}
}

// testAlertsNumberOrder: alerts raised at the same time are listed in the
// order of their numbers, risk-9 before risk-10, not as strings sort.
func testAlertsNumberOrder(t *testing.T, s AlertStore) {
	saveAlerts(t, s, alertState(12), alert("risk-10", "w-1", 0), alert("risk-9", "w-2", 0), alert("risk-11", "w-3", 0), alert("risk-100", "w-4", 0))
	if got, want := alertIDs(listAlerts(t, s, store.AlertFilter{})), []string{"risk-100", "risk-11", "risk-10", "risk-9"}; !slices.Equal(got, want) {
		t.Errorf("Alerts() = %q; want %q (newest first)", got, want)
	}
	got, err := s.UnexportedAlerts(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := alertIDs(got), []string{"risk-9", "risk-10", "risk-11", "risk-100"}; !slices.Equal(got, want) {
		t.Errorf("UnexportedAlerts() = %q; want %q (oldest first)", got, want)
	}
}
