package importer_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring/importer"
)

func ExampleReadCSV() {
	export := "Candidate ID,First Name,Last Name,Email,Applied On,Stage\n" +
		"101,Ann,Example,ann@example.com,2024-03-05,Phone Screen\n" +
		"102,Bo,Sample,bo.example.com,2024-03-06,New\n"
	res, err := importer.ReadCSV(strings.NewReader(export), "greenhouse.csv", importer.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range res.Applicants {
		fmt.Println(a.ID, a.Name, a.Emails, a.AppliedAt.Format(time.DateOnly), a.Source)
	}
	for _, e := range res.Errors {
		fmt.Println(e)
	}
	fmt.Println(res.Records, "records")
	// Output:
	// 101 Ann Example [ann@example.com] 2024-03-05 greenhouse.csv row 2
	// greenhouse.csv record 3: emails[0]: "bo.example.com" is not an e-mail address
	// 2 records
}

func ExampleParseMapping() {
	m, err := importer.ParseMapping(strings.NewReader(`
extends = lever
id = Applicant #
education.institution = School {n}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	export := "Applicant #,Name,Email,School 1,School 2\n" +
		"A-7,Cy Example,cy@example.com,Example College,Example University\n"
	res, err := importer.ReadCSV(strings.NewReader(export), "careers.csv", importer.Options{Mapping: &m})
	if err != nil {
		fmt.Println(err)
		return
	}
	a := res.Applicants[0]
	fmt.Println(a.ID, a.Name, a.Education[0].Institution, "/", a.Education[1].Institution)
	// Output:
	// A-7 Cy Example Example College / Example University
}
