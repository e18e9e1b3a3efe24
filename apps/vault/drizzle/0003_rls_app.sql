-- Row-level security binds the app as well as the user (issue 8, item 4).
-- Each request transaction now sets trine.app_id beside trine.user_key (db/open.ts
-- withUser); a row is visible (and writable) only when both match, so a bug that put
-- one app's verified user into another app's query still finds no row. Without either
-- setting, current_setting(..., true) is NULL and no row matches.
DROP POLICY IF EXISTS wallets_own ON wallets;
--> statement-breakpoint
DROP POLICY IF EXISTS audit_events_own ON audit_events;
--> statement-breakpoint
CREATE POLICY wallets_own ON wallets TO trine_app
  USING (user_key = current_setting('trine.user_key', true)
         AND app_id = current_setting('trine.app_id', true))
  WITH CHECK (user_key = current_setting('trine.user_key', true)
              AND app_id = current_setting('trine.app_id', true));
--> statement-breakpoint
CREATE POLICY audit_events_own ON audit_events TO trine_app
  USING (user_key = current_setting('trine.user_key', true)
         AND app_id = current_setting('trine.app_id', true))
  WITH CHECK (user_key = current_setting('trine.user_key', true)
              AND app_id = current_setting('trine.app_id', true));
--> statement-breakpoint
-- Replay protection of signed management requests: the request role records a nonce in
-- the transaction of the change and sweeps expired ones. A nonce is random and names no
-- user, so the table needs no per-user policy.
GRANT SELECT, INSERT, DELETE ON used_nonces TO trine_app;
