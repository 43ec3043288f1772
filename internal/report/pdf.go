package report

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Paper is a sheet size for [PDF].
type Paper string

// Paper sizes.
const (
	A4     Paper = "A4"
	Letter Paper = "Letter"
)

// DefaultChromium is where Debian's chromium package installs the browser.
const DefaultChromium = "/usr/bin/chromium"

// MaxHTMLBytes is the largest page [PDF] prints.
const MaxHTMLBytes = 64 << 20

// ErrNoBrowser is returned by [PDF] when the Chromium binary is missing.
var ErrNoBrowser = errors.New("report: chromium not found")

// PDFOptions configures [PDF]. The zero value prints A4 with
// [DefaultChromium] and a one-minute limit.
type PDFOptions struct {
	ChromiumPath string        // browser binary; a bare name is looked up in PATH; "" = DefaultChromium
	Paper        Paper         // A4 (default) or Letter
	Timeout      time.Duration // bounds the whole call, browser start included; 0 = 1 minute
}

// PDF prints page (an HTML document such as [HTML] writes) to PDF with
// headless Chromium and returns the PDF file. It starts a browser with a
// fresh profile in a temporary directory, loads the page from a file there,
// prints it with backgrounds, and always stops the browser and removes the
// directory before it returns.
func PDF(ctx context.Context, html []byte, opts PDFOptions) ([]byte, error) {
	if len(html) == 0 {
		return nil, errors.New("print pdf: html: empty")
	}
	if len(html) > MaxHTMLBytes {
		return nil, fmt.Errorf("print pdf: html: %d bytes: want at most %d", len(html), MaxHTMLBytes)
	}
	size := chromedp.PaperA4
	switch opts.Paper {
	case "", A4:
	case Letter:
		size = chromedp.PaperLetter
	default:
		return nil, fmt.Errorf("print pdf: paper %q: want %q or %q", opts.Paper, A4, Letter)
	}
	bin := opts.ChromiumPath
	if bin == "" {
		bin = DefaultChromium
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("print pdf: %w: %q: install the chromium package or set PDFOptions.ChromiumPath", ErrNoBrowser, bin)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	dir, err := os.MkdirTemp("", "lagwatch-report-")
	if err != nil {
		return nil, fmt.Errorf("print pdf: make temp dir: %w", err)
	}
	defer os.RemoveAll(dir) // after the browser below has stopped
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return nil, fmt.Errorf("print pdf: write %s: %w", file, err)
	}
	actx, stop := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
	)
	defer stop() // kills the browser and waits for it
	bctx, closeTab := chromedp.NewContext(actx)
	defer closeTab()

	u := url.URL{Scheme: "file", Path: file}
	if err := chromedp.Do(bctx, chromedp.Navigate(u.String())); err != nil {
		return nil, fmt.Errorf("print pdf: load page in %s: %w", path, err)
	}
	out, err := chromedp.Run(bctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{
			PrintBackground:   ptr(true),
			PaperWidth:        size.Width,
			PaperHeight:       size.Height,
			MarginTop:         ptr(0.5),
			MarginBottom:      ptr(0.5),
			MarginLeft:        ptr(0.45),
			MarginRight:       ptr(0.45),
			PreferCSSPageSize: ptr(false),
		})
		return res.Data, err
	})
	if err != nil {
		return nil, fmt.Errorf("print pdf: print page in %s: %w", path, err)
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }
