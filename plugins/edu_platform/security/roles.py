"""The warehouse's roles, from the province's configuration (affiliations of its sources)."""

from __future__ import annotations

from dataclasses import dataclass

from edu_platform.province_config import ProvinceConfig

LOADER = "loader"
TRANSFORMER = "transformer"
PUBLISHER = "publisher"
ANALYST = "analyst"
# Group roles the pipeline's connections log in as (through `<group>_login`).
LOGIN_GROUPS = (LOADER, TRANSFORMER, PUBLISHER, ANALYST)
# Session defaults of a login. The transformer's sessions are dbt's set-based models and
# gates over whole censuses: JIT-compiling 40+ functions per query costs more than it
# saves there, and their sorts and hashes fit in memory. Set on the login, they reach
# the tests too, where no hook can set them (dbt test about 10% faster at Rayong).
LOGIN_SETTINGS = {TRANSFORMER: {"jit": "off", "work_mem": "256MB"}}


def login_role(group: str) -> str:
    return f"{group}_login"


def password_secret(group: str) -> str:
    """The secret (environment variable, `var/secrets.env` line) of a login's password."""
    return f"EDU_PG_{group.upper()}_PASSWORD"


LOGIN_PASSWORD_SECRETS = tuple(password_secret(group) for group in LOGIN_GROUPS)


def affiliation_role(code: str) -> str:
    """`affiliation_opec` for OPEC: role names are folded to lower case like SQL's."""
    return f"affiliation_{code.lower()}"


@dataclass(frozen=True)
class WarehouseRoles:
    affiliations: tuple[str, ...]  # affiliation codes as the data holds them ("OPEC")

    @property
    def affiliation_roles(self) -> dict[str, str]:
        """Affiliation code -> its role."""
        return {code: affiliation_role(code) for code in self.affiliations}

    @property
    def groups(self) -> tuple[str, ...]:
        """Every NOLOGIN group role."""
        return (*LOGIN_GROUPS, *self.affiliation_roles.values())


def warehouse_roles(province: ProvinceConfig) -> WarehouseRoles:
    codes = {str(config["affiliation"]) for config in province.sources.values()
             if config.get("affiliation")}
    return WarehouseRoles(tuple(sorted(codes)))
