"""`esc-edge eval`: score the planner, the policy or the safety layer on a JSONL data set."""

from __future__ import annotations

from esc_edge.cli import LazyGroup

# Each evaluation lives in its own module and imports its heavy dependencies only when run.
EVALUATIONS: dict[str, str] = {
    "planner": "esc_edge.cli.eval_planner:planner",
    "generation": "esc_edge.cli.eval_generation:generation",
    "safety": "esc_edge.cli.eval_safety:safety",
}


class EvalGroup(LazyGroup):
    registry = EVALUATIONS


eval_group = EvalGroup(name="eval", help="Evaluate the planner, the policy or the safety layer.")
