-- A programme's managers (or any one role), oldest first, without reading
-- the roles of everyone enrolled (issue 20): the key (programme, person,
-- role) made the manager list on a programme's page read all 100,000
-- participants' roles, 7.6 ms a page view at 100,000 people.
CREATE INDEX programme_roles_list_idx ON programme_roles (programme_id, role, created_at);
