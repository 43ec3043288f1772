package auth

import (
	"sync"
	"time"
)

// maxLimiterKeys bounds the memory of the log-in limiter.
const maxLimiterKeys = 10_000

// ipFactor is how many more failures one IP may have over all names than
// for one name.
const ipFactor = 10

// limiter counts failed log-ins per (name, IP) and per IP over a fixed
// window that starts at a key's first failure.
type limiter struct {
	max    int
	window time.Duration
	cap    int

	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	n     int
	start time.Time
}

func newLimiter(max int, window time.Duration, capacity int) *limiter {
	return &limiter{max: max, window: window, cap: capacity, keys: make(map[string]*failures)}
}

func nameKey(name, ip string) string { return "n\x00" + ip + "\x00" + name }
func ipKey(ip string) string         { return "i\x00" + ip }

// blocked returns how long until name may try again from ip, or 0.
func (l *limiter) blocked(name, ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for key, limit := range map[string]int{nameKey(name, ip): l.max, ipKey(ip): l.max * ipFactor} {
		f := l.keys[key]
		switch {
		case f == nil:
		case now.Sub(f.start) >= l.window:
			delete(l.keys, key)
		case f.n >= limit:
			wait = max(wait, f.start.Add(l.window).Sub(now))
		}
	}
	return wait
}

// fail counts a failed attempt.
func (l *limiter) fail(name, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range []string{nameKey(name, ip), ipKey(ip)} {
		f := l.keys[key]
		if f == nil || now.Sub(f.start) >= l.window {
			l.makeRoom(now)
			f = &failures{start: now}
			l.keys[key] = f
		}
		f.n++
	}
}

// succeed clears the count of name from ip (not the IP's own).
func (l *limiter) succeed(name, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, nameKey(name, ip))
}

// makeRoom drops expired keys when the map is full, then arbitrary ones.
func (l *limiter) makeRoom(now time.Time) {
	if len(l.keys) < l.cap {
		return
	}
	for k, f := range l.keys {
		if now.Sub(f.start) >= l.window {
			delete(l.keys, k)
		}
	}
	for k := range l.keys {
		if len(l.keys) < l.cap {
			break
		}
		delete(l.keys, k)
	}
}
