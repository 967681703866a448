"""KARMA-ROS planning core (no rclpy).

Modules: ``skills`` (the canonical skill catalogue and its semantics), ``memory_view``
(memory items from the scene graph and the short-term memory), ``retrieval`` (instruction ->
memory excerpt under a token budget), ``prompt`` (templates in config/prompts), ``validate``
(parse and check model output), ``admissible`` (symbolic state and admissible next steps),
``reference`` (goal-oracle planner), ``backends`` (transformers, openai, reference),
``planner`` (the whole plan call).
"""
