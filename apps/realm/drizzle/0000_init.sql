CREATE TABLE "realm_epochs" (
	"app_id" text NOT NULL,
	"user_key" text NOT NULL,
	"epoch" integer NOT NULL,
	"masked_share" text NOT NULL,
	"unlock_tag" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "realm_epochs_app_id_user_key_epoch_pk" PRIMARY KEY("app_id","user_key","epoch")
);
--> statement-breakpoint
CREATE TABLE "realm_rate_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" bigint NOT NULL,
	"count" integer NOT NULL,
	"expires_at" timestamp with time zone DEFAULT now() + interval '1 day' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "realm_registrations" (
	"app_id" text NOT NULL,
	"user_key" text NOT NULL,
	"wallet_id" text NOT NULL,
	"management_key" text NOT NULL,
	"guesses" integer DEFAULT 0 NOT NULL,
	"counting_since" timestamp with time zone DEFAULT now() NOT NULL,
	"last_guess_at" timestamp with time zone,
	"prev_guess_at" timestamp with time zone,
	"last_wrong_at" timestamp with time zone,
	"last_unlock_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "realm_registrations_app_id_user_key_pk" PRIMARY KEY("app_id","user_key")
);
--> statement-breakpoint
CREATE TABLE "realm_used_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "realm_epochs" ADD CONSTRAINT "realm_epochs_registration_fk" FOREIGN KEY ("app_id","user_key") REFERENCES "public"."realm_registrations"("app_id","user_key") ON DELETE cascade ON UPDATE no action;