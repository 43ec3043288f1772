package applicantgen

// The lists below are written for the generator: common US given names and
// surnames, cities with their real area codes and ZIP prefixes, street
// names, employers, schools and the vocabulary of software résumés.

var firstNames = []string{
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen",
	"Charles", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret",
	"Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle",
	"Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie",
	"Ronald", "Rebecca", "Jason", "Sharon", "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Dorothy",
	"Jacob", "Amy", "Gary", "Kathleen", "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Emma",
	"Stephen", "Brenda", "Larry", "Pamela", "Justin", "Nicole", "Scott", "Anna", "Brandon", "Samantha",
	"Benjamin", "Katherine", "Samuel", "Christine", "Gregory", "Debra", "Alexander", "Rachel", "Patrick", "Carolyn",
	"Frank", "Janet", "Raymond", "Maria", "Jack", "Olivia", "Dennis", "Heather", "Jerry", "Helen",
	"Tyler", "Catherine", "Aaron", "Diane", "Jose", "Julie", "Adam", "Victoria", "Nathan", "Joyce",
	"Henry", "Lauren", "Zachary", "Kelly", "Douglas", "Christina", "Peter", "Ruth", "Kyle", "Joan",
	"Noah", "Virginia", "Ethan", "Judith", "Jeremy", "Evelyn", "Christian", "Hannah", "Walter", "Andrea",
	"Keith", "Megan", "Austin", "Cheryl", "Roger", "Jacqueline", "Terry", "Madison", "Sean", "Sophia",
	"Wei", "Priya", "Arjun", "Mei", "Hiroshi", "Aisha", "Omar", "Fatima", "Carlos", "Lucia",
	"Diego", "Sofia", "Mateo", "Valentina", "Ivan", "Olga", "Dmitri", "Anya", "Kwame", "Amara",
	"Minh", "Linh", "Raj", "Ananya", "Vikram", "Deepa", "Jin", "Soo", "Yusuf", "Leila",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
	"Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
	"Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
	"Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
	"Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
	"Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
	"Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham",
	"Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson",
	"Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
	"Harrison", "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen",
	"Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter",
	"Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks",
	"Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox",
	"Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens",
	"Wang", "Li", "Zhang", "Liu", "Singh", "Kumar", "Shah", "Park", "Choi", "Yamamoto",
	"Tanaka", "Ivanov", "Petrov", "Okafor", "Mensah", "Haddad", "Khan", "Ali", "Novak", "Kowalski",
}

// city is a US city with its state, real area codes and the first three
// digits of its ZIP codes.
type city struct {
	name, state, stateName string
	areaCodes              []int
	zip3                   string
}

