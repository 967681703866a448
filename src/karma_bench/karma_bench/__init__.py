"""KARMA-ROS benchmark core (no rclpy).

Modules: ``goals`` (goal grammar), ``suite`` (``karma-task-suite/1`` loader),
``world`` (ground-truth snapshot queries), ``checker`` (``TaskJudge``),
``scenedata`` (object types per iTHOR FloorPlan), ``validate`` (suite vs scene data),
``report`` (``karma-bench-results/1``), ``clean_alfred_l`` + ``alfred_l_fixes`` (build
``suites/alfred_l.json`` from the raw KARMA lists).
"""
