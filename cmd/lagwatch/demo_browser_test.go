package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// lockedBuffer is a bytes.Buffer the demo writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestBrowserDemoFarmWorker runs `lagwatch demo` and drives its dashboard
// in headless Chromium: sign in as the analyst, open the laptop-farm
// worker from the risk page, read that at least three independent
// signals flag them while the honest workers are clear, open a case from
// the worker page, export the case PDF and render its first page to PNG.
func TestBrowserDemoFarmWorker(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("chromium not installed at " + chromium)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed: the PDF page cannot be checked")
	}
	ctx, stop := context.WithCancel(t.Context())
	var out, errb lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--duration", "4s", "--app-delay", "--ui-addr", "127.0.0.1:0"}, &out, &errb)
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("demo: %v\n%s", err, errb.String())
		}
	}()
	urlRe := regexp.MustCompile(`dashboard: (http://127\.0\.0\.1:\d+/)`)
	passRe := regexp.MustCompile(`(?m)^\s+analyst\s+(\S+)$`)
	var base, password string
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		s := out.String()
		if m := urlRe.FindStringSubmatch(s); m != nil {
			base, password = strings.TrimSuffix(m[1], "/"), passRe.FindStringSubmatch(s)[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("demo ended before serving the dashboard: %v\n%s\n%s", err, s, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo did not serve the dashboard within 2 minutes:\n%s", s)
		}
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless,
		chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	bctx, cancel = context.WithTimeout(bctx, 2*time.Minute)
	defer cancel()
	shots := os.Getenv("LAGWATCH_SCREENSHOTS")
	shot := func(name string) {
		if shots == "" {
			return
		}
		img, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/risk"),
		chromedp.WaitVisible(`input[name="password"]`),
		chromedp.SendKeys(`input[name="name"]`, "analyst"),
		chromedp.SendKeys(`input[name="password"]`, password),
		chromedp.Click(`form[action="login"] button[type="submit"]`),
		chromedp.WaitVisible(`table.queue`),
	); err != nil {
		t.Fatalf("sign in and open the risk page: %v", err)
	}
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("table.queue tbody tr")].map(r => r.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	level := map[string]string{}
	for _, r := range rows {
		if m := regexp.MustCompile(`^(high|watch|clear)\s+worker:(\S+)`).FindStringSubmatch(r); m != nil {
			level[m[2]] = m[1]
		}
	}
	for _, honest := range []string{"w-alex", "w-sam"} {
		if level[honest] != "clear" {
			t.Errorf("honest worker %s is %q on the risk page, want clear\n%s", honest, level[honest], strings.Join(rows, "\n"))
		}
	}
	if l := level[demoFarmWorker]; l != "high" && l != "watch" {
		t.Fatalf("the farm worker is %q on the risk page, want flagged\n%s", l, strings.Join(rows, "\n"))
	}
	shot("dashboard-demo-risk.png")

	// The farm worker's page: the explanation, signal by signal.
	if err := chromedp.Do(bctx,
		chromedp.Click(`a[href="workers/`+demoFarmWorker+`"]`),
		chromedp.WaitVisible(`#evidence`),
	); err != nil {
		t.Fatalf("open the farm worker's page: %v", err)
	}
	lede, err := chromedp.Run(bctx, chromedp.Text(`p.lede`))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(\d+) independent signal`).FindStringSubmatch(lede)
	if m == nil {
		t.Fatalf("worker page does not state the signals: %q", lede)
	}
	if n, _ := strconv.Atoi(m[1]); n < 3 {
		t.Errorf("the farm worker is flagged by %d independent signals, want at least 3: %q", n, lede)
	}
	evidence, err := chromedp.Run(bctx, chromedp.Text(`#evidence`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"endpoint.ip-kvm", "endpoint.remote-session-far", "AnyDesk", "PiKVM"} {
		if !strings.Contains(evidence, want) {
			t.Errorf("the farm worker's explanation lacks %q:\n%s", want, evidence)
		}
	}
	svgs, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("main svg").length`))
	if err != nil || svgs < 2 {
		t.Errorf("the worker page shows %d plots (%v), want the RTT plot and the map at least", svgs, err)
	}
	shot("dashboard-worker.png")

	// Open a case from the worker page; it lands on the case page.
	if err := chromedp.Do(bctx,
		chromedp.Click(`#open-case`),
		chromedp.WaitVisible(`textarea[name="text"]`),
	); err != nil {
		t.Fatalf("open a case from the worker page: %v", err)
	}
	caseText, err := chromedp.Run(bctx, chromedp.Text(`main`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(caseText, "endpoint.ip-kvm") {
		t.Errorf("the case does not carry the worker's evidence:\n%s", caseText)
	}
	shot("dashboard-demo-case.png")

	// Export the PDF with the browser's session and render page 1.
	b64, err := chromedp.Run(bctx, chromedp.Evaluate[string](`fetch(location.pathname + "/report.pdf").then(r => r.arrayBuffer()).then(b => { const u = new Uint8Array(b); let s = ""; for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("export the case PDF: %v", err)
	}
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("report.pdf is not a PDF (%v): %.20q", err, pdf)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "case.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if o, err := exec.CommandContext(bctx, pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", filepath.Join(dir, "case.pdf"), filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, o)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pages) != 1 {
		t.Fatalf("pdftoppm wrote %v, want one page", pages)
	}
	f, err := os.Open(pages[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("page 1 of the case PDF is not a PNG: %v", err)
	}
	dark := 0
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r+g+b < 3*0x8000 {
				dark++
			}
		}
	}
	if total := bnd.Dx() * bnd.Dy(); dark < total/200 {
		t.Errorf("page 1 of the case PDF is almost blank: %d of %d pixels dark", dark, total)
	}

	// The overview lists the newest alerts: the farm worker's, and no
	// honest worker's. One opens a case carrying the alert's evidence.
	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`#alerts`),
	); err != nil {
		t.Fatalf("open the overview: %v", err)
	}
	alertRows, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#alerts tbody tr")].map(r => r.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(alertRows) == 0 {
		t.Fatal("the overview lists no alert")
	}
	for _, r := range alertRows {
		if !strings.Contains(r, demoFarmWorker) {
			t.Errorf("the overview lists an alert on someone else than %s: %q", demoFarmWorker, r)
		}
	}
	shot("dashboard-overview.png")
	if err := chromedp.Do(bctx,
		chromedp.Click(`#alerts tbody tr a[href^="alerts/"]`),
		chromedp.WaitVisible(`#alert-evidence`),
	); err != nil {
		t.Fatalf("open an alert from the overview: %v", err)
	}
	cited, err := chromedp.Run(bctx, chromedp.Text(`#alert-evidence`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cited, "endpoint.ip-kvm") {
		t.Errorf("the alert does not cite the IP-KVM:\n%s", cited)
	}
	shot("dashboard-alert.png")
	if err := chromedp.Do(bctx,
		chromedp.Click(`#open-alert-case`),
		chromedp.WaitVisible(`textarea[name="text"]`),
	); err != nil {
		t.Fatalf("open a case from the alert: %v", err)
	}
	caseText, err = chromedp.Run(bctx, chromedp.Text(`main`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(caseText, "endpoint.ip-kvm") || !strings.Contains(caseText, "rule ") {
		t.Errorf("the case opened from the alert does not carry its evidence and summary:\n%s", caseText)
	}
}
