package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/idp"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/place"
	"github.com/lagwatch/lagwatch/internal/screen"
	"github.com/lagwatch/lagwatch/internal/store"
)

// runIDP reads identity-provider sign-in logs and reports, per worker, the
// findings of package idp: off-hours sign-ins for the claimed time zone,
// egress addresses shared with other workers, impossible travel and hosting
// ranges. "lagwatch idp import" also stores the findings, for lagwatch risk
// and the dashboard's risk.
func runIDP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	name, save := "idp", false
	if len(args) > 0 && args[0] == "import" {
		name, save, args = "idp import", true, args[1:]
	}
	fs := flag.NewFlagSet("lagwatch "+name, flag.ContinueOnError)
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
	logins := fs.String("logins", "", "CSV of worker_id,login mapping identity-provider users to workers, besides the accounts linked with lagwatch worker link (default: a login equal to a worker ID)")
	hosting := fs.String("hosting-ranges", os.Getenv("LAGWATCH_HOSTING_RANGES"), "hosting and VPN address ranges, one CIDR per line")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(okta)+len(entra)+len(entraCSV)+len(google) == 0 {
		return fmt.Errorf("%s: give at least one log with -okta, -entra, -entra-csv or -google (docs/idp-signals.md)", name)
	}
	if err := sc.validate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var signIns []idp.SignIn
	read := func(paths []string, flagName string, fn func(io.Reader) (idp.Result, error)) error {
		for _, p := range paths {
			f, err := os.Open(p)
			if err != nil {
				return fmt.Errorf("%s: -%s: %w", name, flagName, err)
			}
			res, err := fn(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: -%s %s: %w", name, flagName, p, err)
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
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	linked, err := st.AllWorkerLinks(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, l := range linked {
		if l.Kind == store.LinkAccount {
			extra[l.WorkerID] = append(extra[l.WorkerID], l.Ref)
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
			return fmt.Errorf("%s: %w", name, err)
		}
		cfg.HostingRanges = rs.Prefixes()
	}
	findings := idp.Analyze(signIns, workers, cfg)
	users, n := idp.Unmatched(signIns, workers)
	saved := 0
	if save {
		if saved, err = saveFindings(ctx, st, findings); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		out := map[string]any{"sign_ins": len(signIns), "unmatched_users": users, "unmatched_sign_ins": n, "findings": findings}
		if save {
			out["stored"], out["already_stored"] = saved, len(findings)-saved
		}
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKER\tFINDING\tLR\tEXPLANATION")
	for _, f := range findings {
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\n", f.WorkerID, f.Kind, f.LR, f.Explanation)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d sign-ins, %d findings; %d sign-ins of %d users match no worker (map them with -logins or lagwatch worker link -account).\n", len(signIns), len(findings), n, users)
	if save {
		fmt.Fprintf(stdout, "stored %d new findings; %d were already stored.\n", saved, len(findings)-saved)
	}
	return nil
}

// findingSaver is the store method "lagwatch idp import" needs beyond
// appStore; both stores have it.
type findingSaver interface {
	SaveIdPFindings(ctx context.Context, fs []store.IdPFinding) (stored int, err error)
}

// saveFindings stores findings and returns how many were new: a finding
// imported before (the same log again) is stored once.
func saveFindings(ctx context.Context, st appStore, findings []idp.Finding) (int, error) {
	fsv, ok := st.(findingSaver)
	if !ok {
		return 0, fmt.Errorf("store %T cannot save identity-provider findings", st)
	}
	recs := make([]store.IdPFinding, 0, len(findings))
	for _, f := range findings {
		rec, err := findingRecord(f)
		if err != nil {
			return 0, err
		}
		recs = append(recs, rec)
	}
	var stored int
	for chunk := range slices.Chunk(recs, store.MaxIdPFindings) {
		n, err := fsv.SaveIdPFindings(ctx, chunk)
		if err != nil {
			return stored, err
		}
		stored += n
	}
	return stored, nil
}

// findingRecord returns f as the store keeps it: dated at its last sign-in,
// its explanation as storable text clipped to the store's limit, the
// provider's record IDs that the store can keep as refs, and the whole
// finding as the body.
func findingRecord(f idp.Finding) (store.IdPFinding, error) {
	f.Explanation = clipBytes(storable(f.Explanation), store.MaxIdPExplanationLen)
	at := f.Last
	if at.IsZero() {
		at = f.First
	}
	var refs []string
	for _, r := range f.Evidence {
		if r == storable(r) && strings.TrimSpace(r) != "" && len(r) <= store.MaxIdPRefLen && len(refs) < store.MaxIdPRefs {
			refs = append(refs, r)
		}
	}
	body, err := json.Marshal(f)
	if err != nil {
		return store.IdPFinding{}, fmt.Errorf("encode %s finding of worker %s: %w", f.Kind, f.WorkerID, err)
	}
	return store.IdPFinding{WorkerID: f.WorkerID, Kind: f.Kind, At: at, LR: f.LR, Explanation: f.Explanation, Refs: refs, Body: body}, nil
}

// storable returns s as text both stores keep: valid UTF-8 without NUL
// bytes.
func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// clipBytes shortens s to at most n bytes, cutting between characters and
// ending in "…" when it cuts.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	i := n - len(ell)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + ell
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
