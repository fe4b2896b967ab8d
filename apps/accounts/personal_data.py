"""Members' personal data: what each app keeps about a person, and the rule for each link.

Every app that keeps anything about a person says so in one place, its `data_rights.py`,
as one `PersonalData` registered from its `AppConfig.ready()`:

    personal_data.register(data_rights.PERSONAL_DATA)

It lists a rule for every foreign key, one-to-one or many-to-many field that points at the
user model (`tests/accounts/test_personal_data_coverage.py` walks `apps.get_models()` and
fails on any link that is not declared), its part of the member's download (`export`) and
its part of account deletion (`forget`). `apps.accounts.services.personal_data_export` and
`account_delete` walk the declarations; the rule names say what `forget` does.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

DELETED = "deleted"  # rows about the person go with the account
ANONYMISED = "anonymised"  # rows stay (others' work, public records) and point at the anonymised account
KEPT = "kept"  # rows stay as they are: a record of what someone else did (an audit trail)


@dataclass(frozen=True)
class Rule:
    rule: str
    reason: str


_rules: dict[tuple[str, str], Rule] = {}


@dataclass(frozen=True)
class PersonalData:
    """One app's declaration. `rules`: (model, field, rule, reason) for each link to a person.
    `export(user)` returns the app's entries of the download ({name: JSON-serialisable data});
    `forget(user)` deletes or anonymises what the app keeps, inside the deletion transaction,
    before the account itself is anonymised. `forget_last` is for the apps whose part must see
    what the others did: notifications (rows another app's part may create, such as a freed
    place) and profiles (the names by which the others' copies of text are found)."""

    app: str
    rules: list[tuple] = field(default_factory=list)
    export: Callable[[object], dict] | None = None
    forget: Callable[[object], None] | None = None
    forget_last: bool = False


_declarations: dict[str, PersonalData] = {}


def register(declaration: PersonalData) -> None:
    for model, field_name, rule, reason in declaration.rules:
        assert rule in (DELETED, ANONYMISED, KEPT), rule
        _rules[(model._meta.label, field_name)] = Rule(rule, reason)
    _declarations[declaration.app] = declaration


def declarations() -> list[PersonalData]:
    """Every app's declaration, in INSTALLED_APPS order (their `ready()` registers them)."""
    return list(_declarations.values())


def anonymous_name(user) -> str:
    """The name a deleted account goes by (its username after deletion), wherever it was named."""
    return f"deleted-{user.pk}"


def rule_for(model, field_name: str) -> Rule | None:
    return _rules.get((model._meta.label, field_name))


def links_to_user(models, user_model) -> list[tuple[type, str]]:
    """Every (model, field) in `models` whose field points at the user model."""
    return [
        (model, field.name)
        for model in models
        for field in model._meta.get_fields(include_hidden=True)
        if field.concrete and field.is_relation and field.related_model is user_model
    ]
