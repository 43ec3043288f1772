package articles

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits of ReadM2. Input beyond one of them is rejected with an error
// naming the line and the limit; nothing is truncated.
const (
	MaxM2LineBytes = 64 << 10 // bytes in one line
	MaxM2Tokens    = 1024     // tokens in one S line
	MaxM2Edits     = 1024     // A lines in one sentence
	MaxM2Sentences = 1 << 20  // sentences in one file
	MaxM2Annotator = 63       // highest annotator id
)

// NoopType is the edit type of an M2 "noop" line (A -1 -1|||noop|||...),
// which records that an annotator saw the sentence and changed nothing.
const NoopType = "noop"

// Sentence is one sentence of an M2 file.
type Sentence struct {
	// Tokens are the words of the S line, split at white space.
	Tokens []string `json:"tokens"`
	// Edits are the A lines, in file order.
	Edits []Edit `json:"edits,omitempty"`
	// Line is the line number of the S line (1-based).
	Line int `json:"line"`
}

// Edit is one A line: the annotator's correction of tokens [Start, End).
type Edit struct {
	// Start and End delimit the replaced tokens; Start == End is an
	// insertion before token Start. A noop edit has Start == End == -1.
	Start int `json:"start"`
	End   int `json:"end"`
	// Type is the error category (NUCLE: "ArtOrDet", "Prep", "Nn" ...;
	// ERRANT: "M:DET" ...) or NoopType.
	Type string `json:"type"`
	// Correction replaces the span; "" deletes it. Kept as written, so a
	// noop edit has "-NONE-".
	Correction string `json:"correction"`
	// Annotator is the id in the last field.
	Annotator int `json:"annotator"`
}

// ReadM2 reads a file in the M2 format of the CoNLL shared tasks:
//
//	S <tokens separated by spaces>
//	A <start> <end>|||<type>|||<correction>|||<required>|||<comment>|||<annotator>
//	(one A line per edit, then a blank line)
//
// Lines may end in "\r\n". Errors name the line number and what is wrong.
func ReadM2(r io.Reader) ([]Sentence, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxM2LineBytes+2)
	var out []Sentence
	open := false // a sentence has been started and not yet closed by a blank line
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if len(text) > MaxM2LineBytes {
			return nil, fmt.Errorf("m2 line %d: %d bytes, more than the limit of %d (MaxM2LineBytes)", line, len(text), MaxM2LineBytes)
		}
		switch {
		case strings.TrimSpace(text) == "":
			open = false
		case text == "S" || strings.HasPrefix(text, "S "):
			if len(out) >= MaxM2Sentences {
				return nil, fmt.Errorf("m2 line %d: more than %d sentences (MaxM2Sentences)", line, MaxM2Sentences)
			}
			toks := strings.Fields(strings.TrimPrefix(text, "S"))
			if len(toks) > MaxM2Tokens {
				return nil, fmt.Errorf("m2 line %d: %d tokens, more than the limit of %d (MaxM2Tokens)", line, len(toks), MaxM2Tokens)
			}
			out = append(out, Sentence{Tokens: toks, Line: line})
			open = true
		case strings.HasPrefix(text, "A "):
			if !open {
				return nil, fmt.Errorf("m2 line %d: edit line outside a sentence (want an S line first)", line)
			}
			s := &out[len(out)-1]
			if len(s.Edits) >= MaxM2Edits {
				return nil, fmt.Errorf("m2 line %d: more than %d edits in one sentence (MaxM2Edits)", line, MaxM2Edits)
			}
			e, err := parseEdit(text[2:], len(s.Tokens))
			if err != nil {
				return nil, fmt.Errorf("m2 line %d: %w", line, err)
			}
			s.Edits = append(s.Edits, e)
		default:
			return nil, fmt.Errorf("m2 line %d: line starts with %q, want \"S \", \"A \" or a blank line", line, prefix(text))
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("m2 line %d: longer than the limit of %d bytes (MaxM2LineBytes)", line+1, MaxM2LineBytes)
		}
		return nil, fmt.Errorf("read m2 after line %d: %w", line, err)
	}
	return out, nil
}

// prefix returns the start of a bad line for an error message.
func prefix(s string) string {
	const n = 10
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// parseEdit parses the part of an A line after "A ".
func parseEdit(s string, ntok int) (Edit, error) {
	f := strings.Split(s, "|||")
	if len(f) != 6 {
		return Edit{}, fmt.Errorf("edit has %d fields separated by |||, want 6 (span, type, correction, required, comment, annotator)", len(f))
	}
	span := strings.Fields(f[0])
	if len(span) != 2 {
		return Edit{}, fmt.Errorf("edit span %q: want two numbers, start and end", f[0])
	}
	start, err1 := strconv.Atoi(span[0])
	end, err2 := strconv.Atoi(span[1])
	if err1 != nil || err2 != nil {
		return Edit{}, fmt.Errorf("edit span %q: want two integers", f[0])
	}
	typ := strings.TrimSpace(f[1])
	if typ == "" {
		return Edit{}, errors.New("edit type is empty")
	}
	ann, err := strconv.Atoi(strings.TrimSpace(f[5]))
	if err != nil || ann < 0 || ann > MaxM2Annotator {
		return Edit{}, fmt.Errorf("annotator %q: want an integer from 0 to %d (MaxM2Annotator)", f[5], MaxM2Annotator)
	}
	e := Edit{Start: start, End: end, Type: typ, Correction: f[2], Annotator: ann}
	if start == -1 && end == -1 {
		if typ != NoopType {
			return Edit{}, fmt.Errorf("edit span -1 -1 is only for type %q, not %q", NoopType, typ)
		}
		return e, nil
	}
	if typ == NoopType {
		return Edit{}, fmt.Errorf("noop edit has span %d %d, want -1 -1", start, end)
	}
	if start < 0 || end < start || end > ntok {
		return Edit{}, fmt.Errorf("edit span %d %d: want 0 <= start <= end <= %d (tokens in the sentence)", start, end, ntok)
	}
	return e, nil
}
