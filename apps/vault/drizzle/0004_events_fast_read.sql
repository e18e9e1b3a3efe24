-- Security events apart from routine reads, and the one-statement auth-share read
-- (issue 8 item 6, issue 13 item 1). Hand-written (drizzle-kit cannot express functions).
--
-- 1. read_events: the routine auth-share reads (current epoch), in a table of their own
--    with their own retention (trine_prune_reads), so that no number of reads can push
--    a security event out. audit_events now holds only security events and is never
--    pruned by the vault (the request role has no DELETE on it).
CREATE TABLE IF NOT EXISTS "read_events" (
  "id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  "app_id" text NOT NULL,
  "user_key" text NOT NULL,
  "wallet_id" text,
  "action" text NOT NULL DEFAULT 'auth_share.read',
  "epoch" integer,
  "ip" text,
  "request_id" text,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "read_events_user" ON "read_events" ("app_id", "user_key", "id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "read_events_created" ON "read_events" ("created_at");
--> statement-breakpoint
-- Existing auth-share reads move over (kept in their original order: ids are not kept,
-- the API pages each kind by its own ids). A read of a kept previous epoch cannot be told
-- apart from a current one in the old rows, so all of them become routine reads.
INSERT INTO read_events (app_id, user_key, wallet_id, action, epoch, ip, request_id, created_at)
  SELECT app_id, user_key, wallet_id, 'auth_share.read', epoch, ip, request_id, created_at
  FROM audit_events WHERE action = 'auth_share.read' ORDER BY id;
--> statement-breakpoint
DELETE FROM audit_events WHERE action = 'auth_share.read';
--> statement-breakpoint
-- The action names of the events API (apps/vault/README.md "Events").
UPDATE audit_events SET action = 'wallet.commit' WHERE action = 'shares.commit';
--> statement-breakpoint
ALTER TABLE read_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY read_events_own ON read_events TO trine_app
  USING (user_key = current_setting('trine.user_key', true)
         AND app_id = current_setting('trine.app_id', true))
  WITH CHECK (user_key = current_setting('trine.user_key', true)
              AND app_id = current_setting('trine.app_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT ON read_events TO trine_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE read_events_id_seq TO trine_app;
--> statement-breakpoint
-- 2. trine_hit: one fixed-window rate-limit hit (src/limits/rate-limit.ts), the same
--    INSERT … ON CONFLICT DO UPDATE as before, as the request role. Returns NULL while
--    the bucket is within its limit, else the seconds until the window ends (Retry-After).
--    An invoker function: it switches to trine_app for the rest of the (implicit)
--    transaction, exactly what SET LOCAL ROLE did, so a caller that is not a member of
--    trine_app cannot use it.
CREATE OR REPLACE FUNCTION trine_hit(p_key text, p_limit integer, p_window integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
AS $$
DECLARE
  c integer;
  ws bigint;
BEGIN
  PERFORM set_config('role', 'trine_app', true);
  INSERT INTO rate_buckets AS b (key, window_start, count, expires_at)
    VALUES (p_key, (floor(extract(epoch FROM now()) / p_window) * p_window)::bigint, 1,
            now() + make_interval(secs => p_window))
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN b.window_start = excluded.window_start THEN b.count + 1 ELSE 1 END,
      window_start = excluded.window_start,
      expires_at = excluded.expires_at
    RETURNING b.count, b.window_start INTO c, ws;
  IF c > p_limit THEN
    RETURN greatest(1, ceil(ws + p_window - extract(epoch FROM now())))::integer;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- 3. trine_read_auth_share: one auth-share read in one statement (one round trip):
--    the per-IP and per-user limits, the RLS subject (app_id + user key, transaction-
--    local), the row (through the RLS policy: the function runs as trine_app), and its
--    audit row, atomically (a NULL bucket key is not counted). Outcome: 'ok', 'ip_limited' / 'user_limited' (retry = seconds;
--    the counts are kept, nothing is read or audited), 'not_found', 'epoch_not_found'
--    (epoch/prev_epoch say what is kept). A read of the current epoch is a routine read
--    (read_events); a read of the kept previous epoch is a security event
--    ('auth_share.read_previous' in audit_events). The ciphertext is returned, never a
--    plaintext: the vault decrypts it (crypto/at-rest.ts).
CREATE OR REPLACE FUNCTION trine_read_auth_share(
  p_app_id text, p_user_key text, p_epoch integer, p_ip text, p_request_id text,
  p_ip_key text, p_ip_limit integer, p_ip_window integer,
  p_user_key_bucket text, p_user_limit integer, p_user_window integer)
RETURNS TABLE (outcome text, retry integer, wallet_id text, epoch integer, prev_epoch integer,
               data_key text, master_kid text, at_rest_v integer, share_ct text)
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
AS $$
DECLARE
  r integer;
  w wallets%ROWTYPE;
BEGIN
  PERFORM set_config('role', 'trine_app', true);
  IF p_ip_key IS NOT NULL THEN
    r := trine_hit(p_ip_key, p_ip_limit, p_ip_window);
    IF r IS NOT NULL THEN
      RETURN QUERY SELECT 'ip_limited'::text, r, NULL::text, NULL::integer, NULL::integer,
        NULL::text, NULL::text, NULL::integer, NULL::text;
      RETURN;
    END IF;
  END IF;
  IF p_user_key_bucket IS NOT NULL THEN
    r := trine_hit(p_user_key_bucket, p_user_limit, p_user_window);
    IF r IS NOT NULL THEN
      RETURN QUERY SELECT 'user_limited'::text, r, NULL::text, NULL::integer, NULL::integer,
        NULL::text, NULL::text, NULL::integer, NULL::text;
      RETURN;
    END IF;
  END IF;
  PERFORM set_config('trine.user_key', p_user_key, true),
          set_config('trine.app_id', p_app_id, true);
  SELECT * INTO w FROM wallets WHERE wallets.app_id = p_app_id AND wallets.user_key = p_user_key;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::integer, NULL::text, NULL::integer,
      NULL::integer, NULL::text, NULL::text, NULL::integer, NULL::text;
    RETURN;
  END IF;
  IF p_epoch IS NULL OR p_epoch = w.epoch THEN
    INSERT INTO read_events (app_id, user_key, wallet_id, action, epoch, ip, request_id)
      VALUES (p_app_id, p_user_key, w.wallet_id, 'auth_share.read', w.epoch, p_ip, p_request_id);
    RETURN QUERY SELECT 'ok'::text, NULL::integer, w.wallet_id, w.epoch, w.prev_epoch,
      w.data_key, w.master_kid, w.at_rest_v, w.auth_share_ct;
  ELSIF p_epoch = w.prev_epoch AND w.prev_auth_share_ct IS NOT NULL THEN
    INSERT INTO audit_events (app_id, user_key, wallet_id, action, epoch, ip, request_id)
      VALUES (p_app_id, p_user_key, w.wallet_id, 'auth_share.read_previous', w.prev_epoch,
              p_ip, p_request_id);
    RETURN QUERY SELECT 'ok'::text, NULL::integer, w.wallet_id, w.prev_epoch, w.prev_epoch,
      w.data_key, w.master_kid, w.at_rest_v, w.prev_auth_share_ct;
  ELSE
    RETURN QUERY SELECT 'epoch_not_found'::text, NULL::integer, w.wallet_id, w.epoch,
      w.prev_epoch, NULL::text, NULL::text, NULL::integer, NULL::text;
  END IF;
END
$$;
--> statement-breakpoint
-- 4. trine_prune_reads: the routine reads' retention. SECURITY DEFINER (it runs as the
--    table owner, past RLS) so the request role can sweep every user's old reads without
--    being able to see them; it deletes only read_events rows older than the retention,
--    which is never below 7 days whatever the caller passes. audit_events is untouched.
CREATE OR REPLACE FUNCTION trine_prune_reads(p_days integer)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  n bigint;
BEGIN
  DELETE FROM read_events WHERE created_at < now() - make_interval(days => greatest(p_days, 7));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION trine_prune_reads(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION trine_prune_reads(integer) TO trine_app;
