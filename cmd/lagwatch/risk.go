package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lagwatch/lagwatch/internal/alerts"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/riskfeed"
	"github.com/lagwatch/lagwatch/internal/siem"
)

// runRisk fuses the stored evidence of every worker — device verdicts,
// endpoint reports, input provenance, identity-provider findings stored by
// "lagwatch idp import", and the screening of the applicants they were
// hired as (linked with "lagwatch worker link" or listed in -hired) — into
// one explained risk each, and raises alerts.
func runRisk(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lagwatch risk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sc StoreConfig
	sc.register(fs)
	window := fs.Duration("window", 7*24*time.Hour, "how far back evidence is read")
	hired := fs.String("hired", "", "CSV of worker_id,applicant_id: applications workers were hired from, so their screening counts for the worker, besides those linked with lagwatch worker link")
	config := fs.String("config", "", "risk configuration JSON (docs/risk.md); default weights when absent")
	state := fs.String("alert-state", "", "file keeping open alerts and suppressions between runs (deduplication); none when absent")
	syslogAddr := fs.String("siem-syslog", "", "send alerts as CEF over syslog: udp://host:514, tcp://host:601 or tls://host:6514")
	webhook := fs.String("siem-webhook", "", "POST alerts as OCSF JSON to this URL, signed (docs/siem-export.md)")
	secretFile := fs.String("siem-webhook-secret-file", "", "file holding the webhook's HMAC secret (required with -siem-webhook)")
	asJSON := fs.Bool("json", false, "print risks and alerts as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := sc.validate(); err != nil {
		return fmt.Errorf("risk: %w", err)
	}
	if *window < time.Hour {
		return errors.New("risk: -window: want at least 1h")
	}
	if (*webhook == "") != (*secretFile == "") {
		return errors.New("risk: -siem-webhook and -siem-webhook-secret-file go together")
	}
	cfg := risk.DefaultConfig()
	if *config != "" {
		var err error
		if cfg, err = openList(*config, "config", risk.ParseConfig); err != nil {
			return fmt.Errorf("risk: %w", err)
		}
	}
	hiredFrom := map[string][]string{}
	if *hired != "" {
		var err error
		if hiredFrom, err = openList(*hired, "hired", readLogins); err != nil {
			return fmt.Errorf("risk: %w", err)
		}
	}
	st, err := openStore(ctx, sc, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	ev, links, err := riskfeed.Gather(ctx, st, hiredFrom, now.Add(-*window), now, func(s string) { fmt.Fprintln(stderr, s) })
	if err != nil {
		return fmt.Errorf("risk: %w", err)
	}
	now = time.Now() // verdicts are stamped when computed, just now
	risks := risk.Fuse(ev, links, cfg, now)

	al, err := risk.NewAlerter(cfg)
	if err != nil {
		return fmt.Errorf("risk: %w", err)
	}
	if *state != "" {
		if f, err := os.Open(*state); err == nil {
			s, perr := risk.ParseState(f)
			f.Close()
			if perr != nil {
				return fmt.Errorf("risk: -alert-state %s: %w", *state, perr)
			}
			if err := al.Restore(s); err != nil {
				return fmt.Errorf("risk: -alert-state %s: %w", *state, err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("risk: -alert-state: %w", err)
		}
	}
	alerts := al.Evaluate(risks, now)
	if err := sendAlerts(ctx, alerts, *syslogAddr, *webhook, *secretFile); err != nil {
		return fmt.Errorf("risk: %w", err)
	}
	if *state != "" {
		if err := writeFileWith(*state, func(w io.Writer) error { return json.NewEncoder(w).Encode(al.Snapshot()) }); err != nil {
			return fmt.Errorf("risk: -alert-state: %w", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"risks": risks, "alerts": alerts})
	}
	printRisks(stdout, risks, alerts)
	return nil
}

// sendAlerts exports alerts to the SIEM targets given.
func sendAlerts(ctx context.Context, alerts []risk.Alert, syslogAddr, webhook, secretFile string) error {
	if len(alerts) == 0 {
		return nil
	}
	sinks, closeSinks, err := openSinks(ctx, syslogAddr, webhook, secretFile)
	if err != nil {
		return err
	}
	defer closeSinks()
	for _, a := range alerts {
		for _, s := range sinks {
			if err := s.Send(ctx, a); err != nil {
				return fmt.Errorf("alert %s: %w", a.ID, err)
			}
		}
	}
	return nil
}

// openSinks connects to the SIEM targets given: CEF over syslog at
// syslogAddr (udp://, tcp:// or tls://host:port) and OCSF JSON to the
// webhook URL, signed with the secret in secretFile. Either may be "".
// The returned func closes them.
func openSinks(ctx context.Context, syslogAddr, webhook, secretFile string) ([]alerts.Sink, func(), error) {
	var sinks []alerts.Sink
	closeAll := func() {}
	if syslogAddr != "" {
		network, addr, ok := strings.Cut(syslogAddr, "://")
		if !ok || (network != "udp" && network != "tcp" && network != "tls") || addr == "" {
			return nil, nil, fmt.Errorf("-siem-syslog %q: want udp://host:port, tcp://host:port or tls://host:port", syslogAddr)
		}
		w, err := siem.Dial(ctx, network, addr, siem.SyslogConfig{Format: siem.FormatCEF})
		if err != nil {
			return nil, nil, fmt.Errorf("-siem-syslog: %w", err)
		}
		sinks = append(sinks, alerts.SinkFunc(func(ctx context.Context, a risk.Alert) error {
			if err := w.Write(ctx, a); err != nil {
				return fmt.Errorf("-siem-syslog: %w", err)
			}
			return nil
		}))
		closeAll = func() { w.Close() }
	}
	if webhook != "" {
		secret, err := os.ReadFile(secretFile)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("-siem-webhook-secret-file: %w", err)
		}
		hook := &siem.Webhook{URL: webhook, Secret: []byte(strings.TrimSpace(string(secret)))}
		sinks = append(sinks, alerts.SinkFunc(func(ctx context.Context, a risk.Alert) error {
			if err := hook.Send(ctx, a); err != nil {
				return fmt.Errorf("-siem-webhook: %w", err)
			}
			return nil
		}))
	}
	return sinks, closeAll, nil
}

func printRisks(w io.Writer, risks []risk.Risk, alerts []risk.Alert) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tLEVEL\tP(FRAUD)\tSIGNALS\tEVIDENCE (bits)")
	for _, r := range risks {
		first := "-"
		var rest []string
		for i, c := range r.Contributions {
			if c.Bits == 0 {
				continue
			}
			s := fmt.Sprintf("%+.1f %s: %s", c.Bits, c.Evidence.Detector, clipText(c.Evidence.Explanation, 110))
			if i == 0 {
				first = s
			} else if len(rest) < 3 {
				rest = append(rest, s)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%d\t%s\n", r.Subject, r.Level, r.Probability, r.Signals, first)
		for _, s := range rest {
			fmt.Fprintf(tw, "\t\t\t\t%s\n", s)
		}
	}
	tw.Flush()
	for _, a := range alerts {
		fmt.Fprintf(w, "ALERT %s [%s] %s: %s\n", a.ID, a.Rule, a.Subject, a.Summary)
	}
}
