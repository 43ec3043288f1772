package hardware

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sourceTable is the research table gen/ reads.
const sourceTable = "/work/shared/data/ip-kvm-identifiers/ip_kvm_identifiers.csv"

func TestDefaultIdentifiers(t *testing.T) {
	ids := DefaultIdentifiers()
	if len(ids) < 50 {
		t.Fatalf("DefaultIdentifiers() has %d rules, want the about 80 gen/ writes", len(ids))
	}
	devices := map[string]bool{}
	for _, id := range ids {
		devices[id.Device] = true
		if id.File != "" || id.Source == "" {
			t.Errorf("default %+v: want File empty and a Source", id)
		}
	}
	for _, d := range []string{"PiKVM (kvmd OTG gadget)", "PiKVM Pico HID", "PiKVM V4 Plus", "TinyPilot", "JetKVM", "Sipeed NanoKVM", "GL.iNet Comet (GLKVM firmware)"} {
		if !devices[d] {
			t.Errorf("DefaultIdentifiers() has no rule for %q", d)
		}
	}
	t.Logf("%d default rules for %d devices", len(ids), len(devices))

	// The shared gadget ID alone is weak, with the product string strong.
	for _, tt := range []struct {
		rule, want string
	}{
		{`usb vendor_id=1d6b product_id=0104`, StrengthWeak},
		{`usb vendor_id=1d6b product_id=0104 product="PiKVM Composite Device"`, StrengthStrong},
		{`usb vendor_id=3346 product_id=1009`, StrengthStrong},
		{`usb vendor_id=1d6b product_id=0104 product="Multifunction USB Device"`, StrengthWeak},
		{`edid manufacturer=LNX product_code=7773`, StrengthStrong},
	} {
		found := false
		for _, id := range ids {
			if id.Rule() == tt.rule {
				found = true
				if id.Strength != tt.want {
					t.Errorf("rule %s of %s is %s, want %s", tt.rule, id.Device, id.Strength, tt.want)
				}
			}
		}
		if !found {
			t.Errorf("no default rule %s", tt.rule)
		}
	}
}

