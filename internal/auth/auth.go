package auth

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what a user is allowed to do, as a named set of permissions.
type Role string

// The roles. See the package documentation for their permissions.
const (
	Admin   Role = "admin"   // everything, including user management
	Analyst Role = "analyst" // investigates: devices, applicants, rings; works cases
	HR      Role = "hr"      // HR reviewer: applicants, decisions and imports
	Auditor Role = "auditor" // reads everything, changes nothing
)

// Roles lists every role, most privileged first.
var Roles = []Role{Admin, Analyst, HR, Auditor}

// ParseRole returns the role named s, or an error listing the roles.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(Roles, r) {
		names := make([]string, len(Roles))
		for i, r := range Roles {
			names[i] = string(r)
		}
		return "", fmt.Errorf("role %q: want one of %s", s, strings.Join(names, ", "))
	}
	return r, nil
}

// Permission is one thing a role may be allowed to do.
type Permission string

// The permissions.
const (
	ViewDevices      Permission = "view-devices"      // device verdicts
	ViewApplicants   Permission = "view-applicants"   // review queue and applicants
	ViewRings        Permission = "view-rings"        // rings of linked applicants and workers
	DecideApplicants Permission = "decide-applicants" // record review decisions
	ImportApplicants Permission = "import-applicants" // import applicant files
	ManageUsers      Permission = "manage-users"      // add users, set passwords
	ViewCases        Permission = "view-cases"        // case list, case pages and case reports
	WorkCases        Permission = "work-cases"        // open, assign, move and annotate cases
)

// Permissions lists every permission.
var Permissions = []Permission{ViewDevices, ViewApplicants, ViewRings, DecideApplicants, ImportApplicants, ManageUsers, ViewCases, WorkCases}

// grants is the permission table of the package documentation.
var grants = map[Role][]Permission{
	Admin:   Permissions,
	Analyst: {ViewDevices, ViewApplicants, ViewRings, ViewCases, WorkCases},
	HR:      {ViewApplicants, DecideApplicants, ImportApplicants},
	Auditor: {ViewDevices, ViewApplicants, ViewRings, ViewCases},
}

// Can reports whether r holds p. An unknown role holds nothing.
func (r Role) Can(p Permission) bool {
	return slices.Contains(grants[r], p)
}
