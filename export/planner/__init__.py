"""Training and export of the strategy planner (MiniLM encoder + numpy heads)."""
