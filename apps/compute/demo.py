"""Demo data: one public GPU partition with a closed call (decisions and usage) and an open call."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.compute.models import (
    AllocationRequest,
    Call,
    ClusterUsername,
    Grant,
    GrantSync,
    Resource,
    Transition,
)
from apps.compute.services import decisions, requests, review, usage
from apps.compute.services.requests import request_url
from apps.compute.slurm import grant_account, limit_minutes
from apps.notifications.models import Notification

CLOSED_SLUG = "mn5-acc-2026-1"
OPEN_SLUG = "mn5-acc-2026-2"

PROJECTS = [
    # title, affiliation, requested, granted (None = rejected), outputs, used per month
    # Usage is about half the grant after three of six months, as a real project burns it.
    ("Salamandra-Legal: LLM del dominio jurídico en español", "Universidad de Granada", 4000, 3500,
     [("model", "ugr-nlp/salamandra-legal-7b", "apache-2.0")], [520, 610, 680]),
    ("Whisper-GL: reconocimiento de voz en gallego", "Universidade de Vigo", 2500, 2500,
     [("model", "uvigo/whisper-gl-large", "apache-2.0"), ("dataset", "uvigo/galician-speech-200h", "cc-by-4.0")],
     [380, 450, 410]),
    ("Banco de pruebas de traducción automática euskera-catalán", "HiTZ Center (UPV/EHU)", 1500, 1200,
     [("dataset", "HiTZ/eu-ca-mt-bench", "cc-by-sa-4.0")], [170, 220, 190]),
    ("Modelos de lenguaje de proteínas para descubrir antibióticos", "CNIO", 6000, None,
     [("model", "cnio/protlm-amp", "mit")], []),
]
CRITERIA = [("Mérito científico", 3), ("Viabilidad", 2), ("Apertura y resultados públicos previstos", 2)]
# Each reviewer's own leaning, so two reviews of one request never tie to the hundredth.
REVIEWER_LEANING = [(0, 1, 0), (1, 0, -1)]


def seed(log, people):
    if Resource.objects.filter(slug="mn5-acc").exists():
        log("compute: demo data already present")
        return
    now = timezone.now()
    organisers, reviewers, operators, members = (
        people["organisers"], people["reviewers"], people["operators"], people["members"])
    resource = requests.resource_create(
        name="MareNostrum 5 ACC", slug="mn5-acc", provider="BSC-CNS", kind=Resource.Kind.GPU,
        unit=Resource.Unit.GPU_HOURS, operators=operators,
        description="Accelerated partition: 4× NVIDIA H100 64 GB per node, InfiniBand NDR200.",
    )
    panel = [*reviewers, members[10], members[11]]
    review.reviewer_profile_set(user=reviewers[0], affiliation="Universitat Politècnica de València")
    review.reviewer_profile_set(user=members[10], affiliation="Universidad de Sevilla")
    review.reviewer_profile_set(user=members[11], affiliation="Universidad Carlos III de Madrid")
    description = (
        "Horas de GPU públicas para investigación **abierta** en IA de equipos españoles. Los proyectos "
        "financiados publican sus modelos y datos en el Hub con licencia abierta y rinden cuentas en el "
        "registro público."
    )
    eligibility = "Personal investigador de universidades, centros públicos de investigación y entidades sin ánimo de lucro."
    closed = requests.call_create(
        resource=resource, title="Modelos abiertos para el español y las lenguas cooficiales 2026-I", slug=CLOSED_SLUG,
        budget=Decimal("10000"), per_request_max=Decimal("6000"), opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1), review_deadline=now + timedelta(days=2), criteria=CRITERIA,
        managers=organisers, reviewers=panel, description=description, eligibility=eligibility,
        blind_review=True, score_visibility=Call.ScoreVisibility.AFTER_OWN,
    )
    # The closed call ran months ago: its grants started 95 days back and run for 180.
    start = timezone.localdate() - timedelta(days=95)
    made = []
    for i, (title, affiliation, asked, _granted, outputs, _used) in enumerate(PROJECTS):
        allocation = requests.request_create(
            applicant=members[i], call=closed, title=title, applicant_affiliation=affiliation,
            abstract=f"{title}. Entrenamos y evaluamos en abierto y publicamos todo en el Hub.",
            justification="Estimado con pruebas de escalado en 8 GPU: rendimiento, puntos de control y evaluación.",
            data_management="Datos de entrenamiento documentados con fichas; pesos y código con licencias abiertas.",
            requested_units=Decimal(asked), desired_start=start, duration_days=180,
            collaborators=[requests.Collaborator(members[i + 20], affiliation)],
            outputs=[requests.Output(*o) for o in outputs],
        )
        requests.request_submit(actor=allocation.applicant, request=allocation)
        made.append(allocation)
    criteria = list(closed.criteria.all())
    for i, allocation in enumerate(made):
        for r, reviewer in enumerate(panel[:2]):
            assignment = review.reviewer_assign(actor=organisers[0], request=allocation, reviewer=reviewer)
            base = 8 - i
            review.review_submit(
                actor=reviewer, assignment=assignment,
                scores={c.pk: max(0, min(10, base + (k % 2) + REVIEWER_LEANING[r][k]))
                        for k, c in enumerate(criteria)},
                recommendation="approve" if PROJECTS[i][3] else "reject",
                comment=["Plan claro y resultados abiertos.", "Buen equipo; el cálculo de horas es prudente."][r],
            )
    for i, (allocation, (_t, _a, _asked, granted, _o, _u)) in enumerate(zip(made, PROJECTS, strict=True)):
        if granted:
            decisions.request_approve(actor=organisers[0], request=allocation, units=Decimal(granted),
                                      note="Aprobada por el comité de asignación.",
                                      decided_on=(now - timedelta(days=100 - i)).date())
        else:
            decisions.request_reject(actor=organisers[0], request=allocation,
                                     note="Fuera del ámbito de la convocatoria (tecnologías del lenguaje); "
                                          "preséntala a la convocatoria de ciencias de la vida.")
    # Move the closed call and its history into the past so the ledger shows real durations.
    Call.objects.filter(pk=closed.pk).update(
        opens_at=now - timedelta(days=150), closes_at=now - timedelta(days=120),
        review_deadline=now - timedelta(days=100))
    usage.grants_start_and_expire()  # the daily task: grants whose period began become active
    started = timezone.make_aware(datetime.combine(start, time(8)))
    for i, allocation in enumerate(made):
        submitted, decided = now - timedelta(days=125 + i), now - timedelta(days=100 - i)
        AllocationRequest.objects.filter(pk=allocation.pk).update(submitted_at=submitted, decided_at=decided)
        # The history in the order it happened: submitted, under review, decided, grant started.
        for status, moment in [("submitted", submitted), ("under_review", submitted + timedelta(days=6)),
                               ("approved", decided), ("rejected", decided), ("active", started)]:
            Transition.objects.filter(request=allocation, to_status=status).update(created_at=moment)
        Grant.objects.filter(request=allocation).update(created_at=decided)
        Notification.objects.filter(url=request_url(allocation)).update(created_at=decided)
    for allocation, project in zip(made, PROJECTS, strict=True):
        for month, units in enumerate(project[5]):
            period_start = start + timedelta(days=30 * month)
            usage.usage_report(actor=operators[0], request_id=allocation.pk, period_start=period_start,
                               period_end=period_start + timedelta(days=29), units=Decimal(units))

    _connect_to_cluster(resource, made, operators[0], now)

    open_call = requests.call_create(
        resource=resource, title="Modelos abiertos para el español y las lenguas cooficiales 2026-II", slug=OPEN_SLUG,
        budget=Decimal("12000"), per_request_max=Decimal("5000"), opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=35), review_deadline=now + timedelta(days=60), criteria=CRITERIA,
        managers=organisers, reviewers=panel, description=description, eligibility=eligibility,
    )
    pending = requests.request_create(
        applicant=members[5], call=open_call, title="Sign-language recognition for LSE",
        applicant_affiliation="Universidad de Alicante", abstract="Video models for Spanish Sign Language.",
        justification="Pre-training on 2,000 hours of video.", requested_units=Decimal("3000"),
        desired_start=timezone.localdate() + timedelta(days=60), duration_days=120,
        outputs=[requests.Output("model", "ua/lse-recognition", "apache-2.0")],
    )
    requests.request_submit(actor=pending.applicant, request=pending)
    requests.request_create(
        applicant=members[0], call=open_call, title="Salamandra-Legal 2: instruction tuning",
        applicant_affiliation="Universidad de Granada", abstract="Instruction-tuned follow-up.",
        justification="Continued training.", requested_units=Decimal("2000"),
        desired_start=timezone.localdate() + timedelta(days=90), duration_days=90,
    )
    log(f"compute: 1 resource, 2 calls, {AllocationRequest.objects.count()} requests "
        f"(operator: {operators[0].email}, managers: organisers)")


def _connect_to_cluster(resource, made, operator, now):
    """The resource as if bound to MareNostrum 5's Slurm: its grants' accounts and last sync, as demo data.

    Written directly: the embedded demo has no Slurm to run commands against, so nothing is enqueued.
    """
    Resource.objects.filter(pk=resource.pk).update(
        slurm_cluster="mn5", slurm_partition="acc", slurm_tres=Resource.SchedulerTres.GPU,
        slurm_usage_imported_at=now - timedelta(minutes=25), slurm_checked_at=now - timedelta(hours=7))
    for i, allocation in enumerate(made):
        grant = Grant.objects.filter(request=allocation).first()
        if grant is None:
            continue
        username = f"ugr{allocation.applicant_id:05d}"
        ClusterUsername.objects.create(resource=resource, user=allocation.applicant, username=username,
                                       confirmed_by=operator, confirmed_at=grant.created_at)
        GrantSync.objects.create(
            grant=grant, account=grant_account(grant.pk), status=GrantSync.Status.SYNCED, attempts=i + 1,
            last_attempt_at=now - timedelta(hours=2), last_synced_at=now - timedelta(hours=2),
            applied_limit_minutes=limit_minutes(grant.units), applied_users=[username])
