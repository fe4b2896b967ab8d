"""Demo accounts for `seed_demo`: members, organisers, a compute reviewer and an admin."""

import functools

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from apps.accounts import roles
from apps.accounts.models import User

DEMO_PASSWORD = "comunidad-demo-2026"

FIRST_NAMES = [
    "Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Leo", "Julia", "Daniel", "Paula", "Álvaro",
    "Irene", "Pablo", "Nerea", "Marc", "Ainhoa", "Iker", "Uxue", "Xoán", "Antía", "Jordi",
    "Montserrat", "Oriol", "Carmen", "Javier", "Elena", "Sergio", "Laia", "Unai", "Noa", "Brais",
]
LAST_NAMES = [
    "García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez",
    "Ruiz", "Etxeberria", "Puig", "Castro", "Vidal", "Otero", "Arregui", "Ferrer", "Rodríguez",
]

STAFF = [("admin", "Ana", "Administradora", "admin@demo.comunidad-ia.es")]
ORGANISERS = [
    ("organiser", "Olga", "Ruiz Organizadora", "organizadora@demo.comunidad-ia.es"),
    ("organiser2", "Nicolás", "Etxeberria", "nicolas@demo.comunidad-ia.es"),
]
REVIEWERS = [("reviewer", "Rocío", "Vidal Revisora", "revisora@demo.comunidad-ia.es")]
OPERATORS = [("operator", "Óscar", "Castro Operador", "operador@demo.comunidad-ia.es")]


@functools.cache
def demo_password_hash() -> str:
    # Hashing is deliberately slow (about a second on a busy machine): hash the shared demo
    # password once, not once per person. This was half of `make run`'s seeding time.
    return make_password(DEMO_PASSWORD)


def _verified_user(username, first_name, last_name, email, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": email,
                  "password": demo_password_hash(), **extra},
    )
    if created:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def seed(log) -> dict[str, list[User]]:
    """Create (once) the demo people other apps' demo data refers to."""
    for (username, first, last, email) in STAFF:
        _verified_user(username, first, last, email, is_staff=True, is_superuser=True)
    organisers_group = Group.objects.get(name=roles.ORGANISERS)
    organisers = [_verified_user(*row) for row in ORGANISERS]
    organisers_group.user_set.add(*organisers)
    operators_group = Group.objects.get(name=roles.COMPUTE_OPERATORS)
    operators = [_verified_user(*row) for row in OPERATORS]
    operators_group.user_set.add(*operators)
    reviewers = [_verified_user(*row) for row in REVIEWERS]

    members = []
    for i in range(60):
        first = FIRST_NAMES[i % len(FIRST_NAMES)]
        last = LAST_NAMES[(i * 7) % len(LAST_NAMES)]
        username = f"member{i + 1:03d}"
        members.append(
            _verified_user(username, first, last, f"{username}@demo.comunidad-ia.es")
        )
    log(f"accounts: {User.objects.count()} users; demo password '{DEMO_PASSWORD}'")
    log("  admin@demo.comunidad-ia.es (staff), organizadora@demo.comunidad-ia.es (organiser),")
    log("  revisora@demo.comunidad-ia.es (reviewer), member001@demo.comunidad-ia.es (member)")
    return {"organisers": organisers, "reviewers": reviewers, "operators": operators, "members": members}
