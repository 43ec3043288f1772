// Package resume turns résumé files into [hiring.Applicant] values for
// applicant screening.
//
// [Text] extracts plain text from a PDF (through github.com/ledongthuc/pdf,
// with this package's own line building and guards), a DOCX (read here with
// archive/zip and encoding/xml) or a plain-text or Markdown file (UTF-8, or
// UTF-16 with a byte-order mark). [FromText] scans that text for the fields
// later checks use: name, e-mail addresses, phone numbers and profile links
// as written, a claimed location from the top of the page, and the
// education and employment entries found under their headings with their
// date ranges. [Parse] does both and validates the result with
// [hiring.Applicant.Validate].
//
// Field parsing is heuristic and says so: a field is set only when the text
// shows it; nothing is guessed or padded, and an entry that lacks its
// required part (an employer, an institution) is left out. docs/resume-files.md
// lists what is extracted, the limits and the known gaps.
//
// Every input is bounded: file size ([MaxFileSize]), PDF pages
// ([MaxPages]), inflated PDF streams ([MaxPDFStreamSize]), the DOCX parts
// read ([MaxDOCXPartSize]), the text produced ([MaxTextSize]) and the time
// a PDF may take ([PDFTimeout]). A file over a limit is rejected with an
// error naming the file and the limit; nothing is truncated.
//
// The functions are safe for concurrent use.
package resume
