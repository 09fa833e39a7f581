"""Training and export of the ESC policy (SmolLM2 LoRA -> llama.cpp adapter GGUF)."""
