"""Demo data: one public GPU partition with a closed call (decisions and usage) and an open call."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.compute.models import AllocationRequest, Call, Grant, Resource, Transition
from apps.compute.services import decisions, requests, review, usage

CLOSED_SLUG = "mn5-acc-2026-1"
OPEN_SLUG = "mn5-acc-2026-2"

PROJECTS = [
    # title, affiliation, requested, granted (None = rejected), outputs, used per month
    ("Salamandra-Legal: Spanish legal-domain LLM", "Universidad de Granada", 4000, 3500,
     [("model", "ugr-nlp/salamandra-legal-7b", "apache-2.0")], [900, 1100, 1300]),
    ("Whisper-GL: speech recognition for Galician", "Universidade de Vigo", 2500, 2500,
     [("model", "uvigo/whisper-gl-large", "apache-2.0"), ("dataset", "uvigo/galician-speech-200h", "cc-by-4.0")],
     [800, 950, 850]),
    ("Basque-Catalan machine translation benchmark", "HiTZ Center (UPV/EHU)", 1500, 1200,
     [("dataset", "hitz/eu-ca-mt-bench", "cc-by-sa-4.0")], [300, 420, 350]),
    ("Protein language models for antibiotic discovery", "CNIO", 6000, None,
     [("model", "cnio/protlm-amp", "mit")], []),
]
CRITERIA = [("Scientific merit", 3), ("Feasibility", 2), ("Openness and expected public outputs", 2)]


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
        "Public GPU-hours for **open** AI research by Spanish teams. Funded projects publish their "
        "models and datasets on the Hub under an open licence and report back in the public ledger."
    )
    eligibility = "Researchers at Spanish universities, public research centres and non-profits."
    closed = requests.call_create(
        resource=resource, title="Open models for Spanish and co-official languages 2026-I", slug=CLOSED_SLUG,
        budget=Decimal("10000"), per_request_max=Decimal("6000"), opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1), review_deadline=now + timedelta(days=2), criteria=CRITERIA,
        managers=organisers, reviewers=panel, description=description, eligibility=eligibility,
        blind_review=True, score_visibility=Call.ScoreVisibility.AFTER_OWN,
    )
    made = []
    for i, (title, affiliation, asked, _granted, outputs, _used) in enumerate(PROJECTS):
        allocation = requests.request_create(
            applicant=members[i], call=closed, title=title, applicant_affiliation=affiliation,
            abstract=f"{title}. We train and evaluate openly, and publish everything on the Hub.",
            justification="Estimated from scaling runs on 8 GPUs: throughput, checkpoints and evaluation.",
            data_management="Training data documented with datasheets; weights and code under open licences.",
            requested_units=Decimal(asked), desired_start=timezone.localdate(), duration_days=180,
            collaborators=[requests.Collaborator(members[i + 20], affiliation)],
            outputs=[requests.Output(*o) for o in outputs],
        )
        requests.request_submit(actor=allocation.applicant, request=allocation)
        made.append(allocation)
    criteria = list(closed.criteria.all())
    for i, allocation in enumerate(made):
        for reviewer in panel[:2]:
            assignment = review.reviewer_assign(actor=organisers[0], request=allocation, reviewer=reviewer)
            base = 8 - i
            review.review_submit(
                actor=reviewer, assignment=assignment,
                scores={c.pk: max(0, min(10, base + (k % 2))) for k, c in enumerate(criteria)},
                recommendation="approve" if PROJECTS[i][3] else "reject", comment="Clear plan and open outputs.",
            )
    for allocation, (_t, _a, _asked, granted, _o, _u) in zip(made, PROJECTS, strict=True):
        if granted:
            decisions.request_approve(actor=organisers[0], request=allocation, units=Decimal(granted),
                                      note="Approved by the allocation committee.")
        else:
            decisions.request_reject(actor=organisers[0], request=allocation,
                                     note="Outside the call's scope (language technologies); "
                                          "please apply to the life-sciences call.")
    # Move the closed call and its history into the past so the ledger shows real durations.
    Call.objects.filter(pk=closed.pk).update(
        opens_at=now - timedelta(days=150), closes_at=now - timedelta(days=120),
        review_deadline=now - timedelta(days=100))
    start = timezone.localdate() - timedelta(days=95)
    for i, allocation in enumerate(made):
        submitted, decided = now - timedelta(days=125 + i), now - timedelta(days=100 - 3 * i)
        AllocationRequest.objects.filter(pk=allocation.pk).update(submitted_at=submitted, decided_at=decided)
        Transition.objects.filter(request=allocation, to_status="submitted").update(created_at=submitted)
        Transition.objects.filter(request=allocation, to_status__in=["approved", "rejected", "active"]).update(
            created_at=decided)
    Grant.objects.filter(call=closed).update(start_date=start, end_date=start + timedelta(days=180))
    for allocation, project in zip(made, PROJECTS, strict=True):
        for month, units in enumerate(project[5]):
            period_start = start + timedelta(days=30 * month)
            usage.usage_report(actor=operators[0], request_id=allocation.pk, period_start=period_start,
                               period_end=period_start + timedelta(days=29), units=Decimal(units))

    open_call = requests.call_create(
        resource=resource, title="Open models for Spanish and co-official languages 2026-II", slug=OPEN_SLUG,
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
