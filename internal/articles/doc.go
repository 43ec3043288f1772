// Package articles finds article and determiner errors ("a"/"an"/"the"
// missing, unneeded or wrong, and a few fixed phrases) in English text such
// as résumés and cover letters.
//
// Applicant screening uses the findings as weak evidence only: they never
// raise an applicant's risk on their own, are shown to reviewers as
// language observations, and are not a proxy for national origin. The
// rules are therefore built for precision: on the CoNLL-2014 test essays
// they flag 0.92 % of the sentences that have no article error (1.17 % on
// the half held out from tuning) and find about one article error in six;
// docs/lab-articles.md has the protocol and the figures.
//
// [Check] splits a text into sentences and tokens itself; [CheckTokens]
// checks one sentence that is already tokenised the CoNLL way. Both are
// safe for concurrent use: the word lists are read-only after package
// initialisation.
//
// For evaluation, [ReadM2] reads the M2 files of the CoNLL shared tasks,
// [Evaluate] scores findings against the gold article edits, [Split]
// divides a data set into a tuning half and a held-out half, and
// [WriteTable] and [WriteReport] print the scores.
package articles
