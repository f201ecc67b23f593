-- What a venue provides (issue 11), from which the risk vector is built by the risk model
-- (RiskVectorBuilder): instruments, collateral assets, risk tiers, the risk model's configuration and
-- oracle epochs. Loaded by ./zkm venue import (format in store/README.md), and by ./zkm demo through the
-- same code. Integers in the units of the risk model (docs/ENCODING.md): quote atoms, scale-1e18 fixed point.
CREATE TABLE instruments (
  id              integer PRIMARY KEY CHECK (id >= 0),
  kind            text    NOT NULL CHECK (kind IN ('perp', 'option')),
  underlying      text    NOT NULL,
  lot_size        bigint  NOT NULL CHECK (lot_size > 0),       -- units of the underlying per lot, scale 1e18
  option_type     text    CHECK (option_type IN ('call', 'put')),
  strike          bigint  CHECK (strike > 0),                  -- quote atoms per whole unit
  expiry_seconds  bigint  CHECK (expiry_seconds > 0),          -- Unix seconds
  CHECK ((kind = 'option') = (option_type IS NOT NULL AND strike IS NOT NULL AND expiry_seconds IS NOT NULL))
);

CREATE TABLE collateral_assets (
  idx          integer PRIMARY KEY CHECK (idx >= 0),             -- the asset's index a in the account leaf
  symbol       text    NOT NULL,
  decimals     integer NOT NULL CHECK (decimals BETWEEN 0 AND 9),
  underlying   text,                                            -- NULL for the quote asset (index 0)
  haircut_ppm  bigint  NOT NULL CHECK (haircut_ppm BETWEEN 0 AND 1000000)
);

CREATE TABLE risk_tiers (
  tier        integer PRIMARY KEY CHECK (tier >= 0),
  factor_ppm  bigint  NOT NULL CHECK (factor_ppm >= 1000000)
);

CREATE TABLE risk_config (
  id                 smallint PRIMARY KEY CHECK (id = 1),
  circuit_id         text     NOT NULL,
  rounding_quantum   bigint   NOT NULL CHECK (rounding_quantum >= 2),
  underlying_presets jsonb    NOT NULL            -- {"BTC": "major", "ETH": "alt"}
);

CREATE TABLE oracle_quotes (
  epoch         bigint NOT NULL CHECK (epoch >= 0),
  underlying    text   NOT NULL,
  time_seconds  bigint NOT NULL CHECK (time_seconds > 0),
  spot          bigint NOT NULL CHECK (spot > 0),       -- quote atoms per whole unit
  atm_vol       bigint NOT NULL CHECK (atm_vol > 0),    -- scale 1e18
  skew          bigint NOT NULL,                        -- scale 1e18
  PRIMARY KEY (epoch, underlying)
);

CREATE TABLE funding_indexes (
  epoch          bigint  NOT NULL CHECK (epoch >= 0),
  instrument_id  integer NOT NULL,
  funding_index  bigint  NOT NULL,                      -- quote atoms per lot, cumulative
  PRIMARY KEY (epoch, instrument_id)
);
