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
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lagwatch/lagwatch/internal/alerts"
	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/hiring/importer"
	"github.com/lagwatch/lagwatch/internal/idp"
	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/intake"
	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/lab/applicantgen"
	"github.com/lagwatch/lagwatch/internal/lab/devicesim"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/netpath"
	"github.com/lagwatch/lagwatch/internal/place"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/web"
)

// DemoConfig is the configuration of `lagwatch demo`.
type DemoConfig struct {
	Once     bool          // print the verdicts and exit
	Duration time.Duration // how long agents report before the verdicts are printed
	UIAddr   string        // dashboard address after the table
	DataDir  string        // "" means a temporary directory
	AppDelay bool          // force application-layer delay even where namespaces work
	LogLevel string
}

// demoLandmark is a landmark server of the demo.
type demoLandmark struct {
	name, location string
	at             geo.Point
}

// demoScenario is one worker of the demo: where they claim to be, where the
// device really is, and the path its traffic takes.
type demoScenario struct {
	workerID, name, claim, access string
	story                         string
	// rttTo returns the RTT in ms from the device to a landmark.
	rttTo func(b *latency.Band, l demoLandmark) float64
	// laptop is what the device's endpoint scan finds (simulated).
	laptop func(b *latency.Band) devicesim.Laptop
	// keyboard is where the strokes come from (simulated typing).
	keyboard keystroke.Device
}

// The demo's keyboards: a laptop's own, and the XTEST device through which
// remote-control tools inject an operator's keys.
var (
	laptopKeyboard = keystroke.Device{Source: "x11", Name: "AT Translated Set 2 keyboard", Prov: keystroke.ProvPhysical, Bus: "i8042", Path: "xi2:8"}
	xtestKeyboard  = keystroke.Device{Source: "x11", Name: "Virtual core XTEST keyboard", Prov: keystroke.ProvInjected, Bus: "xtest", Path: "xi2:5"}
)

// cleanLaptop has no remote-access tool and no capture hardware.
func cleanLaptop(*latency.Band) devicesim.Laptop { return devicesim.Laptop{} }

// farmLaptop is a laptop in a farm: AnyDesk holds a session to the
// operator, whose kernel RTT is the path to operatorAt, and a PiKVM's USB
// gadget is plugged in.
func farmLaptop(at, operatorAt geo.Point) func(*latency.Band) devicesim.Laptop {
	return func(b *latency.Band) devicesim.Laptop {
		rtt := time.Duration((pathMs(b, at, operatorAt) + 15) * float64(time.Millisecond))
		return devicesim.Laptop{
			Tools: []devicesim.Tool{{PID: 2817, Process: "anydesk", Exe: "/usr/bin/anydesk", Sessions: []devicesim.Session{{
				Local: netip.MustParseAddrPort("192.168.50.23:7070"), Remote: netip.MustParseAddrPort("203.0.113.88:51544"), RTT: rtt,
			}}}},
			USB: []devicesim.USB{{Path: "1-2", VendorID: "1d6b", ProductID: "0104", Manufacturer: "PiKVM", Product: "PiKVM Composite Device",
				Serial: "CAFEBABE", InterfaceClasses: []string{"03", "03", "08"}}},
		}
	}
}

func demoLandmarks() ([]demoLandmark, error) {
	var out []demoLandmark
	for _, l := range [][2]string{{"us-west", "Los Angeles, CA, US"}, {"eu-central", "Frankfurt am Main, DE"}, {"ap-northeast", "Tokyo, JP"}} {
		p, err := place.Resolve(l[1])
		if err != nil {
			return nil, fmt.Errorf("demo landmark %s: %w", l[0], err)
		}
		out = append(out, demoLandmark{l[0], p.String(), p.Point})
	}
	return out, nil
}

// pathMs is the median path RTT between two places from the fitted band: the
// delay the demo puts on the wire.
func pathMs(b *latency.Band, a, c geo.Point) float64 { return b.Predict(a, c, nil).ExpectedMs() }

