// Package idp imports identity-provider sign-in logs (Okta System Log,
// Microsoft Entra ID sign-in logs as Graph JSON or portal CSV, Google
// Workspace login audit) into [SignIn] records, and derives evidence about
// remote workers who are not where they claim: working hours that fit
// another time zone, several workers behind one egress address, impossible
// travel, and sign-ins from hosting or VPN ranges.
//
// [ReadOkta], [ReadEntra], [ReadEntraCSV] and [ReadGoogle] report a bad
// record as a [RecordError] and import the rest. [Analyze] turns sign-ins
// and [Worker]s into [Finding]s, each with a likelihood ratio, one sentence
// with its numbers and the provider's record IDs; they are evidence for a
// reviewer, not verdicts. Field mappings, defaults and false alarms are in
// docs/idp-signals.md.
//
// Every function is safe for concurrent use; [Config.Locate] must be too
// if [Analyze] is called concurrently.
package idp
