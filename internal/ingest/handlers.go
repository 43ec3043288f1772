package ingest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// routes builds the mux. Method-less patterns for the same paths answer
// 405 with a wire error body; "/" answers 404.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.PathEnrol, s.handleEnrol)
	mux.HandleFunc("POST "+wire.PathBatches, s.handleBatch)
	mux.HandleFunc("GET "+wire.PathProbe, s.handleProbeChallenge)
	mux.HandleFunc("POST "+wire.PathProbe+"/{nonce}", s.handleProbeAnswer)
	mux.HandleFunc("GET "+wire.PathHealthz, s.handleHealthz)
	for path, allow := range map[string]string{
		wire.PathEnrol:              "POST",
		wire.PathBatches:            "POST",
		wire.PathProbe:              "GET, HEAD",
		wire.PathProbe + "/{nonce}": "POST",
		wire.PathHealthz:            "GET, HEAD",
	} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			s.writeError(w, http.StatusMethodNotAllowed, wire.CodeMethodNotAllowed, "",
				fmt.Sprintf("method %s not allowed; use %s", r.Method, allow))
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, wire.CodeNotFound, "", "no such endpoint")
	})
	return mux
}

// handleEnrol redeems an enrolment token for a new device and credential.
func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	req, err := wire.DecodeEnrolRequest(body)
	if err != nil {
		s.badRequest(w, r, "", err)
		return
	}
	var key ed25519.PublicKey // none: an agent from before signing
	if req.PublicKey != "" {
		if key, err = wire.ParsePublicKey(req.PublicKey); err != nil { // the decoder checked it
			s.internal(w, r, "", "parse public key", err)
			return
		}
	}
	credential, err := newCredential()
	if err != nil {
		s.internal(w, r, "", "create credential", err)
		return
	}
	tokenHash, credHash := hash(req.Token), hash(credential)
	d := store.Device{
		ID:           "dev-" + strings.ToLower(rand.Text()),
		Hostname:     req.Hostname,
		OS:           req.OS,
		AgentVersion: req.AgentVersion,
		LastIP:       remoteIP(r),
		PublicKey:    key,
	}
	d, err = s.st.Enrol(r.Context(), tokenHash, d, credHash, s.cfg.Now())
	if errors.Is(err, store.ErrTokenInvalid) {
		s.log.Info("enrolment refused", "remote_ip", remoteIP(r), "hostname", req.Hostname, "reason", "token invalid, used or expired")
		s.writeError(w, http.StatusUnauthorized, wire.CodeUnauthorized, "token", "enrolment token invalid, used or expired")
		return
	}
	if err != nil {
		s.internal(w, r, "", "enrol device", err)
		return
	}
	s.log.Info("device enrolled", "device_id", d.ID, "worker_id", d.WorkerID, "hostname", d.Hostname, "remote_ip", d.LastIP, "signed", key != nil)
	s.writeJSON(w, http.StatusOK, wire.EnrolResponse{
		Version:    wire.Version,
		DeviceID:   d.ID,
		Credential: credential,
		Landmark:   wireLandmark(s.cfg.Landmark),
	})
}

