package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/auth"
	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/store"
)

// Applicants is what the review queue and the ring view read and write. The
// SQLite and PostgreSQL stores implement it.
type Applicants interface {
	ReviewQueue(ctx context.Context, q store.ReviewQuery) ([]store.ApplicantSummary, error)
	Applicant(ctx context.Context, id string) (store.ApplicantRecord, error)
	Decisions(ctx context.Context, applicantID string) ([]store.Decision, error)
	RecordDecision(ctx context.Context, d store.Decision) error
	Rings(ctx context.Context, limit int) ([]store.StoredRing, error)
	Ring(ctx context.Context, id string) (store.StoredRing, error)
}

// ImportFunc imports one uploaded file of applicants (CSV, JSON Resume,
// JSON Lines or a résumé), screens, links and stores them, and returns the
// import's report as a JSON-encodable value. name is the file name the
// client gave; layout is the CSV layout asked for ("" to detect). An error
// that is a [*hiring.RecordError] is the file's fault and answered 400;
// any other is answered 500.
type ImportFunc func(ctx context.Context, name string, data []byte, layout string) (any, error)

// Page sizes and request limits of the applicant routes.
const (
	QueuePageSize  = 100      // applicants per review-queue page
	RingListLimit  = 200      // rings listed on the ring page
	MaxImportBytes = 64 << 20 // bytes in one import request body
	maxFormBytes   = 16 << 10 // bytes in a decision form or JSON body
)

// evidenceView is one piece of screening evidence, decoded from the stored
// result (the JSON of screen.Result).
type evidenceView struct {
	Check    string  `json:"check"`
	Weight   float64 `json:"weight"`
	Sentence string  `json:"sentence"`
	Weak     bool    `json:"weak"`
	Field    string  `json:"field"`
}

type resultView struct {
	Evidence   []evidenceView `json:"evidence"`
	NotChecked []string       `json:"not_checked"`
}

type sharedView struct {
	Kind    string   `json:"kind"`
	Value   string   `json:"value"`
	With    []string `json:"with"`
	Members []string `json:"members"`
	Linked  bool     `json:"linked"`
}

// queuePage is what templates/applicants.html renders.
type queuePage struct {
	Title     string
	Who       viewer
	Root      string // relative path to the handler's root: "" or "../"
	Level     string
	Undecided bool
	Rows      []queueRow
	Next      string // query string of the next page; "" on the last
}

type queueRow struct {
	ID, Name, Score, Level, Ring, Decision, Reviewer string
	Badge                                            badge
	DecidedAt                                        stamp
}

// applicantPage is what templates/applicant.html renders.
type applicantPage struct {
	Title      string
	Who        viewer
	Root       string // relative path to the handler's root: "" or "../"
	A          store.ApplicantRecord
	Score      string
	Badge      badge
	Evidence   []evidenceView
	NotChecked []string
	Shared     []sharedView
	Decisions  []decisionRow
	Outcomes   []string
	Error      string
	Imported   stamp
}

type decisionRow struct {
	Outcome, Reviewer, Note string
	At                      stamp
}

// ringsPage is what templates/rings.html renders, for the list and for one ring.
type ringsPage struct {
	Title string
	Who   viewer
	Root  string // relative path to the handler's root: "" or "../"
	Rings []ringView
	One   bool
}

type ringView struct {
	ID       string
	Members  []ringMember
	Workers  []string
	Evidence []sharedView
	Updated  stamp
}

type ringMember struct {
	ID, Name, Score, Decision string
	Badge                     badge
}

