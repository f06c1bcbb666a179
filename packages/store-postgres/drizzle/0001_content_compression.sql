-- File content is written once and read back whole or by range. pglz (the default TOAST compression)
-- costs more than the rest of an upload; lz4 (PostgreSQL 14+ built with lz4) compresses the same data
-- several times faster. Where lz4 is unavailable, store the chunks uncompressed.
DO $$
BEGIN
  EXECUTE 'ALTER TABLE "batchkit"."blob_chunks" ALTER COLUMN "data" SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
  EXECUTE 'ALTER TABLE "batchkit"."blob_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL';
END $$;
