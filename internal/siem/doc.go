// Package siem exports lagwatch alerts ([risk.Alert]) to security
// information and event management systems.
//
// Three encodings and two transports:
//
//   - [OCSF] renders an alert as an OCSF 1.4.0 Detection Finding (class
//     2004) in JSON;
//   - [CEF] renders it as one ArcSight Common Event Format line;
//   - [SyslogWriter] sends either over syslog (RFC 5424) on UDP, TCP or
//     TLS, TCP and TLS framed by octet counting (RFC 6587), reconnecting
//     with backoff;
//   - [Webhook] POSTs the OCSF JSON to an HTTPS endpoint, signed with
//     HMAC-SHA256, retrying server errors; receivers check the signature
//     with [VerifySignature].
//
// docs/siem-export.md holds the field mappings and the signature scheme.
//
// The encoders are pure functions and safe for concurrent use. A
// SyslogWriter serialises its writes with a mutex and may be shared. A
// Webhook is safe for concurrent use once its fields are set.
package siem
