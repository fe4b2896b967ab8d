"""Every language of the interface is complete: its catalogues have no gap, templates mark
their text for translation, and the crawled pages show nothing left in the source language.

Languages are those with a catalogue in locale/: a new one joins these tests when its
catalogue lands. English is the source language (the msgids) and has no catalogue.
"""

import gettext
import io
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import allauth
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.test import Client
from django.utils.translation import get_language_info, trans_real

from tests.conftest import clear_worker_redis
from tests.core.permission_matrix import MATRIX
from tests.core.test_permission_matrix import _path, all_routes, world  # noqa: F401 - `world` is a fixture

LOCALE = Path(settings.BASE_DIR) / "locale"
REFERENCE = LOCALE / "es" / "LC_MESSAGES" / "django.po"
CATALOGUES = sorted(LOCALE.rglob("django.po"))
INTERFACE_LANGUAGES = sorted(path.parts[-3] for path in LOCALE.glob("*/LC_MESSAGES/django.po"))
TEMPLATES = Path(settings.BASE_DIR) / "frontend" / "templates"

# Names and units that read the same in every language of the platform.
UNTRANSLATABLE = re.compile(
    r"Hugging Face Hub|Hugging Face|huggingface\.co|GitHub|ORCID|Google|Outlook|QOS|\bmin\b|\bms\b|\bes\b"
)
WORD = re.compile(r"[^\W\d_]{2,}")
# Attributes people read or hear (screen readers) besides the text itself.
HUMAN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}


def _relative(path: Path) -> str:
    return str(path.relative_to(settings.BASE_DIR))


def _compiled(path: Path) -> dict:
    """The catalogue as gettext reads it, compiled from its source: msgid → msgstr
    (untranslated and fuzzy entries are left out by msgfmt, as at run time)."""
    compiled = subprocess.run(["msgfmt", "-o", "-", str(path)], check=True, capture_output=True).stdout
    catalogue = gettext.GNUTranslations(io.BytesIO(compiled))
    return {key: value for key, value in catalogue._catalog.items() if key != ""}


@pytest.mark.parametrize("path", CATALOGUES, ids=_relative)
def test_no_catalogue_has_an_untranslated_or_fuzzy_entry(path):
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True, capture_output=True)
    for option in ("--untranslated", "--only-fuzzy"):
        gaps = subprocess.run(["msgattrib", option, "--no-wrap", str(path)], check=True, capture_output=True, text=True)
        assert gaps.stdout == "", f"{option.strip('-')} entries:\n{gaps.stdout}"


@pytest.mark.parametrize("language", INTERFACE_LANGUAGES)
def test_each_interface_catalogue_translates_every_message_of_the_interface(language):
    """The Spanish catalogue is the one `make messages` keeps in step with the code."""
    def messages(path):  # a plural message is one, whatever the number of forms of its language
        return {key[0] if isinstance(key, tuple) else key for key in _compiled(path)}

    assert sorted(messages(REFERENCE) - messages(LOCALE / language / "LC_MESSAGES" / "django.po")) == []


@pytest.mark.parametrize("language", [code for code in INTERFACE_LANGUAGES if code in {"ca", "eu", "gl"}])
def test_co_official_languages_have_two_plural_forms(language):
    header = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text().split("\n\n")[0]
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert f'"Language: {language}\\n"' in header


