"""The Spanish interface speaks Spanish: plural forms, language names, numbers and dates."""

import datetime
import gettext
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from apps.core.formatting import day, quantity
from apps.profiles.choices import language_choices, language_name

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def compiled_catalogue(tmp_path_factory):
    """The Spanish catalogue compiled from its source, as `make messages` does."""
    target = tmp_path_factory.mktemp("mo") / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(target), str(CATALOGUE)], check=True)
    with target.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_every_plural_entry_gives_as_many_forms_as_the_header_declares(compiled_catalogue):
    header = compiled_catalogue.info()["plural-forms"]
    declared = int(re.search(r"nplurals=(\d+)", header).group(1))
    forms_by_msgid: dict[str, set[int]] = {}
    for key in compiled_catalogue._catalog:
        if isinstance(key, tuple):
            forms_by_msgid.setdefault(key[0], set()).add(key[1])
    assert forms_by_msgid, "the catalogue has plural entries"
    short = {msgid: forms for msgid, forms in forms_by_msgid.items() if forms != set(range(declared))}
    assert short == {}


@pytest.mark.parametrize("count, expected", [(1, "1 repositorio"), (12, "12 repositorios")])
def test_counts_are_spanish_for_every_number(count, expected):
    template = Template(
        "{% load i18n %}{% blocktranslate count counter=n %}{{ counter }} repository"
        "{% plural %}{{ counter }} repositories{% endblocktranslate %}"
    )
    with translation.override("es"):
        assert template.render(Context({"n": count})) == expected


def test_language_names_follow_the_interface_language():
    with translation.override("es"):
        assert language_name("de") == "Alemán"
        assert language_name("zh") == "Chino"
        assert language_name("eu") == "Euskera"
        names = [label for _code, label in language_choices()]
        assert "German" not in names
        # Accents do not push a name to the end of the list.
        assert names.index("Árabe") < names.index("Bretón") < names.index("Zulu")
    with translation.override("en"):
        assert language_name("de") == "German"


def test_numbers_and_dates_are_written_the_readers_way():
    template = Template('{{ n|floatformat:"0g" }} · {{ d|date:"DATE_FORMAT" }}')
    context = Context({"n": Decimal("3300.00"), "d": datetime.date(2027, 2, 27)})
    with translation.override("es"):
        assert template.render(context) == "3\u202f300 · 27 feb 2027"
        assert quantity(Decimal("2000.00")) == "2\u202f000"
        assert day(datetime.date(2027, 2, 27)) == "27 feb 2027"
    with translation.override("en"):
        assert template.render(context) == "3,300 · 27 Feb 2027"
