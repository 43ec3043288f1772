package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/alerts"
	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/cases"
	"github.com/lagwatch/lagwatch/internal/dossier"
	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/hiring/importer"
	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/intake"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/place"
	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/riskfeed"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/web"
)

// ServeConfig is the configuration of `lagwatch serve`.
type ServeConfig struct {
	Store            StoreConfig
	Screen           ScreenConfig  // lists and layout for applicant imports through the API
	Addr             string        // agent ingest API listen address
	UIAddr           string        // dashboard listen address
	SecureCookie     bool          // mark the session cookie Secure on plain HTTP (behind a TLS proxy)
	TLSCert, TLSKey  string        // TLS for the ingest API
	InsecureHTTP     bool          // serve the ingest API over plain HTTP
	LandmarkName     string        // this server's landmark name
	LandmarkLocation string        // where this server is
	Calibration      string        // optional calibration file (JSON anchors)
	MMDB             []string      // optional DB-IP city mmdb files
	Window           time.Duration // how far back RTT samples count
	Retention        time.Duration // samples older than this are deleted
	Alerts           AlertConfig
	Presence         PresenceConfig
	LogLevel         string
}

// AlertConfig is how serve raises and exports alerts.
type AlertConfig struct {
	RiskConfig        string        // risk configuration JSON (docs/risk.md); default weights and rules when ""
	Interval          time.Duration // time between alert evaluations
	SIEMSyslog        string        // CEF over syslog target; none when ""
	SIEMWebhook       string        // OCSF webhook URL; none when ""
	SIEMWebhookSecret string        // file holding the webhook's HMAC secret
}

func (c *AlertConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.RiskConfig, "risk-config", os.Getenv("LAGWATCH_RISK_CONFIG"), "risk configuration JSON: detector weights, levels and alert rules (docs/risk.md); defaults when absent (env LAGWATCH_RISK_CONFIG)")
	fs.DurationVar(&c.Interval, "alert-interval", durationEnvOr("LAGWATCH_ALERT_INTERVAL", alerts.DefaultInterval), "time between alert evaluations of every worker's risk (env LAGWATCH_ALERT_INTERVAL)")
	fs.StringVar(&c.SIEMSyslog, "siem-syslog", os.Getenv("LAGWATCH_SIEM_SYSLOG"), "send alerts as CEF over syslog: udp://host:514, tcp://host:601 or tls://host:6514 (env LAGWATCH_SIEM_SYSLOG)")
	fs.StringVar(&c.SIEMWebhook, "siem-webhook", os.Getenv("LAGWATCH_SIEM_WEBHOOK"), "POST alerts as OCSF JSON to this URL, signed (docs/siem-export.md; env LAGWATCH_SIEM_WEBHOOK)")
	fs.StringVar(&c.SIEMWebhookSecret, "siem-webhook-secret-file", os.Getenv("LAGWATCH_SIEM_WEBHOOK_SECRET_FILE"), "file holding the webhook's HMAC secret (required with -siem-webhook)")
}

func (c AlertConfig) validate() error {
	if c.Interval < alerts.MinInterval {
		return fmt.Errorf("-alert-interval: want at least %v", alerts.MinInterval)
	}
	if (c.SIEMWebhook == "") != (c.SIEMWebhookSecret == "") {
		return errors.New("-siem-webhook and -siem-webhook-secret-file go together")
	}
	return nil
}

// riskConfig loads the risk configuration, or returns the default.
func (c AlertConfig) riskConfig() (risk.Config, error) {
	if c.RiskConfig == "" {
		return risk.DefaultConfig(), nil
	}
	return openList(c.RiskConfig, "risk-config", risk.ParseConfig)
}