// TestDefaultIdentifiersUpToDate regenerates identifiers.csv from the
// research table and compares it with the embedded one.
func TestDefaultIdentifiersUpToDate(t *testing.T) {
	if _, err := os.Stat(sourceTable); err != nil {
		t.Skip("research table not present: ", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not on PATH")
	}
	out := filepath.Join(t.TempDir(), "identifiers.csv")
	cmd := exec.CommandContext(t.Context(), goBin, "run", "./gen", "-in", sourceTable, "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, defaultCSV) {
		t.Errorf("identifiers.csv is stale: run go generate ./internal/endpoint/hardware")
	}
}

func TestReadIdentifiers(t *testing.T) {
	const in = "# owner's KVMs\n" + header + "\n" +
		"Acme KVM, usb ,ABCD,0001,Acme,,,strong,ticket 7\n" +
		"Acme KVM,edid,,00ff,acm,Acme Capture,,weak,\n"
	got, err := ReadIdentifiers(strings.NewReader(in))
	want := []Identifier{
		{Device: "Acme KVM", Kind: KindUSB, VendorID: "abcd", ProductID: "0001", Manufacturer: "Acme", Strength: StrengthStrong, Source: "ticket 7"},
		{Device: "Acme KVM", Kind: KindEDID, ProductID: "00ff", Manufacturer: "ACM", Product: "Acme Capture", Strength: StrengthWeak},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadIdentifiers = %+v, %v; want %+v", got, err, want)
	}
}

const header = "device,kind,vendor_id,product_id,manufacturer,product,serial,strength,source"

func TestReadIdentifiersErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "no header line"},
		{"# only a comment\n", "no header line"},
		{"device,kind\n", "header is \"device,kind\""},
		{header + "\nA,usb,1d6b\n", "wrong number of fields"},
		{header + "\n,usb,1d6b,,,,,strong,\n", "line 2 column device: is empty"},
		{header + "\nA,pci,1d6b,,,,,strong,\n", "line 2 column kind: \"pci\" is neither usb nor edid"},
		{header + "\nA,usb,1d6b,,,,,sure,\n", "line 2 column strength"},
		{header + "\nA,usb,1d6,,,,,strong,\n", "line 2 column vendor_id: \"1d6\" is not 4 hex digits"},
		{header + "\nA,usb,,0104,,,,strong,\n", "line 2 column product_id: a USB product ID needs a vendor_id"},
		{header + "\nA,usb,1d6b,01g4,,,,strong,\n", "line 2 column product_id"},
		{header + "\nA,usb,,,,,,strong,\n", "no identifier to match"},
		{header + "\nA,edid,1d6b,,LNX,,,strong,\n", "line 2 column vendor_id: \"1d6b\": EDID rules have no vendor_id"},
		{header + "\nA,edid,,,LNXX,,,strong,\n", "line 2 column manufacturer"},
		{header + "\nA,edid,,,,Fourteen bytes,,strong,\n", "line 2 column product: 14 bytes is longer than the limit of 13"},
		{header + "\nA,edid,,,,Caf\u00e9,,strong,\n", "printable ASCII"},
		{header + "\nA,usb,,,," + strings.Repeat("x", 129) + ",,strong,\n", "129 bytes is longer than the limit of 128"},
		{header + "\nA,usb,,,,\"a\tb\",,strong,\n", "control character"},
		{header + "\nA,usb,,,,\xff,,strong,\n", "not valid UTF-8"},
		{header + "\n" + strings.Repeat("A,usb,1d6b,,,,,strong,\n", maxIdentifiers+1), "line 4098: more than 4096 identifiers"},
		{header + "\n" + strings.Repeat("#", maxIdentifierFile), "larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		_, err := ReadIdentifiers(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadIdentifiers(%.60q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}

func TestLoadIdentifiers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kvm.csv")
	if err := os.WriteFile(path, []byte(header+"\nA,usb,1d6b,,,,,strong,\nB,usb,1d6b,,,,,nope,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadIdentifiers(path)
	if want := "read identifiers " + path + ": line 3 column strength"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("LoadIdentifiers(bad) = %v, want %q", err, want)
	}
	if _, err := LoadIdentifiers(filepath.Join(t.TempDir(), "missing.csv")); err == nil {
		t.Error("LoadIdentifiers(missing) = nil error")
	}
}

// writeIdentifiers encodes ids in the identifiers format.
func writeIdentifiers(ids []Identifier) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(identifierHeader)
	for _, id := range ids {
		w.Write([]string{id.Device, id.Kind, id.VendorID, id.ProductID, id.Manufacturer, id.Product, id.Serial, id.Strength, id.Source})
	}
	w.Flush()
	return b.Bytes()
}

// FuzzReadIdentifiers checks that ReadIdentifiers never panics, returns
// only rules that pass validation, and that re-encoding what it accepts
// decodes to the same rules.
func FuzzReadIdentifiers(f *testing.F) {
	f.Add(defaultCSV)
	f.Add([]byte(header + "\nAcme KVM,usb,ABCD,0001,Acme,,,strong,ticket 7\nAcme KVM,edid,,00ff,acm,Acme Capture,,weak,\n"))
	f.Add([]byte(header + "\n\"A,\"\"B\"\"\",usb,,,\" x \",,,weak,\"multi\nline\"\n"))
	f.Add([]byte("# c\n\n" + header + "\r\nA,edid,,,,,X,strong,\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		ids, err := ReadIdentifiers(bytes.NewReader(data))
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ReadIdentifiers(%q): empty error", data)
			}
			return
		}
		for _, id := range ids {
			if col, err := id.check(); err != nil {
				t.Fatalf("ReadIdentifiers(%q) accepted %+v: column %s: %v", data, id, col, err)
			}
			if len(id.Rule()) > maxRuleLen {
				t.Fatalf("Rule() of %+v is %d bytes", id, len(id.Rule()))
			}
		}
		again, err := ReadIdentifiers(bytes.NewReader(writeIdentifiers(ids)))
		if err != nil || (len(ids) > 0 && !reflect.DeepEqual(again, ids)) || (len(ids) == 0 && len(again) != 0) {
			t.Fatalf("round trip of %q: %+v, then %+v, %v", data, ids, again, err)
		}
	})
}
