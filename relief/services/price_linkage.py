"""Placeholder while being written (replaced in this change)."""
KIND = "relief_price_linkage"
