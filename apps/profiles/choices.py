"""Fixed vocabularies of profiles: regions, languages, levels, affiliation kinds."""

import functools
import gettext as gettext_module
import unicodedata

import pycountry
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import models
from django.utils import translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone, also without an account")
    MEMBERS = "members", _("Members only: people signed in to the platform")
    HIDDEN = "hidden", _("Hidden: only me and the platform staff")


class Listing(models.TextChoices):
    """Who finds a profile in the talent pool: visibility and whether the account is active,
    kept on the row (`Profile.listed_for`) so that lists and counts are served by an index."""

    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Members")
    NONE = "none", _("Only the owner and staff")


def listing_of(visibility: str, account_active: bool) -> str:
    if not account_active or visibility == Visibility.HIDDEN:
        return Listing.NONE
    return Listing.PUBLIC if visibility == Visibility.PUBLIC else Listing.MEMBERS


class Region(models.TextChoices):
    """Spain's autonomous communities and cities (ISO 3166-2:ES), or another country."""

    ANDALUCIA = "AN", "Andalucía"
    ARAGON = "AR", "Aragón"
    ASTURIAS = "AS", "Asturias"
    BALEARES = "IB", "Illes Balears"
    CANARIAS = "CN", "Canarias"
    CANTABRIA = "CB", "Cantabria"
    CASTILLA_LEON = "CL", "Castilla y León"
    CASTILLA_MANCHA = "CM", "Castilla-La Mancha"
    CATALUNYA = "CT", "Catalunya"
    EXTREMADURA = "EX", "Extremadura"
    GALICIA = "GA", "Galicia"
    MADRID = "MD", "Comunidad de Madrid"
    MURCIA = "MC", "Región de Murcia"
    NAVARRA = "NC", "Navarra"
    EUSKADI = "PV", "Euskadi"
    LA_RIOJA = "RI", "La Rioja"
    VALENCIANA = "VC", "Comunitat Valenciana"
    CEUTA = "CE", "Ceuta"
    MELILLA = "ML", "Melilla"
    OTHER_COUNTRY = "XX", _("Another country")


class AffiliationKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH = "research", _("Research centre")
    COMPANY = "company", _("Company")
    PUBLIC = "public", _("Public administration")
    NONPROFIT = "nonprofit", _("Non-profit")
    INDEPENDENT = "independent", _("Independent")


class SkillLevel(models.IntegerChoices):
    LEARNING = 1, _("Learning")
    PRACTITIONER = 2, _("Practitioner")
    EXPERT = 3, _("Expert")


class LanguageLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    INTERMEDIATE = "intermediate", _("Intermediate")
    PROFESSIONAL = "professional", _("Professional")
    NATIVE = "native", _("Native or bilingual")


# Availability flags: model field name and label, in the order pages show them.
AVAILABILITY = [
    ("open_to_jobs", _("Open to job offers")),
    ("open_to_collaboration", _("Open to collaborations")),
    ("open_to_mentoring", _("Open to mentoring")),
    ("looking_for_team", _("Looking for a hackathon team")),
]

# The languages of Spain and English come first; any other ISO 639-1 code is accepted.
MAIN_LANGUAGES = [
    ("es", _("Spanish")),
    ("ca", _("Catalan/Valencian")),
    ("eu", _("Basque")),
    ("gl", _("Galician")),
    ("en", _("English")),
]

