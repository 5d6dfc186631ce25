"""Blueprints: each module holds one ``bp``."""
