-- One state (issue 9): the venue's tables hold the operator's ledger at its last finalized batch, so that a
-- health proof is about the root the Settlement contract holds now. An account leaf v2 also binds its L1
-- address and the root of its order-fill subtree; the subtree's slots are kept too, so that the operator's
-- ledger can be rebuilt from these tables (docs/BATCH.md section 1: slot orderId mod 2^K holds orderId and
-- the units filled).
ALTER TABLE accounts
  ADD COLUMN l1_address   text     NOT NULL DEFAULT '0',   -- the owner's L1 address, decimal, < 2^160
  ADD COLUMN orders_root  text     NOT NULL DEFAULT '0',   -- the order-fill subtree's root (0: no fill yet)
  ADD COLUMN order_ids    bigint[] NOT NULL DEFAULT '{}',  -- 2^K slots (empty: no fill yet), 0 = unused slot
  ADD COLUMN order_filled bigint[] NOT NULL DEFAULT '{}';  -- combo units filled of the slot's order

-- Which batch of which Settlement deployment the tables hold (0: the deployment's genesis), and the deposit
-- queue consumed up to it: written in the same transaction as the batch's accounts and root.
ALTER TABLE venue
  ADD COLUMN batch           bigint NOT NULL DEFAULT 0 CHECK (batch >= 0),
  ADD COLUMN deployment      text   NOT NULL DEFAULT '',
  ADD COLUMN deposits_taken  bigint NOT NULL DEFAULT 0 CHECK (deposits_taken >= 0),
  ADD COLUMN deposit_head    text   NOT NULL DEFAULT '0';

ALTER TABLE state_roots
  ADD COLUMN batch bigint;                                  -- the finalized batch of the root (null: an import)