func (h *Handler) routeApplicants() {
	h.handle("GET /applicants", auth.ViewApplicants, h.serveQueue)
	h.handle("GET /applicants/{id}", auth.ViewApplicants, h.serveApplicant)
	h.handle("POST /applicants/{id}/decision", auth.DecideApplicants, h.postDecisionForm)
	h.handle("GET /rings", auth.ViewRings, h.serveRings)
	h.handle("GET /rings/{id}", auth.ViewRings, h.serveRing)
	h.handle("GET /api/v1/applicants", auth.ViewApplicants, h.apiQueue)
	h.handle("GET /api/v1/applicants/{id}", auth.ViewApplicants, h.apiApplicant)
	h.handle("POST /api/v1/applicants/{id}/decisions", auth.DecideApplicants, h.apiDecision)
	h.handle("GET /api/v1/rings", auth.ViewRings, h.apiRings)
	h.handle("GET /api/v1/rings/{id}", auth.ViewRings, h.apiRing)
	if h.cfg.Import != nil {
		h.handle("POST /api/v1/applicants/import", auth.ImportApplicants, h.apiImport)
	}
}

func levelBadge(level string) badge {
	switch level {
	case "high":
		return badge{Class: "bad", Label: "high risk"}
	case "review":
		return badge{Class: "warn", Label: "review"}
	case "low":
		return badge{Class: "ok", Label: "low risk"}
	}
	return badge{Class: "none", Label: level}
}

func score(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// queryOf reads the review-queue filters and cursor from the URL. Errors
// name the parameter.
func queryOf(v url.Values) (store.ReviewQuery, error) {
	q := store.ReviewQuery{Level: v.Get("level"), Outcome: v.Get("outcome"), Limit: QueuePageSize}
	switch v.Get("undecided") {
	case "", "0", "false":
	case "1", "true", "on":
		q.Undecided = true
	default:
		return q, errors.New("undecided: want true or false")
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return q, errors.New("limit: want 1–1000")
		}
		q.Limit = n
	}
	if id := v.Get("after_id"); id != "" {
		sc, err := strconv.ParseFloat(v.Get("after_score"), 64)
		if err != nil || math.IsNaN(sc) || math.IsInf(sc, 0) {
			return q, errors.New("after_score: want a finite number with after_id")
		}
		q.After = store.QueueCursor{Score: sc, ID: id}
	}
	if err := q.Validate(); err != nil {
		return q, err
	}
	return q, nil
}

func nextQuery(q store.ReviewQuery, rows []store.ApplicantSummary) string {
	if len(rows) < q.Limit || len(rows) == 0 {
		return ""
	}
	c := rows[len(rows)-1].Cursor()
	v := url.Values{}
	if q.Level != "" {
		v.Set("level", q.Level)
	}
	if q.Undecided {
		v.Set("undecided", "true")
	}
	if q.Outcome != "" {
		v.Set("outcome", q.Outcome)
	}
	v.Set("after_score", strconv.FormatFloat(c.Score, 'g', -1, 64))
	v.Set("after_id", c.ID)
	return v.Encode()
}

func (h *Handler) serveQueue(w http.ResponseWriter, r *http.Request) {
	q, err := queryOf(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rows, err := h.cfg.Applicants.ReviewQueue(r.Context(), q)
	if err != nil {
		h.fail(w, r, false, "list review queue", err)
		return
	}
	p := queuePage{Title: h.cfg.Title, Who: h.viewerOf(r), Level: q.Level, Undecided: q.Undecided, Next: nextQuery(q, rows)}
	for _, s := range rows {
		p.Rows = append(p.Rows, queueRow{ID: s.ID, Name: s.Name, Score: score(s.Score), Level: s.Level, Ring: s.RingID,
			Decision: s.Decision, Reviewer: s.Reviewer, Badge: levelBadge(s.Level), DecidedAt: stampOf(s.DecidedAt, "")})
	}
	h.render(w, r, "applicants.html", p)
}

func (h *Handler) applicantView(r *http.Request, id string) (applicantPage, error) {
	ctx := r.Context()
	rec, err := h.cfg.Applicants.Applicant(ctx, id)
	if err != nil {
		return applicantPage{}, err
	}
	ds, err := h.cfg.Applicants.Decisions(ctx, id)
	if err != nil {
		return applicantPage{}, err
	}
	p := applicantPage{Title: h.cfg.Title, Who: h.viewerOf(r), Root: "../", A: rec, Score: score(rec.Score), Badge: levelBadge(rec.Level),
		Outcomes: store.Outcomes, Imported: stampOf(rec.ImportedAt, "")}
	var res resultView
	if len(rec.Result) > 0 {
		if err := json.Unmarshal(rec.Result, &res); err != nil {
			return p, fmt.Errorf("decode screening result of applicant %s: %w", id, err)
		}
	}
	p.Evidence, p.NotChecked = res.Evidence, res.NotChecked
	if len(rec.Shared) > 0 {
		if err := json.Unmarshal(rec.Shared, &p.Shared); err != nil {
			return p, fmt.Errorf("decode shared details of applicant %s: %w", id, err)
		}
	}
	for i := len(ds) - 1; i >= 0; i-- { // newest first
		d := ds[i]
		p.Decisions = append(p.Decisions, decisionRow{Outcome: d.Outcome, Reviewer: d.Reviewer, Note: d.Note, At: stampOf(d.At, "")})
	}
	return p, nil
}

func (h *Handler) serveApplicant(w http.ResponseWriter, r *http.Request) {
	p, err := h.applicantView(r, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "no applicant "+strconv.Quote(r.PathValue("id")), http.StatusNotFound)
		return
	}
	if err != nil {
		h.fail(w, r, false, "read applicant", err)
		return
	}
	h.render(w, r, "applicant.html", p)
}

