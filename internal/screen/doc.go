// Package screen checks one job applicant at a time and explains what it
// finds. Each check emits [Evidence]: a stable check id, a weight in points,
// and one sentence a reviewer can read without knowing how lagwatch works,
// naming the concrete values ("The phone number +44 20 7946 0958 belongs to
// the GB numbering plan (London), but the claimed location is Phoenix, AZ,
// US."). The weights add up to one score and a level ("low", "review",
// "high"); reviewers decide, lagwatch explains.
//
// # Scale
//
// A point is roughly one bit of evidence: a weight w says the observation is
// about 2^w times as common among fraudulent applications as among honest
// ones. The default weights are a documented judgement
// (docs/screening-checks.md), not fitted values; [Config.Weights] overrides
// them by check id, and a weight of 0 turns a check off. The score is the
// sum of the weights; [LevelFor] maps it to a level at [ReviewAt] and
// [HighAt] points.
//
// # Weak evidence
//
// Some evidence, above all the language check, is marked Weak. National
// origin is a protected attribute and many honest applicants are non-native
// speakers, so weak evidence is shown to the reviewer but never decides:
// it adds to the score only when there is at least one non-weak item with a
// positive weight, and the level is computed from the non-weak evidence
// alone, so weak evidence never moves an applicant to a higher level.
//
// # Lists
//
// The checks use lists the caller loads: the Hipo university list
// ([LoadUniversities]), a disposable e-mail domain list ([LoadDisposable]),
// high-risk institutions ([LoadHighRisk]) and hosting/VPN address ranges
// ([LoadRanges]). Small embedded defaults are built in where they could be
// attributed to a public source; configured lists add to them. What a
// missing list or field leaves unchecked is listed in [Result.NotChecked].
//
// # Concurrency
//
// A [Screener] is immutable after [New]; Check is safe for concurrent use.
package screen
