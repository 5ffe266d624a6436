-- The app version, OS and country an install was first seen with on a day, so that breakdowns
-- (GET /v1/stats/breakdown, the dashboard) count distinct installs per version, OS and country.
-- Rows recorded before this migration keep '' (shown as "(unknown)").
ALTER TABLE daily_active_installs ADD COLUMN app_version TEXT NOT NULL DEFAULT '';
ALTER TABLE daily_active_installs ADD COLUMN os TEXT NOT NULL DEFAULT '';
ALTER TABLE daily_active_installs ADD COLUMN country TEXT NOT NULL DEFAULT '';
