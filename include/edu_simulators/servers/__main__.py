"""``python -m edu_simulators.servers``: the detached process ``edu-sim start`` runs."""

from edu_simulators.servers.process import child_main

if __name__ == "__main__":
    child_main()
