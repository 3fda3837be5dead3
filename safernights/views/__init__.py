"""Blueprints: each view looks something up and renders it; the logic lives in safernights/."""
