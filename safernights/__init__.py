"""Safer Nights: help and information about consent and sexual assault on a night out."""
