CREATE SCHEMA "batchkit";
--> statement-breakpoint
CREATE TABLE "batchkit"."batches" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "batchkit"."batches_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"status" text NOT NULL,
	"endpoint" text NOT NULL,
	"input_file_id" text NOT NULL,
	"completion_window" text NOT NULL,
	"model" text,
	"errors" jsonb,
	"output_file_id" text,
	"error_file_id" text,
	"created_at" bigint NOT NULL,
	"in_progress_at" bigint,
	"expires_at" bigint NOT NULL,
	"finalizing_at" bigint,
	"completed_at" bigint,
	"failed_at" bigint,
	"expired_at" bigint,
	"cancelling_at" bigint,
	"cancelled_at" bigint,
	"total" integer DEFAULT 0 NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"cached_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"reasoning_tokens" bigint DEFAULT 0 NOT NULL,
	"total_tokens" bigint DEFAULT 0 NOT NULL,
	"metadata" jsonb,
	"output_expires_after" integer,
	"provider" text NOT NULL,
	"mode" text NOT NULL,
	"provider_batch_id" text,
	"provider_state" jsonb,
	"credential" text,
	"end_reason" text,
	"idempotency_key" text,
	"wake_at" bigint,
	"wake_during_lease" bigint,
	"lease_token" text,
	"lease_expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "batchkit"."blob_chunks" (
	"blob_id" text NOT NULL,
	"start_offset" bigint NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "blob_chunks_pkey" PRIMARY KEY("blob_id","start_offset")
);
--> statement-breakpoint
CREATE TABLE "batchkit"."blobs" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "batchkit"."blobs_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" text PRIMARY KEY NOT NULL,
	"file_id" text NOT NULL,
	"state" text NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "batchkit"."files" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "batchkit"."files_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"filename" text NOT NULL,
	"purpose" text NOT NULL,
	"bytes" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint,
	"deleted" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "batchkit"."requests" (
	"batch_id" text NOT NULL,
	"idx" integer NOT NULL,
	"request_id" text NOT NULL,
	"custom_id" text NOT NULL,
	"byte_offset" bigint NOT NULL,
	"byte_length" integer NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" bigint DEFAULT 0 NOT NULL,
	"lease_token" text,
	"lease_expires_at" timestamp with time zone,
	"outcome" text,
	"line" text,
	CONSTRAINT "requests_pkey" PRIMARY KEY("batch_id","idx")
);
--> statement-breakpoint
ALTER TABLE "batchkit"."blob_chunks" ADD CONSTRAINT "blob_chunks_blob_id_blobs_id_fk" FOREIGN KEY ("blob_id") REFERENCES "batchkit"."blobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "batches_owner_seq_idx" ON "batchkit"."batches" USING btree ("owner_id","seq");--> statement-breakpoint
CREATE INDEX "batches_owner_created_idx" ON "batchkit"."batches" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "batches_input_file_idx" ON "batchkit"."batches" USING btree ("input_file_id");--> statement-breakpoint
CREATE UNIQUE INDEX "batches_idempotency_idx" ON "batchkit"."batches" USING btree ("owner_id","idempotency_key") WHERE "batchkit"."batches"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "batches_wake_idx" ON "batchkit"."batches" USING btree ("wake_at","seq") WHERE "batchkit"."batches"."wake_at" is not null;--> statement-breakpoint
CREATE INDEX "batches_running_idx" ON "batchkit"."batches" USING btree ("seq") WHERE "batchkit"."batches"."status" = 'in_progress';--> statement-breakpoint
CREATE INDEX "blobs_file_idx" ON "batchkit"."blobs" USING btree ("file_id","seq");--> statement-breakpoint
CREATE INDEX "files_owner_seq_idx" ON "batchkit"."files" USING btree ("owner_id","seq");--> statement-breakpoint
CREATE INDEX "requests_open_idx" ON "batchkit"."requests" USING btree ("batch_id","idx") WHERE "batchkit"."requests"."state" <> 'done';--> statement-breakpoint
CREATE INDEX "requests_lease_idx" ON "batchkit"."requests" USING btree ("lease_token") WHERE "batchkit"."requests"."lease_token" is not null;