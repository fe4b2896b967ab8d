"""About two hundred varied talent profiles for `seed_demo` (deterministic, idempotent)."""

import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from apps.accounts.demo import FIRST_NAMES, LAST_NAMES, demo_password_hash
from apps.accounts.models import User
from apps.profiles import services
from apps.profiles.models import Profile

EXTRA_PEOPLE = 135  # on top of the accounts seeder's people: about 200 profiles in all

REGION_WEIGHTS = {
    "MD": 20, "CT": 16, "AN": 12, "VC": 10, "PV": 8, "GA": 7, "CL": 4, "AR": 4, "AS": 3,
    "MC": 3, "NC": 3, "CN": 3, "IB": 2, "CB": 2, "EX": 2, "CM": 2, "RI": 1, "CE": 1, "ML": 1,
    "XX": 6,
}
CITIES = {
    "MD": ["Madrid", "Alcalá de Henares", "Getafe"], "CT": ["Barcelona", "Girona", "Tarragona", "Lleida"],
    "AN": ["Sevilla", "Granada", "Málaga", "Córdoba"], "VC": ["València", "Alacant", "Castelló"],
    "PV": ["Bilbao", "Donostia", "Vitoria-Gasteiz"], "GA": ["Santiago de Compostela", "A Coruña", "Vigo"],
    "CL": ["Valladolid", "Salamanca", "León"], "AR": ["Zaragoza", "Huesca"], "AS": ["Oviedo", "Gijón"],
    "MC": ["Murcia", "Cartagena"], "NC": ["Pamplona"], "CN": ["Las Palmas", "La Laguna"],
    "IB": ["Palma"], "CB": ["Santander"], "EX": ["Badajoz", "Cáceres"], "CM": ["Toledo", "Ciudad Real"],
    "RI": ["Logroño"], "CE": ["Ceuta"], "ML": ["Melilla"],
}
ABROAD = [("Portugal", "Lisboa"), ("France", "Paris"), ("Germany", "Berlin"), ("Mexico", "Ciudad de México"),
          ("Argentina", "Buenos Aires"), ("United Kingdom", "London"), ("Switzerland", "Zürich")]
CO_OFFICIAL = {"CT": "ca", "IB": "ca", "VC": "ca", "PV": "eu", "NC": "eu", "GA": "gl"}
ORGANISATIONS = {
    "university": ["Universidad Politécnica de Madrid", "Universitat de Barcelona", "UPV/EHU",
                   "Universidade de Santiago de Compostela", "Universidad de Granada",
                   "Universitat Politècnica de València", "Universidad de Zaragoza"],
    "research": ["Barcelona Supercomputing Center", "IIIA-CSIC", "Vicomtech", "CiTIUS",
                 "ELLIS Unit Alicante", "CENID"],
    "company": ["Lince Robotics", "Datos del Sur", "Txingudi AI", "Faro Analytics", "Meseta Labs",
                "Mar Menor Data", "Voz Clara", "Pixel Ibérico"],
    "public": ["Ayuntamiento de Zaragoza", "Xunta de Galicia", "Secretaría de Estado de Digitalización",
               "Junta de Andalucía"],
    "nonprofit": ["Fundación Datos Abiertos", "Asociación IA Responsable", "Python España"],
    "independent": [""],
}
# The demo is a Spanish community: its people write about themselves in Spanish.
FOCUS = {
    "nlp": ("Ingeniera/o de PLN", "Modelos de lenguaje para el español y las lenguas cooficiales"),
    "speech": ("Investigador/a en voz", "Reconocimiento de voz que entiende todos los acentos"),
    "computer-vision": ("Ingeniera/o de visión artificial", "Modelos de visión para el campo y la industria"),
    "llm-training": ("Investigador/a en LLM", "Entrenar y ajustar modelos de lenguaje abiertos"),
    "evaluation": ("Responsable de evaluación", "Bancos de pruebas que miden lo que importa"),
    "mlops": ("Ingeniera/o de MLOps", "Llevar modelos del cuaderno a producción"),
    "data-engineering": ("Ingeniera/o de datos", "Flujos de datos y conjuntos de datos abiertos"),
    "ai-policy-ethics": ("Investigador/a en políticas de IA", "IA de interés público y el Reglamento de IA"),
    "hpc": ("Ingeniera/o de HPC", "Sacar partido a las GPU de los supercomputadores"),
    "health-ai": ("Investigador/a en IA clínica", "Aprendizaje automático para hospitales"),
    "robotics": ("Ingeniera/o de robótica", "Robots que aprenden de demostraciones"),
    "information-retrieval": ("Ingeniera/o de búsqueda", "Generación aumentada por recuperación en español"),
    "teaching-outreach": ("Docente", "Enseñar aprendizaje automático a todo el mundo"),
}
SEED_SUFFIX = "@demo.comunidad-ia.es"
DEMO_ORCID = "0000-0002-1825-0097"  # Josiah Carberry, ORCID's fictional test record


