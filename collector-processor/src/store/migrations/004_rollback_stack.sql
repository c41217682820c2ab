-- Rollback walks back through versions: an activation rolled back over is undone, so the next
-- rollback goes to the version before it instead of toggling between the last two.
ALTER TABLE model_activations ADD COLUMN undone boolean NOT NULL DEFAULT false;
