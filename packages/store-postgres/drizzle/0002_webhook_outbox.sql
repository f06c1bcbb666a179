CREATE TABLE "batchkit"."webhook_deliveries" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "batchkit"."webhook_deliveries_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"event_type" text NOT NULL,
	"batch_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"url" text NOT NULL,
	"payload" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"delivered_at" bigint,
	"last_status" integer,
	"last_error" text,
	"lease_token" text,
	"lease_expires_at" bigint
);
--> statement-breakpoint
CREATE INDEX "webhook_deliveries_batch_idx" ON "batchkit"."webhook_deliveries" USING btree ("batch_id","seq");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_event_idx" ON "batchkit"."webhook_deliveries" USING btree ("event_id","seq");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "batchkit"."webhook_deliveries" USING btree ("next_attempt_at","seq") WHERE "batchkit"."webhook_deliveries"."status" = 'pending';