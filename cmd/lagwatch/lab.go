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

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/lab/rttlab"
	"github.com/lagwatch/lagwatch/internal/lab/wonderproxy"
	"github.com/lagwatch/lagwatch/internal/latency"
)

// defaultLandmarks is the documented multi-landmark set of `lab rtt`: one
// landmark per continent where a company would rent servers.
const defaultLandmarks = "Los Angeles,Washington,Frankfurt,Tokyo,Sao Paulo"

// defaultSingleLandmark is the single western-US landmark of `lab rtt`.
const defaultSingleLandmark = "Los Angeles"

func runLab(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("lab: want a subcommand: fit, rtt, keystrokes, articles, rings")
	}
	switch args[0] {
	case "fit":
		return runLabFit(args[1:], stdout, stderr)
	case "rtt":
		return runLabRTT(args[1:], stdout, stderr)
	case "keystrokes":
		return runLabKeystrokes(ctx, args[1:], stdout, stderr)
	case "articles":
		return runLabArticles(args[1:], stdout, stderr)
	case "rings":
		return runLabRings(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("lab: unknown subcommand %q: want fit, rtt, keystrokes, articles or rings", args[0])
}

func runLabFit(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lagwatch lab fit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pings := fs.String("pings", "", "directory with the WonderProxy servers-*.csv and pings-*-grouped.csv files (required)")
	out := fs.String("out", "internal/latency/band.json", "where to write the fitted band")
	radius := fs.Float64("radius", 1000, "calibration radius in km: anchors this close to a claimed place predict its RTT")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pings == "" {
		return errors.New("lab fit: -pings is required (see docs/lab-rtt.md for where to get the data)")
	}
	ds, err := wonderproxy.Load(*pings)
	if err != nil {
		return err
	}
	places := make([]geo.Point, len(ds.Servers))
	for i, s := range ds.Servers {
		places[i] = s.Point
	}
	var ps []latency.Ping
	for _, p := range ds.Pairs {
		ps = append(ps, latency.Ping{From: p.From, To: p.To, RTTMs: p.MinMs})
	}
	b, err := latency.FitBand(places, ps, *radius, "WonderProxy ping mesh 2020-07-19/20 (min RTT per server pair); refit with: lagwatch lab fit --pings DIR")
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return fmt.Errorf("encode band: %w", err)
	}
	if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write band to %s: %w", *out, err)
	}
	fmt.Fprintf(stdout, "fitted %d pairs from %d servers; wrote %s\n", b.Pairs, len(ds.Servers), *out)
	return nil
}

func runLabRTT(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lagwatch lab rtt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pings := fs.String("pings", "", "directory with the WonderProxy servers-*.csv and pings-*-grouped.csv files (required)")
	single := fs.String("single", defaultSingleLandmark, "the single landmark (a server city in the data)")
	several := fs.String("landmarks", defaultLandmarks, "comma-separated landmark set (server cities in the data)")
	folds := fs.Int("folds", 5, "cross-validation folds")
	draws := fs.Int("draws", 2, "access-latency draws per device and claim")
	seed := fs.Uint64("seed", 1, "random seed")
	alpha := fs.Float64("alpha", 0.005, "false-alarm budget per verdict")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	methods := fs.String("methods", "band,calibrated", "prediction methods to evaluate: band, calibrated, or both comma-separated")
	radius := fs.Float64("radius", 1000, "calibration radius in km")
	mislocated := fs.Int("mislocated", 5, "leave out servers faster than light to more than this many others (-1 keeps every server)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pings == "" {
		return errors.New("lab rtt: -pings is required (see docs/lab-rtt.md for where to get the data)")
	}
	ds, err := wonderproxy.Load(*pings)
	if err != nil {
		return err
	}
	var exclude []int
	if *mislocated >= 0 {
		exclude = ds.Mislocated(*mislocated)
	}
	var results []*rttlab.Result
	for _, lm := range []string{*single, *several} {
		for _, m := range strings.Split(*methods, ",") {
			if m != "band" && m != "calibrated" {
				return fmt.Errorf("lab rtt: -methods: unknown method %q: want band or calibrated", m)
			}
			cal := m == "calibrated"
			fmt.Fprintf(stderr, "evaluating landmarks=%s calibrated=%v ...\n", lm, cal)
			r, err := rttlab.Run(ds, rttlab.Config{Landmarks: strings.Split(lm, ","), Calibrated: cal, Folds: *folds, Draws: *draws, Seed: *seed, Alpha: *alpha, RadiusKm: *radius, Exclude: exclude})
			if err != nil {
				return fmt.Errorf("lab rtt: %w", err)
			}
			results = append(results, r)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, r := range results {
		method := "distance band"
		if r.Calibrated {
			method = "calibrated landmarks"
		}
		fmt.Fprintf(tw, "\nlandmarks: %s (%s; %d folds, %d access draws, alpha %.3g)\n", strings.Join(r.Landmarks, ", "), method, r.Folds, r.Draws, r.Alpha)
		if len(r.Excluded) > 0 {
			fmt.Fprintf(tw, "left out, faster than light to more than %d servers: %s\n", *mislocated, strings.Join(r.Excluded, "; "))
		}
		fmt.Fprintln(tw, "group\ttrials\tflagged\trate\timpossible\ttoo slow\tinconsistent")
		for _, row := range append(r.Bands, r.Regions...) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f%%\t%d\t%d\t%d\n", row.Group, row.Trials, row.Flagged, 100*row.Rate, row.Impossible, row.TooSlow, row.Inconsistent)
		}
	}
	return tw.Flush()
}
