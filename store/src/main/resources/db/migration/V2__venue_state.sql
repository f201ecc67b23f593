-- The venue's committed state (issue 11): what the health circuit commits to. One venue per database.
-- Words are signed 64-bit integers exactly as in docs/ENCODING.md; field elements (owner keys, roots) are
-- canonical decimal strings.
CREATE TABLE venue (
  id             smallint PRIMARY KEY CHECK (id = 1),
  circuit_id     text     NOT NULL,          -- health-D..-I..-P..-A..-S..-T..: the sizes leaves and entries fit
  epoch          bigint   NOT NULL,          -- the oracle epoch of the risk vector
  version        bigint   NOT NULL,          -- bumped by every write of the state: readers cache by it
  demo_accounts  integer,                    -- set when ./zkm demo made the venue (analytics regenerate its market)
  demo_seed      bigint
);

CREATE TABLE accounts (
  id                 bigint   PRIMARY KEY CHECK (id >= 0),
  owner_pk_x         text     NOT NULL,      -- BN254 twisted-Edwards public key
  owner_pk_y         text     NOT NULL,
  nonce              bigint   NOT NULL CHECK (nonce >= 0),
  tier               integer  NOT NULL CHECK (tier >= 0),
  balances           bigint[] NOT NULL,      -- venue atoms per collateral asset (A of them)
  instrument_ids     bigint[] NOT NULL,      -- position slots (P of them)
  quantities         bigint[] NOT NULL,      -- whole lots, 0 = empty slot
  funding_snapshots  bigint[] NOT NULL       -- quote atoms per lot
);

CREATE TABLE risk_entries (
  instrument_id  integer  PRIMARY KEY CHECK (instrument_id >= 0),
  mark           bigint   NOT NULL,
  funding_index  bigint   NOT NULL,
  floor_mm       bigint   NOT NULL,
  floor_im       bigint   NOT NULL,
  rmm            bigint[] NOT NULL,          -- S scenario losses at maintenance
  rim            bigint[] NOT NULL           -- S scenario losses at initial
);

CREATE TABLE risk_globals (
  id                   smallint PRIMARY KEY CHECK (id = 1),
  tier_factor_ppm      bigint[] NOT NULL,    -- T
  collateral_price     bigint[] NOT NULL,    -- A, haircut
  debt_price           bigint[] NOT NULL,    -- A, no haircut
  collateral_scenario  bigint[] NOT NULL     -- A x S, row-major by asset
);

-- Every state the venue committed to, in order: at start the tree rebuilt from accounts must give the last
-- root (a mismatch means the tables and the last acknowledged state disagree, and the service refuses to start).
CREATE TABLE state_roots (
  seq         bigserial   PRIMARY KEY,
  version     bigint      NOT NULL,
  epoch       bigint      NOT NULL,
  state_root  text        NOT NULL,
  risk_root   text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
