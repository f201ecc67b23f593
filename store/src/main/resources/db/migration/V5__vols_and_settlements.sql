-- Venue inputs (issue 11, item 2): per-instrument implied vols of an oracle epoch (an option priced on a
-- flat smile at its own vol instead of its underlying's smile) and settlement prices at expiry (an option
-- expired at the epoch's time is worth its intrinsic value at its expiry's settlement price).
CREATE TABLE instrument_vols (
  epoch          bigint  NOT NULL CHECK (epoch >= 0),
  instrument_id  integer NOT NULL,
  vol            bigint  NOT NULL CHECK (vol > 0 AND vol <= 5000000000000000000),  -- scale 1e18
  PRIMARY KEY (epoch, instrument_id)
);

CREATE TABLE settlement_prices (
  underlying      text   NOT NULL,
  expiry_seconds  bigint NOT NULL CHECK (expiry_seconds > 0),  -- Unix seconds
  price           bigint NOT NULL CHECK (price > 0),           -- quote atoms per whole unit
  PRIMARY KEY (underlying, expiry_seconds)
);
