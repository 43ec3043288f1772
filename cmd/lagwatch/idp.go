package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"text/tabwriter"

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/idp"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/place"
	"github.com/lagwatch/lagwatch/internal/screen"
)

// runIDP reads identity-provider sign-in logs and reports, per worker, the
// findings of package idp: off-hours sign-ins for the claimed time zone,
// egress addresses shared with other workers, impossible travel and hosting
// ranges.
func runIDP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lagwatch idp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sc StoreConfig
	sc.register(fs)
	var okta, entra, entraCSV, google, mmdb []string
	multi := func(name, usage string, dst *[]string) {
		fs.Func(name, usage+" (repeatable)", func(s string) error { *dst = append(*dst, s); return nil })
	}
	multi("okta", "Okta System Log export: JSON array or JSON Lines of /api/v1/logs events", &okta)
	multi("entra", "Microsoft Entra sign-in logs as JSON (Graph signIn objects)", &entra)
	multi("entra-csv", "Microsoft Entra sign-in logs as the portal's CSV download", &entraCSV)
	multi("google", "Google Workspace login audit (Reports API activities, applicationName=login)", &google)
	multi("mmdb", "DB-IP Lite city mmdb file, to place sign-ins the log gives no location for", &mmdb)
	logins := fs.String("logins", "", "CSV of worker_id,login mapping identity-provider users to workers (default: a login equal to a worker ID)")
	hosting := fs.String("hosting-ranges", os.Getenv("LAGWATCH_HOSTING_RANGES"), "hosting and VPN address ranges, one CIDR per line")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(okta)+len(entra)+len(entraCSV)+len(google) == 0 {
		return errors.New("idp: give at least one log with -okta, -entra, -entra-csv or -google (docs/idp-signals.md)")
	}
	if err := sc.validate(); err != nil {
		return fmt.Errorf("idp: %w", err)
	}
	var signIns []idp.SignIn
	read := func(paths []string, flagName string, fn func(io.Reader) (idp.Result, error)) error {
		for _, p := range paths {
			f, err := os.Open(p)
			if err != nil {
				return fmt.Errorf("idp: -%s: %w", flagName, err)
			}
			res, err := fn(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("idp: -%s %s: %w", flagName, p, err)
			}
			for _, e := range res.Errors {
				fmt.Fprintf(stderr, "rejected: %s: %v\n", p, e)
			}
			signIns = append(signIns, res.SignIns...)
		}
		return nil
	}
	for _, r := range []struct {
		paths []string
		name  string
		fn    func(io.Reader) (idp.Result, error)
	}{{okta, "okta", idp.ReadOkta}, {entra, "entra", idp.ReadEntra}, {entraCSV, "entra-csv", idp.ReadEntraCSV}, {google, "google", idp.ReadGoogle}} {
		if err := read(r.paths, r.name, r.fn); err != nil {
			return err
		}
	}

	st, err := openStore(ctx, sc, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	stored, err := st.Workers(ctx)
	if err != nil {
		return err
	}
	extra := map[string][]string{}
	if *logins != "" {
		if extra, err = openList(*logins, "logins", readLogins); err != nil {
			return fmt.Errorf("idp: %w", err)
		}
	}
	var workers []idp.Worker
	for _, w := range stored {
		iw := idp.Worker{ID: w.ID, Logins: append([]string{w.ID}, extra[w.ID]...), Claimed: geo.Point{Lat: w.Lat, Lon: w.Lon}, HasClaim: true}
		if p, err := place.Resolve(w.ClaimedLocation); err == nil {
			if tz, ok := idp.TZForPlace(p.Country, p.Admin1); ok {
				iw.TZ = tz
			}
		}
		if iw.TZ == nil {
			fmt.Fprintf(stderr, "worker %s: no single time zone known for %q; working hours not checked\n", w.ID, w.ClaimedLocation)
		}
		workers = append(workers, iw)
	}
	cfg := idp.DefaultConfig()
	loc, err := ipgeo.Open(mmdb...)
	if err != nil {
		return err
	}
	defer loc.Close()
	if len(mmdb) > 0 {
		cfg.Locate = func(a netip.Addr) (geo.Point, bool) {
			l, err := loc.Lookup(a)
			return l.Point, err == nil && l.HasPoint
		}
	}
	if *hosting != "" {
		rs, err := openList(*hosting, "hosting-ranges", screen.LoadRanges)
		if err != nil {
			return fmt.Errorf("idp: %w", err)
		}
		cfg.HostingRanges = rs.Prefixes()
	}
	findings := idp.Analyze(signIns, workers, cfg)
	users, n := idp.Unmatched(signIns, workers)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"sign_ins": len(signIns), "unmatched_users": users, "unmatched_sign_ins": n, "findings": findings})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKER\tFINDING\tLR\tEXPLANATION")
	for _, f := range findings {
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\n", f.WorkerID, f.Kind, f.LR, f.Explanation)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d sign-ins, %d findings; %d sign-ins of %d users match no worker (map them with -logins).\n", len(signIns), len(findings), n, users)
	return nil
}

// readLogins reads "worker_id,login" rows (a header naming worker_id is
// skipped) into worker ID → logins.
func readLogins(r io.Reader) (map[string][]string, error) {
	rows, err := readPairs(r, "worker_id", 128, "login", 320)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, p := range rows {
		out[p[0]] = append(out[p[0]], p[1])
	}
	return out, nil
}