// newCredential returns 32 random bytes, base64url without padding.
func newCredential() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// hash returns the SHA-256 of a secret, the only form the store keeps.
func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// handleBatch validates a batch and stores it, all or nothing. The batch
// of a device that sent a public key at enrolment must be signed; the
// signature is checked before the body is decoded.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	dev, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	if dev.PublicKey != nil {
		if err := wire.Verify(dev.PublicKey, body, r.Header.Get(wire.SignatureHeader)); err != nil {
			s.log.Warn("batch signature rejected", "device_id", dev.ID, "remote_ip", remoteIP(r), "err", err)
			w.Header().Set("WWW-Authenticate", `Bearer realm="lagwatch"`)
			s.writeError(w, http.StatusUnauthorized, wire.CodeUnauthorized, "",
				"missing or invalid signature: header "+wire.SignatureHeader+" must carry the Ed25519 signature (base64) of the exact request body by the key sent at enrolment")
			return
		}
	}
	// Only now is the request the device's: a stolen credential without
	// the key must not add server-tcp samples either.
	s.recordTCP(r, dev.ID)
	now := s.cfg.Now()
	b, err := wire.DecodeBatch(body, now)
	if err != nil {
		s.badRequest(w, r, dev.ID, err)
		return
	}
	known, err := s.knownLandmarks(r.Context())
	if err != nil {
		s.internal(w, r, dev.ID, "list landmarks", err)
		return
	}
	for i, x := range b.Samples {
		if !known[x.Landmark] {
			field := "samples[" + strconv.Itoa(i) + "].landmark"
			s.log.Debug("batch rejected", "device_id", dev.ID, "batch_id", b.BatchID, "code", wire.CodeUnknownLandmark, "field", field)
			s.writeError(w, http.StatusBadRequest, wire.CodeUnknownLandmark, field, field+": not a known landmark")
			return
		}
	}
	sb, err := StoreBatch(dev.ID, b, now, remoteIP(r))
	if err != nil {
		s.internal(w, r, dev.ID, "encode telemetry of batch "+b.BatchID, err)
		return
	}
	stored, err := s.st.SaveBatch(r.Context(), sb)
	if errors.Is(err, store.ErrNotFound) { // the device was deleted after authentication
		s.unauthorized(w, r)
		return
	}
	if err != nil {
		s.internal(w, r, dev.ID, "save batch "+b.BatchID, err)
		return
	}
	s.log.Debug("batch received", "device_id", dev.ID, "batch_id", b.BatchID, "samples", len(sb.Samples),
		"windows", len(sb.Windows), "endpoint", sb.Endpoint != nil, "stored", stored)
	s.writeJSON(w, http.StatusOK, wire.BatchResponse{Stored: stored, Duplicate: !stored})
}

// handleProbeChallenge opens a probe and sends its nonce. The send time is
// taken after the response is flushed to the connection, and the handler
// returns at once: on HTTP/1.1 the answer, if it comes on the same
// connection, is not read before this handler returns.
func (s *Server) handleProbeChallenge(w http.ResponseWriter, r *http.Request) {
	dev, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	p, err := s.probes.open(dev.ID, time.Now())
	if err != nil {
		s.log.Debug("probe refused", "device_id", dev.ID, "err", err)
		s.writeError(w, http.StatusTooManyRequests, wire.CodeTooManyRequests, "",
			fmt.Sprintf("too many open probes (at most %d per device, %d in all: ingest Config.MaxProbes)", MaxProbesPerDevice, s.cfg.MaxProbes))
		return
	}
	body, err := json.Marshal(wire.ProbeChallenge{Nonce: p.nonce, Landmark: s.cfg.Landmark.Name})
	if err != nil {
		s.probes.cancel(p)
		s.internal(w, r, dev.ID, "encode probe challenge", err)
		return
	}
	setJSONHeaders(w, len(body))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	if err == nil {
		err = http.NewResponseController(w).Flush()
	}
	if err != nil {
		s.probes.cancel(p)
		s.log.Debug("probe challenge not sent", "device_id", dev.ID, "err", err)
		return
	}
	s.probes.markSent(p, time.Now())
}

// handleProbeAnswer times a probe's answer and stores the RTT.
func (s *Server) handleProbeAnswer(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	dev, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	nonce := r.PathValue("nonce")
	if !wire.IsIdent(nonce) {
		s.writeError(w, http.StatusNotFound, wire.CodeNotFound, "nonce", "no open probe with this nonce")
		return
	}
	sent, err := s.probes.take(r.Context(), nonce, dev.ID, arrived)
	if err != nil {
		s.log.Debug("probe answer refused", "device_id", dev.ID, "err", err)
		s.writeError(w, http.StatusNotFound, wire.CodeNotFound, "nonce",
			fmt.Sprintf("no open probe with this nonce for this device (probes are single use and expire after %v: ingest Config.ProbeTTL)", s.cfg.ProbeTTL))
		return
	}
	rtt := arrived.Sub(sent).Round(time.Microsecond)
	if rtt < time.Microsecond || rtt > wire.MaxRTTMicros*time.Microsecond {
		// The answer was handled before the challenge's send time was
		// taken: this server was too busy to time it. Store nothing.
		s.log.Debug("probe timing disturbed", "device_id", dev.ID, "rtt", rtt)
		s.writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "", "probe could not be timed; retry")
		return
	}
	now := s.cfg.Now()
	samples := []store.RTTSample{{DeviceID: dev.ID, Landmark: s.cfg.Landmark.Name, At: now, RTT: rtt, Provenance: store.ServerApp}}
	if x, ok := s.tcpSample(r, dev.ID, now); ok {
		samples = append(samples, x)
	}
	if err := s.st.AddSamples(r.Context(), samples); err != nil {
		s.internal(w, r, dev.ID, "store probe rtt", err)
		return
	}
	s.log.Debug("probe timed", "device_id", dev.ID, "rtt", rtt)
	s.writeJSON(w, http.StatusOK, wire.ProbeResult{RTTMicros: rtt.Microseconds()})
}

