package keylab

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

// WriteTable writes the report as plain-text tables.
func (r RelayReport) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "Relay detection: %d participants, folds of %d and %d (fit on one, report the other), windows of %d strokes, clock %v, seed %d\n",
		r.Participants, len(r.Folds[0]), len(r.Folds[1]), r.Config.Window, r.Config.Resolution, r.Config.Seed)
	for f := range 2 {
		fmt.Fprintf(w, "  fold %d judged with: thresholds prior %.2f/%.2f, baseline %.2f/%.2f nats (1%%/0.1%%); rates/100 keys ties %.3f bursts %.4f stalls %.4f zero-holds %.4f; RTT scales ack %.3f stall %.3f\n",
			f, r.Thresholds[f][0], r.Thresholds[f][1], r.BaseThresh[f][0], r.BaseThresh[f][1],
			r.Priors[f].Rate[0], r.Priors[f].Rate[1], r.Priors[f].Rate[2], r.Priors[f].Rate[3], r.Priors[f].AckScale, r.Priors[f].StallScale)
	}
	fmt.Fprintln(w, "\nFalse alarms on local typing of test participants (95 % upper bounds: rule of three at zero alarms)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tbudget\twindows\talarms\tper window\tupper\thours\tper hour\tupper\ttypists flagged\t")
	for _, fa := range r.FalseAlarms {
		fmt.Fprintf(tw, "%s\t%g%%\t%d\t%d\t%.4f%%\t%.3f%%\t%.1f\t%.3f\t%.3f\t%d/%d\t\n", fa.Mode, fa.Alpha*100, fa.Windows, fa.Alarms,
			fa.Rate*100, fa.RateUpper*100, fa.Hours, fa.PerHour, fa.HourUpper, fa.Flagged, fa.Typists)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nRelays (population priors; keys = keystrokes until detection at 0.1 %, over all participants, - = not reached; base = TPR@0.1 % with a per-worker baseline)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rtt\tjitter\tloss\tnagle\tbatch\tTPR@1%\tTPR@0.1%\tkeys med\tkeys p95\tbase\test\tRTT err\t±25%\tbasis\tbar\t")
	for _, c := range r.Conditions {
		p := c.Path
		nagle := "on"
		if p.NoDelay {
			nagle = "off"
		}
		batch := "-"
		if p.Batch > 0 {
			batch = p.Batch.Round(100 * time.Microsecond).String()
		}
		fmt.Fprintf(tw, "%v\t%v\t%g%%\t%s\t%s\t%.3f\t%.3f\t%s\t%s\t%.3f\t%.2f\t%s\t%s\t%s\t%s\t\n",
			p.RTT, p.Jitter, p.Loss*100, nagle, batch, c.TPR[0], c.TPR[1], keys(c.KeysMedian), keys(c.KeysP95), c.BaselineTPR,
			c.Estimated, pct(c.RTTErr), share(c.RTTWithin, c.Estimated), c.Basis, c.Bar)
	}
	tw.Flush()
	met, missed := 0, 0
	for _, c := range r.Conditions {
		switch c.Bar {
		case "met":
			met++
		case "MISSED":
			missed++
		}
	}
	fmt.Fprintf(w, "\nBar (RTT >= 100 ms, loss >= 0.5 %%: TPR@0.1 %% >= 95 %% within 1,000 keys, 300 with Nagle): %d conditions met, %d missed\n", met, missed)
	if r.RealPath != nil {
		fmt.Fprintln(w)
		r.RealPath.WriteTable(w)
	}
	fmt.Fprintf(w, "\nelapsed %v\n", r.Elapsed.Round(time.Second))
}

// WriteJSON writes the report as indented JSON.
func (r RelayReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func keys(k int) string {
	if k < 0 {
		return "-"
	}
	return fmt.Sprint(k)
}

func pct(v float64) string {
	if v < 0 || math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", v)
}

func share(v, est float64) string {
	if est == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}
