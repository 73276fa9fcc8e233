from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from simulcast.errors import RoomsFileError
from simulcast.models.opening_hours import OpeningHours, Rule, TimeRange
from simulcast.models.site import Facilitator, Screen, Territory
from simulcast.registry import Registry, load_registry, summarise

SAMPLE = Path(__file__).parents[2] / "rooms.yaml"
SAMPLE_IDS = [
    "studio-lille-sud",
    "cs-lille-sud",
    "cyber-faches-thumesnil",
    "mediatheque-ronchin",
    "tiers-lieu-lesquin",
    "cs-wattignies",
    "cyber-loos",
    "mediatheque-haubourdin",
    "tiers-lieu-villeneuve-dascq",
    "cs-roubaix",
    "cyber-tourcoing",
]
SERVICE = "Aide aux démarches administratives"
KINDS = "studio, cyberespace, centre_social, tiers_lieu, mediatheque"
SAMPLE_SUMMARY = """\
Territoire : Métropole Européenne de Lille (Hauts-de-France)
11 sites : 1 studio, 3 cyberespaces, 3 centres sociaux, 2 tiers-lieux, 2 médiathèques
Capacité totale : 161 places

studio-lille-sud             Studio numérique du Faubourg        Lille              studio          12
cs-lille-sud                 Centre social des Glycines          Lille              centre social   16
cyber-faches-thumesnil       Cyberespace du Parc                 Faches-Thumesnil   cyberespace     10
mediatheque-ronchin          Médiathèque des Tilleuls            Ronchin            médiathèque     14
tiers-lieu-lesquin           La Fabrique des Champs              Lesquin            tiers-lieu      20
cs-wattignies                Centre socioculturel Les Peupliers  Wattignies         centre social   12
cyber-loos                   Espace numérique de la Gare         Loos               cyberespace      8
mediatheque-haubourdin       Médiathèque du Canal                Haubourdin         médiathèque     15
tiers-lieu-villeneuve-dascq  Tiers-lieu La Passerelle            Villeneuve-d'Ascq  tiers-lieu      24
cs-roubaix                   Centre social des Filatures         Roubaix            centre social   18
cyber-tourcoing              Cyberespace des Tisserands          Tourcoing          cyberespace     12"""  # noqa: E501


def site(site_id: str = "studio", kind: str = "studio", extra: str = "") -> str:
    """A valid site of 9 lines (its `- id:` line first), then ``extra`` lines."""
    return (
        f"  - id: {site_id}\n"
        '    pivot: "99900000100012"\n'
        "    nom: Studio du Faubourg\n"
        "    commune: Lille\n"
        '    code_postal: "59000"\n'
        "    adresse: 18 rue des Verriers\n"
        "    date_maj: 2025-01-06\n"
        f"    services: [{SERVICE}]\n"
        f"    x_kind: {kind}\n"
        f"{extra}"
    )


def rooms_error(tmp_path: Path, text: str) -> tuple[Path, str]:
    """Write ``text`` as rooms.yaml, load it, and return the path and the error message."""
    path = tmp_path / "rooms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoomsFileError) as caught:
        load_registry(path)
    return path, caught.value.message


def test_load_registry_sample_has_one_studio_and_ten_partner_rooms() -> None:
    registry = load_registry(SAMPLE)

    assert len(registry) == 11
    assert list(registry.sites) == SAMPLE_IDS
    assert [site.id for site in registry] == SAMPLE_IDS
    assert [site.id for site in registry.studios()] == ["studio-lille-sud"]
    assert [site.id for site in registry.partner_rooms()] == SAMPLE_IDS[1:]
    assert registry.territory == Territory(
        nom="Métropole Européenne de Lille", region="Hauts-de-France"
    )


