"""Strategy planning: which of ESConv's eight strategies the supporter uses next."""