# ISO 639-1, with each language's English name (the fallback when no translation exists).
ISO_639_1 = dict(
    line.split(" ", 1)
    for line in """aa Afar
ab Abkhazian
ae Avestan
af Afrikaans
ak Akan
am Amharic
an Aragonese
ar Arabic
as Assamese
av Avaric
ay Aymara
az Azerbaijani
ba Bashkir
be Belarusian
bg Bulgarian
bi Bislama
bm Bambara
bn Bengali
bo Tibetan
br Breton
bs Bosnian
ca Catalan
ce Chechen
ch Chamorro
co Corsican
cr Cree
cs Czech
cu Church Slavic
cv Chuvash
cy Welsh
da Danish
de German
dv Divehi
dz Dzongkha
ee Ewe
el Greek
en English
eo Esperanto
es Spanish
et Estonian
eu Basque
fa Persian
ff Fulah
fi Finnish
fj Fijian
fo Faroese
fr French
fy Western Frisian
ga Irish
gd Scottish Gaelic
gl Galician
gn Guarani
gu Gujarati
gv Manx
ha Hausa
he Hebrew
hi Hindi
ho Hiri Motu
hr Croatian
ht Haitian
hu Hungarian
hy Armenian
hz Herero
ia Interlingua
id Indonesian
ie Interlingue
ig Igbo
ii Sichuan Yi
ik Inupiaq
io Ido
is Icelandic
it Italian
iu Inuktitut
ja Japanese
jv Javanese
ka Georgian
kg Kongo
ki Kikuyu
kj Kuanyama
kk Kazakh
kl Kalaallisut
km Khmer
kn Kannada
ko Korean
kr Kanuri
ks Kashmiri
ku Kurdish
kv Komi
kw Cornish
ky Kyrgyz
la Latin
lb Luxembourgish
lg Ganda
li Limburgish
ln Lingala
lo Lao
lt Lithuanian
lu Luba-Katanga
lv Latvian
mg Malagasy
mh Marshallese
mi Maori
mk Macedonian
ml Malayalam
mn Mongolian
mr Marathi
ms Malay
mt Maltese
my Burmese
na Nauru
nb Norwegian Bokmål
nd North Ndebele
ne Nepali
ng Ndonga
nl Dutch
nn Norwegian Nynorsk
no Norwegian
nr South Ndebele
nv Navajo
ny Chichewa
oc Occitan
oj Ojibwa
om Oromo
or Odia
os Ossetian
pa Punjabi
pi Pali
pl Polish
ps Pashto
pt Portuguese
qu Quechua
rm Romansh
rn Rundi
ro Romanian
ru Russian
rw Kinyarwanda
sa Sanskrit
sc Sardinian
sd Sindhi
se Northern Sami
sg Sango
si Sinhala
sk Slovak
sl Slovenian
sm Samoan
sn Shona
so Somali
sq Albanian
sr Serbian
ss Swati
st Southern Sotho
su Sundanese
sv Swedish
sw Swahili
ta Tamil
te Telugu
tg Tajik
th Thai
ti Tigrinya
tk Turkmen
tl Tagalog
tn Tswana
to Tonga
tr Turkish
ts Tsonga
tt Tatar
tw Twi
ty Tahitian
ug Uyghur
uk Ukrainian
ur Urdu
uz Uzbek
ve Venda
vi Vietnamese
vo Volapük
wa Walloon
wo Wolof
xh Xhosa
yi Yiddish
yo Yoruba
za Zhuang
zh Chinese
zu Zulu""".splitlines()
)


def language_name(code: str) -> str:
    """The label of a language code in the active language (English when no translation exists)."""
    main = dict(MAIN_LANGUAGES).get(code)
    if main:
        return str(main)
    return _translated_iso_name(code, get_language() or settings.LANGUAGE_CODE)


@functools.lru_cache(maxsize=2048)
def _translated_iso_name(code: str, language: str) -> str:
    # Django's own catalogue names the languages it supports; pycountry (the Debian
    # iso-codes catalogues) covers the rest of ISO 639-1.
    english = ISO_639_1.get(code, code)
    if code in LANG_INFO:
        with translation.override(language):
            return gettext(LANG_INFO[code]["name"])
    record = pycountry.languages.get(alpha_2=code)
    if record is None:
        return english
    try:
        catalogue = gettext_module.translation(
            "iso639-3", pycountry.LOCALES_DIR, languages=[language.split("-")[0]]
        )
    except OSError:
        return english
    name = catalogue.gettext(record.name)
    return name[:1].upper() + name[1:] if name != record.name else english


def locale_sort_key(name: str) -> str:
    """Sorts "Árabe" next to "Armenio", not after "Zulú"."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def language_choices() -> list[tuple[str, str]]:
    """Main languages first, then every other ISO 639-1 language by name."""
    main = [(code, str(label)) for code, label in MAIN_LANGUAGES]
    main_codes = {code for code, _label in main}
    others = sorted(
        ((code, language_name(code)) for code in ISO_639_1 if code not in main_codes),
        key=lambda item: locale_sort_key(item[1]),
    )
    return main + others
