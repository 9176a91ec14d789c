-- Self-hosting (issue 21): an operator can disable an account from the command
-- line (`rapport admin disable-user`). A disabled person cannot sign in; the
-- time it was disabled is kept, NULL for every account that can.
ALTER TABLE people ADD COLUMN disabled_at BIGINT;