var cities = []city{
	{"Phoenix", "AZ", "Arizona", []int{602, 480, 623}, "850"},
	{"Tucson", "AZ", "Arizona", []int{520}, "857"},
	{"Los Angeles", "CA", "California", []int{213, 310, 323, 818}, "900"},
	{"San Diego", "CA", "California", []int{619, 858}, "921"},
	{"San Jose", "CA", "California", []int{408, 669}, "951"},
	{"San Francisco", "CA", "California", []int{415, 628}, "941"},
	{"Sacramento", "CA", "California", []int{916}, "958"},
	{"Seattle", "WA", "Washington", []int{206, 253, 425}, "981"},
	{"Portland", "OR", "Oregon", []int{503, 971}, "972"},
	{"Denver", "CO", "Colorado", []int{303, 720}, "802"},
	{"Dallas", "TX", "Texas", []int{214, 469, 972}, "752"},
	{"Houston", "TX", "Texas", []int{713, 281, 832}, "770"},
	{"Austin", "TX", "Texas", []int{512, 737}, "787"},
	{"San Antonio", "TX", "Texas", []int{210}, "782"},
	{"Chicago", "IL", "Illinois", []int{312, 773, 872}, "606"},
	{"Detroit", "MI", "Michigan", []int{313}, "482"},
	{"Minneapolis", "MN", "Minnesota", []int{612}, "554"},
	{"St. Louis", "MO", "Missouri", []int{314}, "631"},
	{"Kansas City", "MO", "Missouri", []int{816}, "641"},
	{"Atlanta", "GA", "Georgia", []int{404, 470, 678}, "303"},
	{"Miami", "FL", "Florida", []int{305, 786}, "331"},
	{"Orlando", "FL", "Florida", []int{407, 321}, "328"},
	{"Tampa", "FL", "Florida", []int{813}, "336"},
	{"Jacksonville", "FL", "Florida", []int{904}, "322"},
	{"Charlotte", "NC", "North Carolina", []int{704, 980}, "282"},
	{"Raleigh", "NC", "North Carolina", []int{919, 984}, "276"},
	{"Nashville", "TN", "Tennessee", []int{615, 629}, "372"},
	{"New York", "NY", "New York", []int{212, 646, 917}, "100"},
	{"Brooklyn", "NY", "New York", []int{718, 347}, "112"},
	{"Boston", "MA", "Massachusetts", []int{617, 857}, "021"},
	{"Philadelphia", "PA", "Pennsylvania", []int{215, 267}, "191"},
	{"Pittsburgh", "PA", "Pennsylvania", []int{412}, "152"},
	{"Baltimore", "MD", "Maryland", []int{410, 443}, "212"},
	{"Washington", "DC", "District of Columbia", []int{202}, "200"},
	{"Columbus", "OH", "Ohio", []int{614}, "432"},
	{"Cleveland", "OH", "Ohio", []int{216}, "441"},
	{"Indianapolis", "IN", "Indiana", []int{317}, "462"},
	{"Las Vegas", "NV", "Nevada", []int{702, 725}, "891"},
	{"Salt Lake City", "UT", "Utah", []int{801, 385}, "841"},
	{"Albuquerque", "NM", "New Mexico", []int{505}, "871"},
	{"Newark", "NJ", "New Jersey", []int{973, 862}, "071"},
	{"Richmond", "VA", "Virginia", []int{804}, "232"},
	{"Milwaukee", "WI", "Wisconsin", []int{414}, "532"},
	{"New Orleans", "LA", "Louisiana", []int{504}, "701"},
	{"Boise", "ID", "Idaho", []int{208}, "837"},
	{"Omaha", "NE", "Nebraska", []int{402}, "681"},
	{"Oklahoma City", "OK", "Oklahoma", []int{405}, "731"},
}

var streetNames = []string{
	"Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park",
	"Walnut", "Sunset", "Lincoln", "Jackson", "Highland", "Forest", "River", "Church", "Spring", "Willow",
	"Meadow", "Ridge", "Valley", "Cherry", "Jefferson", "Madison", "Franklin", "Center", "Mill", "Union",
	"Chestnut", "Adams", "Dogwood", "Hickory", "Magnolia", "Sycamore", "Birch", "Aspen", "Juniper", "Laurel",
	"Prospect", "Fairview", "Woodland", "Greenwood", "Broadway", "Central", "Mission", "Camelback", "Indian School",
	"McDowell", "Thunderbird", "Rio Salado", "Peachtree", "Piedmont", "Congress", "Lamar", "Guadalupe", "Burnet",
	"Division", "Halsted", "Ashland", "Belmont", "Fullerton", "Colfax", "Alameda", "Evergreen", "Canyon", "Mesa",
	"Harbor", "Bayview", "Ocean", "Coral", "Palmetto", "Orchard", "Country Club", "College", "University", "Market",
}

// streetType is a street suffix written in full and abbreviated.
type streetType struct{ full, abbr string }

var streetTypes = []streetType{
	{"Street", "St"}, {"Avenue", "Ave"}, {"Road", "Rd"}, {"Drive", "Dr"}, {"Lane", "Ln"},
	{"Boulevard", "Blvd"}, {"Court", "Ct"}, {"Place", "Pl"}, {"Terrace", "Ter"}, {"Parkway", "Pkwy"},
	{"Circle", "Cir"}, {"Trail", "Trl"}, {"Way", "Way"},
}

var directions = []streetType{{"North", "N"}, {"South", "S"}, {"East", "E"}, {"West", "W"}}

