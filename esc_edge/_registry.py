"""A tiny named registry: implementations register a factory under a name chosen in configuration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from esc_edge.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        def decorator(factory: Callable[..., T]) -> Callable[..., T]:
            self._factories[name] = factory
            return factory

        return decorator

    def add(self, name: str, factory: Callable[..., T]) -> None:
        self._factories[name] = factory

    def get(self, name: str) -> Callable[..., T]:
        try:
            return self._factories[name]
        except KeyError:
            known = ", ".join(sorted(self._factories)) or "none"
            raise ConfigError(f"unknown {self.kind} {name!r}", hint=f"known: {known}") from None

    def names(self) -> list[str]:
        return sorted(self._factories)