def test_load_registry_sample_keeps_exact_values() -> None:
    registry = load_registry(SAMPLE)
    loos = registry.get("cyber-loos")

    assert loos is not None
    assert (loos.nom, loos.commune, loos.code_postal, loos.code_insee) == (
        "Espace numérique de la Gare",
        "Loos",
        "59120",
        "59360",
    )
    assert loos.date_maj == date(2024, 12, 16)
    assert loos.typologie == ("EPN",)
    assert loos.services == ("Accès internet et matériel informatique", SERVICE)
    assert loos.x_kind == "cyberespace"
    assert loos.x_capacity == 8
    assert loos.x_facilitators == (Facilitator(name="Nadia Boulanger", phone="+33 6 99 99 07 01"),)
    assert loos.x_screen == Screen(lang="fr", show_qr=True)
    assert loos.opening_hours() == OpeningHours(
        rules=(
            Rule(("Mo",), False, (TimeRange(840, 1080),)),
            Rule(("Tu", "We", "Th", "Fr"), False, (TimeRange(540, 720), TimeRange(840, 1080))),
            Rule((), True, ()),
        )
    )
    lesquin = registry.get("tiers-lieu-lesquin")
    assert lesquin is not None
    assert lesquin.x_screen == Screen(lang="fr", show_qr=False)
    assert lesquin.complement_adresse == "Bâtiment B, rez-de-chaussée"


def test_registry_lookups_by_id() -> None:
    registry = load_registry(SAMPLE)

    assert "cs-roubaix" in registry
    assert "cs-paris" not in registry
    assert registry.get("cs-paris") is None


def test_registry_is_frozen() -> None:
    registry = load_registry(SAMPLE)
    studio = registry.studios()[0]

    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.territory = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        registry.sites["other"] = studio  # type: ignore[index]
    with pytest.raises(ValidationError):
        studio.nom = "Autre"  # type: ignore[misc]


def test_summarise_sample() -> None:
    assert summarise(load_registry(SAMPLE)) == SAMPLE_SUMMARY


