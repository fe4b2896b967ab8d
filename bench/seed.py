"""Seed a national-scale data set for the load benchmark, through bulk paths.

At --scale 1: 100,000 members with talent profiles, 2,000 hackathons with teams and
submissions, 50,000 Hub repositories with 90 days of snapshots, 5,000 compute requests.
Rows are the ones the services write (same fields, same search document, same
constraints); they are inserted with bulk_create in batches and, for the 4.5 million
snapshots, one set-based INSERT … SELECT in PostgreSQL, so seeding takes minutes. One
profile's search document is recomputed by the service afterwards and compared, so the
bulk path cannot drift from it silently. Hackathons and compute calls go through the
services themselves.
"""

import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

BATCH = 5000
REGIONS = ["MD", "CT", "PV", "GA", "AN", "VC", "AR", "CL", "CM", "IB"]
LANGUAGES = ["es", "ca", "eu", "gl", "en"]
WORDS = ["datos", "visión", "lenguaje", "voz", "salud", "clima", "legal", "agro", "energía", "educación"]
TASKS = ["text-generation", "fill-mask", "translation", "automatic-speech-recognition", "text-classification"]
LICENCES = ["apache-2.0", "mit", "cc-by-4.0", "llama3", "other"]
PASSWORD = "comunidad-bench-2026"
VOLUMES = {"profiles": 100_000, "hackathons": 2_000, "repositories": 50_000, "compute_requests": 5_000}
SNAPSHOT_DAYS = 90
# Members and their profiles are always seeded; a search-only run at --scale 10 leaves the rest out.
PARTS = ("hub", "snapshots", "hackathons", "compute")


def volumes(scale: float) -> dict:
    return {name: max(10, int(count * scale)) for name, count in VOLUMES.items()}


def seed(scale: float, log=print, parts=PARTS) -> dict:
    counts = volumes(scale)
    started = time.perf_counter()
    users = _users(counts["profiles"], log)
    _profiles(users, log)
    if "hub" in parts:
        _hub(counts["repositories"], users, log, snapshots="snapshots" in parts)
    if "hackathons" in parts:
        _hackathons(counts["hackathons"], users, log)
    if "compute" in parts:
        _compute(counts["compute_requests"], users, log)
    log(f"seeded in {time.perf_counter() - started:.0f} s: {counts}")
    return counts


def _batched(rows, model, **options):
    created = []
    for i in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[i : i + BATCH], **options)
    return created


def _users(count: int, log) -> list:
    from allauth.account.models import EmailAddress

    from apps.accounts.models import User

    password = make_password(PASSWORD)  # one hash, the same every account's log-in checks
    now = timezone.now()
    users = _batched(
        [
            User(username=f"bench{i:06d}", email=f"bench{i:06d}@bench.comunidad-ia.es", password=password,
                 first_name=f"Persona{i}", language="es" if i % 3 else "en", date_joined=now)
            for i in range(count)
        ],
        User,
    )
    _batched([EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], EmailAddress)
    log(f"  {len(users)} members")
    return users


