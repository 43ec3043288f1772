package agent

import "time"

// SetBackoff shortens the retry backoff of a for tests.
func SetBackoff(a *Agent, minWait, maxWait time.Duration) {
	a.backoffMin, a.backoffMax = minWait, maxWait
}
