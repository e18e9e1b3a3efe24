CREATE TABLE "used_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "realms" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "realm_threshold" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "at_rest_v" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "management_key" text;--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "sealed_v" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "prev_epoch" integer;--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "prev_question" text;--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "prev_auth_share_ct" text;--> statement-breakpoint
ALTER TABLE "wallets" ADD COLUMN "prev_sealed_ct" text;--> statement-breakpoint
CREATE INDEX "used_nonces_expires" ON "used_nonces" USING btree ("expires_at");