def test_summarise_without_territory_or_capacity(tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text("sites:\n" + site(extra="    x_capacity: 12\n") + site("cs-a", "centre_social"))

    assert summarise(load_registry(path)) == "\n".join(
        [
            "Territoire : (non renseigné)",
            "2 sites : 1 studio, 1 centre social",
            "Capacité totale : 12 places (non renseignée pour 1 site(s))",
            "",
            "studio  Studio du Faubourg  Lille  studio          12",
            "cs-a    Studio du Faubourg  Lille  centre social    —",
        ]
    )


def test_load_registry_follows_yaml_merge_keys(tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text(
        "sites:\n"
        "  - &studio\n" + site().split("\n", 1)[1] + "    id: studio\n"
        "  - <<: *studio\n"
        "    id: cs-a\n"
        "    nom: Centre social A\n"
        "    x_kind: centre_social\n"
    )

    registry = load_registry(path)

    assert [(site.id, site.nom, site.x_kind) for site in registry] == [
        ("studio", "Studio du Faubourg", "studio"),
        ("cs-a", "Centre social A", "centre_social"),
    ]


def test_load_registry_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    with pytest.raises(RoomsFileError) as caught:
        load_registry(path)
    assert caught.value.message == f"{path}: no such file; expected the sites registry (rooms.yaml)"


def test_load_registry_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(RoomsFileError) as caught:
        load_registry(tmp_path)
    assert caught.value.message == f"{tmp_path}: cannot read the file (Is a directory)"


def test_load_registry_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_bytes("sites:\n  - nom: Médiathèque\n".encode("latin-1"))
    with pytest.raises(RoomsFileError) as caught:
        load_registry(path)
    assert (
        caught.value.message
        == f"{path}: not UTF-8 text (invalid continuation byte); save it as UTF-8"
    )


def test_load_registry_yaml_syntax_error(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "sites:\n" + site(extra="    typologie: [CS\n"))
    assert message == (
        f"{path}:12: invalid YAML: while parsing a flow sequence from line 11, "
        "expected ',' or ']', but got '<stream end>' (column 1)"
    )


def test_load_registry_yaml_tab_indentation(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "sites:\n\t- id: studio\n")
    assert message == (
        f"{path}:2: invalid YAML: found character '\\t' that cannot start any token (column 1); "
        "indent with spaces, not tabs"
    )


@pytest.mark.parametrize(
    ("text", "got"),
    [("- studio\n- cs-a\n", "a list"), ("", "nothing"), ("rooms\n", '"rooms"')],
)
def test_load_registry_top_level_not_a_mapping(tmp_path: Path, text: str, got: str) -> None:
    path, message = rooms_error(tmp_path, text)
    assert (
        message == f'{path}:1: got {got}, expected a mapping with the keys "territoire" and "sites"'
    )


def test_load_registry_sites_missing(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "territoire:\n  nom: MEL\n")
    assert message == f'{path}:1: missing required key "sites"'


def test_load_registry_sites_empty(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "territoire:\n  nom: MEL\nsites: []\n")
    assert message == f'{path}:3: key "sites": got an empty list, expected at least one site'


def test_load_registry_sites_not_a_list(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "sites:\n  studio: Lille\n")
    assert (
        message == f'{path}:1: key "sites": got a mapping, expected a list (one "- item" per line)'
    )


def test_load_registry_site_not_a_mapping(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "sites:\n" + site() + "  - cs-lille-sud\n")
    assert (
        message
        == f'{path}:11: site #2: got "cs-lille-sud", expected a mapping ("key: value" lines)'
    )


def test_load_registry_missing_required_keys(tmp_path: Path) -> None:
    path, message = rooms_error(
        tmp_path,
        "sites:\n" + site() + "  - id: cs-a\n    nom: Centre social A\n    x_kind: centre_social\n",
    )
    assert message == (
        f'{path}:11: site "cs-a": missing required keys "pivot", "commune", "code_postal", '
        '"adresse", "date_maj", "services"'
    )


def test_load_registry_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "sites:\n" + site(extra="    comune: Lille\n"))
    assert (
        message == f'{path}:11: site "studio", key "comune": unknown key; did you mean "commune"?'
    )


def test_load_registry_unknown_keys_without_a_close_match(tmp_path: Path) -> None:
    path, message = rooms_error(
        tmp_path,
        "territoire:\n  name: MEL\nsites:\n"
        + site(extra="    couleur: bleu\n    x_colour: blue\n    x_screen:\n      lnag: en\n"),
    )
    assert message == "\n".join(
        [
            f'{path}:1: key "territoire": missing required key "nom"',
            f'{path}:2: key "territoire", key "name": unknown key; expected one of nom, region',
            f'{path}:13: site "studio", key "couleur": unknown key: not in the national schema '
            '(project keys start with "x_")',
            f'{path}:14: site "studio", key "x_colour": unknown project key; expected one of '
            "x_kind, x_capacity, x_facilitators, x_sms_sender, x_coop_structure_id, x_screen",
            f'{path}:16: site "studio", key "x_screen", key "lnag": '
            'unknown key; did you mean "lang"?',
        ]
    )


def test_load_registry_bad_enum_values(tmp_path: Path) -> None:
    path, message = rooms_error(
        tmp_path,
        "sites:\n"
        + site()
        + site(
            "cs-lille-sud", "centre-social", "    typologie: [EPM, ZZZ]\n    itinerance: [Mobile]\n"
        ),
    )
    assert message == "\n".join(
        [
            f'{path}:19: site "cs-lille-sud", key "x_kind": got "centre-social", '
            f"expected one of {KINDS}",
            f'{path}:20: site "cs-lille-sud", key "typologie", item 1: got "EPM", '
            'expected one of 82 codes; did you mean "EPN"?',
            f'{path}:20: site "cs-lille-sud", key "typologie", item 2: got "ZZZ", '
            "expected one of 82 codes, such as CS, CSC, EVS, EPN, TIERS_LIEUX, FABLAB, BIB, MQ",
            f'{path}:21: site "cs-lille-sud", key "itinerance", item 1: got "Mobile", '
            "expected one of Itinérant, Fixe",
        ]
    )


def test_load_registry_bad_types(tmp_path: Path) -> None:
    extra = (
        "    code_insee: 59350\n"
        "    x_capacity: douze\n"
        "    latitude: nord\n"
        "    longitude: 3.04\n"
        "    typologie: CS\n"
        "    courriels:\n"
        "    x_screen: yes\n"
        "    x_facilitators:\n"
        "      - name: Camille\n"
        "        phone: '123'\n"
        "      - Théo\n"
    )
    path, message = rooms_error(tmp_path, "sites:\n" + site(extra=extra))
    assert message == "\n".join(
        [
            f'{path}:11: site "studio", key "code_insee": got the number 59350, '
            'expected text: write it in quotes, "59350"',
            f'{path}:12: site "studio", key "x_capacity": got "douze", expected a whole number',
            f'{path}:13: site "studio", key "latitude": got "nord", expected a number',
            f'{path}:15: site "studio", key "typologie": got "CS", '
            'expected a list (one "- item" per line)',
            f'{path}:16: site "studio", key "courriels": got nothing, '
            'expected a list (one "- item" per line), or remove the key',
            f'{path}:17: site "studio", key "x_screen": got true, '
            'expected a mapping ("key: value" lines)',
            f'{path}:20: site "studio", key "x_facilitators", item 1, key "phone": got "123", '
            'expected a French phone number, e.g. "06 12 34 56 78" or "+33 6 12 34 56 78"',
            f'{path}:21: site "studio", key "x_facilitators", item 2: got "Théo", '
            'expected a mapping ("key: value" lines)',
        ]
    )


def test_load_registry_bad_values(tmp_path: Path) -> None:
    extra = (
        "    x_capacity: 900\n"
        "    x_sms_sender: Centre Social\n"
        f"    presentation_resume: {'x' * 501}\n"
        "    site_web: [www.example.org]\n"
    )
    path, message = rooms_error(tmp_path, "sites:\n" + site("studio", "studio", extra))
    assert message == "\n".join(
        [
            f'{path}:11: site "studio", key "x_capacity": got the number 900, expected at most 500',
            f'{path}:12: site "studio", key "x_sms_sender": got "Centre Social", expected 1 to 11 '
            "letters or digits (no spaces, accents or punctuation), at least one letter",
            f'{path}:13: site "studio", key "presentation_resume": got 501 characters, '
            "expected at most 500",
            f'{path}:14: site "studio", key "site_web", item 1: got "www.example.org", '
            "expected a web address starting with https:// or http://",
        ]
    )


def test_load_registry_latitude_without_longitude(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "sites:\n" + site(extra="    latitude: 50.61\n"))
    assert message == f'{path}:2: site "studio": give both latitude and longitude, or neither'


def test_load_registry_bad_date(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "sites:\n" + site().replace("2025-01-06", "06/01/2025"))
    assert message == (
        f'{path}:8: site "studio", key "date_maj": got "06/01/2025", '
        "expected a date written YYYY-MM-DD, e.g. 2025-01-31"
    )


def test_load_registry_bad_id_explains_the_separators(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "sites:\n" + site("cs_lille.sud"))
    assert message == (
        f'{path}:2: site "cs_lille.sud", key "id": got "cs_lille.sud", '
        'expected 2 to 63 characters, lowercase letters, digits or "-", starting with a letter '
        'or digit ("." and "_" are not allowed: site ids appear in URLs and in tokens that use '
        "them as separators)"
    )


def test_load_registry_bad_horaires_quotes_the_bad_part(tmp_path: Path) -> None:
    path, message = rooms_error(
        tmp_path, "sites:\n" + site(extra="    horaires: Mo-Fr 9h-12h; Sa off\n")
    )
    assert message == (
        f'{path}:11: site "studio", key "horaires": "9h-12h" is not a time range: use HH:MM-HH:MM '
        '(example: "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00")'
    )


def test_load_registry_duplicate_ids_names_both_lines(tmp_path: Path) -> None:
    path, message = rooms_error(
        tmp_path, "sites:\n" + site() + site("cs-a", "centre_social") + site("cs-a")
    )
    assert message == f'{path}:20: site "cs-a", key "id": already used by the site on line 11'


def test_load_registry_duplicate_key_in_one_site(tmp_path: Path) -> None:
    path, message = rooms_error(tmp_path, "sites:\n" + site(extra="    nom: Autre nom\n"))
    assert message == f'{path}:11: site "studio", key "nom": given twice (lines 4 and 11); keep one'


def test_load_registry_needs_a_studio(tmp_path: Path) -> None:
    path, message = rooms_error(
        tmp_path, "territoire:\n  nom: MEL\nsites:\n" + site("cs-a", "centre_social")
    )
    assert (
        message == f'{path}:3: key "sites": no site has x_kind studio; expected at least one studio'
    )


def test_load_registry_error_details_follow_the_lines(tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text("sites:\n" + site(extra="    comune: Lille\n    nom: Autre\n"))
    with pytest.raises(RoomsFileError) as caught:
        load_registry(path)
    assert caught.value.details == [
        {
            "line": 11,
            "loc": ["sites", 0, "comune"],
            "problem": 'unknown key; did you mean "commune"?',
        },
        {
            "line": 12,
            "loc": ["sites", 0, "nom"],
            "problem": "given twice (lines 4 and 12); keep one",
        },
    ]


def test_registry_can_be_built_directly() -> None:
    sample = load_registry(SAMPLE)
    studio = sample.studios()[0]

    registry = Registry(sites={studio.id: studio})

    assert list(registry) == [studio]
    assert registry.partner_rooms() == ()
