"""Lupin: innovative public procurement, from need to measured effect."""
