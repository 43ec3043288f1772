package store_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

var _ storetest.AlertStore = (*store.Store)(nil)

func TestAlertConformance(t *testing.T) {
	storetest.RunAlerts(t, func(t *testing.T) storetest.AlertStore { return openTemp(t) })
}

// FuzzAlertValidate saves arbitrary alerts and states: Validate never
// panics, SaveAlerts succeeds exactly when the alert and state are valid, a
// refused save changes nothing, and a stored alert and state come back as
// saved (an ID stored before keeps its first alert).
func FuzzAlertValidate(f *testing.F) {
	s := openTemp(f)
	f.Cleanup(func() { s.Close() })
	f.Add("risk-1", "worker", "w-1", "high-risk", "high", int64(1_772_366_400_000_000), int64(123), 4.5, "Worker w-1 is at high risk.", `{"id":"risk-1"}`, `{"next":2}`)
	f.Add("risk-2", "applicant", "app-7", "watch", "watch", int64(0), int64(0), -0.25, "Ça va? 🦊", "{ \"a\" : [1, 2.50] }", `{}`)
	f.Add("", "Worker", "w\x00", "r", "critical", int64(-62_135_596_800_000_001), int64(-1), math.NaN(), "", `[1]`, `[]`)
	f.Add("risk-3", "device", "d-1", "r", "clear", int64(253_402_300_800_000_000), int64(999), math.Inf(1), "s", "{\"a\":\"\xff\"}", `{"a":`)
	f.Fuzz(func(t *testing.T, id, kind, subject, rule, level string, atMicros, nanos int64, logOdds float64, summary, body, state string) {
		a := store.Alert{
			ID: id, SubjectKind: kind, SubjectID: subject, Rule: rule, Level: level,
			At:      time.UnixMicro(atMicros).Add(time.Duration(nanos % 1000)),
			LogOdds: logOdds, Summary: summary, Body: json.RawMessage(body),
		}
		valid := a.Validate() == nil
		validAll := store.ValidateAlerts(json.RawMessage(state), []store.Alert{a}) == nil
		if validAll && !valid {
			t.Fatalf("ValidateAlerts accepts %+v, which Validate refuses", a)
		}
		ctx := t.Context()
		stateBefore, err := s.AlertState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before, errBefore := s.Alert(ctx, id)
		if errBefore != nil && !errors.Is(errBefore, store.ErrNotFound) {
			t.Fatal(errBefore)
		}
		err = s.SaveAlerts(ctx, json.RawMessage(state), []store.Alert{a})
		if (err == nil) != validAll {
			t.Fatalf("SaveAlerts(%q, %+v) = %v but ValidateAlerts says valid = %v", state, a, err, validAll)
		}
		stateAfter, err2 := s.AlertState(ctx)
		if err2 != nil {
			t.Fatal(err2)
		}
		after, errAfter := s.Alert(ctx, id)
		switch {
		case err != nil:
			if string(stateAfter) != string(stateBefore) || (errAfter == nil) != (errBefore == nil) || !reflect.DeepEqual(after, before) {
				t.Fatalf("a refused save changed the store: state %q then %q, alert %+v then %+v", stateBefore, stateAfter, before, after)
			}
		case string(stateAfter) != state:
			t.Fatalf("AlertState() = %q; want %q as saved", stateAfter, state)
		case errAfter != nil:
			t.Fatalf("Alert(%q) after saving it = %v", id, errAfter)
		case errBefore == nil && !reflect.DeepEqual(after, before):
			t.Fatalf("saving alert %q again changed it: %+v, then %+v", id, before, after)
		case errBefore != nil:
			want := store.PrepareAlerts([]store.Alert{a})[0]
			if !reflect.DeepEqual(after, want) || string(after.Body) != body {
				t.Fatalf("stored alert = %+v; want %+v", after, want)
			}
		}
	})
}
