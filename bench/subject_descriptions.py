"""One-sentence descriptions of the 31 edX subject labels, used as queries in the evaluation.

Written for this project in the style of the app's interest descriptions (what a student or an
advisor would say the field covers), once, before any score was seen, and not changed after.
They are not taken from the course texts.
"""

SUBJECT_DESCRIPTIONS = {
    "Architecture": "Architecture and urban planning: designing buildings, cities and public "
    "spaces, architectural history and theory, building technology, sustainable design and "
    "housing.",
    "Art & Culture": "Art and culture: art history, painting, sculpture, photography and film, "
    "museums and cultural heritage, world cultures, and how the arts reflect and shape society.",
    "Biology & Life Sciences": "Biology and life sciences: cells, genetics and DNA, molecular "
    "biology, evolution, ecology, neuroscience, microbiology, plants and animals, and "
    "biotechnology.",
    "Business & Management": "Business and management: leadership, strategy, marketing, "
    "entrepreneurship and start-ups, project management, supply chains, accounting, negotiation "
    "and running organisations.",
    "Chemistry": "Chemistry: atoms and molecules, chemical bonds and reactions, organic and "
    "inorganic chemistry, thermodynamics, laboratory techniques and materials.",
    "Communication": "Communication: writing and editing, public speaking and presentations, "
    "journalism and media, marketing communication, storytelling, and professional and "
    "intercultural communication.",
    "Computer Science": "Computer science: programming in Python, Java and C, algorithms and "
    "data structures, software development, web and mobile apps, databases, cybersecurity, "
    "cloud computing and artificial intelligence.",
    "Data Analysis & Statistics": "Data analysis and statistics: probability, statistical "
    "inference, regression, data science with Python and R, machine learning, big data, data "
    "visualisation and analytics for decisions.",
    "Design": "Design: graphic and visual design, user experience and interface design, product "
    "and industrial design, design thinking, typography and creative problem solving.",
    "Economics & Finance": "Economics and finance: microeconomics and macroeconomics, markets, "
    "money and banking, financial markets and investing, corporate finance, accounting and "
    "economic policy.",
    "Education & Teacher Training": "Education and teacher training: how people learn, teaching "
    "methods, curriculum and lesson design, classroom practice, online and blended learning, and "
    "supporting students.",
    "Electronics": "Electronics: electrical circuits, analogue and digital electronics, "
    "semiconductors, signals and systems, microcontrollers and embedded systems, and circuit "
    "design.",
    "Energy & Earth Sciences": "Energy and earth sciences: renewable and fossil energy, "
    "electricity systems, geology, oceans and atmosphere, climate science, natural resources and "
    "the physical processes of the Earth.",
    "Engineering": "Engineering: mechanical, civil, electrical and chemical engineering, "
    "materials, structures, manufacturing, robotics, control systems, and designing and building "
    "technical systems.",
    "Environmental Studies": "Environmental studies: sustainability, climate change, ecosystems "
    "and biodiversity, pollution, conservation, environmental policy and how people affect the "
    "natural world.",
    "Ethics": "Ethics: moral philosophy, right and wrong, values, justice, ethical dilemmas, and "
    "responsible decisions in business, science, medicine and technology.",
    "Food & Nutrition": "Food and nutrition: healthy eating, diets, nutrients and vitamins, food "
    "science, cooking, food safety, obesity and global food systems.",
    "Health & Safety": "Health and safety: public health, preventing disease and injury, "
    "workplace and patient safety, first aid, mental health and wellbeing, and healthy living.",
    "History": "History: ancient, medieval and modern history, world wars, empires and "
    "revolutions, political and social history, and how past events shaped today's world.",
    "Humanities": "Humanities: philosophy, religion, literature, languages, history, classics "
    "and the arts, studying human culture, ideas and society through texts.",
    "Language": "Languages: learning to speak, read and write a foreign language such as "
    "English, Spanish, Chinese or French, with grammar, vocabulary, pronunciation and language "
    "exams.",
    "Law": "Law: legal systems, constitutional and international law, human rights, contracts, "
    "criminal justice, courts, intellectual property and how laws are made and applied.",
    "Literature": "Literature: reading and analysing novels, poetry, drama and short stories, "
    "literary history, great authors such as Shakespeare, and creative writing.",
    "Math": "Mathematics: algebra, calculus, geometry, linear algebra, probability, differential "
    "equations, discrete mathematics, and mathematical reasoning and proof.",
    "Medicine": "Medicine: human anatomy and physiology, diseases, diagnosis and treatment, "
    "pharmacology, clinical practice, global health and medical research.",
    "Music": "Music: music theory, playing instruments and singing, composition and songwriting, "
    "music production, and music history and genres from classical to jazz and pop.",
    "Philanthropy": "Philanthropy: charitable giving, foundations and nonprofit organisations, "
    "fundraising, volunteering, social impact, and using money and time for the common good.",
    "Philosophy & Ethics": "Philosophy and ethics: logic and critical thinking, knowledge, mind "
    "and reality, moral philosophy, political philosophy and the great philosophers.",
    "Physics": "Physics: mechanics, motion and forces, energy, electricity and magnetism, waves "
    "and light, quantum physics, relativity, astrophysics and the laws of the universe.",
    "Science": "Science: the scientific method, general natural sciences, astronomy and space, "
    "scientific research and experiments, and science in everyday life.",
    "Social Sciences": "Social sciences: sociology, psychology, political science, "
    "anthropology, international relations, public policy, and the study of human behaviour and "
    "society.",
}
