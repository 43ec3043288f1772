package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/auth"
)

// Route is one route a [Handler] serves and who may use it.
type Route struct {
	// Pattern is the [http.ServeMux] pattern, e.g. "GET /applicants/{id}".
	Pattern string
	// Permission is what the signed-in user's role must hold when
	// [Config.Auth] is set; "" for public routes.
	Permission auth.Permission
}

// Routes returns every route the handler serves, in registration order.
// Every route is registered through this table, so it is complete.
func (h *Handler) Routes() []Route { return append([]Route(nil), h.routes...) }

// handle registers fn for pattern behind the permission check.
func (h *Handler) handle(pattern string, perm auth.Permission, fn http.HandlerFunc) {
	h.routes = append(h.routes, Route{Pattern: pattern, Permission: perm})
	if h.cfg.Auth == nil || perm == "" {
		h.mux.HandleFunc(pattern, fn)
		return
	}
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		api := strings.HasPrefix(r.URL.Path, "/api/")
		id, err := h.cfg.Auth.Authenticate(r.Context(), auth.Token(r))
		switch {
		case errors.Is(err, auth.ErrNoSession) && api:
			h.apiFail(w, r, http.StatusUnauthorized, "unauthenticated", "sign in first: POST /login with name and password, then send the "+auth.CookieName+" cookie")
			return
		case errors.Is(err, auth.ErrNoSession):
			h.toLogin(w, r)
			return
		case err != nil:
			h.fail(w, r, api, "check session", err)
			return
		case !id.Role.Can(perm):
			msg := fmt.Sprintf("role %s may not do this (needs %s)", id.Role, perm)
			if api {
				h.apiFail(w, r, http.StatusForbidden, "forbidden", msg)
			} else {
				http.Error(w, msg, http.StatusForbidden)
			}
			return
		}
		fn(w, r.WithContext(auth.WithIdentity(r.Context(), id)))
	})
}

// toLogin redirects a page request without a session to the log-in page,
// relatively so that it works under a path prefix; GET requests come back
// to where they were after log-in.
func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	loc := strings.Repeat("../", max(strings.Count(p, "/")-1, 0)) + "login"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		next := strings.TrimPrefix(p, "/")
		if r.URL.RawQuery != "" {
			next += "?" + r.URL.RawQuery
		}
		if next != "" {
			loc += "?next=" + url.QueryEscape(next)
		}
	}
	w.Header().Set("Location", loc)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
}

// SafeNext returns the relative URL to send a browser to after log-in for
// the login form's next parameter: the dashboard when next is empty or is
// not a plain relative path with an optional query (no scheme, host,
// leading slash, backslash, "..", fragment or control character).
func SafeNext(next string) string {
	const home = "./"
	if next == "" || len(next) > 2048 || strings.ContainsAny(next, "\\#") || next[0] == '/' {
		return home
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || strings.HasPrefix(u.Path, "/") {
		return home
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == ".." || seg == "." {
			return home
		}
	}
	return home + next
}

// loginPage is what templates/login.html renders.
type loginPage struct {
	Title string
	Next  string
	Name  string
	Error string
}

const maxLoginBytes = 4 << 10 // bytes in a log-in form

func (h *Handler) serveLogin(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "login.html", loginPage{Title: h.cfg.Title, Next: r.URL.Query().Get("next")})
}

func (h *Handler) postLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, fmt.Sprintf("log-in form: %v (at most %d bytes)", err, maxLoginBytes), http.StatusBadRequest)
		return
	}
	name, next := strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("next")
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	token, id, err := h.cfg.Auth.Login(r.Context(), name, r.PostForm.Get("password"), ip)
	p := loginPage{Title: h.cfg.Title, Next: next, Name: name}
	if le, ok := errors.AsType[*auth.LimitError](err); ok {
		mins := int(le.RetryAfter.Round(time.Minute) / time.Minute)
		w.Header().Set("Retry-After", strconv.Itoa(int(le.RetryAfter.Seconds()+0.5)))
		p.Error = fmt.Sprintf("Too many failed log-ins. Try again in %d minutes.", max(mins, 1))
		w.WriteHeader(http.StatusTooManyRequests)
		h.render(w, r, "login.html", p)
		return
	}
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		p.Error = "Wrong user name or password."
		w.WriteHeader(http.StatusUnauthorized)
		h.render(w, r, "login.html", p)
		return
	case err != nil:
		h.fail(w, r, false, "log in", err)
		return
	}
	h.cfg.Auth.SetCookie(w, r, token)
	loc := SafeNext(next)
	if loc == "./" && !id.Role.Can(auth.ViewDevices) && h.cfg.Applicants != nil {
		loc = "./applicants" // the dashboard would be 403
	}
	w.Header().Set("Location", loc)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
}

func (h *Handler) postLogout(w http.ResponseWriter, r *http.Request) {
	if err := h.cfg.Auth.Logout(r.Context(), auth.Token(r)); err != nil {
		h.fail(w, r, false, "log out", err)
		return
	}
	h.cfg.Auth.ClearCookie(w, r)
	w.Header().Set("Location", "login")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
}

// viewer is who is looking at a page and what the page may offer them.
type viewer struct {
	Auth       bool // signed in (auth is on)
	Name, Role string
	Devices    bool // may see device verdicts
	Applicants bool // may see applicants
	Rings      bool // may see rings
	Decide     bool // may record decisions
	Risks      bool // the risk page is served
	Alerts     bool // the alert pages are served
	Cases      bool // the case pages are served and may be read
	WorkCases  bool // cases may be opened and changed
}

// viewerOf returns the viewer of r: everything allowed when auth is off.
func (h *Handler) viewerOf(r *http.Request) viewer {
	id, ok := auth.IdentityFrom(r.Context())
	if h.cfg.Auth == nil || !ok {
		return viewer{Devices: true, Applicants: true, Rings: true, Decide: true, Risks: h.cfg.Risks != nil, Alerts: h.cfg.Alerts != nil,
			Cases: h.cfg.Cases != nil, WorkCases: h.cfg.Cases != nil}
	}
	return viewer{Risks: h.cfg.Risks != nil, Alerts: h.cfg.Alerts != nil, Auth: true, Cases: h.cfg.Cases != nil && id.Role.Can(auth.ViewCases),
		WorkCases: h.cfg.Cases != nil && id.Role.Can(auth.WorkCases), Name: id.Name, Role: string(id.Role), Devices: id.Role.Can(auth.ViewDevices),
		Applicants: id.Role.Can(auth.ViewApplicants), Rings: id.Role.Can(auth.ViewRings), Decide: id.Role.Can(auth.DecideApplicants)}
}

// navData is what the "nav" template renders.
type navData struct {
	Root string
	Who  viewer
}

func navOf(root string, who viewer) navData { return navData{Root: root, Who: who} }

// reviewerOf is the reviewer name of a decision: the signed-in user when
// auth is on, else what the client sent.
func reviewerOf(r *http.Request, sent string) string {
	if id, ok := auth.IdentityFrom(r.Context()); ok {
		return id.Name
	}
	return strings.TrimSpace(sent)
}
