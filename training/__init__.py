"""Offline training of the emotion classifier. Never imported by the web app."""
