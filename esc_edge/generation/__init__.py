"""Reply generation: prompt rendering, decoding constraints and model backends."""
