"""Markup tools on the drawing viewer."""
