package screen

import "strings"

// legalSuffixes are the words of company forms, left out when judging a
// name.
var legalSuffixes = wordSet("llc", "inc", "incorporated", "ltd", "limited", "corp", "corporation",
	"co", "company", "plc", "gmbh", "ag", "sa", "sas", "srl", "bv", "pvt", "pte", "pty", "llp", "lp",
	"oy", "ab", "as", "kk", "sdn", "bhd")

// genericWords are words that say what a company does without saying which
// company it is. A name made only of them ("Global IT Services LLC", "Tech
// Solutions Inc") is the pattern of shell and front companies.
var genericWords = wordSet("global", "international", "worldwide", "universal", "united", "national",
	"american", "us", "usa", "tech", "techs", "technology", "technologies", "technical", "it", "info",
	"infotech", "information", "solution", "solutions", "service", "services", "consulting",
	"consultancy", "consultants", "consultant", "advisory", "systems", "system", "software", "soft",
	"digital", "data", "cloud", "web", "net", "network", "networks", "dev", "development", "developers",
	"group", "enterprise", "enterprises", "innovation", "innovations", "innovative", "labs", "lab",
	"partners", "ventures", "holdings", "management", "business", "professional", "professionals",
	"staffing", "resources", "talent", "creative", "smart", "next", "new", "future", "prime", "first",
	"pro", "plus", "one", "hub", "agency", "studio", "studios", "apps", "app", "mobile", "media",
	"marketing", "outsourcing", "trading", "computer", "computing", "cyber", "ai", "analytics",
	"engineering", "engineers", "integrated", "integration", "strategic", "strategies", "quality",
	"the", "of", "for", "llc")

// consultancyWords mark a name as a consultancy or outsourcing firm.
var consultancyWords = wordSet("consulting", "consultancy", "consultants", "solutions", "services",
	"infotech", "technologies", "outsourcing", "staffing", "systems")

// wellKnownEmployers are large employers whose names are expected to be
// shared by many applicants. Matching uses the folded name without company
// forms.
var wellKnownEmployers = wordSet(
	"google", "alphabet", "microsoft", "amazon", "amazon web services", "aws", "apple", "meta",
	"meta platforms", "facebook", "ibm", "oracle", "intel", "cisco", "cisco systems", "salesforce",
	"adobe", "sap", "accenture", "deloitte", "pwc", "pricewaterhousecoopers", "ey", "ernst and young",
	"kpmg", "capgemini", "cognizant", "cognizant technology solutions", "infosys",
	"tata consultancy services", "tcs", "wipro", "hcl technologies", "hcltech", "tech mahindra",
	"netflix", "uber", "lyft", "airbnb", "stripe", "paypal", "ebay", "twitter", "x", "linkedin",
	"nvidia", "amd", "advanced micro devices", "qualcomm", "dell", "dell technologies", "hp",
	"hewlett packard enterprise", "hpe", "vmware", "servicenow", "workday", "intuit", "shopify",
	"spotify", "atlassian", "github", "gitlab", "red hat", "jpmorgan chase", "jp morgan", "jpmorgan",
	"goldman sachs", "morgan stanley", "bank of america", "wells fargo", "citi", "citigroup",
	"citibank", "capital one", "american express", "visa", "mastercard", "walmart", "walmart global tech",
	"target", "booking com", "expedia", "samsung", "samsung electronics", "sony", "siemens", "bosch",
	"ericsson", "nokia", "alibaba", "tencent", "bytedance", "tiktok", "epam", "epam systems", "globant",
	"thoughtworks", "booz allen hamilton", "lockheed martin", "boeing", "general electric", "ge",
	"verizon", "at and t", "att", "t mobile", "comcast", "coinbase", "robinhood", "block", "square",
	"twilio", "datadog", "snowflake", "databricks", "mongodb", "cloudflare", "okta", "palantir",
	"palantir technologies", "zoom", "zoom video communications", "dropbox", "slack", "pinterest",
	"snap", "reddit", "yahoo", "autodesk", "electronic arts", "unity", "unity technologies",
	"mckinsey", "mckinsey and company", "boston consulting group", "bcg", "bain", "bain and company",
)

func wordSet(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// employerKey returns the folded employer name without company forms:
// "Acme Tech Solutions, LLC" is "acme tech solutions".
func employerKey(name string) string {
	words := strings.Fields(fold(name))
	out := words[:0]
	for _, w := range words {
		if !legalSuffixes[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// employerShape describes an employer name: whether every word is generic,
// and whether it sounds like a consultancy with at most one distinctive
// word.
func employerShape(key string) (allGeneric, consultancy bool) {
	words := strings.Fields(key)
	if len(words) == 0 {
		return false, false
	}
	distinct, consult := 0, false
	for _, w := range words {
		if !genericWords[w] {
			distinct++
		}
		if consultancyWords[w] {
			consult = true
		}
	}
	return distinct == 0 && len(words) >= 2, consult && distinct <= 1
}
