"""The demo catalogue seeded into an empty database: the interest vocabulary and a term's worth
of fictional workshops, trainings and events at the University."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from studentres_desktop.domain.models import Interest, ResourceDraft, ResourceKind

EVENT_URL_BASE = "https://events.example.edu/"
SELF_PACED = "Online (self-paced)"

DEFAULT_INTERESTS: tuple[Interest, ...] = (
    Interest(
        tag="AI",
        label="Artificial Intelligence",
        description=(
            "Machine learning, neural networks and deep learning, large language models, computer "
            "vision and reinforcement learning, plus how to evaluate AI systems and use them "
            "responsibly."
        ),
    ),
    Interest(
        tag="Data Science",
        label="Data Science",
        description=(
            "Collecting, cleaning and analysing data with Python, R and SQL: statistics, data "
            "visualisation, predictive modelling, experiment design and communicating findings "
            "clearly."
        ),
    ),
    Interest(
        tag="Robotics",
        label="Robotics",
        description=(
            "Designing, building and programming robots: sensors and actuators, control systems, "
            "embedded electronics, ROS, robot perception, motion planning and autonomous vehicles."
        ),
    ),
    Interest(
        tag="Cybersecurity",
        label="Cybersecurity",
        description=(
            "Protecting systems and data: network security, cryptography, secure coding, "
            "penetration testing, digital forensics, threat modelling and capture-the-flag "
            "competitions."
        ),
    ),
    Interest(
        tag="Software Engineering",
        label="Software Engineering",
        description=(
            "Building reliable software in teams: programming practice, version control with Git, "
            "testing, code review, software design and architecture, and open source development."
        ),
    ),
    Interest(
        tag="Cloud Computing",
        label="Cloud Computing",
        description=(
            "Running applications at scale: virtual machines, containers, Kubernetes, serverless "
            "functions, infrastructure as code, DevOps pipelines and distributed systems."
        ),
    ),
    Interest(
        tag="HCI",
        label="Human\u2013Computer Interaction",
        description=(
            "Designing technology around people: user research, usability testing, interaction and "
            "interface design, prototyping, accessibility and the psychology of how people use "
            "computers."
        ),
    ),
    Interest(
        tag="Entrepreneurship",
        label="Entrepreneurship",
        description=(
            "Turning ideas into ventures: start-ups and research spin-outs, customer discovery, "
            "business models, pitching to investors, funding, intellectual property and social "
            "enterprise."
        ),
    ),
    Interest(
        tag="Sustainability",
        label="Sustainability",
        description=(
            "Technology and engineering for a low-carbon future: climate science, renewable "
            "energy, life-cycle assessment, energy efficiency, green computing and environmental "
            "data."
        ),
    ),
    Interest(
        tag="Bioinformatics",
        label="Bioinformatics",
        description=(
            "Computing for the life sciences: DNA and protein sequence analysis, genomics and "
            "RNA-seq, protein structure prediction, reproducible analysis pipelines and biological "
            "statistics."
        ),
    ),
    Interest(
        tag="Game Development",
        label="Game Development",
        description=(
            "Making games: game design, game engines and gameplay programming, 3D graphics and "
            "shaders, procedural generation, game AI, playtesting and game jams."
        ),
    ),
    Interest(
        tag="Career Skills",
        label="Career Skills",
        description=(
            "Preparing for placements, internships and graduate jobs: CVs and cover letters, "
            "technical interviews, networking, presentation skills and professional development."
        ),
    ),
)


@dataclass(frozen=True)
class DemoResource:
    """A catalogue entry dated relative to the seeding day; `day_offset=None` means self-paced."""

    kind: ResourceKind
    title: str
    description: str
    tags: tuple[str, ...]
    day_offset: int | None
    start: time | None
    duration_minutes: int | None
    location: str
    slug: str
    capacity: int | None

    @property
    def url(self) -> str:
        return EVENT_URL_BASE + self.slug


DEMO_RESOURCES: tuple[DemoResource, ...] = (
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Fine-tuning a small language model on your own course notes",
        description=(
            "Take a compact open-weight language model and adapt it to answer questions about a "
            "set of lecture notes. You will prepare a training set, run parameter-efficient "
            "fine-tuning (LoRA) on the lab GPUs, and compare the result with retrieval-augmented "
            "prompting that needs no training at all. We finish by measuring how often each "
            "approach invents answers and discussing when fine-tuning is worth the effort. You "
            "should be comfortable writing Python and have used Jupyter notebooks before. Lab "
            "machines are provided; bring some of your own notes as plain text if you would like "
            "to use them."
        ),
        tags=("AI",),
        day_offset=12,
        start=time(14, 0),
        duration_minutes=180,
        location="Computer Science Building, Lab 1.05",
        slug="fine-tuning-small-language-models",
        capacity=30,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Neural networks from scratch with NumPy",
        description=(
            "Before reaching for a framework, build a small neural network yourself: forward pass, "
            "loss function, backpropagation and gradient descent, all in about a hundred lines of "
            "NumPy. You will train it to recognise handwritten digits and watch what happens when "
            "you change the learning rate, the number of hidden units and the weight "
            "initialisation. Expect some matrix calculus, explained on the whiteboard as we go. "
            "First-year linear algebra and basic Python are enough. Bring a laptop with Python 3 "
            "and NumPy installed, or use a lab machine."
        ),
        tags=("AI", "Data Science"),
        day_offset=5,
        start=time(10, 0),
        duration_minutes=150,
        location="Engineering Building, Room 2.14",
        slug="neural-networks-from-scratch",
        capacity=40,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Machine learning foundations (self-paced course)",
        description=(
            "An eight-module online course covering the core ideas of supervised and unsupervised "
            "learning: linear and logistic regression, decision trees and ensembles, clustering, "
            "model evaluation and the bias-variance trade-off. Each module pairs a short video "
            "lecture with a notebook exercise in scikit-learn and an automatically marked quiz. "
            "Most students finish in six to eight weeks at about three hours a week. You need "
            "basic Python and some comfort with school-level statistics. Passing every quiz earns "
            "a certificate of completion from the University's Digital Skills team."
        ),
        tags=("AI", "Data Science"),
        day_offset=None,
        start=None,
        duration_minutes=None,
        location=SELF_PACED,
        slug="machine-learning-foundations",
        capacity=None,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="AI ethics panel: who is accountable when the model gets it wrong?",
        description=(
            "Researchers from Computer Science, Law and Philosophy discuss real failures of "
            "automated decision systems, from biased recruitment screening to face recognition "
            "errors and chatbots that invent citations. The panel asks who should carry "
            "responsibility: the developers, the organisation deploying the system or the "
            "regulator. Audience questions make up the second half of the session. No technical "
            "background is needed, and students from every faculty are welcome. Light refreshments "
            "are served afterwards in the foyer."
        ),
        tags=("AI", "HCI"),
        day_offset=33,
        start=time(17, 30),
        duration_minutes=90,
        location="Science Centre, Lecture Theatre A",
        slug="ai-ethics-panel-accountability",
        capacity=200,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Beat the 80% rule: cleaning messy data with pandas",
        description=(
            "Data scientists often joke that 80% of the job is cleaning data; this workshop shows "
            "you how to make that part faster and more reliable. Working with a deliberately messy "
            "survey export, you will fix inconsistent dates, merge duplicate records, handle "
            "missing values honestly and reshape tables from wide to long. Each step is written as "
            "a reusable function, so the whole pipeline can be rerun when new data arrives. You "
            "should know basic Python and have opened a DataFrame before. Bring a laptop with "
            "Jupyter and pandas installed; setup instructions are emailed a week before."
        ),
        tags=("Data Science",),
        day_offset=8,
        start=time(13, 0),
        duration_minutes=180,
        location="Main Library, Seminar Room B",
        slug="beat-the-80-percent-rule",
        capacity=25,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Data visualisation that tells the truth",
        description=(
            "Learn to choose the right chart for your data and to spot the ones that mislead: "
            "truncated axes, dual y-axes, rainbow colour maps and 3D pie charts. You will redesign "
            "three published figures using matplotlib and seaborn, paying attention to "
            "colour-blind-safe palettes, clear labelling and honest uncertainty intervals. The "
            "session ends with a short peer critique of each other's redesigns. Some experience of "
            "plotting in Python helps but is not essential. Bring a laptop, and if you have a "
            "chart from your own coursework or dissertation, bring that too."
        ),
        tags=("Data Science", "HCI"),
        day_offset=26,
        start=time(14, 0),
        duration_minutes=120,
        location="Main Library, Seminar Room B",
        slug="honest-data-visualisation",
        capacity=25,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="SQL for analysts (self-paced course)",
        description=(
            "Work through twelve short lessons in a browser-based SQL environment, starting from "
            "SELECT and WHERE and building up to joins, grouping, window functions and common "
            "table expressions. Every lesson uses the same fictional dataset of students, modules "
            "and timetables, so the queries grow more realistic as you go. Exercises are checked "
            "automatically and you can repeat them as often as you like. No previous database "
            "experience is required. Allow around fifteen hours in total."
        ),
        tags=("Data Science", "Software Engineering"),
        day_offset=None,
        start=None,
        duration_minutes=None,
        location=SELF_PACED,
        slug="sql-for-analysts",
        capacity=None,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Open data datathon: getting around campus",
        description=(
            "Spend a day in teams of three to five analysing anonymised bus, cycle-hire and "
            "car-park data from the University and the surrounding city. Challenges include "
            "predicting peak demand, finding gaps in cycle routes and estimating the emissions "
            "saved by a new shuttle service. Mentors from the Data Science research group "
            "circulate throughout to help with tools and statistics. Each team presents a "
            "five-minute finding at 17:00, and the judges award prizes for insight and clarity. "
            "You can sign up alone and be placed in a team; lunch and snacks are provided."
        ),
        tags=("Data Science", "Sustainability"),
        day_offset=47,
        start=time(10, 0),
        duration_minutes=480,
        location="Innovation Hub",
        slug="open-data-datathon",
        capacity=120,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Robot vision with deep learning",
        description=(
            "Give a small mobile robot the ability to find and follow objects using a camera and a "
            "pretrained convolutional neural network. You will collect and label your own images, "
            "fine-tune an object detector and run it on the robot's onboard computer in real time. "
            "We also look at why models that work on a laptop fail under lab lighting, and how "
            "data augmentation helps. You need to be comfortable in Python; experience with "
            "PyTorch or ROS is useful but not required. Robots and laptops are provided, and "
            "places are limited to eight pairs."
        ),
        tags=("Robotics", "AI"),
        day_offset=19,
        start=time(10, 0),
        duration_minutes=240,
        location="Robotics Lab, Engineering Building, Room G.08",
        slug="robot-vision-deep-learning",
        capacity=16,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="ROS 2 essentials: nodes, topics and launch files",
        description=(
            "A full-day, hands-on training in ROS 2, the robotics middleware used in most of the "
            "University's robotics projects. You will write publisher and subscriber nodes in "
            "Python, define custom messages, use services and actions, and bring a simulated robot "
            "to life with launch files and RViz. The afternoon covers recording and replaying data "
            "with ros2 bag and the usual pitfalls with coordinate frames. Basic Linux command-line "
            "skills and Python are expected. Lab machines have everything installed, so you do not "
            "need to bring a laptop."
        ),
        tags=("Robotics", "Software Engineering"),
        day_offset=29,
        start=time(9, 30),
        duration_minutes=420,
        location="Engineering Building, Room 2.14",
        slug="ros2-essentials",
        capacity=24,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Robotics Lab induction: safety, soldering and batteries",
        description=(
            "This induction is compulsory before you can use the Robotics Lab outside supervised "
            "sessions. Technicians cover safe use of the soldering stations, bench power supplies "
            "and 3D printers, and how to charge, store and dispose of lithium-polymer batteries. "
            "You will solder a small sensor board under supervision to show you have the basics. "
            "Wear closed-toe shoes and tie back long hair; safety glasses are provided. Once you "
            "have completed the induction, your student card will open the lab during staffed "
            "hours."
        ),
        tags=("Robotics",),
        day_offset=1,
        start=time(14, 0),
        duration_minutes=120,
        location="Robotics Lab, Engineering Building, Room G.08",
        slug="robotics-lab-induction",
        capacity=12,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Robotics showcase: final-year project demonstrations",
        description=(
            "Final-year and master's students demonstrate the robots they have spent the year "
            "building, from warehouse pickers and underwater drones to assistive arms and swarms "
            "of tiny line followers. Walk round the stands, try the controls where the teams allow "
            "it and ask what went wrong along the way. It is a good way to find ideas for your own "
            "project and to meet potential supervisors. Drop in at any time during the afternoon; "
            "no booking is needed. Students and staff from other departments are very welcome."
        ),
        tags=("Robotics", "AI"),
        day_offset=88,
        start=time(13, 0),
        duration_minutes=240,
        location="Engineering Building, Atrium",
        slug="robotics-showcase",
        capacity=None,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Capture the flag for beginners",
        description=(
            "Never played a capture-the-flag competition? This evening workshop walks you through "
            "the main challenge categories (web exploitation, cryptography, forensics and reverse "
            "engineering) on a practice platform run by the University's Cyber Security Society. "
            "Each category starts with a guided example before you try two or three challenges "
            "with help from experienced players. Everything runs in isolated virtual machines, so "
            "nothing you do touches real systems. Bring a laptop; basic command-line familiarity "
            "is enough, and pizza is provided."
        ),
        tags=("Cybersecurity",),
        day_offset=15,
        start=time(18, 0),
        duration_minutes=150,
        location="Computer Science Building, Lab 1.05",
        slug="ctf-for-beginners",
        capacity=40,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Threat modelling your group project",
        description=(
            "Bring the design of your current group or dissertation project and leave with a "
            "threat model for it. Using data-flow diagrams and the STRIDE method, you will "
            "identify where attackers could spoof identities, tamper with data or escalate "
            "privileges, then rank the risks and choose proportionate mitigations. We work in "
            "small groups so that you can review each other's designs. Some experience of building "
            "a web or mobile application is useful. Bring a rough diagram of your system on paper "
            "or on a laptop."
        ),
        tags=("Cybersecurity", "Software Engineering"),
        day_offset=58,
        start=time(14, 0),
        duration_minutes=120,
        location="Engineering Building, Room 2.14",
        slug="threat-modelling-group-projects",
        capacity=30,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Secure coding essentials (self-paced course)",
        description=(
            "This online course explains the most common vulnerabilities in web applications, "
            "including injection, broken access control, cross-site scripting and insecure "
            "deserialisation, and shows how to prevent each one in code. Every module comes with a "
            "small vulnerable application to attack in a sandbox and then fix. Examples are in "
            "Python and JavaScript, but the principles apply to any language. You should be able "
            "to read code in at least one of those languages. Expect around ten hours of study; a "
            "certificate is issued on completion."
        ),
        tags=("Cybersecurity", "Software Engineering"),
        day_offset=None,
        start=None,
        duration_minutes=None,
        location=SELF_PACED,
        slug="secure-coding-essentials",
        capacity=None,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Talk: anatomy of a simulated ransomware attack",
        description=(
            "The University's security operations team replays a ransomware exercise they ran "
            "against a test network, step by step, from the first phishing email to encrypted file "
            "shares. You will see which log entries gave the attacker away, which defences slowed "
            "them down and what the team would do differently next time. The talk is followed by "
            "questions and a short introduction to careers in security operations. It suits anyone "
            "interested in cybersecurity, with or without a technical background. Please register, "
            "as the last talk in this series was full."
        ),
        tags=("Cybersecurity",),
        day_offset=67,
        start=time(17, 0),
        duration_minutes=75,
        location="Science Centre, Lecture Theatre A",
        slug="ransomware-attack-anatomy",
        capacity=150,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Python's __init__ and friends: a tour of dunder methods",
        description=(
            "Special methods such as __init__, __repr__, __eq__ and __iter__ are what make your "
            "own classes behave like built-in Python types. In this workshop you will build a "
            "small Vector class and a Playlist class step by step, adding comparison, arithmetic, "
            "iteration and context-manager support. We also cover dataclasses, which generate many "
            "of these methods for you, and when clever operator overloading makes code harder to "
            "read. You should have written a few Python classes before. Bring a laptop with Python "
            "3.11 or newer installed."
        ),
        tags=("Software Engineering",),
        day_offset=22,
        start=time(14, 0),
        duration_minutes=120,
        location="Computer Science Building, Lab 1.05",
        slug="python-dunder-methods",
        capacity=35,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Git beyond commit and push: branching, rebasing and code review",
        description=(
            "Most students learn just enough Git to submit coursework, then get stuck the first "
            "time a group project hits a merge conflict. This workshop covers feature branches, "
            "resolving conflicts calmly, interactive rebase for tidying history and recovering "
            "lost work with the reflog. You will then practise a pull-request workflow in pairs, "
            "reviewing each other's changes with useful comments. You need to know git add, commit "
            "and push already. Bring a laptop with Git installed and make sure you can sign in to "
            "the University's code hosting service."
        ),
        tags=("Software Engineering", "Career Skills"),
        day_offset=6,
        start=time(13, 0),
        duration_minutes=150,
        location="Engineering Building, Room 2.14",
        slug="git-beyond-commit-and-push",
        capacity=30,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Test-driven development in practice (self-paced course)",
        description=(
            "Learn to write the test first and let it drive your design, through six short modules "
            "built around a growing library-loans application. You will practise the "
            "red-green-refactor cycle with pytest, use fixtures and parametrised tests, replace "
            "slow dependencies with fakes, and measure test coverage without treating it as the "
            "goal. Each module ends with a short kata you can repeat until it feels natural. You "
            "should be comfortable writing functions and classes in Python. Plan for around eight "
            "hours in total."
        ),
        tags=("Software Engineering",),
        day_offset=None,
        start=None,
        duration_minutes=None,
        location=SELF_PACED,
        slug="tdd-in-practice",
        capacity=None,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Open source contribution sprint",
        description=(
            "Make your first contribution to an open source project in a friendly, supported "
            "setting. Maintainers of research software developed at the University will have "
            "picked beginner-friendly issues in advance, covering documentation, tests and small "
            "bug fixes. Mentors help you set up the development environment, follow the "
            "contribution guidelines and open your first pull request. Any programming experience "
            "is enough, and documentation improvements are just as welcome as code. Bring a laptop "
            "with Git installed; lunch is provided."
        ),
        tags=("Software Engineering", "Career Skills"),
        day_offset=41,
        start=time(10, 0),
        duration_minutes=360,
        location="Innovation Hub",
        slug="open-source-sprint",
        capacity=60,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Containers 101: packaging your project so it runs anywhere",
        description=(
            "Tired of hearing 'it works on my machine'? Learn to package an application and its "
            "dependencies into a container image that runs the same way on a classmate's laptop, a "
            "lab machine or a cloud server. You will write a Containerfile, use multi-stage builds "
            "to keep images small, pass configuration through environment variables and run a web "
            "app alongside its database with Compose. We also cover image security basics such as "
            "not running as root and pinning versions. Basic command-line skills are needed. Bring "
            "a laptop with Docker or Podman installed, or use a lab machine."
        ),
        tags=("Cloud Computing", "Software Engineering"),
        day_offset=10,
        start=time(14, 0),
        duration_minutes=150,
        location="Computer Science Building, Lab 1.05",
        slug="containers-101",
        capacity=30,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Deploy a web app to the University teaching cloud",
        description=(
            "Take a small web application from your laptop to a public address on the University's "
            "teaching cloud in one afternoon. You will create a virtual machine, configure a "
            "firewall, set up a reverse proxy with HTTPS and automate deployment with a simple CI "
            "pipeline, so that every push to the main branch goes live. We finish with monitoring, "
            "logs and how to keep costs under control on a commercial platform. You should have "
            "built a basic web app in any language. Each participant receives teaching-cloud "
            "credits that last until the end of term."
        ),
        tags=("Cloud Computing",),
        day_offset=34,
        start=time(13, 0),
        duration_minutes=180,
        location="Engineering Building, Room 2.14",
        slug="deploy-to-teaching-cloud",
        capacity=28,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Cloud fundamentals (self-paced course)",
        description=(
            "A vendor-neutral introduction to how cloud platforms work: virtualisation, regions "
            "and availability zones, compute, storage and networking services, and the shared "
            "responsibility model for security. Later modules cover infrastructure as code, "
            "serverless functions, autoscaling and how pricing models shape architecture choices. "
            "Each module includes a short quiz and a hands-on lab in the University's teaching "
            "cloud. No previous cloud experience is needed, though basic networking knowledge "
            "helps. Allow about twelve hours to complete the course."
        ),
        tags=("Cloud Computing",),
        day_offset=None,
        start=None,
        duration_minutes=None,
        location=SELF_PACED,
        slug="cloud-fundamentals",
        capacity=None,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Green cloud: the carbon cost of computing",
        description=(
            "How much energy does it really take to train a model, run a website or store a "
            "terabyte of photos? Researchers from the School of Computing and the Sustainability "
            "Institute present recent measurements of data-centre energy and water use. They then "
            "show practical ways to shrink the footprint of your own code, from choosing "
            "low-carbon regions to scheduling batch jobs for when the grid is greenest. The talk "
            "lasts an hour and is followed by questions. The joining link is sent to registered "
            "participants the day before."
        ),
        tags=("Cloud Computing", "Sustainability"),
        day_offset=52,
        start=time(17, 30),
        duration_minutes=90,
        location="Online (Teams)",
        slug="green-cloud-carbon-cost",
        capacity=300,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Paper prototyping in an afternoon",
        description=(
            "Before writing any code, test your interface ideas with paper, sticky notes and "
            "scissors. Working in teams, you will sketch a mobile app for booking study spaces, "
            "turn it into a paper prototype and run quick usability tests with another team acting "
            "as users. You will see how many design problems surface in the first five minutes of "
            "testing, long before any development time is spent. No design or drawing skills are "
            "required. All materials are provided; just bring your curiosity and a willingness to "
            "be wrong."
        ),
        tags=("HCI",),
        day_offset=4,
        start=time(14, 0),
        duration_minutes=180,
        location="Design Studio, Arts Building, Room 3.01",
        slug="paper-prototyping",
        capacity=24,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Accessibility testing with screen readers and keyboard navigation",
        description=(
            "Learn how disabled people actually use websites and apps, then audit a real interface "
            "against the WCAG 2.2 guidelines. You will navigate a sample site using only a "
            "keyboard and a screen reader, check colour contrast and focus order, and write clear "
            "bug reports with suggested fixes. The session is co-led by a member of the "
            "University's Disability and Inclusion team who uses assistive technology every day. "
            "Some familiarity with HTML helps but is not required. Screen readers are installed on "
            "the lab machines; please bring headphones."
        ),
        tags=("HCI", "Software Engineering"),
        day_offset=27,
        start=time(10, 0),
        duration_minutes=150,
        location="Computer Science Building, Lab 1.05",
        slug="accessibility-testing",
        capacity=24,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Running usability studies: from ethics approval to analysis",
        description=(
            "A one-day training for students planning user studies in a dissertation or research "
            "project. The morning covers writing a study protocol, applying for ethics approval, "
            "recruiting participants and running think-aloud sessions without leading the "
            "participant. In the afternoon you will analyse session recordings with affinity "
            "mapping and learn when to use standard questionnaires such as the System Usability "
            "Scale, and how to report them correctly. No previous research experience is assumed. "
            "Bring a draft of your research questions if you have one."
        ),
        tags=("HCI", "Data Science"),
        day_offset=44,
        start=time(9, 30),
        duration_minutes=360,
        location="Main Library, Seminar Room B",
        slug="running-usability-studies",
        capacity=20,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Design critique night: bring your interface",
        description=(
            "An informal evening where students show an app, website or game interface they are "
            "working on and get structured feedback from peers and design staff. Each presenter "
            "has five minutes to show their work and explain what they are unsure about, followed "
            "by ten minutes of critique in an 'I like, I wish, what if' format. It is a "
            "low-pressure way to practise giving and receiving feedback. Presenters should sign up "
            "in advance, and observers are welcome while space allows. Drinks and snacks are "
            "provided."
        ),
        tags=("HCI", "Game Development"),
        day_offset=60,
        start=time(18, 0),
        duration_minutes=120,
        location="Design Studio, Arts Building, Room 3.01",
        slug="design-critique-night",
        capacity=40,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="From idea to testable hypothesis with the Lean Canvas",
        description=(
            "Most student start-ups fail because they build something nobody needs. In this "
            "workshop you will map your idea onto a one-page Lean Canvas, identify the riskiest "
            "assumption behind it and design a cheap experiment to test it within two weeks. Case "
            "studies from earlier University start-ups show what good and bad customer interviews "
            "look like. You do not need a business background, or even a firm idea: teams can form "
            "on the day. Bring a laptop or a notebook."
        ),
        tags=("Entrepreneurship",),
        day_offset=9,
        start=time(14, 0),
        duration_minutes=150,
        location="Innovation Hub",
        slug="lean-canvas-workshop",
        capacity=30,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Start-up finance basics: budgets, runway and grants",
        description=(
            "A practical training on the numbers behind an early-stage venture. You will build a "
            "twelve-month budget in a spreadsheet, calculate your runway and break-even point, and "
            "learn the difference between grants, prize money, angel investment and equity "
            "crowdfunding. The Innovation Hub team explain the University's own seed-funding "
            "schemes and how to apply for them. No accounting knowledge is needed. Bring a laptop "
            "with any spreadsheet software installed."
        ),
        tags=("Entrepreneurship", "Career Skills"),
        day_offset=36,
        start=time(13, 0),
        duration_minutes=180,
        location="Innovation Hub",
        slug="startup-finance-basics",
        capacity=25,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Student start-up pitch night",
        description=(
            "Ten student teams pitch their ventures in three minutes each to a panel of alumni "
            "founders and investors, competing for a share of the University's seed-funding prize. "
            "Pitches range from campus apps and sustainable products to spin-outs from laboratory "
            "research. The audience votes for a People's Choice award, and networking continues "
            "afterwards over food. Teams must apply to pitch by the deadline on the event page. "
            "Everyone else is welcome to watch; registering helps us plan the catering."
        ),
        tags=("Entrepreneurship",),
        day_offset=70,
        start=time(18, 0),
        duration_minutes=150,
        location="Innovation Hub",
        slug="startup-pitch-night",
        capacity=150,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Research spin-outs: from lab bench to company",
        description=(
            "Three founders of companies spun out of University research, in medical imaging, crop "
            "genomics and soft robotics, talk candidly about turning a PhD or postdoctoral project "
            "into a business. Topics include protecting intellectual property, negotiating with "
            "the technology transfer office, finding the first customer and deciding whether to "
            "leave academia. The second half is an open question-and-answer session. It is "
            "especially relevant to postgraduate researchers but open to all students. "
            "Registration is required."
        ),
        tags=("Entrepreneurship", "Bioinformatics", "Robotics"),
        day_offset=73,
        start=time(16, 0),
        duration_minutes=90,
        location="Science Centre, Lecture Theatre A",
        slug="research-spin-outs",
        capacity=120,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Life-cycle assessment for engineers",
        description=(
            "Learn how to estimate the environmental impact of a product from raw materials to "
            "disposal. Using a reusable water bottle and a disposable cup as worked examples, you "
            "will define a functional unit, build a life-cycle inventory and compare carbon, water "
            "and energy impacts with an open-source assessment tool and published emission "
            "factors. We also discuss the limits of life-cycle assessment and how its results can "
            "be spun. The workshop suits students in engineering, product design or environmental "
            "science. Bring a laptop; the software runs in the browser."
        ),
        tags=("Sustainability",),
        day_offset=16,
        start=time(10, 0),
        duration_minutes=180,
        location="Engineering Building, Room 2.14",
        slug="life-cycle-assessment",
        capacity=30,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Measuring campus energy use with low-cost sensors",
        description=(
            "Build a small wireless sensor that logs temperature, humidity and electricity use, "
            "then install it in a campus building for a week. You will connect a microcontroller "
            "to a clamp-on current sensor and an environmental sensor, send readings to a shared "
            "dashboard and use the data to spot wasted energy, such as heating left on overnight "
            "in empty rooms. No electronics experience is needed, as all kits come pre-soldered. "
            "Basic programming in any language helps. Kits are provided and can be borrowed for "
            "the following week."
        ),
        tags=("Sustainability", "Data Science"),
        day_offset=31,
        start=time(13, 0),
        duration_minutes=180,
        location="Innovation Hub",
        slug="campus-energy-sensors",
        capacity=20,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Climate and carbon awareness training",
        description=(
            "A one-day training on climate science, the carbon footprint of everyday activities "
            "and what individuals and organisations can realistically do about it. Through "
            "discussion and group exercises, you will calculate your own footprint, explore the "
            "University's net-zero plan and develop two actions: one personal, and one for your "
            "course, society or placement employer. No scientific background is needed. Lunch is "
            "provided, so please tell us about any dietary requirements when you register."
        ),
        tags=("Sustainability", "Career Skills"),
        day_offset=49,
        start=time(9, 30),
        duration_minutes=420,
        location="Main Library, Seminar Room B",
        slug="climate-carbon-awareness",
        capacity=24,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Campus climate hackathon",
        description=(
            "A 24-hour hackathon to build tools that cut the University's emissions and waste. "
            "Challenge briefs from the estates and catering teams include a food-waste tracker for "
            "the canteens, a room-booking assistant that groups evening classes into fewer "
            "buildings, and a dashboard for live building energy data. Teams of up to five can "
            "include coders, designers and people who simply know the problem well. Mentors are on "
            "hand throughout, meals are provided and the Innovation Hub stays open overnight. "
            "Prizes are awarded for impact, feasibility and presentation."
        ),
        tags=("Sustainability", "Software Engineering", "Data Science"),
        day_offset=76,
        start=time(10, 0),
        duration_minutes=1440,
        location="Innovation Hub",
        slug="campus-climate-hackathon",
        capacity=100,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Sequence alignment hands-on: from dynamic programming to BLAST",
        description=(
            "Find out what actually happens when you align two DNA or protein sequences. You will "
            "work through the Needleman-Wunsch and Smith-Waterman algorithms on paper and in "
            "Python, explore how scoring matrices and gap penalties change the result, and then "
            "run BLAST searches against a local database to see how heuristics make searching "
            "whole genomes feasible. We finish by interpreting E-values and recognising spurious "
            "hits. Basic Python is needed, but no biology beyond school level is assumed. All "
            "software is installed on the suite computers."
        ),
        tags=("Bioinformatics",),
        day_offset=13,
        start=time(10, 0),
        duration_minutes=180,
        location="Life Sciences Building, Computer Suite 3.02",
        slug="sequence-alignment-hands-on",
        capacity=24,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Reproducible genomics pipelines with Snakemake",
        description=(
            "A full-day training for students whose projects involve sequencing data. Starting "
            "from a folder of shell scripts, you will turn an RNA-seq analysis (quality control, "
            "read alignment and counting) into a Snakemake workflow with explicit inputs and "
            "outputs, isolated software environments and automatic parallel execution on the "
            "University's computing cluster. You will also version the workflow with Git and "
            "generate a report that lets others reproduce your results. Comfort with the Linux "
            "command line is required. Please make sure your cluster account is active before the "
            "day."
        ),
        tags=("Bioinformatics", "Software Engineering"),
        day_offset=39,
        start=time(9, 30),
        duration_minutes=420,
        location="Life Sciences Building, Computer Suite 3.02",
        slug="reproducible-genomics-pipelines",
        capacity=20,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="R for biologists: from spreadsheet to statistics",
        description=(
            "An afternoon training for life-science students who currently analyse their results "
            "in spreadsheets. You will import plate-reader and qPCR data into R, tidy it with "
            "dplyr, make publication-quality figures with ggplot2, and run t-tests, ANOVA and "
            "linear models while interpreting p-values and effect sizes correctly. The emphasis is "
            "on writing scripts you can rerun whenever an experiment is repeated. No programming "
            "experience is needed. R and RStudio are installed on the suite computers."
        ),
        tags=("Bioinformatics", "Data Science"),
        day_offset=18,
        start=time(13, 0),
        duration_minutes=240,
        location="Life Sciences Building, Computer Suite 3.02",
        slug="r-for-biologists",
        capacity=24,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Seminar: protein structure prediction and what it changed",
        description=(
            "For decades, predicting a protein's 3D shape from its amino-acid sequence was one of "
            "biology's grand challenges. This departmental seminar explains how deep learning "
            "models trained on known structures now give accurate predictions for most proteins, "
            "what their confidence scores mean, and where the methods still struggle, such as "
            "disordered regions and large complexes. A researcher from the structural biology "
            "group shows how the predictions have changed drug-discovery work in their lab. The "
            "talk is aimed at undergraduates and assumes only school-level biology. Stay "
            "afterwards for tea and questions."
        ),
        tags=("Bioinformatics", "AI"),
        day_offset=55,
        start=time(16, 0),
        duration_minutes=60,
        location="Life Sciences Building, Lecture Theatre 1",
        slug="protein-structure-prediction-seminar",
        capacity=180,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Game jam warm-up: prototyping mechanics in Godot",
        description=(
            "Get ready for the 48-hour game jam by learning to prototype a playable mechanic in "
            "under an hour. Using the free, open-source Godot engine, you will build a small 2D "
            "platformer with a player controller, collisions, a following camera and simple "
            "enemies, then tune the jump until it feels good. We also share tips on scoping a jam "
            "game so that you actually finish it. Some programming experience helps, but GDScript "
            "is quick to pick up. Bring a laptop with Godot 4 installed."
        ),
        tags=("Game Development",),
        day_offset=20,
        start=time(14, 0),
        duration_minutes=180,
        location="Computer Science Building, Lab 1.05",
        slug="godot-prototyping-warm-up",
        capacity=30,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="Procedural level generation: caves, dungeons and wave function collapse",
        description=(
            "Learn the algorithms behind endless dungeons and infinite worlds. You will generate "
            "cave maps with cellular automata, terrain with layered noise and dungeon layouts with "
            "binary space partitioning, then use wave function collapse to assemble tiles that fit "
            "together. We discuss how to keep generated levels fun and fair by adding constraints "
            "and playtesting the results. Comfort with arrays and loops in any language is enough; "
            "the examples are in Python. Bring a laptop with Python and pygame installed."
        ),
        tags=("Game Development", "AI"),
        day_offset=86,
        start=time(14, 0),
        duration_minutes=150,
        location="Computer Science Building, Lab 1.05",
        slug="procedural-level-generation",
        capacity=30,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Shader programming fundamentals",
        description=(
            "A one-day training on programming the GPU for real-time graphics. You will learn how "
            "the rendering pipeline works, then write vertex and fragment shaders for lighting, "
            "toon shading, scrolling water and dissolve effects. Later exercises cover passing "
            "data from a game engine to a shader and profiling performance on lower-end hardware. "
            "You should be confident with vectors and basic trigonometry and have programmed in at "
            "least one C-style language. Lab machines with dedicated graphics cards are provided."
        ),
        tags=("Game Development",),
        day_offset=64,
        start=time(10, 0),
        duration_minutes=360,
        location="Computer Science Building, Games Lab 2.20",
        slug="shader-programming-fundamentals",
        capacity=20,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="48-hour game jam",
        description=(
            "Make a game from scratch in 48 hours around a theme revealed at the opening session. "
            "Work alone or in teams of up to four, with any engine or tools you like; board games "
            "and interactive fiction count too. Artists, writers, musicians and testers are just "
            "as welcome as programmers, and a team-forming session at the start helps anyone who "
            "arrives alone. Games are played and voted on at the closing showcase. Food is "
            "provided throughout, and the Hub has quiet rooms if you need a rest."
        ),
        tags=("Game Development", "HCI"),
        day_offset=23,
        start=time(18, 0),
        duration_minutes=2880,
        location="Innovation Hub",
        slug="weekend-game-jam",
        capacity=80,
    ),
    DemoResource(
        kind=ResourceKind.WORKSHOP,
        title="CV and cover letter clinic for technical roles",
        description=(
            "Recruiters for software, data and engineering roles often spend less than a minute on "
            "a first read of a CV. In this clinic you will learn how to describe projects with "
            "measurable outcomes, present technical skills honestly, and tailor a one-page CV and "
            "cover letter to a specific job advert. Careers consultants then give individual "
            "feedback while you revise your draft in the session. It suits placement, internship "
            "and graduate applications alike. Bring your current CV on a laptop and a job advert "
            "that interests you."
        ),
        tags=("Career Skills",),
        day_offset=2,
        start=time(13, 0),
        duration_minutes=120,
        location="Careers Centre, Room 1.10",
        slug="cv-clinic-technical-roles",
        capacity=20,
    ),
    DemoResource(
        kind=ResourceKind.TRAINING,
        title="Technical interview preparation (self-paced course)",
        description=(
            "Prepare for coding interviews and online assessments at your own pace. The course "
            "covers common data structures and algorithms, talking through your reasoning aloud, "
            "estimating time and space complexity, and approaching system design questions for "
            "graduate roles. Each module includes timed practice problems with worked solutions "
            "and recorded mock interviews with commentary from the Careers Centre. You should be "
            "comfortable programming in at least one language. Most students spend two to four "
            "weeks on it alongside their studies."
        ),
        tags=("Career Skills", "Software Engineering"),
        day_offset=None,
        start=None,
        duration_minutes=None,
        location=SELF_PACED,
        slug="technical-interview-preparation",
        capacity=None,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Technology and engineering careers fair",
        description=(
            "Meet more than sixty employers offering placements, internships and graduate jobs in "
            "software, data, engineering, cybersecurity and research, from large firms and "
            "public-sector bodies to local start-ups. The Careers Centre runs a CV-check desk and "
            "a quiet room for anyone who wants to prepare before approaching a stand. A floor plan "
            "and exhibitor list are published on the event page a week before. Wear whatever you "
            "feel comfortable in and bring a few printed copies of your CV. The fair is open to "
            "all students and recent graduates, with no booking needed."
        ),
        tags=("Career Skills",),
        day_offset=40,
        start=time(11, 0),
        duration_minutes=300,
        location="Great Hall",
        slug="tech-careers-fair",
        capacity=None,
    ),
    DemoResource(
        kind=ResourceKind.EVENT,
        title="Alumni panel: first jobs in data and AI",
        description=(
            "Four recent graduates, now working as a data analyst, a machine learning engineer, a "
            "research software engineer and a product manager, describe their first two years "
            "after university. They talk about how they got their jobs, what the work involves day "
            "to day, which modules turned out to be useful and what they wish they had learned "
            "earlier. There is plenty of time for your questions, which can be posted anonymously "
            "in the chat. The panel is open to students in any year and any subject. Registered "
            "participants receive the joining link by email."
        ),
        tags=("Career Skills", "Data Science", "AI"),
        day_offset=81,
        start=time(18, 0),
        duration_minutes=90,
        location="Online (Teams)",
        slug="alumni-panel-data-ai",
        capacity=250,
    ),
)


def demo_drafts(today: date) -> list[ResourceDraft]:
    """Every demo resource as a draft, with dated items scheduled relative to `today`."""
    return [_draft(item, today) for item in DEMO_RESOURCES]


def _draft(item: DemoResource, today: date) -> ResourceDraft:
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    if item.day_offset is not None and item.start is not None:
        starts_at = datetime.combine(today + timedelta(days=item.day_offset), item.start)
        if item.duration_minutes is not None:
            ends_at = starts_at + timedelta(minutes=item.duration_minutes)
    return ResourceDraft(
        kind=item.kind,
        title=item.title,
        description=item.description,
        interest_tags=item.tags,
        starts_at=starts_at,
        ends_at=ends_at,
        location=item.location,
        url=item.url,
        capacity=item.capacity,
    )