def _profiles(users: list, log) -> None:
    from apps.profiles.models import Profile, ProfileLanguage, ProfileSkill, Skill
    from apps.profiles.selectors import fold_accents
    from apps.profiles.services import _search_vector_refresh
    skills = list(Skill.objects.all())  # the model's ordering, which the service's document follows
    kinds = [k for k, _ in Profile._meta.get_field("affiliation_kind").choices]
    visibilities = ["public", "public", "public", "members", "hidden"]
    profiles = []
    for i, user in enumerate(users):
        word = WORDS[i % len(WORDS)]
        profiles.append(Profile(
            user=user, handle=user.username, display_name=f"Persona {i} {word.title()}",
            headline=f"Investigadora en {word} y modelos abiertos", bio=f"Trabajo con {word} en {REGIONS[i % 10]}.",
            region=REGIONS[i % len(REGIONS)], country="España", city=f"Ciudad {i % 300}",
            affiliation_name=f"Organización {i % 2000}", affiliation_kind=kinds[i % len(kinds)],
            hf_username=f"hf-bench{i:06d}" if i % 4 == 0 else "", looking_for_team=i % 5 == 0,
            open_to_jobs=i % 2 == 0, open_to_collaboration=i % 3 == 0, visibility=visibilities[i % 5],
        ))
    profiles = _batched(profiles, Profile)
    skill_rows, language_rows = [], []
    for i, profile in enumerate(profiles):
        for k in range(2 + i % 3):
            skill_rows.append(ProfileSkill(profile=profile, skill=skills[(i + 7 * k) % len(skills)], level=1 + (i + k) % 3))
        language_rows.append(ProfileLanguage(profile=profile, code=LANGUAGES[i % 4], level="native"))
        language_rows.append(ProfileLanguage(profile=profile, code="en", level="professional"))
    _batched(skill_rows, ProfileSkill)
    _batched(language_rows, ProfileLanguage)

    # The service's weighted document (_search_vector_refresh), built in batches of UPDATE … FROM VALUES.
    rank = {s.pk: (position, f"{s.name} {s.name_es}") for position, s in enumerate(skills)}
    skills_of = {}
    for row in sorted(skill_rows, key=lambda row: rank[row.skill_id][0]):
        skills_of.setdefault(row.profile_id, []).append(rank[row.skill_id][1])
    with connection.cursor() as cursor:
        for i in range(0, len(profiles), BATCH):
            rows = [
                (p.pk, fold_accents(f"{p.display_name} {p.handle}"), fold_accents(" ".join(skills_of[p.pk])),
                 fold_accents(p.headline), fold_accents(f"{p.affiliation_name} {p.city}"), fold_accents(p.bio))
                for p in profiles[i : i + BATCH]
            ]
            values = ",".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
            cursor.execute(
                "UPDATE profiles_profile p SET search_vector ="
                " setweight(to_tsvector('simple', v.a), 'A') || setweight(to_tsvector('simple', v.s), 'A')"
                " || setweight(to_tsvector('simple', v.b), 'B') || setweight(to_tsvector('simple', v.c), 'C')"
                " || setweight(to_tsvector('simple', v.d), 'D')"
                f" FROM (VALUES {values}) AS v(id, a, s, b, c, d) WHERE p.id = v.id",
                [value for row in rows for value in row],
            )
    sample = profiles[len(profiles) // 2]
    bulk_vector = Profile.objects.values_list("search_vector", flat=True).get(pk=sample.pk)
    _search_vector_refresh(sample)
    service_vector = Profile.objects.values_list("search_vector", flat=True).get(pk=sample.pk)
    assert bulk_vector == service_vector, (bulk_vector, service_vector)
    from apps.profiles.services import talent_pool_rebuild

    talent_pool_rebuild()  # listings, facet keys and the pool's counts, as the services keep them
    log(f"  {len(profiles)} profiles, {len(skill_rows)} skills, {len(language_rows)} languages")


def _hub(count: int, users: list, log, *, snapshots: bool = True) -> None:
    from apps.hub.models import HubOwner, HubRepository, HubRepositoryLanguage

    now = timezone.now()
    owner_count = max(1, count // 100)
    owners = _batched(
        [HubOwner(name=f"bench-org-{i:04d}", kind=HubOwner.Kind.ORGANISATION, display_name=f"Grupo {i}",
                  sync_status=HubOwner.SyncStatus.OK, synced_at=now, repository_count=100)
         for i in range(owner_count)],
        HubOwner,
    )
    for i, owner in enumerate(owners[: len(users) // 4]):
        owner.members.add(users[i * 4])
    repositories = _batched(
        [
            HubRepository(
                owner=owners[i % owner_count], kind=HubRepository.Kind.MODEL if i % 5 else HubRepository.Kind.DATASET,
                repo_id=f"{owners[i % owner_count].name}/modelo-{WORDS[i % 10]}-{i:06d}", downloads=(i * 37) % 50_000,
                downloads_all_time=(i * 37) % 50_000 * 12, likes=i % 300, downloads_growth=(i % 200) - 50,
                languages=[LANGUAGES[i % 4], "en"], task=TASKS[i % len(TASKS)], library="transformers",
                licence=LICENCES[i % len(LICENCES)], tags=["spanish", WORDS[i % 10]],
                hub_created_at=now - timedelta(days=400 - i % 365), hub_modified_at=now - timedelta(days=i % 90),
            )
            for i in range(count)
        ],
        HubRepository,
    )
    _batched(
        [HubRepositoryLanguage(repository=r, code=code) for r in repositories for code in r.languages],
        HubRepositoryLanguage,
    )
    days = SNAPSHOT_DAYS if snapshots else 0
    # One row per repository and day, as the daily sync writes them: set-based in PostgreSQL.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO hub_hubsnapshot (repository_id, day, downloads, downloads_all_time, likes)"
            " SELECT r.id, CURRENT_DATE - d, greatest(r.downloads - d * (r.id %% 7), 0),"
            "        greatest(r.downloads_all_time - d * 30, 0), greatest(r.likes - d / 10, 0)"
            " FROM hub_hubrepository r CROSS JOIN generate_series(0, %s) AS d",
            [days - 1],
        )
    log(f"  {owner_count} Hub owners, {len(repositories)} repositories, {len(repositories) * days} snapshots")


def _hackathons(count: int, users: list, log) -> None:
    from apps.accounts.models import User
    from apps.hackathons.models import Hackathon, Registration, Submission, SubmissionRepository, Team, TeamMembership
    from apps.hackathons.services.lifecycle import hackathon_create
    from django.contrib.auth.models import Group

    from apps.accounts.roles import ORGANISERS

    organiser = User.objects.create_user(username="bench-organiser", email="organiser@bench.comunidad-ia.es",
                                         password=PASSWORD)
    organiser.groups.add(Group.objects.get_or_create(name=ORGANISERS)[0])
    now = timezone.now()
    states = [Hackathon.State.REGISTRATION_OPEN, Hackathon.State.IN_PROGRESS, Hackathon.State.JUDGING,
              Hackathon.State.FINISHED]
    hackathons = []
    for i in range(count):
        base = now + timedelta(days=(i % 120) - 90)
        with transaction.atomic():
            hackathon = hackathon_create(
                actor=organiser, title=f"Hackatón {WORDS[i % 10]} {i}", summary="Construye con modelos abiertos.",
                tracks=["Open track", "Lenguas cooficiales"], registration_opens_at=base,
                registration_closes_at=base + timedelta(days=5), hacking_starts_at=base + timedelta(days=6),
                hacking_ends_at=base + timedelta(days=8), judging_ends_at=base + timedelta(days=10),
                results_at=base + timedelta(days=11),
            )
        hackathons.append(hackathon)
    for state_index, state in enumerate(states):
        Hackathon.objects.filter(pk__in=[h.pk for h in hackathons[state_index :: len(states)]]).update(state=state)

    teams_per_hackathon, members_per_team = 10, 3
    registrations, teams = [], []
    cursor_user = 0
    for hackathon in hackathons:
        for t in range(teams_per_hackathon):
            members = [users[(cursor_user + k) % len(users)] for k in range(members_per_team)]
            cursor_user += members_per_team
            teams.append((Team(hackathon=hackathon, name=f"Equipo {t}", created_by=members[0]), members))
            registrations += [Registration(hackathon=hackathon, user=u, status=Registration.Status.CONFIRMED,
                                           agreed_at=now, looking_for="Python, NLP") for u in members]
    _batched(registrations, Registration, ignore_conflicts=True)
    created = _batched([team for team, _ in teams], Team)
    _batched([TeamMembership(team=team, hackathon_id=team.hackathon_id, user=u)
              for team, (_, members) in zip(created, teams, strict=True) for u in members],
             TeamMembership, ignore_conflicts=True)
    tracks = {h.pk: h.tracks.all()[0] for h in Hackathon.objects.prefetch_related("tracks").filter(pk__in=[h.pk for h in hackathons])}
    submissions = _batched(
        [Submission(hackathon_id=team.hackathon_id, team=team, track=tracks[team.hackathon_id],
                    title=f"Proyecto {team.name}", description="Un modelo abierto para **todos**.",
                    submitted_by=team.created_by)
         for team in created],
        Submission,
    )
    _batched([SubmissionRepository(submission=s, kind="model", repo_id=f"bench-team/{s.pk}") for s in submissions],
             SubmissionRepository)
    log(f"  {len(hackathons)} hackathons, {len(created)} teams, {len(registrations)} registrations, "
        f"{len(submissions)} submissions")


def _compute(count: int, users: list, log) -> None:
    from apps.compute.models import AllocationRequest, Grant, Resource, Transition
    from apps.compute.services import requests

    staff = users[1]
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    resource = Resource.objects.create(name="MareNostrum 5 ACC", slug="bench-mn5", provider="BSC",
                                       kind=Resource.Kind.values[0], unit=Resource.Unit.values[0])
    now = timezone.now()
    calls = [
        requests.call_create(
            resource=resource, title=f"Convocatoria {i}", slug=f"bench-call-{i}", budget=Decimal("10000000"),
            per_request_max=Decimal("5000"), opens_at=now - timedelta(days=30 + i), closes_at=now + timedelta(days=30),
            review_deadline=now + timedelta(days=45), criteria=[("Scientific merit", 3), ("Feasibility", 2)],
            managers=[staff], reviewers=[users[2], users[3]],
        )
        for i in range(20)
    ]
    statuses = [AllocationRequest.Status.SUBMITTED, AllocationRequest.Status.UNDER_REVIEW,
                AllocationRequest.Status.APPROVED, AllocationRequest.Status.ACTIVE, AllocationRequest.Status.REJECTED]
    allocation_requests = _batched(
        [
            AllocationRequest(
                call=calls[i % len(calls)], applicant=users[10 + i % (len(users) - 10)],
                applicant_affiliation=f"Universidad {i % 50}", title=f"Modelo abierto de {WORDS[i % 10]} {i}",
                abstract="Entrenar un modelo abierto.", justification="8×H100 durante 2 semanas.",
                requested_units=Decimal(100 + i % 400), desired_start=now.date(), duration_days=90,
                status=statuses[i % len(statuses)], submitted_at=now - timedelta(days=i % 30),
                decided_at=now if statuses[i % len(statuses)] in statuses[2:] else None,
            )
            for i in range(count)
        ],
        AllocationRequest,
    )
    _batched([Transition(request=r, actor=r.applicant, from_status="draft", to_status="submitted")
              for r in allocation_requests], Transition)
    funded = [r for r in allocation_requests if r.status in (statuses[2], statuses[3])]
    _batched([Grant(request=r, call_id=r.call_id, units=r.requested_units, start_date=now.date(),
                    end_date=now.date() + timedelta(days=90), decided_by=staff) for r in funded], Grant)
    log(f"  {len(calls)} compute calls, {len(allocation_requests)} requests, {len(funded)} grants")
