-- The proving pool (issue 11): one row a job, leased by workers with SELECT ... FOR UPDATE SKIP LOCKED
-- (zkSync's prover queue design). A lease has a deadline that heartbeats push back; a lease whose deadline
-- passed is taken back by any worker (the job is queued again, or failed once it used its attempts).
-- attempts doubles as the lease's fencing token: a result is written only by the worker holding the
-- attempt that is current, and only once (state 'leased' -> 'done').
CREATE TABLE proving_jobs (
  id              bigserial   PRIMARY KEY,
  kind            text        NOT NULL,                 -- 'health' (now), 'noop' (the pool's own benchmark); 'batch', 'exit' later
  priority        smallint    NOT NULL,                 -- lower runs first: 0 trader health proofs, 100 background work
  state           text        NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'leased', 'done', 'failed', 'cancelled')),
  payload         jsonb       NOT NULL,
  request_key     text        UNIQUE,                   -- the caller's idempotency key: one job per request
  attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts    integer     NOT NULL CHECK (max_attempts >= 1),
  worker          text,                                 -- the worker holding (or that last held) the lease
  leased_at       timestamptz,
  lease_deadline  timestamptz,
  heartbeat_at    timestamptz,
  result          bytea,                                -- written once, with state 'done'
  error           text,                                 -- the last failure's reason (the final one when 'failed')
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  CHECK ((state = 'done') = (result IS NOT NULL))
);

-- the lease query: the first queued job by priority, then age
CREATE INDEX proving_jobs_queued ON proving_jobs (priority, id) WHERE state = 'queued';
-- the reaper: leases past their deadline
CREATE INDEX proving_jobs_leased ON proving_jobs (lease_deadline) WHERE state = 'leased';