def _profile_data(rng, user, skill_slugs):
    region = rng.choices(list(REGION_WEIGHTS), weights=REGION_WEIGHTS.values())[0]
    country, city = ("", rng.choice(CITIES[region])) if region != "XX" else rng.choice(ABROAD)
    kind = rng.choices(list(ORGANISATIONS), weights=[26, 14, 34, 8, 6, 12])[0]
    focus = rng.choice(list(FOCUS))
    title, theme = FOCUS[focus]
    organisation = rng.choice(ORGANISATIONS[kind])
    skills = {focus: rng.choice([2, 3, 3])}
    for slug in rng.sample(skill_slugs, rng.randint(1, 4)):
        skills.setdefault(slug, rng.randint(1, 3))
    languages = {"es": "native" if region != "XX" or country in ("Mexico", "Argentina") else "professional"}
    if region in CO_OFFICIAL:
        languages[CO_OFFICIAL[region]] = rng.choice(["native", "native", "professional"])
    languages["en"] = rng.choice(["professional", "professional", "intermediate", "native"])
    if rng.random() < 0.25:
        languages[rng.choice(["fr", "de", "pt", "it", "zh", "ar"])] = rng.choice(["basic", "intermediate"])
    handle = user.username
    data = {
        "display_name": user.get_full_name() or user.username,
        "headline": f"{title}{' en ' + organisation if organisation else ''}",
        "bio": (
            f"{theme}.\n\nTrabajo en **{focus.replace('-', ' ')}**"
            f"{' en ' + organisation if organisation else ' por mi cuenta'}. "
            f"Encantada/o de hablar de modelos abiertos, datos y comunidad."
        ),
        "region": region, "country": country, "city": city,
        "affiliation_name": organisation, "affiliation_kind": kind,
        # Made-up Hub, GitHub or ORCID accounts could belong to real strangers: the demo
        # links only to example.org (and ORCID's own fictional test researcher).
        "hf_username": "", "github_username": "",
        "orcid": DEMO_ORCID if kind == "research" and rng.random() < 0.2 else "",
        "website": f"https://{handle}.example.org" if rng.random() < 0.3 else "",
        "open_to_jobs": rng.random() < 0.35, "open_to_collaboration": rng.random() < 0.6,
        "open_to_mentoring": rng.random() < 0.3, "looking_for_team": rng.random() < 0.25,
        "contactable": rng.random() < 0.45,
        "visibility": rng.choices(["public", "members", "hidden"], weights=[70, 22, 8])[0],
    }
    return data, [{"skill": s, "level": lvl} for s, lvl in skills.items()], [
        {"code": c, "level": lvl} for c, lvl in languages.items()
    ]


def _demo_member(username, first_name, last_name, password_hash) -> User:
    """Like the accounts seeder's members, with the password hashed once for all of them
    (hashing 135 passwords one by one would add a minute to `make run`)."""
    email = f"{username}{SEED_SUFFIX}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": email, "password": password_hash},
    )
    if created:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def seed(log, people):
    from apps.profiles.models import Skill

    rng = random.Random(2026)
    skill_slugs = list(Skill.objects.filter(is_active=True).values_list("slug", flat=True))
    everyone = [user for group in people.values() for user in group]
    password_hash = demo_password_hash()
    for i in range(EXTRA_PEOPLE):
        first = FIRST_NAMES[(i * 11 + 3) % len(FIRST_NAMES)]
        last = LAST_NAMES[(i * 5 + 1) % len(LAST_NAMES)]
        username = f"talent{i + 1:03d}"
        everyone.append(_demo_member(username, first, last, password_hash))
    filled = set(Profile.objects.exclude(headline="").values_list("user_id", flat=True))
    created = 0
    for user in everyone:
        data, skills, languages = _profile_data(rng, user, skill_slugs)  # same draws every run
        if user.pk in filled:
            continue
        profile = services.profile_ensure(user=user)
        data["visibility"] = "public" if user.username == "member001" else data["visibility"]
        services.profile_update(actor=user, profile=profile, data=data, skills=skills, languages=languages)
        created += 1
    _joined_over_months(rng, everyone)
    log(f"profiles: {Profile.objects.count()} talent profiles ({created} new)")


def _joined_over_months(rng, users) -> None:
    """A community that grew over a year and a half, not one that signed up this morning."""
    now = timezone.now()
    for user in users:
        user.date_joined = now - timedelta(days=rng.randint(3, 540), minutes=rng.randint(0, 24 * 60))
    User.objects.bulk_update(users, ["date_joined"], batch_size=500)
