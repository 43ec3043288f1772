package presence

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	randv2 "math/rand/v2"
	"net/http"
	"sync"
	"time"
)

//go:embed assets/presence.html assets/presence.js assets/presence.css
var assets embed.FS

// Config configures [Handler]. The zero value works: an in-memory store,
// 1-3 s foreperiods, and workers named by the page itself (lab use only).
type Config struct {
	// Store keeps finished sessions and gives baselines. Nil means a new
	// [MemStore].
	Store Store
	// Logger receives errors behind 500 responses and store failures. Nil
	// discards them.
	Logger *slog.Logger
	// Identify tells who the request is for, typically from a signed link
	// or the login cookie; an error answers 403 without detail. Nil trusts
	// the worker_id and enrol fields of the start request, which anyone
	// can set: only for tests and the lab.
	Identify func(r *http.Request) (Subject, error)
	// MinForeperiod and MaxForeperiod bound the random wait before each
	// prompt; 1 s and 3 s when zero. Tests shorten them.
	MinForeperiod, MaxForeperiod time.Duration
	// EnrolPrompts is the number of prompts an enrolment session shows,
	// without stopping early; 20 when zero, at most MaxEnrolPrompts.
	EnrolPrompts int
	// SessionTTL is how long an unfinished session is kept; 10 minutes
	// when zero.
	SessionTTL time.Duration
	// MaxSessions bounds the unfinished sessions held in memory; 1000 when
	// zero.
	MaxSessions int
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// Subject is whom a session is for.
type Subject struct {
	// WorkerID names the worker; it keys the baseline.
	WorkerID string
	// Enrol makes the session an enrolment: all EnrolPrompts prompts are
	// shown and the reactions become the worker's baseline. Only sessions
	// run while the worker's identity is verified should enrol.
	Enrol bool
	// Link, when not empty, is the ID of the signed link the session was
	// started from ([Links]), 32 hex digits: it becomes the session's ID,
	// so the link yields at most one stored session. Starting again from
	// the link (say, after a reload) replaces its unfinished session; once
	// a session from it is stored, the link is refused.
	Link string
	// Expires is when the link stops being valid.
	Expires time.Time
}

// Handler returns the presence challenge's page and JSON API; see the
// package documentation for its routes. Mount it under a prefix with
// [net/http.StripPrefix]: the page uses relative URLs. It panics if cfg's
// foreperiods are negative or reversed, a programming error.
func Handler(cfg Config) http.Handler {
	if cfg.Store == nil {
		cfg.Store = NewMemStore()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.MinForeperiod == 0 && cfg.MaxForeperiod == 0 {
		cfg.MinForeperiod, cfg.MaxForeperiod = time.Second, 3*time.Second
	}
	if cfg.MinForeperiod < 0 || cfg.MaxForeperiod < cfg.MinForeperiod {
		panic(fmt.Sprintf("presence: foreperiods %v..%v are not an interval", cfg.MinForeperiod, cfg.MaxForeperiod))
	}
	if cfg.EnrolPrompts <= 0 {
		cfg.EnrolPrompts = 20
	}
	if cfg.EnrolPrompts > MaxEnrolPrompts {
		panic(fmt.Sprintf("presence: EnrolPrompts %d is more than the limit of %d", cfg.EnrolPrompts, MaxEnrolPrompts))
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 10 * time.Minute
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 1000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &handler{
		cfg:  cfg,
		log:  log,
		page: template.Must(template.ParseFS(assets, "assets/presence.html")),
		pop:  PopulationBaseline(),
		live: make(map[string]*live),
		mux:  http.NewServeMux(),
	}
	h.mux.HandleFunc("GET /{$}", h.servePage)
	h.mux.HandleFunc("GET /presence.js", serveAsset("assets/presence.js"))
	h.mux.HandleFunc("GET /presence.css", serveAsset("assets/presence.css"))
	h.mux.HandleFunc("POST /api/start", h.serveStart)
	h.mux.HandleFunc("POST /api/ping", h.servePing)
	h.mux.HandleFunc("POST /api/reaction", h.serveReaction)
	h.mux.HandleFunc("POST /api/finish", h.serveFinish)
	return h
}

// handler serves one presence challenge. mu guards live and every *live in
// it; it is never held across a Store call.
type handler struct {
	cfg  Config
	log  *slog.Logger
	page *template.Template
	pop  Baseline
	mux  *http.ServeMux

	mu   sync.Mutex
	live map[string]*live
}

// live is an unfinished session.
type live struct {
	s           Session
	baseline    Baseline
	foreperiods []time.Duration
	prompts     int       // reactions wanted: MaxPrompts, or EnrolPrompts
	pingSeq     int       // next ping expected
	seq         int       // next schedule index expected
	lastSent    time.Time // when the last response to this session left
	expires     time.Time
}

// contentSecurityPolicy allows the page's own script, style and API only.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// ServeHTTP sets the security headers and routes the request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", contentSecurityPolicy)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

type pageData struct {
	MinForeperiod, MaxForeperiod float64 // s
	MaxPrompts                   int
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	err := h.page.Execute(&buf, pageData{
		MinForeperiod: h.cfg.MinForeperiod.Seconds(), MaxForeperiod: h.cfg.MaxForeperiod.Seconds(),
		MaxPrompts: MaxPrompts,
	})
	if err != nil {
		h.log.Error("render presence page", "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

func serveAsset(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.ServeFileFS(w, r, assets, name) }
}

type startResponse struct {
	Session     string    `json:"session"`
	Foreperiods []float64 `json:"foreperiods_ms"`
	Prompts     int       `json:"prompts"`
	Pings       int       `json:"pings"`
	Enrol       bool      `json:"enrol"`
}

func (h *handler) serveStart(w http.ResponseWriter, r *http.Request) {
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeStart(body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sub := Subject{WorkerID: req.WorkerID, Enrol: req.Enrol}
	if h.cfg.Identify != nil {
		if sub, err = h.cfg.Identify(r); err != nil {
			h.log.Info("presence start refused", "err", err)
			apiErr(w, http.StatusForbidden, "forbidden", "", "not allowed to start a presence challenge")
			return
		}
	}
	if sub.WorkerID == "" {
		h.fail(w, r, &fieldError{Field: "worker_id", Msg: "required"})
		return
	}
	if sub.Link != "" {
		// The store, not this process, knows whether the link gave a
		// session: it holds what earlier runs and other servers saved.
		stored, err := h.cfg.Store.SessionStored(r.Context(), sub.Link)
		if err != nil {
			h.internal(w, r, "look up presence link", fmt.Errorf("session of link %s: %w", sub.Link, err))
			return
		}
		if stored {
			apiErr(w, http.StatusForbidden, "link_used", "", "this presence link has been used; ask for a new one")
			return
		}
	}
	base, err := h.cfg.Store.Baseline(r.Context(), sub.WorkerID)
	if errors.Is(err, ErrNoBaseline) {
		base, err = h.pop, nil
	}
	if err != nil {
		h.internal(w, r, "look up baseline", fmt.Errorf("baseline for worker %q: %w", sub.WorkerID, err))
		return
	}
	prompts := MaxPrompts
	if sub.Enrol {
		prompts = h.cfg.EnrolPrompts
	}
	if sub.Link != "" {
		// The session takes the link's ID: a restart of the same link
		// replaces it (below), and the store keeps at most one.
		if err := checkSession(sub.Link); err != nil {
			h.internal(w, r, "start presence session", fmt.Errorf("Identify gave link ID %q: %w", sub.Link, err))
			return
		}
	}
	l := &live{
		s:        Session{ID: cmp.Or(sub.Link, newID()), WorkerID: sub.WorkerID, Enrol: sub.Enrol, Started: h.cfg.Now()},
		baseline: base,
		prompts:  prompts,
	}
	resp := startResponse{Session: l.s.ID, Prompts: prompts, Pings: pings, Enrol: sub.Enrol}
	span := int64(h.cfg.MaxForeperiod - h.cfg.MinForeperiod)
	for range prompts + maxFalseStarts + 1 {
		f := h.cfg.MinForeperiod
		if span > 0 {
			f += time.Duration(randv2.Int64N(span + 1))
		}
		l.foreperiods = append(l.foreperiods, f)
		resp.Foreperiods = append(resp.Foreperiods, ms(f))
	}

	h.mu.Lock()
	now := h.cfg.Now()
	for id, o := range h.live {
		if now.After(o.expires) {
			delete(h.live, id)
		}
	}
	if len(h.live) >= h.cfg.MaxSessions {
		h.mu.Unlock()
		apiErr(w, http.StatusServiceUnavailable, "too_many_sessions", "",
			fmt.Sprintf("%d unfinished sessions, limit %d (Config.MaxSessions); try again later", h.cfg.MaxSessions, h.cfg.MaxSessions))
		return
	}
	l.expires = now.Add(h.cfg.SessionTTL)
	l.lastSent = now
	h.live[l.s.ID] = l
	h.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

type pingResponse struct {
	Seq int `json:"seq"`
}

func (h *handler) servePing(w http.ResponseWriter, r *http.Request) {
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	req, err := decodePing(body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.mu.Lock()
	l, ok := h.lookup(w, req.Session)
	if !ok {
		h.mu.Unlock()
		return
	}
	now := h.cfg.Now()
	if req.Seq != l.pingSeq {
		h.mu.Unlock()
		apiErr(w, http.StatusConflict, "out_of_order", "seq", fmt.Sprintf("seq: got ping %d, want %d", req.Seq, l.pingSeq))
		return
	}
	if req.Seq > 0 {
		l.s.PageRTT = minPositive(l.s.PageRTT, now.Sub(l.lastSent))
	}
	if req.ClientRTT != nil {
		l.s.ClientRTT = minPositive(l.s.ClientRTT, dur(*req.ClientRTT))
	}
	l.pingSeq++
	l.lastSent = h.cfg.Now()
	h.mu.Unlock()
	writeJSON(w, http.StatusOK, pingResponse{Seq: req.Seq})
}

func minPositive(a, b time.Duration) time.Duration {
	if b <= 0 {
		return a
	}
	if a <= 0 {
		return b
	}
	return min(a, b)
}

type reactionResponse struct {
	Done   bool        `json:"done"`
	Result *resultJSON `json:"result,omitempty"`
}

// plausibilitySlack is how much sooner than foreperiod + reaction a
// reaction may reach the server after the previous response left: timer
// and clock-rate differences between page and server.
const plausibilitySlack = 50 * time.Millisecond

func (h *handler) serveReaction(w http.ResponseWriter, r *http.Request) {
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	// Every schedule is at most this long; the seq check below is exact.
	req, err := decodeReaction(body, max(MaxPrompts, h.cfg.EnrolPrompts)+maxFalseStarts+1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.mu.Lock()
	l, ok := h.lookup(w, req.Session)
	if !ok {
		h.mu.Unlock()
		return
	}
	if l.pingSeq < pings {
		h.mu.Unlock()
		apiErr(w, http.StatusConflict, "out_of_order", "seq", fmt.Sprintf("seq: %d of %d pings done; ping first", l.pingSeq, pings))
		return
	}
	if req.Seq != l.seq {
		want := l.seq
		h.mu.Unlock()
		apiErr(w, http.StatusConflict, "out_of_order", "seq", fmt.Sprintf("seq: got %d, want %d", req.Seq, want))
		return
	}
	now := h.cfg.Now()
	if !req.FalseStart {
		rt := req.reaction()
		need := l.foreperiods[req.Seq] + rt
		need -= plausibilitySlack + need/20
		if gap := now.Sub(l.lastSent); gap < need {
			h.mu.Unlock()
			apiErr(w, http.StatusUnprocessableEntity, "implausible_timing", "key_ms",
				fmt.Sprintf("key_ms: reaction reached the server %v after the previous answer, sooner than its foreperiod %v plus reaction %v allows",
					gap.Round(time.Millisecond), l.foreperiods[req.Seq], rt.Round(time.Millisecond)))
			return
		}
		l.s.Reactions = append(l.s.Reactions, rt)
	} else {
		l.s.FalseStarts++
	}
	l.seq++
	res := Assess(l.s.Reactions, l.baseline)
	var done bool
	switch {
	case l.s.FalseStarts > maxFalseStarts:
		done = true
		res.Verdict = Insufficient
		res.Explanation = fmt.Sprintf("Stopped after %d keys pressed before the prompt appeared: that is guessing, not reacting.", l.s.FalseStarts)
	case l.s.Enrol:
		done = len(l.s.Reactions) >= l.prompts
	default:
		done = res.Verdict != Insufficient || len(l.s.Reactions) >= l.prompts
	}
	done = done || l.seq >= len(l.foreperiods)
	if !done {
		l.lastSent = h.cfg.Now()
		h.mu.Unlock()
		writeJSON(w, http.StatusOK, reactionResponse{})
		return
	}
	delete(h.live, l.s.ID)
	h.mu.Unlock()
	l.s.Result = res
	h.finish(w, r, l)
}

func (h *handler) serveFinish(w http.ResponseWriter, r *http.Request) {
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeFinish(body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.mu.Lock()
	l, ok := h.lookup(w, req.Session)
	if ok {
		delete(h.live, l.s.ID)
	}
	h.mu.Unlock()
	if !ok {
		return
	}
	l.s.Result = Assess(l.s.Reactions, l.baseline)
	h.finish(w, r, l)
}

// linkUsed answers a session from a signed link that already gave one.
const linkUsed = "a session from this presence link is already stored; ask for a new link"

// finish stores the ended session l, which no other request can reach any
// more, and answers with its result.
func (h *handler) finish(w http.ResponseWriter, r *http.Request, l *live) {
	l.s.Finished = h.cfg.Now()
	if err := h.cfg.Store.SaveSession(r.Context(), l.s); err != nil {
		if errors.Is(err, ErrSessionExists) {
			apiErr(w, http.StatusConflict, "link_used", "", linkUsed)
			return
		}
		h.internal(w, r, "save presence session", fmt.Errorf("save session %s of worker %q: %w", l.s.ID, l.s.WorkerID, err))
		return
	}
	res := newResultJSON(&l.s)
	writeJSON(w, http.StatusOK, reactionResponse{Done: true, Result: &res})
}

// lookup returns the live session id; h.mu must be held. When there is
// none it answers 404 and returns false.
func (h *handler) lookup(w http.ResponseWriter, id string) (*live, bool) {
	l, ok := h.live[id]
	if !ok || h.cfg.Now().After(l.expires) {
		apiErr(w, http.StatusNotFound, "no_session", "session", "session: unknown, finished or expired; start again")
		return nil, false
	}
	return l, true
}

func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			apiErr(w, http.StatusRequestEntityTooLarge, "too_large", "body", fmt.Sprintf("body: over %d bytes", maxBody))
			return nil, false
		}
		apiErr(w, http.StatusBadRequest, "invalid", "body", "body: "+err.Error())
		return nil, false
	}
	return body, true
}

// fail answers a validation error: 400 naming the field.
func (h *handler) fail(w http.ResponseWriter, _ *http.Request, err error) {
	if fe, ok := errors.AsType[*fieldError](err); ok {
		apiErr(w, http.StatusBadRequest, "invalid", fe.Field, fe.Error())
		return
	}
	apiErr(w, http.StatusBadRequest, "invalid", "", err.Error())
}

// internal logs err and answers 500 without revealing it.
func (h *handler) internal(w http.ResponseWriter, r *http.Request, msg string, err error) {
	level := slog.LevelError
	if errors.Is(err, context.Canceled) {
		level = slog.LevelDebug
	}
	h.log.Log(r.Context(), level, msg, "path", r.URL.Path, "err", err)
	apiErr(w, http.StatusInternalServerError, "internal", "", "internal server error")
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Field   string `json:"field,omitempty"`
		Message string `json:"message"`
	} `json:"error"`
}

func apiErr(w http.ResponseWriter, status int, code, field, msg string) {
	var e apiError
	e.Error.Code, e.Error.Field, e.Error.Message = code, field, msg
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only non-finite floats, which the API never produces
		panic(fmt.Sprintf("presence: encode %T: %v", v, err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func newID() string {
	var b [sessionIDLen / 2]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}
