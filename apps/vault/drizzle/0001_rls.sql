-- Row-level security for the user tables (DESIGN.md §5).
-- Requests run as the NOLOGIN role trine_app (SET LOCAL ROLE), which is neither the
-- table owner nor a superuser and does not bypass RLS; each request transaction sets
-- trine.user_key to the verified subject, and the policies below compare it with the
-- row. Without the setting, current_setting(..., true) is NULL and no row matches.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'trine_app') THEN
    CREATE ROLE trine_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database of the cluster created it concurrently (roles are cluster-wide)
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'trine_app', 'MEMBER') THEN
    EXECUTE format('GRANT trine_app TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO trine_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON wallets TO trine_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_events TO trine_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE audit_events_id_seq TO trine_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_buckets TO trine_app;
--> statement-breakpoint
GRANT SELECT ON apps TO trine_app;
--> statement-breakpoint
ALTER TABLE wallets ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY wallets_own ON wallets TO trine_app
  USING (user_key = current_setting('trine.user_key', true))
  WITH CHECK (user_key = current_setting('trine.user_key', true));
--> statement-breakpoint
CREATE POLICY audit_events_own ON audit_events TO trine_app
  USING (user_key = current_setting('trine.user_key', true))
  WITH CHECK (user_key = current_setting('trine.user_key', true));
