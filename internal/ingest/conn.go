package ingest

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/tcpinfo"
)

// connKey is the context key of a request's *connState.
type connKey struct{}

// connState is what the server remembers about one connection, for as
// long as the connection lives (it hangs off the connection's context).
type connState struct {
	conn net.Conn

	mu          sync.Mutex
	last        time.Time // monotonic time of the last server-tcp sample taken
	unsupported bool      // TCP_INFO cannot be read on this connection
}

// recordTCP stores a server-tcp sample of the request's connection for
// the device, if one is due. Failures are logged, never returned: the
// request does not depend on them.
func (s *Server) recordTCP(r *http.Request, deviceID string) {
	x, ok := s.tcpSample(r, deviceID, s.cfg.Now())
	if !ok {
		return
	}
	if err := s.st.AddSamples(r.Context(), []store.RTTSample{x}); err != nil {
		s.log.Warn("server-tcp sample not stored", "device_id", deviceID, "err", err)
	}
}

// tcpSample reads the kernel's TCP RTT of the request's connection and
// returns it as a server-tcp sample taken at now, unless the connection
// had a sample less than tcpSampleEvery ago or its RTT cannot be read.
// MinRTT is preferred: it is the best single sample, without queueing or
// delayed ACKs.
func (s *Server) tcpSample(r *http.Request, deviceID string, now time.Time) (store.RTTSample, bool) {
	if s.cfg.NoKernelRTT {
		return store.RTTSample{}, false
	}
	cs, ok := r.Context().Value(connKey{}).(*connState)
	if !ok {
		s.log.Debug("no connection state; set http.Server.ConnContext to Server.ConnContext")
		return store.RTTSample{}, false
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.unsupported || (!cs.last.IsZero() && time.Since(cs.last) < tcpSampleEvery) {
		return store.RTTSample{}, false
	}
	info, err := tcpinfo.Read(cs.conn)
	if err != nil {
		// Unsupported (not Linux) or not a TCP socket: the same error would
		// repeat on this connection, so stop trying.
		cs.unsupported = true
		s.log.Debug("kernel tcp rtt unavailable", "device_id", deviceID, "err", err)
		return store.RTTSample{}, false
	}
	cs.last = time.Now()
	rtt := info.MinRTT
	if rtt <= 0 {
		rtt = info.RTT
	}
	if rtt <= 0 {
		return store.RTTSample{}, false
	}
	return store.RTTSample{DeviceID: deviceID, Landmark: s.cfg.Landmark.Name, At: now, RTT: rtt, Provenance: store.ServerTCP}, true
}
