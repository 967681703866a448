"""Memory modes: which memory the planner sees (the task benchmark compares them).

``karma``         long-term scene graph + short-term memory, retrieval under a budget (default).
``ltm``           the long-term scene graph only, same retrieval.
``stm``           the short-term memory plus what is visible now (the latest perception frame).
``none``          no memory: only what is visible now.
``full-history``  the baseline KARMA beats: every perception frame since the last reset
                  (at most ``max_frames``, oldest dropped) rendered whole into the prompt, no
                  retrieval and no budget; the planner may use the union of those objects
                  (latest state per id).

Regions are map knowledge, not object memory: in ``stm``, ``none`` and ``full-history`` the
region nodes of the scene graph (built from ``/karma/map/navigable``) are still given, with
``with_regions`` (default), so that a planner can ``explore(region)``; without them it could
not search at all. They are listed in the prompt and their ids are in ``memory_ids``.
No object, receptacle or relation of the scene graph reaches these modes.

Perception frames are plain data (:class:`Seen` objects): the ROS shell converts
``ObjectObservationArray`` messages. Every id the planner may name must resolve to a physical
object, so a detection without an instance id (what a robot's detector gives) is not named
here: the long-term memory associates it (type, distance) and republishes it under its memory
id on ``karma/ltm/associated``, and :meth:`PerceptionHistory.add_associated` puts it back into
the frame it came from. The skill server resolves such an id like any memory id: the object
of that type nearest to where memory (just updated by this very detection) places it, within
reach. A detection the memory has not confirmed yet (one frame of it) is not in the view.

>>> h = PerceptionHistory(max_frames=2)
>>> for t, label in [(1.0, 'Apple'), (2.0, 'Mug'), (3.0, 'Bread')]:
...     _ = h.add(Frame(t, 'cam', [Seen(f'{label}|1', label)]))
>>> [f.objects[0].type for f in h.frames], h.dropped
(['Mug', 'Bread'], 1)
>>> regions = [{'id': 'region:kitchen', 'layer': 'region', 'type': 'kitchen'},
...            {'id': 'Fridge|1', 'layer': 'receptacle', 'type': 'Fridge'}]
>>> sorted(build_view('none', (regions, []), [], h).items)     # seen since the last plan
['Bread|1', 'Mug|1', 'region:kitchen']
>>> h.mark(); sorted(build_view('none', (regions, []), [], h).items)   # a plan was made
['Bread|1', 'region:kitchen']
>>> sorted(build_view('full-history', (regions, []), [], h).items)
['Bread|1', 'Mug|1', 'region:kitchen']
>>> sorted(build_view('ltm', (regions, []), [], h).items)
['Fridge|1', 'region:kitchen']
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from karma_domain.states import thor_states

from .memory_view import MemoryItem, MemoryView
from .retrieval import Retrieval, render_item
from .text import approx_tokens, clean, is_type_label, quote

# The modes and what each reads are domain knowledge, defined once in karma_domain.modes.
from karma_domain.modes import (GRAPH_MODES, MEMORY_MODES, NO_RETRIEVAL_MODES,  # noqa: F401
                                PERCEPTION_MODES, STM_MODES)


#: The prompt's title of the memory section per mode (config/prompts/plan.txt {scene_title}).
SCENE_TITLES = {'karma': 'scene graph excerpt', 'ltm': 'scene graph excerpt',
                'stm': 'what the robot sees now', 'none': 'what the robot sees now',
                'full-history': 'every perception frame since the last reset'}


def check_mode(mode: str) -> str:
    if mode not in MEMORY_MODES:
        raise ValueError(f'unknown memory mode {mode!r}; known: {", ".join(MEMORY_MODES)}')
    return mode


@dataclass
class Seen:
    """One object in one perception frame (message-free twin of ObjectObservation)."""

    id: str
    type: str
    parent: str = ''
    states: dict = field(default_factory=dict)
    is_receptacle: bool = False
    position: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass
class Frame:
    stamp: float          # seconds (header stamp)
    source: str
    objects: list[Seen]


def frame_from_dicts(stamp: float, source: str, observations: list[dict]) -> Frame:
    """Observation dicts (``instance_id, label, parent_id, states, is_receptacle, position``)
    -> a :class:`Frame`; every string cleaned and bounded, unknown state keys dropped.
    Observations without an instance id are left out (no id the skill server could resolve;
    they come back associated, see the module docstring).

    >>> f = frame_from_dicts(0.0, 'cam', [{'label': 'Apple'}, {'instance_id': 'Mug_2', 'label': 'Mug',
    ...                                    'states': {'x': 'y'}}])
    >>> [(s.id, s.states) for s in f.objects]
    [('Mug_2', {})]
    """
    objs = []
    for o in observations:
        label = clean(o.get('label', ''), 64)
        oid = clean(o.get('instance_id', ''), 128)
        if not oid:
            continue
        states = {k: clean(v, 32) for k, v in thor_states(o.get('states') or {}).items()}
        pos = tuple(float(v) for v in (o.get('position') or (0.0, 0.0, 0.0)))[:3]
        objs.append(Seen(oid, label, clean(o.get('parent_id', ''), 128), states,
                         bool(o.get('is_receptacle')), pos))
    return Frame(float(stamp), clean(source, 32), objs)


class PerceptionHistory:
    """Perception frames since the last reset, at most ``max_frames`` (oldest dropped).

    ``add`` clears the history first when the stamp jumps back by more than
    ``backwards_s`` (a restarted bag or simulated clock); ``clear`` is the explicit reset.
    """

    def __init__(self, max_frames: int = 200, backwards_s: float = 1.0):
        if max_frames < 1:
            raise ValueError('max_frames must be >= 1')
        self.frames: deque[Frame] = deque(maxlen=max_frames)
        self.backwards_s = backwards_s
        self.dropped = 0       # frames pushed out by the bound since the last reset
        self.resets = 0
        #: frames since the last plan call (``mark``): "what the robot sees now" is what its
        #: last skill showed it (a look around is many frames), not only the very last frame
        self.recent: list[Frame] = []

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def latest(self) -> Frame | None:
        return self.frames[-1] if self.frames else None

    def add(self, frame: Frame) -> bool:
        """Append ``frame``; True when the history was cleared because time went backwards."""
        cleared = bool(self.frames) and frame.stamp < self.frames[-1].stamp - self.backwards_s
        if cleared:
            self.clear()
        if len(self.frames) == self.frames.maxlen:
            self.dropped += 1
        self.frames.append(frame)
        self.recent.append(frame)
        del self.recent[:-self.frames.maxlen]
        return cleared

    def add_associated(self, frame: Frame) -> None:
        """Detections of an earlier frame, named by the long-term memory's association (they
        carry that frame's stamp and source): added to it, or, when that frame never arrived
        (sensor-data QoS drops), kept as a frame of their own in stamp order. Never clears the
        history: the memory answers late, time has not gone backwards.

        >>> h = PerceptionHistory()
        >>> _ = h.add(Frame(1.0, 'cam', [Seen('Mug|1', 'Mug')])); _ = h.add(Frame(2.0, 'cam', []))
        >>> h.add_associated(Frame(1.0, 'cam', [Seen('Apple_1', 'Apple')]))
        >>> [[s.id for s in f.objects] for f in h.frames]
        [['Mug|1', 'Apple_1'], []]
        >>> h.add_associated(Frame(1.5, 'cam', [Seen('Egg_1', 'Egg')]))   # its frame was dropped
        >>> [f.stamp for f in h.frames], [f.stamp for f in h.recent]
        ([1.0, 1.5, 2.0], [1.0, 1.5, 2.0])
        """
        for f in reversed(self.frames):
            if f.stamp == frame.stamp and f.source == frame.source:
                have = {s.id for s in f.objects}
                f.objects.extend(s for s in frame.objects if s.id not in have)
                return
        frames = list(self.frames)
        at = len(frames)
        while at > 0 and frames[at - 1].stamp > frame.stamp:
            at -= 1
        if len(frames) == self.frames.maxlen:
            if at == 0:
                return      # older than everything the bound keeps
            self.frames.popleft()
            self.dropped += 1
            at -= 1
        self.frames.insert(at, frame)
        if not self.recent or frame.stamp >= self.recent[0].stamp:
            i = len(self.recent)
            while i > 0 and self.recent[i - 1].stamp > frame.stamp:
                i -= 1
            self.recent.insert(i, frame)
            del self.recent[:-self.frames.maxlen]

    def mark(self) -> None:
        """A plan was made: later frames start a new "now" (the current view carries over)."""
        self.recent = self.recent[-1:]

    def current(self) -> list[tuple[Seen, str]]:
        """Objects seen since the last plan call, the latest sighting per id."""
        latest: dict[str, tuple[Seen, str]] = {}
        for f in self.recent:
            for s in f.objects:
                latest[s.id] = (s, f.source)
        return list(latest.values())

    def clear(self) -> None:
        self.frames.clear()
        self.recent = []
        self.dropped = 0
        self.resets += 1

    def union(self) -> list[tuple[Seen, str]]:
        """Every object in the history, the latest sighting per id (with its frame's source),
        in order of first sighting."""
        latest: dict[str, tuple[Seen, str]] = {}
        for f in self.frames:
            for s in f.objects:
                latest[s.id] = (s, f.source)   # dict keeps the first insertion's order
        return list(latest.values())


# -- views ------------------------------------------------------------------------------
def _regions_only(graph: tuple[list[dict], list[dict]] | None) -> MemoryView:
    if not graph:
        return MemoryView()
    nodes = [n for n in graph[0] if n.get('layer') == 'region']
    return MemoryView.from_graph(nodes, [])


def _add_seen(view: MemoryView, seen: list[tuple[Seen, str]]) -> MemoryView:
    ids = {s.id for s, _ in seen}
    for s, source in seen:
        layer = 'receptacle' if s.is_receptacle else 'object'
        view.add(MemoryItem(s.id, s.type, layer, 'perception:' + (source or '?'),
                            s.parent if s.parent in ids and s.parent != s.id else '', '',
                            dict(s.states), valid_label=is_type_label(s.type)))
    return view


def build_view(mode: str, graph: tuple[list[dict], list[dict]] | None, stm_entries: list[dict] | None,
               history: PerceptionHistory, with_regions: bool = True) -> MemoryView:
    """The :class:`MemoryView` the retriever and the planner backend see in ``mode``.

    ``graph`` is the scene graph as (nodes, edges) dicts (None when unavailable),
    ``stm_entries`` the short-term entries (None when unavailable or not used).
    """
    check_mode(mode)
    if mode in GRAPH_MODES:
        view = MemoryView.from_graph(*graph) if graph else MemoryView()
    else:
        view = _regions_only(graph) if with_regions else MemoryView()
        if mode == 'full-history':
            _add_seen(view, history.union())
        elif history.recent:
            _add_seen(view, history.current())
    if mode in STM_MODES and stm_entries:
        # with the scene graph, only what it still holds: an id it merged or forgot is gone
        view = view.with_short_term(stm_entries, known_only=bool(graph) and mode in GRAPH_MODES)
    return view


# -- prompts ----------------------------------------------------------------------------
#: Tokens of a full-history prompt kept for all but the history when the budget follows the
#: model's context window: system text, worked examples, the instruction and the plan.
HISTORY_RESERVE_TOKENS = 2048


def history_budget(configured: int, context_tokens: int | None) -> int | None:
    """Tokens of perception history a full-history prompt may hold: ``configured`` when > 0,
    else the model's context window less :data:`HISTORY_RESERVE_TOKENS` (None, unbounded,
    when the backend reports no window).

    >>> history_budget(0, 8192), history_budget(3000, 8192), history_budget(0, None)
    (6144, 3000, None)
    """
    if configured > 0:
        return configured
    if not context_tokens:
        return None
    return max(256, context_tokens - HISTORY_RESERVE_TOKENS)


def render_history(history: PerceptionHistory, count_tokens=approx_tokens,
                   budget_tokens: int | None = None) -> Retrieval:
    """The history as the prompt's memory text: no retrieval, and no budget but the model's.

    ``budget_tokens`` (None: unbounded) keeps the newest whole frames that fit, and says how
    many older ones were left out: a model reads nothing past its context window, and a prompt
    that overflows it is cut by position, not by age. ``memory_ids`` are the ids of every
    object in the kept frames (order of first sighting); ``tokens`` counts, per id, every line
    that names it (frame headers and notes are counted under ``''``).
    """
    rendered = []    # (header, its tokens, [(id, line, its tokens)]) newest first, while they fit
    used = 0
    frames = list(history.frames)
    for n in range(len(frames), 0, -1):
        f = frames[n - 1]
        head = f'frame {n} (source {quote(f.source or "?", 32)}, t={f.stamp:.2f} s):'
        ids = {s.id for s in f.objects}
        body = [(s.id, render_item(MemoryItem(
                    s.id, s.type, 'receptacle' if s.is_receptacle else 'object',
                    receptacle=s.parent if s.parent in ids else '', states=s.states,
                    valid_label=is_type_label(s.type)))) for s in f.objects] or [('', '- (nothing seen)')]
        body = [(oid, line, count_tokens(line + '\n')) for oid, line in body]   # counted once
        head_tokens = count_tokens(head + '\n')
        cost = head_tokens + sum(t for _, _, t in body)
        if budget_tokens is not None and rendered and used + cost > budget_tokens:
            break    # the newest frame always goes in, whatever its size
        rendered.append((head, head_tokens, body))
        used += cost
    r = Retrieval()
    lines = []
    if history.dropped:
        lines.append(f'({history.dropped} older frame(s) dropped by the history bound)')
    left_out = len(frames) - len(rendered)
    if left_out:
        lines.append(f'({left_out} older frame(s) left out: the model reads at most '
                     f'{budget_tokens} tokens of history)')
    r.tokens[''] = sum(count_tokens(line + '\n') for line in lines)
    for head, head_tokens, body in reversed(rendered):
        lines.append(head)
        r.tokens[''] += head_tokens
        for oid, line, tokens in body:
            lines.append(line)
            if oid and oid not in r.roles:
                r.memory_ids.append(oid)
                r.roles[oid] = 'history'
            r.tokens[oid] = r.tokens.get(oid, 0) + tokens
    if not r.tokens['']:
        del r.tokens['']
    r.scene_text = '\n'.join(lines)
    return r


def add_region_lines(r: Retrieval, view: MemoryView, count_tokens=approx_tokens) -> Retrieval:
    """Append a line per region of ``view`` not already in ``r`` (so a model can explore)."""
    extra = []
    for it in view.regions():
        if it.id in r.tokens:
            continue
        line = render_item(it)
        r.memory_ids.append(it.id)
        r.roles[it.id] = 'region'
        r.tokens[it.id] = count_tokens(line + '\n')
        extra.append(line)
    if extra:
        r.scene_text = '\n'.join(([r.scene_text] if r.scene_text else []) + ['Regions (map):'] + extra)
    return r


class ModeMemory:
    """One mode's memory state for the planner shell: the perception history (when the mode
    uses perception), what to fetch, the view, and the prompt's memory when it is not retrieved.

    >>> m = ModeMemory('none')
    >>> m.needs_graph, m.needs_stm, m.needs_perception
    (True, False, True)
    >>> m.add_frame(Frame(1.0, 'cam', [Seen('Apple|1', 'Apple')]))
    >>> sorted(m.view(None, None).items), m.prompt_memory(m.view(None, None)), m.list_regions
    (['Apple|1'], None, True)
    >>> m.reset(); len(m.history)
    0
    """

    def __init__(self, mode: str = 'karma', max_frames: int = 200, with_regions: bool = True):
        self.mode = check_mode(mode)
        self.with_regions = with_regions
        self.history = PerceptionHistory(max_frames)
        self.needs_graph = mode in GRAPH_MODES or with_regions
        self.needs_stm = mode in STM_MODES
        self.needs_perception = mode in PERCEPTION_MODES
        #: list the region names in the prompt (modes without the scene graph's objects)
        self.list_regions = mode not in GRAPH_MODES and with_regions
        self.scene_title = SCENE_TITLES[mode]

    def add_frame(self, frame: Frame) -> None:
        if self.needs_perception:
            self.history.add(frame)

    def add_associated(self, frame: Frame) -> None:
        """A frame's id-less detections under the long-term memory's ids (karma/ltm/associated)."""
        if self.needs_perception:
            self.history.add_associated(frame)

    def reset(self) -> None:
        self.history.clear()

    def view(self, graph, stm_entries) -> MemoryView:
        view = build_view(self.mode, graph, stm_entries, self.history, self.with_regions)
        self.history.mark()
        return view

    def prompt_memory(self, view: MemoryView, count_tokens=approx_tokens,
                      budget_tokens: int | None = None) -> Retrieval | None:
        """The prompt's memory when it is not retrieved (full-history: the newest frames within
        ``budget_tokens``, see :func:`render_history`), else None."""
        if self.mode in NO_RETRIEVAL_MODES:
            return render_history(self.history, count_tokens, budget_tokens)
        return None
