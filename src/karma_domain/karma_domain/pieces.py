"""The piece rule, defined once: slicing an object leaves pieces of a derived type.

AI2-THOR's SliceObject replaces a sliceable object by pieces: ``Apple`` -> ``AppleSliced``,
and ``Egg`` cracks (``EggCracked``). A piece's id appends ``|<PieceType>_<i>`` to its source's
id. Goals and memory count a piece as its source (``STATE(Apple, sliced)`` holds once
``AppleSliced`` pieces exist; a goal naming ``TomatoSliced`` wants a piece itself). The player,
the bridge's resolver and skill server, the planner, the executor's check and the benchmark's
judge all read this module.

>>> piece_type('Apple'), piece_type('Egg')
('AppleSliced', 'EggCracked')
>>> source_type('TomatoSliced'), source_type('eggcracked'), source_type('Apple')
('Tomato', 'egg', None)
>>> base_type('BreadSliced'), base_type('Sink'), is_piece_type('AppleSliced')
('Bread', 'Sink', True)
>>> source_id('Apple|1|2|3|AppleSliced_0'), source_id('Sink|1|2|3|SinkBasin')
('Apple|1|2|3', 'Sink|1|2|3|SinkBasin')
>>> counts_as('AppleSliced', 'apple'), counts_as('Apple', 'AppleSliced')
(True, False)
"""
from __future__ import annotations

import re

#: Suffixes of piece types: slices, and the cracked egg.
PIECE_SUFFIXES = ('Sliced', 'Cracked')
#: Sources (lower case) whose pieces are not ``<Type>Sliced``: an egg cracks.
_IRREGULAR = {'egg': 'Cracked'}
#: The last part of a piece's id: ``AppleSliced_3`` (the source's id comes before it).
PIECE_ID_PART = re.compile(r'^([A-Za-z]+?)(?:Sliced|Cracked)(?:_\d+)?$')
_LOWER_SUFFIXES = tuple(s.lower() for s in PIECE_SUFFIXES)


def piece_type(source: str) -> str:
    """The type of the pieces slicing ``source`` leaves (``Apple`` -> ``AppleSliced``); the
    source's spelling is kept (``egg`` -> ``eggCracked``)."""
    return source + _IRREGULAR.get(source.lower(), 'Sliced')


def source_type(type_name: str) -> str | None:
    """The type a piece type is made from (case-insensitive suffix, spelling kept), else None."""
    low = type_name.lower()
    for suffix in _LOWER_SUFFIXES:
        if low.endswith(suffix) and len(type_name) > len(suffix):
            return type_name[:-len(suffix)]
    return None


def is_piece_type(type_name: str) -> bool:
    """True for ``AppleSliced``, ``EggCracked`` (any case)."""
    return source_type(type_name) is not None


def base_type(type_name: str) -> str:
    """A piece type's source, else the type itself: pieces count as their source."""
    return source_type(type_name) or type_name


def source_id(object_id: str) -> str:
    """The id of the object a piece was cut from (``Apple|..|AppleSliced_0`` -> ``Apple|..``);
    other ids unchanged."""
    parts = object_id.split('|')
    if len(parts) > 1 and PIECE_ID_PART.match(parts[-1]):
        return '|'.join(parts[:-1])
    return object_id


def is_piece_id_of(object_id: str, source: str) -> bool:
    """True when ``object_id`` names a piece cut from the object ``source``."""
    return object_id.startswith(source + '|') and source_id(object_id) == source


def counts_as(label: str, wanted: str) -> bool:
    """Whether an object of type ``label`` counts as the type ``wanted`` (case-insensitive): the
    same type, or a piece of it. A piece type wanted is met only by that piece type."""
    a, b = label.lower(), wanted.lower()
    return a == b or (source_type(a) or '') == b
