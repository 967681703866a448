# KARMA-ROS. Quick start: `make demo`, `make test`. Both run `make setup` first.
.PHONY: setup demo test bench clean setup-llama test-llama

export ROS_AUTOMATIC_DISCOVERY_RANGE := LOCALHOST

setup:
	@bash scripts/setup.sh

# Perception profile of the demo (config/perception): `make demo PERCEPTION=oracle`.
PERCEPTION ?= realistic

demo: setup
	@ROS_DOMAIN_ID=$${ROS_DOMAIN_ID:-77} ./karma exec python -m karma_bench.demo --perception $(PERCEPTION)

test: setup
	@bash scripts/test.sh

bench: setup
	./karma bench memory --out out/bench
	./karma bench sim --out out/bench
	./karma bench retrieval --out out/bench
	./karma bench tasks --suite suites/alfred_l.json --out out/bench/tasks

# Opt-in: the openai backend against a real llama.cpp server (builds llama-cpp-python once).
setup-llama: setup
	@bash scripts/setup_llama.sh

test-llama: setup-llama
	./karma exec python -m pytest -q -p no:cacheprovider tests/optional/test_llama_server.py

clean:
	rm -rf ros2_ws/build ros2_ws/install ros2_ws/log
