package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// GenericHeader is the header [WriteCSV] writes: the "generic" layout's own
// column names.
var GenericHeader = []string{"id", "name", "emails", "phones", "links", "position", "claimed_location",
	"shipping_address", "application_ip", "user_agent", "applied_at", "education", "employment", "resume_text", "photo_hashes"}

// WriteCSV writes applicants as a CSV file in the "generic" layout, which
// [ReadCSV] reads back to the same applicants. It refuses a value that the
// layout cannot carry: a list entry containing its separator (";" in
// e-mails, phones and links; ";" or "|" in education and employment parts),
// naming the applicant and field.
func WriteCSV(w io.Writer, apps []hiring.Applicant) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(GenericHeader); err != nil {
		return err
	}
	rec := make([]string, len(GenericHeader))
	for i := range apps {
		a := &apps[i]
		var err error
		join := func(field string, vs []string, seps, sep string) string {
			for _, v := range vs {
				if strings.ContainsAny(v, seps+"\n") && err == nil {
					err = fmt.Errorf("write applicant %s: %s: %q contains a separator (%q)", a.ID, field, v, seps)
				}
			}
			return strings.Join(vs, sep)
		}
		list := func(field string, vs []string, seps string) string { return join(field, vs, seps, "; ") }
		rec[0], rec[1] = a.ID, a.Name
		rec[2] = list("emails", a.Emails, ";,")
		rec[3] = list("phones", a.Phones, ";,")
		rec[4] = list("links", a.Links, ";, \t")
		rec[5], rec[6], rec[7] = a.Position, a.ClaimedLocation, a.ShippingAddress
		rec[8] = ""
		if a.ApplicationIP.IsValid() {
			rec[8] = a.ApplicationIP.String()
		}
		rec[9] = a.UserAgent
		rec[10] = ""
		if !a.AppliedAt.IsZero() {
			rec[10] = a.AppliedAt.UTC().Format(time.RFC3339)
		}
		var ed, em []string
		for _, e := range a.Education {
			ed = append(ed, join("education", []string{e.Institution, e.Degree, e.Area, e.Start.String(), e.End.String(), e.Country}, ";|", "|"))
		}
		for _, e := range a.Employment {
			end := e.End.String()
			if e.Current {
				end = "present"
			}
			em = append(em, join("employment", []string{e.Employer, e.Title, e.Start.String(), end, e.Location, e.Website}, ";|", "|"))
		}
		rec[11] = strings.Join(ed, "; ")
		rec[12] = strings.Join(em, "; ")
		rec[13] = a.ResumeText
		rec[14] = list("photo_hashes", a.PhotoHashes, ";, \t")
		if err != nil {
			return err
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