// bigEmployers are employers thousands of applicants share.
var bigEmployers = []string{
	"Google LLC", "Amazon", "Microsoft Corporation", "Apple Inc.", "Meta Platforms, Inc.", "IBM",
	"Oracle Corporation", "Accenture", "Deloitte", "Cognizant", "Infosys Limited", "Tata Consultancy Services",
	"Wipro Ltd", "Capgemini", "Salesforce, Inc.", "Intel Corporation", "Cisco Systems, Inc.", "Dell Technologies",
	"HP Inc.", "Walmart Inc.", "Target Corporation", "JPMorgan Chase & Co.", "Bank of America", "Wells Fargo & Company",
	"Capital One", "Citigroup Inc.", "Goldman Sachs", "Morgan Stanley", "American Express", "Visa Inc.",
	"UnitedHealth Group", "CVS Health", "Kaiser Permanente", "Verizon", "AT&T Inc.", "T-Mobile US, Inc.",
	"Comcast Corporation", "Boeing", "Lockheed Martin Corporation", "General Electric", "Ford Motor Company",
	"General Motors", "Uber Technologies, Inc.", "Lyft, Inc.", "Airbnb, Inc.", "Netflix, Inc.", "Adobe Inc.",
	"Intuit Inc.", "ServiceNow", "Workday, Inc.", "VMware", "Booz Allen Hamilton", "Leidos", "SAIC",
	"EPAM Systems", "Globant", "Slalom, LLC", "Ernst & Young LLP", "PwC", "KPMG LLP",
}

// Small employers are made from these: "Bluepeak Ridge Analytics LLC".
var (
	coPrefix = []string{
		"Blue", "North", "Silver", "Red", "Iron", "Bright", "Clear", "Summit", "Cedar", "Harbor",
		"Pioneer", "Granite", "Swift", "Vertex", "Apex", "True", "Open", "Nova", "Lumen", "Beacon",
		"Crest", "Quantum", "Prime", "Stone", "Maple", "Falcon", "Eagle", "Copper", "Golden", "Pacific",
		"Atlantic", "Prairie", "Metro", "Urban", "Cobalt", "Indigo", "Sterling", "Keystone", "Liberty", "Frontier",
		"Evergreen", "Oak", "River", "Lake", "Sky", "Star", "Sun", "Moon", "Polar", "Coral",
	}
	coSuffix = []string{
		"peak", "gate", "line", "bridge", "field", "point", "wave", "path", "stack", "forge",
		"works", "labs", "logic", "mark", "stream", "sight", "shift", "scale", "bit", "byte",
		"cloud", "core", "grid", "hub", "leaf", "link", "loop", "node", "port", "rock",
		"sail", "side", "spring", "ton", "view", "ware", "well", "wind", "wood", "yard",
	}
	coIndustry = []string{
		"Analytics", "Software", "Systems", "Solutions", "Technologies", "Consulting", "Digital", "Data",
		"Networks", "Labs", "Health", "Logistics", "Financial", "Media", "Security", "Robotics",
		"Interactive", "Partners", "Group", "Services", "Cloud", "Engineering", "Studios", "Energy",
		"Learning", "Retail", "Insurance", "Payments", "Mobility", "Biotech",
	}
	coForm = []string{"LLC", "Inc.", "Inc", "Corp.", "Co.", "Ltd.", "", "", "", ""}
)

// universities are the schools applicants list; many share one.
var universities = []string{
	"Arizona State University", "University of Arizona", "University of California, Los Angeles",
	"University of California, Berkeley", "San Diego State University", "San Jose State University",
	"University of Washington", "Portland State University", "University of Colorado Boulder",
	"University of Texas at Austin", "Texas A&M University", "University of Houston", "Rice University",
	"University of Illinois Urbana-Champaign", "Northwestern University", "University of Michigan",
	"University of Minnesota", "Washington University in St. Louis", "Georgia Institute of Technology",
	"Florida International University", "University of Central Florida", "University of Florida",
	"North Carolina State University", "Vanderbilt University", "New York University", "Columbia University",
	"Boston University", "Northeastern University", "Temple University", "Carnegie Mellon University",
	"Johns Hopkins University", "George Washington University", "Ohio State University",
	"Purdue University", "University of Nevada, Las Vegas", "University of Utah", "University of New Mexico",
	"Rutgers University", "Virginia Tech", "University of Wisconsin-Madison", "Tulane University",
	"Boise State University", "University of Nebraska Omaha", "University of Oklahoma",
	"Western Governors University", "Southern New Hampshire University", "University of Phoenix",
}

