"""esc-edge: a private emotional-support chatbot that runs on your own machine."""

from esc_edge.config import Settings, load_settings
from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import (
    BackendUnavailableError,
    BusyError,
    CancelledError,
    ConfigError,
    EscEdgeError,
    GenerationError,
    HistoryError,
    InputError,
    ModelCorruptError,
    ModelError,
    ModelLoadError,
    ModelNotFoundError,
    PullError,
)
from esc_edge.generation.base import CancelToken
from esc_edge.planner.base import Plan
from esc_edge.safety.base import Assessment
from esc_edge.supporter import Reply, ReplyStream, Supporter, Timings

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "BackendUnavailableError",
    "BusyError",
    "CancelToken",
    "CancelledError",
    "ConfigError",
    "Conversation",
    "EscEdgeError",
    "GenerationError",
    "HistoryError",
    "InputError",
    "ModelCorruptError",
    "ModelError",
    "ModelLoadError",
    "ModelNotFoundError",
    "Plan",
    "PullError",
    "Reply",
    "ReplyStream",
    "Settings",
    "Supporter",
    "Timings",
    "Turn",
    "__version__",
    "load_settings",
]
