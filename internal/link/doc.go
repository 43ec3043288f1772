// Package link finds applicants who share identifiers and groups them into
// persona rings, the way one operator's many fake applicants give
// themselves away: the same phone numbers written differently, mailboxes
// reached through Gmail dots and +tags, one laptop-farm shipping address,
// recycled résumé text, one photo, one profile link.
//
// # Use
//
//	x, err := link.NewIndex(link.Options{})
//	for i := range applicants {
//		x.Add(&applicants[i])
//	}
//	x.AddWorker("1042", "1420 N Central Ave Apt 4B, Phoenix, AZ 85004")
//	g := x.Build()
//	g.Shared("A17")  // every identifier A17 shares, for the reviewer
//	g.RingOf("A17")  // its ring: members, workers, evidence
//	g.Rings()        // all rings, largest first
//
// An Index is filled from one goroutine; Build spreads the work over
// GOMAXPROCS goroutines and returns a read-only Graph safe for concurrent
// use.
//
// # Identifiers
//
// Each is normalised first ([Phone], [Email], [Address], [ProfileLink],
// [IPPrefix], [Employer]; photo hashes with hiring.ParsePhotoHash); values
// that normalise to nothing (placeholders such as "000-000-0000",
// "none@none.com", "N/A", an address without a number) are not
// identifiers at all. Strong kinds can link on their own: phone, e-mail,
// address, profile link, résumé near-duplicate (MinHash, see below) and
// photo (Hamming distance ≤ Options.PhotoMaxDistance). Weak kinds never
// link on their own, and not even two of them together: the application
// IP's /24 or /48 (a VPN exit, a carrier NAT, an office) and an employer
// name (colleagues, big companies). Private and loopback IPs are ignored.
//
// # The common-value guard
//
// How many applicants (and workers) hold a value decides what it may do:
//
//   - 2 to DirectLimit (10) holders, strong kind: the value links all of
//     them. A household, a reused VoIP number, a mailbox, a small farm.
//   - up to CommonLimit (100) holders, or a weak kind: the value is
//     "soft": it links two holders only with corroboration, a second soft
//     value of a different kind that leads to the same people, at least
//     one of the two of a strong kind. Corroboration is checked for each
//     pair of holders, and then for groups: a node whose soft values of
//     two kinds lead into one component joins it, even when no single
//     member shares both (a persona at a 30-persona farm address whose VPN
//     exit matches a persona of the ring who lives elsewhere). A recruiting
//     agency's switchboard, a co-working address or a dormitory links no
//     one by itself; a laptop farm's personas, who share more than the
//     address, still link.
//   - more than CommonLimit holders: "too common" (a default avatar, a big
//     employer, a VPN's busiest exit): listed for the reviewer, marked, and
//     never used.
//
// For résumés and photos, which match pairwise, the holder count is the
// size of the cluster of near-copies around the pair. The limits were
// chosen on one seed of the synthetic corpus of package
// internal/lab/applicantgen (docs/lab-rings.md records the sweep).
//
// # Résumés
//
// Résumé text is reduced to words, dropping what must make two résumés
// neither more nor less alike: e-mail addresses, URLs, every token with a
// digit (phones, dates, ZIP codes), month names, and the applicant's name.
// Texts under MinResumeWords words are not compared: too few shingles for
// a stable estimate, and short summaries are made of stock phrases.
// Shingles of ShingleWords words are summarised in a NumHashes-value
// one-permutation MinHash signature with optimal densification (one hash
// per shingle rather than one per shingle and function, with the same
// agreement probability), 16 bits per value. Candidate pairs come from
// banding (Bands × Rows, default 42 × 3: a pair with Jaccard similarity
// 0.3 becomes a candidate with probability 0.68, at 0.4 with 0.94, at 0.5
// with 0.996, at 0.1 with 0.04) and are kept when the estimated similarity
// is at least ResumeThreshold (0.4). A band bucket holding more than
// CommonLimit résumés is boilerplate and skipped.
//
// # Rings
//
// Links are unions in a disjoint-set forest over applicants and workers; a
// ring is a component with at least two applicants. Its ID is a hash of
// its sorted members, so it is the same on every run. Its Evidence lists
// every value at least two of its members hold, with the members holding
// it, how many hold it overall, and whether it linked.
package link
