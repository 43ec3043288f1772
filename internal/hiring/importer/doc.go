// Package importer reads applicant data exported from applicant-tracking
// systems (ATS) into [hiring.Applicant] values for screening.
//
// Three kinds of input are read:
//
//   - CSV exports ([ReadCSV]), with a [Mapping] from lagwatch fields to the
//     export's column headers. Built-in layouts cover lagwatch's own column
//     names ("generic") and the usual Greenhouse, Lever and Workday exports;
//     [DetectLayout] picks one from the header, and [ParseMapping] reads a
//     mapping file for anything else.
//   - JSON Resume documents (https://jsonresume.org/schema), one document, an
//     array of them or JSON Lines ([ReadJSONResume]), with optional lagwatch
//     extensions under "meta" or "x-lagwatch".
//   - Résumé files (.pdf, .docx, .txt, .md), handed to the parser in
//     [Options.Resume]; this package does not read them itself.
//
// [ImportFile], [ImportFiles] and [ImportData] (for uploaded contents)
// choose the reader from the file name and content.
//
// Every record either becomes one applicant that passes
// [hiring.Applicant.Validate], or one [*hiring.RecordError] naming the source,
// the record and the fields at fault; a bad record is skipped whole and never
// stops the rest. Only input that is unusable as a whole (no header, no
// identifying column, over a limit in [Options]) makes a reader return an
// error, and then it returns no applicants at all.
//
// Record numbers: for CSV, the row number a spreadsheet shows, counting the
// header as row 1 (so the first data row is row 2; blank lines count, a quoted
// line break does not start a new row); for a JSON array, the 1-based index
// of the element; for JSON Lines, the 1-based line number. In every [Result],
// Records == len(Applicants) + len(Errors).
//
// The user-facing description of formats, layouts and the mapping file is
// docs/screen-import.md. The functions here hold no global state and are safe
// to call from several goroutines at once.
package importer
