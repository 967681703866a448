"""Score object types against a query: exact type, words, synonyms, substrings.

This is the fast lexical matcher behind :meth:`SceneGraph.find` (embedding retrieval lives in
the planner's retrieval module). Scores depend only on the query and the set of known types,
so they are cached per query; finding then costs one dict look-up per matching type.

>>> m = TypeMatcher()
>>> m.score("butter knife", "ButterKnife")
1.0
>>> m.score("something to cut bread with", "Knife") > 0
True
>>> m.score("fridge", "Apple")
0.0
"""
from __future__ import annotations

import re
from functools import lru_cache

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


def _singular(w: str) -> str:
    if len(w) > 3 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("es") and w[-3] in "sxz":
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


class TypeMatcher:
    """Relevance in [0, 1] of an object type for a query; see :meth:`score`."""

    def __init__(self, synonyms: dict[str, tuple[str, ...]] | None = None):
        self.synonyms = SYNONYMS if synonyms is None else synonyms
        self.score = lru_cache(maxsize=65536)(self._score)

    def _score(self, query: str, typ: str) -> float:
        """1.0 exact type; 0.9 all type words in the query; 0.7 synonym; <=0.6 partial/substring."""
        return self._score_words(_query_key(query), typ)

    def match(self, query: str, types) -> list[tuple[float, str]]:
        """``[(score, type)]`` of the ``types`` scoring above 0, best first, ties by type.

        Parses the query once for all types (the cold path of :meth:`SceneGraph.find`).
        """
        qk = _query_key(query)
        out = [(s, t) for t in types if (s := self._score_words(qk, t)) > 0.0]
        out.sort(key=lambda p: (-p[0], p[1]))
        return out

    def _score_words(self, qk, typ: str) -> float:
        words, wset, joined = qk
        if not words:
            return 0.0
        tl, tw = _type_key(typ)
        if joined == tl or joined == _singular(tl):
            return 1.0
        if all(w in wset for w in tw):
            return 0.9
        best = 0.0
        syn = self.synonyms
        for w in words:
            if tl in syn.get(w, ()):
                best = 0.7
                break
        overlap = sum(1 for w in tw if w in wset)
        if overlap:
            best = max(best, 0.6 * overlap / len(tw))
        if len(joined) >= 3 and (joined in tl or (len(tl) >= 4 and tl in joined)):
            best = max(best, 0.5)
        return best


@lru_cache(maxsize=4096)
def _query_key(query: str):
    words = tuple(_singular(w) for w in query_words(query))
    return words, frozenset(words), "".join(words)


@lru_cache(maxsize=65536)
def _type_key(typ: str):
    return typ.lower(), tuple(_singular(w) for w in type_words(typ))
