"""Safety: crisis detection before planning and vetted safety replies."""
