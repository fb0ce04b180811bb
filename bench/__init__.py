"""Benchmarks of the invoice service against the real services: ``python -m bench.run`` (``make bench``).

Sections: render (per format, with a reportlab platypus reference), pipeline (HTTP upload to GridFS, with
its two ceilings), API (wrk), scaling (1 and 2 render workers) and memory (render worker RSS). Results go
to BENCHMARKS.md and bench/results.json.
"""
