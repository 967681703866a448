"""Words of object types and queries, and the one synonym table (defined once).

A query word or phrase ("fridge", "cut", "red fruit", "something to write with") names THOR
types through :data:`SYNONYMS`; CamelCase types split into words with :func:`type_words`;
:data:`RECENCY_CUES` are the phrases that point at what the robot did recently. Read by the
one lexical type matcher (``karma_memory.textsearch.TypeMatcher``: ``FindObject`` and
retrieval's type boosts), by the label canonicaliser (:mod:`karma_domain.vocabulary`) and by
retrieval's recency boost. A deployment adds phrases in ``config/prompts/synonyms.yaml``
(same format as before: ``phrases:``, ``recency_cues:``), merged on top of these by
``karma_planning.synonyms.SynonymTable``.

>>> type_words("ButterKnife"), singular("knives"), singular("cherries")
(('butter', 'knife'), 'knive', 'cherry')
>>> SYNONYMS["refrigerator"], SYNONYMS["red fruit"]
(('fridge',), ('apple', 'tomato'))
"""
from __future__ import annotations

import re

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_WORD = re.compile(r"[a-z0-9]+")

#: Query word or phrase (lower case, words separated by one space) -> the THOR types it refers
#: to (lower-case type keys). Usage words ("cut") point at tools; phrases match whole words.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "refrigerator": ("fridge",), "freezer": ("fridge",), "cold": ("fridge",), "cool": ("fridge",),
    "chill": ("fridge",), "fridge": ("fridge",),
    "couch": ("sofa",), "tv": ("television",), "telly": ("television",),
    "trash": ("garbagecan",), "bin": ("garbagecan",), "rubbish": ("garbagecan",),
    "garbage": ("garbagecan",), "throw": ("garbagecan",), "throw away": ("garbagecan",),
    "sink": ("sinkbasin", "sink"), "basin": ("sinkbasin",), "tap": ("faucet",),
    "stove": ("stoveburner", "stoveknob"), "burner": ("stoveburner",), "hob": ("stoveburner",),
    "oven": ("microwave", "stoveburner"), "heat": ("microwave", "stoveburner"),
    "warm": ("microwave", "stoveburner"), "heated": ("microwave",), "microwaved": ("microwave",),
    "cook": ("stoveburner", "pan", "pot", "microwave"),
    "cut": ("knife", "butterknife"), "slice": ("knife", "butterknife"), "chop": ("knife",),
    "something to cut with": ("knife", "butterknife"),
    "knife": ("knife", "butterknife"), "blade": ("knife",),
    "wash": ("sinkbasin", "faucet", "sink"), "rinse": ("sinkbasin", "faucet", "sink"),
    "clean": ("sinkbasin", "faucet"),
    "drink": ("cup", "mug", "winebottle", "bottle"), "coffee": ("mug", "coffeemachine"),
    "drink container": ("mug", "cup", "bottle"), "drink from": ("mug", "cup", "bottle"),
    "something to drink from": ("mug", "cup", "bottle"), "cup of": ("mug", "cup"),
    "glass": ("cup",), "mug": ("mug", "cup"), "cup": ("cup", "mug"),
    "container": ("bowl", "box", "pot", "mug", "cup"), "bag": ("box",),
    "sit": ("chair", "sofa", "armchair", "stool"), "seat": ("chair", "sofa", "armchair", "stool"),
    "table": ("diningtable", "coffeetable", "sidetable", "desk"), "desk": ("desk", "countertop"),
    "counter": ("countertop",), "kitchen counter": ("countertop",), "worktop": ("countertop",),
    "cupboard": ("cabinet",), "cabinet": ("cabinet", "dresser"), "shelf": ("shelf", "shelvingunit"),
    "closet": ("cabinet", "dresser"), "wardrobe": ("dresser",), "lamp": ("desklamp", "floorlamp"),
    "light": ("lightswitch", "desklamp", "floorlamp"), "phone": ("cellphone",),
    "mobile": ("cellphone",), "laptop": ("laptop",), "computer": ("laptop",),
    "remote": ("remotecontrol",), "pillow": ("pillow",), "cushion": ("pillow",),
    "bed": ("bed",), "towel": ("towel", "handtowel"), "soap": ("soapbar", "soapbottle"),
    "cloth": ("cloth", "dishsponge"), "toilet paper": ("toiletpaper",), "rolls": ("toiletpaper",),
    "plant": ("houseplant",), "flower": ("vase", "houseplant"), "rubbishbin": ("garbagecan",),
    "fruit": ("apple", "banana", "orange", "tomato"), "red fruit": ("apple", "tomato"),
    "vegetable": ("lettuce", "tomato", "potato"), "veggie": ("lettuce", "tomato", "potato"),
    "leafy vegetable": ("lettuce",), "salad": ("lettuce", "tomato"),
    "eat": ("apple", "bread", "egg", "tomato", "potato"),
    "food": ("apple", "bread", "tomato", "lettuce", "potato", "egg"), "bread": ("bread",), "egg": ("egg",),
    "plate": ("plate", "dish"), "dish": ("plate", "bowl"), "frying": ("pan",), "skillet": ("pan",),
    "tableware": ("plate", "bowl", "cup", "mug", "fork", "spoon", "knife"),
    "tablewares": ("plate", "bowl", "cup", "mug", "fork", "spoon", "knife"),
    "saucepan": ("pot",), "ladle": ("ladle",), "scoop": ("ladle", "spoon"),
    "toast": ("toaster", "bread"), "water": ("faucet", "sinkbasin", "cup"),
    "book": ("book",), "read": ("book", "newspaper"), "something to read": ("book", "newspaper"),
    "pen": ("pen",), "writing": ("pen", "pencil"), "write with": ("pen", "pencil"),
    "something to write with": ("pen", "pencil"),
    "key": ("keychain",), "keys": ("keychain",),
    "wallet": ("wallet",), "money": ("creditcard", "wallet"), "card": ("creditcard",),
    # Compound detector labels, joined ("trash can" -> "trashcan").
    "trashcan": ("garbagecan",), "wastebasket": ("garbagecan",), "dustbin": ("garbagecan",),
    "garbagebin": ("garbagecan",), "coffeemaker": ("coffeemachine",),
    "microwaveoven": ("microwave",),
}

#: Phrases that point at what the robot did recently ("the mug I used"): retrieval boosts
#: what the short-term memory holds more when an instruction has one.
RECENCY_CUES: tuple[str, ...] = ("i used", "you used", "i held", "you held", "just", "earlier", "again",
                                 "last", "before", "that i", "the one")

_STOP = frozenset({"a", "an", "the", "to", "with", "for", "of", "in", "on", "at", "my", "some",
                   "something", "thing", "object", "i", "can", "use", "that", "is", "and", "or",
                   "where", "find", "me", "please"})


def type_words(t: str) -> tuple[str, ...]:
    """Split a CamelCase type into lower-case words.

    >>> type_words("ButterKnife"), type_words("TVStand")
    (('butter', 'knife'), ('tv', 'stand'))
    """
    return tuple(w.lower() for w in _CAMEL.findall(t)) or (t.lower(),)


def query_words(q: str) -> tuple[str, ...]:
    """Lower-case words of a free-text query, CamelCase split, stop words removed."""
    words = []
    for tok in re.split(r"[^A-Za-z0-9]+", q):
        words.extend(type_words(tok) if tok else ())
    return tuple(w for w in words if w not in _STOP)


def singular(w: str) -> str:
    """A word's singular by English suffix rules (``cups`` -> ``cup``, ``boxes`` -> ``box``)."""
    if len(w) > 3 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("es") and w[-3] in "sxz":
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w