// postDecisionForm records a decision from the applicant page's form and
// sends the browser back to the page. Cross-origin posts are refused by
// the handler's cross-origin protection before they get here.
func (h *Handler) postDecisionForm(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "decision form: "+err.Error(), http.StatusBadRequest)
		return
	}
	d := store.Decision{ApplicantID: id, Outcome: r.PostForm.Get("outcome"), Reviewer: reviewerOf(r, r.PostForm.Get("reviewer")),
		Note: r.PostForm.Get("note"), At: time.Now().UTC()}
	err := h.cfg.Applicants.RecordDecision(r.Context(), d)
	switch {
	case errors.Is(err, store.ErrNotFound):
		http.Error(w, "no applicant "+strconv.Quote(id), http.StatusNotFound)
		return
	case err != nil && d.Validate() != nil:
		p, verr := h.applicantView(r, id)
		if verr != nil {
			h.fail(w, r, false, "read applicant", verr)
			return
		}
		p.Error = d.Validate().Error()
		w.WriteHeader(http.StatusBadRequest)
		h.render(w, r, "applicant.html", p)
		return
	case err != nil:
		h.fail(w, r, false, "record decision", err)
		return
	}
	// A relative Location keeps working when the handler is mounted under
	// a prefix (http.Redirect would make it absolute).
	w.Header().Set("Location", "../"+url.PathEscape(id))
	w.WriteHeader(http.StatusSeeOther)
}

func (h *Handler) ringView(ctx context.Context, sr store.StoredRing, names bool) (ringView, error) {
	v := ringView{ID: sr.ID, Updated: stampOf(sr.UpdatedAt, "")}
	if len(sr.Shared) > 0 {
		if err := json.Unmarshal(sr.Shared, &v.Evidence); err != nil {
			return v, fmt.Errorf("decode shared details of ring %s: %w", sr.ID, err)
		}
	}
	for _, id := range sr.Members {
		if strings.HasPrefix(id, "worker:") {
			v.Workers = append(v.Workers, strings.TrimPrefix(id, "worker:"))
			continue
		}
		m := ringMember{ID: id}
		if names {
			rec, err := h.cfg.Applicants.Applicant(ctx, id)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return v, err
			default:
				m.Name, m.Score, m.Badge = rec.Applicant.Name, score(rec.Score), levelBadge(rec.Level)
				if rec.Decision != nil {
					m.Decision = rec.Decision.Outcome
				}
			}
		}
		v.Members = append(v.Members, m)
	}
	return v, nil
}

