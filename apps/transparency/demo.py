"""Demo register: the ALIA models' reported public funding and MareNostrum 5 as context.

Figures are those reported in public (official site, press coverage); the records are
marked as demo data so nobody cites the demo instead of the sources.
"""

from datetime import date
from decimal import Decimal

from apps.accounts.models import User
from apps.compute.models import Call, Resource
from apps.transparency import services
from apps.transparency.models import FundingRecord

ALIA_FUNDING = {
    "programme": "ALIA · Estrategia de Inteligencia Artificial 2024",
    "funder": "Ministerio para la Transformación Digital y de la Función Pública",
    "recipient": "Barcelona Supercomputing Center (BSC-CNS)",
    "amount_eur": Decimal("10200000"),
    "awarded_on": date(2025, 1, 20),
    "purpose": "Entrenamiento y publicación de los modelos abiertos ALIA en castellano y lenguas cooficiales "
               "(cifra publicada en la prensa; el reparto entre modelos no es público).",
    "sources": [{"url": "https://alia.gob.es/", "title": "ALIA, web oficial"}],
    "repositories": ["BSC-LT/ALIA-40b", "BSC-LT/ALIA-40b-instruct"],
}
MARENOSTRUM_FUNDING = {
    "programme": "EuroHPC · MareNostrum 5",
    "funder": "EuroHPC Joint Undertaking y Gobierno de España",
    "recipient": "Barcelona Supercomputing Center (BSC-CNS)",
    "amount_eur": Decimal("202000000"),
    "awarded_on": date(2023, 12, 21),
    "purpose": "Adquisición del superordenador MareNostrum 5. Contexto: no se atribuye a ningún modelo; "
               "las horas que usa cada proyecto se valoran con el coste por hora de GPU.",
    "sources": [{"url": "https://www.bsc.es/marenostrum/marenostrum-5", "title": "MareNostrum 5, BSC-CNS"}],
}
# 202 M€ over the accelerated partition's 4,480 H100 GPUs for five years: about 1.03 € per GPU-hour.
MN5_EUROS_PER_GPU_HOUR = Decimal("1.03")


def seed(log, people):
    if FundingRecord.objects.filter(is_demo=True).exists():
        log("transparency: demo data already present")
        return
    actor = User.objects.filter(is_staff=True).order_by("pk").first()
    services.funding_record_create(actor=actor, data=ALIA_FUNDING, is_demo=True)
    calls = list(Call.objects.filter(resource__slug="mn5-acc").values_list("slug", flat=True))
    services.funding_record_create(actor=actor, data={**MARENOSTRUM_FUNDING, "calls": calls}, is_demo=True)
    resource = Resource.objects.filter(slug="mn5-acc").first()
    if resource is not None:
        services.unit_cost_set(
            actor=actor, resource=resource, euros_per_unit=MN5_EUROS_PER_GPU_HOUR,
            source_url=MARENOSTRUM_FUNDING["sources"][0]["url"],
            source_title="Estimación: coste de adquisición / horas de GPU en cinco años",
        )
    log("transparency: ALIA funding, MareNostrum 5 as context and its cost per GPU-hour (demo data)")
