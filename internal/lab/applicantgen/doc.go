// Package applicantgen generates a synthetic applicant pool with planted
// persona rings, and measures how well linking (package link) recovers the
// rings without linking strangers. docs/lab-rings.md describes the design,
// the metrics and the measured figures; `lagwatch lab rings --n 100000
// --seed 2` runs it ([Run]).
//
// [Generate] is deterministic for a [Config] (math/rand/v2 PCG seeded with
// Config.Seed). It writes N applicants in random order:
//
//   - Honest applicants with their own details: names from embedded lists,
//     US cities with their real area codes and ZIP prefixes, unused phone
//     numbers in those area codes, unused mailboxes built from the name at
//     common webmail domains, street addresses (a third with a unit),
//     LinkedIn and GitHub handles, residential IPs (some through consumer
//     VPN exits, some IPv6, some unknown), one to four employers (big ones
//     thousands share, small ones a few dozen share), a résumé assembled
//     from templated sentences with many slots, and a photo hash drawn
//     around one of a few "face" archetypes so that distinct faces are ~24
//     bits apart rather than 32.
//   - Honest coincidences, which count as false links whenever linking
//     joins them: households of two or three at one address; apartment
//     complexes (one street address, different units); co-working spaces
//     and dormitories (one address for 15–120 people); recruiting agencies
//     that give their own phone for 15–100 candidates; placeholders ("N/A",
//     "000-000-0000", "none@none.com"); the default avatar; applicants
//     living with a current worker.
//   - Planted rings of 2 to MaxRingSize personas (half 2–5, three in ten
//     6–15, the rest larger), RingShare of all applicants. Each ring has a
//     kit: one laptop-farm address per 15 personas (written with varied
//     formatting), the farms' residential /24s, one or two VPN exits from
//     a pool shared with other operators and, for ten of them, with
//     consumer VPN users, VoIP numbers, shared mailboxes, two to four
//     obscure employers, base résumés that personas recycle with dates
//     shifted and up to a quarter of their sentences rewritten, base
//     photos that personas reuse with up to two bits flipped, one LinkedIn
//     profile. Personas draw from the kit independently (75% at a farm,
//     45% a kit phone, 65% a recycled résumé, ...), and each persona after
//     the first also copies one strong identifier from an earlier persona
//     of its ring, in a form that normalises to the same value. Reuse is
//     chain-like: every persona is tied to its ring by a strong
//     identifier, not every pair shares one.
//
// [Evaluate] compares a link.Graph with the ground truth in [Corpus].
// Rings are recovered "exactly" when one found ring holds all the members
// and no one else; false links are counted both as edges and as pairs in
// the same found ring, relative to all unrelated pairs and to what was
// found ([Result]).
//
// It is lab tooling and must never be linked into the agent.
package applicantgen
