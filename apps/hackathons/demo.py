"""Demo hackathons: one finished with results, one running, one open for registration.

Everything goes through the services, as organisers and participants would do it; only
the clock is moved (schedules shifted with `update`) so that a past event can be walked
through every phase in one run.
"""

from datetime import timedelta

from django.utils import timezone

from apps.hackathons.models import Hackathon
from apps.hackathons.services import judging, registrations, submissions, teams
from apps.hackathons.services.lifecycle import hackathon_create, hackathon_transition

DESCRIPTION = """Un fin de semana para construir con **modelos abiertos** en nuestras lenguas.

- Mentoras y mentores de la comunidad durante todo el evento.
- Cómputo público disponible para los equipos inscritos.
- Todo lo que se presente debe publicarse con licencia abierta en el Hugging Face Hub.
"""
RULES = """1. Equipos de 2 a 4 personas.
2. El código y los modelos se publican con licencia abierta.
3. Se respeta el código de conducta de la comunidad."""
PRIZES = """- **1.º**: 3.000 € y 500 horas de GPU.
- **2.º**: 1.500 € y 250 horas de GPU.
- **Mención especial** al mejor trabajo en lenguas cooficiales."""


def _schedule(start):
    return {
        "registration_opens_at": start - timedelta(days=20),
        "registration_closes_at": start - timedelta(days=1),
        "hacking_starts_at": start,
        "hacking_ends_at": start + timedelta(hours=48),
        "judging_ends_at": start + timedelta(days=7),
        "results_at": start + timedelta(days=8),
    }


def _create(organiser, title, summary, tracks, **extra):
    existing = Hackathon.objects.filter(title=title).first()
    if existing:
        return existing, False
    future = _schedule(timezone.now() + timedelta(days=30))
    hackathon = hackathon_create(
        actor=organiser, title=title, summary=summary, description=DESCRIPTION, rules=RULES, prizes=PRIZES,
        tracks=tracks, languages="es, ca, eu, gl", min_team_size=2, max_team_size=4, **{**future, **extra},
    )
    hackathon_transition(actor=organiser, hackathon=hackathon, action="publish")
    return hackathon, True


def _shift(hackathon, start):
    Hackathon.objects.filter(pk=hackathon.pk).update(**_schedule(start))
    hackathon.refresh_from_db()


def _go_live(hackathon):
    """Registration open and hacking under way, so people can register, team up and submit."""
    now = timezone.now()
    Hackathon.objects.filter(pk=hackathon.pk).update(
        registration_opens_at=now - timedelta(days=10), registration_closes_at=now + timedelta(hours=4),
        hacking_starts_at=now - timedelta(hours=20), hacking_ends_at=now + timedelta(hours=28),
        judging_ends_at=now + timedelta(days=5), results_at=now + timedelta(days=6),
    )
    hackathon.refresh_from_db()


def _register_and_team(hackathon, members, team_names, looking_for_team):
    people = iter(members)
    formed = []
    for name in team_names:
        crew = [next(people) for _ in range(3)]
        for person in crew:
            registrations.registration_create(
                user=person, hackathon=hackathon, agreed=True, motivation="Quiero aprender y construir con la comunidad.",
            )
        team = teams.team_create(user=crew[0], hackathon=hackathon, name=name)
        for person in crew[1:]:
            teams.team_join(user=person, team=team)
        formed.append((team, crew))
    skills = ["Python y PLN; busco gente de datos", "Diseño de interfaces, Gradio", "Evaluación de modelos, catalán", "MLOps; me falta equipo"]
    for i in range(looking_for_team):
        registrations.registration_create(
            user=next(people), hackathon=hackathon, agreed=True, looking_for=skills[i % len(skills)]
        )
    return formed


def _submit(hackathon, formed):
    track = hackathon.tracks.first()
    projects = [
        ("Traductor aranés", "Modelo de traducción occitano aranés–castellano.", "model", "aran-nlp/traductor-aranes"),
        ("Detector de bulos", "Clasificador de desinformación en noticias.", "model", "bulos-lab/detector-bulos"),
        ("Corpus de lectura fácil", "Corpus paralelo de textos en lectura fácil.", "dataset", "lectura-facil/corpus-lf"),
        ("Asistente rural", "Asistente de voz para trámites en zonas rurales.", "space", "rural-ia/asistente"),
    ]
    made = []
    for (team, crew), (title, text, kind, repo) in zip(formed, projects, strict=False):
        made.append(
            submissions.submission_save(
                user=crew[0], team=team, track=track, title=title, description=text,
                source_url=f"https://github.com/{repo}", repositories=[(kind, repo)],
            )
        )
    return made


