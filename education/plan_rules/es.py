"""Spanish contradiction rules: the English rules (education.plan_rules.en), one for one and
by the same names, for the Spanish sentences.

Patterns are regular expressions, matched without regard to case. Keep each one to words that
say the opposite of the choice (an instruction), not words that merely name the topic:
"agárrese para no perder el equilibrio" in an exercise is not "use muletas para mantener el
equilibrio".
"""

from education.plan_blocks import Site
from education.plan_rules.book import Part, Rule, RuleBook

BODY = r"(el pie|la pierna|el tobillo|el talón|la rodilla|la espinilla)"
ARM = r"(el brazo|la mano|el codo|la muñeca|el hombro)"
SOME_WEIGHT = r"(una )?parte de su peso"
CANNOT_BEAR_WEIGHT = r"(ya )?no (puede|pueda|consigue) apoyar (nada de |ningún )?peso"
STAND_ON_IT = (
    rf"\b(póngase|apóyese|apoye|párese) (solo )?(sobre |en )?{BODY} (lesionad[oa]|que (le )?duele)"
)
CRUTCHES_FOR_BALANCE = r"muletas[^.]{0,60}equilibrio"
ARM_NORMALLY = rf"(úselo|úsela|use {ARM}) (con normalidad|normalmente|como siempre)"
ARM_NOT_AT_ALL = rf"\bno (lo|la) use\b|\bno use {ARM}(?! para)"
ARM_LIGHT_ONLY = r"nada más pesado que una taza|solo tareas ligeras"
ARM_IN_SLING = rf"(lleve|mantenga|deje|descanse) {ARM} en (el|un|su) cabestrillo"
AS_PAIN_ALLOWS = r"según lo permita el dolor|tanto como el dolor (le|se lo) (deje|permita)"
BRACE = r"(órtesis|tobillera|rodillera|codera|muñequera)"


def _use(aid: str) -> str:
    """Told to use an aid the patient was not given: "su / la" bota, not "una" bota."""
    return rf"\b(use|lleve|póngase|camine con) (su|la|el) {aid}\b"


def _not_needed(aid: str) -> str:
    return rf"no (necesita|hace falta) (usar )?(un |una |la |el |su )?{aid}\b"


