-- The app versions counted as a dimension on each app's day: at most VERSIONS_PER_APP_DAY of
-- them (src/aggregate/statements.ts); events with any other version count as "(other)". Only
-- days that can still receive events need it: it is purged with the raw events.
CREATE TABLE IF NOT EXISTS daily_versions (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  app_version TEXT NOT NULL,
  PRIMARY KEY (app, day, app_version)
) WITHOUT ROWID;