func (h *Handler) serveRings(w http.ResponseWriter, r *http.Request) {
	rings, err := h.cfg.Applicants.Rings(r.Context(), RingListLimit)
	if err != nil {
		h.fail(w, r, false, "list rings", err)
		return
	}
	p := ringsPage{Title: h.cfg.Title, Who: h.viewerOf(r)}
	for _, sr := range rings {
		v, err := h.ringView(r.Context(), sr, false)
		if err != nil {
			h.fail(w, r, false, "list rings", err)
			return
		}
		p.Rings = append(p.Rings, v)
	}
	h.render(w, r, "rings.html", p)
}

func (h *Handler) serveRing(w http.ResponseWriter, r *http.Request) {
	sr, err := h.cfg.Applicants.Ring(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "no ring "+strconv.Quote(r.PathValue("id")), http.StatusNotFound)
		return
	}
	if err != nil {
		h.fail(w, r, false, "read ring", err)
		return
	}
	v, err := h.ringView(r.Context(), sr, true)
	if err != nil {
		h.fail(w, r, false, "read ring", err)
		return
	}
	h.render(w, r, "rings.html", ringsPage{Title: h.cfg.Title, Who: h.viewerOf(r), Root: "../", Rings: []ringView{v}, One: true})
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var buf bytes.Buffer
	if err := h.page.ExecuteTemplate(&buf, name, data); err != nil {
		h.fail(w, r, false, "render "+name, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// API

type apiQueueEntry struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Score      number     `json:"score"`
	Level      string     `json:"level"`
	RingID     *string    `json:"ring_id"`
	ImportedAt time.Time  `json:"imported_at"`
	Decision   *string    `json:"decision"`
	Reviewer   *string    `json:"reviewer"`
	DecidedAt  *time.Time `json:"decided_at"`
}

type apiQueue struct {
	Applicants []apiQueueEntry `json:"applicants"`
	Next       *string         `json:"next"`
}

type apiDecisionBody struct {
	Outcome  string    `json:"outcome"`
	Reviewer string    `json:"reviewer"`
	Note     string    `json:"note"`
	At       time.Time `json:"at"`
}

type apiApplicantBody struct {
	Applicant  any               `json:"applicant"`
	Score      number            `json:"score"`
	Level      string            `json:"level"`
	Result     json.RawMessage   `json:"result"`
	Shared     json.RawMessage   `json:"shared"`
	RingID     *string           `json:"ring_id"`
	ImportID   string            `json:"import_id"`
	ImportedAt time.Time         `json:"imported_at"`
	Decisions  []apiDecisionBody `json:"decisions"`
}

type apiRing struct {
	ID        string          `json:"id"`
	Members   []string        `json:"members"`
	Shared    json.RawMessage `json:"shared"`
	UpdatedAt time.Time       `json:"updated_at"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		h.fail(w, r, true, "encode response", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func (h *Handler) apiFail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	h.writeJSON(w, r, status, e)
}

func (h *Handler) apiQueue(w http.ResponseWriter, r *http.Request) {
	q, err := queryOf(r.URL.Query())
	if err != nil {
		h.apiFail(w, r, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	rows, err := h.cfg.Applicants.ReviewQueue(r.Context(), q)
	if err != nil {
		h.fail(w, r, true, "list review queue", err)
		return
	}
	out := apiQueue{Applicants: []apiQueueEntry{}, Next: strOrNil(nextQuery(q, rows))}
	for _, s := range rows {
		e := apiQueueEntry{ID: s.ID, Name: s.Name, Score: number(s.Score), Level: s.Level, RingID: strOrNil(s.RingID),
			ImportedAt: s.ImportedAt.UTC(), Decision: strOrNil(s.Decision), Reviewer: strOrNil(s.Reviewer)}
		if !s.DecidedAt.IsZero() {
			t := s.DecidedAt.UTC()
			e.DecidedAt = &t
		}
		out.Applicants = append(out.Applicants, e)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) apiApplicant(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	rec, err := h.cfg.Applicants.Applicant(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.apiFail(w, r, http.StatusNotFound, "not_found", "no applicant "+strconv.Quote(id))
		return
	}
	if err != nil {
		h.fail(w, r, true, "read applicant", err)
		return
	}
	ds, err := h.cfg.Applicants.Decisions(r.Context(), id)
	if err != nil {
		h.fail(w, r, true, "read decisions", err)
		return
	}
	out := apiApplicantBody{Applicant: rec.Applicant, Score: number(rec.Score), Level: rec.Level, Result: rawOrNull(rec.Result),
		Shared: rawOrNull(rec.Shared), RingID: strOrNil(rec.RingID), ImportID: rec.ImportID, ImportedAt: rec.ImportedAt.UTC(),
		Decisions: []apiDecisionBody{}}
	for _, d := range ds {
		out.Decisions = append(out.Decisions, apiDecisionBody{Outcome: d.Outcome, Reviewer: d.Reviewer, Note: d.Note, At: d.At.UTC()})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func rawOrNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

func (h *Handler) apiDecision(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		h.apiFail(w, r, http.StatusUnsupportedMediaType, "bad_request", "Content-Type: want application/json")
		return
	}
	var body apiDecisionBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		h.apiFail(w, r, http.StatusBadRequest, "bad_request", "decision body: "+err.Error())
		return
	}
	if body.At.IsZero() {
		body.At = time.Now().UTC()
	}
	d := store.Decision{ApplicantID: id, Outcome: body.Outcome, Reviewer: reviewerOf(r, body.Reviewer), Note: body.Note, At: body.At}
	if err := d.Validate(); err != nil {
		h.apiFail(w, r, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	err := h.cfg.Applicants.RecordDecision(r.Context(), d)
	if errors.Is(err, store.ErrNotFound) {
		h.apiFail(w, r, http.StatusNotFound, "not_found", "no applicant "+strconv.Quote(id))
		return
	}
	if err != nil {
		h.fail(w, r, true, "record decision", err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, apiDecisionBody{Outcome: d.Outcome, Reviewer: d.Reviewer, Note: d.Note, At: d.At.UTC()})
}

func toAPIRing(sr store.StoredRing) apiRing {
	return apiRing{ID: sr.ID, Members: sr.Members, Shared: rawOrNull(sr.Shared), UpdatedAt: sr.UpdatedAt.UTC()}
}

func (h *Handler) apiRings(w http.ResponseWriter, r *http.Request) {
	limit := RingListLimit
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			h.apiFail(w, r, http.StatusBadRequest, "bad_request", "limit: want 1–10000")
			return
		}
		limit = n
	}
	rings, err := h.cfg.Applicants.Rings(r.Context(), limit)
	if err != nil {
		h.fail(w, r, true, "list rings", err)
		return
	}
	out := make([]apiRing, 0, len(rings))
	for _, sr := range rings {
		out = append(out, toAPIRing(sr))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) apiRing(w http.ResponseWriter, r *http.Request) {
	sr, err := h.cfg.Applicants.Ring(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.apiFail(w, r, http.StatusNotFound, "not_found", "no ring "+strconv.Quote(r.PathValue("id")))
		return
	}
	if err != nil {
		h.fail(w, r, true, "read ring", err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toAPIRing(sr))
}

// apiImport takes one file in the request body: its name in the "name"
// query parameter (the extension picks the format) and, for CSV, an
// optional "layout".
func (h *Handler) apiImport(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" || len(name) > 255 || strings.ContainsAny(name, "/\\\x00") {
		h.apiFail(w, r, http.StatusBadRequest, "bad_request", "name: want the file's base name, e.g. applicants.csv (1–255 bytes, no slashes)")
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.apiFail(w, r, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("body: larger than the limit of %d bytes", MaxImportBytes))
			return
		}
		h.apiFail(w, r, http.StatusBadRequest, "bad_request", "body: "+err.Error())
		return
	}
	rep, err := h.cfg.Import(r.Context(), name, data, r.URL.Query().Get("layout"))
	if _, ok := errors.AsType[*hiring.RecordError](err); ok {
		h.apiFail(w, r, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if err != nil {
		h.fail(w, r, true, "import applicants", err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, rep)
}
