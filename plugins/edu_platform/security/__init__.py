"""Least privilege in the warehouse: who may read and write what (PDPA B.E. 2562).

Learner records are personal data of children, so every step of the pipeline and
every reader gets exactly the rights its job needs, and nothing depends on people
remembering to grant: the project's set-up creates the roles and grants them
(`apply.apply_security`, idempotent), and default privileges give tables created
later the right grants.

Two kinds of roles:

- **group roles** (NOLOGIN) hold the rights and own the objects: `loader`,
  `transformer`, `publisher`, `analyst`, and one `affiliation_<code>` per affiliation
  of the province's sources (`affiliation_opec`...);
- **login roles** `<group>_login` (`loader_login`, `transformer_login`,
  `publisher_login`, `analyst_login`) are what the pipeline's connections log in
  with. Each is a member of its group and has the per-role setting `role = <group>`,
  so its sessions act as the group: whatever they create is owned by the group,
  never by the role someone logs in with. Their passwords are generated secrets
  (`EDU_PG_<GROUP>_PASSWORD` in `var/secrets.env`, or the environment), sent to the
  server only as SCRAM verifiers. Affiliation roles have no login of the project's:
  give a person of that affiliation a login role that is a member of it.

Who owns what (`zones.py`), and who else may touch it:

- `raw` (entity tables, `batches`, `quarantine`, `watermarks`): the loader owns and
  writes it; the transformer reads it; nobody else may even use the schema;
- `staging`, `intermediate`, `audit_failures`: the transformer's alone (staging
  still holds source record keys);
- `seeds`, `audit`: the transformer's; the publisher reads them to copy a release;
- `releases`, `current`, every `release_NNNN`: the publisher's; the analyst reads
  them, except `feedback_records`; each affiliation role reads its own rows of the
  feedback tables (row-level security, `release_policy.py`);
- `edu_private` (the pseudonym key): set-up's role; the transformer may only execute
  `edu_private.pseudonym(text)` (`edu_platform.pseudonym_key`).

The superuser (or the configured `WAREHOUSE_URL` user) is used for set-up only.
PUBLIC may not connect to the warehouse database; each group role may.
"""

from edu_platform.security.release_policy import secure_release_schema

__all__ = ["secure_release_schema"]