func (c *ServeConfig) register(fs *flag.FlagSet) {
	c.Store.register(fs)
	fs.StringVar(&c.Addr, "addr", envOr("LAGWATCH_ADDR", ":8443"), "listen address of the agent ingest API (env LAGWATCH_ADDR)")
	fs.StringVar(&c.UIAddr, "ui-addr", envOr("LAGWATCH_UI_ADDR", "127.0.0.1:8080"), "listen address of the dashboard; a non-loopback address needs a dashboard user (lagwatch user add) (env LAGWATCH_UI_ADDR)")
	fs.BoolVar(&c.SecureCookie, "secure-cookie", os.Getenv("LAGWATCH_SECURE_COOKIE") == "1", "mark the session cookie Secure, for a dashboard behind a TLS-terminating proxy (env LAGWATCH_SECURE_COOKIE=1)")
	fs.StringVar(&c.TLSCert, "tls-cert", os.Getenv("LAGWATCH_TLS_CERT"), "TLS certificate file for the ingest API (env LAGWATCH_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", os.Getenv("LAGWATCH_TLS_KEY"), "TLS key file for the ingest API (env LAGWATCH_TLS_KEY)")
	fs.BoolVar(&c.InsecureHTTP, "insecure-http", os.Getenv("LAGWATCH_INSECURE_HTTP") == "1", "serve the ingest API over plain HTTP (only behind a TLS proxy or for tests)")
	fs.StringVar(&c.LandmarkName, "landmark", envOr("LAGWATCH_LANDMARK", ""), "this server's landmark name, e.g. us-west (required; env LAGWATCH_LANDMARK)")
	fs.StringVar(&c.LandmarkLocation, "landmark-location", envOr("LAGWATCH_LANDMARK_LOCATION", ""), `where this server is, e.g. "Los Angeles, CA, US" or "lat,lon" (required; env LAGWATCH_LANDMARK_LOCATION)`)
	fs.StringVar(&c.Calibration, "calibration", os.Getenv("LAGWATCH_CALIBRATION"), "JSON file of this landmark's anchors (docs/rtt-model.md); optional")
	fs.Func("mmdb", "DB-IP Lite city mmdb file for city-level IP location; repeat for the IPv4 and IPv6 files", func(s string) error {
		c.MMDB = append(c.MMDB, s)
		return nil
	})
	c.Screen.register(fs, false)
	fs.DurationVar(&c.Window, "window", durationEnvOr("LAGWATCH_WINDOW", 24*time.Hour), "how far back RTT samples count in a verdict")
	fs.DurationVar(&c.Retention, "retention", durationEnvOr("LAGWATCH_RETENTION", 30*24*time.Hour), "RTT samples, input windows and endpoint reports older than this are deleted, and assessed presence challenges older than this or 7 days")
	c.Alerts.register(fs)
	c.Presence.register(fs)
	fs.StringVar(&c.LogLevel, "log-level", envOr("LAGWATCH_LOG_LEVEL", "info"), "debug, info, warn or error")
}

