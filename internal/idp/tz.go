package idp

import (
	"strings"
	"time"
)

// TZForPlace returns the IANA time zone of a claimed location given as an
// ISO 3166-1 alpha-2 country code and a first-level division as
// [place.Place] writes it (postal abbreviations in the US, Canada and
// Australia). For a division or country that spans several zones it is the
// zone most of its people live in (Texas: America/Chicago, not El Paso's
// America/Denver), at most an hour off elsewhere in it. It reports false for
// places not in its table (multi-zone countries such as Brazil, Russia or
// Mexico without a division in the table) and when the zone cannot be
// loaded: a program that must work without a system zoneinfo database
// (Windows, scratch containers) imports time/tzdata; see
// docs/idp-signals.md.
func TZForPlace(country, admin1 string) (*time.Location, bool) {
	country = strings.ToUpper(strings.TrimSpace(country))
	admin1 = strings.ToUpper(strings.TrimSpace(admin1))
	name := ""
	switch country {
	case "US":
		name = usZones[admin1]
	case "CA":
		name = caZones[admin1]
	case "AU":
		name = auZones[admin1]
	default:
		name = countryZones[country]
	}
	if name == "" {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// usZones maps US states, DC and territories to their main zone.
var usZones = map[string]string{
	"AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
	"AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
	"CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York",
	"FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
	"ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
	"IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
	"LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
	"MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
	"MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
	"NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
	"NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
	"NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
	"OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
	"RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
	"TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
	"VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
	"WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
	"PR": "America/Puerto_Rico", "VI": "America/St_Thomas", "GU": "Pacific/Guam",
	"MP": "Pacific/Saipan", "AS": "Pacific/Pago_Pago",
}

// caZones maps Canadian provinces and territories to their main zone.
var caZones = map[string]string{
	"AB": "America/Edmonton", "BC": "America/Vancouver", "MB": "America/Winnipeg",
	"NB": "America/Moncton", "NL": "America/St_Johns", "NS": "America/Halifax",
	"NT": "America/Yellowknife", "NU": "America/Iqaluit", "ON": "America/Toronto",
	"PE": "America/Halifax", "QC": "America/Toronto", "SK": "America/Regina",
	"YT": "America/Whitehorse",
}

// auZones maps Australian states and territories to their zone.
var auZones = map[string]string{
	"NSW": "Australia/Sydney", "ACT": "Australia/Sydney", "VIC": "Australia/Melbourne",
	"QLD": "Australia/Brisbane", "SA": "Australia/Adelaide", "WA": "Australia/Perth",
	"TAS": "Australia/Hobart", "NT": "Australia/Darwin",
}

// countryZones maps countries with one civil time (or one zone for nearly
// all of their people) to it.
var countryZones = map[string]string{
	"GB": "Europe/London", "IE": "Europe/Dublin", "FR": "Europe/Paris", "DE": "Europe/Berlin",
	"IT": "Europe/Rome", "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "LU": "Europe/Luxembourg",
	"CH": "Europe/Zurich", "AT": "Europe/Vienna", "PL": "Europe/Warsaw", "CZ": "Europe/Prague",
	"SK": "Europe/Bratislava", "HU": "Europe/Budapest", "SE": "Europe/Stockholm", "NO": "Europe/Oslo",
	"DK": "Europe/Copenhagen", "FI": "Europe/Helsinki", "EE": "Europe/Tallinn", "LV": "Europe/Riga",
	"LT": "Europe/Vilnius", "RO": "Europe/Bucharest", "BG": "Europe/Sofia", "GR": "Europe/Athens",
	"HR": "Europe/Zagreb", "SI": "Europe/Ljubljana", "RS": "Europe/Belgrade", "BY": "Europe/Minsk",
	"MD": "Europe/Chisinau", "IS": "Atlantic/Reykjavik", "TR": "Europe/Istanbul", "IL": "Asia/Jerusalem",
	"AE": "Asia/Dubai", "SA": "Asia/Riyadh", "QA": "Asia/Qatar", "IR": "Asia/Tehran",
	"IN": "Asia/Kolkata", "PK": "Asia/Karachi", "BD": "Asia/Dhaka", "LK": "Asia/Colombo",
	"NP": "Asia/Kathmandu", "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei",
	"JP": "Asia/Tokyo", "KR": "Asia/Seoul", "KP": "Asia/Pyongyang", "PH": "Asia/Manila",
	"VN": "Asia/Ho_Chi_Minh", "TH": "Asia/Bangkok", "SG": "Asia/Singapore", "MY": "Asia/Kuala_Lumpur",
	"NZ": "Pacific/Auckland", "NG": "Africa/Lagos", "KE": "Africa/Nairobi", "EG": "Africa/Cairo",
	"ZA": "Africa/Johannesburg", "GH": "Africa/Accra", "MA": "Africa/Casablanca",
	"AR": "America/Argentina/Buenos_Aires", "CO": "America/Bogota", "PE": "America/Lima",
	"VE": "America/Caracas", "UY": "America/Montevideo", "CR": "America/Costa_Rica",
	"GT": "America/Guatemala", "PA": "America/Panama", "DO": "America/Santo_Domingo",
	"JM": "America/Jamaica", "PR": "America/Puerto_Rico", "SV": "America/El_Salvador",
	"HN": "America/Tegucigalpa", "NI": "America/Managua", "BO": "America/La_Paz",
	"PY": "America/Asuncion",
}
