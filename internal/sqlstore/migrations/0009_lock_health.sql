-- The health that locks report: the newest reading of each type (BatteryVoltage, Temperature,
-- BatteryWarningLevel) per bound lock. An upload replaces a row only with a reading measured
-- later, so a late or repeated upload never brings back an older value.

CREATE TABLE lock_health (
    bound_lock_id TEXT NOT NULL REFERENCES bound_locks (id) ON DELETE CASCADE,
    type          TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    measured_at   BIGINT NOT NULL,
    PRIMARY KEY (bound_lock_id, type)
);
