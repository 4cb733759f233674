"""HTTP simulators of the OBEC DMC, OVEC VEC and ONAB sources.

They serve ``<sim_dir>/served/`` exactly as ``shared/sources/`` specifies.
Tests use ``running_servers``; ``edu-sim start`` runs them as one detached
process (``process.py``).

Faults (``Faults`` fields; per server, set at start or live), all deterministic:
``rate_limit_every``/``retry_after`` (429), ``unavailable_every`` (503),
``slow_every``/``slow_seconds``, and for OVEC ``token_lifetime``,
``token_max_uses``, ``api_version``, ``short_page_every``. Request n gets an
``*_every`` fault when ``n % every == 0``, counting from the last switch.

Admin endpoints at each server's root (not under OBEC's ``/api``), guarded by
that source's own credentials (OBEC ``X-API-Key``, OVEC basic auth with client
id and secret, ONAB basic auth): ``GET /_sim/faults``, ``POST /_sim/faults``
with a JSON object of the faults to change (OVEC also takes
``"expire_tokens": true``), and ``GET /_sim/health`` (no credentials).
``Endpoints.set_faults(system, **changes)`` wraps them.
"""

from edu_simulators.servers.faults import SYSTEMS, Faults
from edu_simulators.servers.runner import ENV_VARS, Credentials, Endpoints, running_servers

__all__ = ["ENV_VARS", "SYSTEMS", "Credentials", "Endpoints", "Faults", "running_servers"]
