"""Provincial education data platform: extraction, warehouse, quality gates, releases.

Airflow puts `plugins/` on `sys.path`, so DAGs import this package directly; tests
and the command line get it from the editable install (`pip install -e .`).
"""