// handleHealthz reports whether the server takes new agents.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		s.writeJSON(w, http.StatusServiceUnavailable, wire.Health{Status: "draining"})
		return
	}
	s.writeJSON(w, http.StatusOK, wire.Health{Status: "ok"})
}

// authenticate returns the device whose credential the request carries,
// or writes 401 and returns false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (store.Device, bool) {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	cred = strings.TrimSpace(cred)
	if !strings.EqualFold(scheme, "Bearer") || !wire.IsSecret(cred) {
		s.unauthorized(w, r)
		return store.Device{}, false
	}
	d, err := s.st.DeviceByCredential(r.Context(), hash(cred))
	if errors.Is(err, store.ErrNotFound) {
		s.unauthorized(w, r)
		return store.Device{}, false
	}
	if err != nil {
		s.internal(w, r, "", "authenticate device", err)
		return store.Device{}, false
	}
	return d, true
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request) {
	s.log.Debug("request unauthorized", "path", r.URL.Path, "remote_ip", remoteIP(r))
	w.Header().Set("WWW-Authenticate", `Bearer realm="lagwatch"`)
	s.writeError(w, http.StatusUnauthorized, wire.CodeUnauthorized, "", "missing or invalid credential (Authorization: Bearer <credential>)")
}

// readBody checks the content type and reads the body up to
// Config.MaxBodyBytes, or writes an error and returns false.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != wire.ContentType {
		s.writeError(w, http.StatusUnsupportedMediaType, wire.CodeUnsupportedMediaType, "", "Content-Type must be "+wire.ContentType)
		return nil, false
	}
	limit := s.cfg.MaxBodyBytes
	tooLarge := func() ([]byte, bool) {
		s.log.Debug("request too large", "path", r.URL.Path, "remote_ip", remoteIP(r), "limit", limit)
		s.writeError(w, http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "",
			fmt.Sprintf("request body exceeds %d bytes (ingest Config.MaxBodyBytes)", limit))
		return nil, false
	}
	if r.ContentLength > limit {
		return tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge()
	}
	if err != nil {
		s.writeError(w, http.StatusBadRequest, wire.CodeInvalidJSON, "", "could not read the request body")
		return nil, false
	}
	return body, true
}

// badRequest answers a message that a wire decoder rejected.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, deviceID string, err error) {
	fe, ok := errors.AsType[*wire.FieldError](err)
	if !ok {
		s.internal(w, r, deviceID, "decode request", err)
		return
	}
	s.log.Debug("request rejected", "path", r.URL.Path, "device_id", deviceID, "code", fe.Code, "field", fe.Field, "reason", fe.Reason)
	s.writeError(w, http.StatusBadRequest, fe.Code, fe.Field, fe.Message())
}

// internal logs err and answers 500 without details.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, deviceID, action string, err error) {
	if r.Context().Err() != nil {
		s.log.Debug("request abandoned by client", "path", r.URL.Path, "device_id", deviceID, "action", action, "err", err)
	} else {
		s.log.Error("request failed", "path", r.URL.Path, "device_id", deviceID, "action", action, "err", err)
	}
	s.writeError(w, http.StatusInternalServerError, wire.CodeInternal, "", "internal error; see the server log")
}

func (s *Server) writeError(w http.ResponseWriter, status int, code wire.Code, field, msg string) {
	s.writeJSON(w, status, wire.ErrorBody{Error: wire.ErrorDetail{Code: code, Field: field, Message: msg}})
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own wire types get here
		panic(fmt.Sprintf("ingest: encode %T: %v", v, err))
	}
	setJSONHeaders(w, len(body))
	w.WriteHeader(status)
	w.Write(body) // an error means the client went away
}

func setJSONHeaders(w http.ResponseWriter, n int) {
	h := w.Header()
	h.Set("Content-Type", wire.ContentType)
	h.Set("Content-Length", strconv.Itoa(n))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

// remoteIP returns the IP address of the request's peer, "" if unknown.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return a.Unmap().String()
}
