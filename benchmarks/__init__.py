"""Measurements of the serving pipeline, run by ``manage.py bench_vision``; nothing here is served."""
