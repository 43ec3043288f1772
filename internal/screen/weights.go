package screen

import "maps"

// defaultWeights are the points each check adds, a documented judgement
// (docs/screening-checks.md) of log2 of how much likelier the finding is
// for a fraudulent application than for an honest one.
var defaultWeights = map[string]float64{
	"education.high-risk":               4,
	"education.unknown-institution":     0.5,
	"education.institution-country":     1,
	"education.email-domain":            1,
	"education.short-degree":            1,
	"education.future-graduation":       1,
	"education.graduation-after-career": 0.5,

	"employment.overlap":                1,
	"employment.generic-name":           1,
	"employment.consultancy-no-website": 0.5,
	"employment.free-host":              1,
	"employment.shared-employer":        1.5,

	"phone.invalid":     1,
	"phone.intl-format": 0.5,
	"phone.country":     2,
	"phone.area-code":   0.5,
	"phone.voip":        1.5,

	"email.disposable":    3,
	"email.handle-digits": 0.5,
	"email.handle-random": 0.5,
	"email.name-mismatch": 0.5,

	"location.ip-country":        3,
	"location.ip-distance":       1,
	"location.ip-hosting":        2,
	"location.shipping-country":  3,
	"location.shipping-distance": 1.5,

	"language.non-native": 0.5,

	"shared.address":         1.5,
	"shared.address-cluster": 3,
	"shared.address-worker":  3,
	"shared.phone":           3,
	"shared.email":           3,
	"shared.resume":          2,
	"shared.photo":           3,
	"shared.ip":              1,
	"shared.link":            2,
}

// DefaultWeights returns a copy of the default weight of every check, by
// check id; its keys are all the check ids there are.
func DefaultWeights() map[string]float64 { return maps.Clone(defaultWeights) }
