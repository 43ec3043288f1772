package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lagwatch/lagwatch/internal/articles"
	"github.com/lagwatch/lagwatch/internal/hiring/importer"
	"github.com/lagwatch/lagwatch/internal/lab/applicantgen"
)

// runLabArticles scores the article checker on an M2 file (CoNLL-2014):
// the dev half it was tuned on, the held-out half and the whole set.
func runLabArticles(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lagwatch lab articles", flag.ContinueOnError)
	fs.SetOutput(stderr)
	m2 := fs.String("m2", "", "M2 file with gold edits, e.g. official-2014.combined.m2 of the CoNLL-2014 test data (required; docs/lab-articles.md)")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	editType := fs.String("type", articles.DefaultEditType, "gold edit type to score against")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *m2 == "" {
		return errors.New("lab articles: -m2 is required (see docs/lab-articles.md for where to get the data)")
	}
	f, err := os.Open(*m2)
	if err != nil {
		return fmt.Errorf("lab articles: %w", err)
	}
	defer f.Close()
	sents, err := articles.ReadM2(f)
	if err != nil {
		return fmt.Errorf("lab articles: read %s: %w", *m2, err)
	}
	rep := articles.EvaluateSplit(sents, articles.CheckTokens, articles.EvalOptions{EditType: *editType})
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return articles.WriteReport(stdout, rep)
}

// runLabRings generates an applicant corpus with planted rings, links it and
// reports ring recall and false links (docs/lab-rings.md).
func runLabRings(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lagwatch lab rings", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg applicantgen.Config
	fs.IntVar(&cfg.N, "n", applicantgen.DefaultN, "applicants to generate")
	fs.Uint64Var(&cfg.Seed, "seed", 2, "generator seed (seed 1 is the one linking was tuned on)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	writeCSV := fs.String("write-csv", "", "also write the generated applicants to this CSV file (generic layout), for `lagwatch screen import`")
	writeWorkers := fs.String("write-workers", "", "also write the generated workers' addresses to this CSV file, for -worker-addresses")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *writeCSV != "" || *writeWorkers != "" {
		c, err := applicantgen.Generate(cfg)
		if err != nil {
			return fmt.Errorf("lab rings: %w", err)
		}
		if *writeCSV != "" {
			if err := writeFileWith(*writeCSV, func(w io.Writer) error { return importer.WriteCSV(w, c.Applicants) }); err != nil {
				return fmt.Errorf("lab rings: -write-csv: %w", err)
			}
		}
		if *writeWorkers != "" {
			err := writeFileWith(*writeWorkers, func(w io.Writer) error {
				cw := csv.NewWriter(w)
				_ = cw.Write([]string{"worker_id", "shipping_address"})
				for _, wk := range c.Workers {
					_ = cw.Write([]string{wk.ID, wk.ShippingAddress})
				}
				cw.Flush()
				return cw.Error()
			})
			if err != nil {
				return fmt.Errorf("lab rings: -write-workers: %w", err)
			}
		}
	}
	if err := applicantgen.Run(ctx, cfg, stdout, *asJSON); err != nil {
		return fmt.Errorf("lab rings: %w", err)
	}
	return nil
}

// writeFileWith writes a file through fn, removing it if anything fails.
func writeFileWith(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = fn(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
