"""Words of object types and queries, and the one word-synonym table (defined once).

A query word ("fridge", "cut", "trash") names THOR types through :data:`SYNONYMS`; CamelCase
types split into words with :func:`type_words`. The scene graph's lexical matcher
(``karma_memory.textsearch``) and the label canonicaliser (:mod:`karma_domain.vocabulary`)
both read them.

>>> type_words("ButterKnife"), singular("knives"), singular("cherries")
(('butter', 'knife'), 'knive', 'cherry')
>>> SYNONYMS["refrigerator"]
('fridge',)
"""
from __future__ import annotations

import re

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_WORD = re.compile(r"[a-z0-9]+")

#: Query word -> THOR types it refers to (lower case). Usage words ("cut") point at tools.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "refrigerator": ("fridge",), "freezer": ("fridge",), "cold": ("fridge",), "cool": ("fridge",),
    "couch": ("sofa",), "tv": ("television",), "telly": ("television",),
    "trash": ("garbagecan",), "bin": ("garbagecan",), "rubbish": ("garbagecan",),
    "garbage": ("garbagecan",), "sink": ("sinkbasin", "sink"), "basin": ("sinkbasin",),
    "stove": ("stoveburner", "stoveknob"), "burner": ("stoveburner",), "hob": ("stoveburner",),
    "oven": ("microwave", "stoveburner"), "heat": ("microwave", "stoveburner"),
    "warm": ("microwave", "stoveburner"), "cook": ("stoveburner", "pan", "pot", "microwave"),
    "cut": ("knife", "butterknife"), "slice": ("knife", "butterknife"), "chop": ("knife",),
    "knife": ("knife", "butterknife"), "blade": ("knife",),
    "wash": ("sinkbasin", "faucet"), "rinse": ("sinkbasin", "faucet"), "clean": ("sinkbasin", "faucet"),
    "drink": ("cup", "mug", "winebottle", "bottle"), "coffee": ("mug", "coffeemachine"),
    "glass": ("cup",), "mug": ("mug", "cup"), "cup": ("cup", "mug"),
    "sit": ("chair", "sofa", "armchair", "stool"), "seat": ("chair", "sofa", "armchair", "stool"),
    "table": ("diningtable", "coffeetable", "sidetable", "desk"), "desk": ("desk",),
    "counter": ("countertop",), "worktop": ("countertop",), "cupboard": ("cabinet",),
    "closet": ("cabinet", "dresser"), "wardrobe": ("dresser",), "lamp": ("desklamp", "floorlamp"),
    "light": ("lightswitch", "desklamp", "floorlamp"), "phone": ("cellphone",),
    "mobile": ("cellphone",), "laptop": ("laptop",), "computer": ("laptop",),
    "remote": ("remotecontrol",), "pillow": ("pillow",), "cushion": ("pillow",),
    "bed": ("bed",), "towel": ("towel", "handtowel"), "soap": ("soapbar", "soapbottle"),
    "plant": ("houseplant",), "flower": ("vase", "houseplant"), "rubbishbin": ("garbagecan",),
    "fruit": ("apple", "banana", "orange"), "vegetable": ("lettuce", "tomato", "potato"),
    "veggie": ("lettuce", "tomato", "potato"), "eat": ("apple", "bread", "egg", "tomato", "potato"),
    "plate": ("plate", "dish"), "dish": ("plate", "bowl"), "frying": ("pan",), "skillet": ("pan",),
    "saucepan": ("pot",), "toast": ("toaster", "bread"), "water": ("faucet", "sinkbasin", "cup"),
    "book": ("book",), "read": ("book", "newspaper"), "key": ("keychain",), "keys": ("keychain",),
    "wallet": ("wallet",), "money": ("creditcard", "wallet"), "card": ("creditcard",),
    # Compound detector labels, joined ("trash can" -> "trashcan").
    "trashcan": ("garbagecan",), "wastebasket": ("garbagecan",), "dustbin": ("garbagecan",),
    "garbagebin": ("garbagecan",), "coffeemaker": ("coffeemachine",),
    "microwaveoven": ("microwave",),
}

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
