"""karma_thor: the embedded AI2-THOR player (plain Python, no rclpy).

>>> from karma_thor import Simulator, player_path
"""
from .paths import player_path
from .simulator import Simulator

__all__ = ["Simulator", "player_path"]
