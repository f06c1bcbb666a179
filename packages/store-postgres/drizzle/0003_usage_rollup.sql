CREATE TABLE "batchkit"."usage_daily" (
	"owner_id" text NOT NULL,
	"day" date NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"mode" text NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"cached_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"reasoning_tokens" bigint DEFAULT 0 NOT NULL,
	"total_tokens" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_pkey" PRIMARY KEY("owner_id","day","provider","model","mode")
);
--> statement-breakpoint
CREATE TABLE "batchkit"."usage_imports" (
	"batch_id" text PRIMARY KEY NOT NULL,
	"imported_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "usage_daily_day_idx" ON "batchkit"."usage_daily" USING btree ("day");