package presence

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// waitPrompt resolves with "prompt" once a prompt other than number %d is on
// screen, or with "done" or "error" when the session has ended. A
// MutationObserver sees the attribute change in the same task that makes
// the prompt visible.
const waitPrompt = `new Promise((resolve) => {
  const s = document.getElementById("stage");
  const check = () => {
    const st = s.dataset.state;
    if (st === "prompt" && s.dataset.prompt !== "%d") { resolve("prompt"); return true; }
    if (st === "done" || st === "error") { resolve(st); return true; }
    return false;
  };
  if (!check()) {
    const o = new MutationObserver(() => { if (check()) o.disconnect(); });
    o.observe(s, {attributes: true});
  }
})`

// simHuman plays the worker in the browser: for each prompt it waits
// observe (the video path of a remote loop), then the reaction time, then
// input (the input path), and presses a key through the DevTools protocol,
// which the page sees as a trusted key event.
func simHuman(ctx context.Context, url string, rts []time.Duration, observe, input time.Duration) (resultJSON, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("start")), chromedp.Click(chromedp.ID("start"))); err != nil {
		return resultJSON{}, fmt.Errorf("open %s: %w", url, err)
	}
	for i := 0; ; i++ {
		st, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(waitPrompt, i-1), chromedp.EvalAwaitPromise))
		if err != nil {
			return resultJSON{}, fmt.Errorf("wait for prompt %d: %w", i, err)
		}
		switch st {
		case "done":
			raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.result`))
			if err != nil {
				return resultJSON{}, fmt.Errorf("read result: %w", err)
			}
			var res resultJSON
			return res, json.Unmarshal([]byte(raw), &res)
		case "error":
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("status").textContent`))
			return resultJSON{}, fmt.Errorf("page error at prompt %d: %s", i, msg)
		}
		if i >= len(rts) {
			return resultJSON{}, fmt.Errorf("prompt %d: ran out of simulated reactions", i)
		}
		time.Sleep(observe + rts[i] + input)
		if err := chromedp.Do(ctx, chromedp.KeyEvent(" ")); err != nil {
			return resultJSON{}, fmt.Errorf("press key for prompt %d: %w", i, err)
		}
	}
}

// TestBrowser runs the page in headless Chromium, opened from signed
// links as lagwatch serve requires: an enrolment of 20
// prompts, a local session and one through a simulated remote loop of
// 150 ms (75 ms to see the prompt, 75 ms for the key to arrive), with
// reaction times drawn from the ex-Gaussian of the simulation. It checks
// the verdicts, the added-delay estimate (150 ± 40 ms) and how closely the
// page's measured reactions follow the simulated ones.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("chromium not installed at " + chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	store := NewMemStore()
	// As lagwatch serve does: the page starts only from a signed link.
	links, err := NewLinks(testLinkKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	linkQuery := func(enrol bool) string {
		tok, err := links.Token(Subject{WorkerID: "w-b", Enrol: enrol}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return "?t=" + tok
	}
	mux := http.NewServeMux()
	mux.Handle("/presence/", http.StripPrefix("/presence", Handler(Config{
		Store: store, MinForeperiod: 200 * time.Millisecond, MaxForeperiod: 500 * time.Millisecond,
		Identify: links.Identify,
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.Headless)
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start the browser without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	r := rand.New(rand.NewPCG(11, 12))
	draw := func(n int) []time.Duration {
		rts := make([]time.Duration, n)
		for i := range rts {
			rts[i] = dur(220 + 25*r.NormFloat64() + 50*r.ExpFloat64())
		}
		return rts
	}
	type run struct {
		name           string
		query          string
		rts            []time.Duration
		observe, input time.Duration
	}
	runs := []run{
		{"enrol", linkQuery(true), draw(20), 0, 0},
		{"local", linkQuery(false), draw(MaxPrompts), 0, 0},
		{"remote 150 ms", linkQuery(false), draw(MaxPrompts), 75 * time.Millisecond, 75 * time.Millisecond},
	}
	results := make([]resultJSON, len(runs))
	for i, rn := range runs {
		start := time.Now()
		res, err := simHuman(ctx, srv.URL+"/presence/"+rn.query, rn.rts, rn.observe, rn.input)
		if err != nil {
			t.Fatalf("%s: %v", rn.name, err)
		}
		results[i] = res
		ss := store.Sessions("w-b")
		got := ss[len(ss)-1].Reactions
		var errs []float64
		for j, rt := range got {
			errs = append(errs, ms(rt)-ms(rn.rts[j]+rn.observe+rn.input))
		}
		mean, sd := meanSD(errs)
		t.Logf("%s: %s after %d prompts in %v; added %.0f ms (CI %.0f..%.0f), page RTT %v ms; "+
			"measured minus simulated reaction: mean %.1f ms, sd %.1f ms, range %.1f..%.1f ms (n=%d)",
			rn.name, res.Verdict, res.Prompts, time.Since(start).Round(time.Millisecond), res.AddedDelay, res.CILow, res.CIHigh,
			deref(res.PageRTT), mean, sd, slices.Min(errs), slices.Max(errs), len(errs))
	}
	if enrol := results[0]; !enrol.Enrol {
		t.Errorf("enrol: result not marked as enrolment")
	}
	if local := results[1]; local.Verdict != Consistent || local.Baseline != "worker" {
		t.Errorf("local: %s against %s, want consistent against worker: %s", local.Verdict, local.Baseline, local.Explanation)
	}
	if remote := results[2]; remote.Verdict != Delayed || math.Abs(remote.AddedDelay-150) > 40 {
		t.Errorf("remote: %s, added %.0f ms, want delayed, 150 ± 40 ms: %s", remote.Verdict, remote.AddedDelay, remote.Explanation)
	}
}

func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(max(len(xs)-1, 1)))
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
