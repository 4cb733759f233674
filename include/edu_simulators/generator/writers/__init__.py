"""One writer per source interface (shared/sources/*.md)."""
