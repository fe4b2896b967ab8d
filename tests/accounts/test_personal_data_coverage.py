"""Every link from a model to a person has a declared rule for deletion and export."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from apps.accounts import personal_data


def test_every_link_to_the_user_model_is_declared():
    links = personal_data.links_to_user(apps.get_models(), get_user_model())
    assert len(links) > 30  # the walk really finds them
    missing = [f"{model._meta.label}.{field}" for model, field in links if personal_data.rule_for(model, field) is None]
    assert not missing, (
        "Declare what account deletion does with these (see docs/architecture.md, "
        f"'Members' data rights'): {missing}"
    )


def test_an_undeclared_model_is_caught():
    from django.db import models

    class Bookmark(models.Model):
        owner = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)

        class Meta:
            app_label = "accounts"

    try:
        links = personal_data.links_to_user([Bookmark], get_user_model())
        assert [(m, f) for m, f in links if personal_data.rule_for(m, f) is None] == [(Bookmark, "owner")]
    finally:
        apps.all_models["accounts"].pop("bookmark", None)
        apps.clear_cache()


@pytest.mark.django_db
def test_declared_rule_carries_a_reason():
    from apps.compute.models import AllocationRequest

    rule = personal_data.rule_for(AllocationRequest, "applicant")
    assert rule.rule == personal_data.ANONYMISED and rule.reason


def test_each_app_declares_its_own_links_in_its_data_rights_module():
    """One shape for every app: the `PERSONAL_DATA` of its own `data_rights.py`, covering its
    own models (accounts also speaks for the libraries it brings in)."""
    from importlib import import_module
    from pathlib import Path

    import apps as project_apps

    registered = {declaration.app: declaration for declaration in personal_data.declarations()}
    with_module = {path.parent.name for path in Path(project_apps.__file__).parent.glob("*/data_rights.py")}
    assert with_module == set(registered)
    for app, declaration in registered.items():
        assert import_module(f"apps.{app}.data_rights").PERSONAL_DATA is declaration
    declared_by = {
        (model._meta.label, field): declaration.app
        for declaration in registered.values() for model, field, _rule, _reason in declaration.rules
    }
    elsewhere = [
        f"{label}.{field} (by {app})" for (label, field), app in declared_by.items()
        if app != "accounts" and label.split(".")[0] != app
    ]
    assert not elsewhere
