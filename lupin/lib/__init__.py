"""Pure helpers that know nothing of Django models."""
