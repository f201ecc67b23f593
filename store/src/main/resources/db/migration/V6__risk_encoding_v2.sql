-- Risk encoding v2 (docs/ENCODING.md, docs/LIQUIDATION.md section 1): an instrument entry carries whether it
-- has settled at expiry and its settlement value per lot; the globals carry the liquidation parameters.
-- Rows written before have no settled instrument and take the venue defaults (LiquidationParams.DEFAULT).
ALTER TABLE risk_entries
  ADD COLUMN settled           boolean NOT NULL DEFAULT false,
  ADD COLUMN settlement_value  bigint  NOT NULL DEFAULT 0;

ALTER TABLE risk_globals
  ADD COLUMN penalty_ppm          bigint NOT NULL DEFAULT 10000   CHECK (penalty_ppm BETWEEN 0 AND 1000000),
  ADD COLUMN insurance_share_ppm  bigint NOT NULL DEFAULT 500000  CHECK (insurance_share_ppm BETWEEN 0 AND 1000000),
  ADD COLUMN keeper_share_ppm     bigint NOT NULL DEFAULT 100000  CHECK (keeper_share_ppm BETWEEN 0 AND 1000000),
  ADD COLUMN close_target_ppm     bigint NOT NULL DEFAULT 1250000 CHECK (close_target_ppm BETWEEN 1000000 AND 10000000),
  ADD COLUMN insurance_fund_id    bigint NOT NULL DEFAULT 0       CHECK (insurance_fund_id >= 0);
