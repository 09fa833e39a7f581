"""``python -m esc_edge.cli``: the same as the ``esc-edge`` command."""

from esc_edge.cli import main

if __name__ == "__main__":
    main()
