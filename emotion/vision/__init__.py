"""Face detection and emotion classification, free of Django.

Shared by the Celery worker and by ``training/``: the label order and the face
preprocessing are defined here once.
"""