func (c ServeConfig) validate() error {
	if err := c.Store.validate(); err != nil {
		return err
	}
	if c.LandmarkName == "" || len(c.LandmarkName) > 64 || strings.ContainsAny(c.LandmarkName, " \t\n/") {
		return errors.New("-landmark: required, 1–64 characters without spaces or slashes")
	}
	if c.LandmarkLocation == "" {
		return errors.New("-landmark-location: required")
	}
	if _, err := place.Resolve(c.LandmarkLocation); err != nil {
		return fmt.Errorf("-landmark-location: %w", err)
	}
	if !c.InsecureHTTP && (c.TLSCert == "" || c.TLSKey == "") {
		return errors.New("-tls-cert and -tls-key: required for the ingest API (or -insecure-http behind a TLS proxy)")
	}
	if c.Window < time.Minute {
		return errors.New("-window: want at least 1m")
	}
	if c.Retention < c.Window {
		return fmt.Errorf("-retention: want at least -window (%s)", c.Window)
	}
	if err := c.Alerts.validate(); err != nil {
		return err
	}
	if _, err := c.Alerts.riskConfig(); err != nil {
		return err
	}
	return nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg ServeConfig
	fs := flag.NewFlagSet("lagwatch serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.register(fs)
	checkOnly := fs.Bool("check-config", false, "validate the configuration and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if *checkOnly {
		fmt.Fprintln(stdout, "configuration ok")
		return nil
	}
	log, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.Store, log)
	if err != nil {
		return err
	}
	defer st.Close()
	lp, _ := place.Resolve(cfg.LandmarkLocation)
	lm := store.Landmark{Name: cfg.LandmarkName, Location: lp.String(), Lat: lp.Point.Lat, Lon: lp.Point.Lon, SeenAt: time.Now()}
	if err := st.PutLandmark(ctx, lm); err != nil {
		return fmt.Errorf("register landmark %s: %w", lm.Name, err)
	}
	cals := map[string]*latency.Calibration{}
	if cfg.Calibration != "" {
		c, err := loadCalibration(cfg.Calibration)
		if err != nil {
			return err
		}
		cals[lm.Name] = c
	}
	loc, err := ipgeo.Open(cfg.MMDB...)
	if err != nil {
		return err
	}
	defer loc.Close()
	an, err := newAnalyzer(st, cals, loc, cfg.Window, log)
	if err != nil {
		return err
	}
	ing, err := ingest.New(st, ingest.Config{Landmark: lm, Logger: log.With("part", "ingest")})
	if err != nil {
		return err
	}
	sc, err := cfg.Screen.open(log.With("part", "screen"), loc)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer sc.Close()
	importApplicants := func(ctx context.Context, name string, data []byte, layout string) (any, error) {
		ic := sc.cfg
		if layout != "" {
			m, err := importer.LayoutByName(layout)
			if err != nil {
				return nil, &hiring.RecordError{Source: name, Err: fmt.Errorf("layout: %w", err)}
			}
			ic.Import.Mapping = &m
		}
		return intake.RunData(ctx, ic, st, name, data)
	}
	// Any dashboard user turns log-in on; without one the dashboard must
	// stay on loopback. The presence page (/presence/) needs no log-in:
	// workers open it from a signed link (below).
	authn, err := dashboardAuth(ctx, st, cfg.UIAddr, cfg.SecureCookie)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	worker, err := storeWorker(st, loc, log)
	if err != nil {
		return err
	}
	rc, err := cfg.Alerts.riskConfig()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	sinks, closeSinks, err := openSinks(ctx, cfg.Alerts.SIEMSyslog, cfg.Alerts.SIEMWebhook, cfg.Alerts.SIEMWebhookSecret)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer closeSinks()
	al, err := alerts.New(ctx, st, alerts.Config{Risk: &rc, Interval: cfg.Alerts.Interval, Sinks: sinks, Logger: log.With("part", "alerts")})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	risks, evaluated := storeRisks(st, rc)
	ui, err := web.New(withCases(web.Config{Verdicts: an.All, Logger: log.With("part", "web"), IPCityCredit: len(cfg.MMDB) > 0,
		Applicants: st, Import: importApplicants, Auth: authn, Risks: risks, RisksEvaluated: evaluated, Worker: worker, Alerts: al}, st, log))
	if err != nil {
		return err
	}
	ingestSrv := &http.Server{Addr: cfg.Addr, Handler: ing.Handler(), ConnContext: ing.ConnContext,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	// The presence challenge is served beside the dashboard. Its finished
	// sessions, and so every worker's enrolment baseline and every result,
	// are kept in the store and survive a restart; only sessions still in
	// progress live in memory. A challenge starts only from a signed link
	// (lagwatch presence link): the link, not the page, names the worker
	// and whether the session enrols, and yields one stored session.
	links, err := cfg.Presence.links(cfg.Store.DataDir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	uiMux := http.NewServeMux()
	uiMux.Handle("/", ui)
	uiMux.Handle("/presence/", http.StripPrefix("/presence", presence.Handler(presence.Config{Store: st, Logger: log.With("part", "presence"), Identify: links.Identify})))
	uiSrv := &http.Server{Addr: cfg.UIAddr, Handler: uiMux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 60 * time.Second}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen for agents on %s: %w", cfg.Addr, err)
	}
	uln, err := net.Listen("tcp", cfg.UIAddr)
	if err != nil {
		ln.Close()
		return fmt.Errorf("listen for the dashboard on %s: %w", cfg.UIAddr, err)
	}
	log.Info("lagwatch serving", "landmark", lm.Name, "landmark_location", lm.Location, "ingest_addr", ln.Addr().String(), "ui_addr", uln.Addr().String(), "tls", !cfg.InsecureHTTP)
	fmt.Fprintf(stdout, "dashboard: http://%s/\n", uln.Addr())

	return serveUntilDone(ctx, log, func() error {
		if cfg.InsecureHTTP {
			return ingestSrv.Serve(ln)
		}
		return ingestSrv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
	}, func() error { return uiSrv.Serve(uln) }, []*http.Server{ingestSrv, uiSrv}, func(ctx context.Context) {
		var wg sync.WaitGroup
		wg.Go(func() { retain(ctx, st, cfg.Retention, log) })
		wg.Go(func() { al.Run(ctx) })
		wg.Wait()
	})
}

// serveUntilDone runs the servers and the background job until ctx ends or a
// server fails, then shuts the servers down (in order) within 10 s and waits
// for every goroutine it started.
func serveUntilDone(ctx context.Context, log *slog.Logger, ingestServe, uiServe func() error, servers []*http.Server, background func(context.Context)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	var wg sync.WaitGroup
	for _, serve := range []func() error{ingestServe, uiServe} {
		wg.Go(func() {
			if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
				cancel()
			}
		})
	}
	wg.Go(func() { background(ctx) })
	<-ctx.Done()
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			log.Warn("shutdown", "addr", s.Addr, "err", err)
		}
	}
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// retain runs prune hourly.
func retain(ctx context.Context, st appStore, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		prune(ctx, st, retention, time.Now(), log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// prune deletes the telemetry older than the retention period (RTT
// samples, input windows, endpoint reports, batch IDs) and the assessed
// presence challenges older than the retention period or
// presence.MaxLinkTTL, whichever is longer: a stored session is what
// refuses its signed link a second time, so it outlives the link.
// Presence enrolments are kept; they are the baselines.
func prune(ctx context.Context, st appStore, retention time.Duration, now time.Time, log *slog.Logger) {
	n, err := st.PruneSamples(ctx, now.Add(-retention))
	if err != nil && ctx.Err() == nil {
		log.Warn("prune samples", "err", err)
	} else if n > 0 {
		log.Info("pruned samples", "count", n)
	}
	n, err = st.PrunePresence(ctx, now.Add(-max(retention, presence.MaxLinkTTL)))
	if err != nil && ctx.Err() == nil {
		log.Warn("prune presence sessions", "err", err)
	} else if n > 0 {
		log.Info("pruned presence sessions", "count", n)
	}
}

func newAnalyzer(st analyze.Store, cals map[string]*latency.Calibration, loc *ipgeo.Locator, window time.Duration, log *slog.Logger) (*analyze.Analyzer, error) {
	band, err := latency.DefaultBand()
	if err != nil {
		return nil, err
	}
	return analyze.New(st, analyze.Config{Band: band, Calibrations: cals, Window: window, Locator: loc, Logger: log.With("part", "analyze")})
}

// loadCalibration reads a landmark calibration file (latency.DecodeCalibration).
func loadCalibration(path string) (*latency.Calibration, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read calibration: %w", err)
	}
	defer f.Close()
	c, err := latency.DecodeCalibration(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// riskMemoTTL is how long the dashboard shows one evaluation of every
// worker's risk before it evaluates again.
const riskMemoTTL = 30 * time.Second

// storeRisks fuses the last week of every worker's stored evidence with
// cfg, for the dashboard's overview, risk, worker and case pages. One
// evaluation serves every page for riskMemoTTL (riskfeed.Memo): it reads
// and scores the whole fleet's week of telemetry. evaluated says when the
// risks the pages show were evaluated.
func storeRisks(st riskfeed.Store, cfg risk.Config) (risks web.RisksFunc, evaluated func() time.Time) {
	m := riskfeed.NewMemo(func(ctx context.Context) ([]risk.Risk, error) {
		return riskfeed.Risks(ctx, st, nil, alerts.DefaultWindow, cfg)
	}, riskMemoTTL, nil)
	return m.Risks, m.Evaluated
}

// storeWorker reads a worker's evidence file of the last week (package
// dossier) for the dashboard's worker page and case reports.
func storeWorker(st dossier.Store, loc *ipgeo.Locator, log *slog.Logger) (web.WorkerFunc, error) {
	band, err := latency.DefaultBand()
	if err != nil {
		return nil, err
	}
	cfg := dossier.Config{Band: band, Locator: loc, Logger: log}
	return func(ctx context.Context, id string) (report.Case, error) {
		return dossier.Worker(ctx, st, cfg, id)
	}, nil
}

// caseStore is what the dashboard's case pages need of a store; both
// store.Store and postgres.Store have it.
type caseStore interface {
	cases.Store
	web.CaseStore
}

// withCases adds the case pages on st to c when st keeps cases, and the
// PDF export of case reports when Chromium is installed at
// report.DefaultChromium (without it, the HTML report is still served).
func withCases(c web.Config, st any, log *slog.Logger) web.Config {
	cs, ok := st.(caseStore)
	if !ok {
		return c
	}
	c.Cases, c.CaseStore = cases.New(cs, nil), cs
	if _, err := os.Stat(report.DefaultChromium); err != nil {
		log.Warn("case report pdf export off", "chromium", report.DefaultChromium, "err", err)
		return c
	}
	c.ReportPDF = func(ctx context.Context, html []byte) ([]byte, error) {
		return report.PDF(ctx, html, report.PDFOptions{})
	}
	return c
}