def seed(log, people):
    organiser, co_organiser = people["organisers"][:2]
    judges_people = [people["reviewers"][0], co_organiser]
    members = people["members"]

    # 1. Finished, with results.
    past, created = _create(
        organiser, "Hackathon de PLN en lenguas de España 2026",
        "48 horas para construir modelos y datos abiertos en castellano, catalán, euskera y gallego.",
        ["Modelos de lenguaje", "Datos abiertos"], capacity=60,
    )
    if created:
        _go_live(past)
        hackathon_transition(actor=organiser, hackathon=past, action="open_registration")
        formed = _register_and_team(past, members[0:14], ["Las Meigas", "Txingudi AI", "Mediterrània", "Meseta Labs"], 2)
        hackathon_transition(actor=organiser, hackathon=past, action="start_hacking")
        made = _submit(past, formed)
        impact = judging.criterion_add(actor=organiser, hackathon=past, name="Impacto", weight=3, max_score=10, description="¿Resuelve un problema real?")
        craft = judging.criterion_add(actor=organiser, hackathon=past, name="Calidad técnica", weight=2, max_score=10)
        openness = judging.criterion_add(actor=organiser, hackathon=past, name="Apertura", weight=1, max_score=5)
        for person in judges_people:
            judging.judge_add(actor=organiser, hackathon=past, handle=person.username)
        _shift(past, timezone.now() - timedelta(days=40))
        hackathon_transition(actor=organiser, hackathon=past, action="start_judging")
        marks = [[(9, 8, 5), (8, 9, 4)], [(7, 8, 5), (8, 6, 5)], [(8, 7, 3), (6, 7, 4)], [(6, 6, 4), (7, 5, 5)]]
        for submission, rows in zip(made, marks, strict=True):
            for person, (a, b, c) in zip(judges_people, rows, strict=True):
                judging.scorecard_submit(
                    user=person, submission=submission,
                    scores={impact.id: (a, "Muy buen enfoque."), craft.id: (b, ""), openness.id: (c, "")},
                )
        hackathon_transition(actor=organiser, hackathon=past, action="publish_results")
        Hackathon.objects.filter(pk=past.pk).update(results_published_at=past.results_at)

    # 2. Running now.
    running, created = _create(
        organiser, "Reto de IA para la administración pública",
        "Asistentes, buscadores y datos abiertos para que los trámites sean más fáciles.",
        ["Asistentes", "Datos públicos"], format=Hackathon.Format.HYBRID, venue="Bilbao, Bizkaia Aretoa",
    )
    if created:
        _go_live(running)
        hackathon_transition(actor=organiser, hackathon=running, action="open_registration")
        formed = _register_and_team(running, members[14:26], ["Ondarea", "Trámite Fácil", "Datos al Poder"], 3)
        hackathon_transition(actor=organiser, hackathon=running, action="start_hacking")
        _submit(running, formed[:2])
        # Registration was open while the teams formed; like the schedule says, it closed
        # before hacking started.
        Hackathon.objects.filter(pk=running.pk).update(
            registration_closes_at=running.hacking_starts_at - timedelta(hours=2))
        judging.criterion_add(actor=organiser, hackathon=running, name="Utilidad", weight=2, max_score=10)
        judging.criterion_add(actor=organiser, hackathon=running, name="Accesibilidad", weight=1, max_score=5)
        judging.judge_add(actor=organiser, hackathon=running, handle=judges_people[0].username)

    # 3. Open for registration.
    upcoming, created = _create(
        co_organiser, "Hackathon de visión por computador para el campo",
        "Modelos abiertos de visión para agricultura, incendios y biodiversidad.",
        ["Agricultura", "Incendios forestales", "Biodiversidad"], capacity=40, timezone="Atlantic/Canary",
    )
    if created:
        _shift(upcoming, timezone.now() + timedelta(days=21))
        Hackathon.objects.filter(pk=upcoming.pk).update(registration_opens_at=timezone.now() + timedelta(minutes=1))
        upcoming.refresh_from_db()
        hackathon_transition(actor=co_organiser, hackathon=upcoming, action="open_registration")
        for person in members[26:34]:
            registrations.registration_create(user=person, hackathon=upcoming, agreed=True, looking_for="Visión, PyTorch")
        judging.criterion_add(actor=co_organiser, hackathon=upcoming, name="Impacto", weight=2, max_score=10)
    log(f"hackathons: {Hackathon.objects.count()} hackathons (finished, running, open for registration)")
