"""Which rule covers each link from a model to a person, for account deletion and the export.

Every foreign key, one-to-one or many-to-many field that points at the user model must be
declared here by the app that owns it, in its `AppConfig.ready()`:

    personal_data.declare(Model, "field", personal_data.DELETED, "why, in a few words")

`tests/accounts/test_personal_data_coverage.py` walks `apps.get_models()` and fails on any
link that is not declared, so a new model cannot forget the person's rights. The work itself
is done by the app's receivers of `account_deleting` and `personal_data_requested`
(apps/accounts/signals.py); the rule names say what they do.
"""

from dataclasses import dataclass

DELETED = "deleted"  # rows about the person go with the account
ANONYMISED = "anonymised"  # rows stay (others' work, public records) and point at the anonymised account
KEPT = "kept"  # rows stay as they are: a record of what someone else did (an audit trail)


@dataclass(frozen=True)
class Rule:
    rule: str
    reason: str


_rules: dict[tuple[str, str], Rule] = {}


def declare(model, field_name: str, rule: str, reason: str) -> None:
    assert rule in (DELETED, ANONYMISED, KEPT), rule
    _rules[(model._meta.label, field_name)] = Rule(rule, reason)


def declare_all(rules) -> None:
    """`declare` for each (model, field, rule, reason) in `rules`."""
    for model, field_name, rule, reason in rules:
        declare(model, field_name, rule, reason)


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