var degrees = []string{"B.S.", "B.A.", "M.S.", "Bachelor of Science", "Master of Science", "B.Eng.", "MBA"}

var degreeAreas = []string{
	"Computer Science", "Software Engineering", "Information Systems", "Computer Engineering",
	"Electrical Engineering", "Mathematics", "Statistics", "Data Science", "Information Technology",
	"Physics", "Economics", "Business Administration", "Cybersecurity", "Applied Mathematics",
}

var titles = []string{
	"Software Engineer", "Senior Software Engineer", "Backend Developer", "Full Stack Developer",
	"Frontend Engineer", "DevOps Engineer", "Site Reliability Engineer", "Data Engineer", "Data Analyst",
	"Machine Learning Engineer", "Mobile Developer", "iOS Developer", "Android Developer", "QA Engineer",
	"Systems Administrator", "Cloud Engineer", "Platform Engineer", "Solutions Architect", "Web Developer",
	"Database Administrator", "Security Engineer", "Technical Lead", "Staff Engineer", "Java Developer",
	".NET Developer", "Python Developer", "Salesforce Developer", "Blockchain Developer", "Game Developer",
}

var techs = []string{
	"Go", "Python", "Java", "Kotlin", "TypeScript", "JavaScript", "React", "Angular", "Vue", "Node.js",
	"Django", "Flask", "FastAPI", "Spring Boot", "Ruby on Rails", "PHP", "Laravel", "C#", ".NET Core", "Rust",
	"C++", "Scala", "Elixir", "PostgreSQL", "MySQL", "MongoDB", "Redis", "Cassandra", "Kafka", "RabbitMQ",
	"Elasticsearch", "AWS Lambda", "Amazon EC2", "Amazon S3", "DynamoDB", "Google Cloud", "BigQuery", "Azure",
	"Azure DevOps", "Kubernetes", "Docker", "Terraform", "Ansible", "Jenkins", "GitHub Actions", "GitLab CI",
	"GraphQL", "gRPC", "Snowflake", "Airflow", "Spark", "Pandas", "NumPy", "TensorFlow", "PyTorch",
	"scikit-learn", "Swift", "SwiftUI", "Flutter", "React Native", "Next.js", "Svelte", "Tailwind CSS",
	"Prometheus", "Grafana", "Datadog", "Splunk", "OpenTelemetry", "Istio", "Helm", "Argo CD", "Solidity",
	"Web3.js", "Unity", "Unreal Engine", "Salesforce Apex", "SAP", "Power BI", "Tableau", "dbt", "Looker",
}

// verbs are résumé verbs in the past tense and the base form.
var verbs = [][2]string{
	{"Built", "build"}, {"Designed", "design"}, {"Led", "lead"}, {"Implemented", "implement"},
	{"Migrated", "migrate"}, {"Automated", "automate"}, {"Refactored", "refactor"}, {"Optimized", "optimize"},
	{"Developed", "develop"}, {"Maintained", "maintain"}, {"Launched", "launch"}, {"Integrated", "integrate"},
	{"Delivered", "deliver"}, {"Owned", "own"}, {"Introduced", "introduce"}, {"Streamlined", "streamline"},
	{"Architected", "architect"}, {"Rewrote", "rewrite"}, {"Scaled", "scale"}, {"Hardened", "harden"},
	{"Instrumented", "instrument"}, {"Deployed", "deploy"}, {"Modernized", "modernize"}, {"Consolidated", "consolidate"},
	{"Drove", "drive"}, {"Coordinated", "coordinate"}, {"Prototyped", "prototype"}, {"Standardized", "standardize"},
	{"Documented", "document"}, {"Secured", "secure"}, {"Tuned", "tune"}, {"Extended", "extend"},
	{"Replaced", "replace"}, {"Shipped", "ship"}, {"Reworked", "rework"}, {"Overhauled", "overhaul"},
	{"Simplified", "simplify"}, {"Containerized", "containerize"}, {"Productionized", "productionize"}, {"Piloted", "pilot"},
}

