package report

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write page 1 of the laptop-farm report to docs/img/case-report.png")

var pageRE = regexp.MustCompile(`/Type\s*/Page\b[^s]`)

// TestPDFLaptopFarm prints the laptop-farm report with headless Chromium,
// checks the PDF, and renders page 1 to PNG to show that it draws.
func TestPDFLaptopFarm(t *testing.T) {
	if _, err := exec.LookPath(DefaultChromium); err != nil {
		t.Skip("chromium not installed at " + DefaultChromium)
	}
	var page bytes.Buffer
	if err := HTML(&page, laptopFarmCase()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pdf, err := PDF(t.Context(), page.Bytes(), PDFOptions{Paper: A4, Timeout: 90 * time.Second})
	if err != nil {
		t.Fatalf("PDF = %v", err)
	}
	t.Logf("printed %d bytes of HTML to %d bytes of PDF in %v", page.Len(), len(pdf), time.Since(start).Round(time.Millisecond))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("PDF starts with %q, want %%PDF-", pdf[:min(8, len(pdf))])
	}
	pages := len(pageRE.FindAll(pdf, -1))
	if pages < 2 && len(pdf) < 50<<10 {
		t.Errorf("PDF has %d pages and %d bytes, want at least 2 pages or 50 KiB", pages, len(pdf))
	}
	t.Logf("PDF has %d pages", pages)

	dir := t.TempDir()
	file := filepath.Join(dir, "case.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	img, how := rasterise(t, file)
	rows, ink := pageInk(img)
	t.Logf("page 1 rendered by %s: %dx%d pixels, page on %.0f %% of rows, %.1f %% ink on the page",
		how, img.Bounds().Dx(), img.Bounds().Dy(), 100*rows, 100*ink)
	if rows < 0.3 || ink < 0.01 {
		t.Errorf("page 1 shows a page on %.0f %% of rows with %.2f %% ink, want at least 30 %% and 1 %%: the PDF rendered blank", 100*rows, 100*ink)
	}
	if *updateScreenshots {
		var out bytes.Buffer
		if err := png.Encode(&out, img); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join("..", "..", "docs", "img", "case-report.png")
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", dst)
	}
}

// pageInk finds the white sheet in img (rows more than half white) and
// returns the share of rows that show it and the share of non-white pixels
// between its left and right edges: ink on paper.
func pageInk(img image.Image) (rows, ink float64) {
	b := img.Bounds()
	white := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return r >= 0xf000 && g >= 0xf000 && bl >= 0xf000
	}
	pageRows, inked, area := 0, 0, 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		lo, hi, n := -1, -1, 0
		for x := b.Min.X; x < b.Max.X; x++ {
			if white(x, y) {
				if lo < 0 {
					lo = x
				}
				hi = x
				n++
			}
		}
		if n*2 < b.Dx() {
			continue
		}
		pageRows++
		for x := lo; x <= hi; x++ {
			area++
			if !white(x, y) {
				inked++
			}
		}
	}
	if area == 0 {
		return 0, 0
	}
	return float64(pageRows) / float64(b.Dy()), float64(inked) / float64(area)
}

// rasterise renders page 1 of the PDF file to an image with pdftoppm
// (poppler-utils) when it is installed, else with Chromium's own PDF viewer
// (toolbar and thumbnails hidden), and says which it used.
func rasterise(t *testing.T, file string) (image.Image, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var raw []byte
	how := "pdftoppm"
	if bin, err := exec.LookPath("pdftoppm"); err == nil {
		prefix := filepath.Join(filepath.Dir(file), "page")
		if out, err := exec.CommandContext(ctx, bin, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", file, prefix).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm %s: %v: %s", file, err, out)
		}
		if raw, err = os.ReadFile(prefix + ".png"); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Log("pdftoppm not installed (package poppler-utils): rendering the PDF in Chromium's viewer")
		how = "chromium pdf viewer"
		raw = viewPDF(ctx, t, file)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("decode PNG of page 1 (%s): %v", how, err)
	}
	return img, how
}

// viewPDF opens the PDF in Chromium's built-in viewer, which needs the
// component extensions that PDF turns off, and screenshots it once the
// page shows ink, polling for up to 20 s.
func viewPDF(ctx context.Context, t *testing.T, file string) []byte {
	t.Helper()
	actx, stop := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(DefaultChromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(1000, 1414),
		chromedp.UserDataDir(t.TempDir()))
	defer stop()
	bctx, closeTab := chromedp.NewContext(actx)
	defer closeTab()
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+file+"#toolbar=0&navpanes=0&view=FitH")); err != nil {
		t.Fatalf("open %s in chromium: %v", file, err)
	}
	var last []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		buf, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot of %s: %v", file, err)
		}
		last = buf
		if img, err := png.Decode(bytes.NewReader(buf)); err == nil {
			if rows, ink := pageInk(img); rows > 0.3 && ink > 0.01 {
				return buf
			}
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(500 * time.Millisecond):
		}
	}
	return last
}
