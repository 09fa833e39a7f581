"""The planner network in torch: MiniLM encoder, mean pooling, two linear heads.

The heads read ``[pooled (384) ; strategy features (see esc_edge.planner.features)]``. Export keeps
the encoder in ONNX and the heads as numpy arrays, so the runtime does pooling + heads in numpy
exactly as :meth:`PlannerNet.forward` does here (dropout is off at inference).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn


class PlannerNet(nn.Module):
    def __init__(
        self, encoder: Any, n_features: int, n_strategies: int, n_emotions: int, dropout: float = 0.1
    ) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.strategy_head = nn.Linear(hidden + n_features, n_strategies)
        self.emotion_head = nn.Linear(hidden + n_features, n_emotions)

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def hidden_below(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, layer: int) -> torch.Tensor:
        """Hidden states entering encoder layer ``layer`` (what frozen lower layers produce)."""
        hidden = self.encoder.embeddings(input_ids=input_ids)
        extended = self.encoder.get_extended_attention_mask(attention_mask, input_ids.shape)
        for block in self.encoder.encoder.layer[:layer]:
            hidden = block(hidden, attention_mask=extended)[0]
        return hidden

    def forward_from(
        self, hidden: torch.Tensor, attention_mask: torch.Tensor, features: torch.Tensor, layer: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Same as :meth:`forward`, starting from the hidden states entering layer ``layer``."""
        extended = self.encoder.get_extended_attention_mask(attention_mask, attention_mask.shape)
        for block in self.encoder.encoder.layer[layer:]:
            hidden = block(hidden, attention_mask=extended)[0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        joined = torch.cat([self.dropout(pooled), features], dim=-1)
        return self.strategy_head(joined), self.emotion_head(joined)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, features: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        joined = torch.cat([self.dropout(self.pooled(input_ids, attention_mask)), features], dim=-1)
        return self.strategy_head(joined), self.emotion_head(joined)

    def head_arrays(self) -> dict[str, np.ndarray]:
        """Head weights laid out for ``x @ W + b`` in numpy (float32)."""

        def arr(t: torch.Tensor) -> np.ndarray:
            return t.detach().cpu().float().numpy()

        return {
            "strategy_W": arr(self.strategy_head.weight).T.copy(),
            "strategy_b": arr(self.strategy_head.bias),
            "emotion_W": arr(self.emotion_head.weight).T.copy(),
            "emotion_b": arr(self.emotion_head.bias),
        }


def build(base_model: Path, n_features: int, n_strategies: int, n_emotions: int) -> PlannerNet:
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(base_model), local_files_only=True)
    return PlannerNet(encoder, n_features, n_strategies, n_emotions)


def load_tokenizer(path: Path, max_length: int) -> Any:
    """The same `tokenizers` object the runtime uses, with our truncation and no padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer
