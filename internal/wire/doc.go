// Package wire defines version 1 of the telemetry wire format that
// lagwatch-agent and a landmark server's ingest API exchange: JSON messages
// over HTTPS, documented field by field in docs/wire-v1.md.
//
// Both binaries import this package, so it must stay small and import
// nothing from lagwatch's server side (store, ingest, web, analyze); it
// imports keystroke and relay, which the agent links anyway, for their
// limits and for the conversions of [RelayFeatures].
//
// # Decoding
//
// Every message that crosses the network has a Decode function, for
// example [DecodeBatch] on the server and [DecodeEnrolResponse] on the
// agent. A decoder accepts exactly one JSON object, rejects unknown fields,
// checks the version where the message carries one, and enforces every
// limit listed in the constants below. It returns a *[FieldError] naming
// the offending field as a JSON path ("samples[3].rtt_us") and the limit
// it broke, with a stable error [Code] for the API error body. Decoders
// take the already size-limited body; capping the read is the caller's job
// (see ingest.Config.MaxBodyBytes).
//
// A value a decoder accepted encodes with encoding/json (json.Marshal) to a
// message the same decoder accepts again and decodes to an equal value.
//
// Two leniencies of encoding/json remain: object keys match
// case-insensitively and a repeated key keeps its last value. Senders must
// use the exact lowercase names, once each.
//
// # Telemetry and signatures
//
// Besides RTT samples a [Batch] carries [InputWindow]s (keyboard timing
// aggregates, never key codes or characters; class and provenance names
// are those of package keystroke; an optional [RelayFeatures] block of
// relay fingerprints for package relay's detector) and an
// [EndpointReport]. A device that
// sends a public key at enrolment signs every batch body with [Sign]; the
// server checks it with [Verify]. The signature covers the exact bytes
// sent, so the agent signs what it sends and never re-encodes.
//
// # Secrets
//
// [EnrolRequest.Token] and [EnrolResponse.Credential] are secrets. Their
// types implement String and slog.LogValuer with the secret redacted, so
// logging the message does not leak it.
package wire
