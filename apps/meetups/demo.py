"""Demo meetups: chapters across regions, past events with attendance, upcoming ones
(one full, with a waitlist and a pending offer), talks by demo people presenting demo Hub
repositories, and a call for speakers with proposals.

Everything goes through the services; only the clock is moved (past events are created in
the future, attended, then shifted back with `update`).
"""

from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import User
from apps.meetups import services
from apps.meetups.models import Chapter, Event

CHAPTERS = [
    ("IA Abierta Madrid", "MD", "Encuentros mensuales en Madrid sobre modelos abiertos, datos y evaluación."),
    ("IA Oberta Barcelona", "CT", "Trobades sobre IA oberta i tecnologies de la llengua a Barcelona."),
    ("IA València", "VC", "Comunitat d'IA oberta a València: xarrades, tallers i networking."),
    ("AA Euskadi", "PV", "Adimen artifiziala eta hizkuntza-teknologiak Euskadin."),
    ("IA Galicia", "GA", "Encontros sobre IA aberta e tecnoloxías da lingua en galego."),
    ("IA Andalucía", "AN", "Meetups en Sevilla, Málaga y Granada sobre IA aplicada."),
    ("IA Canarias", "CN", "Charlas online y presenciales desde las islas, en hora canaria."),
]
DESCRIPTION = """Una tarde de charlas cortas y conversación.

- Puertas abiertas 30 minutos antes.
- Trae tu portátil si quieres probar los modelos.
- Código de conducta de la comunidad: respeto y buen ambiente.
"""


def _event(organiser, chapter, title, days, **fields):
    existing = Event.objects.filter(title=title).first()
    if existing:
        return existing, False
    starts = (timezone.now() + timedelta(days=days)).replace(hour=17, minute=30, second=0, microsecond=0)
    values = {"venue": "", "description": DESCRIPTION, "starts_at": starts, "ends_at": starts + timedelta(hours=2), **fields}
    event = services.event_create(actor=organiser, chapter=chapter, title=title, **values)
    services.event_transition(actor=organiser, event=event, action="publish")
    return Event.objects.get(pk=event.pk), True


def _past(organiser, event, attendees, checked_in, days_ago):
    """Attend an event now, then move it into the past and finish it."""
    for user in attendees:
        services.rsvp_going(user=user, event=event)
    for rsvp in event.rsvps.filter(user__in=checked_in):
        services.rsvp_check_in(actor=organiser, event=event, rsvp=rsvp)
    starts = timezone.now() - timedelta(days=days_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=2), rsvp_deadline=None)
    services.event_transition(actor=organiser, event=Event.objects.get(pk=event.pk), action="finish")


