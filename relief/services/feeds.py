"""Placeholder while being written (replaced in this change)."""
KIND = "relief_feed_import"
