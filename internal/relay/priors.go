package relay

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

//go:embed priors.json
var priorsJSON []byte

// defaultCalibration decodes the embedded calibration once.
var defaultCalibration = sync.OnceValues(func() (Calibration, error) {
	var c Calibration
	dec := json.NewDecoder(bytes.NewReader(priorsJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Calibration{}, fmt.Errorf("decode embedded priors.json: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Calibration{}, fmt.Errorf("embedded priors.json: %w", err)
	}
	return c, nil
})

// DefaultCalibration returns the calibration that ships with lagwatch:
// population priors and the 0.1 % per-window threshold fitted on every
// participant of the Aalto keystroke data (Calibration.Source says how;
// refit with `lagwatch lab keystrokes --aalto DIR --write-priors
// internal/relay/priors.json`, docs/lab-keystrokes.md). It panics if the
// embedded file is broken, which a test rules out.
func DefaultCalibration() Calibration {
	c, err := defaultCalibration()
	if err != nil {
		panic(err)
	}
	return c
}

// DefaultPriors returns the priors of [DefaultCalibration].
func DefaultPriors() Priors { return DefaultCalibration().Priors }

// DefaultThreshold returns the score threshold of [DefaultCalibration], in
// nats: local typing scores above it in at most 0.1 % of windows.
func DefaultThreshold() float64 { return DefaultCalibration().Threshold }