var things = []string{
	"a customer-facing billing portal", "the internal reporting pipeline", "REST APIs for order management",
	"the payments reconciliation service", "a real-time inventory tracker", "the mobile checkout flow",
	"an event-driven notification system", "the company's identity and access layer", "a claims-processing workflow",
	"the search ranking service", "a fraud scoring model", "the data warehouse ingestion jobs",
	"a patient scheduling application", "the logistics routing engine", "a self-service analytics dashboard",
	"the CI/CD pipeline", "a multi-tenant SaaS admin console", "the legacy monolith's user module",
	"a recommendation widget for the storefront", "the shipment tracking API", "an internal feature-flag service",
	"a document OCR pipeline", "the loyalty rewards backend", "a HIPAA-compliant messaging feature",
	"the pricing microservice", "an A/B testing framework", "the chat support integration",
	"a geospatial search endpoint", "the subscription management module", "an audit logging subsystem",
	"the partner onboarding portal", "a video transcoding queue", "the mobile push delivery service",
	"a compliance reporting toolkit", "the employee directory sync", "an infrastructure cost dashboard",
	"the vendor invoice parser", "a GraphQL gateway for three product teams", "the clinical trial data portal",
	"a smart-contract indexing service", "the warehouse robotics telemetry feed", "a tax calculation engine",
	"the booking availability cache", "a content moderation queue", "the retail point-of-sale sync",
	"a machine-learning feature store", "the disaster recovery runbooks", "an accessibility audit of the web app",
	"the customer data platform connectors", "a load-testing harness", "the IoT device provisioning flow",
	"a secrets rotation job", "the on-call alert routing", "an e-signature workflow", "the quoting tool for sales",
	"a streaming clickstream processor", "the student enrollment system", "a property listing importer",
	"the fleet maintenance scheduler", "a carbon reporting dashboard",
}

var outcomes = []string{
	"cutting page load time by a third", "reducing cloud spend noticeably", "halving the number of support tickets",
	"raising test coverage across the codebase", "removing a nightly manual step for the operations team",
	"bringing deployment time from hours to minutes", "improving conversion on the checkout page",
	"eliminating a class of duplicate-charge incidents", "letting analysts answer questions without engineering help",
	"meeting the quarter's reliability target", "unblocking the enterprise launch", "passing the SOC 2 audit on the first attempt",
	"reducing p99 latency well under the agreed budget", "saving the finance team several days each month",
	"making onboarding for new engineers much faster", "retiring two aging servers", "doubling throughput at peak",
	"improving data freshness from daily to hourly", "cutting false positives for the review team",
	"shrinking the mobile app's crash rate", "allowing three teams to ship independently",
	"removing a long-standing single point of failure", "keeping the service within its error budget",
	"making releases predictable for product managers", "giving leadership a weekly view of key metrics",
	"simplifying the path to production for contractors", "reducing manual data entry for clinicians",
	"helping the sales team close larger accounts", "cutting the build time of the main repository",
	"paving the way for the move to the cloud",
}

var teams = []string{
	"the platform team", "a team of four engineers", "product and design", "the data science group",
	"the security office", "customer support leads", "the mobile squad", "two offshore vendors",
	"the finance systems team", "site reliability engineers", "the growth team", "clinical staff",
	"the marketing analytics team", "an external auditor", "the architecture review board",
}

var adjectives = []string{
	"Detail-oriented", "Results-driven", "Pragmatic", "Curious", "Versatile", "Collaborative",
	"Self-motivated", "Hands-on", "Customer-focused", "Analytical", "Reliable", "Adaptable",
}

var domains = []string{
	"fintech", "healthcare", "e-commerce", "logistics", "insurance", "education technology", "media",
	"cybersecurity", "real estate", "telecommunications", "government services", "gaming", "travel",
	"retail", "manufacturing", "energy", "blockchain", "advertising technology", "human resources software",
	"supply chain",
}

var extras = []string{
	"Comfortable working across time zones with distributed teams.",
	"Enjoys mentoring junior developers and writing clear design documents.",
	"Contributor to open-source tooling in spare time.",
	"Holds an active cloud practitioner certification.",
	"Known for calm incident handling and thorough postmortems.",
	"Prefers small, well-tested changes and fast feedback loops.",
	"Experienced with agile ceremonies and quarterly planning.",
	"Speaks at local meetups about backend architecture.",
	"Passionate about accessibility and inclusive design.",
	"Has led hiring loops and interview training.",
	"Strong written communicator who documents decisions.",
	"Available for full-time remote work and occasional travel.",
}
