-- Content addressing of results (issue 11, durability): the SHA-256 of a job's result, written with it.
-- A health proof's result is also kept by the service as DIR/proofs/<result_sha256>.json (ProofStore):
-- the row names the file, and the same proof written twice is one file.
ALTER TABLE proving_jobs ADD COLUMN result_sha256 text
  CHECK (result_sha256 IS NULL OR result_sha256 ~ '^[0-9a-f]{64}$');
ALTER TABLE proving_jobs ADD CONSTRAINT proving_jobs_result_hash CHECK ((result IS NULL) = (result_sha256 IS NULL));
