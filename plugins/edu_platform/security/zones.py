"""The warehouse's schemas and the group role that owns each (the fixed layout)."""

from __future__ import annotations

import re

from edu_platform.security.roles import LOADER, TRANSFORMER

RAW_SCHEMA = "raw"
# Built by dbt; `seeds` and `audit` are what a release copies. The transformer may not
# create schemas: a new custom schema in dbt_project.yml must be added here.
TRANSFORMER_SCHEMAS = ("staging", "intermediate", "seeds", "audit", "audit_failures")
PUBLISHED_BY_TRANSFORMER = ("seeds", "audit")
RELEASE_CATALOG_SCHEMA = "releases"
CURRENT_SCHEMA = "current"
RELEASE_SCHEMA = re.compile(r"release_[0-9]{4}")

# The pipeline's working zones and their owners.
SCHEMA_OWNERS = {RAW_SCHEMA: LOADER, **{schema: TRANSFORMER for schema in TRANSFORMER_SCHEMAS}}
# Owned by the publisher, as is every release_NNNN schema it creates.
PUBLISHER_SCHEMAS = (RELEASE_CATALOG_SCHEMA, CURRENT_SCHEMA)
