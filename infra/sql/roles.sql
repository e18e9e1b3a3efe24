-- Trine vault: database roles that make row-level security bite (DESIGN.md §5).
-- Run once, as a superuser, with psql (it uses psql variables and \connect):
--
--   psql "postgres://postgres@db.internal/postgres" -v ON_ERROR_STOP=1 \
--        -v owner_password="$TRINE_OWNER_DB_PASSWORD" -v app_password="$TRINE_APP_DB_PASSWORD" \
--        [-v db=trine] -f infra/sql/roles.sql
--
-- Roles:
--   trine_owner  LOGIN, owns the database, the schema and (through the vault's migrations)
--                every table. Used only for migrations and operator commands:
--                TRINE_OWNER_DATABASE_URL=postgres://trine_owner:…@db.internal/trine
--   trine_app    NOLOGIN, the role every request transaction switches to
--                (SET LOCAL ROLE trine_app); the migrations grant it the table rights and
--                the RLS policies apply to it: a request sees only its own user's rows.
--   trine_vault  LOGIN, NOINHERIT: what the vault processes connect as
--                (DATABASE_URL=postgres://trine_vault:…@db.internal/trine). On its own it
--                can read no table at all; it can only become trine_app. It owns nothing,
--                so it cannot disable RLS, drop a policy or alter a table, and it is not
--                a member of trine_owner.
-- None of them is a superuser, has BYPASSRLS, CREATEDB, CREATEROLE or REPLICATION.
-- Idempotent: an existing role keeps its password unless you ALTER it.
\set ON_ERROR_STOP on
\if :{?db}
\else
  \set db trine
\endif
\if :{?owner_password}
\else
  \echo 'roles.sql: pass -v owner_password=… and -v app_password=…'
  \quit
\endif
\if :{?app_password}
\else
  \echo 'roles.sql: pass -v app_password=…'
  \quit
\endif

SELECT format(
  'CREATE ROLE trine_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
  :'owner_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'trine_owner') \gexec

SELECT 'CREATE ROLE trine_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'trine_app') \gexec

SELECT format(
  'CREATE ROLE trine_vault LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 200 PASSWORD %L',
  :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'trine_vault') \gexec

-- The vault's processes may become trine_app, and nothing else.
GRANT trine_app TO trine_vault;
-- The owner is a member too, so the migration that grants trine_app to the migrating
-- user finds nothing to do (granting a role needs CREATEROLE, which the owner lacks).
GRANT trine_app TO trine_owner;

SELECT format('CREATE DATABASE %I OWNER trine_owner', :'db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec

REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO trine_owner;
GRANT CONNECT ON DATABASE :"db" TO trine_vault;

\connect :"db"
-- Only the owner creates objects; trine_app gets USAGE and table rights from the
-- migrations (apps/vault/drizzle/0001_rls.sql).
ALTER SCHEMA public OWNER TO trine_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO trine_app;
-- The login role calls the vault's SQL functions (trine_hit, trine_read_auth_share:
-- drizzle/0004) by name; they switch to trine_app themselves. USAGE lets it name them; it
-- still holds no right on any table (e2e/prod/refusals.spec.ts checks it reads nothing).
GRANT USAGE ON SCHEMA public TO trine_vault;
