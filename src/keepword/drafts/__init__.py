"""Drafts to clients as words: Jinja2 templates (a team may override them) and .eml files."""
