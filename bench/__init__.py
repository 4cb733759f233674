"""Benchmarks of the platform: loading, extraction, dbt, the main run, DAG parsing.

`python -m bench --preset tiny|rayong|national [--only loader,extract,dbt,e2e,parse]`
(or `make bench PRESET=...`). They are not part of the test suite's verdict;
`tests/bench/` only checks that each produces sane figures on `tiny`.
"""
