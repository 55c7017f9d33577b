"""In-place experiments: one script, rerun once per arm, reading which arm is active from a JSON file.

The file keeps TinyTroupe's layout (``experiments``, ``active_experiment``,
``finished_experiments``, ``finished_all_experiments``) and is written atomically after every
change. Unlike the original, nothing here needs a notebook restart: a script asks
:meth:`InPlaceExperimentRunner.get_active_experiment`, runs that arm, stores its results and
calls :meth:`activate_next_experiment`. For arms run in one process, see
:class:`tinytroupe.experimentation.ExperimentRunner`.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from tinytroupe.errors import SpecificationError, StateError
from tinytroupe.experimentation.statistical_tests import StatisticalTester

__all__ = ["InPlaceExperimentRunner", "merge_results"]

logger = logging.getLogger(__name__)


def merge_results(old: Any, new: Any) -> Any:
    """Lists are concatenated, dicts merged key by key, anything else replaced by ``new``."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for key, value in new.items():
            out[key] = merge_results(old[key], value) if key in old else value
        return out
    if isinstance(old, list) and isinstance(new, list):
        return old + new
    return new


class InPlaceExperimentRunner:
    """Tracks which experiment (arm) is active across runs of the same script."""

    def __init__(self, config_file_path: str | os.PathLike = "experiment_config.json"):
        self.config_file_path = os.fspath(config_file_path)  # a string, as in the original
        self.experiment_config = self._load_or_create_config(Path(self.config_file_path))
        self._save_config()

    # -- arms ------------------------------------------------------------------------------
    def add_experiment(self, experiment_name: str) -> None:
        """Declare an arm (no change when it exists)."""
        self.experiment_config["experiments"].setdefault(experiment_name, {})
        self._save_config()

    def activate_next_experiment(self) -> None:
        """Finish the active arm (if any) and activate the next unfinished one, in declaration order."""
        cfg = self.experiment_config
        if cfg["finished_all_experiments"]:
            return
        names = list(cfg["experiments"])
        if not names:
            raise SpecificationError("no experiments to activate; call add_experiment(name) first")
        active = cfg.get("active_experiment")
        if active and active not in cfg["finished_experiments"]:
            cfg["finished_experiments"].append(active)
        start = names.index(active) + 1 if active in names else 0
        following = [n for n in names[start:] + names[:start] if n not in cfg["finished_experiments"]]
        cfg["active_experiment"] = following[0] if following else None
        cfg["finished_all_experiments"] = not following
        self._save_config()

    def fix_active_experiment(self, experiment_name: str) -> None:
        """Make ``experiment_name`` the active arm."""
        self._require(experiment_name)
        self.experiment_config["active_experiment"] = experiment_name
        self.experiment_config["finished_all_experiments"] = False
        self._save_config()

    def get_active_experiment(self) -> str | None:
        return self.experiment_config.get("active_experiment")

    def get_unfinished_experiments(self) -> list[str]:
        finished = set(self.experiment_config["finished_experiments"])
        return [n for n in self.experiment_config["experiments"] if n not in finished]

    def has_finished_all_experiments(self) -> bool:
        return bool(self.experiment_config.get("finished_all_experiments", False))

    def finish_active_experiment(self) -> bool:
        """Mark the active arm finished without activating another; False when none is active."""
        cfg = self.experiment_config
        active = cfg.get("active_experiment")
        if not active:
            return False
        if active not in cfg["finished_experiments"]:
            cfg["finished_experiments"].append(active)
        cfg["active_experiment"] = None
        cfg["finished_all_experiments"] = not self.get_unfinished_experiments()
        self._save_config()
        return True

    # -- results ---------------------------------------------------------------------------
    def add_experiment_results(self, results: dict[str, Any], experiment_name: str | None = None,
                               merge: bool = True) -> None:
        """Store results (``{metric: [values]}``) for an arm (default: the active one)."""
        name = experiment_name or self.get_active_experiment()
        if name is None:
            raise SpecificationError("no active experiment to add results to; pass experiment_name=")
        arm = self._require(name)
        arm["results"] = merge_results(arm.get("results", {}), results) if merge else \
            {**arm.get("results", {}), **results}
        self._save_config()

    def get_experiment_results(self, experiment_name: str | None = None) -> Any:
        if experiment_name is None:
            return {n: d.get("results", {}) for n, d in self.experiment_config["experiments"].items()}
        return self._require(experiment_name).get("results", {})

    def run_statistical_tests(self, control_experiment_name: str, test_type: str = "welch_t_test",
                              alpha: float = 0.05) -> dict[str, Any]:
        """Compare the control arm's results with every other arm's; stored beside the control."""
        control = self._require(control_experiment_name)
        treatments = {n: d.get("results", {}) for n, d in self.experiment_config["experiments"].items()
                      if n != control_experiment_name}
        tester = StatisticalTester(control.get("results", {}), treatments)
        results = tester.run_test(test_type, alpha)
        control["statistical_test_results_vs_others"] = results
        self._save_config()
        return results

    # -- file ------------------------------------------------------------------------------
    def _require(self, name: str) -> dict[str, Any]:
        arms = self.experiment_config["experiments"]
        if name not in arms:
            raise SpecificationError(f"experiment {name!r} does not exist in {self.config_file_path}; "
                                     f"known: {', '.join(arms) or 'none'} (add_experiment first)")
        return arms[name]

    @staticmethod
    def _load_or_create_config(path: Path) -> dict[str, Any]:
        default = {"experiments": {}, "active_experiment": None, "finished_all_experiments": False,
                   "finished_experiments": []}
        if not path.exists():
            return default
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StateError(f"{path}: not a readable experiment file ({exc}); delete it to start afresh") from None
        if not isinstance(loaded, dict) or not isinstance(loaded.get("experiments"), dict):
            raise StateError(f"{path}: no 'experiments' object; delete it to start afresh")
        logger.info("loaded experiment state from %s (delete it to rerun every arm)", path)
        return {**default, **loaded}

    def _save_config(self) -> None:
        path = Path(self.config_file_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.experiment_config, indent=4, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
