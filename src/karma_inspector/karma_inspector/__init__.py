"""KARMA-ROS inspection: MCAP recordings (:mod:`.mcap_log`, ``recorder_node``), replay into a
fresh memory (:mod:`.replay`), the live web inspector (``inspector_node``, :mod:`.view`)."""
