"""esc-edge inside a Python app, in a few lines of the async API.

python examples/embed.py --yes            # pulls the default models once
python examples/embed.py --model my.gguf  # or a local GGUF policy
"""

from __future__ import annotations

import argparse
import asyncio

from esc_edge.aio import AsyncSupporter
from esc_edge.config import load_settings


async def talk(supporter: AsyncSupporter) -> None:
    # A whole reply, with the strategy the planner chose for it.
    reply = await supporter.areply("I lost my job today and I feel useless.", session="demo")
    print(f"[{reply.strategy or 'no strategy'}] {reply.text}")
    # The next turn of the same session, streamed token by token.
    async for token in supporter.astream("My partner doesn't know yet.", session="demo"):
        print(token, end="", flush=True)
    print()


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A two-turn conversation through the async API.")
    parser.add_argument("--model", help="a local GGUF policy (default: the registry's)")
    parser.add_argument("--yes", action="store_true", help="download missing models without asking")
    args = parser.parse_args(argv)
    supporter = await AsyncSupporter.open(load_settings({"model": args.model}), pull=args.yes)
    async with supporter:
        await talk(supporter)


if __name__ == "__main__":
    asyncio.run(main())
