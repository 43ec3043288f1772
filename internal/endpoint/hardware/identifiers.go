package hardware

import (
	"bytes"
	_ "embed" // for the default identifiers
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./gen -o identifiers.csv

// defaultCSV holds the default identifiers written by gen/ from lagwatch's
// compiled table of vendor defaults; its comment lines credit the sources
// and their licences.
//
//go:embed identifiers.csv
var defaultCSV []byte

// Kinds of [Identifier].
const (
	KindUSB  = "usb"  // matches a [USBDevice]
	KindEDID = "edid" // matches a [Display]
)

// Strengths of an [Identifier] and a [Match].
const (
	// StrengthStrong: the identifiers are specific to the device.
	StrengthStrong = "strong"
	// StrengthWeak: other devices share the identifiers, such as the Linux
	// Foundation's 1d6b:0104 that any Linux USB gadget may use.
	StrengthWeak = "weak"
)

// Limits of an identifiers file.
const (
	maxIdentifierFile = 1 << 20
	maxIdentifiers    = 4096
	maxDeviceLen      = 64
	maxValueLen       = 128 // USB string descriptors hold at most 126 characters
	maxEDIDTextLen    = 13  // an EDID display descriptor holds 13 bytes of text
	maxSourceLen      = 256
)

// identifierHeader is the header line of an identifiers file.
var identifierHeader = []string{"device", "kind", "vendor_id", "product_id", "manufacturer", "product", "serial", "strength", "source"}

// Identifier is one matching rule: a USB device or display matches when
// every non-empty field equals the device's (hex IDs exactly, strings
// ignoring case and surrounding space). For KindEDID, Manufacturer is the
// three-letter PNP ID, ProductID the product code, Product the monitor name
// and Serial the monitor serial; VendorID is empty.
type Identifier struct {
	Device       string // the known device, e.g. "PiKVM V3"
	Kind         string // KindUSB or KindEDID
	VendorID     string // USB idVendor: 4 lower-case hex digits
	ProductID    string // USB idProduct or EDID product code: 4 lower-case hex digits
	Manufacturer string // USB manufacturer string or EDID PNP ID
	Product      string // USB product string or EDID monitor name
	Serial       string // USB serial or EDID monitor serial
	Strength     string // StrengthStrong or StrengthWeak
	Source       string // where the values come from, free text
	File         string // the file the rule was read from; empty for the defaults
}

// loadDefaults decodes the embedded identifiers once; the result is
// read-only.
var loadDefaults = sync.OnceValues(func() ([]Identifier, error) {
	return ReadIdentifiers(bytes.NewReader(defaultCSV))
})

// DefaultIdentifiers returns the embedded default identifiers of IP-KVMs
// (PiKVM, TinyPilot, JetKVM, Sipeed NanoKVM, GL.iNet Comet). The caller may
// modify the returned slice.
func DefaultIdentifiers() []Identifier {
	ids, err := loadDefaults()
	if err != nil {
		panic("hardware: embedded identifiers.csv: " + err.Error()) // a build defect; tests catch it
	}
	return slices.Clone(ids)
}

// LoadIdentifiers reads an identifiers file (see [ReadIdentifiers]) and
// sets each rule's File to path.
func LoadIdentifiers(path string) ([]Identifier, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read identifiers: %w", err)
	}
	defer f.Close()
	ids, err := ReadIdentifiers(f)
	if err != nil {
		return nil, fmt.Errorf("read identifiers %s: %w", path, err)
	}
	for i := range ids {
		ids[i].File = path
	}
	return ids, nil
}

// ReadIdentifiers decodes identifiers in CSV, in the format of the embedded
// defaults: lines starting with '#' are comments, then the header
//
//	device,kind,vendor_id,product_id,manufacturer,product,serial,strength,source
//
// and one rule a line, for example
//
//	Acme KVM,usb,1234,5678,,,,strong,our inventory
//	Acme KVM,edid,,0042,ACM,Acme Capture,,strong,our inventory
//
// It reads at most 1 MiB and 4096 rules. Values are at most 128 bytes, EDID
// names and serials 13, device names 64 and sources 256. An error names the
// line and column at fault.
func ReadIdentifiers(r io.Reader) ([]Identifier, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxIdentifierFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxIdentifierFile {
		return nil, fmt.Errorf("identifiers file is larger than %d bytes", maxIdentifierFile)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte-order mark, as spreadsheets write
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("identifiers file has no header line")
	}
	if err != nil {
		return nil, err
	}
	if !slices.Equal(header, identifierHeader) {
		return nil, fmt.Errorf("header is %q, want %q", strings.Join(header, ","), strings.Join(identifierHeader, ","))
	}
	cr.FieldsPerRecord = len(identifierHeader)
	var ids []Identifier
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return ids, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(ids) == maxIdentifiers {
			return nil, fmt.Errorf("line %d: more than %d identifiers", line, maxIdentifiers)
		}
		for i, v := range rec {
			rec[i] = strings.TrimSpace(v)
		}
		id := Identifier{
			Device: rec[0], Kind: rec[1], VendorID: strings.ToLower(rec[2]), ProductID: strings.ToLower(rec[3]),
			Manufacturer: rec[4], Product: rec[5], Serial: rec[6], Strength: rec[7], Source: rec[8],
		}
		if id.Kind == KindEDID {
			id.Manufacturer = strings.ToUpper(id.Manufacturer)
		}
		if col, err := id.check(); err != nil {
			return nil, fmt.Errorf("line %d column %s: %w", line, col, err)
		}
		ids = append(ids, id)
	}
}

// check validates a rule and returns the column at fault.
func (id Identifier) check() (string, error) {
	if err := checkText(id.Device, 1, maxDeviceLen); err != nil {
		return "device", err
	}
	if err := checkText(id.Source, 0, maxSourceLen); err != nil {
		return "source", err
	}
	if id.Strength != StrengthStrong && id.Strength != StrengthWeak {
		return "strength", fmt.Errorf("%q is neither %s nor %s", id.Strength, StrengthStrong, StrengthWeak)
	}
	if err := checkHex(id.ProductID); err != nil {
		return "product_id", err
	}
	textLen := maxValueLen
	switch id.Kind {
	case KindUSB:
		if err := checkHex(id.VendorID); err != nil {
			return "vendor_id", err
		}
		if id.VendorID == "" && id.ProductID != "" {
			return "product_id", errors.New("a USB product ID needs a vendor_id")
		}
	case KindEDID:
		if id.VendorID != "" {
			return "vendor_id", fmt.Errorf("%q: EDID rules have no vendor_id; put the PNP ID in manufacturer", id.VendorID)
		}
		if id.Manufacturer != "" && !isPNP(id.Manufacturer) {
			return "manufacturer", fmt.Errorf("%q is not an EDID PNP ID of three letters", id.Manufacturer)
		}
		textLen = maxEDIDTextLen
		if !isPrintableASCII(id.Product) {
			return "product", fmt.Errorf("%q: an EDID monitor name is printable ASCII", id.Product)
		}
		if !isPrintableASCII(id.Serial) {
			return "serial", fmt.Errorf("%q: an EDID monitor serial is printable ASCII", id.Serial)
		}
	default:
		return "kind", fmt.Errorf("%q is neither %s nor %s", id.Kind, KindUSB, KindEDID)
	}
	if err := checkText(id.Manufacturer, 0, maxValueLen); err != nil {
		return "manufacturer", err
	}
	if err := checkText(id.Product, 0, textLen); err != nil {
		return "product", err
	}
	if err := checkText(id.Serial, 0, textLen); err != nil {
		return "serial", err
	}
	if id.VendorID == "" && id.ProductID == "" && id.Manufacturer == "" && id.Product == "" && id.Serial == "" {
		return "vendor_id", errors.New("the rule has no identifier to match: fill at least one of vendor_id, product_id, manufacturer, product, serial")
	}
	return "", nil
}

func checkHex(s string) error {
	if s == "" {
		return nil
	}
	if len(s) != 4 || strings.Trim(s, "0123456789abcdef") != "" {
		return fmt.Errorf("%q is not 4 hex digits", s)
	}
	return nil
}

func isPNP(s string) bool {
	return len(s) == 3 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// checkText checks a text value: valid UTF-8 without control characters,
// min to max bytes.
func checkText(s string, minLen, maxLen int) error {
	switch {
	case len(s) < minLen:
		return errors.New("is empty")
	case len(s) > maxLen:
		return fmt.Errorf("%d bytes is longer than the limit of %d", len(s), maxLen)
	case !utf8.ValidString(s):
		return fmt.Errorf("%q is not valid UTF-8", s)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("%q has a control character", s)
	}
	return nil
}
