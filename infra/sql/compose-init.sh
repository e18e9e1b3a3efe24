#!/bin/sh
# PostgreSQL image init hook (infra/compose.yaml): runs infra/sql/roles.sql once, on an
# empty data directory, with the passwords from the environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$TRINE_OWNER_DB_PASSWORD" -v app_password="$TRINE_APP_DB_PASSWORD" \
  -f /trine/roles.sql
