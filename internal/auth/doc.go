// Package auth signs dashboard users in and decides what they may do.
//
// # Roles and permissions
//
// Every user has one [Role]; [Role.Can] says whether it holds a
// [Permission]:
//
//	permission        admin  analyst  hr  auditor
//	ViewDevices        yes     yes    no    yes    device verdicts (GET /, /api/v1/verdicts)
//	ViewApplicants     yes     yes    yes   yes    review queue, applicant pages and API
//	ViewRings          yes     yes    no    yes    ring pages and API (rings name workers)
//	DecideApplicants   yes     no     yes   no     record review decisions
//	ImportApplicants   yes     no     yes   no     import applicant files
//	ManageUsers        yes     no     no    no     lagwatch user add|list|passwd
//	ViewCases          yes     yes    no    yes    case list, case pages, case reports
//	WorkCases          yes     yes    no    no     open, assign, move and annotate cases
//
// Auditors read everything and change nothing; HR reviewers see applicants
// and decide on them but do not see device verdicts or rings; analysts
// investigate (devices, applicants, rings) and work cases, but hiring
// decisions stay with HR. Users are managed with the lagwatch user command, which needs access
// to the store; there is no web route for it.
//
// # Passwords
//
// [HashPassword] hashes with argon2id (19 MiB, 2 passes, 1 lane, 16-byte
// salt, 32-byte key: the OWASP minimum) into the PHC string
// "$argon2id$v=19$m=19456,t=2,p=1$SALT$KEY"; [CheckPassword] reads the
// parameters back from the hash, so they can be raised later without
// invalidating stored hashes. Passwords are 12–256 bytes.
//
// # Sessions
//
// [Authenticator.Login] checks a name and password and starts a session: a
// random 32-byte token, sent to the browser base64url-encoded in the
// HttpOnly, SameSite=Strict cookie lagwatch_session (Path=/, Secure when
// the request came over TLS or [Config.SecureCookie] is set). The store
// keeps only the token's SHA-256. A session ends after [Config.IdleTimeout]
// without requests (default 12 h) and at the latest [Config.MaxAge] after
// sign-in (default 7 days); use extends it at most once a minute so that
// reads do not turn into writes. Changing a user's password or disabling it
// ends its sessions; a role change applies to the next request.
//
// An unknown user and a wrong password get the same error,
// [ErrInvalidCredentials], after the same work (a password check against a
// fixed hash), so the answer does not tell which names exist.
//
// # Rate limiting
//
// Failed log-ins are counted in memory per (user name, client IP) and per
// client IP: after [Config.MaxFailures] (default 5) failures for one name
// from one IP, or 10 times as many from one IP, within [Config.FailureWindow]
// (default 15 minutes) further attempts are refused with a [*LimitError]
// until the window has passed; a successful log-in clears its name's
// count. The client IP is the request's remote address: behind a reverse
// proxy every client shares the proxy's address. At most 10,000 keys are
// tracked; when full, expired ones are dropped first, then arbitrary ones.
// Counts are per process and reset on restart.
package auth
