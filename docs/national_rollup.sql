-- National roll-up of several provinces' published indicators (README, "Several provinces").
--
-- Each province's warehouse is a database of its own (`warehouse_database` in
-- include/provinces/<slug>.yaml). This script runs in a roll-up database of its own
-- (e.g. `national`), as a user who may create extensions and foreign servers, and reads
-- each province's latest release (schema `current`) as the analyst:
--
--   psql -v ON_ERROR_STOP=1 -v host=127.0.0.1 -v port=55432 \
--        -v analyst_password="$EDU_PG_ANALYST_PASSWORD" -d national -f docs/national_rollup.sql
--
-- One block per province; add a province with one more block and one more UNION ALL.
-- It can be run again at any time: it re-imports the `current` views.

CREATE EXTENSION IF NOT EXISTS postgres_fdw;

DROP SERVER IF EXISTS warehouse_rayong CASCADE;
CREATE SERVER warehouse_rayong FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host :'host', port :'port', dbname 'warehouse');
CREATE USER MAPPING FOR CURRENT_USER SERVER warehouse_rayong
    OPTIONS (user 'analyst_login', password :'analyst_password');
CREATE SCHEMA IF NOT EXISTS rollup_rayong;
IMPORT FOREIGN SCHEMA current LIMIT TO (indicators)
    FROM SERVER warehouse_rayong INTO rollup_rayong;

DROP SERVER IF EXISTS warehouse_sukhothai CASCADE;
CREATE SERVER warehouse_sukhothai FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host :'host', port :'port', dbname 'warehouse_sukhothai');
CREATE USER MAPPING FOR CURRENT_USER SERVER warehouse_sukhothai
    OPTIONS (user 'analyst_login', password :'analyst_password');
CREATE SCHEMA IF NOT EXISTS rollup_sukhothai;
IMPORT FOREIGN SCHEMA current LIMIT TO (indicators)
    FROM SERVER warehouse_sukhothai INTO rollup_sukhothai;

-- Every province's cells in one view, kept apart by province_code.
CREATE VIEW national_indicators AS
SELECT province_code, indicator, academic_year, area_code, affiliation, level, grade,
       age_group, sex, value_published, numerator, denominator, unit, flags, withheld
FROM rollup_rayong.indicators
UNION ALL
SELECT province_code, indicator, academic_year, area_code, affiliation, level, grade,
       age_group, sex, value_published, numerator, denominator, unit, flags, withheld
FROM rollup_sukhothai.indicators;

-- Enrolment ratios of the provinces together: each province's own cell (area = the
-- province) contributes its numerator and denominator; withheld cells are left out
-- and named.
SELECT indicator, academic_year, level, sex,
       count(*) FILTER (WHERE NOT withheld) AS provinces,
       string_agg(province_code, ',' ORDER BY province_code) FILTER (WHERE withheld)
           AS withheld_in,
       sum(numerator) FILTER (WHERE NOT withheld) AS numerator,
       sum(denominator) FILTER (WHERE NOT withheld) AS denominator,
       round((100 * sum(numerator) FILTER (WHERE NOT withheld)
              / nullif(sum(denominator) FILTER (WHERE NOT withheld), 0))::numeric, 2)
           AS value
FROM national_indicators
WHERE indicator IN ('GER', 'NER', 'ANER') AND affiliation = 'ALL'
  AND area_code = province_code
GROUP BY indicator, academic_year, level, sex
ORDER BY indicator, academic_year, level, sex;