RULES = (
    # Activity and rest.
    Rule(
        "keeping active, yet told to stay in bed",
        {"activity": ("active", "relative")},
        r"\b(quédese|permanezca|descanse) en (la )?cama\b|\bguarde reposo en cama\b"
        r"|\b(haga|necesita|guarde) reposo (absoluto|total)\b",
    ),
    Rule(
        "staying active, yet told to stop all activity",
        {"activity": "active"},
        r"\bevite (todo|toda|cualquier) (tipo de )?(actividad|ejercicio|movimiento)\b"
        r"|\bno (lo|la) mueva\b",
    ),
    Rule(
        "rest from sport, yet told to carry on",
        {"activity": "rest"},
        r"\bsiga (haciendo|jugando|con) (el |su )?deportes?\b|\bno (necesita|hace falta) "
        r"(hacer )?reposo\b",
    ),
    Rule(
        "no rest, yet a rest period",
        {"rest": "none"},
        r"deje en reposo [\w ]+ durante \d+ semanas?|descanse durante \d+ semanas?"
        r"|reposo: no haga deporte",
    ),
    Rule(
        "rest chosen, yet told none is needed",
        {"rest": "set"},
        r"no necesita un tiempo fijo de reposo",
    ),
    # Weight on a leg.
    Rule(
        "full weight, yet told to keep weight off",
        {"leg_load": "full"},
        r"nada de peso|" + SOME_WEIGHT + "|" + AS_PAIN_ALLOWS + r"|no apoye",
    ),
    Rule(
        "no weight, yet told weight is fine",
        {"leg_load": "none"},
        r"todo su peso|"
        + "|".join([AS_PAIN_ALLOWS, SOME_WEIGHT, CRUTCHES_FOR_BALANCE])
        + "|"
        + "|".join([CANNOT_BEAR_WEIGHT, STAND_ON_IT]),
    ),
    Rule(
        "some weight, yet told all or none",
        {"leg_load": "partial"},
        r"todo su peso|nada de peso|" + AS_PAIN_ALLOWS + "|" + CRUTCHES_FOR_BALANCE,
    ),
    Rule(
        "weight as pain allows, yet told otherwise",
        {"leg_load": "as_tolerated"},
        r"todo su peso|nada de peso|" + SOME_WEIGHT + "|" + CRUTCHES_FOR_BALANCE,
    ),
    # Use of an arm.
    Rule(
        "arm at rest, yet told to use it",
        {"arm_load": "none"},
        "|".join(
            [
                ARM_NORMALLY,
                AS_PAIN_ALLOWS,
                ARM_LIGHT_ONLY,
                r"(?<!no )(?<!no lo )(?<!no la )\bpuede (levantar|cargar)\b",
            ]
        ),
    ),
    Rule(
        "light use of the arm, yet told otherwise",
        {"arm_load": "light"},
        "|".join([ARM_NORMALLY, AS_PAIN_ALLOWS, ARM_NOT_AT_ALL, ARM_IN_SLING])
        + r"|\bpuede (levantar|cargar) (cosas |peso )?pesad",
    ),
    Rule(
        "arm as pain allows, yet told otherwise",
        {"arm_load": "as_tolerated"},
        "|".join([ARM_NORMALLY, ARM_NOT_AT_ALL, ARM_LIGHT_ONLY, ARM_IN_SLING]),
    ),
    Rule(
        "normal use of the arm, yet told to rest it",
        {"arm_load": "full"},
        "|".join([ARM_NOT_AT_ALL, ARM_LIGHT_ONLY, ARM_IN_SLING, AS_PAIN_ALLOWS])
        + rf"|\b(deje en reposo|descanse) {ARM}",
    ),
    # Aids.
    Rule(
        "no crutches, yet told to use them",
        {"aid_absent": "crutches"},
        r"use (sus )?muletas|muletas siempre",
    ),
    Rule(
        "crutches, yet told not to need them",
        {"aid_present": "crutches"},
        r"no necesita muletas|sin muletas",
    ),
    Rule(
        "no walking boot, yet told to use it",
        {"aid_absent": "walking_boot"},
        _use(r"bota( ortopédica)?"),
    ),
    Rule(
        "walking boot, yet told not to need it",
        {"aid_present": "walking_boot"},
        _not_needed(r"bota( ortopédica)?"),
    ),
    Rule("no brace, yet told to use it", {"aid_absent": "brace"}, _use(BRACE)),
    Rule("brace, yet told not to need it", {"aid_present": "brace"}, _not_needed(BRACE)),
    Rule("no splint, yet told to use it", {"aid_absent": "splint"}, _use("férula")),
    Rule("splint, yet told not to need it", {"aid_present": "splint"}, _not_needed("férula")),
    Rule(
        "no sling, yet told to use it",
        {"aid_absent": "sling"},
        _use("cabestrillo") + "|" + ARM_IN_SLING,
    ),
    Rule("sling, yet told not to need it", {"aid_present": "sling"}, _not_needed("cabestrillo")),
    # Self-care.
    Rule(
        "cold chosen, yet told to avoid it",
        {"self_care_present": "cold"},
        r"\bno (use|ponga|se ponga) (hielo|frío)\b|\bevite (el )?(hielo|frío)\b"
        r"|\bnada de (hielo|frío)\b",
    ),
    Rule(
        "heat chosen, yet told to avoid it",
        {"self_care_present": "heat"},
        r"\bno (use|ponga|se ponga) calor\b|\bevite (el )?calor\b|\bnada de calor\b",
    ),
    Rule(
        "raising chosen, yet told not to",
        {"self_care_present": "raise"},
        rf"\bno (lo |la )?(eleve|levante) {BODY}|\bmantenga {BODY} (hacia )?abajo\b",
    ),
    # Physiotherapy.
    Rule(
        "no physiotherapy, yet sessions",
        {"physiotherapy": False},
        r"las sesiones empiezan el|sus sesiones de fisioterapia",
    ),
    Rule(
        "physiotherapy, yet told none is needed",
        {"physiotherapy": True},
        r"no (necesita|hace falta) (hacer )?(fisioterapia|fisio)\b",
    ),
    # Back to work, school and sport.
    Rule(
        "back when the care team says, yet a set time",
        {"back_to": "step"},
        r"\b(vuelva|volver|puede volver) (al|a la) "
        r"(trabajo|escuela|colegio|deportes?|entrenamiento) (después de|en|dentro de|tras) "
        r"(\d+|unos|unas|dos|tres|cuatro|seis) "
        r"(días?|semanas?|meses|mes)\b",
    ),
    Rule(
        "back on a date, yet told to wait for the care team",
        {"back_to": "date"},
        r"\b(vuelva|volver|puede volver) (al|a la) (trabajo|escuela|colegio|deportes?)[^.]{0,30}"
        r"\bcuando (su equipo de salud|su fisioterapeuta|su médico) (se )?(lo )?(diga|indique)",
    ),
    # Follow-up.
    Rule(
        "no follow-up, yet a follow-up date",
        {"follow_up": False},
        r"su cita de control es",
    ),
    Rule(
        "a follow-up, yet told none is booked",
        {"follow_up": True},
        r"no tiene una cita de control",
    ),
)

NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        [
            "cero",
            "una",
            "dos",
            "tres",
            "cuatro",
            "cinco",
            "seis",
            "siete",
            "ocho",
            "nueve",
            "diez",
            "once",
            "doce",
        ]
    )
} | {"un": 1, "uno": 1}

# The plan box's rows, as en.PLAN_ROWS.
PLAN_ROWS = (
    "Reposo",
    "Actividad",
    "Peso sobre la pierna",
    "Uso del brazo",
    "Muletas",
    "Bota ortopédica",
    "Férula articulada",
    "Férula",
    "Cabestrillo",
    "Cuidados en casa",
    "Fisioterapia",
    "Vuelta a sus actividades",
    "Cita de control",
)

BOOK = RuleBook(
    language="es",
    rules=RULES,
    parts={
        "plan": Part(tuple(f"Su plan {first}" for first in PLAN_ROWS), ("Cuándo pedir ayuda",)),
        "rest": Part(("Reposo", "Actividad"), PLAN_ROWS[2:], within="plan"),
    },
    site_words={
        Site.FOOT: r"pies?",
        Site.HEEL: r"talón|talones",
        Site.ANKLE: r"tobillos?",
        Site.ACHILLES_TENDON: r"aquiles|tendón|tendones",
        Site.SHIN: r"espinillas?",
        Site.KNEE: r"rodillas?",
        Site.THIGH: r"muslos?",
        Site.HIP: r"caderas?",
        Site.LOWER_BACK: r"parte baja de la espalda|zona lumbar",
        Site.NECK: r"cuellos?",
        Site.SHOULDER: r"hombros?",
        Site.ELBOW: r"codos?",
        Site.FOREARM: r"antebrazos?",
        Site.WRIST: r"muñecas?",
        Site.HAND: r"manos?",
    },
    other_body_parts=r"huesos?|piernas?|brazos?|extremidad|extremidades|dedos?",
    not_the_injured_part=r"peso sobre la pierna|uso del brazo|de pie|con ese brazo",
    weeks=r"\b(\d+|" + "|".join(NUMBER_WORDS) + r") semanas?\b",
    number_words=NUMBER_WORDS,
)
