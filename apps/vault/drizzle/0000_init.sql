CREATE TABLE "apps" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"allowed_origins" jsonb NOT NULL,
	"issuers" jsonb NOT NULL,
	"networks" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"app_id" text NOT NULL,
	"user_key" text NOT NULL,
	"wallet_id" text,
	"action" text NOT NULL,
	"epoch" integer,
	"ip" text,
	"request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" bigint NOT NULL,
	"count" integer NOT NULL,
	"expires_at" timestamp with time zone DEFAULT now() + interval '1 day' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wallets" (
	"app_id" text NOT NULL,
	"user_key" text NOT NULL,
	"wallet_id" text NOT NULL,
	"key_id" text NOT NULL,
	"network" text NOT NULL,
	"base_address" text NOT NULL,
	"reward_address" text NOT NULL,
	"epoch" integer NOT NULL,
	"recovery_epoch" integer NOT NULL,
	"question" text NOT NULL,
	"data_key" text NOT NULL,
	"master_kid" text NOT NULL,
	"auth_share_ct" text NOT NULL,
	"sealed_ct" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallets_app_id_user_key_pk" PRIMARY KEY("app_id","user_key")
);
--> statement-breakpoint
CREATE INDEX "audit_events_user" ON "audit_events" USING btree ("app_id","user_key","id");--> statement-breakpoint
CREATE INDEX "wallets_wallet_id" ON "wallets" USING btree ("wallet_id");