func mustPoint(s string) geo.Point {
	p, err := place.Resolve(s)
	if err != nil {
		panic(fmt.Sprintf("demo place %q: %v", s, err)) // programmer error: fixed demo data
	}
	return p.Point
}

// demoFarmWorker is the laptop-farm worker of the demo.
const demoFarmWorker = "w-taylor"

func demoScenarios() []demoScenario {
	phoenix, shenyang, frankfurt := mustPoint("Phoenix, AZ, US"), mustPoint("Shenyang, CN"), mustPoint("Frankfurt am Main, DE")
	return []demoScenario{
		{"w-alex", "Alex Rivera", "Phoenix, AZ, US", "cable", "honest worker in Phoenix on cable (11 ms access)",
			func(b *latency.Band, l demoLandmark) float64 { return pathMs(b, l.at, phoenix) + 11 }, cleanLaptop, laptopKeyboard},
		{"w-jordan", "Jordan Lee", "Phoenix, AZ, US", "", "device in Shenyang behind a VPN exiting in Phoenix",
			func(b *latency.Band, l demoLandmark) float64 {
				return pathMs(b, l.at, phoenix) + pathMs(b, phoenix, shenyang) + 8
			}, cleanLaptop, laptopKeyboard},
		{"w-sam", "Sam Ortiz", "Phoenix, AZ, US", "satellite-geo", "honest worker in Phoenix on a geostationary satellite link (600 ms access)",
			func(b *latency.Band, l demoLandmark) float64 { return pathMs(b, l.at, phoenix) + 600 }, cleanLaptop, laptopKeyboard},
		{"w-chris", "Chris Novak", "Phoenix, AZ, US", "", "contractor in Frankfurt claiming Phoenix, no VPN",
			func(b *latency.Band, l demoLandmark) float64 { return pathMs(b, l.at, frankfurt) + 5 }, cleanLaptop, laptopKeyboard},
		{demoFarmWorker, "Taylor Brooks", "Phoenix, AZ, US", "cable", "laptop farm: the laptop is in Phoenix on cable; an operator in Shenyang drives it through AnyDesk and a PiKVM",
			func(b *latency.Band, l demoLandmark) float64 { return pathMs(b, l.at, phoenix) + 11 }, farmLaptop(phoenix, shenyang), xtestKeyboard},
	}
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg DemoConfig
	fs := flag.NewFlagSet("lagwatch demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&cfg.Once, "once", false, "print the verdict table and exit instead of serving the dashboard")
	fs.DurationVar(&cfg.Duration, "duration", 8*time.Second, "how long the agents report before the verdicts are printed")
	fs.StringVar(&cfg.UIAddr, "ui-addr", "127.0.0.1:8080", "dashboard address (after the table, until Ctrl-C)")
	fs.StringVar(&cfg.DataDir, "data-dir", "", "keep the demo's SQLite store here (default: a temporary directory)")
	fs.BoolVar(&cfg.AppDelay, "app-delay", false, "delay at the application layer even where network namespaces are available")
	fs.StringVar(&cfg.LogLevel, "log-level", "warn", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Duration < 3*time.Second || cfg.Duration > time.Hour {
		return errors.New("-duration: want between 3s and 1h")
	}
	log, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	band, err := latency.DefaultBand()
	if err != nil {
		return err
	}
	lms, err := demoLandmarks()
	if err != nil {
		return err
	}
	scen := demoScenarios()

	dir := cfg.DataDir
	if dir == "" {
		dir, err = os.MkdirTemp("", "lagwatch-demo-")
		if err != nil {
			return fmt.Errorf("create demo directory: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	st, err := store.Open(ctx, dir+"/lagwatch.db", log)
	if err != nil {
		return err
	}
	defer st.Close()

	// The network: real kernel paths between namespaces where possible.
	var nw *netpath.Net
	mode := "application-layer delay (no root or network namespaces here: the kernel's own TCP RTT is not measured, only the server-timed ping/pong)"
	if err := netpath.Available(); err == nil && !cfg.AppDelay {
		nw, err = netpath.New(ctx, netpath.Config{Prefix: fmt.Sprintf("lwdemo%d", os.Getpid()%100000), HostsA: len(lms), HostsB: len(scen), Logger: log})
		if err != nil {
			return fmt.Errorf("demo network: %w", err)
		}
		defer nw.Close()
		mode = "real network paths: TUN devices between network namespaces delay every packet, so the kernel's TCP RTT is real"
	} else if err != nil {
		log.Info("network namespaces unavailable", "reason", err)
	}
	fmt.Fprintf(stdout, "lagwatch demo: %d landmarks, %d workers; %s.\n", len(lms), len(scen), mode)

	// Landmark servers, sharing one store as several landmark servers share
	// one PostgreSQL in production.
	var wg sync.WaitGroup
	srvCtx, stopServers := context.WithCancel(ctx)
	defer func() { stopServers(); wg.Wait() }()
	urls := make([]string, len(lms))
	var servers []*http.Server
	for i, l := range lms {
		sl := store.Landmark{Name: l.name, Location: l.location, Lat: l.at.Lat, Lon: l.at.Lon, SeenAt: time.Now()}
		if err := st.PutLandmark(ctx, sl); err != nil {
			return err
		}
		ing, err := ingest.New(st, ingest.Config{Landmark: sl, Logger: log.With("landmark", l.name), NoKernelRTT: nw == nil})
		if err != nil {
			return err
		}
		var ln net.Listener
		if nw != nil {
			ln, err = nw.Listen(ctx, "tcp", netip.AddrPortFrom(nw.AddrA(i), 8080))
		} else {
			ln, err = net.Listen("tcp", "127.0.0.1:0")
		}
		if err != nil {
			return fmt.Errorf("listen for landmark %s: %w", l.name, err)
		}
		urls[i] = "http://" + ln.Addr().String()
		hs := &http.Server{Handler: ing.Handler(), ConnContext: ing.ConnContext, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, hs)
		wg.Go(func() { ing.Run(srvCtx) })
		wg.Go(func() { hs.Serve(ln) })
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, s := range servers {
			s.Shutdown(sctx)
		}
	}()

	// Workers, their paths, and their agents.
	agentCtx, stopAgents := context.WithCancel(ctx)
	var agents sync.WaitGroup
	defer func() { stopAgents(); agents.Wait() }()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKER\tCLAIMS\tREALLY\tRTT ON THE WIRE")
	for j, s := range scen {
		w, err := newWorker(s.workerID, s.name, s.claim, s.access)
		if err != nil {
			return err
		}
		if err := st.PutWorker(ctx, w); err != nil {
			return err
		}
		tok, hash := newEnrolmentToken()
		if err := st.CreateEnrolmentToken(ctx, hash, w.ID, time.Now().Add(time.Hour)); err != nil {
			return err
		}
		var rtts []string
		delays := make([]time.Duration, len(lms))
		for i, l := range lms {
			ms := s.rttTo(band, l)
			delays[i] = time.Duration(ms * float64(time.Millisecond))
			rtts = append(rtts, fmt.Sprintf("%s %.0f ms", l.name, ms))
			if nw != nil {
				if err := nw.SetPath(nw.AddrB(j), nw.AddrA(i), netpath.Link{Delay: delays[i] / 2, Jitter: time.Millisecond}); err != nil {
					return err
				}
			}
		}
		fmt.Fprintf(tw, "%s\t%s (%s)\t%s\t%s\n", w.Name, w.ClaimedLocation, accessWords(w.Access), s.story, strings.Join(rtts, ", "))
		ag, err := newDemoAgent(nw, j, urls, delays, tok, dir, s, band, log)
		if err != nil {
			return err
		}
		agents.Go(func() {
			if err := ag.Run(agentCtx); err != nil && agentCtx.Err() == nil {
				log.Warn("demo agent stopped", "worker", s.workerID, "err", err)
			}
		})
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nagents report for %s ...\n", cfg.Duration)
	select {
	case <-time.After(cfg.Duration):
	case <-ctx.Done():
		return nil
	}

	an, err := analyze.New(st, analyze.Config{Band: band, Window: time.Hour, Logger: log})
	if err != nil {
		return err
	}
	vs, err := an.All(ctx)
	if err != nil {
		return err
	}
	printVerdicts(stdout, vs)
	corpus, err := demoApplicants(ctx, st, dir, stdout, log)
	if err != nil {
		return err
	}
	if err := demoHistory(ctx, st, corpus, scen, stdout); err != nil {
		return err
	}
	rc := risk.DefaultConfig()
	risksOf, evaluated := storeRisks(st, rc)
	risks, err := risksOf(ctx)
	if err != nil {
		return err
	}
	// The agents keep reporting while the dashboard runs, so alerts are
	// evaluated every minute rather than serve's default interval.
	al, err := alerts.New(ctx, st, alerts.Config{Risk: &rc, Interval: time.Minute, Logger: log.With("part", "alerts")})
	if err != nil {
		return err
	}
	raised, err := al.Evaluate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nRisk per worker, every signal fused (docs/risk.md); the laptops' endpoints and typists are simulated (docs/demo.md):")
	printRisks(stdout, risks, raised)
	if cfg.Once {
		return nil
	}
	authn, err := demoUsers(ctx, st, stdout)
	if err != nil {
		return err
	}
	worker, err := storeWorker(st, nil, log)
	if err != nil {
		return err
	}
	ui, err := web.New(withCases(web.Config{Verdicts: an.All, Logger: log, Title: "lagwatch demo", Applicants: st, Auth: authn, Risks: risksOf, RisksEvaluated: evaluated, Worker: worker, Alerts: al}, st, log))
	if err != nil {
		return err
	}
	uln, err := net.Listen("tcp", cfg.UIAddr)
	if err != nil {
		return fmt.Errorf("listen for the dashboard on %s: %w", cfg.UIAddr, err)
	}
	uiSrv := &http.Server{Handler: ui, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "\ndashboard: http://%s/ (agents keep reporting; Ctrl-C to stop); review queue: http://%s/applicants\n", uln.Addr(), uln.Addr())
	wg.Go(func() { uiSrv.Serve(uln) })
	wg.Go(func() { al.Run(ctx) })
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	uiSrv.Shutdown(sctx)
	return nil
}

func printVerdicts(w io.Writer, vs []analyze.DeviceVerdict) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nWORKER\tCLAIMED\tVERDICT\tMIN RTT (server-measured)\tSUMMARY")
	for _, v := range vs {
		var rtts []string
		for _, f := range v.Verdict.Findings {
			rtts = append(rtts, fmt.Sprintf("%s %.0f ms/%d %s", f.Landmark, f.MinMs, f.Count, f.Provenance))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.Worker.Name, v.Worker.ClaimedLocation, strings.ToUpper(string(v.Verdict.Status)), strings.Join(rtts, ", "), v.Verdict.Summary)
	}
	tw.Flush()
	for _, v := range vs {
		if !v.Verdict.Status.Flagged() {
			continue
		}
		fmt.Fprintf(w, "\n%s — %s\n", v.Worker.Name, v.Verdict.Summary)
		for _, line := range v.Verdict.Explanation {
			fmt.Fprintf(w, "  - %s\n", line)
		}
	}
}

var _ = slog.LevelInfo

// demoApplicants screens 1,000 applicants from the lab's generator (seed 1,
// with planted persona rings; docs/lab-rings.md) into the demo's store, so
// the dashboard's review queue and ring view have something to show.
func demoApplicants(ctx context.Context, st *store.Store, dir string, stdout io.Writer, log *slog.Logger) (applicantgen.Corpus, error) {
	c, err := applicantgen.Generate(applicantgen.Config{N: 1000, Seed: 1})
	if err != nil {
		return c, fmt.Errorf("demo applicants: %w", err)
	}
	path := filepath.Join(dir, "demo-applicants.csv")
	if err := writeFileWith(path, func(w io.Writer) error { return importer.WriteCSV(w, c.Applicants) }); err != nil {
		return c, fmt.Errorf("demo applicants: %w", err)
	}
	sc, err := ScreenConfig{MaxFileMB: 64}.open(log, nil)
	if err != nil {
		return c, fmt.Errorf("demo applicants: %w", err)
	}
	defer sc.Close()
	for _, w := range c.Workers {
		sc.cfg.Workers = append(sc.cfg.Workers, intake.Worker{ID: w.ID, ShippingAddress: w.ShippingAddress})
	}
	rep, err := intake.Run(ctx, sc.cfg, st, []string{path})
	if err != nil {
		return c, fmt.Errorf("demo applicants: %w", err)
	}
	fmt.Fprintf(stdout, "\nApplicants: %d generated applicants screened (%d personas planted in %d rings): %d high, %d review, %d low; %d rings found.\n",
		rep.Imported, countPersonas(c.Ring), len(c.Rings), rep.Levels["high"], rep.Levels["review"], rep.Levels["low"], rep.Rings)
	return c, nil
}

func countPersonas(ring []int) int {
	n := 0
	for _, r := range ring {
		if r >= 0 {
			n++
		}
	}
	return n
}

// demoHistory gives the workers a past: the farm worker was hired from the
// highest-scoring generated application in a persona ring, and every worker has fifteen working days of identity-provider
// sign-ins, generated here: the honest workers' at 08:00–10:00 in
// Phoenix, the farm worker's at 10:00–12:00 in Shenyang, from the farm's
// egress address. The sign-ins go through the identity-provider analysis
// (package idp) and its findings are stored, as `lagwatch idp import`
// stores them.
func demoHistory(ctx context.Context, st *store.Store, c applicantgen.Corpus, scen []demoScenario, stdout io.Writer) error {
	// The ring member whose screening scored highest.
	hiredFrom, best := "", 0.0
	for i, a := range c.Applicants {
		if c.Ring[i] < 0 {
			continue
		}
		rec, err := st.Applicant(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if hiredFrom == "" || rec.Score > best {
			hiredFrom, best = a.ID, rec.Score
		}
	}
	if hiredFrom == "" {
		return errors.New("demo: the generated applicants have no persona ring")
	}
	if err := st.LinkWorker(ctx, store.WorkerLink{WorkerID: demoFarmWorker, Kind: store.LinkApplicant, Ref: hiredFrom, AddedAt: time.Now()}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	phoenix, err := time.LoadLocation("America/Phoenix")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	today := time.Now().In(phoenix)
	var signIns []idp.SignIn
	var workers []idp.Worker
	for j, s := range scen {
		p, err := place.Resolve(s.claim)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		workers = append(workers, idp.Worker{ID: s.workerID, Logins: []string{s.workerID}, TZ: phoenix, Claimed: p.Point, HasClaim: true})
		zone, ip := phoenix, netip.AddrFrom4([4]byte{198, 51, 100, byte(10 + j)})
		if s.workerID == demoFarmWorker {
			zone, ip = shanghai, netip.MustParseAddr("203.0.113.77")
		}
		for d := 1; d <= 21; d++ {
			day := today.AddDate(0, 0, -d)
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			hour := 8 + d%2 // the working day's first sign-in
			if zone == shanghai {
				hour += 2
			}
			local := time.Date(day.Year(), day.Month(), day.Day(), hour, 7*j, 0, 0, zone)
			signIns = append(signIns, idp.SignIn{At: local.UTC(), User: s.workerID, IP: ip, Success: true, Source: "okta",
				RecordID: fmt.Sprintf("demo-%s-%d", s.workerID, d)})
		}
	}
	findings := idp.Analyze(signIns, workers, idp.DefaultConfig())
	n, err := saveFindings(ctx, st, findings)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "\nHistory: %s was hired from applicant %s (a planted persona-ring member); %d generated sign-ins gave %d identity-provider finding(s), %d stored.\n",
		demoFarmWorker, hiredFrom, len(signIns), len(findings), n)
	return nil
}
