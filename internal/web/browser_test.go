package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lagwatch/lagwatch/internal/auth"
	"github.com/lagwatch/lagwatch/internal/cases"
	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/web"
)

// TestBrowserAnalystFlow drives the dashboard in headless Chromium as an
// analyst would: sign in, find the flagged worker on the risk page and read
// why, open a case from there, add a note, and export the case report as a
// PDF printed by Chromium itself. With LAGWATCH_SCREENSHOTS=DIR it writes
// PNGs of the pages it visits to DIR (docs/img in the repository).
func TestBrowserAnalystFlow(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("chromium not installed at " + chromium)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	st := applicantStore(t)
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutUser(t.Context(), store.User{Name: "ana", Role: string(auth.Analyst), PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	pdf := func(ctx context.Context, html []byte) ([]byte, error) {
		return report.PDF(ctx, html, report.PDFOptions{ChromiumPath: chromium})
	}
	h, err := web.New(web.Config{Verdicts: noVerdicts, Applicants: st, Auth: a, Risks: fixedRisks,
		Cases: cases.New(st, nil), CaseStore: st, ReportPDF: pdf})
	if err != nil {
		t.Fatal(err)
	}
	base := newHTTPTest(t, h)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless,
		chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start the browser without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	shots := os.Getenv("LAGWATCH_SCREENSHOTS")
	shot := func(name string) {
		if shots == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The risk page needs a session: the browser lands on the log-in form.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/risk"),
		chromedp.WaitVisible(`input[name="password"]`),
		chromedp.SendKeys(`input[name="name"]`, "ana"),
		chromedp.SendKeys(`input[name="password"]`, testPassword),
		chromedp.Click(`form[action="login"] button[type="submit"]`),
		chromedp.WaitVisible(`table.queue`),
	); err != nil {
		t.Fatalf("sign in and open the risk page: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/risk") {
		t.Fatalf("after sign-in the browser is at %s, want the risk page it asked for", loc)
	}
	firstRow, err := chromedp.Run(ctx, chromedp.Text(`table.queue tbody tr`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(firstRow, "worker:w-farm") || !strings.Contains(firstRow, "watch") ||
		!strings.Contains(firstRow, "Too slow for <Phoenix>") || !strings.Contains(firstRow, "input.injected") {
		t.Fatalf("the first row does not show the flagged worker with its explanation: %q", firstRow)
	}
	shot("dashboard-risk.png")

	// Open a case from the flagged worker's row and add a note.
	if err := chromedp.Do(ctx,
		chromedp.Click(`table.queue tbody tr button[type="submit"]`),
		chromedp.WaitVisible(`textarea[name="text"]`),
		chromedp.SendKeys(`textarea[name="text"]`, "RTT 210 ms from Los Angeles; asked the worker for a video call."),
		chromedp.Click(`form[action$="/notes"] button[type="submit"]`),
	); err != nil {
		t.Fatalf("open a case and add a note: %v", err)
	}
	// The note's POST answers with a redirect back to the case: read the
	// page until the new one shows the note (the old one may still be up,
	// or gone mid-navigation).
	var page string
	for deadline := time.Now().Add(20 * time.Second); ; {
		text, err := chromedp.Run(ctx, chromedp.Text(`main`))
		if err == nil && strings.Contains(text, "asked the worker for a video call") {
			page = text
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the case page does not show the note: %v\n%s", err, text)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(page, "w-farm") {
		t.Fatalf("the case page lacks its subject:\n%s", page)
	}
	shot("dashboard-case.png")

	// Export the PDF with the browser's session cookie.
	head, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(location.pathname + "/report.pdf").then(r => r.arrayBuffer()).then(b => String.fromCharCode(...new Uint8Array(b.slice(0, 5))) + ":" + b.byteLength)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("export the case report: %v", err)
	}
	if !strings.HasPrefix(head, "%PDF-") {
		t.Fatalf("report.pdf starts %q, want a PDF", head)
	}
	entries, err := st.Audit(t.Context(), store.AuditFilter{Action: web.AuditReportExported})
	if err != nil || len(entries) != 1 || entries[0].Actor != "ana" {
		t.Errorf("audit entries for the export = %+v, %v; want one by ana", entries, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/applicants"), chromedp.WaitVisible(`table.queue`)); err != nil {
		t.Fatal(err)
	}
	shot("dashboard-applicants.png")
}