class _Texts(HTMLParser):
    """What a page says: its text outside scripts and the attributes people read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style") or (tag == "template" and "data-strings" in dict(attrs)):
            self._hidden += 1  # JSON for scripts: its strings are checked as translate tags
        self.texts.extend(value for name, value in attrs if name in HUMAN_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.texts.append(data)


def _texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts if text.strip()]


HOLE = " \u2042 "  # where Django fills something in; never part of a sentence


def _literal_text(template_source: str) -> str:
    """The template with everything Django fills in (variables, tags, translated blocks) as holes."""
    parts, translating, commenting = [], 0, 0
    for token in Lexer(template_source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            translating += {"blocktranslate": 1, "blocktrans": 1, "endblocktranslate": -1, "endblocktrans": -1}.get(name, 0)
            commenting += {"comment": 1, "endcomment": -1}.get(name, 0)
        literal = token.token_type == TokenType.TEXT and not translating and not commenting
        parts.append(token.contents if literal else HOLE)
    return "".join(parts)


def test_templates_mark_their_text_for_translation():
    unmarked = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        literal = _literal_text(path.read_text())
        texts = [literal] if path.suffix == ".txt" else _texts(literal)
        for text in texts:
            for piece in text.split(HOLE.strip()):
                if WORD.search(UNTRANSLATABLE.sub("", piece)):
                    unmarked.append(f"{_relative(path)}: {' '.join(piece.split())}")
    assert unmarked == []


def test_templates_write_dates_with_the_languages_formats():
    """A format such as "j M Y" imposes the English order; named formats follow each language's."""
    fixed = re.compile(r"""\|date:(["'])(?!(?:[A-Z_]+_FORMAT|c|U|Y-m-d|H:i|l|D)\1)[^"']*\1""")
    found = [f"{_relative(path)}: {match.group(0)}" for path in sorted(TEMPLATES.rglob("*.*"))
             if path.suffix in (".html", ".txt") for match in fixed.finditer(path.read_text())]
    assert found == []


def _english_messages() -> set[str]:
    """The source-language text of the interface: the platform's messages and allauth's."""
    allauth_spanish = Path(allauth.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po"
    return {key for path in (REFERENCE, allauth_spanish) for key in _compiled(path)
            if isinstance(key, str) and "\x04" not in key and WORD.search(UNTRANSLATABLE.sub("", key))}


def _crawl() -> list[tuple[str, str]]:
    """(role, route) of every page a visitor can open, and of those only a member can."""
    pages = []
    for route in all_routes():
        method, anonymous, member, *_others = MATRIX.get(route, ("", 0, 0))
        if method != "GET" or route.startswith("api/") or route.endswith((".ics", ".csv", ".json")):
            continue
        if anonymous == 200:
            pages.append(("anonymous", route))
        elif member == 200:
            pages.append(("member", route))
    return pages


@pytest.mark.parametrize("language", [code for code in INTERFACE_LANGUAGES if code != "en"])
def test_pages_show_no_text_in_the_source_language(world, language):  # noqa: F811 - the fixture
    """Text that is an English message of the interface must be translated on the page: a
    message missing from the language's catalogues, or English hard-coded where a
    translation exists, is listed with the page it was found on; so is Spanish text whose
    message the language lacks (Django falls back to the site's default language)."""
    # Language pickers name each language in itself ("English" on every page, on purpose).
    english = _english_messages() - {get_language_info(code)["name_local"] for code, _name in settings.LANGUAGES}
    catalogue = trans_real.translation(language)._catalog
    spanish = {} if language == settings.LANGUAGE_CODE else {
        msgstr: msgid for msgid, msgstr in _compiled(REFERENCE).items() if isinstance(msgid, str) and msgstr != msgid
    }
    found, crawled = set(), 0
    for role, route in _crawl():
        clear_worker_redis()  # rate limits start afresh for every request
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if world["users"][role] is not None:
            client.force_login(world["users"][role])
        response = client.get(_path(route, world["parameters"]))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        crawled += 1
        assert f'<html lang="{language}">' in response.content.decode(), route
        for text in _texts(response.content.decode()):
            if text in english and (text not in catalogue or catalogue[text] != text):
                found.add(f"{route}: {text}")
            elif text in spanish and spanish[text] not in catalogue:
                found.add(f"{route}: {text} (Spanish, for lack of a translation)")
    assert crawled > 40, "the crawl reached the platform's pages"
    assert sorted(found) == [], "\n".join(sorted(found))
