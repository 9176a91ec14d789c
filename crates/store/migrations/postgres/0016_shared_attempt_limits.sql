-- Scale-out (issue 21): sign-in, sign-up and password-reset attempts are
-- counted in the database rather than in each server's memory, so that every
-- instance behind a load balancer enforces one limit per client address.
-- One row per bucket and address (`signin:203.0.113.7`): the attempts in the
-- fixed window that began at window_start (ms). The job worker deletes rows
-- whose window has passed.
CREATE TABLE auth_attempts (
    key TEXT PRIMARY KEY NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX auth_attempts_window_start ON auth_attempts (window_start);
