package hardware

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of a [Match], those of package wire.
const (
	maxMatchDeviceLen = 256
	maxRuleLen        = 256
	maxEvidenceLen    = 1024
	maxQuotedLen      = 64 // of a device's string quoted in evidence
)

// Match says which known IP-KVM or capture device a USB device or display
// matches, by which rule, and what that does and does not prove.
type Match struct {
	// Device names the known device, or several joined with "or" when
	// they share the identifiers that matched.
	Device string
	// Rule is the rule that fired, e.g.
	// `usb vendor_id=1d6b product_id=0104 product="PiKVM Composite Device"`.
	Rule string
	// Evidence is a sentence for reviewers. It says that owners can change
	// the identifiers, so their absence proves nothing.
	Evidence string
	// Strength is StrengthStrong or StrengthWeak, that of the rule.
	Strength string
}

// noProof ends every evidence sentence.
const noProof = "Owners can change these identifiers, so their absence proves nothing."

// rank orders rules that match: strong before weak, then the one with more
// fields.
func (id Identifier) rank() int {
	n := 0
	for _, v := range []string{id.VendorID, id.ProductID, id.Manufacturer, id.Product, id.Serial} {
		if v != "" {
			n++
		}
	}
	if id.Strength == StrengthStrong {
		n += 100
	}
	return n
}

// Rule renders the rule's fields, e.g.
// `usb vendor_id=1d6b product_id=0104 product="PiKVM Composite Device"` or
// `edid manufacturer=LNX product_code=7773 name="PiKVM V4 Plus"`.
func (id Identifier) Rule() string {
	var b strings.Builder
	b.WriteString(id.Kind)
	field := func(name, v string, quote bool) {
		if v == "" {
			return
		}
		if quote {
			v = strconv.Quote(v)
		}
		fmt.Fprintf(&b, " %s=%s", name, v)
	}
	if id.Kind == KindEDID {
		field("manufacturer", id.Manufacturer, false)
		field("product_code", id.ProductID, false)
		field("name", id.Product, true)
		field("serial", id.Serial, true)
	} else {
		field("vendor_id", id.VendorID, false)
		field("product_id", id.ProductID, false)
		field("manufacturer", id.Manufacturer, true)
		field("product", id.Product, true)
		field("serial", id.Serial, true)
	}
	return clip(b.String(), maxRuleLen)
}

// sameText compares a rule's string with a device's: empty matches
// anything, otherwise equal ignoring case and surrounding space.
func sameText(rule, got string) bool {
	return rule == "" || strings.EqualFold(rule, strings.TrimSpace(got))
}

func (id Identifier) matchesUSB(d USBDevice) bool {
	return id.Kind == KindUSB &&
		(id.VendorID == "" || id.VendorID == d.VendorID) &&
		(id.ProductID == "" || id.ProductID == d.ProductID) &&
		sameText(id.Manufacturer, d.Manufacturer) &&
		sameText(id.Product, d.Product) &&
		sameText(id.Serial, d.Serial)
}

func (id Identifier) matchesDisplay(d Display) bool {
	return id.Kind == KindEDID &&
		(id.Manufacturer == "" || id.Manufacturer == d.Manufacturer) &&
		(id.ProductID == "" || id.ProductID == d.ProductCode) &&
		sameText(id.Product, d.Name) &&
		sameText(id.Serial, d.Serial)
}

// best returns the highest-ranked rule that matches, and the devices of all
// rules of that rank with the same fields, in order.
func best(ids []Identifier, matches func(Identifier) bool) (Identifier, []string, bool) {
	var top Identifier
	var devices []string
	found := false
	for _, id := range ids {
		if !matches(id) {
			continue
		}
		switch {
		case !found || id.rank() > top.rank():
			top, devices, found = id, []string{id.Device}, true
		case id.rank() == top.rank() && id.Rule() == top.Rule() && !slices.Contains(devices, id.Device):
			devices = append(devices, id.Device)
		}
	}
	return top, devices, found
}

// matchUSB returns the best match of d among ids, or nil.
func matchUSB(ids []Identifier, d USBDevice) *Match {
	id, devices, ok := best(ids, func(id Identifier) bool { return id.matchesUSB(d) })
	if !ok {
		return nil
	}
	var with []string
	if id.Manufacturer != "" {
		with = append(with, "manufacturer "+quote(d.Manufacturer))
	}
	if id.Product != "" {
		with = append(with, "product string "+quote(d.Product))
	}
	if id.Serial != "" {
		with = append(with, "serial "+quote(d.Serial))
	}
	subject := fmt.Sprintf("USB device %s:%s", d.VendorID, d.ProductID)
	if len(with) > 0 {
		subject += " with " + list(with, "and")
	}
	return newMatch(id, devices, subject, "an IP-KVM lets someone elsewhere type on this laptop")
}

// matchDisplay returns the best match of d among ids, or nil.
func matchDisplay(ids []Identifier, d Display) *Match {
	id, devices, ok := best(ids, func(id Identifier) bool { return id.matchesDisplay(d) })
	if !ok {
		return nil
	}
	with := []string{"manufacturer " + d.Manufacturer, "product code " + d.ProductCode}
	if id.Product != "" {
		with = append(with, "name "+quote(d.Name))
	}
	if id.Serial != "" {
		with = append(with, "serial "+quote(d.Serial))
	}
	subject := fmt.Sprintf("Display %s with EDID %s", d.Connector, list(with, "and"))
	return newMatch(id, devices, subject, "an IP-KVM's HDMI capture shows this laptop's screen to someone elsewhere")
}

func newMatch(id Identifier, devices []string, subject, threat string) *Match {
	whose := "the default identifiers of"
	if id.File != "" {
		whose = "identifiers listed in " + quote(id.File) + " for"
	}
	device := list(devices, "or")
	var ev string
	if id.Strength == StrengthStrong {
		ev = fmt.Sprintf("%s matches %s %s; %s. %s", subject, whose, device, threat, noProof)
	} else {
		ev = fmt.Sprintf("%s matches %s %s, but only weakly: other devices share these identifiers. %s. %s",
			subject, whose, device, upperFirst(threat), noProof)
	}
	if len(ev) > maxEvidenceLen {
		// Keep the closing sentence whole.
		ev = clip(ev, maxEvidenceLen-len(noProof)-5) + "... " + noProof
	}
	return &Match{
		Device:   clip(device, maxMatchDeviceLen),
		Rule:     id.Rule(),
		Evidence: ev,
		Strength: id.Strength,
	}
}

// quote quotes s for evidence, clipped to maxQuotedLen bytes.
func quote(s string) string {
	return strconv.Quote(clip(s, maxQuotedLen))
}

// list joins items as "a", "a and b", "a, b and c".
func list(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// clip cuts s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
