# The platform's image for hosts with Docker (see docker-compose.yml). The
# embedded default run and the tests do not need it.
FROM apache/airflow:3.3.2-python3.11
COPY --chown=airflow:root requirements.txt constraints.txt pyproject.toml /opt/edu/
COPY --chown=airflow:root plugins /opt/edu/plugins
COPY --chown=airflow:root include /opt/edu/include
RUN pip install --no-cache-dir -r /opt/edu/requirements.txt -c /opt/edu/constraints.txt \
 && pip install --no-cache-dir --no-deps -e /opt/edu
COPY --chown=airflow:root dags /opt/edu/dags
COPY --chown=airflow:root dbt_project /opt/edu/dbt_project
WORKDIR /opt/edu
