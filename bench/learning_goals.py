"""Learning goals as students type them into "What do you want to learn?", with the edX subject a
course must carry to count as relevant. Used as queries by bench/eval_recommendations.py.

Written for this project on 2026-12-02, before any score with them was seen, and not changed
after: short, informal, sometimes without accents or with a typo, the way a first-year writes.
The Spanish goals say the same as the English goal with the same number, so the two languages can
be compared goal for goal. The goals marked HELD_OUT are looked at only once, at the end, after
every choice was made on the others.

Goals 25 to 32 were added on 2026-12-05, before any score with them was seen, as a second
held-out set (LATER_HELD_OUT): by then the first one had been scored after several stops'
choices, so it no longer tells how a choice does on goals it was not made on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    number: int
    language: str  # "en" or "es"
    subject: str
    text: str

    @property
    def held_out(self) -> bool:
        return self.number in HELD_OUT

    @property
    def later_held_out(self) -> bool:
        return self.number in LATER_HELD_OUT


# Goal numbers whose English and Spanish versions are kept for the end.
HELD_OUT = frozenset({3, 8, 13, 18, 22, 24})
LATER_HELD_OUT = frozenset(range(25, 33))

GOALS = (
    Goal(1, "en", "Computer Science", "i want to learn how to code in python from scratch"),
    Goal(2, "en", "Data Analysis & Statistics",
         "get better at statistics and analysing data for my thesis"),
    Goal(3, "en", "Business & Management", "how to start my own business and manage a team"),
    Goal(4, "en", "Economics & Finance", "understand how the stock market and investing work"),
    Goal(5, "en", "Biology & Life Sciences", "learn about genetics and how DNA works"),
    Goal(6, "en", "Language", "improve my english for job interviews and speaking"),
    Goal(7, "en", "Math", "calculus and linear algebra, i failed it last semester"),
    Goal(8, "en", "Medicine", "how diseases are diagnosed and treated, im pre-med"),
    Goal(9, "en", "Communication", "get over my fear of public speaking and give good talks"),
    Goal(10, "en", "Engineering", "build things, mechanical engineering and materials"),
    Goal(11, "en", "History", "world war 2 and how empires rose and fell"),
    Goal(12, "en", "Physics", "quantum physics and how the universe works"),
    Goal(13, "en", "Education & Teacher Training", "become a better teacher for my online classes"),
    Goal(14, "en", "Environmental Studies", "climate change and what we can do about pollution"),
    Goal(15, "en", "Social Sciences", "psychology and why people behave the way they do"),
    Goal(16, "en", "Humanities", "read philosophy and the big ideas of western culture"),
    Goal(17, "en", "Computer Science", "make websites and mobile apps"),
    Goal(18, "en", "Data Analysis & Statistics", "machine learning and data science with R"),
    Goal(19, "en", "Business & Management", "marketing, branding and selling products online"),
    Goal(20, "en", "Economics & Finance", "personal finance, budgeting and how banks make money"),
    Goal(21, "en", "Health & Safety", "mental health and staying healthy while studying"),
    Goal(22, "en", "Law", "human rights law and how courts work"),
    Goal(23, "en", "Art & Culture", "art history and visiting museums, renaissance painting"),
    Goal(24, "en", "Energy & Earth Sciences", "renewable energy like solar and wind power"),
    Goal(1, "es", "Computer Science", "quiero aprender a programar en python desde cero"),
    Goal(2, "es", "Data Analysis & Statistics",
         "mejorar en estadistica y analisis de datos para mi tesis"),
    Goal(3, "es", "Business & Management", "como empezar mi propio negocio y dirigir un equipo"),
    Goal(4, "es", "Economics & Finance", "entender como funcionan la bolsa y las inversiones"),
    Goal(5, "es", "Biology & Life Sciences", "aprender genetica y como funciona el ADN"),
    Goal(7, "es", "Math", "calculo y algebra lineal, lo suspendi el semestre pasado"),
    Goal(8, "es", "Medicine", "como se diagnostican y tratan las enfermedades, voy a estudiar "
         "medicina"),
    Goal(9, "es", "Communication", "perder el miedo a hablar en publico y dar buenas charlas"),
    Goal(13, "es", "Education & Teacher Training",
         "ser mejor profesor en mis clases en linea"),
    Goal(15, "es", "Social Sciences", "psicologia y por que la gente se comporta como lo hace"),
    Goal(18, "es", "Data Analysis & Statistics", "aprendizaje automatico y ciencia de datos con R"),
    Goal(19, "es", "Business & Management",
         "marketing, marca y vender productos por internet"),
    Goal(22, "es", "Law", "derechos humanos y como funcionan los tribunales"),
    Goal(24, "es", "Energy & Earth Sciences", "energias renovables como la solar y la eolica"),
    Goal(25, "en", "Computer Science",
         "cybersecurity, how hackers break into systems and how to stop them"),
    Goal(26, "en", "Business & Management", "project management and finishing projects on time"),
    Goal(27, "en", "Data Analysis & Statistics",
         "learn excel and make charts and dashboards for reports"),
    Goal(28, "en", "Engineering", "electrical circuits and how to design them"),
    Goal(29, "en", "Economics & Finance",
         "why countries have inflation and unemployment, macroeconomics"),
    Goal(30, "en", "Communication", "writing better emails and reports at work"),
    Goal(31, "en", "Biology & Life Sciences", "how the brain and neurons work"),
    Goal(32, "en", "Medicine", "anatomy of the human body for nursing"),
    Goal(25, "es", "Computer Science",
         "ciberseguridad, como los hackers entran en los sistemas y como evitarlo"),
    Goal(26, "es", "Business & Management",
         "gestion de proyectos y como terminar los proyectos a tiempo"),
    Goal(27, "es", "Data Analysis & Statistics",
         "aprender excel y hacer graficos y paneles para informes"),
    Goal(28, "es", "Engineering", "circuitos electricos y como disenarlos"),
    Goal(29, "es", "Economics & Finance",
         "por que los paises tienen inflacion y desempleo, macroeconomia"),
    Goal(30, "es", "Communication", "escribir mejores correos e informes en el trabajo"),
    Goal(31, "es", "Biology & Life Sciences", "como funcionan el cerebro y las neuronas"),
    Goal(32, "es", "Medicine", "anatomia del cuerpo humano para enfermeria"),
)


def goals_by_set(held_out: bool, later: bool = False) -> dict[str, list[Goal]]:
    """The goals per set: "goals en", "goals es", their held-out sets if `held_out`, and the
    later held-out sets if `later`."""
    sets: dict[str, list[Goal]] = {}
    for language in ("en", "es"):
        mine = [g for g in GOALS if g.language == language]
        sets[f"goals {language}"] = [g for g in mine if not (g.held_out or g.later_held_out)]
        if held_out:
            sets[f"goals {language}, held out"] = [g for g in mine if g.held_out]
        if later:
            sets[f"goals {language}, held out later"] = [g for g in mine if g.later_held_out]
    return sets


def goal_sets(held_out: bool, later: bool = False) -> dict[str, list[tuple[str, str]]]:
    """(text, subject) per set, as goals_by_set."""
    return {label: [(g.text, g.subject) for g in goals]
            for label, goals in goals_by_set(held_out, later).items()}
