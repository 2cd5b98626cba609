-- StudentRes Desktop: what each server account may do. Per table, and per column where it
-- matters, on the app's database only: nothing server-wide, no GRANT OPTION, no FILE.
--
-- `studentres-admin create-db-user --role owner|app|advisor USER` creates a mysql_native_password
-- account and runs the lines of its role, with {database} replaced by the database named in its
-- --db URL and {account} by 'USER'@'HOST'. By hand: replace both the same way and run the lines
-- of one role (an advisor gets the [app] lines and the [advisor] lines).
--
--   owner    installs and upgrades the schema (init-db) and is the DEFINER of the login
--            procedures. Used from IT's machine only; never stored on a workstation.
--   app      a student workstation: reads the catalogue, keeps its own interests, and reaches
--            password hashes and the login throttle only through the procedures.
--   advisor  a front-desk kiosk: everything app may, and the catalogue.
--
-- Neither app nor advisor can run DDL, DROP, GRANT, FILE/INTO OUTFILE, or DELETE FROM
-- students_data, read students_data.password_hash, or touch login_throttle.
-- tests/integration/test_db_accounts.py proves both sides on a real server.
--
-- EXECUTE is granted on the whole database, so it survives init-db replacing a procedure:
-- every routine in this database is meant to be called by workstations.
--
-- A new table: one line in each role's section that needs it (a test names every table that
-- has no [app] line and is not private like login_throttle). Order: create the owner, run
-- `studentres-admin init-db` as the owner, then create app and advisor accounts (their grants
-- name the tables, which must exist). studentres_desktop/persistence/accounts.py holds the same
-- lines; a test keeps the two equal.

-- [owner]
GRANT ALL PRIVILEGES ON {database}.* TO {account};

-- [app]
GRANT SELECT (id, name, email, interest, `role`, learning_goal, created_at), UPDATE (interest, learning_goal) ON {database}.students_data TO {account};
GRANT SELECT ON {database}.interests TO {account};
GRANT SELECT, INSERT, DELETE ON {database}.student_interests TO {account};
GRANT SELECT ON {database}.interest_resources TO {account};
GRANT SELECT ON {database}.resource_words TO {account};
GRANT SELECT ON {database}.resource_interests TO {account};
GRANT SELECT, INSERT, DELETE ON {database}.resource_embeddings TO {account};
GRANT SELECT, INSERT, DELETE ON {database}.interest_embeddings TO {account};
GRANT SELECT ON {database}.schema_meta TO {account};
GRANT SELECT ON {database}.alembic_version TO {account};
GRANT SELECT, INSERT, DELETE ON {database}.saved_resources TO {account};
GRANT SELECT, INSERT, UPDATE, DELETE ON {database}.rsvps TO {account};
GRANT INSERT ON {database}.audit_log TO {account};
GRANT SELECT, INSERT, UPDATE ON {database}.resource_locks TO {account};
GRANT SELECT, INSERT, DELETE ON {database}.applied_operations TO {account};
GRANT EXECUTE ON {database}.* TO {account};

-- [advisor]
GRANT INSERT, UPDATE, DELETE ON {database}.interest_resources TO {account};
GRANT INSERT, DELETE ON {database}.resource_interests TO {account};
GRANT UPDATE ON {database}.saved_resources TO {account};
GRANT SELECT ON {database}.audit_log TO {account};