def seed(log, people):
    staff = User.objects.filter(is_staff=True).order_by("id").first()
    organisers, members = people["organisers"], people["members"]
    chapters = {}
    for i, (name, region, description) in enumerate(CHAPTERS):
        chapter = Chapter.objects.filter(name=name).first() or services.chapter_create(
            actor=staff, name=name, region=region, description=description, organisers=[organisers[i % len(organisers)]]
        )
        for member in members[i * 6:i * 6 + 10]:
            services.chapter_join(user=member, chapter=chapter)
        chapters[region] = chapter

    def organiser_of(region):
        return chapters[region].organisers.order_by("id").first()

    # Past, with attendance (some no-shows).
    md = organiser_of("MD")
    past, created = _event(md, chapters["MD"], "Evaluar LLMs en español", 10, venue="Impact Hub Madrid", address="Calle Alameda 22, Madrid", capacity=40)
    if created:
        services.talk_add(actor=md, event=past, title="Salamandra por dentro", speakers=[members[1]],
                          repositories=[{"kind": "model", "repo_id": "BSC-LT/salamandra-7b-instruct"}])
        _past(md, past, members[0:12], members[0:9], days_ago=35)
    pv = organiser_of("PV")
    past_eu, created = _event(pv, chapters["PV"], "Latxa eta euskarazko ereduak", 12, venue="Bizkaia Aretoa", address="Abandoibarra 3, Bilbao", languages="eu,es")
    if created:
        services.talk_add(actor=pv, event=past_eu, title="Latxa: euskarazko LLM irekia", language="eu", speakers=[members[20]],
                          repositories=[{"kind": "model", "repo_id": "HiTZ/latxa-7b-v1.2"}, {"kind": "dataset", "repo_id": "HiTZ/euscrawl"}])
        _past(pv, past_eu, members[18:28], members[18:25], days_ago=20)

    # Upcoming, full: a waitlist and a pending offer.
    full, created = _event(
        md, chapters["MD"], "Agentes con modelos abiertos", 9, venue="Medialab Matadero",
        address="Plaza de Legazpi 8, Madrid", address_visibility=Event.AddressVisibility.ATTENDEES,
        capacity=6, waitlist_mode=Event.WaitlistMode.OFFER, max_guests=1,
        questions=[{"text": "¿Qué te gustaría aprender?", "required": False}],
    )
    if created:
        services.talk_add(actor=md, event=full, title="Agentes que usan herramientas", speakers=[members[2]],
                          starts_at=full.starts_at + timedelta(minutes=15), duration_minutes=25)
        for user in members[30:36] + members[36:39]:
            services.rsvp_going(user=user, event=full)
        services.rsvp_cancel(user=members[30], event=full)  # the first on the waitlist gets an offer

    # Upcoming, open: online in Canarias' time zone, Galicia in person with a talk.
    cn = organiser_of("CN")
    online, created = _event(cn, chapters["CN"], "IA y turismo: charla online", 14, timezone="Atlantic/Canary",
                             online_url="https://meet.jit.si/ia-canarias", languages="es,en", tags="turismo, rag")
    if created:
        for user in members[40:45]:
            services.rsvp_going(user=user, event=online)
    ga = organiser_of("GA")
    gal, created = _event(ga, chapters["GA"], "Modelos en galego: Carballo e Nós", 21, venue="CiTIUS", address="Rúa de Jenaro de la Fuente, Santiago de Compostela",
                          online_url="https://meet.jit.si/ia-galicia", languages="gl,es")
    if created:
        services.talk_add(actor=ga, event=gal, title="Carballo: un LLM para o galego", language="gl", speakers=[members[25]],
                          repositories=[{"kind": "model", "repo_id": "proxectonos/Carballo-bloom-1.3B"}])

    # Call for speakers with proposals in Barcelona.
    ct = organiser_of("CT")
    bcn, created = _event(ct, chapters["CT"], "Trobada IA Oberta: tardor", 28, venue="Pier01", address="Plaça de Pau Vila 1, Barcelona", languages="ca,es", capacity=80)
    if created:
        services.call_for_speakers_open(actor=ct, chapter=chapters["CT"], description="Busquem xerrades de 20 minuts sobre IA oberta en català.",
                                        closes_at=bcn.starts_at - timedelta(days=7))
        accepted = services.talk_propose(user=members[8], chapter=chapters["CT"], title="Aguila-7b en producció", abstract="Lliçons de desplegar un model obert en català.", language="ca",
                                         repositories=[{"kind": "model", "repo_id": "projecte-aina/aguila-7b"}])
        services.talk_decide(actor=ct, talk=accepted, accept=True, note="Benvinguda!", event=bcn)
        declined = services.talk_propose(user=members[9], chapter=chapters["CT"], title="Criptomonedes i IA", abstract="Una xerrada sobre inversions.")
        services.talk_decide(actor=ct, talk=declined, accept=False, note="No encaixa amb el tema de la trobada.")
        services.talk_propose(user=members[10], chapter=chapters["CT"], title="Dades obertes en català: CATalog", abstract="Com es va construir el corpus CATalog.", language="ca",
                              repositories=[{"kind": "dataset", "repo_id": "BSC-LT/CATalog"}])
    log(f"meetups: {Chapter.objects.count()} chapters, {Event.objects.count()} events")
